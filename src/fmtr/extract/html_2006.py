"""FY2006-2007: one HTML page per region, the whole region in one eight-column table.

Layout (the region's page on state.gov, with the site's chrome around a single table)::

    Angola                                           country: one cell spanning the table
    CTFP - FY 2006 DoD Training                      heading: first cell, the others blank
    Course Title | Students | Location | Student's Unit | US Units | Total Cost | Start Date
        | End Date                                   column header, under every heading
    REGIONAL CENTERS SEMINARS | 1 | BDF | ... | - | 4285 | 6/11/2006 | 6/23/2006
    FY 2006 Program Totals | 2 | | | | $8,570 | |    programme total (fiscal-year kind)
    Angola FY 2006 Totals | 20 | | | | $235,702 | |  country total, after its last block

Columns are taken from the header row by name. A course title that wrapped in the source is
sometimes printed as a row of its own holding only the title's first line ("Democracy
Building" above "Program--German | 2 | ..."): it is joined to the front of the next row's title.
A few total rows also carry cells of a training line (location, units, dates) next to the total's
figures; those cells go to ``unplaced``. HTML has no pages: every page number is 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fmtr.extract import htmltables as ht
from fmtr.extract.model import (
    COUNTRY,
    FISCAL_YEAR,
    DocumentExtract,
    ExtractError,
    PrintedTotal,
    ProgrammeBlock,
    TrainingRow,
)
from fmtr.sources.catalog import Document

PAGE = 1

_HEADING = re.compile(r"^(?P<programme>.+?) - FY (?P<fy>\d{4}) (?P<dept>\S+) Training$")
_FY_TOTAL = re.compile(r"^FY \d{4} Program Totals$")
_COUNTRY_TOTAL = re.compile(r"^(?P<country>.+?) FY \d{4} Totals$")
# The page <title>: "IV. Country Training Activities--Africa".
_TITLE_REGION = re.compile(r"Country Training Activities\s*-+\s*(?P<region>.+)$")

_FIELDS = {
    "course title": "course_title",
    "students": "quantity",
    "location": "location",
    "student's unit": "student_unit",
    "us units": "us_unit",
    "total cost": "cost",
    "start date": "start_date",
    "end date": "end_date",
}
_HEADER_FIRST = "Course Title"
_TITLE, _QUANTITY, _COST = "course_title", "quantity", "cost"


@dataclass
class _State:
    file: str
    region: str | None
    country: str | None = None
    country_blocks: int = 0  # blocks under the current country row
    columns: list[str] | None = None  # field name per column, from the block's header row
    blocks: list[ProgrammeBlock] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)
    title_head: list[str] = field(default_factory=list)  # first lines of the next row's title

    @property
    def block(self) -> ProgrammeBlock | None:
        return self.blocks[-1] if self.blocks else None


def extract(path: Path, doc: Document) -> DocumentExtract:
    tree = ht.parse(path, doc.file)
    tables = [rows for rows in map(ht.table_rows, ht.leaf_tables(tree)) if _has_header(rows)]
    if not tables:
        raise ExtractError(doc.file, None, "no table with a 'Course Title' column header found")
    title = _TITLE_REGION.search(ht.title_of(tree) or "")
    state = _State(doc.file, title.group("region") if title else doc.entries[0].region)
    for rows in tables:
        for cells in rows:
            _take(state, cells)
    _drop_title_head(state)
    if not state.blocks:
        raise ExtractError(doc.file, None, "no programme heading found")
    return DocumentExtract(doc.file, PAGE, state.blocks, state.unplaced)


def _has_header(rows: list[ht.Cells]) -> bool:
    return any(cells[0] == _HEADER_FIRST for cells in rows)


def _take(state: _State, cells: ht.Cells) -> None:
    values = ht.filled(cells)
    if not values:
        return
    first = cells[0] or ""
    alone = len(values) == 1 and first != ""
    if len(cells) == 1:
        _drop_title_head(state)
        state.country, state.country_blocks = first, 0
    elif alone and (m := _HEADING.match(first)):
        _drop_title_head(state)
        state.blocks.append(_block(first, m, state))
        state.country_blocks += 1
        state.columns = None
    elif first == _HEADER_FIRST:
        _drop_title_head(state)
        state.columns = _columns(state, cells)
    elif _FY_TOTAL.match(first) or _COUNTRY_TOTAL.match(first):
        _drop_title_head(state)
        _add_total(state, cells, FISCAL_YEAR if _FY_TOTAL.match(first) else COUNTRY)
    elif alone and state.columns is not None:
        state.title_head.append(first)
    else:
        _add_row(state, cells)


def _block(heading: str, m: re.Match[str] | None, state: _State) -> ProgrammeBlock:
    return ProgrammeBlock(
        heading=heading,
        region=state.region,
        country=state.country,
        programme=m.group("programme") if m else None,
        fiscal_year=m.group("fy") if m else None,
        department=m.group("dept") if m else None,
        first_page=PAGE,
        last_page=PAGE,
    )


def _columns(state: _State, cells: ht.Cells) -> list[str]:
    names = [(c or "").lower() for c in cells]
    unknown = [c for c in names if c not in _FIELDS]
    if unknown:
        raise ExtractError(state.file, None, f"unknown column header {unknown[0]!r}")
    return [_FIELDS[c] for c in names]


def _add_row(state: _State, cells: ht.Cells) -> None:
    block, columns = state.block, state.columns
    if block is None or columns is None or len(cells) != len(columns):
        _drop_title_head(state)
        state.unplaced.append((PAGE, ht.line_of(cells)))
        return
    row = TrainingRow(PAGE)
    for name, value in zip(columns, cells, strict=True):
        setattr(row, name, value)
    if state.title_head:
        row.course_title = " ".join([*state.title_head, *filter(None, [row.course_title])])
        state.title_head = []
    block.rows.append(row)


def _add_total(state: _State, cells: ht.Cells, kind: str) -> None:
    if kind == COUNTRY and state.country_blocks == 0 and state.country is not None:
        # A country row with no programme under it, only its total ("Central African Republic
        # FY 2006 Totals | 0 | $0"): the total belongs to that country, in a block without rows
        # headed by the country row.
        state.blocks.append(_block(state.country, None, state))
        state.country_blocks += 1
    block, columns = state.block, state.columns
    if block is None or columns is None or len(cells) != len(columns):
        state.unplaced.append((PAGE, ht.line_of(cells)))
        return
    by_name = dict(zip(columns, cells, strict=True))
    label = cells[0] or ""
    block.totals.append(PrintedTotal(kind, label, PAGE, by_name[_QUANTITY], by_name[_COST]))
    # A handful of total rows also hold a training line's other cells (Europe: Marshall Center
    # blocks); they are no part of the total, and are kept here rather than lost.
    stray = [v for name, v in by_name.items() if v and name not in (_TITLE, _QUANTITY, _COST)]
    if stray:
        state.unplaced.append((PAGE, f"{label}: cells beside the total: {' | '.join(stray)}"))


def _drop_title_head(state: _State) -> None:
    """Title lines that no row followed: keep them as unplaced."""
    for text in state.title_head:
        state.unplaced.append((PAGE, text))
    state.title_head = []
