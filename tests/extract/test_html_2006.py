"""FY2006-2007 HTML pages: small fixtures written here, plus real pages read from the corpus.

Expected values were read from the HTML source of the corpus pages. The reference extraction has
no data for this edition: the printed totals are the proof (see the reconciliation test).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from corpus_kit import corpus_document
from fmtr.extract.html_2006 import extract
from fmtr.extract.model import COUNTRY, FISCAL_YEAR, DocumentExtract, ExtractError, ProgrammeBlock
from fmtr.sources.catalog import CatalogEntry, Document, documents, read_catalog

EDITION = "FY2006-2007"

_HEAD = """<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8">
<title>IV. Country Training Activities--Africa</title>
<script>document.write("<table><tr><td>Course Title</td></tr></table>");</script></head>
<body><nav><ul><li><a href="/">Home</a></li></ul></nav>
<div id="templateFields"><span class="date_of_release">August 2007<br></span></div>
"""
_COLUMNS = ("Course Title", "Students", "Location", "Student's Unit", "US Units", "Total Cost",
            "Start Date", "End Date")  # fmt: skip


def _tr(*cells: str) -> str:
    return "<TR>" + "".join(f"<TD>\n<P>{c or '&nbsp;'}</P></TD>" for c in cells) + "</TR>\n"


def _heading(text: str) -> str:
    return _tr(f"<STRONG>{text}</STRONG>", *[""] * 7)


def _country(name: str) -> str:
    return f"<TR>\n<TD bgColor=beige colSpan=8><B><STRONG>{name}</STRONG></B> </TD></TR>\n"


def _doc(file: str) -> Document:
    entry = CatalogEntry(EDITION, "Africa", file, None, None, "https://example.invalid/", "", "")
    return Document(EDITION, file, entry.url, "", (entry,))


def _write(tmp_path: Path, rows: str, name: str = "page.html") -> tuple[Path, Document]:
    path = tmp_path / name
    table = f'<div id="centerblock"><table border=1><TBODY>\n{rows}</TBODY></table></div>'
    path.write_text(_HEAD + table + "<footer>Back to Top</footer></body></html>", "utf-8")
    return path, _doc(name)


def _cells(block: ProgrammeBlock) -> list[tuple[str | None, ...]]:
    return [
        (
            r.course_title,
            r.quantity,
            r.location,
            r.student_unit,
            r.us_unit,
            r.cost,
            r.start_date,
            r.end_date,
        )
        for r in block.rows
    ]


def _totals(block: ProgrammeBlock) -> list[tuple[str, str, str | None, str | None]]:
    return [(t.kind, t.label, t.quantity, t.cost) for t in block.totals]


def test_fixture_blocks_rows_and_totals(tmp_path: Path) -> None:
    rows = (
        _country("Angola")
        + _heading("CTFP - FY 2006 DoD Training")
        + _tr(*_COLUMNS)
        + _tr(
            "REGIONAL CENTERS SEMINARS",
            "1",
            "BDF",
            "Legal Advisor",
            "-",
            "4285",
            "6/11/2006",
            "6/23/2006",
        )  # fmt: skip
        # One cell printed over two paragraphs: one line each, joined with a space.
        + _tr(
            "MET CT",
            "15",
            "GHANA",
            "1. Immigration</P>\n<P>2. Police",
            "-",
            "113154",
            "7/24/2006",
            "7/28/2006",
        )  # fmt: skip
        + _tr("FY 2006 Program Totals", "16", "", "", "", "$117,439", "", "")
        + _heading("Non-SA, Combatant Command - FY 2006 DoD Training")
        + _tr(*_COLUMNS)
        # The title's first line printed as a row of its own.
        + _tr("Democracy Building", "", "", "", "", "", "", "")
        + _tr("Program--German", "2", "Marshall Center", "", "-", "0", "4/17/2006", "5/12/2006")
        # A total printed over a training line: that line's other cells are kept as unplaced.
        + _tr(
            "FY 2006 Program Totals",
            "3",
            "Marshall Center",
            "MFA",
            "-",
            "$2,338",
            "8/28/2006",
            "9/8/2006",
        )  # fmt: skip
        + _tr("", "", "", "", "", "", "", "")
        + _tr("Angola FY 2006 Totals", "19", "", "", "", "$119,777", "", "")
        + _country("Central African Republic")
        + _tr("Central African Republic FY 2006 Totals", "0", "", "", "", "$0", "", "")
    )
    path, doc = _write(tmp_path, rows)
    ex = extract(path, doc)
    assert (ex.file, ex.pages) == ("page.html", 1)
    ctfp, non_sa, car = ex.blocks
    assert ctfp.heading == "CTFP - FY 2006 DoD Training"
    assert (ctfp.region, ctfp.country, ctfp.programme, ctfp.fiscal_year, ctfp.department) == (
        "Africa",
        "Angola",
        "CTFP",
        "2006",
        "DoD",
    )
    assert _cells(ctfp) == [
        ("REGIONAL CENTERS SEMINARS", "1", "BDF", "Legal Advisor", "-", "4285", "6/11/2006",
         "6/23/2006"),
        ("MET CT", "15", "GHANA", "1. Immigration 2. Police", "-", "113154", "7/24/2006",
         "7/28/2006"),
    ]  # fmt: skip
    assert all(r.page == 1 and r.last_page is None for r in ctfp.rows)
    assert _totals(ctfp) == [(FISCAL_YEAR, "FY 2006 Program Totals", "16", "$117,439")]
    assert non_sa.programme == "Non-SA, Combatant Command"
    assert _cells(non_sa) == [
        ("Democracy Building Program--German", "2", "Marshall Center", None, "-", "0",
         "4/17/2006", "5/12/2006"),
    ]  # fmt: skip
    assert _totals(non_sa) == [
        (FISCAL_YEAR, "FY 2006 Program Totals", "3", "$2,338"),
        (COUNTRY, "Angola FY 2006 Totals", "19", "$119,777"),
    ]
    assert ex.unplaced == [
        (
            1,
            "FY 2006 Program Totals: cells beside the total: "
            "Marshall Center | MFA | - | 8/28/2006 | 9/8/2006",
        )
    ]
    # A country with a total and no programme: a block without rows carries its total.
    assert (car.heading, car.country, car.programme, car.rows) == (
        "Central African Republic",
        "Central African Republic",
        None,
        [],
    )
    assert _totals(car) == [(COUNTRY, "Central African Republic FY 2006 Totals", "0", "$0")]


def test_fixture_rows_outside_a_block_are_unplaced(tmp_path: Path) -> None:
    rows = (
        _tr(*_COLUMNS)
        + _tr("ORPHAN", "1", "X", "Y", "-", "5", "1/1/2006", "1/2/2006")
        + _country("Benin")
        + _heading("IMET - FY 2006 DoS Training")
        + _tr(*_COLUMNS)
        + _tr("COURSE", "1", "X", "Y", "-", "5", "1/1/2006", "1/2/2006")
        + _tr("Dangling first line", "", "", "", "", "", "", "")
        + _tr("FY 2006 Program Totals", "1", "", "", "", "$5", "", "")
    )
    ex = extract(*_write(tmp_path, rows))
    assert [r.course_title for r in ex.blocks[0].rows] == ["COURSE"]
    assert ex.unplaced == [
        (1, "ORPHAN | 1 | X | Y | - | 5 | 1/1/2006 | 1/2/2006"),
        (1, "Dangling first line"),
    ]


def test_unknown_column_header_raises(tmp_path: Path) -> None:
    rows = _country("Benin") + _heading("IMET - FY 2006 DoS Training")
    rows += _tr("Course Title", "Students", "Location", "Remarks", "", "", "", "")
    with pytest.raises(ExtractError, match=r"^page\.html: unknown column header 'remarks'$"):
        extract(*_write(tmp_path, rows))


def test_not_a_report_raises(tmp_path: Path) -> None:
    path = tmp_path / "92083.htm"
    path.write_text(_HEAD + "<div><p>Section IV lists ...</p><table><tr><td>x</td></tr></table>")
    with pytest.raises(ExtractError) as err:
        extract(path, _doc("FY2006-2007/92083.htm"))
    message = str(err.value)
    assert message.startswith("FY2006-2007/92083.htm: ")
    assert "Course Title" in message and "\n" not in message


# --- real pages ---------------------------------------------------------------------------


def _corpus_extract(corpus: Path, file: str) -> DocumentExtract:
    return extract(corpus / file, corpus_document(corpus, file))


def test_corpus_africa_angola(corpus: Path) -> None:
    ex = _corpus_extract(corpus, "FY2006-2007/Africa_2006_2007.html")
    ctfp, imet, centers = ex.blocks[:3]
    assert (ctfp.region, ctfp.country, ctfp.heading) == (
        "Africa",
        "Angola",
        "CTFP - FY 2006 DoD Training",
    )
    assert _cells(ctfp) == [
        ("REGIONAL CENTERS SEMINARS", "1", "BDF",
         "National Assembly Deputy and President of the 2d Commission on Defense, Security, and "
         "Internal Order", "-", "4285", "6/11/2006", "6/23/2006"),
        ("REGIONAL CENTERS SEMINARS", "1", "BDF",
         "Legal Advisor to the 2d Commission of the National Assembly", "-", "4285", "6/11/2006",
         "6/23/2006"),
    ]  # fmt: skip
    assert _totals(ctfp) == [(FISCAL_YEAR, "FY 2006 Program Totals", "2", "$8,570")]
    assert (imet.programme, imet.department) == ("IMET", "DoS")
    assert len(imet.rows) == 13
    assert _cells(imet)[0] == (
        "AIR COMD & STAFF COLLEGE", "1", "MAXWELL AFB, AL", "Air Force, Helicopter Regiment",
        "-", "26568", "8/3/2005", "6/5/2006",
    )  # fmt: skip
    assert _cells(centers)[0] == (
        "Maritime Safety and Security in the Gulf of Guinea Workshop", "1", "Africa Center",
        None, "-", "2043.9", "3/19/2006", "3/22/2006",
    )  # fmt: skip
    assert _totals(centers) == [
        (FISCAL_YEAR, "FY 2006 Program Totals", "4", "$8,176"),
        (COUNTRY, "Angola FY 2006 Totals", "20", "$235,702"),
    ]
    car = [b for b in ex.blocks if b.country == "Central African Republic"]
    assert [(b.programme, len(b.rows), _totals(b)) for b in car] == [
        (None, 0, [(COUNTRY, "Central African Republic FY 2006 Totals", "0", "$0")])
    ]


def test_corpus_europe_split_title_and_total_over_a_line(corpus: Path) -> None:
    ex = _corpus_extract(corpus, "FY2006-2007/Europe_2006_2007.html")
    bosnia = [b for b in ex.blocks if b.country == "Bosnia & Herzegovina"]
    centers = bosnia[-1]
    assert centers.heading == "Regional Centers - FY 2006 DoD Training"
    # "Democracy Building" is printed as a row of its own above "Program--German | 2 | ...".
    assert _cells(centers)[0] == (
        "Democracy Building Program--German", "2",
        "George C. Marshall European Center for Security Studies", "MoD", "-", "0", "4/17/2006",
        "5/12/2006",
    )  # fmt: skip
    assert _cells(centers)[-1] == (
        "Support for PSOTC Curriculum Expansion Project", "0",
        "George C. Marshall European Center for Security Studies", "MOD", "-", "117",
        "3/20/2006", "3/22/2006",
    )  # fmt: skip
    assert _totals(centers) == [
        (FISCAL_YEAR, "FY 2006 Program Totals", "42", "$136,510"),
        (COUNTRY, "Bosnia & Herzegovina FY 2006 Totals", "259", "$1,709,528"),
    ]
    assert (
        1,
        "FY 2006 Program Totals: cells beside the total: George C. Marshall European Center for "
        "Security Studies | Oxford Leadership Academy | - | 6/22/2006 | 6/26/2006",
    ) in ex.unplaced


def _number(text: str | None) -> Decimal:
    return Decimal((text or "0").replace("$", "").replace(",", ""))


# Blocks whose total row is printed over a training line: the line's title, quantity and cost
# are not on the page, so those blocks (and their countries) cannot reconcile.
_TOTAL_OVER_A_LINE = {
    ("Europe_2006_2007.html", "Bosnia & Herzegovina"),
    ("Europe_2006_2007.html", "Kosovo"),
    ("Europe_2006_2007.html", "Macedonia"),
    ("Europe_2006_2007.html", "Serbia and Montenegro"),
    ("South_Central_Asia_2006_2007.html", "Afghanistan"),
    ("South_Central_Asia_2006_2007.html", "Pakistan"),
}


def test_corpus_every_printed_total_reconciles(corpus: Path) -> None:
    """Every programme and country total equals the sum of the rows it covers, except in the six
    blocks where the page prints a total over a training line (kept in ``unplaced``)."""
    docs = [d for d in documents(read_catalog(corpus / "manifest.tsv")) if d.edition == EDITION]
    assert len(docs) == 6
    checked, failed = 0, set()
    for doc in docs:
        ex = extract(corpus / doc.file, doc)
        name = doc.file.split("/")[-1]
        country_rows: list[ProgrammeBlock] = []
        for block in ex.blocks:
            if country_rows and country_rows[-1].country != block.country:
                country_rows = []
            country_rows.append(block)
            for total in block.totals:
                covered = [block] if total.kind == FISCAL_YEAR else country_rows
                rows = [r for b in covered for r in b.rows]
                quantity = sum(_number(r.quantity) for r in rows)
                cost = sum(_number(r.cost) for r in rows)
                checked += 1
                if (quantity, round(cost)) != (_number(total.quantity), _number(total.cost)):
                    failed.add((name, block.country))
        stray = sum("cells beside the total" in text for _, text in ex.unplaced)
        assert len(ex.unplaced) == stray, ex.unplaced
    assert checked == 488 + 149
    assert failed == _TOTAL_OVER_A_LINE
