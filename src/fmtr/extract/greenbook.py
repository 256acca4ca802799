"""Reading the Greenbook workbook (US Overseas Loans and Grants, ``us_foreignaid_greenbook.xlsx``).

The sheet holds a few title lines, a header row and then one row per fiscal year, recipient,
assistance category, publication row, funding agency and funding account, with the obligations
in current and constant dollars. This module reads it as it is: the title lines, the header
(checked against the nine columns fmtr knows, so that a changed layout stops the build instead
of shifting a column), and every data row with its row number in the sheet (what Excel shows),
the cells as the workbook types them. Interpreting the cells (amounts, fiscal years, names to
codes) is fmtr.clean.funding's work.

The reader is python-calamine (Rust's calamine): measured against openpyxl (read-only),
pandas on calamine and fastexcel in ``bench/greenbook_reader.py``; it reads the 75,009 rows in
about 0.7 s where openpyxl takes 3.8 s, and gives each row's true sheet number.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from fmtr.extract.model import ExtractError

# The header row, column by column (A..I), as the Greenbook prints it.
COLUMNS = (
    "Fiscal Year",
    "Region",
    "Country",
    "Assistance Category",
    "Publication Row",
    "Funding Agency",
    "Funding Account Name",
    "Obligations (Historical Dollars)",
    "Obligations (Constant Dollars)",
)

Cell = str | float | int | bool | date | datetime | time | timedelta | None


class GreenbookError(ExtractError):
    """A workbook that cannot be read as the Greenbook: the message names file and row."""

    def __init__(self, file: str, row: int | None, reason: str) -> None:
        self.file, self.page, self.row, self.reason = file, None, row, reason
        where = f"{file}, row {row}" if row is not None else file
        Exception.__init__(self, f"{where}: {reason}")

    def __reduce__(self) -> tuple[type[GreenbookError], tuple[str, int | None, str]]:
        return (GreenbookError, (self.file, self.row, self.reason))


def column_letter(index: int) -> str:
    """0 -> "A", 8 -> "I" (the sheet has fewer than 27 columns)."""
    return chr(ord("A") + index) if index < 26 else f"#{index + 1}"


@dataclass(frozen=True)
class GreenbookSheet:
    file: str  # as the catalog names it
    sheet: str
    title: tuple[tuple[int, str], ...]  # (row, text) of the lines above the header
    header_row: int
    grid: Sequence[Sequence[Cell]]  # the rows below the header, as read (empty included)

    def rows(self) -> Iterator[tuple[int, Sequence[Cell]]]:
        """(sheet row, cells) of every data row, one cell per column of COLUMNS; empty rows
        hold nothing and are passed over. Raises GreenbookError on a cell beyond the last
        column."""
        width = len(COLUMNS)
        wide = any(len(cells) > width for cells in self.grid)
        for number, cells in enumerate(self.grid, self.header_row + 1):
            if wide and (extra := [i for i, c in enumerate(cells[width:], width) if not _blank(c)]):
                raise GreenbookError(
                    self.file,
                    number,
                    f"cell {column_letter(extra[0])}{number} lies beyond the header's {width} "
                    f"columns: {cells[extra[0]]!r}",
                )
            if len(cells) != width:
                cells = [*cells[:width], *(None,) * (width - len(cells))]
            if _blank(cells[0]) and all(_blank(c) for c in cells):
                continue  # an empty row holds nothing
            yield number, cells


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def read_greenbook(path: Path, sheet: str | None = None, file: str | None = None) -> GreenbookSheet:
    """The Greenbook sheet of the workbook at ``path`` (its first sheet when ``sheet`` is None).

    Raises GreenbookError (naming ``file``, by default the file's name, and the row) when the
    workbook cannot be opened, the sheet is missing, no header is found or it differs from
    COLUMNS. The rows are checked as they are read (GreenbookSheet.rows)."""
    from python_calamine import CalamineError, CalamineWorkbook

    name = file or path.name
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise GreenbookError(name, None, f"not a readable workbook ({exc})") from None
    if sheet is not None and sheet not in book.sheet_names:
        raise GreenbookError(
            name, None, f"no sheet {sheet!r} (the workbook has {', '.join(book.sheet_names)})"
        )
    try:
        ws = book.get_sheet_by_name(sheet) if sheet is not None else book.get_sheet_by_index(0)
        # skip_empty_area=False keeps leading empty rows, so the list index is the sheet row.
        grid = ws.to_python(skip_empty_area=False)
    except (CalamineError, ValueError) as exc:
        raise GreenbookError(name, None, f"cannot read sheet {ws.name!r} ({exc})") from None
    title: list[tuple[int, str]] = []
    header_row = 0
    for number, cells in enumerate(grid, 1):
        filled = [c for c in cells if not _blank(c)]
        if len(filled) > 1:  # the first row with several cells is the header
            header_row = number
            _check_header(name, number, cells)
            break
        if filled:
            title.append((number, str(filled[0]).strip()))
    if not header_row:
        raise GreenbookError(name, None, f"no header row (expected {', '.join(COLUMNS)})")
    return GreenbookSheet(name, ws.name, tuple(title), header_row, grid[header_row:])


def _check_header(file: str, row: int, cells: Sequence[Cell]) -> None:
    found = [str(c).strip() if not _blank(c) else "" for c in cells]
    while found and not found[-1]:
        found.pop()
    if found == list(COLUMNS):
        return
    missing = [c for c in COLUMNS if c not in found]
    if missing and len(found) < len(COLUMNS):
        raise GreenbookError(
            file, row, f"the header has no column {missing[0]!r} (it reads: {' | '.join(found)})"
        )
    for i, expected in enumerate(COLUMNS):
        got = found[i] if i < len(found) else ""
        if got != expected:
            raise GreenbookError(
                file,
                row,
                f"header changed: column {column_letter(i)} is {got!r}, expected {expected!r}",
            )
    raise GreenbookError(
        file,
        row,
        f"header changed: column {column_letter(len(COLUMNS))} is {found[-1]!r}, "
        "beyond the nine Greenbook columns",
    )
