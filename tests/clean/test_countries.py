"""Country names as the reports print them, to ISO 3166-1 and fmtr's own codes."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fmtr.clean.countries import by_code, country_code, unmapped

# (printed name, code, kind): spellings seen in the editions' headings and country totals.
EXAMPLES = [
    ("Angola", "AGO", "iso"),
    ("Burma", "MMR", "iso"),
    ("Serbia and Montenegro", "SCG", "historic"),
    ("Yugoslavia", "YUG", "historic"),
    ("Netherlands Antilles", "ANT", "historic"),
    ("Netherlands Antilles (NE)", "ANT", "historic"),
    ("Cote d'Ivoire", "CIV", "iso"),
    ("Côte d'Ivoire, Republic of", "CIV", "iso"),
    ("Cote D’ivoire, Republic Of", "CIV", "iso"),
    ("Ivory Coast", "CIV", "iso"),
    ("Macedonia", "MKD", "iso"),
    ("Macedonia (FYROM)", "MKD", "iso"),
    ("Macedonia, Former Yugoslav Republic of", "MKD", "iso"),
    ("North Macedonia", "MKD", "iso"),
    ("Swaziland", "SWZ", "iso"),
    ("Eswatini", "SWZ", "iso"),
    ("East Timor", "TLS", "iso"),
    ("Timor-Leste", "TLS", "iso"),
    ("Timor-Leste, Democratic Republic of", "TLS", "iso"),
    ("Congo (Brazzaville)", "COG", "iso"),
    ("Republic of Congo (Congo - Brazzaville)", "COG", "iso"),
    ("Congo, Republic Of (Brazzaville)", "COG", "iso"),
    ("Congo (Kinshasa)", "COD", "iso"),
    ("Congo, Democratic Republic of the", "COD", "iso"),
    ("Congo, Democratic Republic of (Kinshasa)", "COD", "iso"),
    ("Democratic Republic of Congo (Congo - Kinshasa)", "COD", "iso"),
    ("Congo (DROC)", "COD", "iso"),
    ("Cape Verde, Republic Of", "CPV", "iso"),
    ("Cape Verde (Republic of)", "CPV", "iso"),
    ("Korea, Republic of", "KOR", "iso"),
    ("Korea - South (Republic of)", "KOR", "iso"),
    ("Korea", "KOR", "iso"),
    ("Bahamas, The", "BHS", "iso"),
    ("Gambia, The", "GMB", "iso"),
    ("Micronesia", "FSM", "iso"),
    ("Kyrgyzstan", "KGZ", "iso"),
    ("Laos", "LAO", "iso"),
    ("Palestinian Authority", "PSE", "iso"),
    ("Kosovo", "XKX", "other"),
    ("Indochina", "X-INDOCHINA", "other"),
    ("African Union", "X-AU", "organisation"),
    ("ECOWAS", "X-ECOWAS", "organisation"),
    ("NATO", "X-NATO", "organisation"),
    ("OAS", "X-OAS", "organisation"),
    ("Multiple", "X-MULTI", "other"),
    ("Regional", "X-REGIONAL", "other"),
    ("Bosnia & Herzegovina", "BIH", "iso"),
    ("China, People's Republic Of", "CHN", "iso"),
    ("China (Peoples Republic of)", "CHN", "iso"),
    ("Taiwan", "TWN", "iso"),
    ("Hong Kong", "HKG", "iso"),
    ("Russia", "RUS", "iso"),
    ("Viet Nam", "VNM", "iso"),
    ("Vietnam", "VNM", "iso"),
    ("Trinidad -Tobago", "TTO", "iso"),
    ("Trinidad - Tobago", "TTO", "iso"),
    ("St Kitts And Nevis", "KNA", "iso"),
    ("Saint Kitts & Nevis", "KNA", "iso"),
    ("St Vincent and Grenadines", "VCT", "iso"),
    ("St Lucia", "LCA", "iso"),
    ("Antigua And Barbuda (UK)", "ATG", "iso"),
    ("Belize (UK)", "BLZ", "iso"),
    ("Cayman Islands (UK)", "CYM", "iso"),
    ("Sint Maarten", "SXM", "iso"),
    ("Guinea - Bissau", "GNB", "iso"),
    ("Papua-New Guinea", "PNG", "iso"),
    ("Burkina FASO", "BFA", "iso"),
    ("Bolivia INC", "BOL", "iso"),
    ("Kazakhstan, Republic Of", "KAZ", "iso"),
    ("Tanzania, United Republic of", "TZA", "iso"),
    ("Montenegro, Republic of", "MNE", "iso"),
    ("Republic of Serbia", "SRB", "iso"),
    ("Serbia, Republic of", "SRB", "iso"),
    ("Sudan", "SDN", "iso"),
    ("Sudan, Government of Southern", "SSD", "iso"),
    ("Sudan, Republic of South", "SSD", "iso"),
    ("Turks and Caicos", "TCA", "iso"),
    ("  angola  ", "AGO", "iso"),
    ("ANGOLA", "AGO", "iso"),
]


@pytest.mark.parametrize(("name", "code", "kind"), EXAMPLES)
def test_examples(name: str, code: str, kind: str) -> None:
    country = country_code(name)
    assert country is not None, name
    assert (country.code, country.kind) == (code, kind)
    assert country.name


@pytest.mark.parametrize(
    "name", [None, "", "  ", "Atlantis", "Congo (somewhere)", "Region", "FY 2016", "Africa"]
)
def test_unknown_is_none(name: str | None) -> None:
    assert country_code(name) is None


def test_display_names() -> None:
    assert by_code("COD").name == "Congo, Democratic Republic of the"
    assert by_code("COG").name == "Congo, Republic of the"
    assert by_code("SCG").name == "Serbia and Montenegro"
    assert by_code("BOL").name == "Bolivia"


def test_unmapped_lists_distinct_sorted() -> None:
    assert unmapped(["Atlantis", "Angola", "Atlantis", "Lemuria"]) == ["Atlantis", "Lemuria"]


@given(st.sampled_from(list(pycountry.countries)))
def test_every_iso_country_maps_to_itself(c: object) -> None:
    for attr in ("name", "official_name", "common_name"):
        value = getattr(c, attr, None)
        if value:
            found = country_code(value)
            assert found is not None and found.code == c.alpha_3  # type: ignore[attr-defined]


@given(st.text(max_size=30))
def test_never_raises(name: str) -> None:
    country_code(name)


def _html_text(path: Path) -> list[str]:
    text = html.unescape(re.sub(r"<[^>]+>", "\n", path.read_text("utf-8", errors="replace")))
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]


def test_fy2006_country_totals_all_map(corpus: Path) -> None:
    # Every "<Country> FY 2006 Totals" line of the FY2006-2007 edition names a known country.
    names = [
        m.group(1)
        for f in sorted((corpus / "FY2006-2007").glob("*.html"))
        for line in _html_text(f)
        if (m := re.fullmatch(r"(.+) FY 2006 Totals", line))
    ]
    assert len(set(names)) > 130
    assert unmapped(names) == []
