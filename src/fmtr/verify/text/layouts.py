"""The second reading laid out: each page's words in visual lines, each word in a column.

This is the check's own reading of the layout, written from poppler's word boxes and the pages
themselves, not from the extractor's code or constants: where the two disagree on a column or a
row, the check reports a difference. What it needs is less than an extractor: which column each
word stands in (measured from the column-header words of each page), which lines are not table
rows (headings, totals, column headers, running headers and page numbers), and the words' order.

Columns, per layout family (see docs/layouts.md for the families):

- ``pdf_2007`` (FY2007-2008 ..): cells are left-aligned with their column-header word, so a
  column runs from its header word's left edge (less 2 pt) to the next one's.
- ``pdf_2001`` (FY2001-2002 .. FY2005-2006): the header words are not aligned with their
  columns; the columns sit at fixed distances from the header word "Title", measured over every
  page of the five editions: titles start 4.5 pt left of it, quantities end 134 pt right of it
  (right-aligned), locations start at +136.5, student units at +274.5, US units at +398, costs
  end at +608 (right-aligned), start dates start at +619 .. +625, end dates at +668 .. +676.
  Column limits sit in the gaps between (+134, +272, +397, +566, +612, +650).
- ``pdf_2000`` (FY2000-2001): two text columns per page, each with its own header "Title of  #
  Cost"; quantities end 130 pt right of "Title", costs 187 pt right of it (both right-aligned),
  everything else is the course title.
- HTML: a table row is a line; its cells are columns, named by the header row (FY2006-2007) or
  by position (FY1999-2000: title, quantity, cost).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from fmtr.verify.text.reading import HtmlRow, PdfPage, Word

TITLE = "course_title"
QUANTITY = "quantity"
LOCATION = "location"
STUDENT_UNIT = "student_unit"
US_UNIT = "us_unit"
COST = "cost"
START = "start_date"
END = "end_date"


@dataclass(slots=True)
class Line:
    """One visual line (a table row for HTML): its words by column, each column's words left to
    right. ``boundary``: a heading, a total or a column header, which no training row's cells
    cross."""

    page: int
    y: float
    cells: dict[str, list[str]]
    boundary: bool = False

    def text(self) -> str:
        return " ".join(w for ws in self.cells.values() for w in ws)


# --------------------------------------------------------------------------- PDF lines

_SAME_LINE = 1.5  # pt: words whose bottoms differ by less are on one visual line
_X0 = itemgetter(0)


# pt: poppler ends a word where the font changes even inside a printed word ("Intervenci"
# "≤n", the last two letters in another font): words whose boxes touch are one word.
_TOUCHING = 0.3


def visual_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into visual lines by the bottom of their boxes, top to bottom, each line
    left to right."""
    ordered = sorted(words, key=itemgetter(3))
    lines: list[list[Word]] = []
    top = -1e9
    for w in ordered:
        if w[3] - top > _SAME_LINE:
            lines.append([])
            top = w[3]
        lines[-1].append(w)
    for line in lines:
        line.sort(key=_X0)
    return lines


def _line(page: int, words: list[Word], field_of: object) -> Line:
    """A visual line's words by column; words that touch in one column are one word."""
    cells: dict[str, list[str]] = {}
    last_name, last_end = "", -1e9
    for w in words:
        name = field_of(w)  # type: ignore[operator]
        ws = cells.setdefault(name, [])
        if name == last_name and ws and w[0] - last_end < _TOUCHING:
            ws[-1] += w[4]
        else:
            ws.append(w[4])
        last_name, last_end = name, w[2]
    return Line(page, words[0][3], cells)


# --------------------------------------------------------------------------- pdf_2007

# The first word of each column-header label (four variants of the header over the editions):
# "Course Title", "Qty"/"Students", "Training Location"/"Location", "Student's Unit",
# "US Unit"/"US Units"/"US Unit - US Qty", "Total Cost", "Start Date", "End Date".
_HEADER_2007 = {
    "Course": TITLE,
    "Qty": QUANTITY,
    "Students": QUANTITY,
    "Training": LOCATION,
    "Location": LOCATION,
    "Student's": STUDENT_UNIT,
    "Student’s": STUDENT_UNIT,
    "US": US_UNIT,
    "Total": COST,
    "Start": START,
    "End": END,
}
_HEADING_2007 = re.compile(r" - (?:FY|Fiscal Year) \d{4} .*Training$")
_TOTAL_2007 = re.compile(r"\b(?:FY|Fiscal Year) \d{4}(?: Program)? Totals\b|^Totals$")
_RUNNING_2007 = re.compile(r"^Volume I\b")


def _header_2007(words: list[Word]) -> list[tuple[float, str]] | None:
    if len(words) < 2 or words[0][4] != "Course" or words[1][4] != "Title":
        return None
    starts: list[tuple[float, str]] = []
    seen: set[str] = set()
    for w in words:
        name = _HEADER_2007.get(w[4])
        if name is not None and name not in seen:
            seen.add(name)
            starts.append((w[0] - 2.0, name))
    return starts if {QUANTITY, COST} <= seen else None


def lines_pdf_2007(pages: Iterable[PdfPage]) -> list[Line]:
    out: list[Line] = []
    columns: list[tuple[float, str]] = [(0.0, TITLE)]

    def field_of(w: Word) -> str:
        name = TITLE
        for start, col in columns:
            if w[0] >= start:
                name = col
            else:
                break
        return name

    for page in pages:
        page_lines = visual_lines(page.words)
        for words in page_lines:
            text = " ".join(w[4] for w in words)
            if _RUNNING_2007.match(text):
                continue
            if words is page_lines[-1] and len(words) == 1 and words[0][4].isdigit():
                continue  # the page number, the page's lowest line
            header = _header_2007(words)
            if header is not None:
                # Atop most pages and under each heading (the heading is the boundary).
                columns = header
                continue
            line = _line(page.number, words, field_of)
            title = " ".join(line.cells.get(TITLE, ()))
            line.boundary = bool(_HEADING_2007.search(text) or _TOTAL_2007.search(title))
            out.append(line)
    return out


# --------------------------------------------------------------------------- pdf_2001

# Column limits, in points right of the header word "Title" (see the module doc).
_LIMITS_2001 = (
    (134.0, LOCATION),
    (272.0, STUDENT_UNIT),
    (397.0, US_UNIT),
    (566.0, COST),
    (612.0, START),
    (650.0, END),
)
_QTY_END_2001 = 134.0  # a quantity's right edge, right of "Title"
_TITLE_INDENT_2001 = 4.5
_HEADING_2001 = re.compile(r"Region, .*,\s?FY ?\d\d$")
_TOTAL_2001 = re.compile(r"^(?:FY ?\d\d Totals:|Program Totals:|Country Totals:)")
_FOOTER_2001 = re.compile(r"^IV-\d+$")
_NUMBER = re.compile(r"^[\d,]+$")
_FIGURE_2001 = re.compile(r"^\$?[\d,./]+$")


def _is_header_2001(words: list[Word]) -> bool:
    texts = {w[4] for w in words}
    return words[0][4] == "Title" and {"Location", "Cost"} <= texts


def lines_pdf_2001(pages: Iterable[PdfPage]) -> list[Line]:
    out: list[Line] = []
    anchor: float | None = None
    for page in pages:
        lines = visual_lines(page.words)
        header = next((ws for ws in lines if _is_header_2001(ws)), None)
        if header is not None:
            anchor = header[0][0]
        elif page.words:
            # No column header (a region file's first page): titles and headings start at the
            # left margin, 4.5 pt left of where "Title" would stand.
            anchor = min(w[0] for w in page.words) + _TITLE_INDENT_2001
        if anchor is None:
            continue
        a = anchor

        def field_of(w: Word, a: float = a) -> str:
            rel = w[0] - a
            if rel < _LIMITS_2001[0][0]:
                if abs(w[2] - a - _QTY_END_2001) < 3.0 and _NUMBER.match(w[4]):
                    return QUANTITY
                return TITLE
            name = LOCATION
            for limit, col in _LIMITS_2001:
                if rel >= limit:
                    name = col
            if name in (COST, START, END) and not _FIGURE_2001.match(w[4]):
                # The columns right of the US unit hold figures only: other words there are
                # a long US unit run on past its column.
                return US_UNIT
            return name

        if header is not None:
            # Above the column header: the running heading, which names the block started last
            # on the previous page (a row may go on under it, so it is no boundary).
            lines = lines[lines.index(header) + 1 :]
        for words in lines:
            text = " ".join(w[4] for w in words)
            if _FOOTER_2001.match(text):
                continue
            line = _line(page.number, words, field_of)
            line.boundary = bool(_HEADING_2001.search(text) or _TOTAL_2001.match(text))
            out.append(line)
    return out


# --------------------------------------------------------------------------- pdf_2000

_QTY_END_2000 = 130.0  # right edges, right of each text column's "Title"
_COST_END_2000 = 187.0
_TITLE_AT_2000 = (83.6, 350.0)  # where "Title" stands when a text column prints no header
_TOTAL_2000 = re.compile(r"^(?:FY ?\d\d Totals:|Program Totals:|Country Totals:)")
_FY_END_2000 = re.compile(r"FY ?\d\d$")


def lines_pdf_2000(pages: Iterable[PdfPage]) -> list[Line]:
    out: list[Line] = []
    anchors = list(_TITLE_AT_2000)
    for page in pages:
        middle = page.width / 2
        halves: list[list[Word]] = [[], []]
        for w in page.words:
            halves[0 if w[0] < middle - 20 else 1].append(w)
        for side, words in enumerate(halves):
            lines = visual_lines(words)
            header = next(
                (ws for ws in lines if ws[0][4] == "Title" and any(w[4] == "Cost" for w in ws)),
                None,
            )
            if header is not None:
                anchors[side] = header[0][0]
            a = anchors[side]

            def field_of(w: Word, a: float = a) -> str:
                if abs(w[2] - a - _QTY_END_2000) < 3.0 and _NUMBER.match(w[4]):
                    return QUANTITY
                if abs(w[2] - a - _COST_END_2000) < 3.0 and w[0] - a > _QTY_END_2000:
                    return COST
                return TITLE

            if header is not None:
                # Above the column header: the running header of the text column.
                lines = lines[lines.index(header) + 1 :]
            for ws in lines:
                if ws[0][3] > page.height - 50 and len(ws) == 1 and ws[0][4].isdigit():
                    continue  # the page number
                line = _line(page.number, ws, field_of)
                text = " ".join(line.cells.get(TITLE, ()))
                line.boundary = bool(_TOTAL_2000.match(text)) or (
                    QUANTITY not in line.cells and bool(_FY_END_2000.search(text))
                )
                out.append(line)
    return out


# --------------------------------------------------------------------------- HTML

_HTML_2006 = {
    "course title": TITLE,
    "students": QUANTITY,
    "location": LOCATION,
    "student's unit": STUDENT_UNIT,
    "us units": US_UNIT,
    "total cost": COST,
    "start date": START,
    "end date": END,
}
_HEADING_2006 = re.compile(r" - FY \d{4} \S+ Training$")
_TOTAL_2006 = re.compile(r"\bFY \d{4}(?: Program)? Totals$")


def lines_html_2006(rows: list[HtmlRow]) -> list[Line]:
    out: list[Line] = []
    names: dict[int, str] | None = None
    for i, row in enumerate(rows):
        first = row[0][2]
        if first == "Course Title":
            names = {col: _HTML_2006.get(text.casefold(), text) for col, _, text in row}
            continue
        if names is None:
            continue
        cells = {names.get(col, TITLE): text.split() for col, _, text in row if text.strip()}
        boundary = bool(_HEADING_2006.search(first) or _TOTAL_2006.search(first))
        # A country row (one cell over the whole table) opens the country's blocks.
        boundary = boundary or (len(row) == 1 and row[0][1] > 1)
        out.append(Line(1, float(i), cells, boundary))
    return out


_FY_1999 = re.compile(r",\s*FY\s*\d\d$")
_TOTAL_1999 = re.compile(r"^(?:FY ?\d\d Totals:|Program Totals:|Country Totals:)")


def lines_html_1999(rows: list[HtmlRow]) -> list[Line]:
    """Three-cell rows (title, quantity, cost) and one-cell rows (headings, wrapped titles)."""
    out: list[Line] = []
    fields = (TITLE, QUANTITY, COST)
    for i, row in enumerate(rows):
        texts = [text for _, _, text in row]
        while texts and not texts[-1]:
            texts.pop()  # a blank cell closing the row
        if len(texts) > 3 or not texts:
            continue
        cells = {fields[k]: t.split() for k, t in enumerate(texts) if t.strip()}
        first = texts[0]
        heading = len(texts) == 1 and bool(_FY_1999.search(first))
        wrapped = len(out) > 1 and not out[-1].boundary and out[-2].boundary
        if heading and wrapped and list(out[-1].cells) == [TITLE]:
            # A heading wrapped over two one-cell rows, printed right after a total.
            out[-1].boundary = True
        out.append(Line(1, float(i), cells, heading or bool(_TOTAL_1999.match(first))))
    return out
