"""Words with their positions, read from PDF pages with PDFium (pypdfium2, Apache-2.0/BSD).

Why this shape: PDFium builds a page's text (with its own line breaks and word spaces) in C;
asking it for the box of every character costs more than building the text, so we ask only for
the origin of each word's first and last character. That keeps a full-corpus read within the
time poppler's pdftohtml takes (see bench/build.py).

Coordinates are PDF points measured from the page's top-left corner: ``x0`` is where the word
starts, ``x1`` where its last character starts (a word ends one glyph, about 3-5 pt, later),
``y`` the baseline. PDFium's line order is the content order, which for these reports is top to
bottom; extractors that need visual order sort by ``y``.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Literal

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from fmtr.extract.model import ExtractError

_WORD = re.compile(r"[^\s]+")

# Called with the file label after each page is read: the build's progress bars. A module hook
# rather than a parameter, so that every extractor reports pages without threading it through.
PAGE_HOOK: Callable[[str], None] | None = None


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    x1: float
    y: float  # baseline, from the top of the page


@dataclass(slots=True)
class Line:
    """Words PDFium put on one text line, left to right as PDFium ordered them."""

    words: list[Word]

    @property
    def y(self) -> float:
        return self.words[0].y

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


# One word: (baseline y from the top, x0, x1, text, index of its PDFium text line among the
# lines with words). x1 is x0 where the word's end was not measured (see iter_pages' ends).
WordItem = tuple[float, float, float, str, int]


@dataclass(slots=True)
class WordPage:
    number: int  # 1-based PDF page number
    width: float
    height: float
    words: list[WordItem]  # PDFium's order


@dataclass(slots=True)
class Page:
    number: int  # 1-based PDF page number
    width: float
    height: float
    lines: list[Line]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


# FPDFText_GetCharOrigin called through a bare function pointer: pypdfium2's binding checks and
# converts each argument, and even a ctypes prototype converts its arguments on every call,
# which costs more than the call itself when it is made some five million times per corpus.
# The prototype declares no argument types: ctypes passes the c_void_p objects as pointers
# and the index as an int, as the C function takes them.
_GetCharOrigin = ctypes.CFUNCTYPE(ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetCharOrigin, ctypes.c_void_p).value or 0
)


def _page_items(
    textpage: pdfium.PdfTextPage, text: str, height: float, ends: str
) -> list[WordItem]:
    """The page's words as WordItem tuples, in PDFium's order; ``ends`` as in iter_pages."""
    handle = ctypes.cast(textpage.raw, ctypes.c_void_p)
    x, y = ctypes.c_double(), ctypes.c_double()
    px, py = ctypes.c_void_p(ctypes.addressof(x)), ctypes.c_void_p(ctypes.addressof(y))
    origin = _GetCharOrigin
    every, line_ends = ends == "all", ends == "line"
    items: list[WordItem] = []
    append = items.append
    # PDFium ends each text line with "\r\n"; the indexes of get_text_range() are char indexes.
    start = li = 0
    for raw_line in text.split("\r\n"):
        before = len(items)
        last = 0
        for m in _WORD.finditer(raw_line):
            first, last = start + m.start(), start + m.end() - 1
            origin(handle, first, px, py)
            x0, base = x.value, height - y.value
            if every and last != first:
                origin(handle, last, px, py)
                append((base, x0, x.value, m.group(), li))
            else:
                append((base, x0, x0, m.group(), li))
        if len(items) > before:
            b, x0, _, word, _ = items[-1]
            if line_ends and len(word) > 1:  # where the line's last word ends
                origin(handle, last, px, py)
                items[-1] = (b, x0, x.value, word, li)
            li += 1
        start += len(raw_line) + 2
    return items


def _page_lines(textpage: pdfium.PdfTextPage, text: str, height: float, ends: str) -> list[Line]:
    return [
        Line([Word(w, x0, x1, b) for b, x0, x1, w, _ in words])
        for _, words in groupby(_page_items(textpage, text, height, ends), key=itemgetter(4))
    ]


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(o.type == pdfium_c.FPDF_PAGEOBJ_IMAGE for o in page.get_objects())


def _open_failure(exc: pdfium.PdfiumError) -> str:
    """Why PDFium refused a file, in words. PDFium's status can be stale ("Success") when it
    refuses a file it parsed, as with a PDF of zero pages."""
    code = getattr(exc, "err_code", None)
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return "encrypted PDF: it needs a password"
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return "PDF with an unsupported security handler"
    if code == pdfium_c.FPDF_ERR_FORMAT:
        return "not a readable PDF (damaged or truncated)"
    return "PDF that PDFium cannot load (no pages, or a damaged structure)"


def open_pdf(path: Path, label: str | None = None) -> pdfium.PdfDocument:
    """Open a PDF, turning PDFium's failures into an ExtractError naming the file."""
    name = label or str(path)
    try:
        if path.stat().st_size == 0:
            raise ExtractError(name, None, "empty file (0 bytes)")
        with path.open("rb") as fh:
            if not fh.read(1024).lstrip().startswith(b"%PDF"):
                raise ExtractError(name, None, "not a PDF (no %PDF header)")
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ExtractError(name, None, _open_failure(exc)) from None
    if len(pdf) == 0:
        pdf.close()
        raise ExtractError(name, None, "PDF has no pages")
    return pdf


def iter_pages(
    path: Path,
    first: int = 1,
    last: int | None = None,
    label: str | None = None,
    *,
    ends: Literal["none", "line", "all"] = "none",
) -> Iterator[Page]:
    """Yield pages ``first``..``last`` (1-based, inclusive) of a PDF as positioned words.

    ``ends``: where to measure where a word ends (``x1``; elsewhere ``x1 == x0``), a second
    call per word measured: "all" words (layouts whose right-aligned cells are told apart by
    their ends), each PDFium text line's "line" last word (where PDFium may break a word in
    two: the layouts that glue the halves again), or "none".

    A page that PDFium cannot load, or that is an image without text (a scan), raises
    ExtractError naming the file and page; a blank page is yielded with no lines.
    """
    for number, width, height, textpage, text in _text_pages(path, first, last, label or str(path)):
        yield Page(number, width, height, _page_lines(textpage, text, height, ends))


def iter_word_pages(
    path: Path, first: int = 1, last: int | None = None, label: str | None = None
) -> Iterator[WordPage]:
    """The same pages as ``iter_pages(..., ends="line")``, each word a WordItem tuple: for a
    layout that sorts the words itself, a word object per word is work for nothing (a fifth
    of the time of reading the words)."""
    for number, width, height, textpage, text in _text_pages(path, first, last, label or str(path)):
        yield WordPage(number, width, height, _page_items(textpage, text, height, "line"))


def _text_pages(
    path: Path, first: int, last: int | None, name: str
) -> Iterator[tuple[int, float, float, pdfium.PdfTextPage, str]]:
    """(number, width, height, text page, its text) of each page, the page closed once the
    caller is done with it; the errors of iter_pages."""
    pdf = open_pdf(path, name)
    try:
        n = len(pdf)
        last = n if last is None else min(last, n)
        for number in range(first, last + 1):
            try:
                page = pdf[number - 1]
                textpage = page.get_textpage()
            except pdfium.PdfiumError as exc:
                raise ExtractError(name, number, f"page cannot be read ({exc})") from None
            try:
                text = textpage.get_text_range()
                if not text.strip() and _has_image(page):
                    raise ExtractError(name, number, "page is an image with no text layer")
                yield number, page.get_width(), page.get_height(), textpage, text
                if PAGE_HOOK is not None:
                    PAGE_HOOK(name)
            finally:
                textpage.close()
                page.close()
    finally:
        pdf.close()


def page_count(path: Path) -> int:
    pdf = open_pdf(path)
    try:
        return len(pdf)
    finally:
        pdf.close()
