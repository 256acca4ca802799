"""Words with their positions, read from PDF pages with PDFium (pypdfium2, Apache-2.0/BSD).

Why this shape: PDFium builds a page's text (with its own line breaks and word spaces) in C;
asking it for the box of every character costs more than building the text, so we ask only for
the origin of each word's first and last character. That keeps a full-corpus read within the
time poppler's pdftohtml takes (see bench/build.py).

Coordinates are PDF points measured from the page's top-left corner: ``x0`` is where the word
starts, ``x1`` where its last character starts (a word ends one glyph, about 3-5 pt, later) or,
for the last word of each PDFium line when asked (``ends="line"``), where its last character's
advance ends,
``y`` the baseline. PDFium's line order is the content order, which for these reports is top
to bottom; extractors that need visual order sort by ``y``.

The text is PDFium's, with two corrections: characters of the fonts PDFium decodes otherwise
than the page means them (pdfencoding.py); and a hyphen at the end of a printed line, which
PDFium marks U+FFFE and joins to the next line's first word (wherever that is), printed "-"
and cut there, the rest going on the next line at its own position.
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
from fmtr.extract.pdfencoding import DROPPED, FontCache, decode_as_printed

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
# FPDFText_GetTextObject (the text object a character was drawn by), called the same way.
_GetTextObject = ctypes.CFUNCTYPE(ctypes.c_void_p)(
    ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value or 0
)
# FPDFText_GetLooseCharBox (the character's box from the font's metrics: its right edge is
# where the character's advance ends, not its ink), called the same way.
_GetLooseCharBox = ctypes.CFUNCTYPE(ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_void_p).value or 0
)


def _page_items(
    textpage: pdfium.PdfTextPage,
    text: str,
    height: float,
    ends: str,
    clip_at: float | None = None,
    runs: bool = False,
) -> list[WordItem]:
    """The page's words as WordItem tuples, in PDFium's order; ``ends`` as in iter_pages.
    ``clip_at``: the page's right edge, where PDFium's text goes on past what the page shows
    (measured at each line's end, with ``ends="line"``). ``runs``: cut a word where the text
    object drawing it changes (see _run_change)."""
    handle = ctypes.cast(textpage.raw, ctypes.c_void_p)
    x, y = ctypes.c_double(), ctypes.c_double()
    px, py = ctypes.c_void_p(ctypes.addressof(x)), ctypes.c_void_p(ctypes.addressof(y))
    origin = _GetCharOrigin
    every, line_ends = ends == "all", ends == "line"
    box = _Box()
    items: list[WordItem] = []
    append = items.append
    dropped = DROPPED in text
    # PDFium ends each text line with "\r\n"; the indexes of get_text_range() are char indexes.
    start = li = 0
    for raw_line in text.split("\r\n"):
        before = len(items)
        last = 0
        spans = _word_spans(raw_line) if _BROKEN in raw_line else None
        for m in spans or _WORD.finditer(raw_line):
            if isinstance(m, tuple):
                # A hyphen at the end of a printed line, which PDFium joined to the next line's
                # first word: the two halves, each where the page prints it.
                a, z, word, step = m
                if step:
                    if line_ends and len(items) > before:
                        box.set_end(items, handle, start + a - 1)
                    li += 1
                first, last = start + a, start + z - 1
            else:
                first, last, word = start + m.start(), start + m.end() - 1, m.group()
            if dropped:
                word = word.replace(DROPPED, "")
            if runs and last - first > 1 and _RUN_JOIN.search(word):
                cut = _run_change(handle, first, last)
                if cut and _RUN_JOIN.match(word, cut - 1):
                    # Two runs of text PDFium joined without a space: two words, each where
                    # it is printed ("Army" ends one column, "3/3" starts the next).
                    origin(handle, first, px, py)
                    append((height - y.value, x.value, x.value, word[:cut], li))
                    first, word = first + cut, RUN_MARK + word[cut:]
            origin(handle, first, px, py)
            x0, base = x.value, height - y.value
            if every and last != first:
                origin(handle, last, px, py)
                append((base, x0, x.value, word, li))
            else:
                append((base, x0, x0, word, li))
        if len(items) > before:
            if line_ends and clip_at is not None and items[-1][1] > clip_at - _NEAR_EDGE:
                _clip(items, handle, first, last, clip_at)
            if line_ends and not raw_line[-1].isspace():
                # Where the line's last word ends (a line that ends with a space character
                # says itself that its last word ends there: left unmeasured, never glued).
                box.set_end(items, handle, last)
            li += 1
        start += len(raw_line) + 2
    return items


# Starts the second part of a word cut by ``runs``: the caller glues it back to the first part
# when both fall in one column (a text object can change inside a printed word).
RUN_MARK = "\x01"


def _run_change(handle: ctypes.c_void_p, first: int, last: int) -> int:
    """Where, in the word of characters first..last, another text object takes over (0: one
    object draws it all). The FY2001-2005 tables draw each cell line as a text object of its
    own; where one cell's line ends less than a space before the next cell's starts, PDFium
    runs the two together ("Army3/3", "BATTALION7th"); the caller cuts there only where the
    letters on either side say so (_RUN_JOIN)."""
    start = _GetTextObject(handle, first)
    if _GetTextObject(handle, last) == start:
        return 0
    for k in range(first + 1, last + 1):
        if _GetTextObject(handle, k) != start:
            return k - first
    return 0


# Where a word may be two runs of text: a letter then a digit ("Base7"), a lower-case letter
# then a capital ("AgencyU.S."), a punctuation mark then a letter ("&Center"). A text object
# also changes inside printed words ("Esme" "raldas", a kerned pair): those have none of these.
_RUN_JOIN = re.compile(r"[A-Za-z](?=\d)|[a-zA-Z](?=[A-Z])|[,;&)](?=[A-Za-z(])")


# pt: a line's last word starting this near the page's right edge may run off the page.
_NEAR_EDGE = 60.0


def _clip(
    items: list[WordItem], handle: ctypes.c_void_p, first: int, last: int, edge: float
) -> None:
    """The last item cut where the page ends: a few rows of FY2016-2017 are printed one cell
    too wide, their end dates running off the page ("10/10/2" shows, PDFium's text has
    "10/10/20"); the characters past the edge are not printed."""
    x, y = ctypes.c_double(), ctypes.c_double()
    px, py = ctypes.c_void_p(ctypes.addressof(x)), ctypes.c_void_p(ctypes.addressof(y))
    keep = last + 1
    while keep > first:
        _GetCharOrigin(handle, keep - 1, px, py)
        if x.value < edge:
            break
        keep -= 1
    if keep <= last:
        b, x0, x1, word, li = items[-1]
        if keep == first:
            del items[-1]
        else:
            items[-1] = (b, x0, x1, word[: keep - first], li)


class _Box:
    """A buffer for FPDFText_GetLooseCharBox (an FS_RECTF: left, top, right, bottom), made
    once per page."""

    __slots__ = ("rect", "arg")

    def __init__(self) -> None:
        self.rect = (ctypes.c_float * 4)()
        self.arg = ctypes.c_void_p(ctypes.addressof(self.rect))

    def set_end(self, items: list[WordItem], handle: ctypes.c_void_p, index: int) -> None:
        """The last item's x1 set to where its last character's advance ends (char
        ``index``)."""
        _GetLooseCharBox(handle, index, self.arg)
        b, x0, _, word, li = items[-1]
        items[-1] = (b, x0, self.rect[2], word, li)


# PDFium's mark of a hyphen at the end of a printed line, after which it goes on with the next
# line's first word, without a line break ("Forces\ufffeSIERRA": "Forces-" ends a line of one
# column, "SIERRA" starts a line of another).
_BROKEN = "\ufffe"


def _word_spans(raw_line: str) -> list[tuple[int, int, str, int]]:
    """(start, end, text, lines advanced) of each word of a PDFium line holding U+FFFE: a word
    is cut after each such hyphen, which is printed as "-", and what follows it is on the next
    printed line."""
    out: list[tuple[int, int, str, int]] = []
    for m in _WORD.finditer(raw_line):
        a, word = m.start(), m.group()
        step = 0
        while _BROKEN in word[:-1]:
            cut = word.index(_BROKEN) + 1
            out.append((a, a + cut, word[: cut - 1] + "-", step))
            a, word, step = a + cut, word[cut:], 1
        out.append((a, a + len(word), word.replace(_BROKEN, "-"), step))
    return out


def _page_lines(
    textpage: pdfium.PdfTextPage, text: str, height: float, ends: str, runs: bool
) -> list[Line]:
    items = _page_items(textpage, text, height, ends, runs=runs)
    return [
        Line([Word(w, x0, x1, b) for b, x0, x1, w, _ in words])
        for _, words in groupby(items, key=itemgetter(4))
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
    runs: bool = False,
) -> Iterator[Page]:
    """Yield pages ``first``..``last`` (1-based, inclusive) of a PDF as positioned words.

    ``ends``: where to measure where a word ends (``x1``; elsewhere ``x1 == x0``), a second
    call per word measured: "all" words (the start of their last character: layouts whose
    right-aligned cells are told apart by their ends), each PDFium text line's "line" last word
    (where its last character's advance ends: where PDFium may break a word in two, the
    layouts that glue the halves again measure the gap), or "none".

    A page that PDFium cannot load, or that is an image without text (a scan), raises
    ExtractError naming the file and page; a blank page is yielded with no lines.
    """
    for number, width, height, textpage, text in _text_pages(path, first, last, label or str(path)):
        yield Page(number, width, height, _page_lines(textpage, text, height, ends, runs))


def iter_word_pages(
    path: Path, first: int = 1, last: int | None = None, label: str | None = None
) -> Iterator[WordPage]:
    """The same pages as ``iter_pages(..., ends="line")``, each word a WordItem tuple: for a
    layout that sorts the words itself, a word object per word is work for nothing (a fifth
    of the time of reading the words)."""
    for number, width, height, textpage, text in _text_pages(path, first, last, label or str(path)):
        clip = width if textpage.page.get_rotation() == 0 else None
        yield WordPage(number, width, height, _page_items(textpage, text, height, "line", clip))


def _text_pages(
    path: Path, first: int, last: int | None, name: str
) -> Iterator[tuple[int, float, float, pdfium.PdfTextPage, str]]:
    """(number, width, height, text page, its text) of each page, the page closed once the
    caller is done with it; the errors of iter_pages."""
    pdf = open_pdf(path, name)
    fonts = FontCache()
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
                text = decode_as_printed(textpage, text, fonts)
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
