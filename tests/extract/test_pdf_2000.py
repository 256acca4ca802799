"""FY2000-2001 PDFs: real pages cut from the corpus at test time.

Expected values were read off the rendered pages (``pdftoppm -r 90``) and ``pdftotext -layout``:
3164.pdf pages 4-5 (Chad, Congo, Djibouti), 20 (Zimbabwe, then Australia: Africa ends part-way
down the right column), 32 (Albania begins at the foot of the file); 3165.pdf pages 1 (Albania
goes on), 4 (wrapped course titles), 36 (the "NIS Region" running header).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from corpus_kit import corpus_document, cut_document, cut_pdf
from fmtr.extract.model import (
    COUNTRY,
    FISCAL_YEAR,
    PROGRAMME,
    DocumentExtract,
    ExtractError,
    ProgrammeBlock,
)
from fmtr.extract.pdf_2000 import extract
from fmtr.sources.catalog import Document

AFRICA_EAP = "FY2000-2001/3164.pdf"
EUROPE_NE_NIS = "FY2000-2001/3165.pdf"


def _cut(corpus: Path, tmp_path: Path, file: str, pages: list[int]) -> tuple[Path, Document]:
    name = f"{Path(file).stem}_{'_'.join(map(str, pages))}.pdf"
    dst = cut_pdf(corpus / file, pages, tmp_path / name)
    return dst, cut_document(corpus_document(corpus, file), dst)


def _extract(corpus: Path, tmp_path: Path, file: str, pages: list[int]) -> DocumentExtract:
    path, doc = _cut(corpus, tmp_path, file, pages)
    return extract(path, doc)


def _block(ex: DocumentExtract, heading: str) -> ProgrammeBlock:
    found = [b for b in ex.blocks if b.heading == heading]
    assert len(found) == 1, [b.heading for b in ex.blocks]
    return found[0]


def _cells(block: ProgrammeBlock) -> list[tuple[str | None, str | None, str | None]]:
    return [(r.course_title, r.quantity, r.cost) for r in block.rows]


def _totals(block: ProgrammeBlock) -> list[tuple[str, str, str | None, str | None, int]]:
    return [(t.kind, t.label, t.quantity, t.cost, t.page) for t in block.totals]


def _money(s: str | None) -> Decimal:
    return Decimal(s.replace("$", "").replace(",", "")) if s else Decimal(0)


def test_two_columns_totals_and_blocks_across_columns_and_pages(
    corpus: Path, tmp_path: Path
) -> None:
    ex = _extract(corpus, tmp_path, AFRICA_EAP, [4, 5])  # cut pages 1 and 2
    assert ex.pages == 2
    assert ex.unplaced == []

    # Left column of page 4, bottom: heading wrapped on two lines, rows, a fiscal-year total.
    chad = _block(ex, "Chad, International Military Education and Training (IMET), FY 01")
    assert (chad.region, chad.country, chad.programme, chad.fiscal_year, chad.department) == (
        "Africa",
        "Chad",
        "International Military Education and Training (IMET)",
        "FY 01",
        None,
    )
    assert _cells(chad) == [
        ("DRMI SEMINAR - OVERSEAS", "60", "$0"),
        ("ENGINEER OFFICER BASIC", "1", "$2,930"),
        ("ENGLISH LANGUAGE CRSE", "3", "$18,495"),
        ("INFANTRY OFFICER BASIC", "1", "$3,350"),
        ("INTERNATIONAL DEF MGT CRS", "1", "$11,326"),
        ("MIL & PCKEEP OPS IAW ROL", "2", "$11,121"),
        ("OBC INTERNATION ENR PREP", "1", "$209"),
        ("OBS MED/HEALTH/HYG-CONUS", "1", "$1,432"),
        ("OJT COMM/ELECT TNG-CONUS", "1", "$912"),
        ("SIGNAL OFFICER BASIC", "1", "$3,188"),
    ]
    assert all(
        (r.page, r.us_unit, r.student_unit, r.location, r.start_date, r.end_date, r.last_page)
        == (1, None, None, None, None, None, None)
        for r in chad.rows
    )
    # ... and its programme total heads the right column, under the running header.
    assert _totals(chad) == [
        (FISCAL_YEAR, "FY 01 Totals:", "72", "$52,963", 1),
        (PROGRAMME, "Program Totals:", "87", "$114,475", 1),
    ]

    # The fiscal year wrapped alone onto the heading's second line: "..., FY" / "00".
    chad_nsa = _block(ex, "Chad, Non-Security Assistance, Unified Command, FY 00")
    assert (chad_nsa.programme, chad_nsa.fiscal_year) == (
        "Non-Security Assistance, Unified Command",
        "FY 00",
    )
    assert _cells(chad_nsa) == [("Humanitarian Demining", "78", "$181,224")]
    # A row with a blank cost cell; the FY total has no cost either.
    chad_nsa01 = _block(ex, "Chad, Non-Security Assistance, Unified Command, FY 01")
    assert _cells(chad_nsa01) == [("ECD2001JCET86W", "0", None)]
    assert _totals(chad_nsa01) == [
        (FISCAL_YEAR, "FY 01 Totals:", "0", None, 1),
        (PROGRAMME, "Program Totals:", "78", "$181,224", 1),
    ]

    # The last block of page 4 goes on at the top of page 5 (under its running header).
    congo = _block(ex, "Congo (Brazzaville), Non-Security Assistance, Unified Command, FY 01")
    assert _cells(congo) == [("Disaster Response - HA", "0", "$75,000")]
    assert (congo.first_page, congo.last_page) == (1, 2)
    assert _totals(congo) == [
        (FISCAL_YEAR, "FY 01 Totals:", "0", "$75,000", 2),
        (PROGRAMME, "Program Totals:", "0", "$75,000", 2),
    ]

    # Country totals go on the country's last block.
    congo_acss = _block(ex, "Congo (Brazzaville), Africa Center for Strategic Studies, FY 01")
    assert _cells(congo_acss) == [
        ("Leadership Seminar", "2", "$7,577"),
        ("Senior Leader Seminar", "2", "$9,033"),
    ]
    assert _totals(congo_acss) == [
        (FISCAL_YEAR, "FY 01 Totals:", "4", "$16,610", 2),
        (PROGRAMME, "Program Totals:", "8", "$31,032", 2),
        (COUNTRY, "Country Totals:", "10", "$118,713", 2),
    ]

    # A block running from the foot of the left column to the top of the right one.
    djibouti = _block(ex, "Djibouti, International Military Education and Training (IMET), FY 00")
    assert len(djibouti.rows) == 11
    assert djibouti.rows[0].course_title == "AMERICAN LANGUAGE COURSE"
    assert _cells(djibouti)[-1] == ("WHEEL VEHICLE REPAIR", "2", "$2,833")
    assert _totals(djibouti) == [(FISCAL_YEAR, "FY 00 Totals:", "13", "$51,175", 2)]
    assert sum(int(r.quantity or 0) for r in djibouti.rows) == 13
    assert sum(_money(r.cost) for r in djibouti.rows) == Decimal(51175)

    # No heading, column header, running header or page number became a row.
    titles = [r.course_title or "" for b in ex.blocks for r in b.rows]
    assert not [t for t in titles if "Region," in t or "Title of" in t or "Totals" in t]


def test_region_changes_part_way_down_a_page(corpus: Path, tmp_path: Path) -> None:
    ex = _extract(corpus, tmp_path, AFRICA_EAP, [20])
    assert ex.unplaced == []
    regions = {(b.country, b.region) for b in ex.blocks}
    assert regions == {
        ("Zimbabwe", "Africa"),
        ("Australia", "East Asia and Pacific"),
        ("Brunei", "East Asia and Pacific"),
        ("China", "East Asia and Pacific"),
    }
    zim = _block(ex, "Zimbabwe, Africa Center for Strategic Studies, FY 01")
    assert _totals(zim)[-1] == (COUNTRY, "Country Totals:", "274", "$1,286,111", 1)

    # Blank quantity in one row, blank cost in another.
    aus = _block(ex, "Australia, Non-Security Assistance, Unified Command, FY 00")
    assert _cells(aus) == [
        ("PAS2000JCET15N", None, "$18,000"),
        ("PAS2000JCET23F", "309", "$218,024"),
    ]
    aus01 = _block(ex, "Australia, Non-Security Assistance, Unified Command, FY 01")
    assert _cells(aus01) == [("PAS2001JCET19F", "0", None)]
    assert _totals(aus01) == [
        (FISCAL_YEAR, "FY 01 Totals:", "0", None, 1),
        (PROGRAMME, "Program Totals:", "309", "$236,024", 1),
    ]

    # The page's first rows continue a block begun on page 19: its running header starts it.
    first = ex.blocks[0]
    assert first.heading == (
        "Africa Region, Zimbabwe, International Military Education and Training (IMET), FY 00"
    )
    assert (first.region, first.country, first.fiscal_year) == ("Africa", "Zimbabwe", "FY 00")
    assert _cells(first)[0] == ("OUTBOARD MOTOR OVERHAUL", "1", "$381")
    assert _totals(first) == [(FISCAL_YEAR, "FY 00 Totals:", "91", "$146,191", 1)]


def test_catalog_page_ranges_read_shared_page_once(corpus: Path) -> None:
    file = AFRICA_EAP
    doc = corpus_document(corpus, file)
    assert [(e.region, e.first_pdf_page, e.last_pdf_page) for e in doc.entries] == [
        ("Africa", 1, 20),
        ("East Asia and Pacific", 20, 32),
    ]
    ex = extract(corpus / file, doc)
    assert ex.pages == 32
    assert ex.unplaced == []
    on_20 = [(b.country, b.region) for b in ex.blocks if b.first_page == 20]
    assert ("Zimbabwe", "Africa") in on_20 and ("Australia", "East Asia and Pacific") in on_20
    headings = [(b.heading, b.first_page) for b in ex.blocks]
    assert len(headings) == len(set(headings))


def test_wrapped_course_titles(corpus: Path, tmp_path: Path) -> None:
    ex = _extract(corpus, tmp_path, EUROPE_NE_NIS, [4])
    assert ex.unplaced == []
    croatia = ex.blocks[0]
    assert croatia.heading == (
        "Europe Region, Croatia, International Military Education and Training (IMET), FY 00"
    )
    assert croatia.region == "Europe"
    rows = _cells(croatia)
    assert rows[4:10] == [
        ("AMEDD OFFICER ADVANCED", "1", "$7,235"),
        ("AMPHIB WARFARE SCHOOL USMC", "1", "$7,354"),
        ("ARMY FLIGHT SURGEON", "1", "$436"),
        ("CHEMICAL ANCOC", "1", "$2,308"),
        ("CHIEF PETTY OFFICER ACAD", "2", "$3,301"),
        ("CIVIL AFFAIRS", "1", "$892"),
    ]
    assert ("COMMAND AND CONTROL SYSTEM", "1", "$4,281") in rows
    assert ("ELECTROMAGNETIC SPECTM MGT", "1", "$1,330") in rows
    # The wrapped words never stand as rows of their own.
    assert not [r for r in rows if r[0] in ("USMC", "SYSTEM", "MGT")]


def test_block_cut_by_the_file_boundary(corpus: Path, tmp_path: Path) -> None:
    # 3164.pdf ends (page 32, report page 32) with the first rows of Albania (Europe) ...
    tail = _extract(corpus, tmp_path, AFRICA_EAP, [32])
    albania = tail.blocks[-1]
    assert albania.heading == "Albania, International Military Education and Training (IMET), FY 00"
    assert (albania.region, albania.country) == ("Europe", "Albania")
    assert len(albania.rows) == 33
    assert _cells(albania)[0] == ("ADV TOPOGRAPHIC ANALYSIS", "1", "$1,279")
    assert _cells(albania)[-1] == ("QM OFFICER BASIC", "1", "$2,258")
    assert albania.totals == []
    assert {b.region for b in tail.blocks[:-1]} == {"East Asia and Pacific"}

    # ... and 3165.pdf (report page 33) opens with the rest of that block and its total.
    head = _extract(corpus, tmp_path, EUROPE_NE_NIS, [1])
    rest = head.blocks[0]
    assert rest.heading == (
        "Europe Region, Albania, International Military Education and Training (IMET), FY 00"
    )
    assert _cells(rest) == [
        ("RADIO REPAIRER ONLY", "1", "$1,828"),
        ("SEC ASST MGT-STUDENT PURCH", "1", "$1,550"),
        ("SIGNAL OFFICER BASIC", "1", "$3,075"),
        ("USA C&GSC OFF PREPARATORY", "1", "$698"),
    ]
    assert _totals(rest) == [(FISCAL_YEAR, "FY 00 Totals:", "260", "$389,990", 1)]
    rows = albania.rows + rest.rows
    assert sum(int(r.quantity or 0) for r in rows) == 260
    assert sum(_money(r.cost) for r in rows) == Decimal(389990)


def test_nis_running_header_and_republic_of(corpus: Path, tmp_path: Path) -> None:
    ex = _extract(corpus, tmp_path, EUROPE_NE_NIS, [36])
    russia = _block(ex, "Russia, DoT/USCG Activities, FY 00")
    assert russia.region == "Newly Independent States"
    assert _cells(russia) == [("USCG Academy", "1", "$30,000")]

    ex = _extract(corpus, tmp_path, AFRICA_EAP, [3])
    cape = _block(
        ex, "Cape Verde, Republic Of, International Military Education and Training (IMET), FY 00"
    )
    assert (cape.country, cape.programme) == (
        "Cape Verde, Republic Of",
        "International Military Education and Training (IMET)",
    )
    assert _cells(cape) == [
        ("AMERICAN LANGUAGE CRS", "2", "$7,431"),
        ("ENGLISH LANGUAGE CRSE", "1", "$7,565"),
        ("INTERNATIONAL DEF MGT CRS", "2", "$20,935"),
        ("LANGUAGE INSTRUCTOR/ADV", "1", "$4,010"),
    ]
    last = _block(ex, "Cape Verde, Republic Of, Africa Center for Strategic Studies, FY 01")
    assert _totals(last)[-1] == (COUNTRY, "Country Totals:", "31", "$130,448", 1)


def test_not_a_report_raises(corpus: Path, tmp_path: Path) -> None:
    # A real PDF of another edition's layout has no "Country, Programme, FY nn" heading.
    other = next(f for f in sorted((corpus / "FY2016-2017").glob("*.pdf")) if f.stat().st_size > 0)
    path, doc = _cut(corpus, tmp_path, f"FY2016-2017/{other.name}", [1])
    with pytest.raises(ExtractError) as err:
        extract(path, doc)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(doc.file)


def test_not_a_pdf_raises(tmp_path: Path) -> None:
    from fmtr.sources.catalog import CatalogEntry

    path = tmp_path / "notes.pdf"
    path.write_text("hello, not a PDF\n")
    entry = CatalogEntry("FY2000-2001", "Africa", "notes.pdf", None, None, "", "", "")
    doc = Document("FY2000-2001", "notes.pdf", "", "", (entry,))
    with pytest.raises(ExtractError) as err:
        extract(path, doc)
    assert str(err.value).startswith("notes.pdf")
    assert "\n" not in str(err.value)
