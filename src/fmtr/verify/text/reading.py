"""The second reading of a page, by engines other than the extractor's.

PDF pages are read by poppler's ``pdftotext -bbox`` (poppler-utils, GPL), run as a separate
program on each file, so fmtr (MIT) only reads its output: every word with its box, in the
coordinates of the page as shown (poppler applies a page's /Rotate itself, PDFium does not).
``-bbox`` was measured the fastest of poppler's word-box outputs on this corpus (``-bbox-layout``
the same within noise, ``pdftohtml -xml`` 1.5 times slower and with no word boxes, ``-tsv``
1.7 times slower).

HTML pages are read by Python's own ``html.parser`` (the extractor uses selectolax/lexbor): the
rows of every table, each cell's text as a browser shows it (inline tags split no word, a
line-breaking tag or a line break in the source is a space).
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

# One word of a page: (x0, y0, x1, y1, text), points from the top-left corner of the page as
# shown. A plain tuple: there are nearly five million of them in the corpus.
Word = tuple[float, float, float, float, str]


@dataclass(slots=True)
class PdfPage:
    number: int  # 1-based
    width: float
    height: float
    words: list[Word] = field(default_factory=list)


class ReaderError(Exception):
    """The second reader could not read a file (poppler missing, or the file refused)."""


_TOKEN = re.compile(
    r'<page width="([\d.]+)" height="([\d.]+)">'
    r'|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def read_pdf(path: Path, first: int, last: int) -> list[PdfPage]:
    """Pages ``first``..``last`` (1-based, inclusive) of a PDF as poppler reads them."""
    cmd = ["pdftotext", "-bbox", "-enc", "UTF-8", "-q", "-f", str(first), "-l", str(last)]
    try:
        done = subprocess.run([*cmd, str(path), "-"], capture_output=True, check=False)
    except FileNotFoundError:
        raise ReaderError("pdftotext not found: install poppler-utils") from None
    if done.returncode != 0:
        raise ReaderError(f"{path}: pdftotext failed ({done.returncode})")
    return parse_bbox(done.stdout.decode("utf-8", "replace"), first)


def parse_bbox(text: str, first: int = 1) -> list[PdfPage]:
    """Pages of a ``pdftotext -bbox`` output (its XHTML, read with one regular expression)."""
    pages: list[PdfPage] = []
    words: list[Word] = []
    unescape = html.unescape
    for m in _TOKEN.finditer(text):
        width = m.group(1)
        if width is not None:
            page = PdfPage(first + len(pages), float(width), float(m.group(2)))
            pages.append(page)
            words = page.words
            continue
        word = m.group(7)
        if "&" in word:
            word = unescape(word)
        words.append(
            (float(m.group(3)), float(m.group(4)), float(m.group(5)), float(m.group(6)), word)
        )
    return pages


# --------------------------------------------------------------------------- HTML

# One table row: its cells as (first column, columns spanned, text).
HtmlRow = list[tuple[int, int, str]]

_BREAKS = frozenset({"br", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})


class _Tables(HTMLParser):
    """Rows of every table, innermost table first served: a nested table's text belongs to its
    own rows, not to the cell around it. End tags the pages leave out (``</td>``, ``</tr>``)
    are implied, as a browser implies them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[HtmlRow] = []
        # Per open table: [row cells, current cell parts or None, column of the next cell, span]
        self.stack: list[list[object]] = []

    def _close_cell(self) -> None:
        table = self.stack[-1]
        parts = table[1]
        if parts is not None:
            text = " ".join("".join(parts).split())  # type: ignore[arg-type]
            col, span = table[2], table[3]
            table[0].append((col, span, text))  # type: ignore[attr-defined]
            table[2] = col + span  # type: ignore[operator]
            table[1] = None

    def _close_row(self) -> None:
        self._close_cell()
        table = self.stack[-1]
        if table[0]:
            self.rows.append(table[0])  # type: ignore[arg-type]
        table[0], table[2] = [], 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" or (not self.stack and tag in ("tr", "td", "th")):
            # A row after its table was closed (FY1999-2000/cta_nea_alg2eg.html closes its
            # table 8 rows early): a browser shows it, so it is read as a table of its own.
            self.stack.append([[], None, 0, 1])
            if tag == "table":
                return
        if not self.stack:
            return
        if tag == "tr":
            self._close_row()
        elif tag in ("td", "th"):
            self._close_cell()
            span = next((v for k, v in attrs if k == "colspan"), None)
            table = self.stack[-1]
            table[1] = []
            table[3] = int(span) if span and span.strip().isdigit() else 1
        elif tag in _BREAKS:
            self._text(" ")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            return
        if tag == "table":
            self._close_row()
            self.stack.pop()
        elif tag == "tr":
            self._close_row()
        elif tag in ("td", "th"):
            self._close_cell()
        elif tag in _BREAKS:
            self._text(" ")

    def handle_data(self, data: str) -> None:
        if self.stack:
            self._text(data)

    def _text(self, data: str) -> None:
        parts = self.stack[-1][1]
        if parts is not None:
            parts.append(data)  # type: ignore[attr-defined]


def read_html(path: Path) -> list[HtmlRow]:
    """Every table row of an HTML page, in document order (a row is listed when it ends)."""
    parser = _Tables()
    parser.feed(path.read_bytes().decode("utf-8", "replace"))
    parser.close()
    while parser.stack:
        parser._close_row()
        parser.stack.pop()
    return parser.rows
