"""FY1999-2000: HTML pages, one table per page with three cells a row.

Layout (16 files, one per run of countries of a region)::

    <I>Africa Region</I>                                   region caption above the table
    Benin, International Military Education And Training  heading, one cell, wrapping onto
     (IMET), FY 99                                          one more row; ends with the FY
    AIR COMD & STAFF COLLEGE | 1 | $9,630                  course title | quantity | cost
    JCET: SOF METL TNG: SMALL | 35 | $167,000
    UNIT                                                   wrapped title: a one-cell row
    FY 99 Totals: | 55 | $107,631                          fiscal-year total
    Program Totals: | ...                                  all FY blocks of the programme
    Country Totals: | ...                                  all programmes of the country

The edition covers two fiscal years, so a programme has an "FY 99" and/or an "FY 00" block;
each is a ProgrammeBlock, and "Program Totals:" goes on the last of them. Some rows print
no cost (a two-cell row): cost is None. HTML has no pages: every page number is 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from fmtr.extract import htmltables as ht
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
from fmtr.sources.catalog import Document

PAGE = 1

# A heading ends with its fiscal year; one file also prefixes the region ("South Asia Region,
# Sri Lanka, Asia Pacific Center, FY 00").
# Once the year is missing ("Saudi Arabia, Miscellaneous DoD-DoS Activities, FY ": its totals say
# "FY 00"); fiscal_year is then "FY", as printed.
_HEADING = re.compile(r"^(?:(?P<region>[^,]+ Regions?), )?(?P<body>.+), (?P<fy>FY(?: ?\d\d)?)$")
# "Cape Verde, Republic Of, International Military ...": the country name holds a comma.
_COUNTRY_TAIL = re.compile(r"^(?:Republic Of|Democratic Republic Of|The)$", re.IGNORECASE)
_TOTAL = re.compile(
    r"^(?:(?P<fy>FY ?\d\d) Totals|(?P<prog>Program) Totals|(?P<country>Country) Totals) ?:?$",
    re.IGNORECASE,
)
# The column header, printed once (cta_sasia_all.html, where the PDF's page break was kept).
_COLUMN_HEADER = re.compile(r"^Title of\b", re.IGNORECASE)
_CAPTION = re.compile(r"^(?P<region>.*\bRegions?)(?: ?\(Continued\))?$", re.IGNORECASE)


@dataclass
class _State:
    file: str
    region: str | None
    blocks: list[ProgrammeBlock] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)
    fragments: list[str] = field(default_factory=list)  # consecutive one-cell rows
    last_row: TrainingRow | None = None  # the row a wrapped title line would continue

    @property
    def block(self) -> ProgrammeBlock | None:
        return self.blocks[-1] if self.blocks else None


def extract(path: Path, doc: Document) -> DocumentExtract:
    tree = ht.parse(path, doc.file)
    tables = [rows for rows in map(ht.table_rows, ht.leaf_tables(tree)) if _is_report_table(rows)]
    if not tables:
        raise ExtractError(doc.file, None, "no programme heading or totals table found")
    state = _State(doc.file, _region_caption(tree) or doc.entries[0].region)
    for rows in tables:
        for cells in rows:
            _take(state, cells)
    _flush(state)
    if not state.blocks:
        raise ExtractError(doc.file, None, "no programme heading found")
    return DocumentExtract(doc.file, PAGE, state.blocks, state.unplaced)


def _is_report_table(rows: list[ht.Cells]) -> bool:
    return any(
        _TOTAL.match(cells[0] or "") or _HEADING.match(cells[0] or "")
        for cells in rows
        if ht.filled(cells)
    )


def _region_caption(tree: LexborHTMLParser) -> str | None:
    """ "Africa Region (Continued)" printed in italics above the table, without "(Continued)"."""
    for node in tree.css("i"):
        text = ht.cell_text(node)
        m = _CAPTION.match(text or "")
        if m:
            return m.group("region")
    return None


def _take(state: _State, cells: ht.Cells) -> None:
    values = ht.filled(cells)
    if not values:
        return
    if len(values) == 1 and cells[0] is not None:
        # A heading line or a wrapped course title: which one shows only once the run ends.
        state.fragments.append(cells[0])
        return
    if cells[0] is None and len(values) == 1:
        _flush(state)
        state.unplaced.append((PAGE, ht.line_of(cells)))
        return
    _flush(state)
    first = cells[0] or ""
    if _COLUMN_HEADER.match(first):
        return
    total = _TOTAL.match(first)
    if total:
        _add_total(state, cells, total)
    else:
        _add_row(state, cells)


def _flush(state: _State) -> None:
    if not state.fragments:
        return
    text = " ".join(state.fragments)
    state.fragments = []
    m = _HEADING.match(text)
    if m:
        _open_block(state, _block(text, m, state.region))
    elif state.last_row is not None:
        state.last_row.course_title = " ".join(filter(None, (state.last_row.course_title, text)))
    else:
        state.unplaced.append((PAGE, text))


def _open_block(state: _State, block: ProgrammeBlock) -> None:
    state.last_row = None
    last = state.block
    # Where the PDF's page break survived, the heading is printed twice around the column header
    # (once with the region before it): one block, under the second heading.
    if last is not None and not last.rows and not last.totals and _same_block(last, block):
        state.blocks.pop()
        if last.region and last.heading.startswith(f"{last.region}, "):
            block.region = last.region
    state.blocks.append(block)


def _same_block(a: ProgrammeBlock, b: ProgrammeBlock) -> bool:
    return (a.country, a.programme, a.fiscal_year) == (b.country, b.programme, b.fiscal_year)


def _block(heading: str, m: re.Match[str], region: str | None) -> ProgrammeBlock:
    parts = m.group("body").split(", ")
    n_country = 2 if len(parts) > 2 and _COUNTRY_TAIL.match(parts[1]) else 1
    return ProgrammeBlock(
        heading=heading,
        region=m.group("region") or region,
        country=", ".join(parts[:n_country]),
        programme=", ".join(parts[n_country:]) or None,
        fiscal_year=m.group("fy"),
        department=None,
        first_page=PAGE,
        last_page=PAGE,
    )


def _add_total(state: _State, cells: ht.Cells, m: re.Match[str]) -> None:
    state.last_row = None
    block = state.block
    if block is None:
        state.unplaced.append((PAGE, ht.line_of(cells)))
        return
    kind = FISCAL_YEAR if m.group("fy") else PROGRAMME if m.group("prog") else COUNTRY
    quantity, cost = _cell(cells, 1), _cell(cells, 2)
    block.totals.append(PrintedTotal(kind, cells[0] or "", PAGE, quantity, cost))
    _keep_extra(state, cells, 3)


def _add_row(state: _State, cells: ht.Cells) -> None:
    block = state.block
    if block is None:
        state.last_row = None
        state.unplaced.append((PAGE, ht.line_of(cells)))
        return
    row = TrainingRow(PAGE, course_title=cells[0], quantity=_cell(cells, 1), cost=_cell(cells, 2))
    block.rows.append(row)
    state.last_row = row
    _keep_extra(state, cells, 3)


def _cell(cells: ht.Cells, i: int) -> str | None:
    return cells[i] if i < len(cells) else None


def _keep_extra(state: _State, cells: ht.Cells, width: int) -> None:
    """Cells beyond the layout's columns are not expected; keep them rather than lose them."""
    extra = ht.filled(cells[width:])
    if extra:
        state.unplaced.append((PAGE, f"{ht.line_of(cells)} (cells beyond column {width})"))
