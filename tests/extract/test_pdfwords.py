"""Words read from PDF pages: the two shapes (word objects by PDFium line, or word tuples) give
the same words, and "line" ends are the "all" ends of each line's last word."""

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
            assert last.x1 == la.words[-1].x1  # the last word: its end, as "all" measures it
            assert all(w.x1 == w.x0 for w in rest)  # the others: not measured
            assert all(w.x1 == w.x0 for w in lc.words)
            measured += last.x1 > last.x0
    assert measured > 20
