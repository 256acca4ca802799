"""The text proof on real pages cut from the corpus at test time: each page named in issue 11,
per layout family. Each test extracts the cut pages, checks the cells the issue names against
the page as printed (read off the page with pdftotext -layout and rendered PNGs), and runs the
second reader (poppler or html.parser) over every row of the cut: no difference is left.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_kit import corpus_document, cut_document, cut_pdf
from fmtr.extract import extractor_for
from fmtr.extract.model import TrainingRow
from fmtr.verify.text import check_document
from fmtr.verify.text.match import FIELDS, RowCells


def _rows(
    corpus: Path, tmp_path: Path, file: str, pages: list[int]
) -> tuple[Path, list[TrainingRow]]:
    doc = corpus_document(corpus, file)
    if file.endswith(".html"):
        path = corpus / file
        extract = extractor_for(doc.edition)(path, doc)
    else:
        path = cut_pdf(corpus / file, pages, tmp_path / f"cut-{pages[0]}.pdf")
        extract = extractor_for(doc.edition)(path, cut_document(doc, path))
    return path, [r for b in extract.blocks for r in b.rows]


def _proof(path: Path, edition: str, rows: list[TrainingRow]) -> list[str]:
    cells = [
        RowCells(i, r.page, r.last_page, tuple(getattr(r, f) for f in FIELDS))
        for i, r in enumerate(rows)
    ]
    return [
        f"p{d.page} {d.field} {d.cell!r}: {d.misses}" for d in check_document(path, edition, cells)
    ]


def _one(rows: list[TrainingRow], **cells: str) -> TrainingRow:
    found = [r for r in rows if all(getattr(r, k) == v for k, v in cells.items())]
    assert len(found) == 1, (
        cells,
        [r for r in rows if r.course_title == cells.get("course_title")],
    )
    return found[0]


# (file, pages cut, a row's cells as printed)
CASES = [
    # pdf_2007: accents in fonts PDFium reads as Mac OS Roman
    (
        "FY2017-2018/Western_Hemisphere.pdf",
        [81, 82],
        {
            "course_title": "Regional Transnational Threats Seminar",
            "student_unit": "Poder Judicial del Perú",
        },
    ),
    (
        "FY2019-2020/Western_Hemisphere.pdf",
        [71, 72, 73, 74],
        {"course_title": "Weapons Train the Trainer", "student_unit": "COMPAÑÍA"},
    ),
    # pdf_2007: words PDFium breaks at a line end ("CIV" / "-MILITARY", "Arm" / "y")
    (
        "FY2008-2009/152774.pdf",
        [3, 4],
        {"course_title": "CIV-MILITARY RELATIONS - MET", "student_unit": "National Congress"},
    ),
    (
        "FY2007-2008/126574.pdf",
        [28, 29, 30],
        {"course_title": "ILE OFFICER PREP", "student_unit": "Army"},
    ),
    # pdf_2007: a hyphen ending a line of one column, which PDFium joined to another's word
    (
        "FY2017-2018/Africa.pdf",
        [69, 70],
        {"student_unit": "5 Infantry Brigade-Gondama-Republic of Sierra Leone Armed Forces-"},
    ),
    # pdf_2007: one training printed as several ruled rows, each fragment in its own row
    (
        "FY2016-2017/Africa.pdf",
        [50],
        {
            "course_title": "Harris Radio Training",
            "cost": "$152,551",
            "student_unit": "246 IEME CSM, 241 IEME CCAS, BA 201, DCT",
        },
    ),
    (
        "FY2015-2016/South_Central_Asia.pdf",
        [12],
        {
            "course_title": "COESPU FPUC",
            "student_unit": "CIRCLE ASSISTANT SUPERINTENDENT OF POLICE, SAIDPUR, NLPHAMARI;",
        },
    ),
    # pdf_2001: wrapped locations, not titles
    (
        "FY2003-2004/34330.pdf",
        [23],
        {
            "course_title": "Balance Piston 03-2",
            "location": "CAMP AGUINALDO, MANILA, CAMP TECSON, SAN MIGUEL BULAHAN, FT MAGSAYSAY, RP",
        },
    ),
    (
        "FY2003-2004/34337.pdf",
        [22],
        {
            "course_title": "JCET",
            "location": "Ratmalana AB, Hingurakgoda AB Minneriya, Kolpitya DZ, Katukeliyawa",
        },
    ),
    # pdf_2001: a line-break hyphen PDFium marked U+FFFE
    (
        "FY2003-2004/34338.pdf",
        [35, 36, 37, 38, 39, 40, 41],
        {"student_unit": "COLAF SERVICIO AEREO TERRITORIOS NACIONALES-SATENA, BOGOTA"},
    ),
    (
        "FY2005-2006/75058.pdf",
        [202],
        {
            "course_title": "MTT OUTBOARD MTR MAINT",
            "student_unit": "Naval Command San AndrTs & Pacific Naval Base",  # "AndrTs" as printed
        },
    ),
]


@pytest.mark.parametrize(("file", "pages", "cells"), CASES)
def test_cells_as_printed_and_every_word_on_its_page(
    corpus: Path, tmp_path: Path, file: str, pages: list[int], cells: dict[str, str]
) -> None:
    path, rows = _rows(corpus, tmp_path, file, pages)
    assert any(all(getattr(r, k) == v for k, v in cells.items()) for r in rows), cells
    assert _proof(path, corpus_document(corpus, file).edition, rows) == []


@pytest.mark.parametrize(
    ("file", "pages"),
    [
        ("FY2000-2001/3164.pdf", [10, 11]),  # pdf_2000: two text columns
        ("FY2002-2003/21823.pdf", [14, 15]),  # pdf_2001
        ("FY2004-2005/45793.pdf", [26, 27, 28]),
        ("FY2005-2006/75058.pdf", [21, 22]),
        ("FY2009-2010/155997.pdf", [2, 3]),  # pdf_2007, rotated pages
        ("FY2010-2011/Africa.pdf", [44]),
        ("FY2020-2021/10-Volume-I-Section-IV-Part-IV-I-Africa.pdf", [2, 3]),
        ("FY1999-2000/cta_af_a2gam.html", []),  # html_1999
        ("FY2006-2007/Africa_2006_2007.html", []),  # html_2006
    ],
)
def test_every_word_found_per_layout_family(
    corpus: Path, tmp_path: Path, file: str, pages: list[int]
) -> None:
    path, rows = _rows(corpus, tmp_path, file, pages)
    assert len(rows) > 10
    assert _proof(path, corpus_document(corpus, file).edition, rows) == []


def test_the_proof_finds_what_the_extractor_got_wrong(corpus: Path, tmp_path: Path) -> None:
    """The same pages, with the errors issue 11 found put back into the rows: each is
    reported, by kind."""
    path, rows = _rows(corpus, tmp_path, "FY2003-2004/34330.pdf", [23])
    row = _one(rows, course_title="Balance Piston 03-2")
    row.course_title = "Balance Piston 03-2 TECSON, SAN RP"
    row.location = "CAMP AGUINALDO, MANILA, CAMP MIGUEL BULAHAN, FT MAGSAYSAY,"
    found = _proof(path, "FY2003-2004", rows)
    assert any("course_title" in f and "wrong_column" in f for f in found), found

    path, rows = _rows(corpus, tmp_path, "FY2017-2018/Western_Hemisphere.pdf", [81, 82])
    _one(
        rows, student_unit="Poder Judicial del Perú", cost="$2,036"
    ).student_unit = "Poder Judicial del Per˙"
    assert any("characters" in f for f in _proof(path, "FY2017-2018", rows))

    path, rows = _rows(corpus, tmp_path, "FY2016-2017/Africa.pdf", [50])
    harris = [r for r in rows if r.student_unit == "246 IEME CSM, 241 IEME CCAS, BA 201, DCT"]
    harris[0].student_unit = "DCT"
    fragment = _one(rows, cost=None, quantity="N/A", student_unit="$147,478")
    fragment.student_unit = "$147,478 246 IEME CSM, 241 IEME CCAS, BA 201,"
    assert any("wrong_row" in f for f in _proof(path, "FY2016-2017", rows))
