"""Words read from PDF pages: the two shapes (word objects by PDFium line, or word tuples) give
the same words, "line" ends are measured on each line's last word, and the text is put back as
the page prints it where PDFium reads it otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_kit import cut_pdf
from fmtr.extract.pdfwords import iter_pages, iter_word_pages

# Two ordinary FY2016-17 pages and rotated FY2009-10 and FY2003-04 pages (/Rotate 90).
PAGES = [
    ("FY2016-2017/Africa.pdf", [10, 11]),
    ("FY2009-2010/155997.pdf", [1]),
    ("FY2003-2004/34329.pdf", [3]),
]


@pytest.mark.parametrize(("file", "pages"), PAGES)
def test_word_tuples_are_the_line_words(
    corpus: Path, tmp_path: Path, file: str, pages: list[int]
) -> None:
    pdf = cut_pdf(corpus / file, pages, tmp_path / "cut.pdf")
    by_line = list(iter_pages(pdf, ends="line"))
    as_tuples = list(iter_word_pages(pdf))
    assert (
        [p.number for p in by_line]
        == [p.number for p in as_tuples]
        == [1, *range(2, len(pages) + 1)]
    )
    for page, flat in zip(by_line, as_tuples, strict=True):
        assert (page.width, page.height) == (flat.width, flat.height)
        expected = [
            (w.y, w.x0, w.x1, w.text, li) for li, line in enumerate(page.lines) for w in line.words
        ]
        assert flat.words == expected
        assert len(expected) > 50


@pytest.mark.parametrize(
    ("file", "pages"),
    [PAGES[0], ("FY2007-2008/126573.pdf", [1, 2])],  # not rotated: ends differ
)
def test_line_ends_are_measured_for_each_lines_last_word(
    corpus: Path, tmp_path: Path, file: str, pages: list[int]
) -> None:
    pdf = cut_pdf(corpus / file, pages, tmp_path / "cut.pdf")
    every = list(iter_pages(pdf, ends="all"))
    lines = list(iter_pages(pdf, ends="line"))
    none = list(iter_pages(pdf))
    measured = 0
    for a, b, c in zip(every, lines, none, strict=True):
        for la, lb, lc in zip(a.lines, b.lines, c.lines, strict=True):
            assert [w.text for w in la.words] == [w.text for w in lb.words]
            *rest, last = lb.words
            # The last word: where its last character's advance ends, past where that
            # character starts (the "all" end), or unmeasured when the line ends with a space.
            assert last.x1 == last.x0 or last.x1 > la.words[-1].x1
            assert all(w.x1 == w.x0 for w in rest)  # the others: not measured
            assert all(w.x1 == w.x0 for w in lc.words)
            measured += last.x1 > last.x0
    assert measured > 10


@pytest.mark.parametrize(
    ("file", "page", "printed", "misread"),
    [
        # Mac OS Roman read where the fonts say WinAnsi (issue 11).
        ("FY2017-2018/Western_Hemisphere.pdf", 82, "Perú", "Per˙"),
        ("FY2019-2020/Western_Hemisphere.pdf", 74, "COMPAÑÍA", "COMPA—ÕA"),
        ("FY2011-2012/Western_Hemisphere.pdf", 11, "Cearß", "Cearfl"),  # a spelt-out ligature
        # A hyphen at a line's end that PDFium joins to another column's word (U+FFFE).
        ("FY2017-2018/Africa.pdf", 70, "Forces-", "Forces-SIERRA"),
    ],
)
def test_words_as_printed(
    corpus: Path, tmp_path: Path, file: str, page: int, printed: str, misread: str
) -> None:
    pdf = cut_pdf(corpus / file, [page], tmp_path / "cut.pdf")
    (flat,) = iter_word_pages(pdf)
    words = {w[3] for w in flat.words}
    assert printed in words
    assert misread not in words and not any("\ufffe" in w for w in words)
