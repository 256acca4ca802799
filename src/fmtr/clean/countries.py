"""Country cells and heading countries to ISO 3166-1 codes.

``country_code(name)`` maps a name as the reports print it ("Burma", "Cote D'Ivoire, Republic
of", "Congo (Kinshasa)", "Korea, Republic of", "Bahamas, The") to one ``Country``:

- kind ``iso``: a current ISO 3166-1 country, ``code`` its alpha-3 code, ``name`` pycountry's
  common name where it has one, else its ISO short name ("Taiwan", "Bolivia", "Côte d'Ivoire").
  Former names of a country that still exists map to its current code (Burma -> MMR, Swaziland ->
  SWZ, East Timor -> TLS, Macedonia -> MKD, Zaire would be COD).
- kind ``historic``: a state that no longer exists, with its withdrawn ISO 3166-3 alpha-3 code:
  SCG Serbia and Montenegro (2003-2006), YUG Yugoslavia (the Federal Republic, to 2003), ANT
  Netherlands Antilles (to 2010). These codes are no longer ISO 3166-1 but were, and are
  unambiguous.
- kind ``other``: a place that is not an ISO 3166-1 country: XKX Kosovo (the user-assigned code
  the EU and IMF use), X-INDOCHINA (a regional heading printed once, FY2008-2009), X-MULTI
  ("Multiple"), X-REGIONAL ("Regional", "Southeast Europe Regional"), X-UNSTATED (a heading
  that prints no country: "DOD Region, , DoD Regional Centers...", FY2004-2005).
- kind ``organisation``: a regional organisation trained as such: X-AU African Union, X-ECOWAS,
  X-NATO, X-OAS, X-RSS (Eastern Caribbean Regional Security System).
- kind ``group``: a group of recipients the Greenbook (the funding data) does not break down:
  X-WORLD "World (not specified)", and one per region "(not specified)": X-ASIA, X-CARIBBEAN,
  X-CENTAMERICA, X-EAFRICA, X-EEUROPE, X-EURASIA, X-LAC, X-MENA, X-OCEANIA, X-SAFRICA
  (Southern Africa), X-SSAFRICA (Sub-Saharan Africa), X-WAFRICA, X-WEUROPE.

fmtr's own codes are "X-" + an upper-case short name: the hyphen means they can never collide
with an ISO alpha-2/alpha-3 code, and the "X" follows ISO's reservation of X.. for user use.

Matching ignores case, accents, punctuation and "&" versus "and"; it is exact otherwise (no
fuzzy matching): an unknown spelling gives None, and ``unmapped`` lists such names so a test can
require that none is left.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycountry

from fmtr.clean.text import name_key

ISO, HISTORIC, ORGANISATION, OTHER, GROUP = "iso", "historic", "organisation", "other", "group"


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    kind: str  # ISO | HISTORIC | ORGANISATION | OTHER | GROUP


_SPECIAL = {
    c.code: c
    for c in (
        Country("SCG", "Serbia and Montenegro", HISTORIC),
        Country("YUG", "Yugoslavia", HISTORIC),
        Country("ANT", "Netherlands Antilles", HISTORIC),
        Country("XKX", "Kosovo", OTHER),
        Country("X-INDOCHINA", "Indochina", OTHER),
        Country("X-MULTI", "Multiple countries", OTHER),
        Country("X-REGIONAL", "Regional", OTHER),
        Country("X-UNSTATED", "Country not printed", OTHER),
        Country("X-AU", "African Union", ORGANISATION),
        Country("X-ECOWAS", "Economic Community of West African States", ORGANISATION),
        Country("X-NATO", "North Atlantic Treaty Organization", ORGANISATION),
        Country("X-OAS", "Organization of American States", ORGANISATION),
        Country("X-RSS", "Regional Security System (Eastern Caribbean)", ORGANISATION),
        # The Greenbook's recipients "not specified": money for a region or the world that it
        # does not break down by country.
        Country("X-WORLD", "World (not specified)", GROUP),
        Country("X-ASIA", "Asia (not specified)", GROUP),
        Country("X-CARIBBEAN", "Caribbean (not specified)", GROUP),
        Country("X-CENTAMERICA", "Central America (not specified)", GROUP),
        Country("X-EAFRICA", "East Africa (not specified)", GROUP),
        Country("X-EEUROPE", "Eastern Europe (not specified)", GROUP),
        Country("X-EURASIA", "Eurasia (not specified)", GROUP),
        Country("X-LAC", "Latin America and Caribbean (not specified)", GROUP),
        Country("X-MENA", "Middle East and North Africa (not specified)", GROUP),
        Country("X-OCEANIA", "Oceania (not specified)", GROUP),
        Country("X-SAFRICA", "Southern Africa (not specified)", GROUP),
        Country("X-SSAFRICA", "Sub-Saharan Africa (not specified)", GROUP),
        Country("X-WAFRICA", "West Africa (not specified)", GROUP),
        Country("X-WEUROPE", "Western Europe (not specified)", GROUP),
    )
}

# Generic rewrites tried when a name is not known as printed: "Gambia, The", "The Gambia",
# "Kenya, Republic of", "Republic of Kenya", "Kenya (Republic of)".
_REWRITES = (
    re.compile(r"^(.*) the$"),
    re.compile(r"^the (.*)$"),
    re.compile(r"^(.*) republic of$"),
    re.compile(r"^republic of (.*)$"),
    re.compile(r"^(.*) \(republic of\)$"),
)


# Display names where pycountry's is awkward or ambiguous ("Congo" alone names both Congos).
_DISPLAY = {
    "COD": "Congo, Democratic Republic of the",
    "COG": "Congo, Republic of the",
    "FSM": "Micronesia",
    "PSE": "Palestine",
}


def _iso(code: str) -> Country:
    c = pycountry.countries.get(alpha_3=code)
    if c is None:
        raise KeyError(code)
    name = _DISPLAY.get(code) or getattr(c, "common_name", None) or c.name
    return Country(c.alpha_3, name, ISO)


def by_code(code: str) -> Country:
    """The Country of an fmtr country code (ISO alpha-3, historic, XKX or X-...)."""
    return _SPECIAL[code] if code in _SPECIAL else _iso(code)


@cache
def _aliases() -> dict[str, str]:
    text = resources.files("fmtr.clean").joinpath("country_aliases.tsv").read_text("utf-8")
    rows = csv.DictReader(
        (ln for ln in text.splitlines() if not ln.startswith("#")), delimiter="\t"
    )
    table: dict[str, str] = {}
    for row in rows:
        by_code(row["code"])  # fail early on a typo in the table
        table[name_key(row["alias"])] = row["code"]
    return table


@cache
def _iso_names() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                table.setdefault(name_key(value), c.alpha_3)
    return table


def _lookup(key: str) -> str | None:
    return _aliases().get(key) or _iso_names().get(key)


def country_code(name: str | None) -> Country | None:
    """The Country a printed name denotes, or None when the spelling is unknown."""
    if name is None:
        return None
    key = name_key(name)
    if not key:
        return None
    code = _lookup(key)
    if code is None:
        for pattern in _REWRITES:
            m = pattern.match(key)
            if m and (code := _lookup(m.group(1).strip())):
                break
    return by_code(code) if code else None


def unmapped(names: Iterable[str]) -> list[str]:
    """The distinct names (sorted) that ``country_code`` does not map."""
    return sorted({n for n in names if country_code(n) is None})


def all_countries() -> list[Country]:
    """Every code fmtr can give: the ISO 3166-1 countries and fmtr's own (see module doc)."""
    return [_iso(c.alpha_3) for c in pycountry.countries] + list(_SPECIAL.values())
