"""A corpus PDF page as a PNG image, with one training row highlighted.

Rows' coordinates are not stored, so the row is found again on its page: each of its verbatim
cells is searched in the page's text (PDFium), and the occurrences that lie on one line with the
row's most distinctive cell are kept. The highlight is a translucent rectangle added to the page
before rendering, in page space, so that rotated pages come out right without any arithmetic.
"""

from __future__ import annotations

import contextlib
import hashlib
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from fmtr.sources.page_cache import PageCache

# (left, bottom, right, top) in PDF page space, points.
Rect = tuple[float, float, float, float]

# Cells longer than this are searched by their first words: a wrapped cell is printed on
# several lines, and the joined text never occurs as such on the page.
_PREFIX_WORDS = 4
# How far (points, across the reading direction) a cell may start from the anchor's line and
# still belong to the row: a wrapped neighbour cell starts on the same line, but allow a little
# for baseline differences between fonts.
_SAME_LINE = 4.0
_PAD = 1.5


@dataclass(frozen=True)
class Occurrence:
    rects: tuple[Rect, ...]

    def bounds(self) -> Rect:
        return (
            min(r[0] for r in self.rects),
            min(r[1] for r in self.rects),
            max(r[2] for r in self.rects),
            max(r[3] for r in self.rects),
        )


def _needles(cell: str) -> list[str]:
    words = cell.split()
    tries = [" ".join(words)]
    if len(words) > _PREFIX_WORDS:
        tries.append(" ".join(words[:_PREFIX_WORDS]))
    if len(words) > 1 and len(words[0]) >= 4:
        tries.append(words[0])
    return tries


def _occurrences(textpage: pdfium.PdfTextPage, cell: str) -> list[Occurrence]:
    for needle in _needles(cell):
        found: list[Occurrence] = []
        searcher = textpage.search(needle, match_case=True)
        while (hit := searcher.get_next()) is not None:
            index, count = hit
            n = textpage.count_rects(index, count)
            rects = tuple(textpage.get_rect(i) for i in range(n))
            if rects:
                found.append(Occurrence(rects))
        searcher.close()
        if found:
            return found
    return []


def _line_of(occ: Occurrence, vertical: bool) -> float:
    # A row's cells share the line of their first text line: its top edge, or its left edge
    # when the text runs up or down the page (a landscape table drawn on a portrait page).
    first = occ.rects[0]
    return first[0] if vertical else first[3]


def find_row(textpage: pdfium.PdfTextPage, cells: Sequence[str | None]) -> list[Rect]:
    """The rectangles of a row's cells on the page (empty when the row cannot be found)."""
    found = [
        occs
        for cell in cells
        if cell and cell.strip()
        if (occs := _occurrences(textpage, cell.strip()))
    ]
    if not found:
        return []
    # The anchor: the cell with fewest occurrences (a cost or a date is nearly unique).
    anchor_cell = min(found, key=len)
    best: tuple[float, list[Occurrence]] | None = None
    for anchor in anchor_cell:
        r = anchor.rects[0]
        vertical = (r[3] - r[1]) > (r[2] - r[0]) * 1.5 and len(anchor.rects) == 1
        line = _line_of(anchor, vertical)
        chosen = [anchor]
        misses = 0
        for occs in found:
            if occs is anchor_cell:
                continue
            near = min(occs, key=lambda o: abs(_line_of(o, vertical) - line))
            if abs(_line_of(near, vertical) - line) <= _SAME_LINE:
                chosen.append(near)
            else:
                misses += 1
        if best is None or misses < best[0]:
            best = (misses, chosen)
    assert best is not None
    return [occ.bounds() for occ in best[1]]


def _union(rects: Sequence[Rect]) -> Rect:
    return (
        min(r[0] for r in rects) - _PAD,
        min(r[1] for r in rects) - _PAD,
        max(r[2] for r in rects) + _PAD,
        max(r[3] for r in rects) + _PAD,
    )


def _highlight(page: pdfium.PdfPage, box: Rect) -> None:
    left, bottom, right, top = box
    obj = pdfium_c.FPDFPageObj_CreateNewRect(left, bottom, right - left, top - bottom)
    pdfium_c.FPDFPageObj_SetFillColor(obj, 255, 200, 0, 80)
    pdfium_c.FPDFPageObj_SetStrokeColor(obj, 220, 60, 0, 255)
    pdfium_c.FPDFPageObj_SetStrokeWidth(obj, 1.2)
    pdfium_c.FPDFPath_SetDrawMode(obj, pdfium_c.FPDF_FILLMODE_ALTERNATE, True)
    pdfium_c.FPDFPage_InsertObject(page.raw, obj)


def png_bytes(rgb: bytes, width: int, height: int, stride: int) -> bytes:
    """Encode an 8-bit RGB buffer as PNG (no imaging library needed)."""
    rows = b"".join(b"\x00" + rgb[y * stride : y * stride + width * 3] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 6))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class RenderedRow:
    png: bytes
    found: bool  # False: the page is shown without a highlight


def render_row(
    pdf: Path,
    page: int,
    cells: Sequence[str | None],
    *,
    scale: float = 1.5,
    cache: PageCache | None = None,
) -> RenderedRow:
    """Page ``page`` (1-based) of ``pdf`` as PNG with the row of these cells highlighted.

    Renders are kept in ``cache`` by file (path, size, modification time), page, cells and
    scale.
    """
    key = hashlib.sha256(
        repr(
            (pdf.stat().st_size, pdf.stat().st_mtime_ns, str(pdf), page, list(cells), scale)
        ).encode()
    ).hexdigest()[:32]
    if cache is not None:
        for found, suffix in ((True, ".png"), (False, ".nohit.png")):
            if (cached := cache.get(f"{key}{suffix}")) is not None:
                return RenderedRow(cached, found)
    doc = pdfium.PdfDocument(str(pdf))
    try:
        if not 1 <= page <= len(doc):
            raise ValueError(f"{pdf.name} has {len(doc)} pages, not page {page}")
        pdf_page = doc[page - 1]
        textpage = pdf_page.get_textpage()
        rects = find_row(textpage, cells)
        textpage.close()
        if rects:
            _highlight(pdf_page, _union(rects))
        bitmap = pdf_page.render(scale=scale, rev_byteorder=True)
        png = png_bytes(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride)
        bitmap.close()
        pdf_page.close()
    finally:
        doc.close()
    if cache is not None:
        with contextlib.suppress(OSError):  # a full disk costs a render next time, not an answer
            cache.put(f"{key}{'.png' if rects else '.nohit.png'}", png)
    return RenderedRow(png, bool(rects))
