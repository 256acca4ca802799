"""The search index and the precomputed names the query layer reads (migrations 0003, 0004).

``rebuild_search_index`` refills them from the training table; the build pipeline calls it after
the documents are loaded. ``search_state`` remembers the build it reflects: ``index_is_current``
tells a query whether the index still matches the rows (a build since then replaces rows and
reuses their ids, so a stale external-content FTS index would point at the wrong rows).
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import Connection

from fmtr.store.schema import utc_text

_LATEST_BUILD = "SELECT max(id) FROM build_run"

# The spelling shown for a unit key is the one printed most often (ties: the first in sort
# order, not in row order: row ids depend on which document a build happened to load first).
_UNIT_NAMES = """
INSERT INTO student_unit_name (key, spelling, rows)
SELECT key, spelling, total FROM (
    SELECT student_unit_key AS key, student_unit AS spelling,
           sum(n) OVER (PARTITION BY student_unit_key) AS total,
           row_number() OVER (PARTITION BY student_unit_key ORDER BY n DESC, student_unit)
               AS pick
    FROM (
        SELECT student_unit_key, student_unit, count(*) AS n
        FROM training WHERE student_unit_key IS NOT NULL
        GROUP BY student_unit_key, student_unit
    )
) WHERE pick = 1
"""


# Counted blocks only: these are the per-fiscal-year figures. A block whose country or
# programme did not map keeps "?" so that its rows still add up in the totals.
_YEAR_FIGURES = """
INSERT INTO year_figures (country_code, fy, programme_code, trainees, cost_cents, rows,
                          rows_without_quantity, rows_without_cost)
SELECT coalesce(b.country_code, '?'), b.fy, coalesce(b.programme_code, '?'),
       coalesce(sum(t.quantity_value), 0), coalesce(sum(t.cost_cents), 0), count(t.id),
       count(t.id) - count(t.quantity_value), count(t.id) - count(t.cost_cents)
FROM programme_block b JOIN training t ON t.block_id = b.id
WHERE b.counted = 1 AND b.fy IS NOT NULL
GROUP BY 1, 2, 3
"""

# Per recipient and name (course, US unit, location, student unit): the sums over its grouping
# key, shown in the spelling printed most often (ties: the last in sort order).
_NAME_FIGURES_INSERT = """
INSERT INTO name_figures (country_code, kind, key, spelling, spellings, first_fy, last_fy,
                          trainees, cost_cents, rows, rows_without_quantity, rows_without_cost)
"""
_NAME_FIGURES_SELECT = """
SELECT country_code, '{kind}', key, spelling, spellings, first_fy, last_fy,
       trainees, cost_cents, rows, nq, nc
FROM (
    SELECT country_code, key, spelling,
           count(*) OVER w AS spellings, min(lo) OVER w AS first_fy, max(hi) OVER w AS last_fy,
           sum(q) OVER w AS trainees, sum(c) OVER w AS cost_cents, sum(n) OVER w AS rows,
           sum(nq) OVER w AS nq, sum(nc) OVER w AS nc,
           row_number() OVER (PARTITION BY country_code, key ORDER BY n DESC, spelling DESC)
               AS pick
    FROM (
        SELECT t.country_code AS country_code, t.{key} AS key,
               t.{cell} AS spelling, count(*) AS n, coalesce(sum(t.quantity_value), 0) AS q,
               coalesce(sum(t.cost_cents), 0) AS c, count(*) - count(t.quantity_value) AS nq,
               count(*) - count(t.cost_cents) AS nc, min(t.fy) AS lo, max(t.fy) AS hi
        FROM counted_rows t WHERE t.{key} IS NOT NULL
        GROUP BY 1, 2, 3
    )
    WINDOW w AS (PARTITION BY country_code, key)
) WHERE pick = 1
"""
_NAME_FIGURES = _NAME_FIGURES_INSERT + _NAME_FIGURES_SELECT
# The counted rows with their recipient and year, joined once for the four kinds of name.
_COUNTED_ROWS = """
CREATE TEMP TABLE counted_rows AS
SELECT coalesce(b.country_code, '?') AS country_code, b.fy AS fy, t.quantity_value,
       t.cost_cents, t.course_key, t.course_title, t.us_unit_key, t.us_unit, t.location_key,
       t.location, t.student_unit_key, t.student_unit
FROM programme_block b JOIN training t ON t.block_id = b.id
WHERE b.counted = 1 AND b.fy IS NOT NULL
"""

NAME_KINDS = {
    "course": ("course_key", "course_title"),
    "us_unit": ("us_unit_key", "us_unit"),
    "location": ("location_key", "location"),
    "student_unit": ("student_unit_key", "student_unit"),
}


# Per student-unit key, every edition's rows: what a unit search shows of the key (its spellings
# and courses with their rows, years, recipients) and the counted rows' figures, so that the
# search reads one row per key. JSON keeps the lists in one row; fmtr.query.text reads them.
_UNIT_ROWS = """
CREATE TEMP TABLE unit_rows AS
SELECT t.student_unit_key AS key, coalesce(t.student_unit, '') AS spelling,
       t.course_title AS course,
       CASE WHEN coalesce(b.country_code, '') = '' THEN '?' ELSE b.country_code END AS country,
       b.fy AS fy, coalesce(b.counted, 0) != 0 AS counted, t.quantity_value AS q,
       t.cost_cents AS c
FROM training t JOIN programme_block b ON b.id = t.block_id
WHERE t.student_unit_key IS NOT NULL
"""
_UNIT_FIGURES = """
INSERT INTO student_unit_figures (key, rows, trainees, cost_cents, counted_rows,
    rows_without_quantity, rows_without_cost, variants, courses, years, countries)
WITH s AS (
    SELECT key, count(*) AS rows,
           coalesce(sum(CASE WHEN counted THEN q END), 0) AS trainees,
           coalesce(sum(CASE WHEN counted THEN c END), 0) AS cost_cents,
           sum(counted) AS counted_rows,
           sum(counted AND q IS NULL) AS nq, sum(counted AND c IS NULL) AS nc,
           json_group_array(DISTINCT fy) FILTER (WHERE fy IS NOT NULL) AS years,
           json_group_array(DISTINCT country) AS countries
    -- In key, year, country order, so that the JSON lists do not depend on row ids.
    FROM (SELECT * FROM unit_rows ORDER BY key, fy, country) GROUP BY key),
v AS (SELECT key, json_group_object(spelling, n) AS variants
      FROM (SELECT key, spelling, count(*) AS n FROM unit_rows GROUP BY 1, 2) GROUP BY key),
k AS (SELECT key, json_group_object(course, n) AS courses
      FROM (SELECT key, course, count(*) AS n FROM unit_rows WHERE course != '' GROUP BY 1, 2)
      GROUP BY key)
SELECT s.key, s.rows, s.trainees, s.cost_cents, s.counted_rows, s.nq, s.nc, v.variants,
       coalesce(k.courses, '{}'), s.years, s.countries
FROM s JOIN v ON v.key = s.key LEFT JOIN k ON k.key = s.key
"""


_FTS_COLUMNS = "course_title, student_unit, us_unit, location"
# In rowid order: FTS5 writes its pending terms out as a segment whenever a rowid comes lower
# than the one before, and block by block through the index the ids are not in order (a whole
# corpus indexed document by document took 4.2 s so, 1.6 s in rowid order).
_DOCUMENT_ROWS = (
    "FROM training t JOIN programme_block b ON b.id = t.block_id WHERE b.document_id = ? "
    "ORDER BY t.id"
)


def unindex_document(conn: Connection, document_id: int) -> None:
    """Take a document's rows out of the full-text index (before the rows are deleted: an
    external-content FTS5 index needs the old values to forget them)."""
    conn.exec_driver_sql(
        f"INSERT INTO training_fts(training_fts, rowid, {_FTS_COLUMNS}) "
        f"SELECT 'delete', t.id, t.course_title, t.student_unit, t.us_unit, t.location "
        f"{_DOCUMENT_ROWS}",
        (document_id,),
    )


def index_document(conn: Connection, document_id: int) -> None:
    """Put a freshly loaded document's rows in the full-text index. Done document by document
    while the build's workers are still extracting, rather than as one rebuild at the end."""
    conn.exec_driver_sql(
        f"INSERT INTO training_fts(rowid, {_FTS_COLUMNS}) "
        f"SELECT t.id, t.course_title, t.student_unit, t.us_unit, t.location {_DOCUMENT_ROWS}",
        (document_id,),
    )


def _name_figure_rows(database: str) -> list[tuple[object, ...]]:
    """The rows of name_figures, computed on a connection of their own (see below)."""
    con = sqlite3.connect(database)
    try:
        con.execute(_COUNTED_ROWS)
        rows: list[tuple[object, ...]] = []
        for kind, (key, cell) in NAME_KINDS.items():
            rows += con.execute(_NAME_FIGURES_SELECT.format(kind=kind, key=key, cell=cell))
        return rows
    finally:
        con.close()


def rebuild_search_index(conn: Connection, *, full_text: bool = True) -> None:
    """(Re)fill the full-text index, the student-unit names and the per-year and per-name
    figures from the loaded rows (after a build, once ``counted`` is set and committed).

    ``full_text=False`` leaves the row index alone: the build keeps it up to date document by
    document (index_document / unindex_document)."""
    # On a SQLite file, the per-name figures (the largest part) are computed by a second
    # connection in a thread while this one does the rest: SQLite runs each query without the
    # GIL, so the two use both cores. They read what is committed, hence "committed" above.
    # Only in WAL mode (a build aside): there a reader never holds up this writer.
    database = conn.engine.url.database if conn.dialect.name == "sqlite" else None
    wal = bool(database) and conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    names: Future[list[tuple[object, ...]]] | None = None
    pool = ThreadPoolExecutor(1) if wal else None
    if pool is not None:
        names = pool.submit(_name_figure_rows, str(database))
    if full_text:
        conn.exec_driver_sql("INSERT INTO training_fts(training_fts) VALUES ('rebuild')")
    conn.exec_driver_sql("DELETE FROM year_figures")
    conn.exec_driver_sql(_YEAR_FIGURES)
    conn.exec_driver_sql("DELETE FROM name_figures")
    if names is None:
        conn.exec_driver_sql("DROP TABLE IF EXISTS temp.counted_rows")
        conn.exec_driver_sql(_COUNTED_ROWS)
        for kind, (key, cell) in NAME_KINDS.items():
            conn.exec_driver_sql(_NAME_FIGURES.format(kind=kind, key=key, cell=cell))
        conn.exec_driver_sql("DROP TABLE temp.counted_rows")
    conn.exec_driver_sql("DELETE FROM student_unit_name")
    conn.exec_driver_sql(_UNIT_NAMES)
    conn.exec_driver_sql("INSERT INTO student_unit_fts(student_unit_fts) VALUES ('rebuild')")
    conn.exec_driver_sql("DELETE FROM student_unit_figures")
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.unit_rows")
    conn.exec_driver_sql(_UNIT_ROWS)
    conn.exec_driver_sql(_UNIT_FIGURES)
    conn.exec_driver_sql("DROP TABLE temp.unit_rows")
    if names is not None and pool is not None:
        insert = _NAME_FIGURES_INSERT + "VALUES (" + ", ".join(["?"] * 12) + ")"
        rows_of_names = names.result()
        if rows_of_names:  # none for a database without counted rows (an empty corpus)
            conn.exec_driver_sql(insert, rows_of_names)
        pool.shutdown()
    build_run = conn.exec_driver_sql(_LATEST_BUILD).scalar()
    rows = conn.exec_driver_sql("SELECT count(*) FROM training").scalar() or 0
    conn.exec_driver_sql("DELETE FROM search_state")
    conn.exec_driver_sql(
        "INSERT INTO search_state (id, build_run_id, training_rows, rebuilt_at) "
        "VALUES (1, ?, ?, ?)",
        (build_run, rows, utc_text(datetime.now(UTC))),
    )
    # The planner needs statistics to prefer the covering and FTS paths on a fresh database.
    conn.exec_driver_sql("ANALYZE")


def index_state(conn: Connection) -> tuple[int | None, int | None] | None:
    """(build run the index reflects, latest build run), or None when never built."""
    row = conn.exec_driver_sql("SELECT build_run_id FROM search_state WHERE id = 1").first()
    if row is None:
        return None
    return row[0], conn.exec_driver_sql(_LATEST_BUILD).scalar()


def index_is_current(conn: Connection) -> bool:
    state = index_state(conn)
    return state is not None and state[0] == state[1]
