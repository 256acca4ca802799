"""The FY2000-2001 edition: three PDFs, two text columns per page, three cells per row.

Layout (all three files, letter pages):

- Two columns, left and right halves of the page; the left is read top to bottom, then the right.
- Each column opens with a running header naming the region and the block it starts in
  ("Africa Region, Zimbabwe, International Military Education and Training (IMET), FY 00",
  wrapped on two lines) and the column header "Title of  #  Cost". The running header repeats the
  block that continues from the previous column, or names the block whose own heading follows.
- A block heading is "Country, Programme, FY 00" (no region), wrapped on up to three lines; its
  programme may itself hold a comma ("Non-Security Assistance, Unified Command").
- Rows are one line: course title, quantity right-aligned under "#", cost right-aligned under
  "Cost"; either number may be blank. There are no units, dates or locations in this layout. A
  long title wraps its last words onto a line of their own just under the row.
- "FY 00 Totals:", "Program Totals:" (all fiscal-year blocks of that programme for that country)
  and "Country Totals:" close the blocks.

The region is printed only in the running headers ("NIS Region" for the Newly Independent
States), so a block takes the region of the last running header or, on the last page the catalog
gives a region (shared with the next region, or the file's last page), the next region once the
countries' alphabetical order starts again. Regions are stored with the catalog's names.

The three files are one report cut at page boundaries: 3164.pdf ends with the first rows of
Albania (Europe) and 3165.pdf with those of Bangladesh (South Asia); the next file goes on with
the same block, which there has no heading of its own and so takes its running header, region
prefix included, as heading. Its printed totals cover the rows of both files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
)
from fmtr.extract.pdfwords import Line, Page, Word, iter_pages
from fmtr.extract.trace import ANCHOR, FURNITURE, HEADER, HEADING, TOTAL, WRAP, Tracer
from fmtr.sources.catalog import Document

# Word positions are measured from the column's own left edge: the left column starts at the page
# margin, the right one this far left of the page's middle (both read off the three files).
_RIGHT_COLUMN_BACKSET = 40.0
# The last character of a quantity sits at 209-210 (right-aligned under "#"); headings that reach
# this band end in a fiscal year ("FY 00") and are told apart by their text.
_QTY_BAND = (198.0, 216.0)
# The last character of a cost sits at 266-267; no heading word reaches 250.
_COST_MIN_X1 = 252.0
# Rows are 9.7 pt apart and a wrapped title line sits 9.3 pt under its row; a heading is at
# least 14 pt under the line before it.
_WRAP_GAP = 12.0
# Page numbers are printed below the text block.
_FOOTER_Y = 740.0

# The regions in report order (catalog names): the three files are one report cut at page
# boundaries, so the last page of a file may already open the next file's first region.
_REPORT_REGIONS = (
    "Africa",
    "East Asia and Pacific",
    "Europe",
    "Near East",
    "Newly Independent States",
    "South Asia",
    "Western Hemisphere",
)

_NUMBER = re.compile(r"\$?[\d,.]+")
_TOTAL = re.compile(r"(FY \d{2} Totals:|Program Totals:|Country Totals:)")
_HEADING_END = re.compile(r"(?:^|,)\s*FY\s+(\d{2})$")
_RUNNING = re.compile(r"(?P<region>[A-Za-z ]+?) Region,\s*(?P<rest>.*)$")
# The country is the first part, with its "Republic Of" ("Cape Verde, Republic Of, ..."); the
# programme is the rest and may hold commas ("Miscellaneous, DoS/DoD, Non-Security Assistance").
_HEADING = re.compile(
    r"(?P<country>[^,]+(?:,\s*Republic Of)?),\s*(?P<programme>.+?),\s*(?P<fy>FY\s+\d{2})$",
    re.IGNORECASE,
)
_COLUMN_HEADER = re.compile(r"Title of\s+#\s+Cost$")
_SECTION_TITLE = re.compile(r"IV\.\s+COUNTRY TRAINING ACTIVITIES$")


@dataclass
class _Cells:
    title: list[Word]
    quantity: str | None
    cost: str | None

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.title)


def _cells(line: Line, offset: float) -> _Cells:
    """Split one line into title words, quantity and cost by where the words end."""
    words = list(line.words)
    cost = qty = None
    last = words[-1]
    if last.x1 - offset >= _COST_MIN_X1 and _NUMBER.fullmatch(last.text):
        cost = words.pop().text
    if words:
        last = words[-1]
        lo, hi = _QTY_BAND
        if lo <= last.x1 - offset <= hi and _NUMBER.fullmatch(last.text):
            qty = words.pop().text
    return _Cells(words, qty, cost)


def _total_kind(label: str) -> str:
    if label.startswith("Program"):
        return PROGRAMME
    if label.startswith("Country"):
        return COUNTRY
    return FISCAL_YEAR


@dataclass(frozen=True)
class _Heading:
    """A heading as printed, and its parts; ``region`` is set for a running header only."""

    text: str
    region: str | None
    country: str | None
    programme: str | None
    fiscal_year: str | None

    @property
    def key(self) -> tuple[str, ...]:
        """The block it names, whatever the wrapping, spacing or region prefix."""
        if self.country is None:
            return (re.sub(r"\s+", " ", self.text).casefold(),)
        parts = (self.country, self.programme or "", self.fiscal_year or "")
        return tuple(re.sub(r"\s+", " ", p).casefold() for p in parts)


def _parse_heading(text: str) -> _Heading:
    region = None
    rest = text
    running = _RUNNING.match(text)
    if running:
        region, rest = running.group("region"), running.group("rest")
    m = _HEADING.match(rest)
    if m is None:
        return _Heading(text, region, None, None, None)
    fy = re.sub(r"\s+", " ", m.group("fy"))
    return _Heading(text, region, m.group("country").strip(), m.group("programme").strip(), fy)


def _block_key(block: ProgrammeBlock) -> tuple[str, ...]:
    return _parse_heading(block.heading).key


@dataclass
class _State:
    doc: Document
    regions: list[str]  # regions in report order, catalog names
    region_index: int
    blocks: list[ProgrammeBlock] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # heading lines not yet ended by "FY nn"
    pending_page: int = 0
    # A running header naming a block other than the current one: the block starts with the
    # next row or total unless its own heading comes first.
    waiting: _Heading | None = None
    trace: Tracer | None = None  # fmtr debug-page's: told what each line was taken for

    @property
    def block(self) -> ProgrammeBlock | None:
        return self.blocks[-1] if self.blocks else None

    def flush_pending(self) -> None:
        """Heading lines that never reached their "FY nn" are kept, not dropped."""
        if self.pending:
            self.unplaced.append((self.pending_page, " ".join(self.pending)))
            self.pending = []

    # -- regions -----------------------------------------------------------------------------

    def set_printed_region(self, printed: str, page: int) -> None:
        name = _catalog_region(printed, self.regions)
        if name is None:
            self.unplaced.append((page, f"unknown region in running header: {printed}"))
            return
        self.region_index = self.regions.index(name)

    def maybe_next_region(self, country: str, page: int) -> None:
        """Move to the next region where the alphabetical order of countries starts again on the
        last page the catalog gives the current region (a page shared by two regions, or the
        last page of a file whose next region goes on in the next file)."""
        prev = self.block
        if prev is None or prev.country is None or self.region_index + 1 >= len(self.regions):
            return
        if country.casefold() >= prev.country.casefold():
            return
        current = self.regions[self.region_index]
        ends = [e.last_pdf_page for e in self.doc.entries if e.region == current]
        if not ends or any(end is None or page >= end for end in ends):
            self.region_index += 1

    # -- headings ----------------------------------------------------------------------------

    def heading_line(self, text: str, page: int) -> None:
        if not self.pending:
            self.pending_page = page
        self.pending.append(text)
        joined = " ".join(self.pending)
        if _HEADING_END.search(joined):
            self.pending = []
            self.heading(_parse_heading(joined), self.pending_page)

    def heading(self, heading: _Heading, page: int) -> None:
        cur = self.block
        if heading.region is not None:  # a column's running header
            self.set_printed_region(heading.region, page)
            same = cur is not None and heading.key == _block_key(cur)
            self.waiting = None if same else heading
            return
        self.waiting = None
        if cur is not None and not cur.rows and not cur.totals and heading.key == _block_key(cur):
            return  # the heading printed again under a running header: same block
        self.start_block(heading, page)

    def start_block(self, heading: _Heading, page: int) -> None:
        cur = self.block
        if heading.country is not None and (cur is None or cur.country != heading.country):
            self.maybe_next_region(heading.country, page)
        self.blocks.append(
            ProgrammeBlock(
                heading=heading.text,
                region=self.regions[self.region_index],
                country=heading.country,
                programme=heading.programme,
                fiscal_year=heading.fiscal_year,
                department=None,
                first_page=page,
                last_page=page,
            )
        )

    def body_block(self, page: int) -> ProgrammeBlock | None:
        """The block a row or total belongs to. A block whose own heading is not in this file
        (it began on the last page of the previous file) starts from the running header."""
        self.flush_pending()
        if self.waiting is not None:
            heading, self.waiting = self.waiting, None
            self.start_block(heading, page)
        return self.block


def _catalog_region(printed: str, regions: list[str]) -> str | None:
    for name in regions:
        if name.casefold() == printed.casefold():
            return name
    for name in regions:  # "NIS" for "Newly Independent States"
        initials = "".join(w[0] for w in name.split() if w[0].isupper())
        if initials == printed:
            return name
    return None


def _is_row(cells: _Cells, state: _State) -> bool:
    if cells.cost is not None:
        return True
    # A heading line may end with its fiscal year in the quantity column ("..., FY 00").
    return cells.quantity is not None and not state.pending and not cells.text.endswith("FY")


def _read_column(state: _State, page: int, lines: list[Line], offset: float) -> None:
    last_row_y: float | None = None  # baseline of the row just read in this column
    # A heading left open at the foot of the previous column would swallow this column's running
    # header; keep its lines as unplaced (the running header names the block anyway).
    state.flush_pending()
    trace = state.trace
    for line in lines:
        text = line.text
        words = [(w.x0, w.text) for w in line.words] if trace is not None else []
        if _COLUMN_HEADER.match(text) or _SECTION_TITLE.match(text):
            if trace is not None:
                trace.line(page, line.y, words, HEADER)
            continue
        cells = _cells(line, offset)
        total = _TOTAL.match(text)
        role = HEADING
        if total:
            _add_total(state, page, total.group(1), cells)
            last_row_y = None
            role = TOTAL
        elif _is_row(cells, state):
            _add_row(state, page, cells, text)
            last_row_y = line.y
            role = ANCHOR
        elif last_row_y is not None and cells.quantity is None and line.y - last_row_y < _WRAP_GAP:
            # A course title wrapped under its own row ("AMPHIB WARFARE SCHOOL" / "USMC").
            _wrap_title(state, text)
            last_row_y = None
            role = WRAP
        else:
            state.heading_line(text, page)
            last_row_y = None
        if trace is not None:
            trace.line(page, line.y, words, role)
            if role in (ANCHOR, WRAP) and state.blocks and state.blocks[-1].rows:
                row = state.blocks[-1].rows[-1]
                shown = {"course_title": cells.text, "quantity": cells.quantity, "cost": cells.cost}
                if role == WRAP:
                    shown = {"course_title": text}
                trace.cells(row, page, line.y, words, shown, anchor=role == ANCHOR)


def _add_row(state: _State, page: int, cells: _Cells, text: str) -> None:
    block = state.body_block(page)
    if block is None:
        state.unplaced.append((page, text))
        return
    block.rows.append(
        TrainingRow(
            page=page,
            course_title=cells.text or None,
            quantity=cells.quantity,
            cost=cells.cost,
        )
    )
    block.last_page = page


def _wrap_title(state: _State, text: str) -> None:
    row = state.blocks[-1].rows[-1]
    row.course_title = f"{row.course_title} {text}" if row.course_title else text


def _add_total(state: _State, page: int, label: str, cells: _Cells) -> None:
    block = state.body_block(page)
    if block is None:
        state.unplaced.append((page, " ".join([label, cells.quantity or "", cells.cost or ""])))
        return
    block.totals.append(
        PrintedTotal(
            kind=_total_kind(label),
            label=label,
            page=page,
            quantity=cells.quantity,
            cost=cells.cost,
        )
    )
    block.last_page = page


def _pages_to_read(doc: Document) -> list[tuple[int, int | None]]:
    """Page ranges of the catalog entries, merged (neighbouring regions share a page)."""
    if any(e.first_pdf_page is None for e in doc.entries):
        return [(1, None)]
    spans = sorted((e.first_pdf_page or 1, e.last_pdf_page or 1) for e in doc.entries)
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _region_order(doc: Document) -> list[str]:
    listed = list(dict.fromkeys(e.region for e in doc.entries))
    return list(_REPORT_REGIONS) if set(listed) <= set(_REPORT_REGIONS) else listed


def _columns(page: Page) -> tuple[list[Line], list[Line]]:
    """The lines of the left and right columns, each top to bottom, without the page number."""
    middle = page.width / 2
    left: list[Line] = []
    right: list[Line] = []
    for line in page.lines:
        if line.y > _FOOTER_Y:
            continue
        if line.words[-1].x0 < middle or line.x0 >= middle:
            (left if line.x0 < middle else right).append(line)
            continue
        # PDFium may put both columns' words on one line when their baselines agree.
        left.append(Line([w for w in line.words if w.x0 < middle]))
        right.append(Line([w for w in line.words if w.x0 >= middle]))
    left.sort(key=lambda ln: ln.y)
    right.sort(key=lambda ln: ln.y)
    return left, right


def _trace_page(trace: Tracer, page: Page, left: list[Line], right: list[Line]) -> None:
    """The page's size, its page number (not read) and, for each text column, where its
    quantities end (a band) and where its costs end: this layout's cells are told apart by
    where their words end, not where they start."""
    trace.size(page.number, page.width, page.height)
    middle = page.width / 2
    for line in page.lines:
        if line.y > _FOOTER_Y:
            trace.line(page.number, line.y, [(w.x0, w.text) for w in line.words], FURNITURE)
    lo, hi = _QTY_BAND
    for lines, edges, offset in (
        (left, (0.0, middle), 0.0),
        (right, (middle, page.width), middle - _RIGHT_COLUMN_BACKSET),
    ):
        header = next((ln for ln in lines if _COLUMN_HEADER.match(ln.text)), None)
        top = header.y if header is not None else lines[0].y if lines else 0.0
        ends = [
            ("quantity ends", offset + lo),
            ("", offset + hi),
            ("cost ends", offset + _COST_MIN_X1),
        ]
        trace.columns(page.number, top, *edges, ends, ends=True)


def extract(path: Path, doc: Document, trace: Tracer | None = None) -> DocumentExtract:
    """Extract one file of the FY2000-2001 edition (the pages its catalog entries give);
    ``trace``: told what was seen on its page (fmtr debug-page)."""
    regions = _region_order(doc)
    opening = doc.entries[0].region
    state = _State(doc, regions, regions.index(opening) if opening in regions else 0)
    state.trace = trace
    pages = 0
    for first, last in _pages_to_read(doc):
        for page in iter_pages(path, first, last, doc.file, ends="all"):
            pages += 1
            left, right = _columns(page)
            if trace is not None:
                _trace_page(trace, page, left, right)
            _read_column(state, page.number, left, 0.0)
            _read_column(state, page.number, right, page.width / 2 - _RIGHT_COLUMN_BACKSET)
    state.flush_pending()
    if not state.blocks:
        raise ExtractError(
            doc.file, None, "no programme heading found: not a FY2000-2001 training report"
        )
    return DocumentExtract(doc.file, pages, state.blocks, state.unplaced)
