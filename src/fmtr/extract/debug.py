"""A developer's picture of the extractor: what a layout module saw on one PDF page, drawn on
the page's image (`fmtr debug-page`), as pdfplumber's and camelot's debugging views draw theirs.

The layout module reads the whole document as the build does (the rows of a page may depend on
the pages before it: the column anchor, a table that goes on), with a ``Tracer`` for the page
(fmtr.extract.trace). What it saw is drawn over the page rendered by PDFium:

- column starts: blue vertical lines, from the column header down, the field named at the top;
- each row's own line (its anchor: the line with its quantity, cost or dates): a green line
  under its baseline, the row's number at the left;
- cells: boxes filled in the row's colour (orange and violet by turns), from where the cell's
  first word starts to the next column's start;
- headings: grey boxes; printed totals: teal boxes; lines left for later: dotted grey;
- lines the module could not place (DocumentExtract.unplaced): thick red boxes.

HTML editions have no page image: they are refused with a message (their tables are read
from the HTML's own rows and cells, see docs/layouts.md).
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import statistics
from pathlib import Path
from typing import Any

from fmtr.errors import InputError, NotFound
from fmtr.extract import family_of
from fmtr.extract.model import DocumentExtract, ExtractError
from fmtr.extract.trace import (
    ANCHOR,
    FURNITURE,
    HEADER,
    HEADING,
    OTHER,
    TOTAL,
    WRAP,
    Columns,
    PageTrace,
    TracedLine,
    Tracer,
)
from fmtr.sources.catalog import (
    CatalogEntry,
    Document,
    packaged_documents,
    read_catalog,
    sha256_hex_of_file,
)
from fmtr.sources.catalog import documents as catalog_documents

PDF_FAMILIES = ("pdf_2000", "pdf_2001", "pdf_2007")
HTML_FAMILIES = ("html_1999", "html_2006")
_EDITION = re.compile(r"^FY\d{4}-\d{4}$")

# Colours (RGB). The column lines' colour is fixed: the tests look for its pixels.
COLUMN_COLOUR = (0, 90, 255)
ANCHOR_COLOUR = (0, 150, 40)
ROW_COLOURS = ((255, 140, 0), (150, 70, 255))
HEADING_COLOUR = (110, 110, 110)
TOTAL_COLOUR = (0, 150, 150)
UNPLACED_COLOUR = (230, 0, 0)
OTHER_COLOUR = (150, 150, 150)


# --------------------------------------------------------------------------- which document


def document_of(path: Path, corpus: Path | None = None, edition: str | None = None) -> Document:
    """The catalog Document of a file, as the build would see it: from the manifest of the
    corpus it is in (``corpus``, or the nearest folder above it with a manifest.tsv), else from
    the packaged catalog when the file is one of its files unchanged (same sha256), else a
    whole-file document of ``edition`` or of the edition its folder is named after
    ("FY2016-2017"): the case of a new edition, not yet in any catalog."""
    if not path.is_file():
        raise NotFound(f"{path}: no such file")
    resolved = path.resolve()
    # The corpus given (often FMTR_CORPUS, set for every command) applies to the files inside
    # it; a file elsewhere is read with the manifest of the folders above it.
    inside = corpus is not None and resolved.is_relative_to(corpus.resolve())
    roots = [corpus] if inside and corpus is not None else list(resolved.parents)
    for root in roots:
        manifest = root / "manifest.tsv"
        if not manifest.is_file():
            continue
        try:
            rel = resolved.relative_to(root.resolve()).as_posix()
        except ValueError:
            break
        for doc in catalog_documents(read_catalog(manifest)):
            if doc.file == rel and (edition is None or doc.edition == edition):
                return doc
        break
    rel = "/".join(resolved.parts[-2:])
    digest = None
    for doc in packaged_documents():
        if doc.file == rel and (edition is None or doc.edition == edition):
            digest = digest or sha256_hex_of_file(resolved)
            if doc.sha256 == digest:
                return doc
    edition = edition or resolved.parent.name
    if not _EDITION.match(edition):
        raise InputError(
            f"{path}: cannot tell its edition (not in a corpus manifest, and its folder is not "
            "named like FY2016-2017): give --edition or --layout"
        )
    entry = CatalogEntry(edition, "All regions", rel, None, None, "", "", "")
    return Document(edition, rel, "", "", (entry,))


# --------------------------------------------------------------------------- the trace


def trace_page(
    path: Path, doc: Document, page: int, family: str | None = None
) -> tuple[PageTrace, DocumentExtract]:
    """What the layout module ``family`` (default: the edition's) saw on PDF page ``page`` of
    ``path``, and the document it gave. Bad input is an InputError naming file and page."""
    family = family or family_of(doc.edition)
    if family in HTML_FAMILIES or doc.kind == "html":
        raise InputError(
            f"{doc.file}: an HTML edition ({family}) has no page image to draw on; its tables "
            "are read from the HTML's own rows and cells (docs/layouts.md)"
        )
    if family not in PDF_FAMILIES:
        raise InputError(f"unknown layout {family!r}: one of {', '.join(PDF_FAMILIES)}")
    from fmtr.extract.pdfwords import page_count

    try:
        pages = page_count(path)
    except ExtractError as exc:
        raise InputError(str(exc)) from None
    if not 1 <= page <= pages:
        raise InputError(f"{doc.file} has {pages} pages, not page {page}")
    ranges = [(e.first_pdf_page, e.last_pdf_page) for e in doc.entries]
    if all(a is not None for a, _ in ranges) and not any(
        (a or 1) <= page <= (b or pages) for a, b in ranges
    ):
        spans = ", ".join(f"{a}-{b}" for a, b in ranges)
        raise InputError(
            f"{doc.file}, page {page}: the build does not read it (its catalog pages: {spans})"
        )
    tracer = Tracer(doc.file, page, family)
    module = importlib.import_module(f"fmtr.extract.{family}")
    try:
        result: DocumentExtract = module.extract(path, doc, trace=tracer)
    except ExtractError as exc:
        raise InputError(str(exc)) from None
    trace = tracer.finish()
    trace.unplaced = [
        (text, _line_holding(trace.lines, text)) for p, text in result.unplaced if p == page
    ]
    return trace, result


def _line_holding(lines: list[TracedLine], text: str) -> int | None:
    """The index of the traced line an unplaced text was read from: the line that is it, else
    the first whose words hold its words in order (a part of a line: the words a total line
    carried, the cells of a line another row took some of)."""
    squeeze = "".join(text.split())
    for i, line in enumerate(lines):
        if "".join(line.text.split()) == squeeze:
            return i
    for i, line in enumerate(lines):
        if _held(line, text) is not None:
            return i
    return None


def _held(line: TracedLine, text: str) -> tuple[int, int] | None:
    """The first and last of the line's words that spell ``text``'s words in order, or None."""
    tokens = text.split()
    found: list[int] = []
    k = 0
    for i, (_, word) in enumerate(line.words):
        if k < len(tokens) and word == tokens[k]:
            found.append(i)
            k += 1
    return (found[0], found[-1]) if tokens and k == len(tokens) else None


def summary(trace: PageTrace) -> str:
    anchors = sum(1 for r in trace.rows if r.page == trace.page)
    return (
        f"{trace.file} page {trace.page} ({trace.family}): {len(trace.rows)} rows "
        f"({anchors} anchored on this page), {trace.cell_count} cells, "
        f"{len(trace.columns)} column sets, {len(trace.unplaced)} unplaced lines"
    )


def as_json(trace: PageTrace, png: Path | None) -> dict[str, Any]:
    """The trace as a JSON document (positions to 0.01 pt), with the PNG's path."""
    doc: dict[str, Any] = _rounded(dataclasses.asdict(trace))
    doc["unplaced"] = [{"text": t, "line": i} for t, i in trace.unplaced]
    doc["cells"] = trace.cell_count
    doc["png"] = str(png) if png is not None else None
    return doc


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


# --------------------------------------------------------------------------- the picture


def draw(path: Path, trace: PageTrace, out: Path, scale: float = 2.0) -> Path:
    """Render the traced page of ``path`` at ``scale`` (pixels per point) with what was seen
    drawn over it; writes ``out`` (PNG) and returns it."""
    from PIL import Image, ImageDraw, ImageFont

    from fmtr.extract.pdfwords import open_pdf

    pdf = open_pdf(path, trace.file)
    try:
        page = pdf[trace.page - 1]
        bitmap = page.render(scale=scale)
        image = bitmap.to_pil().convert("RGB")
        bitmap.close()
        page.close()
    finally:
        pdf.close()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(overlay)
    font = ImageFont.load_default(size=max(8, round(5 * scale)))
    size = _font_size(trace)

    def box(x0: float, y: float, x1: float) -> tuple[float, float, float, float]:
        return (x0 * scale, (y - 0.8 * size) * scale, x1 * scale, (y + 0.25 * size) * scale)

    def line_box(line: TracedLine) -> tuple[float, float, float, float]:
        last_x, last = line.words[-1]
        return box(line.words[0][0] - 1, line.y, last_x + _width(last, size) + 1)

    for line in trace.lines:
        colour = {HEADING: HEADING_COLOUR, TOTAL: TOTAL_COLOUR, OTHER: OTHER_COLOUR}.get(line.role)
        if colour is not None:
            pen.rectangle(line_box(line), outline=(*colour, 255), width=max(1, round(scale)))
        elif line.role == HEADER:
            x0, _, x1, y1 = line_box(line)
            pen.line((x0, y1, x1, y1), fill=(*COLUMN_COLOUR, 160), width=max(1, round(scale)))
        elif line.role == FURNITURE:
            pen.rectangle(line_box(line), outline=(*OTHER_COLOUR, 120), width=1)
    for k, row in enumerate(trace.rows):
        colour = ROW_COLOURS[k % 2]
        mine = [c for c in row.cells if c.page == trace.page and c.x0 is not None]
        for c in mine:
            assert c.x0 is not None and c.x1 is not None
            right = _cell_right(trace.columns, c.x0, c.x1, c.y, c.text, size)
            pen.rectangle(
                box(c.x0 - 1, c.y, right),
                fill=(*colour, 60),
                outline=(*colour, 230),
                width=max(1, round(scale / 2)),
            )
        if row.page == trace.page and mine:
            left = min(c.x0 for c in mine if c.x0 is not None)
            right = max(
                _cell_right(trace.columns, c.x0 or 0, c.x1 or 0, c.y, c.text, size) for c in mine
            )
            y = (row.anchor_y + 0.15 * size) * scale
            pen.line((left * scale, y, right * scale, y), fill=(*ANCHOR_COLOUR, 255), width=2)
            label_at = ((left - 1.5) * scale, (row.anchor_y - 0.3 * size) * scale)
            pen.text(label_at, str(k + 1), fill=(*ANCHOR_COLOUR, 255), font=font, anchor="rm")
    thin = max(1, round(scale / 2))
    for cols in trace.columns:
        bottom = _columns_bottom(trace, cols) * scale
        for name, x in cols.starts:
            top = (cols.top - size) * scale
            pen.line((x * scale, top, x * scale, bottom), fill=(*COLUMN_COLOUR, 255), width=thin)
            if name:  # on white: the label often sits on the heading above the header
                at = (x * scale + 2, top)
                pen.rectangle(
                    pen.textbbox(at, name, font=font, anchor="lb"), fill=(255, 255, 255, 235)
                )
                pen.text(at, name, fill=(*COLUMN_COLOUR, 255), font=font, anchor="lb")
    for text, index in trace.unplaced:
        if index is None:
            continue
        line = trace.lines[index]
        first, last = _held(line, text) or (0, len(line.words) - 1)
        x0, y0, x1, y1 = line_box(TracedLine(line.y, line.words[first : last + 1], line.role))
        pen.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), outline=(*UNPLACED_COLOUR, 255), width=3)
        pen.text((x1 + 4, y0), "unplaced", fill=(*UNPLACED_COLOUR, 255), font=font)
    boxes = [line_box(line) for line in trace.lines]
    _legend(pen, font, image.size, scale, boxes)
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG")
    return out


def _font_size(trace: PageTrace) -> float:
    """The text's size, near enough to draw boxes: the commonest gap between baselines."""
    ys = sorted({round(line.y, 1) for line in trace.lines})
    gaps = [b - a for a, b in zip(ys, ys[1:], strict=False) if 3 < b - a < 20]
    return min(max(statistics.median(gaps) if gaps else 9.0, 5.0), 14.0)


def _width(word: str, size: float) -> float:
    """A word's width, estimated (only where words start is read): capitals are wider."""
    return size * sum(0.62 if ch.isupper() else 0.5 for ch in word)


def _columns_at(columns: list[Columns], x: float, y: float) -> Columns | None:
    """The column set in force at (x, y): the last one above it that spans x."""
    found = None
    for cols in columns:
        if cols.top <= y + 1 and cols.left <= x < cols.right:
            found = cols
    return found


def _cell_right(
    columns: list[Columns], x0: float, x1: float, y: float, text: str, size: float
) -> float:
    """Where a cell's box ends: before the next column's start, or after its last word."""
    end = x1 + _width(text.split()[-1] if text.split() else "", size)
    cols = _columns_at(columns, x0, y)
    if cols is not None and not cols.ends:
        nxt = [x for _, x in cols.starts if x > x1 + 1]
        if nxt:
            return min(nxt) - 1.5
        return max(end, x0 + 4)
    return end


def _columns_bottom(trace: PageTrace, cols: Columns) -> float:
    """Column lines run down to the next set's header in the same span, or the last line."""
    below = [
        c.top
        for c in trace.columns
        if c.top > cols.top and c.left < cols.right and cols.left < c.right
    ]
    if below:
        return min(below) - _font_size(trace)
    ys = [ln.y for ln in trace.lines if ln.role != FURNITURE and cols.left <= ln.words[0][0]]
    return (max(ys) if ys else trace.height) + 0.3 * _font_size(trace)


def _legend(
    pen: Any,
    font: Any,
    size: tuple[int, int],
    scale: float,
    taken: list[tuple[float, float, float, float]],
) -> None:
    items = [
        ("column start", COLUMN_COLOUR),
        ("row's own line", ANCHOR_COLOUR),
        ("cells (rows by turns)", ROW_COLOURS[0]),
        ("heading", HEADING_COLOUR),
        ("total", TOTAL_COLOUR),
        ("unplaced", UNPLACED_COLOUR),
    ]
    step = 7 * scale
    width, height = 95 * scale, step * len(items) + 6 * scale
    # In the corner where it hides fewest lines (the first of equals): bottom right, top right,
    # bottom left, top left.
    corners = [
        (size[0] - width, size[1] - height),
        (size[0] - width, 4 * scale),
        (4 * scale, size[1] - height),
        (4 * scale, 4 * scale),
    ]
    x, y = min(
        corners,
        key=lambda c: sum(
            1
            for b in taken
            if b[0] < c[0] + width and c[0] - 4 < b[2] and b[1] < c[1] + height and c[1] - 4 < b[3]
        ),
    )
    pen.rectangle((x - 4, y - 4, x + width - 4, y + height - 4), fill=(255, 255, 255, 220))
    for k, (label, colour) in enumerate(items):
        top = y + k * step
        pen.rectangle((x, top, x + 10 * scale, top + 4 * scale), fill=(*colour, 255))
        pen.text((x + 13 * scale, top - scale), label, fill=(0, 0, 0, 255), font=font)


__all__ = [
    "ANCHOR",
    "WRAP",
    "as_json",
    "document_of",
    "draw",
    "summary",
    "trace_page",
]
