"""Any selection of training rows, with provenance columns, as CSV, JSON, Parquet or XLSX.

By default only counted rows are selected (each fiscal year once, from the edition that counts
for it), so that sums over an export match fmtr's figures; ``all_editions`` adds the rows of the
earlier edition printing FY2000 and FY2001, with ``counted`` = 0.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from fmtr.extras import MissingExtra, require
from fmtr.query.errors import FormatUnavailable
from fmtr.query.resolve import (
    Database,
    connect,
    require_search_index,
    resolve_country,
    resolve_programme,
    resolve_span,
)
from fmtr.query.text import search_words
from fmtr.store import fulltext
from fmtr.store.sql import in_list, rows

FORMATS = ("csv", "json", "parquet", "xlsx")
# The formats whose library is an extra (fmtr.extras), not installed with fmtr itself.
_EXTRA_OF = {"parquet": "parquet", "xlsx": "xlsx"}

COLUMNS = (
    "training_id",
    "stable_id",
    "edition",
    "file",
    "pdf_page",
    "report_page",
    "url",
    "region",
    "country",
    "country_code",
    "country_name",
    "programme",
    "programme_code",
    "programme_variant",
    "fiscal_year",
    "fy",
    "counted",
    "department",
    "course_title",
    "us_unit",
    "student_unit",
    "location",
    "quantity",
    "cost",
    "start_date",
    "end_date",
    "quantity_value",
    "cost_cents",
    "start_on",
    "end_on",
    "flags",
)

_SELECT = """
SELECT t.id, t.stable_id, e.name, d.file, t.page,
       CASE WHEN d.report_page_offset IS NULL THEN NULL ELSE t.page + d.report_page_offset END,
       d.url, b.region, b.country, b.country_code, c.name, b.programme, b.programme_code,
       b.programme_variant, b.fiscal_year, b.fy, CASE WHEN b.counted THEN 1 ELSE 0 END,
       b.department,
       t.course_title, t.us_unit, t.student_unit, t.location, t.quantity, t.cost,
       t.start_date, t.end_date, t.quantity_value, t.cost_cents, t.start_on, t.end_on, t.flags
FROM training t JOIN programme_block b ON b.id = t.block_id
JOIN document d ON d.id = b.document_id JOIN edition e ON e.id = d.edition_id
LEFT JOIN country c ON c.code = b.country_code
"""


@dataclass
class Selection:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def select_rows(
    db: Database,
    *,
    country: str | None = None,
    programme: str | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
    text: str | None = None,
    all_editions: bool = False,
    unit_keys: Sequence[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Selection:
    """The training rows matching every filter given, in report order. ``unit_keys``: rows of
    these student units (``student_unit_key``, as ``unit`` groups them); ``limit``/``offset``:
    one page of the rows."""
    where: list[str] = []
    params: dict[str, Any] = {}
    with connect(db) as conn:
        if country is not None:
            where.append("b.country_code = :country")
            params["country"] = resolve_country(conn, country).code
        if programme is not None:
            where.append("b.programme_code = :programme")
            params["programme"] = resolve_programme(conn, programme).code
        if start is not None or end is not None:
            first, last = resolve_span(conn, start, end)
            where.append("b.fy BETWEEN :first AND :last")
            params.update(first=first, last=last)
        if not all_editions:
            where.append("b.counted = TRUE")
        if text is not None:
            require_search_index(conn)
            words = search_words(text)
            matching, found = fulltext.of(conn).matching(words)
            where.append(f"t.id IN ({matching})")
            params.update(found)
        if unit_keys is not None:
            marks, keys = in_list("unit", list(unit_keys))
            where.append(f"t.student_unit_key IN ({marks})")
            params.update(keys)
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY e.name, d.file, b.seq, t.seq"
        if limit is not None:
            sql += " LIMIT :limit OFFSET :offset"
            params.update(limit=limit, offset=offset)
        selected = [tuple(r) for r in rows(conn, sql, params)]
    return Selection(COLUMNS, selected)


# A spreadsheet opening a CSV evaluates a cell beginning with one of these (OWASP, "CSV
# injection"): `=HYPERLINK(...)`, `-2+3+cmd|' /C calc'!A0`, `@SUM(...)`; tab and carriage return
# because some readers strip them first. The report's own cells begin so too: a student unit
# "-National Academy of Strategic and Political Studies (3) -Communications Institute...".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def evaluable(value: object) -> bool:
    """Whether a spreadsheet would take this cell for a formula. A cell of signs alone (the
    report's 21,642 "-" cells: nothing given) names no function, cell or program: it stays."""
    return (
        isinstance(value, str)
        and value.startswith(_FORMULA_START)
        and any(ch.isalnum() for ch in value)
    )


def spreadsheet_safe(value: Any) -> Any:
    """The cell as a spreadsheet shows it verbatim: an evaluable one gets a leading single quote,
    the OWASP practice (spreadsheets take the rest as text; the quote is visible elsewhere)."""
    return "'" + value if evaluable(value) else value


# A row needing care may hold an evaluable cell or a carriage return (see write_csv). Its cells
# are joined in one C call ("%s" formatting), each behind a separator, and searched for a
# separator followed by a sign: only such a row is checked cell by cell, and the csv module
# writes the others as they are (a Python check of every cell made an export of every row
# twice as slow; this costs about half as much again).
_SEP = "\x1f"
_CELL_STARTS = tuple(_SEP + c for c in _FORMULA_START)


def _may_need_care(joined: str) -> bool:
    return "\r" in joined or any(start in joined for start in _CELL_STARTS)


def write_csv(selection: Selection, out: IO[str], *, raw_cells: bool = False) -> None:
    writer = csv.writer(out, lineterminator="\n")
    # Rows ending in "\n" make the csv module leave a carriage return inside a cell unquoted,
    # and readers take it for a line break: the rest of the cell would start a row of its own
    # (and a formula). A row holding one is written with every cell quoted.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(selection.columns)
    joined = f"{_SEP}%s" * len(selection.columns)
    for row in selection.rows:
        if not _may_need_care(joined % row):
            writer.writerow(row)
            continue
        cells = row if raw_cells else [spreadsheet_safe(v) for v in row]
        if any(isinstance(v, str) and "\r" in v for v in cells):
            quoted.writerow(cells)
        else:
            writer.writerow(cells)


def write_json(selection: Selection, out: IO[str]) -> None:
    json.dump([dict(zip(selection.columns, r, strict=True)) for r in selection.rows], out)
    out.write("\n")


def check_format(fmt: str) -> None:
    """Refuse an unknown format, or one whose library is not installed, before any work:
    FormatUnavailable names the install command."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt in _EXTRA_OF:
        try:
            require(_EXTRA_OF[fmt])
        except MissingExtra as exc:
            raise FormatUnavailable(str(exc)) from None


def write_parquet(selection: Selection, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = (
        list(zip(*selection.rows, strict=True)) if selection.rows else [()] * len(selection.columns)
    )
    table = pa.table(
        {name: list(col) for name, col in zip(selection.columns, columns, strict=True)}
    )
    pq.write_table(table, path)


def write_xlsx(selection: Selection, path: Path, *, raw_cells: bool = False) -> None:
    import xlsxwriter

    # constant_memory streams rows to disk: an export of every row stays small in memory.
    # Never a formula: every text cell is written as a string (xlsxwriter's write() would make
    # "=..." a live formula), and an evaluable one is marked with Excel's quote prefix (the
    # cell's value stays verbatim, shown as text, kept as text when edited) unless raw_cells.
    book = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_urls": False, "strings_to_formulas": False},
    )
    sheet = book.add_worksheet("training")
    as_text = None if raw_cells else book.add_format({"quote_prefix": True})
    for c, name in enumerate(selection.columns):
        sheet.write_string(0, c, name)
    for r, row in enumerate(selection.rows, 1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value, as_text if evaluable(value) else None)
            else:
                sheet.write_number(r, c, value)
    book.close()


def write_selection(
    selection: Selection, fmt: str, out: Path | IO[str], *, raw_cells: bool = False
) -> None:
    """Write ``selection`` as ``fmt`` to a path (any format) or a text stream (csv, json).

    CSV and XLSX cells a spreadsheet would evaluate are neutralised (``spreadsheet_safe``)
    unless ``raw_cells``; JSON and Parquet are typed, and always verbatim."""
    check_format(fmt)
    if fmt == "parquet" or fmt == "xlsx":
        if not isinstance(out, Path):
            raise ValueError(f"{fmt} needs a file: give --out PATH")
        if fmt == "parquet":
            write_parquet(selection, out)
        else:
            write_xlsx(selection, out, raw_cells=raw_cells)
        return

    def write(f: IO[str]) -> None:
        if fmt == "csv":
            write_csv(selection, f, raw_cells=raw_cells)
        else:
            write_json(selection, f)

    if isinstance(out, Path):
        with out.open("w", encoding="utf-8", newline="") as f:
            write(f)
    else:
        write(out)


def export(
    db: Database, fmt: str, out: Path | IO[str], *, raw_cells: bool = False, **filters: Any
) -> int:
    """Select (``select_rows`` filters) and write; the number of rows written."""
    check_format(fmt)  # a missing library is said before the query runs, and no file is made
    selection = select_rows(db, **filters)
    write_selection(selection, fmt, out, raw_cells=raw_cells)
    return len(selection.rows)
