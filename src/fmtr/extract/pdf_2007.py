"""The FY2007-2008 .. FY2020-2021 layout: one table per programme, country by country.

What a page shows: a country name line ("Angola"), programme headings ("IMET-1 - FY 2007 DoS
Training", "PKO - Fiscal Year 2019 Department of State Training"), a column-header line under
each heading and at the top of most pages, the rows, "FY 2007 Program Totals 24 $364,134" after
each programme and "Angola FY 2007 Totals 33 $462,516" after the country's last programme.

How the rows are rebuilt:

- Words are regrouped into visual lines by baseline: PDFium's own lines sometimes join a wrapped
  cell line with the row beside it, and sometimes break one word in two ("Locatio" "n").
- Columns are the x ranges of the column-header words; cells are left aligned, so a word belongs
  to the last column starting at or before it.
- A row's own line (its *anchor*) is the one holding quantity, cost or dates, which never wrap.
  Wrapped cells are centred on the anchor, column by column: a cell with k lines above the
  anchor has k lines below it. Walking down, the lines of a column above an anchor (back to the
  previous row's) fix how many lines of that column below it are the row's; the others begin
  the next row. Nearest-anchor assignment would fail here, because these reports have no gap
  between rows: a 4-line cell's top line sits closer to the previous 1-line row than to its own
  anchor.
- FY2009-2010 pages are rotated (/Rotate 90): PDFium reports their text in unrotated space, so
  such a page's coordinates are turned back before anything else.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from fmtr.extract.model import (
    COUNTRY,
    FISCAL_YEAR,
    DocumentExtract,
    ExtractError,
    PrintedTotal,
    ProgrammeBlock,
    TrainingRow,
    join_lines,
)
from fmtr.extract.pdfwords import WordItem, WordPage, iter_word_pages
from fmtr.extract.trace import ANCHOR, FURNITURE, HEADER, HEADING, OTHER, TOTAL, WRAP, Tracer
from fmtr.sources.catalog import Document

# Column-header labels, longest first where one label starts another.
_LABELS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("Course", "Title"), "course_title"),
    (("Students",), "quantity"),
    (("Qty",), "quantity"),
    (("Training", "Location"), "location"),
    (("Location",), "location"),
    (("Student's", "Unit"), "student_unit"),
    (("US", "Unit", "-", "US", "Qty"), "us_unit"),
    (("US", "Units"), "us_unit"),
    (("US", "Unit"), "us_unit"),
    (("Total", "Cost"), "cost"),
    (("Start", "Date"), "start_date"),
    (("End", "Date"), "end_date"),
)
# Cells that never wrap: a line holding one of them is a row's own line.
_ANCHOR_FIELDS = frozenset({"quantity", "cost", "start_date", "end_date"})

_HEADING = re.compile(
    r"^(?P<programme>.+) - (?:FY|Fiscal Year) (?P<fy>\d{4}) (?P<department>.+) Training$"
)
_FY_TOTAL = re.compile(r"^(?:FY|Fiscal Year) \d{4} Program Totals\b")
# "Angola FY 2007 Totals"; the label may wrap ("... Fiscal Year 2011" / "Totals").
_COUNTRY_TOTAL = re.compile(r"^(?P<country>.+) (?:FY|Fiscal Year) \d{4} Totals$")
_FURNITURE = re.compile(r"^Volume I\b")

_SAME_LINE = 1.0  # pt: words whose baselines differ by less are on one visual line
_COLUMN_SLACK = 2.0  # pt: a cell's first word may start a little left of its header word
# pt: a gap narrower than this between where one character's advance ends and where the next
# one starts is inside a word. The reports' word spaces are 1.3 pt and wider (Arial Narrow,
# 6-8 pt); within a word the next character starts where the last one's advance ends (0.0-0.2
# pt apart, measured).
_GLUE_GAP = 0.6
# A lone hyphen is glued to the word before it only when it touches it ("CS07" "-" "1" is
# "CS07-1"): where PDFium loses the space before a spaced hyphen ("TERRORISM - MET"), its
# measure of the gap falls to 0.25 pt.
_HYPHEN_GAP = 0.2
_CELL_GAP = 8.0  # pt: a word this far after a hyphen's start is in the next cell


@dataclass(slots=True)
class _Line:
    """One visual line: its words' starts and texts, left to right. Two parallel lists rather
    than a word object each: a line is built for every word of the corpus, mostly with
    C-level map() calls, and only a word's start (cells are left aligned) is ever looked at."""

    page: int
    y: float
    x0s: list[float]
    texts: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.texts)


@dataclass(frozen=True, slots=True)
class _Columns:
    starts: list[float]
    fields: list[str]
    # The field of each bisect_right() result over ``starts``: a word left of the first column
    # belongs to the first one. Built once per header, so a word costs one bisect and no max().
    by_slot: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_slot", (self.fields[0], *self.fields))

    def field_of(self, x: float) -> str:
        return self.by_slot[bisect_right(self.starts, x + _COLUMN_SLACK)]

    def cells(self, line: _Line) -> dict[str, str]:
        # Runs once per word of every table line: field_of() inlined, and each cell's words
        # concatenated as they come rather than collected in lists and joined afterwards.
        # (One bisection per column over the line's words, which are in column order, was
        # measured slower: lines hold hardly more words than there are columns.)
        starts, by_slot = self.starts, self.by_slot
        out: dict[str, str] = {}
        for x0, word in zip(line.x0s, line.texts, strict=True):
            name = by_slot[bisect_right(starts, x0 + _COLUMN_SLACK)]
            text = out.get(name)
            out[name] = word if text is None else f"{text} {word}"
        return out


@dataclass(slots=True)
class _TableLine:
    line: _Line
    cells: dict[str, str]
    anchor: bool


# --------------------------------------------------------------------------- visual lines


def _is_rotated(page: WordPage) -> bool:
    # On a /Rotate 90 page every word of a PDFium line has the same x (its baseline).
    for li, group in groupby(page.words, key=_PDFIUM_LINE):
        if li >= 12:
            break
        ws = list(group)
        if len(ws) > 2:
            # (x0 only: the line's last word has its end measured, off the baseline.)
            return all(w[1] == ws[0][1] for w in ws)
    return False


# A visual-line item: (baseline, x0, x1, text, index of the PDFium line), compared as a tuple:
# the page's WordItem as it comes, or turned for a rotated page.
_Item = WordItem
_X0 = itemgetter(1)
_TEXT = itemgetter(3)
_PDFIUM_LINE = itemgetter(4)


def _visual_lines(page: WordPage) -> list[_Line]:
    """The page's words regrouped by baseline, top to bottom, each line left to right."""
    rotated = _is_rotated(page)
    items: list[_Item]
    if rotated:
        h = page.height
        # A comprehension rather than an append loop: this runs once per word of the corpus.
        items = [(x0, h - y, h - y, text, li) for y, x0, _, text, li in page.words]
    else:
        items = page.words  # sorted in place: the page is not read again
    items.sort()
    lines: list[_Line] = []
    number = page.number
    start = 0
    top = items[0][0] if items else 0.0
    for k, it in enumerate(items):
        if it[0] - top > _SAME_LINE:
            lines.append(_make_line(number, items[start:k], rotated))
            start, top = k, it[0]
    if items:
        lines.append(_make_line(number, items[start:], rotated))
    return lines


def _make_line(number: int, group: list[_Item], rot: bool) -> _Line:
    """One visual line from its items."""
    group.sort(key=_X0)
    # Built with map() (C loops), as this runs for every word of the corpus.
    x0s = list(map(_X0, group))
    texts = list(map(_TEXT, group))
    if rot:
        return _Line(number, group[0][0], x0s, texts)
    lis = list(map(_PDFIUM_LINE, group))
    # PDFium sometimes ends a text line inside a printed word ("Arm" / "y", "CIV" / "-MILITARY",
    # "T" / "X"): two words from different PDFium lines with less than a word space between
    # the first one's last glyph and the second one's start are one word. Only neighbours from
    # different PDFium lines can be glued (most lines come from one), and only a PDFium line's
    # last word has its end measured.
    glued = [
        k
        for k in range(1, len(group))
        if lis[k] != lis[k - 1] and group[k][1] - group[k - 1][2] < _glue_gap(group, texts, k)
    ]
    # From the right, so that a word glued to its right neighbour is complete when it is itself
    # glued to its left one; the tests above used each item's own text, as they must.
    for k in reversed(glued):
        texts[k - 1] += texts[k]
        del texts[k], x0s[k]
    return _Line(number, group[0][0], x0s, texts)


def _glue_gap(group: list[_Item], texts: list[str], k: int) -> float:
    """The widest gap at which item k is glued to the one before it."""
    if texts[k] != "-":
        return _GLUE_GAP
    # A lone hyphen ending its cell's line ("PREP-" / "INTERNATIONAL") is glued as any word;
    # one followed by more words of the cell keeps its space unless it touches the word before.
    ends_cell = k + 1 == len(group) or group[k + 1][1] - group[k][1] > _CELL_GAP
    return _GLUE_GAP if ends_cell else _HYPHEN_GAP


def _is_furniture(line: _Line, page: WordPage, lowest: bool) -> bool:
    first = line.texts[0]
    if first == "Volume" and _FURNITURE.match(line.text):
        return True
    if lowest and len(line.texts) == 1 and first.isdigit():
        # The page number: the page's lowest line, centred. (Not any lone number near the
        # bottom: a wrapped cell's last line can be one, "BIM" / "40".)
        return abs(line.x0s[0] - page.width / 2) < 40
    return False


def _columns(line: _Line) -> _Columns | None:
    """The columns of a column-header line, or None when the line is not one."""
    # Asked of every line: a header starts with "Course", or with a piece of it that
    # _header_words joins to the next word, so any other first word settles it at once.
    if not "Course".startswith(line.texts[0]):
        return None
    x0s, texts = _header_words(line)
    labels = _header_labels(tuple(texts))
    if labels is None:
        return None
    return _Columns([x0s[i] for i, _ in labels], [name for _, name in labels])


@cache
def _header_labels(texts: tuple[str, ...]) -> tuple[tuple[int, str], ...] | None:
    """(index of the first word, field) of each column of a header line's words, or None when
    they are not a column header. Cached: every page repeats one of a few headers."""
    if len(texts) < 2 or texts[0] != "Course" or texts[1] != "Title":
        return None
    labels: list[tuple[int, str]] = []
    i = 0
    while i < len(texts):
        for label, name in _LABELS:
            n = len(label)
            if texts[i : i + n] == label:
                labels.append((i, name))
                i += n
                break
        else:
            return None
    fields = [name for _, name in labels]
    return tuple(labels) if "quantity" in fields and "cost" in fields else None


_HEADER_VOCABULARY = frozenset(w for label, _ in _LABELS for w in label)


def _header_words(line: _Line) -> tuple[list[float], list[str]]:
    # A header word broken by a gap the glue rule did not catch ("Dat" "e").
    x0s: list[float] = []
    texts: list[str] = []
    for x0, text in zip(line.x0s, line.texts, strict=True):
        if texts and texts[-1] not in _HEADER_VOCABULARY:
            joined = texts[-1] + text
            if joined in _HEADER_VOCABULARY:
                texts[-1] = joined
                continue
        x0s.append(x0)
        texts.append(text)
    return x0s, texts


# --------------------------------------------------------------------------- rows


@dataclass(slots=True)
class _Row:
    lines: list[_TableLine]
    anchor: _TableLine

    def to_row(self) -> TrainingRow:
        if len(self.lines) == 1:
            # Most rows are one line: its cells are the row's cells.
            only = self.lines[0]
            return _training_row(only.cells, only.line.page, only.line.page)
        cells: dict[str, list[str]] = {}
        for tl in sorted(self.lines, key=lambda t: (t.line.page, t.line.y)):
            for name, text in tl.cells.items():
                cells.setdefault(name, []).append(text)
        joined = {k: join_lines(v) for k, v in cells.items()}
        first = min(tl.line.page for tl in self.lines)
        last = max(tl.line.page for tl in self.lines)
        return _training_row(joined, first, last)


def _training_row(cells: dict[str, str], first: int, last: int) -> TrainingRow:
    get = cells.get
    return TrainingRow(
        page=first,
        course_title=get("course_title"),
        us_unit=get("us_unit"),
        student_unit=get("student_unit"),
        location=get("location"),
        quantity=get("quantity"),
        cost=get("cost"),
        start_date=get("start_date"),
        end_date=get("end_date"),
        last_page=last if last != first else None,
    )


def _rows_of_page(lines: list[_TableLine]) -> tuple[list[_Row], list[_TableLine], list[_TableLine]]:
    """Rows of a run of table lines (one table, across its pages), walking down.

    Each cell is centred on its row's own line, column by column: a cell with k lines above
    the anchor has k lines below it. So between two anchors, the first lines of each column go
    to the row above, as many as that column had above it, and the others begin the row below.
    Counting per column, not per line, puts each fragment in the row it is printed in where two
    rows' wraps share a line, and where a report prints one training as several ruled rows
    (FY2016-2017/Africa.pdf p.50: "Harris Radio Training" over four ruled rows), whose lines
    above an anchor are no wrap of it and so ask for nothing below.

    Returns the rows, the lines above the first anchor and the lines (or parts of lines) left
    below the last row's cells."""
    rows: list[_Row] = []
    pending: list[_TableLine] = []
    head: list[_TableLine] = []
    below: dict[str, int] = {}  # per column, lines the last row still has below its anchor
    for tl in lines:
        if not tl.anchor:
            pending.append(tl)
            continue
        lower, upper = _share(pending, below) if rows else ([], pending)
        if rows:
            rows[-1].lines.extend(lower)
        else:
            head = upper
        below = {}
        for part in upper:
            for name in part.cells:
                below[name] = below.get(name, 0) + 1
        rows.append(_Row([*upper, tl], tl))
        pending = []
    if not rows:
        return [], pending, []
    lower, left = _share(pending, below)
    rows[-1].lines.extend(lower)
    return rows, head, left


def _share(
    lines: list[_TableLine], below: dict[str, int]
) -> tuple[list[_TableLine], list[_TableLine]]:
    """The lines between two anchors cut in two, column by column: the first ``below[name]``
    texts of each column (top down) for the row above, the rest for the row below."""
    if not below:
        return [], lines
    taken: dict[str, int] = {}
    lower: list[_TableLine] = []
    upper: list[_TableLine] = []
    for tl in lines:
        mine: dict[str, str] = {}
        rest: dict[str, str] = {}
        for name, text in tl.cells.items():
            n = taken.get(name, 0)
            if n < below.get(name, 0):
                mine[name] = text
                taken[name] = n + 1
            else:
                rest[name] = text
        if not rest:
            lower.append(tl)
        elif not mine:
            upper.append(tl)
        else:
            lower.append(_TableLine(tl.line, mine, False))
            upper.append(_TableLine(tl.line, rest, False))
    return lower, upper


# --------------------------------------------------------------------------- the stream

_NUMBER = re.compile(r"^\$?[\d,]+(?:\.\d+)?$")
_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


@dataclass
class _Reader:
    doc: Document
    out: DocumentExtract
    columns: _Columns | None = None
    country: str | None = None
    block: ProgrammeBlock | None = None
    in_table: bool = False
    table: list[_TableLine] = field(default_factory=list)
    tail: list[_Line] = field(default_factory=list)
    # Blocks read since a page whose text is lost: their country is not known yet.
    orphans: list[ProgrammeBlock] = field(default_factory=list)
    seen_heading: bool = False
    trace: Tracer | None = None  # fmtr debug-page's: told what each line was taken for

    def feed(self, line: _Line) -> None:
        cols = _columns(line)
        if self.trace is not None:
            self.trace_line(line, cols)
        if cols is not None:
            self.columns = cols
            if self.block is None:
                # The pages start inside a programme (a page range cut from a report): its
                # heading is on an earlier page, so the rows go to a block without one.
                self.start(
                    ProgrammeBlock(
                        "",
                        self.doc.region_of_page(line.page),
                        None,
                        None,
                        None,
                        None,
                        line.page,
                        line.page,
                    )
                )
                self.in_table = True
                return
            if self.block is not None and not self.tail and self.block.totals == []:
                self.in_table = True
            return
        # Most lines are table rows: the patterns are tried only on lines whose first or last
        # word can begin or end them (words hold no spaces), sparing the join of the others.
        texts = line.texts
        m = _HEADING.match(line.text) if texts[-1] == "Training" else None
        if m:
            self.open_block(line, m)
        elif texts[0] in ("FY", "Fiscal") and _FY_TOTAL.match(line.text):
            self.close_table(by_total=True)
            self.add_total(FISCAL_YEAR, [line])
            self.in_table = False
        elif self.in_table:
            self.table.append(self.table_line(line))
        else:
            self.tail.append(line)

    def trace_line(self, line: _Line, cols: _Columns | None) -> None:
        """Tell the tracer what ``feed`` takes the line for (as feed decides it)."""
        assert self.trace is not None
        words = list(zip(line.x0s, line.texts, strict=True))
        if cols is not None:
            self.trace.line(line.page, line.y, words, HEADER)
            # Where a word starts a column: _COLUMN_SLACK left of the header word (field_of).
            starts = [(f, x - _COLUMN_SLACK) for f, x in zip(cols.fields, cols.starts, strict=True)]
            self.trace.columns(line.page, line.y, None, None, starts)
            return
        texts = line.texts
        if texts[-1] == "Training" and _HEADING.match(line.text):
            role = HEADING
        elif texts[0] in ("FY", "Fiscal") and _FY_TOTAL.match(line.text):
            role = TOTAL
        elif self.in_table:
            role = ANCHOR if self.table_line(line).anchor else WRAP
        else:
            role = OTHER  # read later with the lines after the total (read_tail)
        self.trace.line(line.page, line.y, words, role)

    def trace_rows(self, rows: list[_Row], made: list[TrainingRow]) -> None:
        assert self.trace is not None
        for r, row in zip(rows, made, strict=True):
            for tl in r.lines:
                line = tl.line
                words = list(zip(line.x0s, line.texts, strict=True))
                anchor = tl is r.anchor
                self.trace.cells(row, line.page, line.y, words, tl.cells, anchor)
                self.trace.role(line.page, line.y, ANCHOR if anchor else WRAP)

    def table_line(self, line: _Line) -> _TableLine:
        cols = self.columns
        assert cols is not None  # in_table is set by a column header only
        cells = cols.cells(line)
        return _TableLine(line, cells, not _ANCHOR_FIELDS.isdisjoint(cells))

    def open_block(self, line: _Line, m: re.Match[str]) -> None:
        self.close_table()
        self.read_tail()
        self.seen_heading = True
        block = ProgrammeBlock(
            heading=line.text,
            region=self.doc.region_of_page(line.page),
            country=self.country,
            programme=m["programme"],
            fiscal_year=m["fy"],
            department=m["department"],
            first_page=line.page,
            last_page=line.page,
        )
        self.start(block)

    def start(self, block: ProgrammeBlock) -> None:
        self.out.blocks.append(block)
        self.block = block
        if block.country is None:
            self.orphans.append(block)
        self.in_table = False

    def lost_page(self, number: int) -> None:
        """A page with no text at all (FY2019-2020 Africa has one): what it held is lost, so
        the rows after it cannot belong to the block before it; they go to a block without a
        heading, and the country stays unknown until a country line or country total names it."""
        self.close_table()
        self.read_tail()
        self.out.unplaced.append(
            (number, "[page has no text: its rows, headings and totals are lost]")
        )
        if self.block is None:
            return
        self.country = None
        block = ProgrammeBlock(
            "", self.doc.region_of_page(number + 1), None, None, None, None, number + 1, number + 1
        )
        self.start(block)
        self.in_table = True

    def close_table(self, by_total: bool = False) -> None:
        if not self.table:
            return
        block = self.block
        assert block is not None
        rows, _head, left = _rows_of_page(self.table)
        made = [r.to_row() for r in rows]
        if self.trace is not None:
            self.trace_rows(rows, made)
        for r, row in zip(rows, made, strict=True):
            block.rows.append(row)
            if r.anchor.line.page > block.last_page:
                block.last_page = r.anchor.line.page
        # Lines below the last row's cells: before a heading they may be the next country's
        # name; before a total they are a row the report printed without its figures.
        for tl in left:
            line = self.part_of(tl)
            if by_total:
                self.out.unplaced.append((line.page, line.text))
            else:
                self.tail.append(line)
        self.table = []

    def part_of(self, tl: _TableLine) -> _Line:
        """The words of a table line that its cells hold (a line shared with the row above
        gave that row some of its words)."""
        line, cols = tl.line, self.columns
        if cols is None or len(tl.cells) == len(cols.cells(line)):
            return line
        kept = [
            (x0, text)
            for x0, text in zip(line.x0s, line.texts, strict=True)
            if cols.field_of(x0) in tl.cells
        ]
        return _Line(line.page, line.y, [x for x, _ in kept], [t for _, t in kept])

    def add_total(self, kind: str, lines: list[_Line]) -> None:
        label: list[str] = []
        numbers: dict[str, str] = {}
        extra: list[str] = []
        cols = self.columns
        for line in lines:
            for x0, text in zip(line.x0s, line.texts, strict=True):
                name = cols.field_of(x0) if cols else "course_title"
                if name in ("quantity", "cost") and _NUMBER.match(text) and name not in numbers:
                    numbers[name] = text
                elif name == "course_title" or (not numbers and name == "quantity"):
                    label.append(text)
                else:
                    extra.append(text)
        if extra:
            # The report printed the last row's cells on its total line: shown, so kept here.
            self.out.unplaced.append((lines[0].page, " ".join(extra)))
        total = PrintedTotal(
            kind, " ".join(label), lines[0].page, numbers.get("quantity"), numbers.get("cost")
        )
        if self.trace is not None:
            for line in lines:
                self.trace.role(line.page, line.y, TOTAL)
        if self.block is None:
            self.out.unplaced.append((lines[0].page, " ".join(line.text for line in lines)))
            return
        self.block.totals.append(total)
        self.block.last_page = max(self.block.last_page, lines[-1].page)
        if kind == COUNTRY:
            self.name_orphans(total.label)

    def name_orphans(self, label: str) -> None:
        m = _COUNTRY_TOTAL.match(label)
        if m and self.orphans:
            for b in self.orphans:
                b.country = m["country"]
            self.orphans = []

    def read_tail(self) -> None:
        """Lines between a programme total and the next heading: the country total (its label
        may wrap around its figures) and the next country's name. A country without any
        programme prints only its name and a zero total there."""
        tail, self.tail = self.tail, []
        i = self.late_rows(tail)
        for j in range(i, len(tail)):
            if "Totals" not in tail[j].texts:
                continue
            k = self.total_start(tail, i, j)
            if k is None:
                continue
            if k > i:
                self.set_country(tail[i:k])
                if self.country is not None:
                    self.empty_block(tail[k].page)
            self.add_total(COUNTRY, tail[k : j + 1])
            i = j + 1
        self.set_country(tail[i:])

    def late_rows(self, tail: list[_Line]) -> int:
        """Rows the report printed below the programme total line (its total counts them):
        they go to the block; returns how many tail lines they take."""
        cols, block = self.columns, self.block
        if cols is None or block is None or not block.totals:
            return 0
        end = len(tail)
        for j in range(len(tail)):
            if "Totals" in tail[j].texts:
                end = self.total_start(tail, 0, j) or 0
                break
        last = max((n for n in range(end) if _has_figures(tail[n], cols)), default=-1)
        if last < 0:
            return 0
        lines = [self.table_line(line) for line in tail[:end]]
        rows, _head, left = _rows_of_page(lines)
        made = [r.to_row() for r in rows]
        if self.trace is not None:
            self.trace_rows(rows, made)
        block.rows.extend(made)
        return end - len(left)

    def total_start(self, tail: list[_Line], i: int, j: int) -> int | None:
        """Where the country total ending at line j starts (None: it is not one)."""
        for k in range(j, i - 1, -1):
            if _COUNTRY_TOTAL.match(_label_text(tail[k : j + 1], self.columns)):
                return k
        return None

    def set_country(self, lines: list[_Line]) -> None:
        if not lines:
            return
        if self.seen_heading and any(_has_figures(line, self.columns) for line in lines):
            self.out.unplaced.extend((line.page, line.text) for line in lines)
            return
        self.country = " ".join(line.text for line in lines)
        self.orphans = []

    def empty_block(self, page: int) -> None:
        # Not a printed heading: the holder of the total of a country with no programme.
        region = self.doc.region_of_page(page)
        self.start(ProgrammeBlock("", region, self.country, None, None, None, page, page))


def _label_text(lines: list[_Line], cols: _Columns | None) -> str:
    return " ".join(
        text
        for line in lines
        for x0, text in zip(line.x0s, line.texts, strict=True)
        if not (_NUMBER.match(text) and cols and cols.field_of(x0) in ("quantity", "cost"))
    )


def _has_figures(line: _Line, cols: _Columns | None) -> bool:
    # A long country name reaches into the quantity column, so look at what the words say.
    return cols is not None and any(
        cols.field_of(x0) in _ANCHOR_FIELDS and (_NUMBER.match(text) or _DATE.match(text))
        for x0, text in zip(line.x0s, line.texts, strict=True)
    )


# --------------------------------------------------------------------------- entry point


def _page_ranges(doc: Document) -> list[tuple[int, int | None]]:
    if any(e.first_pdf_page is None for e in doc.entries):
        return [(1, None)]
    spans = sorted((e.first_pdf_page or 1, e.last_pdf_page) for e in doc.entries)
    merged: list[tuple[int, int | None]] = []
    for a, b in spans:
        if merged and merged[-1][1] is not None and b is not None and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1] or b))
        else:
            merged.append((a, b))
    return merged


def extract(path: Path, doc: Document, trace: Tracer | None = None) -> DocumentExtract:
    """Read the document's pages (the union of its catalog ranges) into programme blocks;
    ``trace``: told what was seen on its page (fmtr debug-page)."""
    out = DocumentExtract(doc.file, 0)
    reader = _Reader(doc, out, trace=trace)
    for first, last in _page_ranges(doc):
        for page in iter_word_pages(path, first, last, doc.file):
            out.pages += 1
            if not page.words:
                reader.lost_page(page.number)
            lines = _visual_lines(page)
            if trace is not None:
                trace.size(page.number, page.width, page.height)
                for k, ln in enumerate(lines):
                    if _is_furniture(ln, page, k == len(lines) - 1):
                        words = list(zip(ln.x0s, ln.texts, strict=True))
                        trace.line(ln.page, ln.y, words, FURNITURE)
            lines = [
                ln for k, ln in enumerate(lines) if not _is_furniture(ln, page, k == len(lines) - 1)
            ]
            for line in lines:
                reader.feed(line)
    reader.close_table()
    reader.read_tail()
    if not reader.seen_heading:
        raise ExtractError(doc.file, None, "no programme heading found: not a FY2007+ report")
    if reader.columns is None:
        raise ExtractError(doc.file, None, "no column header found: not a FY2007+ report")
    return out
