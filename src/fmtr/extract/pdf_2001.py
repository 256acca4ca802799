"""The FY2001-2002 .. FY2005-2006 layout: one block per "<Dept> <Region> Region, <Country>,
<Programme>, FY nn" line, training rows below it, then "FY nn Totals:", "Program Totals:" and,
after a country's last block, "Country Totals:".

What the pages look like, and why the code is shaped this way:

- Every page is stored portrait and shown rotated by 90 degrees. PDFium reports character origins
  in the unrotated space, so a word's horizontal position on the shown page is the page height
  minus its ``y`` and its vertical position is its ``x0``. The end of a word is not known there
  (``x1`` equals ``x0``), so columns are assigned by where words start.
- The column layout is the same in all five editions, shifted as a whole per page. It is
  anchored on the column header's first word ("Title"), which sits where the department lines
  start and 4 pt right of the training titles. Pages without a column header (a region file's
  first page, which is the shared page of the official report) have department lines to anchor on.
- The heading printed at the top of a page names the block started last on the previous page,
  even when that block has ended there, so it is ignored: only department lines open blocks.
- Wrapped cells are top-aligned: their further lines sit below the row's own line and carry no
  quantity, cost or date. A row's line is the only one with any of those.
- The official report's pages were cut into region files; where a page was shared by two regions
  (FY2001-2002), both files hold it whole. Each file keeps only the blocks of its own catalog
  region (the neighbouring file holds the others, whole). Lines at the top of a file's first page
  that end a block of the previous region have no block here: they go to ``unplaced`` (the
  catalog's page range of the previous file may leave them out, so they are kept).
- On a few rows the printer pushed the cells after an over-long one a column to the right: the
  cost sits under "Start", a date under "End" and the last date wraps to the next line under
  "Title". Those rows are recognised by a cell that cannot be what its column holds (a cost that
  is not an amount, a date that is not a date) and their right-hand words are reassigned in
  order: amounts to cost, dates to start and end (the wrapped date included), the rest to the
  US unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fmtr.extract.model import (
    COUNTRY,
    FISCAL_YEAR,
    PROGRAMME,
    DocumentExtract,
    ExtractError,
    PrintedTotal,
    ProgrammeBlock,
    TrainingRow,
    join_lines,
)
from fmtr.extract.pdfwords import RUN_MARK, Page, iter_pages
from fmtr.extract.trace import ANCHOR, FURNITURE, HEADER, HEADING, OTHER, TOTAL, WRAP, Tracer
from fmtr.sources.catalog import Document

_REGIONS = (
    "East Asia and Pacific",
    "Western Hemisphere",
    "Newly Independent States",
    "Near East",
    "South Asia",
    "Africa",
    "Europe",
    "NIS",
)
_REGION = "|".join(re.escape(r) for r in _REGIONS)
# A heading may print no region and no country: "DOD Region, , DoD Regional Centers ...,FY04".
_HEADING = re.compile(
    rf"^(?P<dept>[A-Za-z]{{2,5}}) (?:(?P<region>{_REGION}) )?Region, "
    r"(?P<rest>.*?), ?(?P<fy>FY ?\d\d)$"
)
_CATALOG_NAMES = {"NIS": "Newly Independent States"}
# Country names that carry a comma ("Cape Verde, Republic Of", "Korea, Republic of"): the part
# after the comma is one of these, never a programme name.
_COUNTRY_TAIL = re.compile(
    r"^(?:(?:Democratic |Federal |Islamic |People's )?Republic [Oo]f(?: [Tt]he)?|[Tt]he)$"
)
_TOTAL = re.compile(
    r"^(?:(?P<fy>FY ?\d\d Totals:)|(?P<prog>Program Totals:)|(?P<cty>Country Totals:))"
)
_FOOTER = re.compile(r"^IV-\d+$")
_NUMBER = re.compile(r"^[\d,]+$")
_AMOUNT = re.compile(r"^\$?[\d,]+(?:\.\d+)?$")
_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$")

# Column starts, in points right of the anchor (the column header's "Title").
_TITLE_INDENT = 4.0  # titles start this far left of the anchor
_QTY_FROM = 105.0  # a quantity is right-aligned to about +134; titles rarely reach +105
# A location's first line starts at +138 (its cell opens with a space), its wrapped lines at
# +136.5; quantities end at +134.
_LOCATION = 135.0
_STUDENT = 272.0
_US_UNIT = 397.0  # US units start at +397.5; student units run on to +396.4
_COST = 566.0
_START = 612.0
_END = 646.0
# Where the column header's words sit when the layout is the known one (tolerance 5 pt).
_HEADER_AT = {"Location": 185.0, "Cost": 577.0}
_COLUMNS = (
    "course_title",
    "quantity",
    "location",
    "student_unit",
    "us_unit",
    "cost",
    "start_date",
    "end_date",
)


@dataclass(slots=True)
class _Line:
    y: float  # vertical position on the shown page
    words: list[tuple[float, str]]  # (horizontal start on the shown page, text), left to right

    @property
    def text(self) -> str:
        # A word PDFium read as one and pdfwords cut in two runs is one word again here.
        return " ".join(t for _, t in self.words).replace(" " + RUN_MARK, "")


@dataclass
class _State:
    """What carries over from one page to the next."""

    doc: DocumentExtract
    source: Document
    anchor: float | None = None
    block: ProgrammeBlock | None = None
    row: TrainingRow | None = None  # the row that a wrapped line would continue
    end_wrapped: bool = False  # the row's end date went to the next line (a shifted row)
    foreign: bool = False  # inside a block of another region file
    trace: Tracer | None = None  # fmtr debug-page's: told what each line was taken for


def extract(path: Path, doc: Document, trace: Tracer | None = None) -> DocumentExtract:
    """Extract every programme block of one FY2001-2005 report file; ``trace``: told what was
    seen on its page (fmtr debug-page)."""
    state = _State(DocumentExtract(file=doc.file, pages=0), doc, trace=trace)
    for first, last in _page_ranges(doc):
        for page in iter_pages(path, first, last, doc.file, runs=True):
            state.doc.pages += 1
            _read_page(page, state)
    if not state.doc.blocks:
        raise ExtractError(
            doc.file, None, "no programme heading found: not a FY2001-2005 training report"
        )
    return state.doc


def _page_ranges(doc: Document) -> list[tuple[int, int | None]]:
    """The union of the catalog's page ranges, merged, in page order."""
    if any(e.first_pdf_page is None for e in doc.entries):
        return [(1, None)]
    spans = sorted((e.first_pdf_page or 1, e.last_pdf_page or 1) for e in doc.entries)
    merged: list[tuple[int, int | None]] = []
    for a, b in spans:
        prev = merged[-1][1] if merged else None
        if merged and prev is not None and a <= prev + 1:
            merged[-1] = (merged[-1][0], max(prev, b))
        else:
            merged.append((a, b))
    return merged


def _shown_lines(page: Page) -> list[_Line]:
    """The page's lines as shown (rotation undone), top to bottom, words left to right."""
    rotated = any(
        len(ln.words) > 1 and ln.words[0].x0 == ln.words[-1].x0 and ln.words[0].y != ln.words[-1].y
        for ln in page.lines
    )
    h = page.height
    lines = [
        _Line(raw.words[0].x0, [(h - w.y, w.text) for w in raw.words])
        if rotated
        else _Line(raw.words[0].y, [(w.x0, w.text) for w in raw.words])
        for raw in page.lines
    ]
    lines.sort(key=lambda ln: ln.y)
    # PDFium may cut one printed line in two (separate text objects): glue them back.
    merged: list[_Line] = []
    for line in lines:
        if merged and abs(merged[-1].y - line.y) < 1.5:
            merged[-1].words.extend(line.words)
        else:
            merged.append(line)
    for line in merged:
        line.words.sort(key=lambda w: w[0])
    return merged


def _is_header(line: _Line) -> bool:
    words = {t for _, t in line.words}
    return line.words[0][1] == "Title" and {"Location", "Cost"} <= words


def _read_page(page: Page, state: _State) -> None:
    lines = _shown_lines(page)
    header = next((i for i, ln in enumerate(lines) if _is_header(ln)), None)
    top = 0.0  # where the columns start: the column header, when the page has one
    if header is not None:
        top = lines[header].y
        state.anchor = lines[header].words[0][0]
        _check_header(lines[header], state.anchor, page.number, state.doc.file)
        if state.trace is not None:
            _trace_header(state.trace, page, lines[: header + 1])
        # Above the column header: the running heading and, on the first page, the note.
        lines = lines[header + 1 :]
    elif state.anchor is None and lines:
        # Titles start 4 pt left of the anchor and nothing starts further left; department lines
        # start only near the anchor (up to 2 pt off), too loosely to anchor on.
        state.anchor = min(ln.words[0][0] for ln in lines) + _TITLE_INDENT
    if state.trace is not None:
        state.trace.size(page.number, page.width, page.height)
        if state.anchor is not None:
            starts = [
                (name, state.anchor + rel)
                for name, rel in (
                    ("course_title", -_TITLE_INDENT - 1),  # nothing starts left of it
                    ("quantity", _QTY_FROM),
                    ("location", _LOCATION),
                    ("student_unit", _STUDENT),
                    ("us_unit", _US_UNIT),
                    ("cost", _COST),
                    ("start_date", _START),
                    ("end_date", _END),
                )
            ]
            state.trace.columns(page.number, top, None, None, starts)
    for line in lines:
        _read_line(line, page.number, state)


def _trace_header(trace: Tracer, page: Page, lines: list[_Line]) -> None:
    """The column header, and the running heading above it (not read: see the module's doc)."""
    for k, line in enumerate(lines):
        trace.line(page.number, line.y, line.words, HEADER if k == len(lines) - 1 else FURNITURE)


def _trace(state: _State, page: int, line: _Line, role: str) -> None:
    if state.trace is not None:
        state.trace.line(page, line.y, line.words, role)


def _ours(region: str | None, page: int, state: _State) -> bool:
    """Whether a heading's region is the catalog region of this page of the file."""
    catalog = state.source.region_of_page(page)
    if region is None or catalog == "All regions":
        return True
    return _CATALOG_NAMES.get(region, region) == catalog


def _check_header(line: _Line, anchor: float, page: int, file: str) -> None:
    for word, rel in _HEADER_AT.items():
        x = next(x for x, t in line.words if t == word)
        if abs(x - anchor - rel) > 5:
            raise ExtractError(file, page, f"column header not in the known layout ({word!r})")


def _read_line(line: _Line, page: int, state: _State) -> None:
    text = line.text
    if _FOOTER.match(text):
        _trace(state, page, line, FURNITURE)
        return
    heading = _HEADING.match(text)
    if heading:
        _trace(state, page, line, HEADING)
        state.foreign = not _ours(heading["region"], page, state)
        state.block, state.row = None, None
        if not state.foreign:
            _open_block(heading, text, page, state)
        return
    if state.foreign:
        _trace(state, page, line, OTHER)
        return
    if state.anchor is None or state.block is None:
        _trace(state, page, line, OTHER)
        state.doc.unplaced.append((page, text))
        return
    cells = _cells(line, state.anchor)
    total = _TOTAL.match(text)
    if total:
        _trace(state, page, line, TOTAL)
        _add_total(total, cells, page, state)
        return
    if any(cells[c] for c in ("quantity", "cost", "start_date", "end_date")):
        state.end_wrapped = _is_shifted(cells)
        if state.end_wrapped:
            state.end_wrapped = _unshift(cells)
        row = TrainingRow(
            page,
            course_title=cells["course_title"],
            us_unit=cells["us_unit"],
            student_unit=cells["student_unit"],
            location=cells["location"],
            quantity=cells["quantity"],
            cost=cells["cost"],
            start_date=cells["start_date"],
            end_date=cells["end_date"],
        )
        state.block.rows.append(row)
        state.block.last_page = page
        state.row = row
        if state.trace is not None:
            _trace(state, page, line, ANCHOR)
            state.trace.cells(row, page, line.y, line.words, cells, anchor=True)
    elif state.row is not None:
        taken = None
        if state.end_wrapped:
            taken = _take_wrapped_date(state.row, cells)
            state.end_wrapped = False
        _continue_row(state.row, cells, page)
        state.block.last_page = page
        if state.trace is not None:
            _trace(state, page, line, WRAP)
            shown = {"end_date": taken, **cells} if taken else cells
            state.trace.cells(state.row, page, line.y, line.words, shown, anchor=False)
    else:
        _trace(state, page, line, OTHER)
        state.doc.unplaced.append((page, text))


def _is_shifted(cells: dict[str, str | None]) -> bool:
    cost, start, end = cells["cost"], cells["start_date"], cells["end_date"]
    return bool(
        (cost and not _AMOUNT.match(cost))
        or (start and not _DATE.match(start))
        or (end and not _DATE.match(end))
    )


def _unshift(cells: dict[str, str | None]) -> bool:
    """Reassign a shifted row's right-hand words; True when its end date wrapped below."""
    words: list[str] = []
    for col in ("us_unit", "cost", "start_date", "end_date"):
        words += (cells[col] or "").split()
    amounts = [w for w in words if w.startswith("$") and _AMOUNT.match(w)]
    dates = [w for w in words if _DATE.match(w)]
    rest = [w for w in words if w not in amounts and w not in dates]
    cells["us_unit"] = " ".join(rest) or None
    cells["cost"] = " ".join(amounts) or None
    cells["start_date"] = dates[0] if dates else None
    cells["end_date"] = " ".join(dates[1:]) or None
    return len(dates) == 1


def _take_wrapped_date(row: TrainingRow, cells: dict[str, str | None]) -> str | None:
    """The end date a shifted row wrapped to its next line, moved to the row; None if none."""
    first, _, rest = (cells["course_title"] or "").partition(" ")
    if _DATE.match(first) and row.end_date is None:
        row.end_date = first
        cells["course_title"] = rest or None
        return first
    return None


def _open_block(m: re.Match[str], text: str, page: int, state: _State) -> None:
    country, programme = _split_country(m["rest"])
    block = ProgrammeBlock(
        heading=text,
        region=m["region"],
        country=country or None,
        programme=programme or None,
        fiscal_year=m["fy"],
        department=m["dept"],
        first_page=page,
        last_page=page,
    )
    state.doc.blocks.append(block)
    state.block, state.row = block, None


def _split_country(rest: str) -> tuple[str, str]:
    parts = rest.split(", ")
    n = 2 if len(parts) > 2 and _COUNTRY_TAIL.match(parts[1]) else 1
    return ", ".join(parts[:n]), ", ".join(parts[n:])


def _cells(line: _Line, anchor: float) -> dict[str, str | None]:
    """Split a line's words into the report's columns by where each word starts."""
    parts: dict[str, list[str]] = {c: [] for c in _COLUMNS}
    words = line.words
    last_column = ""
    for i, (x, t) in enumerate(words):
        rel = x - anchor
        if rel < _LOCATION:
            # A right-aligned quantity is the last word before the location column.
            nxt = words[i + 1][0] - anchor if i + 1 < len(words) else _LOCATION
            is_qty = rel >= _QTY_FROM and nxt >= _LOCATION and _NUMBER.match(t.lstrip(RUN_MARK))
            column = "quantity" if is_qty else "course_title"
        elif rel < _STUDENT:
            column = "location"
        elif rel < _US_UNIT:
            column = "student_unit"
        elif rel < _COST:
            column = "us_unit"
        elif rel < _START:
            column = "cost"
        elif rel < _END:
            column = "start_date"
        else:
            column = "end_date"
        if t.startswith(RUN_MARK):
            # The second run of a word PDFium read as one (pdfwords.RUN_MARK): the same word
            # again when it stands in the column of the first run.
            t = t[1:]
            if column == last_column and parts[column]:
                parts[column][-1] += t
                continue
        parts[column].append(t)
        last_column = column
    return {c: (" ".join(v) if v else None) for c, v in parts.items()}


def _continue_row(row: TrainingRow, cells: dict[str, str | None], page: int) -> None:
    for col, value in cells.items():
        if value:
            old = getattr(row, col)
            setattr(row, col, join_lines([old, value]) if old else value)
    if page != row.page:
        row.last_page = page


def _add_total(m: re.Match[str], cells: dict[str, str | None], page: int, state: _State) -> None:
    assert state.block is not None
    kind = FISCAL_YEAR if m.group("fy") else PROGRAMME if m.group("prog") else COUNTRY
    label = m.group(0)
    rest = (cells["course_title"] or "")[len(label) :].strip()
    total = PrintedTotal(kind, label, page, cells["quantity"], cells["cost"])
    state.block.totals.append(total)
    state.block.last_page = page
    # Nothing below a total continues the row above it.
    state.row = None
    stray = [v for v in (rest, cells["location"], cells["student_unit"], cells["us_unit"]) if v]
    stray += [v for v in (cells["start_date"], cells["end_date"]) if v]
    if stray:
        state.doc.unplaced.append((page, " ".join(stray)))
