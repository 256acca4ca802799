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
  Wrapped cells are centred on the anchor, so a row's lines are symmetric around it: the row's
  lowest line mirrors its highest line. Walking down the page, the lines above an anchor (back to
  the previous row's end) fix how far the row reaches below it. Nearest-anchor assignment would
  fail here, because these reports have no gap between rows: a 4-line cell's top line sits
  closer to the previous 1-line row than to its own anchor.
- FY2009-2010 pages are rotated (/Rotate 90): PDFium reports their text in unrotated space, so
  such a page's coordinates are turned back before anything else.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from fmtr.extract.model import (
    COUNTRY,
    FISCAL_YEAR,
    DocumentExtract,
    ExtractError,
    PrintedTotal,
    ProgrammeBlock,
    TrainingRow,
)
from fmtr.extract.pdfwords import Page, iter_pages
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
_MIRROR_SLACK = 2.0  # pt: tolerance of the symmetry of a wrapped row around its own line
_GLUE_RATIO = 1.3  # a gap under this many character advances is inside a word
_DIGIT_GAP = 4.5  # pt: one digit's advance at the reports' type size, with some slack
_FIGURE = re.compile(r"^\$?[\d,.]+$")


@dataclass(slots=True)
class _Word:
    x0: float
    x1: float
    text: str


@dataclass(slots=True)
class _Line:
    page: int
    y: float
    words: list[_Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True, slots=True)
class _Columns:
    starts: list[float]
    fields: list[str]

    def field_of(self, x: float) -> str:
        i = bisect_right(self.starts, x + _COLUMN_SLACK) - 1
        return self.fields[max(i, 0)]

    def cells(self, line: _Line) -> dict[str, str]:
        out: dict[str, list[str]] = {}
        for w in line.words:
            out.setdefault(self.field_of(w.x0), []).append(w.text)
        return {k: " ".join(v) for k, v in out.items()}


@dataclass(slots=True)
class _TableLine:
    line: _Line
    cells: dict[str, str]
    anchor: bool


# --------------------------------------------------------------------------- visual lines


def _is_rotated(page: Page) -> bool:
    # On a /Rotate 90 page every word of a PDFium line has the same x (its baseline).
    for line in page.lines[:12]:
        ws = line.words
        if len(ws) > 2:
            return all(w.x0 == ws[0].x0 and w.x1 == w.x0 for w in ws)
    return False


def _visual_lines(page: Page) -> list[_Line]:
    """The page's words regrouped by baseline, top to bottom, each line left to right."""
    rotated = _is_rotated(page)
    items: list[tuple[float, float, float, str, int]] = []
    for li, line in enumerate(page.lines):
        for w in line.words:
            if rotated:
                x = page.height - w.y
                items.append((w.x0, x, x, w.text, li))
            else:
                items.append((w.y, w.x0, w.x1, w.text, li))
    items.sort()
    lines: list[_Line] = []
    group: list[tuple[float, float, float, str, int]] = []
    for it in items:
        if group and it[0] - group[0][0] > _SAME_LINE:
            lines.append(_make_line(page.number, group, rotated))
            group = []
        group.append(it)
    if group:
        lines.append(_make_line(page.number, group, rotated))
    return lines


def _make_line(number: int, group: list[tuple[float, float, float, str, int]], rot: bool) -> _Line:
    group.sort(key=lambda it: it[1])
    # PDFium marks a word broken at a hyphen at the end of a wrapped line with U+FFFE and
    # joins its halves: the page shows a hyphen there ("PREP-" / "INTERNATIONAL").
    group = [
        (*it[:3], it[3].replace("\ufffe", "-"), it[4]) if "\ufffe" in it[3] else it for it in group
    ]
    words: list[_Word] = []
    prev: tuple[float, float, float, str, int] | None = None
    for it in group:
        if prev is not None and not rot and _glued(prev, it):
            last = words[-1]
            words[-1] = _Word(last.x0, it[2], last.text + it[3])
        else:
            words.append(_Word(it[1], it[2], it[3]))
        prev = it
    return _Line(number, group[0][0], words)


def _glued(
    a: tuple[float, float, float, str, int], b: tuple[float, float, float, str, int]
) -> bool:
    """PDFium sometimes ends a text line inside a word ("Locatio" / "n", "8" / "1", "$" / "0"):
    two words from different PDFium lines, less than a character apart, are one word. A lone
    "-" is the report's own spaced hyphen ("ALP - FY 2007"), never glued."""
    if a[4] == b[4] or b[3] == "-":
        return False
    gap = b[1] - a[2]
    if len(a[3]) < 2:
        # No advance to measure on one character: only figures are glued ("8" "1" is 81).
        return _FIGURE.match(a[3] + b[3]) is not None and gap <= _DIGIT_GAP
    advance = (a[2] - a[1]) / (len(a[3]) - 1)
    return advance > 0 and gap <= _GLUE_RATIO * advance


def _is_furniture(line: _Line, page: Page) -> bool:
    if line.words[0].text == "Volume" and _FURNITURE.match(line.text):
        return True
    if len(line.words) == 1 and line.words[0].text.isdigit():
        # The page number, centred under the footer.
        return line.y > page.height * 0.9 and abs(line.words[0].x0 - page.width / 2) < 40
    return False


def _columns(line: _Line) -> _Columns | None:
    """The columns of a column-header line, or None when the line is not one."""
    ws = _header_words(line.words)
    if len(ws) < 2 or ws[0].text != "Course" or ws[1].text != "Title":
        return None
    starts: list[float] = []
    fields: list[str] = []
    i = 0
    while i < len(ws):
        for label, name in _LABELS:
            n = len(label)
            if tuple(w.text for w in ws[i : i + n]) == label:
                starts.append(ws[i].x0)
                fields.append(name)
                i += n
                break
        else:
            return None
    return _Columns(starts, fields) if "quantity" in fields and "cost" in fields else None


_HEADER_VOCABULARY = frozenset(w for label, _ in _LABELS for w in label)


def _header_words(words: list[_Word]) -> list[_Word]:
    # A header word broken by a gap the glue rule did not catch ("Dat" "e").
    out: list[_Word] = []
    for w in words:
        if out and out[-1].text not in _HEADER_VOCABULARY:
            joined = out[-1].text + w.text
            if joined in _HEADER_VOCABULARY:
                out[-1] = _Word(out[-1].x0, w.x1, joined)
                continue
        out.append(w)
    return out


# --------------------------------------------------------------------------- rows


@dataclass(slots=True)
class _Row:
    lines: list[_TableLine]
    anchor: _TableLine

    def to_row(self) -> TrainingRow:
        cells: dict[str, list[str]] = {}
        for tl in sorted(self.lines, key=lambda t: (t.line.page, t.line.y)):
            for name, text in tl.cells.items():
                cells.setdefault(name, []).append(text)
        joined = {k: " ".join(v) for k, v in cells.items()}
        first = min(tl.line.page for tl in self.lines)
        last = max(tl.line.page for tl in self.lines)
        return TrainingRow(
            page=first,
            course_title=joined.get("course_title"),
            us_unit=joined.get("us_unit"),
            student_unit=joined.get("student_unit"),
            location=joined.get("location"),
            quantity=joined.get("quantity"),
            cost=joined.get("cost"),
            start_date=joined.get("start_date"),
            end_date=joined.get("end_date"),
            last_page=last if last != first else None,
        )


def _rows_of_page(lines: list[_TableLine]) -> tuple[list[_Row], list[_TableLine], list[_TableLine]]:
    """Rows of one page's run of table lines, walking down: the lines above an anchor (since
    the previous row ended) are its upper half, and its lower half reaches as far below as the
    upper half reaches above. Returns the rows, the lines above the first anchor and the lines
    left below the last row's reach (both may belong to a row broken across pages)."""
    rows: list[_Row] = []
    pending: list[_TableLine] = []
    head: list[_TableLine] = []
    reach = 0.0
    for tl in lines:
        if tl.anchor:
            if not rows:
                head = pending
            # Lines carried over from the previous page do not share this page's frame.
            same = [p.line.y for p in pending if p.line.page == tl.line.page]
            top = same[0] if same else tl.line.y
            rows.append(_Row([*pending, tl], tl))
            reach = 2 * tl.line.y - top + _MIRROR_SLACK
            pending = []
        elif rows and not pending and tl.line.y <= reach:
            rows[-1].lines.append(tl)
        else:
            pending.append(tl)
    if not rows:
        return [], pending, []
    return rows, head, pending


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

    def feed(self, line: _Line) -> None:
        cols = _columns(line)
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
        text = line.text
        m = _HEADING.match(text)
        if m:
            self.open_block(line, m)
        elif _FY_TOTAL.match(text):
            self.close_table(by_total=True)
            self.add_total(FISCAL_YEAR, [line])
            self.in_table = False
        elif self.in_table:
            self.table.append(self.table_line(line))
        else:
            self.tail.append(line)

    def table_line(self, line: _Line) -> _TableLine:
        cols = self.columns
        assert cols is not None  # in_table is set by a column header only
        cells = cols.cells(line)
        return _TableLine(line, cells, any(k in _ANCHOR_FIELDS for k in cells))

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
        carry: list[_TableLine] = []
        for seg in _by_page(self.table):
            rows, _head, left = _rows_of_page(carry + seg)
            carry = left
            for r in rows:
                block.rows.append(r.to_row())
                block.last_page = max(block.last_page, r.anchor.line.page)
        # Lines below the last row's reach: before a heading they may be the next country's
        # name; before a total they are a row the report printed without its figures.
        for tl in carry:
            if by_total:
                self.out.unplaced.append((tl.line.page, tl.line.text))
            else:
                self.tail.append(tl.line)
        self.table = []

    def add_total(self, kind: str, lines: list[_Line]) -> None:
        label: list[str] = []
        numbers: dict[str, str] = {}
        extra: list[str] = []
        cols = self.columns
        for line in lines:
            for w in line.words:
                name = cols.field_of(w.x0) if cols else "course_title"
                if name in ("quantity", "cost") and _NUMBER.match(w.text) and name not in numbers:
                    numbers[name] = w.text
                elif name == "course_title" or (not numbers and name == "quantity"):
                    label.append(w.text)
                else:
                    extra.append(w.text)
        if extra:
            # The report printed the last row's cells on its total line: shown, so kept here.
            self.out.unplaced.append((lines[0].page, " ".join(extra)))
        total = PrintedTotal(
            kind, " ".join(label), lines[0].page, numbers.get("quantity"), numbers.get("cost")
        )
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
            if not any(w.text == "Totals" for w in tail[j].words):
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
            if any(w.text == "Totals" for w in tail[j].words):
                end = self.total_start(tail, 0, j) or 0
                break
        last = max((n for n in range(end) if _has_figures(tail[n], cols)), default=-1)
        if last < 0:
            return 0
        lines = [self.table_line(line) for line in tail[:end]]
        rows, _head, left = _rows_of_page(lines)
        block.rows.extend(r.to_row() for r in rows)
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
        w.text
        for line in lines
        for w in line.words
        if not (_NUMBER.match(w.text) and cols and cols.field_of(w.x0) in ("quantity", "cost"))
    )


def _has_figures(line: _Line, cols: _Columns | None) -> bool:
    # A long country name reaches into the quantity column, so look at what the words say.
    return cols is not None and any(
        cols.field_of(w.x0) in _ANCHOR_FIELDS and (_NUMBER.match(w.text) or _DATE.match(w.text))
        for w in line.words
    )


def _by_page(lines: list[_TableLine]) -> list[list[_TableLine]]:
    out: list[list[_TableLine]] = []
    for tl in lines:
        if not out or out[-1][0].line.page != tl.line.page:
            out.append([])
        out[-1].append(tl)
    return out


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


def extract(path: Path, doc: Document) -> DocumentExtract:
    """Read the document's pages (the union of its catalog ranges) into programme blocks."""
    out = DocumentExtract(doc.file, 0)
    reader = _Reader(doc, out)
    for first, last in _page_ranges(doc):
        for page in iter_pages(path, first, last, doc.file):
            out.pages += 1
            lines = [ln for ln in _visual_lines(page) if not _is_furniture(ln, page)]
            if not page.lines:
                reader.lost_page(page.number)
            for line in lines:
                reader.feed(line)
    reader.close_table()
    reader.read_tail()
    if not reader.seen_heading:
        raise ExtractError(doc.file, None, "no programme heading found: not a FY2007+ report")
    if reader.columns is None:
        raise ExtractError(doc.file, None, "no column header found: not a FY2007+ report")
    return out
