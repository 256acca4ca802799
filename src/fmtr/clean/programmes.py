"""Programme names as printed in the headings to fmtr's canonical programme codes.

The table ``programmes.tsv`` (checked in) has one row per code: code, family, name, department,
legal authority, a one-line description, and the raw names that map to it.

Code scheme:
- ``code`` is the programme's usual acronym (IMET, FMF, CTFP, GPOI, ALP, ...); statutory
  authorities known by their section number are ``SEC`` + the number (SEC1004, SEC1206,
  SEC2282, SEC333, SEC506); fmtr-made names are hyphenated (NONSA-UC, MISC-NONSA).
- ``family`` groups codes that continue or contain one another, for series across editions:
  RC holds the regional centres (ACSS, APCSS, CHDS, NESA, GCMC and the generic RC the later
  editions print without naming the centre); GTE holds 1206 -> 2282 -> 333; CTFP holds CTFP
  and its renamed CTIWFP; PKO holds the PKO-funded ACRI, ACOTA, EIPC, GPOI; CN the
  counter-narcotics programmes; NONSA the non-security-assistance headings; MSI holds SCSI.
- IMET's sub-types (IMET-1, IMET-2, IMET-X, IMET-D&R, "IMET Multi-Year", the 2-year emergency
  supplemental authority) are one code, IMET, with ``variant`` set to the sub-type as the table
  spells it: they are funding lines of one programme, and Section IV never defines them. FMF's
  repayable credit ("FMF Repay", "Credit (Repayable)") is likewise FMF with a variant.
- The heading "Section 1206/2282" maps to SEC2282 (2282 is the codified 1206) with variant
  "Section 1206/2282"; "Non-SA, UC, JCET" maps to JCET (family NONSA).

Matching ignores case, accents, punctuation, "(Note n)" markers, and a fiscal-year tail (", FY
00", " - FY 2008 DoD Training"), so the programme part of any edition's heading maps as printed.
No fuzzy matching: an unknown name gives None.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from fmtr.clean.dates import first_fiscal_year, resolve_two_digit_year
from fmtr.clean.text import collapse_space, name_key


@dataclass(frozen=True)
class Programme:
    code: str
    family: str
    name: str
    department: str
    authority: str
    description: str
    variant: str | None = None  # the sub-type as printed, for IMET-1 etc.; None otherwise


# ", FY 00", ",FY03", " - FY 2008 DoD Training", " - Fiscal Year 2016 Department of ... Training"
_FY_TAIL = re.compile(
    r"\s*(?:[-,]\s*)?(?:FY\s*[0-9]{2,4}\b.*|FY\s*$|Fiscal\s+Year\s+[0-9]{4}\b.*)$", re.I
)
_NOTE = re.compile(r"\(\s*note\s*[0-9]+\s*\)", re.I)
_ACRONYM = re.compile(r"^(?P<name>.*?)\s*\((?P<acronym>[^()]+)\)\s*$")


def _key(raw: str) -> str:
    # Parentheses count as spaces: "Center(NESA)" and "Center (NESA)" are one name.
    return collapse_space(name_key(raw).replace("(", " ").replace(")", " "))


def _split(cell: str) -> list[str]:
    return [s.strip() for s in cell.split(" | ") if s.strip()]


@cache
def _table() -> tuple[dict[str, Programme], dict[str, Programme]]:
    """(programmes by code, programme-with-variant by raw-name key)."""
    text = resources.files("fmtr.clean").joinpath("programmes.tsv").read_text("utf-8")
    rows = csv.DictReader(
        (ln for ln in text.splitlines() if not ln.startswith("#")), delimiter="\t"
    )
    by_code: dict[str, Programme] = {}
    by_key: dict[str, Programme] = {}

    def add(raw: str, programme: Programme) -> None:
        key = _key(raw)
        if key in by_key and by_key[key] != programme:
            raise ValueError(f"programmes.tsv: {raw!r} maps to two programmes")
        by_key[key] = programme

    for row in rows:
        p = Programme(
            row["code"],
            row["family"],
            row["name"],
            row["department"],
            row["authority"],
            row["description"],
        )
        by_code[p.code] = p
        for raw in [p.code, p.name, *_split(row["aliases"])]:
            add(raw, p)
        for raw in _split(row["variants"]):
            add(raw, replace(p, variant=raw))
    return by_code, by_key


def programmes() -> list[Programme]:
    """Every canonical programme, in table order."""
    return list(_table()[0].values())


def by_code(code: str) -> Programme:
    return _table()[0][code]


def clean_programme_name(raw: str) -> str:
    """The programme part of a raw name: no fiscal-year tail, no "(Note n)", spaces collapsed."""
    return collapse_space(_NOTE.sub(" ", _FY_TAIL.sub("", collapse_space(raw))))


def programme_code(raw: str | None) -> Programme | None:
    """The canonical programme a raw heading programme denotes, or None when unknown."""
    if raw is None:
        return None
    name = clean_programme_name(raw)
    table = _table()[1]
    found = table.get(_key(name)) if name else None
    if found is None and (m := _ACRONYM.match(name)):
        # "Some Long Name (ACR)" with a misspelt acronym ("(EPIC)" for EIPC): the name decides,
        # unless the acronym names another known programme.
        found = table.get(_key(m.group("name")))
        other = table.get(_key(m.group("acronym")))
        if found is not None and other is not None and other.code != found.code:
            return None
    return found


def unmapped(names: Iterable[str]) -> list[str]:
    """The distinct raw names (sorted) that ``programme_code`` does not map."""
    return sorted({n for n in names if programme_code(n) is None})


_FY = re.compile(r"(?:FY|Fiscal\s+Year)?\s*(?P<year>[0-9]{4}|[0-9]{2})", re.I)


def fiscal_year(raw_fy: str | None, edition: str) -> int | None:
    """The fiscal year a heading or total names ("FY 01" -> 2001, "FY03" -> 2003, "2016",
    "Fiscal Year 2012"); when the heading names none, the edition's rule: from FY2001-2002 on,
    edition FYaaaa-bbbb lists fiscal year aaaa. None when the raw text is not a fiscal year, or
    when it is absent in the two-year editions FY1999-2000 and FY2000-2001."""
    first = first_fiscal_year(edition)
    if raw_fy is None or not raw_fy.strip():
        return first if first >= 2001 else None
    m = _FY.fullmatch(raw_fy.strip())
    if m is None:
        return None
    year = m.group("year")
    return int(year) if len(year) == 4 else resolve_two_digit_year(int(year), first)
