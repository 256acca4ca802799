"""Any selection of training rows, with provenance columns, as CSV, JSON, Parquet or XLSX,
streamed: every row can be written without holding them all in memory.

A selection is what a search, a unit's page, a course's page or the filters of ``fmtr export``
choose (``RowFilter``): the same rows the question counts, in report order (edition, file,
block, row). By default only counted rows are selected (each fiscal year once, from the edition
that counts for it), so that sums over an export match fmtr's figures; ``all_editions`` adds the
rows of the earlier edition printing FY2000 and FY2001, with ``counted`` = 0.

Rows come from the database cursor a batch at a time (``stream_rows``); CSV and JSON are written
row by row, Parquet a batch at a time (pyarrow), XLSX row by row in xlsxwriter's
constant-memory mode. Each column has one meaning (``COLUMN_MEANINGS``, docs/export.md): the
cells as printed end in ``_printed``, the cleaned values have plain names, money is in dollars
(``cost_usd``, exact to the cent) and in cents (``cost_cents``).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection
from sqlalchemy import text as text_sql

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
from fmtr.store.sql import in_list, rows

FORMATS = ("csv", "json", "parquet", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The formats whose library is an extra (fmtr.extras), not installed with fmtr itself.
_EXTRA_OF = {"parquet": "parquet", "xlsx": "xlsx"}

# Every column of an export and what it holds: one meaning each (docs/export.md shows this).
COLUMN_MEANINGS: dict[str, str] = {
    "training_id": "The row's integer id in this database (changes with a build).",
    "stable_id": "The row's stable identifier, from where it is printed: cite this.",
    "edition": "The report edition printing the row (FY2016-2017).",
    "file": "The report file, as the corpus names it.",
    "pdf_page": "The PDF page of the row (1 for an HTML file).",
    "report_page": "The page number printed on that page, when the file gives it.",
    "url": "The official address of the file.",
    "region_printed": "The region heading, as printed.",
    "country_printed": "The country heading, as printed.",
    "country_code": "The recipient's code (ISO 3166-1 alpha-3, or fmtr's X-...).",
    "country_name": "The recipient's name.",
    "programme_printed": "The programme heading, as printed.",
    "programme_code": "The programme's code (IMET, FMF...).",
    "programme_variant": "The programme's variant as printed (IMET-1), when it has one.",
    "fiscal_year_printed": "The fiscal year heading, as printed (FY 01, 2016).",
    "fiscal_year": "The fiscal year as a number (2016).",
    "counted": "1 when this edition's rows count for the fiscal year, 0 for an earlier "
    "edition's reprint (FY2000, FY2001).",
    "department": "The department heading (DoD, DoS), when printed.",
    "course_title": "The course title, as printed.",
    "us_unit": "The US school or unit giving the training, as printed.",
    "student_unit": "The trainees' unit, as printed.",
    "location": "Where the training took place, as printed.",
    "quantity_printed": "The quantity cell, as printed.",
    "cost_printed": "The cost cell, as printed.",
    "start_date_printed": "The start date cell, as printed.",
    "end_date_printed": "The end date cell, as printed.",
    "trainees": "The number of trainees read from the quantity cell (empty when it gives none).",
    "cost_usd": "The cost in US dollars, exact to the cent (empty when the cell gives none).",
    "cost_cents": "The same cost in cents (an integer).",
    "start_date": "The start date, ISO 8601 (2016-10-03).",
    "end_date": "The end date, ISO 8601.",
    "flags": "Why a value was not read, when one was not (fmtr's flags).",
}
COLUMNS = tuple(COLUMN_MEANINGS)

# A cost in cents as exact dollars, in SQL (integer arithmetic: no float ever holds it).
# Written with || and CAST, which both databases have (SQLite's printf is not PostgreSQL's).
_USD = (
    "CASE WHEN t.cost_cents IS NULL THEN NULL ELSE "
    "CASE WHEN t.cost_cents < 0 THEN '-' ELSE '' END || CAST(abs(t.cost_cents) / 100 AS TEXT) "
    "|| '.' || CASE WHEN abs(t.cost_cents) % 100 < 10 THEN '0' ELSE '' END "
    "|| CAST(abs(t.cost_cents) % 100 AS TEXT) END"
)
_SELECT = f"""
SELECT t.id, t.stable_id, e.name, d.file, t.page,
       CASE WHEN d.report_page_offset IS NULL THEN NULL ELSE t.page + d.report_page_offset END,
       d.url, b.region, b.country, b.country_code, c.name, b.programme, b.programme_code,
       b.programme_variant, b.fiscal_year, b.fy, CASE WHEN b.counted THEN 1 ELSE 0 END,
       b.department,
       t.course_title, t.us_unit, t.student_unit, t.location, t.quantity, t.cost,
       t.start_date, t.end_date, t.quantity_value, {_USD}, t.cost_cents, t.start_on, t.end_on,
       t.flags
FROM training t JOIN programme_block b ON b.id = t.block_id
JOIN document d ON d.id = b.document_id JOIN edition e ON e.id = d.edition_id
LEFT JOIN country c ON c.code = b.country_code
"""
_ORDER = " ORDER BY e.name, d.file, b.seq, t.seq"
_COUNT = """
SELECT count(*) FROM training t JOIN programme_block b ON b.id = t.block_id
"""
# A block's recipient as unit_name keeps it ("?" when its country did not map).
_RECIPIENT = "CASE WHEN coalesce(b.country_code, '') = '' THEN '?' ELSE b.country_code END"


@dataclass
class Selection:
    """Columns and rows (any iterable: a list, or a cursor read once) of an export."""

    columns: tuple[str, ...]
    rows: Iterable[tuple[Any, ...]]


@dataclass
class RowFilter:
    """The rows an export holds, as SQL over ``t`` (training) and ``b`` (its block), and what
    names them (a file name's parts: fmtr.query.filenames)."""

    where: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    country: str | None = None
    programme: str | None = None
    first_fy: int | None = None
    last_fy: int | None = None
    text: str | None = None
    what: str = "training"

    @property
    def sql_where(self) -> str:
        return (" WHERE " + " AND ".join(self.where)) if self.where else ""

    @property
    def name(self) -> str:
        from fmtr.query.filenames import export_name

        return export_name(
            self.what, self.country, self.text, self.programme, self.first_fy, self.last_fy
        )


def row_filter(
    conn: Connection,
    *,
    country: str | None = None,
    programme: str | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
    text: str | None = None,
    field: str = "any",
    literal: bool = False,
    all_editions: bool = False,
    unit_keys: Sequence[str] | None = None,
    unit: str | None = None,
    course_keys: Sequence[str] | None = None,
    course: str | None = None,
) -> RowFilter:
    """The filter of the rows matching every filter given. ``text`` is read as the search reads
    it (fmtr.query.find: recipient and programme names and fiscal years in it are filters), so
    an export of a search holds the search's rows; ``unit`` (with ``country``): a unit's rows
    (fmtr.query.student_units), ``unit_keys``: the rows of these student-unit keys; ``course``: a
    course's rows (fmtr.query.course_titles), ``course_keys``: the rows of these course keys."""
    f = RowFilter()
    if text is not None and text.strip():
        from fmtr.query.find import choose

        require_search_index(conn)
        chosen = choose(
            conn,
            text,
            country=country,
            programme=programme,
            start=start,
            end=end,
            field=field,  # type: ignore[arg-type]
            all_editions=all_editions,
            literal=literal,
        )
        f.where.append(f"t.id IN (SELECT m.id FROM ({chosen.source}) m)")
        f.params.update(chosen.params)
        f.country = chosen.country.code if chosen.country else None
        f.programme = chosen.programme.code if chosen.programme else None
        if chosen.span:
            f.first_fy, f.last_fy = chosen.span
        f.text = " ".join(chosen.reading.words) or None
        country = programme = start = end = None
        all_editions = True  # the search's own rows already say
    if country is not None:
        recipient = resolve_country(conn, country)
        f.country = recipient.code
        if unit is not None:
            from fmtr.query.student_units import find_unit

            require_search_index(conn)
            _, unit_id = find_unit(conn, recipient, unit)
            keys = [
                r[0]
                for r in rows(
                    conn,
                    "SELECT key FROM unit_name WHERE country_code = :country AND unit = :unit "
                    "ORDER BY key",
                    {"country": recipient.code, "unit": unit_id},
                )
            ]
            marks, found_keys = in_list("e_unit", keys)
            f.where.append(f"t.student_unit_key IN ({marks})")
            f.where.append(f"{_RECIPIENT} = :e_country")
            f.params.update(found_keys, e_country=recipient.code)
            f.text = unit_id
        else:
            f.where.append("b.country_code = :e_country")
            f.params["e_country"] = recipient.code
    if programme is not None:
        found = resolve_programme(conn, programme)
        f.where.append("b.programme_code = :e_programme")
        f.params["e_programme"] = found.code
        f.programme = found.code
    if start is not None or end is not None:
        f.first_fy, f.last_fy = resolve_span(conn, start, end)
        f.where.append("b.fy BETWEEN :e_first_fy AND :e_last_fy")
        f.params.update(e_first_fy=f.first_fy, e_last_fy=f.last_fy)
    if not all_editions:
        f.where.append("b.counted = TRUE")
    if unit_keys is not None:
        marks, found_keys = in_list("e_unit_key", list(unit_keys))
        f.where.append(f"t.student_unit_key IN ({marks})")
        f.params.update(found_keys)
    if course is not None:
        from fmtr.query.course_titles import find_course

        require_search_index(conn)
        course_id = find_course(conn, course)
        course_keys = [
            r[0]
            for r in rows(
                conn,
                "SELECT key FROM course_name WHERE course = :course ORDER BY key",
                {"course": course_id},
            )
        ]
        f.text = course_id
    if course_keys is not None:
        marks, found_keys = in_list("e_course", list(course_keys))
        f.where.append(f"t.course_key IN ({marks})")
        f.params.update(found_keys)
    return f


def export_name(db: Database, **filters: Any) -> str:
    """The file name (without extension) an export of ``filters`` gets."""
    with connect(db) as conn:
        return row_filter(conn, **filters).name


def count_rows(conn: Connection, f: RowFilter) -> int:
    """How many rows ``f`` selects: what a page shows before a download."""
    return int(rows(conn, _COUNT + f.sql_where, f.params)[0][0])


def stream_rows(conn: Connection, f: RowFilter, batch: int = 2000) -> Iterator[tuple[Any, ...]]:
    """The rows ``f`` selects, in report order, read from the cursor ``batch`` at a time."""
    sql = _SELECT + f.sql_where + _ORDER
    raw = conn.connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        # A server-side cursor (psycopg's named cursor): the server sends ``batch`` at a time.
        result = conn.execution_options(stream_results=True, max_row_buffer=batch).execute(
            text_sql(sql), f.params
        )
        try:
            for row in result:
                yield tuple(row)
        finally:
            result.close()
        return
    cursor = raw.cursor()
    try:
        cursor.execute(sql, f.params)
        while found := cursor.fetchmany(batch):
            yield from found
    finally:
        cursor.close()


def select_rows(
    db: Database,
    *,
    limit: int | None = None,
    offset: int = 0,
    all_editions: bool = False,
    **filters: Any,
) -> Selection:
    """The rows matching every filter given (``row_filter``), in report order, as a list;
    ``limit``/``offset``: one page of them."""
    with connect(db) as conn:
        f = row_filter(conn, all_editions=all_editions, **filters)
        sql = _SELECT + f.sql_where + _ORDER
        params = dict(f.params)
        if limit is not None:
            sql += " LIMIT :e_limit OFFSET :e_offset"
            params.update(e_limit=limit, e_offset=offset)
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
# One scan of the row (six `in` scans took a tenth of an export of every row).
_NEEDS_CARE = re.compile("\r|" + re.escape(_SEP) + "[" + re.escape("".join(_FORMULA_START)) + "]")


def _may_need_care(joined: str) -> bool:
    return _NEEDS_CARE.search(joined) is not None


def csv_chunks(
    selection: Selection, *, raw_cells: bool = False, rows_per_chunk: int = 1000
) -> Iterator[str]:
    """The CSV text of ``selection``, ``rows_per_chunk`` rows at a time (a stream's pieces)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # Rows ending in "\n" make the csv module leave a carriage return inside a cell unquoted,
    # and readers take it for a line break: the rest of the cell would start a row of its own
    # (and a formula). A row holding one is written with every cell quoted.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(selection.columns)
    joined = f"{_SEP}%s" * len(selection.columns)
    pending = 0
    for row in selection.rows:
        if not _may_need_care(joined % tuple(row)):
            writer.writerow(row)
        else:
            cells = row if raw_cells else [spreadsheet_safe(v) for v in row]
            if any(isinstance(v, str) and "\r" in v for v in cells):
                quoted.writerow(cells)
            else:
                writer.writerow(cells)
        pending += 1
        if pending >= rows_per_chunk:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            pending = 0
    yield out.getvalue()


def write_csv(selection: Selection, out: IO[str], *, raw_cells: bool = False) -> None:
    for chunk in csv_chunks(selection, raw_cells=raw_cells):
        out.write(chunk)


def json_chunks(selection: Selection, *, rows_per_chunk: int = 1000) -> Iterator[str]:
    """A JSON array of objects, one per row, ``rows_per_chunk`` rows at a time. Dollars are
    JSON numbers: the shortest decimal reading back as the same double, which for an amount in
    cents is the amount itself (46615433.27)."""
    columns = selection.columns
    usd = [c.endswith("_usd") for c in columns]
    parts = ["["]
    first = True
    for row in selection.rows:
        record = {
            c: (float(v) if is_usd and v is not None else v)
            for c, v, is_usd in zip(columns, row, usd, strict=True)
        }
        parts.append(("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False))
        first = False
        if len(parts) >= rows_per_chunk:
            yield "".join(parts)
            parts = []
    parts.append("\n]\n")
    yield "".join(parts)


def write_json(selection: Selection, out: IO[str]) -> None:
    for chunk in json_chunks(selection):
        out.write(chunk)


_PARQUET_BATCH = 10_000


# The Parquet types of an export's columns; another table's are read from its values.
_EXPORT_INTEGERS = {
    "training_id", "pdf_page", "report_page", "fiscal_year", "counted", "trainees", "cost_cents",
}  # fmt: skip


def _arrow_type(column: str, values: list[Any]) -> Any:
    """A column's Parquet type: dollars decimal(18, 2); whole numbers int64, fractions float64,
    yes/no boolean (as its values are, every one: a column of mixed kinds is text); text."""
    import pyarrow as pa

    if column.endswith("_usd"):
        return pa.decimal128(18, 2)
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return pa.bool_()
    if kinds == {int}:
        return pa.int64()
    if kinds and kinds <= {int, float}:
        return pa.float64()
    return pa.string()


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
    """Parquet, a batch of rows at a time (pyarrow): an export's columns with their types
    (integers int64, dollars decimal(18, 2), the rest text), another table's as its values are."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = selection.columns
    rows = iter(selection.rows)
    first = [row for _, row in zip(range(_PARQUET_BATCH), rows, strict=False)]
    if tuple(columns) == COLUMNS:
        types = [
            pa.decimal128(18, 2)
            if c.endswith("_usd")
            else pa.int64()
            if c in _EXPORT_INTEGERS
            else pa.string()
            for c in columns
        ]
    else:
        # A table held in memory (a summary) is typed from all its rows, a stream from its first
        # batch (a later value of another kind would not fit the column).
        sample = selection.rows if isinstance(selection.rows, list) else first
        by_column = list(zip(*sample, strict=True)) if sample else [() for _ in columns]
        types = [_arrow_type(c, list(v)) for c, v in zip(columns, by_column, strict=True)]
    schema = pa.schema(list(zip(columns, types, strict=True)))

    def convert(value: Any, kind: Any) -> Any:
        if value is None:
            return None
        if kind == pa.string():
            return _cell_text(value)
        if pa.types.is_decimal(kind):
            return Decimal(str(value))
        return value

    def batch(chunk: list[tuple[Any, ...]]) -> pa.RecordBatch:
        cols = list(zip(*chunk, strict=True)) if chunk else [() for _ in columns]
        return pa.RecordBatch.from_arrays(
            [
                pa.array([convert(v, kind) for v in col], type=kind)
                for col, kind in zip(cols, types, strict=True)
            ],
            schema=schema,
        )

    with pq.ParquetWriter(path, schema) as writer:
        pending = first
        while pending:
            writer.write_batch(batch(pending))
            pending = [row for _, row in zip(range(_PARQUET_BATCH), rows, strict=False)]


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value))
    return str(value)


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
    money = book.add_format({"num_format": "#,##0.00"})
    usd = {i for i, c in enumerate(selection.columns) if c.endswith("_usd")}
    for c, name in enumerate(selection.columns):
        sheet.write_string(0, c, name)
    for r, row in enumerate(selection.rows, 1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if c in usd:
                sheet.write_number(r, c, float(value), money)
            elif isinstance(value, str):
                sheet.write_string(r, c, value, as_text if evaluable(value) else None)
            elif isinstance(value, list | tuple):
                joined = "; ".join(map(str, value))
                sheet.write_string(r, c, joined, as_text if evaluable(joined) else None)
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
    """Select (``row_filter``'s filters) and write, streaming; the number of rows written."""
    check_format(fmt)  # a missing library is said before the query runs, and no file is made
    with connect(db) as conn:
        f = row_filter(conn, **filters)
        counted = _Counted(stream_rows(conn, f))
        write_selection(Selection(COLUMNS, counted), fmt, out, raw_cells=raw_cells)
    return counted.n


class _Counted:
    """An iterable that counts what it gives."""

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.rows, self.n = rows, 0

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for row in self.rows:
            self.n += 1
            yield row
