"""The FY2007-2008 .. FY2020-2021 layout, on real pages cut from the corpus at test time.

Expected values were read off the pages themselves (pdftotext -layout and rendered PNGs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_kit import corpus_document, cut_document, cut_pdf
from fmtr.extract.model import COUNTRY, FISCAL_YEAR, DocumentExtract, ExtractError, TrainingRow
from fmtr.extract.pdf_2007 import extract


def _cut(corpus: Path, file: str, pages: list[int], tmp_path: Path) -> DocumentExtract:
    doc = corpus_document(corpus, file)
    dst = cut_pdf(corpus / file, pages, tmp_path / f"cut-{pages[0]}.pdf")
    return extract(dst, cut_document(doc, dst))


def _row(ex: DocumentExtract, **cells: str) -> TrainingRow:
    found = [
        r for b in ex.blocks for r in b.rows if all(getattr(r, k) == v for k, v in cells.items())
    ]
    assert len(found) == 1, (cells, found)
    return found[0]


def test_fy2007_headings_wrapped_cells_and_totals(corpus: Path, tmp_path: Path) -> None:
    ex = _cut(corpus, "FY2007-2008/126573.pdf", [1, 2], tmp_path)
    imet = ex.blocks[0]
    assert imet.heading == "IMET-1 - FY 2007 DoS Training"
    assert (imet.country, imet.programme, imet.fiscal_year, imet.department) == (
        "Angola",
        "IMET-1",
        "2007",
        "DoS",
    )
    assert imet.region == "Africa"
    assert len(imet.rows) == 19
    assert imet.rows[0] == TrainingRow(
        page=1,
        course_title="AIR COMD & STAFF COLLEGE",
        us_unit="-",
        student_unit="Air Force",
        location="MAXWELL AFB, AL",
        quantity="1",
        cost="45141",
        start_date="8/9/2006",
        end_date="6/11/2007",
    )
    # A 2-line location centred on its row: one line above the row's own line, one below.
    english = _row(ex, cost="19560")
    assert english.course_title == "ENGLISH LANGUAGE CRSE"
    assert english.location == "AIR FORCE SECURITY ASSISTANCE TRAINING"
    assert (english.start_date, english.end_date) == ("7/10/2006", "12/29/2006")
    instructor = _row(ex, course_title="INSTRUCTOR DEVELOPMENT CRS")
    assert instructor.location == "U S NAV SMALL CRAFT INSTR AND TECH TRNG SCH STENNIS SPACE CTR MS"
    assert (instructor.quantity, instructor.student_unit, instructor.cost) == ("2", "Navy", "5968")
    # The next row is a 1-line one again: nothing of the wrapped cell leaked into it.
    crisis = _row(ex, course_title="INTL CRISIS CMD/CTRL")
    assert crisis.location == "COGARD TRAINING CENTER YORKTOWN VA"
    assert _row(ex, course_title="INTL DEFENSE MGT CRS", cost="28041").location == "MONTEREY, CA"

    assert [(t.kind, t.label, t.quantity, t.cost, t.page) for t in imet.totals] == [
        (FISCAL_YEAR, "FY 2007 Program Totals", "24", "$364,134", 1)
    ]
    centers = ex.blocks[1]
    assert centers.heading == "Regional Centers - FY 2007 DoD Training"
    assert centers.rows[1].cost == "12606.72"
    assert [(t.kind, t.label, t.quantity, t.cost) for t in centers.totals] == [
        (FISCAL_YEAR, "FY 2007 Program Totals", "9", "$98,382"),
        (COUNTRY, "Angola FY 2007 Totals", "33", "$462,516"),
    ]
    # A block whose total is printed on the next page.
    gpoi = ex.blocks[3]
    assert (gpoi.country, gpoi.programme) == ("Benin", "GPOI")
    assert [r.quantity for r in gpoi.rows] == ["25", "20", "31"]
    assert (gpoi.first_page, gpoi.last_page) == (1, 2)
    assert [(t.quantity, t.cost, t.page) for t in gpoi.totals] == [("76", "$675,687", 2)]
    assert ex.unplaced == []


def test_fy2009_rotated_pages(corpus: Path, tmp_path: Path) -> None:
    # FY2009-2010 pages carry /Rotate 90: their text runs vertically in PDF space.
    ex = _cut(corpus, "FY2009-2010/155997.pdf", [1], tmp_path)
    block = ex.blocks[0]
    assert (block.country, block.heading) == ("Angola", "IMET-1 - FY 2009 DoS Training")
    assert block.rows[0] == TrainingRow(
        page=1,
        course_title="MET ACQUISITION PHASE III",
        student_unit="Forτas Armadas Angolanas",  # sic: the PDF's own text
        location="ANGOLA (IN COUNTRY TRAINING)",
        quantity="1",
        cost="0",
        start_date="9/21/2009",
        end_date="9/24/2009",
    )
    assert len(block.rows) == 41
    assert [(t.label, t.quantity, t.cost) for t in block.totals] == [
        ("FY 2009 Program Totals", "41", "$74,840")
    ]
    misc = ex.blocks[1]
    assert misc.heading == "Misc DOD/DOS Non-SA - FY 2009 DoD Training"
    assert misc.rows == [
        TrainingRow(
            page=1,
            course_title="HIV/AIDS CONFERENCE",
            student_unit="US Embassy-PEPFAR",
            location="DIMO",
            quantity="1",
            cost="3130",
            start_date="12/6/2008",
            end_date="12/12/2008",
        )
    ]


def test_fy2020_long_headings_and_centred_cells(corpus: Path, tmp_path: Path) -> None:
    ex = _cut(corpus, "FY2020-2021/10-Volume-I-Section-IV-Part-IV-I-Africa.pdf", [1, 2], tmp_path)
    assert [b.country for b in ex.blocks if b.programme == "IMET-D&R"] == ["Angola", "Benin"]
    dr = next(b for b in ex.blocks if b.programme == "IMET-D&R" and b.country == "Benin")
    assert dr.heading == "IMET-D&R - Fiscal Year 2020 Department of State Training"
    assert (dr.country, dr.fiscal_year, dr.department) == ("Benin", "2020", "Department of State")
    assert [(t.label, t.quantity, t.cost) for t in dr.totals] == [
        ("Fiscal Year 2020 Program Totals", "3", "$103,288")
    ]
    idmc = _row(ex, course_title="International Defense Management Course")
    assert idmc.us_unit == "Defense Resources Management Institute NPS MO - 0"
    assert (idmc.quantity, idmc.location, idmc.student_unit) == (
        "2",
        "Monterey, CA, US",
        "Military",
    )
    assert (idmc.cost, idmc.start_date, idmc.end_date) == ("$71,776", "2/10/2020", "4/1/2020")
    # A 2-line course title leaves the row's own line with an empty title cell.
    covid = _row(ex, quantity="2", location="Virtural Event")
    assert covid.course_title == (
        "Virtual - Covid-19 Impact On West Africa Transnational Organized Crime"
    )
    assert covid.student_unit == "Benin Ministry of National Defense"
    washington = _row(
        ex,
        course_title="Washington Diplomatic Seminar",
        student_unit="Benin Ministry of Foreign Affairs and Cooperation",
    )
    assert (washington.cost, washington.us_unit) == ("$381", "ACSS - 0")


def test_wrapped_country_total(corpus: Path, tmp_path: Path) -> None:
    # The page starts inside a programme: its rows go to a block without a heading.
    ex = _cut(corpus, "FY2011-2012/Africa.pdf", [20], tmp_path)
    first = ex.blocks[0]
    assert first.heading == "" and first.programme is None
    assert first.rows[1].course_title == (
        "Seminar on Combating Weapons of Mass Destruction/Terrorism (SCWMD/T) 11-11"
    )
    assert (first.rows[1].us_unit, first.rows[1].cost) == ("GCMC - 2", "$4,300")
    assert [(t.kind, t.label, t.quantity, t.cost) for t in first.totals] == [
        (FISCAL_YEAR, "Fiscal Year 2011 Program Totals", "5", "$43,200"),
        (
            COUNTRY,
            "Congo, Democratic Republic of (Kinshasa) Fiscal Year 2011 Totals",
            "115",
            "$942,187",
        ),
    ]
    congo = ex.blocks[1]
    assert congo.country == "Congo, Republic Of (Brazzaville)"
    assert congo.rows[0].location == "COGARD INTL TRNG DET TRACEN YORKTOWN VA"


def test_country_without_programme(corpus: Path, tmp_path: Path) -> None:
    ex = _cut(corpus, "FY2007-2008/126574.pdf", [4], tmp_path)
    hk = [b for b in ex.blocks if b.country == "Hong Kong"]
    assert len(hk) == 1 and hk[0].rows == [] and hk[0].heading == ""
    assert [(t.kind, t.label, t.quantity, t.cost) for t in hk[0].totals] == [
        (COUNTRY, "Hong Kong FY 2007 Totals", "0", "$0")
    ]


def test_damaged_page_fy2019_africa(corpus: Path, tmp_path: Path) -> None:
    # Page 2 of FY2019-2020 Africa holds only the table rules: its text (the end of Angola,
    # the start of Benin) is lost.
    ex = _cut(corpus, "FY2019-2020/Africa.pdf", [1, 2, 3], tmp_path)
    assert (2, "[page has no text: its rows, headings and totals are lost]") in ex.unplaced
    pko = next(b for b in ex.blocks if b.country == "Angola" and b.programme == "PKO")
    assert [r.course_title for r in pko.rows] == ["Range Safety Operations"]
    assert pko.totals == []
    after = next(b for b in ex.blocks if b.first_page == 3)
    assert after.heading == "" and after.country is None
    assert after.rows[0].course_title == "Legal Aspects Of Combating Corruption - LCC"
    assert after.rows[0].us_unit == "Defense Institute Of International Legal Studies (DIILS)"
    assert [(t.quantity, t.cost) for t in after.totals] == [("9", "$211,102")]


def test_not_a_report_raises(corpus: Path, tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    blank = tmp_path / "blank.pdf"
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(792, 612)
    pdf.save(str(blank))
    pdf.close()
    doc = cut_document(corpus_document(corpus, "FY2007-2008/126573.pdf"), blank)
    with pytest.raises(ExtractError) as err:
        extract(blank, doc)
    message = str(err.value)
    assert "blank.pdf" in message and "\n" not in message

    text = tmp_path / "notes.pdf"
    text.write_text("not a pdf")
    with pytest.raises(ExtractError, match="notes.pdf"):
        extract(text, cut_document(doc, text))
