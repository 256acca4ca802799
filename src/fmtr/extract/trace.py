"""What a layout module saw on one page, as plain data: for `fmtr debug-page` (fmtr.extract.debug).

A layout module given a ``Tracer`` reports to it, as it reads, the lines of the traced page with
what it took each for (a column header, a heading, a row's own line, a wrapped cell line, a
total...), the column starts it placed words by, and the cells of every row that has a line on
that page. It reports and never asks: its output is the same with or without a tracer (a test
compares them), and without one (the build) it costs one ``is None`` test per line or row.

Coordinates are PDF points on the page as shown (its /Rotate undone, as the layout modules read
it), from the top-left corner: ``x`` where a word starts, ``y`` a line's baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from fmtr.extract.model import TrainingRow
from fmtr.extract.pdfwords import RUN_MARK

# What a module took a line for.
HEADER = "header"  # a column header (or the section title above the tables)
HEADING = "heading"  # a programme heading, a running header, a country name
ANCHOR = "anchor"  # a row's own line: the one holding its quantity, cost or dates
WRAP = "wrap"  # a further line of a row's wrapped cells
TOTAL = "total"  # a printed total line
FURNITURE = "furniture"  # page number, running footer: not read
OTHER = "other"  # read, and left for later (a country name, a line of another region's block)
ROLES = (HEADER, HEADING, ANCHOR, WRAP, TOTAL, FURNITURE, OTHER)


@dataclass
class TracedLine:
    y: float
    words: list[tuple[float, str]]  # (x where the word starts, text), left to right
    role: str  # one of ROLES

    @property
    def text(self) -> str:
        return " ".join(t for _, t in self.words)


@dataclass
class Columns:
    """The column starts a module placed words by, from ``top`` down, between ``left`` and
    ``right`` (one set per column header; two for a page of two text columns)."""

    top: float
    left: float
    right: float
    starts: list[tuple[str, float]]  # (field, x), left to right
    # True: the xs are where a column's words end (right-aligned cells), not where they start.
    ends: bool = False


@dataclass
class TracedCell:
    field: str
    page: int
    y: float  # the baseline of its line
    x0: float | None  # where its first word starts (None: its words were not found on the line)
    x1: float | None  # where its last word starts
    text: str


@dataclass
class TracedRow:
    row: TrainingRow  # the row the module gave (the same object it put in its blocks)
    page: int  # the page of its own line
    anchor_y: float  # the baseline of its own line
    cells: list[TracedCell] = field(default_factory=list)


@dataclass
class PageTrace:
    file: str
    page: int
    family: str
    width: float = 0.0  # points, as shown
    height: float = 0.0
    columns: list[Columns] = field(default_factory=list)
    lines: list[TracedLine] = field(default_factory=list)
    rows: list[TracedRow] = field(default_factory=list)
    # Lines the module could not place on this page (DocumentExtract.unplaced), with the traced
    # line each was found on (its index in ``lines``, None when not found).
    unplaced: list[tuple[str, int | None]] = field(default_factory=list)

    @property
    def cell_count(self) -> int:
        return sum(1 for r in self.rows for c in r.cells if c.page == self.page)


class Tracer:
    """Collects the trace of page ``page`` while a layout module reads its document."""

    def __init__(self, file: str, page: int, family: str) -> None:
        self.page = page
        self.trace = PageTrace(file, page, family)
        self._rows: dict[int, TracedRow] = {}  # by id() of the TrainingRow, in reading order

    def size(self, page: int, width: float, height: float) -> None:
        if page == self.page:
            self.trace.width, self.trace.height = width, height

    def columns(
        self,
        page: int,
        top: float,
        left: float | None,
        right: float | None,
        starts: Sequence[tuple[str, float]],
        ends: bool = False,
    ) -> None:
        """Column starts in force from ``top`` down, between ``left`` and ``right`` (None: the
        page's edges); ``ends``: the xs are where the columns' words end."""
        if page == self.page:
            right = self.trace.width if right is None else right
            self.trace.columns.append(Columns(top, left or 0.0, right, list(starts), ends))

    def line(self, page: int, y: float, words: Sequence[tuple[float, str]], role: str) -> None:
        if page == self.page:
            self.trace.lines.append(TracedLine(y, list(words), role))

    def role(self, page: int, y: float, role: str) -> None:
        """A line told before is now known to be a ``role`` one (read again later)."""
        if page == self.page:
            for line in self.trace.lines:
                if line.y == y:
                    line.role = role

    def cells(
        self,
        row: TrainingRow,
        page: int,
        y: float,
        words: Sequence[tuple[float, str]],
        cells: Mapping[str, str | None],
        anchor: bool,
    ) -> None:
        """One line's cells of ``row`` (``anchor``: its own line), found among the line's words
        for their positions. Kept for the rows that have a line on the traced page."""
        if abs(page - self.page) > 1 and id(row) not in self._rows:
            return  # a row's lines span two pages at most
        traced = self._rows.get(id(row))
        if traced is None:
            traced = self._rows[id(row)] = TracedRow(row, page, y)
        if anchor:
            traced.page, traced.anchor_y = page, y
        at = 0
        for name, text in cells.items():
            if not text:
                continue
            x0, x1, at = _find(words, text.split(), at)
            traced.cells.append(TracedCell(name, page, y, x0, x1, text))

    def finish(self) -> PageTrace:
        """The trace, with the rows that have a cell on the page, in reading order."""
        self.trace.rows = [
            r for r in self._rows.values() if any(c.page == self.page for c in r.cells)
        ]
        self._rows = {}
        return self.trace


def _find(
    words: Sequence[tuple[float, str]], tokens: list[str], at: int
) -> tuple[float | None, float | None, int]:
    """Where a cell's words start on its line: the first run of ``tokens`` at or after word
    ``at`` (a cell's words are neighbours, cells left to right). A token may be a word the module
    glued from two (a word PDFium cut in two): it then starts with the word found."""
    n = len(tokens)
    for i in range(at, len(words)):
        first = words[i][1].lstrip(RUN_MARK)
        if first and tokens[0].startswith(first):
            last = min(i + n - 1, len(words) - 1)
            return words[i][0], words[last][0], i + n
    return None, None, at
