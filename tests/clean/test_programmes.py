"""Raw programme names from every edition's headings to fmtr's canonical codes."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fmtr.clean.programmes import (
    by_code,
    clean_programme_name,
    fiscal_year,
    programme_code,
    programmes,
    unmapped,
)

# (raw programme part of a heading, code, variant): checked against the headings of the
# editions named.
EXAMPLES = [
    # FY1999-2000 (HTML) and FY2000-2001
    ("International Military Education And Training (IMET)", "IMET", None),
    ("Africa Center for Strategic Studies", "ACSS", None),
    ("Asia Pacific Center", "APCSS", None),
    ("Asia-Pacific Center", "APCSS", None),
    ("Center For Hemispheric Defense Studies", "CHDS", None),
    ("Marshall Center", "GCMC", None),
    ("Near East South Asia Center (NESA)", "NESA", None),
    ("Miscellaneous DoD-DoS Activities", "MISC-NONSA", None),
    ("Miscellaneous, DoS/DoD, Non-Security Assistance", "MISC-NONSA", None),
    ("Unified Command Engagement Activities", "NONSA-UC", None),
    ("Non-Security Assistance, Unified Command Engagement Activities", "NONSA-UC", None),
    ("Section 1004 - DoD Drug Interdiction", "SEC1004", None),
    ("Section 506 - FAA Drawdown Relating To Narcotics Education And Training", "SEC506", None),
    ("Foreign Military Financing (FMF) Program", "FMF", None),
    ("International Narcotics And Law Enforcement (INL)", "INCLE", None),
    ("African Crisis Response Initiative (ACRI)", "ACRI", None),
    ("Enhanced International Peacekeeping Capabilities (EIPC)", "EIPC", None),
    ("Service Academy", "ACAD", None),
    ("Exchanges", "EXCH", None),
    ("Aviation Leadership Program", "ALP", None),
    ("Credit (Repayable)", "FMF", "Credit (Repayable)"),
    ("DoT/USCG Activities", "USCG", None),
    # FY2001-2002 .. FY2005-2006
    ("International Military Education and Training (IMET)", "IMET", None),
    ("DoD Regional Centers for Strategic Studies", "RC", None),
    ("Africa Center for Strategic Studies (ACSS)", "ACSS", None),
    ("Center For Hemispheric Defense Studies(CHDS)", "CHDS", None),
    ("Near East South Asia Center(NESA)", "NESA", None),
    ("Regional Defense Counterterrorism Fellowship Program", "CTFP", None),
    ("Non-Security Assistance, Unified Command", "NONSA-UC", None),
    ("Non-Security Assistance, Unified Command (Note 4)", "NONSA-UC", None),
    ("Non-Security Assistance, Combatant Command", "NONSA-UC", None),
    ("Miscellaneous, DOD/DOS Non-Security Assistance", "MISC-NONSA", None),
    ("Miscellaneous, DOS/DOD, Non-Security Assistance (Note 3)", "MISC-NONSA", None),
    ("Drug Interdiction and Counter-Drug Activities, Section 1004", "SEC1004", None),
    ("Section 1004 (Note 1)", "SEC1004", None),
    ("Section 506 (Note 1)", "SEC506", None),
    ("Foreign Assistance Act Draw Down, Section 506", "SEC506", None),
    ("Enhanced International Peacekeeping Capabilities (EPIC)", "EIPC", None),
    ("African Contingency Operations Training and Assistance", "ACOTA", None),
    ("PME Exchanges", "PME", None),
    ("Exchange Training", "EXCH", None),
    ("Military Assistance Program (MAP)", "MAP", None),
    ("U.S. Agency for International Development (USAID)", "USAID", None),
    ("Department of Homeland Security/United States Coat Guard Activities", "USCG", None),
    (
        "IMET 2-Year Funding Authority (Title VI Emergency Supplemental Appropriation)",
        "IMET",
        "IMET 2-Year Funding Authority (Title VI Emergency Supplemental Appropriation)",
    ),
    ("IMET Multi-year", "IMET", "IMET Multi-Year"),
    # FY2006-2007 (HTML)
    ("IMET", "IMET", None),
    ("ACOTA", "ACOTA", None),
    ("Non-SA, Combatant Command", "NONSA-UC", None),
    ("DOHS/USCG Activities", "USCG", None),
    # FY2007-2008 .. FY2020-2021
    ("IMET-1", "IMET", "IMET-1"),
    ("IMET-2", "IMET", "IMET-2"),
    ("IMET-X", "IMET", "IMET-X"),
    ("IMET-D&R", "IMET", "IMET-D&R"),
    ("Regional Centers", "RC", None),
    ("CTFP", "CTFP", None),
    ("CTIWFP", "CTIWFP", None),
    ("FMF", "FMF", None),
    ("FMF Repay", "FMF", "FMF Repay"),
    ("Service Academies", "ACAD", None),
    ("PKO", "PKO", None),
    ("GPOI", "GPOI", None),
    ("ALP", "ALP", None),
    ("DOHS/USCG", "USCG", None),
    ("DHS/USCG", "USCG", None),
    ("Section 333", "SEC333", None),
    ("Section 1206", "SEC1206", None),
    ("Section 1206/2282", "SEC2282", "Section 1206/2282"),
    ("Section 1203", "SEC1203", None),
    ("Section 1207", "SEC1207", None),
    ("Exchange", "EXCH", None),
    ("PME", "PME", None),
    ("Misc DOD/DOS Non-SA", "MISC-NONSA", None),
    ("Misc DoD/DoS Non-SA", "MISC-NONSA", None),
    ("Non-SA, UC", "NONSA-UC", None),
    ("Non-SA, UC, JCET", "JCET", None),
    ("HMA", "HMA", None),
    ("INL", "INCLE", None),
    ("INCLE", "INCLE", None),
    ("MSI", "MSI", None),
    ("SCSI", "SCSI", None),
    ("NADR", "NADR", None),
    ("CTPF", "CTPF", None),
    ("CRSP", "CRSP", None),
    ("GSCF", "GSCF", None),
    ("ASFF", "ASFF", None),
    ("PCCF", "PCCF", None),
    ("USAI", "USAI", None),
    ("ERI", "ERI", None),
    ("FHA", "FHA", None),
    ("CTEF", "CTEF", None),
    ("CAMRI", "CAMRI", None),
    ("MAP", "MAP", None),
    # names the brief lists that the headings print differently or not at all
    ("Non-Security Assistance, Unified Command, JCET", "JCET", None),
    ("Humanitarian Demining", "HMA", None),
    ("Disaster Response", "FHA", None),
    ("William J. Perry Center for Hemispheric Defense Studies", "CHDS", None),
    ("Section 1033", "SEC1033", None),
    ("Foreign Military Sales", "FMS", None),
]


@pytest.mark.parametrize(("raw", "code", "variant"), EXAMPLES)
def test_examples(raw: str, code: str, variant: str | None) -> None:
    p = programme_code(raw)
    assert p is not None, raw
    assert (p.code, p.variant) == (code, variant)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Africa Center for Strategic Studies, FY 00", "ACSS"),
        ("International Military Education and Training (IMET),FY03", "IMET"),
        ("DoD Regional Centers for Strategic Studies, FY 03", "RC"),
        ("Miscellaneous DoD-DoS Activities, FY", "MISC-NONSA"),
        ("IMET-1 - FY 2008 DoS Training", "IMET"),
        ("Regional Centers - Fiscal Year 2016 Department of Defense Training", "RC"),
        ("Section 1206/2282 - Fiscal Year 2015 Department of Defense Training", "SEC2282"),
        ("  Non-SA,  UC ", "NONSA-UC"),
    ],
)
def test_fiscal_year_tails_and_spacing(raw: str, code: str) -> None:
    p = programme_code(raw)
    assert p is not None and p.code == code


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "No activities reported for Nauru in 2007-2008",
        "Moldova ONE",  # a course title, not a programme
        # two headings glued together must not map to either
        "Foreign Military Financing (FMF) Program, Lithuania, International Narcotics And "
        "Law Enforcement (INL)",
        "Section 1206 Section 333",
    ],
)
def test_unknown_is_none(raw: str | None) -> None:
    assert programme_code(raw) is None


def test_table_is_complete_and_consistent() -> None:
    rows = programmes()
    codes = [p.code for p in rows]
    assert len(codes) == len(set(codes))
    families = {p.family for p in rows}
    for p in rows:
        assert p.name and p.department and p.authority and p.description
        assert programme_code(p.code) == p  # every code maps to itself, without variant
        assert programme_code(p.name) == p
    assert {"IMET", "RC", "GTE", "PKO", "CN", "NONSA", "CTFP", "EXCH", "MSI"} <= families
    assert {by_code(c).family for c in ("ACSS", "APCSS", "CHDS", "NESA", "GCMC", "RC")} == {"RC"}


def test_clean_programme_name() -> None:
    assert clean_programme_name("Section 1004 (Note 1), FY 02") == "Section 1004"
    assert clean_programme_name("CTFP - FY 2009 DoD Training") == "CTFP"


def test_unmapped() -> None:
    assert unmapped(["CTFP", "Moldova ONE", "Moldova ONE"]) == ["Moldova ONE"]


@given(st.text(max_size=40))
def test_never_raises(raw: str) -> None:
    programme_code(raw)


@pytest.mark.parametrize(
    ("raw", "edition", "year"),
    [
        ("FY 01", "FY2000-2001", 2001),
        ("FY 00", "FY2000-2001", 2000),
        ("FY 99", "FY1999-2000", 1999),
        ("FY 00", "FY1999-2000", 2000),
        ("FY03", "FY2003-2004", 2003),
        ("FY 2008", "FY2008-2009", 2008),
        ("2016", "FY2016-2017", 2016),
        ("Fiscal Year 2012", "FY2012-2013", 2012),
        ("fiscal year  2012", "FY2012-2013", 2012),
        (None, "FY2016-2017", 2016),
        ("", "FY2001-2002", 2001),
        (None, "FY2000-2001", None),  # two fiscal years in this edition: cannot tell
        (None, "FY1999-2000", None),
        ("FY", "FY2016-2017", None),
        ("Totals", "FY2016-2017", None),
    ],
)
def test_fiscal_year(raw: str | None, edition: str, year: int | None) -> None:
    assert fiscal_year(raw, edition) == year


def _html_lines(path: Path) -> list[str]:
    text = html.unescape(re.sub(r"<[^>]+>", "\n", path.read_text("utf-8", errors="replace")))
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]


def test_fy2006_headings_all_map(corpus: Path) -> None:
    heading = re.compile(r"(.+) - FY 2006 \S+ Training")
    names = [
        m.group(1)
        for f in sorted((corpus / "FY2006-2007").glob("*.html"))
        for line in _html_lines(f)
        if (m := heading.fullmatch(line))
    ]
    assert len(set(names)) >= 14
    assert unmapped(names) == []


def _split_heading(body: str) -> tuple[str, str] | None:
    """(country, programme) of "Country, Programme" where either may hold commas: the
    longest leading run of parts that is a known country."""
    from fmtr.clean.countries import country_code

    parts = [p.strip() for p in body.split(",")]
    for k in range(len(parts) - 1, 0, -1):
        country = ", ".join(parts[:k])
        if country_code(country) is not None:
            return country, ", ".join(parts[k:])
    return None


def test_fy2004_headings_all_map(corpus: Path) -> None:
    # Every "[DOD |DOS ]<Region> Region, <Country>, <Programme>, FY 04" heading of FY2004-2005
    # splits into a known country and a known programme (the edition reads in about a second).
    import pypdfium2 as pdfium

    heading = re.compile(r"(?:DO[DS] )?[A-Za-z ]+ Region, (?P<body>.+?),\s*FY ?0[45]")
    bodies: set[str] = set()
    for path in sorted((corpus / "FY2004-2005").glob("*.pdf")):
        pdf = pdfium.PdfDocument(str(path))
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            for line in textpage.get_text_bounded().splitlines():
                if (m := heading.search(line)) and not m.group("body").startswith(","):
                    bodies.add(m.group("body"))
            textpage.close()
            page.close()
        pdf.close()
    assert len(bodies) > 400
    bad = [b for b in bodies if (s := _split_heading(b)) is None or programme_code(s[1]) is None]
    assert bad == []
