"""The FY2001-2002 .. FY2005-2006 layout, checked on real pages cut from the corpus.

Expected values were read off the pages themselves (``pdftotext -layout`` and renderings).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_kit import corpus_document, cut_document, cut_pdf
from fmtr.extract.model import DocumentExtract, ExtractError, ProgrammeBlock, TrainingRow
from fmtr.extract.pdf_2001 import extract


def _cut(corpus: Path, file: str, pages: list[int], tmp_path: Path) -> DocumentExtract:
    dst = cut_pdf(corpus / file, pages, tmp_path / "cut.pdf")
    return extract(dst, cut_document(corpus_document(corpus, file), dst))


def _block(doc: DocumentExtract, heading: str) -> ProgrammeBlock:
    (block,) = [b for b in doc.blocks if b.heading == heading]
    return block


def _row(block: ProgrammeBlock, title: str, cost: str) -> TrainingRow:
    (row,) = [r for r in block.rows if r.course_title == title and r.cost == cost]
    return row


def _totals(block: ProgrammeBlock) -> list[tuple[str, str, str | None, str | None, int]]:
    return [(t.kind, t.label, t.quantity, t.cost, t.page) for t in block.totals]


def test_fy2001_headings_wrapped_cells_and_totals(corpus: Path, tmp_path: Path) -> None:
    doc = _cut(corpus, "FY2001-2002/10964.pdf", [1, 2], tmp_path)
    assert doc.unplaced == []
    angola = doc.blocks[0]
    assert angola.heading == "DoS Africa Region, Angola, Africa Center for Strategic Studies, FY 01"
    assert (angola.region, angola.country, angola.programme) == (
        "Africa",
        "Angola",
        "Africa Center for Strategic Studies",
    )
    assert (angola.fiscal_year, angola.department) == ("FY 01", "DoS")
    assert angola.rows == [
        TrainingRow(
            page=1,
            course_title="Senior Leader Seminar",
            quantity="2",
            location="Libreville Gabon",
            student_unit="Ministry of Foreign Affairs MOD",
            us_unit=None,
            cost="$9,667",
            start_date="1/29/01",
            end_date="2/9/01",
        )
    ]
    assert _totals(angola) == [
        ("fiscal_year", "FY 01 Totals:", "2", "$9,667", 1),
        ("programme", "Program Totals:", "2", "$9,667", 1),
        ("country", "Country Totals:", "2", "$9,667", 1),
    ]

    imet = _block(
        doc,
        "DoS Africa Region, Benin, International Military Education and Training (IMET), FY 01",
    )
    assert (imet.first_page, imet.last_page) == (1, 2)
    diils = _row(imet, "MET REGIONAL DIILS", "$32,329")
    assert (diils.quantity, diils.location, diils.us_unit) == ("45", "Benin", None)
    assert diils.student_unit == (
        "Navy (2), Air Force (2), National Gendarmerie (8), Ground Forces (8), Ministry of "
        "Foreign Aaffairs (4), Ministry of Interior (6), Red Cross (3), Ministry pf Justice (4), "
        "Ministry of National Defense (3)"
    )
    assert (diils.start_date, diils.end_date) == ("7/23/01", "7/27/01")
    last = imet.rows[-1]
    assert (last.page, last.course_title, last.student_unit) == (
        2,
        "SPECIALIZED ENG LANG TNG",
        "Army, Posted at Ministry of National Defense",
    )
    assert _totals(imet) == [
        ("fiscal_year", "FY 01 Totals:", "61", "$188,729", 2),
        ("programme", "Program Totals:", "61", "$188,729", 2),
    ]
    # The country total follows the country's last block.
    acss = _block(doc, "DoS Africa Region, Benin, Africa Center for Strategic Studies, FY 01")
    assert _totals(acss)[-1] == ("country", "Country Totals:", "700", "$651,638", 2)
    assert _row(acss, "Senior Leader Seminar", "$7,837").student_unit == (
        "MOD Ministry of Foreign Affairs NGO"
    )


def test_fy2001_rows_with_the_same_title_and_cost(corpus: Path, tmp_path: Path) -> None:
    doc = _cut(corpus, "FY2001-2002/10964.pdf", [2], tmp_path)
    block = _block(
        doc,
        "DoS Africa Region, Botswana, Non-Security Assistance, Unified Command (Note 4), FY 01",
    )
    assert block.programme == "Non-Security Assistance, Unified Command (Note 4)"
    assert [(r.quantity, r.location, r.student_unit, r.us_unit) for r in block.rows] == [
        ("50", "GABARONE", "BDF COMMANDO BATTALION", "3/3 SFG"),
        ("32", "GABOROME", "BDF BDR COMMANDO BATTALION (12), BDR HEADQUARTERS (8), BDF", "3/3 SFG"),
    ]


def test_row_broken_across_pages_and_shifted_row(corpus: Path, tmp_path: Path) -> None:
    doc = _cut(corpus, "FY2002-2003/21823.pdf", [6, 7], tmp_path)
    block = _block(
        doc,
        "DOD Western Hemisphere Region, Argentina, "
        "Center For Hemispheric Defense Studies(CHDS),FY02",
    )
    assert (block.region, block.country, block.fiscal_year, block.department) == (
        "Western Hemisphere",
        "Argentina",
        "FY02",
        "DOD",
    )
    assert block.programme == "Center For Hemispheric Defense Studies(CHDS)"
    # The student units of the page's last row go on at the top of the next page.
    assert block.rows[0] == TrainingRow(
        page=1,
        last_page=2,
        course_title="CHDS Programs",
        quantity="7",
        location="Washington, DC",
        student_unit="University of Bologna - Buenos Aires, National Defense School, Navy, "
        "Quilmes National University, Army, General Staff, United Nations Development Program",
        us_unit="Center for Hemispheric Defense Studies",
        cost="$55,993",
        start_date="7/15/02",
        end_date="8/2/02",
    )
    # Printed one column too far right, its end date wrapped under the title.
    shifted = _row(block, "CHDS Programs", "$31,996")
    assert shifted.student_unit == (
        "Techint Organization, Universidad de la Plata, Intelligence Institute of Argentina, "
        "Government for the city of Buenos Aires"
    )
    assert shifted.us_unit == "Center for Hemispheric Defense Studies"
    assert (shifted.quantity, shifted.start_date, shifted.end_date) == ("4", "1/28/02", "2/15/02")
    assert (shifted.page, shifted.last_page) == (2, None)
    assert _totals(block) == [
        ("fiscal_year", "FY 02 Totals:", "17", "$128,035", 2),
        ("programme", "Program Totals:", "17", "$128,035", 2),
        ("country", "Country Totals:", "307", "$967,325", 2),
    ]
    # The first page opens inside a block whose heading is on an earlier page.
    assert doc.unplaced[0] == (
        1,
        "SIG CPT CAREER PREP-INTL 1 FT GORDON GA 30905-5154 NCO Academy $1,289 7/23/02 8/7/02",
    )


def test_country_name_with_a_comma(corpus: Path, tmp_path: Path) -> None:
    doc = _cut(corpus, "FY2005-2006/75058.pdf", [6], tmp_path)
    block = _block(
        doc,
        "DOS Africa Region, Cape Verde, Republic Of, "
        "International Military Education and Training (IMET),FY05",
    )
    assert block.country == "Cape Verde, Republic Of"
    assert block.programme == "International Military Education and Training (IMET)"
    assert block.fiscal_year == "FY05"
    assert len(block.rows) == 8
    assert block.rows[2] == TrainingRow(
        page=1,
        course_title="LANGUAGE",
        quantity="1",
        location="LACKLAND AFB, TX 78236",
        student_unit="Platoon of Command and Services",
        cost="$15,560",
        start_date="5/31/2004",
        end_date="12/3/2004",
    )
    assert _totals(block) == [
        ("fiscal_year", "FY 05 Totals:", "8", "$69,015", 1),
        ("programme", "Program Totals:", "8", "$69,015", 1),
        ("country", "Country Totals:", "13", "$142,187", 1),
    ]


def test_shared_page_keeps_only_the_files_region(corpus: Path, tmp_path: Path) -> None:
    # The East Asia file's first page is the Africa file's last page, whole.
    doc = _cut(corpus, "FY2001-2002/10965.pdf", [1], tmp_path)
    assert {b.region for b in doc.blocks} == {"East Asia and Pacific"}
    assert [b.country for b in doc.blocks][:1] == ["Australia"]
    assert doc.unplaced == [(1, "Program Totals: 15 $92,365")]


def test_not_a_report_raises(corpus: Path, tmp_path: Path) -> None:
    # A page of the report that holds only its page number.
    with pytest.raises(ExtractError) as err:
        _cut(corpus, "FY2005-2006/75058.pdf", [211], tmp_path)
    assert "cut.pdf" in str(err.value) and "\n" not in str(err.value)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    doc = corpus_document(corpus, "FY2005-2006/75058.pdf")
    with pytest.raises(ExtractError, match="empty.pdf"):
        extract(empty, cut_document(doc, empty))
