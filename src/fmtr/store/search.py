"""The search index and the precomputed names the query layer reads (migrations 0003, 0008).

The statements are written once for SQLite and PostgreSQL (fmtr.store.sql); the full-text
index (fmtr.store.fulltext) and the JSON the unit figures keep (fmtr.store.dialects) are
written per database.

``rebuild_search_index`` refills them from the training table; the build pipeline calls it after
the documents are loaded. ``search_state`` remembers the build it reflects: ``index_is_current``
tells a query whether the index still matches the rows (a build since then replaces rows and
reuses their ids, so a stale external-content FTS index would point at the wrong rows).

On a SQLite file in WAL mode (a build aside), the largest parts (the unit and course names, the
per-name figures) are computed from what is committed by threads on connections of their own
(``Background``), which the build starts as soon as the rows they read are in, while it still
does other work.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import closing
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete
from sqlalchemy import insert as insert_into

from fmtr.store import fulltext
from fmtr.store.names import (
    COURSE_SPELLINGS,
    UNIT_SPELLINGS,
    CourseRow,
    UnitRow,
    computed_course_figures,
    computed_courses,
    computed_unit_figures,
    computed_units,
    course_rows,
    fill_courses,
    fill_units,
    unit_rows,
    write_course_figures,
    write_course_names,
    write_unit_figures,
    write_unit_names,
)
from fmtr.store.schema import SearchState
from fmtr.store.sql import insert_many, is_sqlite

_LATEST_BUILD = "SELECT max(id) FROM build_run"

# Counted blocks only: these are the per-fiscal-year figures. A block whose country or
# programme did not map keeps "?" so that its rows still add up in the totals.
_YEAR_FIGURES = """
INSERT INTO year_figures (country_code, fy, programme_code, trainees, cost_cents, rows,
                          rows_without_quantity, rows_without_cost)
SELECT coalesce(b.country_code, '?'), b.fy, coalesce(b.programme_code, '?'),
       coalesce(sum(t.quantity_value), 0), coalesce(sum(t.cost_cents), 0), count(t.id),
       count(t.id) - count(t.quantity_value), count(t.id) - count(t.cost_cents)
FROM programme_block b JOIN training t ON t.block_id = b.id
WHERE b.counted = TRUE AND b.fy IS NOT NULL
GROUP BY 1, 2, 3
"""

# Per recipient and name (course, US unit, location, student unit): the sums over its grouping
# key, shown in the spelling printed most often (ties: the last in sort order). One GROUP BY
# over the spellings, the spelling picked by the largest "rows, then spelling" ({best}: its
# rows zero-padded, so that they compare as numbers, then the spelling): a window per key and
# a second one to pick its spelling took a third longer (each a sort of the spellings).
_NAME_FIGURE_COLUMNS = (
    "country_code", "kind", "key", "spelling", "spellings", "first_fy", "last_fy",
    "trainees", "cost_cents", "rows", "rows_without_quantity", "rows_without_cost",
)  # fmt: skip
_NAME_FIGURES_INSERT = f"INSERT INTO name_figures ({', '.join(_NAME_FIGURE_COLUMNS)})\n"
_NAME_FIGURES_SELECT = """
SELECT country_code, '{kind}', key, substr(max({best}), 11), count(*), min(lo), max(hi),
       sum(q), sum(c), sum(n), sum(nq), sum(nc)
FROM (
    SELECT t.country_code AS country_code, t.{key} AS key,
           t.{cell} AS spelling, count(*) AS n, coalesce(sum(t.quantity_value), 0) AS q,
           coalesce(sum(t.cost_cents), 0) AS c, count(*) - count(t.quantity_value) AS nq,
           count(*) - count(t.cost_cents) AS nc, min(t.fy) AS lo, max(t.fy) AS hi
    FROM counted_rows t WHERE t.{key} IS NOT NULL
    GROUP BY 1, 2, 3
) spellings
GROUP BY country_code, key
"""
# A spelling's rows, ten digits (a corpus has fewer than 10**10 rows), then the spelling.
_BEST_SPELLING = {
    "sqlite": "printf('%010d', n) || spelling",
    "postgresql": "lpad(CAST(n AS text), 10, '0') || spelling",
}
_NAME_FIGURES = _NAME_FIGURES_INSERT + _NAME_FIGURES_SELECT
# The counted rows with their recipient and year, joined once for the four kinds of name.
_COUNTED_ROWS = """
CREATE TEMP TABLE counted_rows AS
SELECT coalesce(b.country_code, '?') AS country_code, b.fy AS fy, t.quantity_value,
       t.cost_cents, t.course_key, t.course_title, t.us_unit_key, t.us_unit, t.location_key,
       t.location, t.student_unit_key, t.student_unit
FROM programme_block b JOIN training t ON t.block_id = b.id
WHERE b.counted = TRUE AND b.fy IS NOT NULL
"""

NAME_KINDS = {
    "course": ("course_key", "course_title"),
    "us_unit": ("us_unit_key", "us_unit"),
    "location": ("location_key", "location"),
    "student_unit": ("student_unit_key", "student_unit"),
}


# Per training row, what a search counts, sums and filters by (fmtr.query.find): one narrow row
# read per match instead of a join over the row, its block and their keys.
_ROW_FACETS = """
INSERT INTO row_facets (id, country_code, programme_code, fy, counted, us_unit_key,
                        location_key, trainees, cost_cents)
SELECT t.id, CASE WHEN coalesce(b.country_code, '') = '' THEN '?' ELSE b.country_code END,
       coalesce(b.programme_code, '?'), b.fy, CASE WHEN b.counted THEN 1 ELSE 0 END,
       t.us_unit_key,
       t.location_key, t.quantity_value, t.cost_cents
FROM training t JOIN programme_block b ON b.id = t.block_id ORDER BY t.id
"""
# The spelling a facet shows for a US unit or location key: the most printed (ties: the first
# in sort order).
_NAME_LABELS = """
INSERT INTO name_label (kind, key, label)
SELECT '{kind}', key, cell FROM (
    SELECT key, cell, row_number() OVER (PARTITION BY key ORDER BY n DESC, cell) AS pick
    FROM (SELECT t.{key} AS key, t.{cell} AS cell, count(*) AS n FROM training t
          WHERE t.{key} IS NOT NULL GROUP BY 1, 2) labels
) picked WHERE pick = 1
"""


def unindex_document(conn: Connection, document_id: int) -> None:
    """Take a document's rows out of the full-text index (before the rows are deleted)."""
    fulltext.of(conn).unindex_document(conn, document_id)


def index_document(conn: Connection, document_id: int) -> None:
    """Put a freshly loaded document's rows in the full-text index. Done document by document
    while the build's workers are still extracting, rather than as one rebuild at the end."""
    fulltext.of(conn).index_document(conn, document_id)


def _name_figure_rows(database: str) -> list[tuple[object, ...]]:
    """The rows of name_figures, computed on a connection of their own (see below)."""
    with closing(sqlite3.connect(database)) as con:
        con.execute(_COUNTED_ROWS)
        rows: list[tuple[object, ...]] = []
        for kind, (key, cell) in NAME_KINDS.items():
            select = _NAME_FIGURES_SELECT.format(
                kind=kind, key=key, cell=cell, best=_BEST_SPELLING["sqlite"]
            )
            rows += con.execute(select)
        return rows


class Background:
    """The parts of ``rebuild_search_index`` that read the database and write nothing, computed
    by threads on connections of their own from what is committed: SQLite runs each query
    without the GIL, so they use the second core while the build's connection works.

    Only on a SQLite file in WAL mode (``start`` answers None otherwise), where a reader never
    holds up the writer. The names (Python: the canonical words and the grouping) and then
    their figures (SQL on a temporary copy of the names) go in one thread, courses first; the
    per-name figures, which read ``counted``, in another. The build's connection then only
    writes the rows down."""

    def __init__(self, database: str) -> None:
        self.database = database
        self._names = ThreadPoolExecutor(1, thread_name_prefix="fmtr-names")
        self._figures = ThreadPoolExecutor(1, thread_name_prefix="fmtr-figures")
        self.courses: Future[list[CourseRow]] | None = None
        self.units: Future[list[UnitRow]] | None = None
        self.course_figures: Future[list[tuple[object, ...]]] | None = None
        self.unit_figures: Future[list[tuple[object, ...]]] | None = None
        self.name_figures: Future[list[tuple[object, ...]]] | None = None

    @classmethod
    def start(cls, conn: Connection) -> Background | None:
        database = conn.engine.url.database if is_sqlite(conn) else None
        if not database or conn.exec_driver_sql("PRAGMA journal_mode").scalar() != "wal":
            return None
        return cls(database)

    def group_names(self) -> None:
        """Start on the unit and course names: once every training row is committed (they
        read nothing else)."""
        if self.units is None:
            self.courses = self._names.submit(computed_courses, self.database)
            self.units = self._names.submit(computed_units, self.database)

    def count_names(self) -> None:
        """Start on the figures: once ``counted`` is committed too (after ``group_names``).
        The unit figures follow the names in their thread; the course figures follow the
        per-name figures in the other (the names' thread has the longer work)."""
        if self.name_figures is None:
            units, courses = self.units, self.courses
            assert units is not None and courses is not None  # group_names first
            self.unit_figures = self._names.submit(
                lambda: computed_unit_figures(self.database, units.result())
            )
            self.name_figures = self._figures.submit(_name_figure_rows, self.database)
            self.course_figures = self._figures.submit(
                lambda: computed_course_figures(self.database, courses.result())
            )

    def close(self) -> None:
        """Wait for the threads (also those whose answer was never asked for: each holds a
        connection to the file until it ends)."""
        for pool in (self._names, self._figures):
            pool.shutdown(wait=True, cancel_futures=True)


def _computed_names(conn: Connection) -> tuple[list[UnitRow], list[CourseRow]]:
    """The unit and course names on the build's own connection (no second one: not WAL)."""
    return (
        unit_rows(conn.exec_driver_sql(UNIT_SPELLINGS)),
        course_rows(conn.exec_driver_sql(COURSE_SPELLINGS)),
    )


def rebuild_search_index(
    conn: Connection, *, full_text: bool = True, background: Background | None = None
) -> None:
    """(Re)fill the full-text index, the student-unit names and the per-year and per-name
    figures from the loaded rows (after a build, once ``counted`` is set and committed).

    ``full_text=False`` leaves the row index alone: the build keeps it up to date document by
    document (index_document / unindex_document). ``background``: the threads the build has
    already started on this work (none: started here when the database allows)."""
    own = background is None
    if background is None:
        background = Background.start(conn)
    try:
        _rebuild(conn, full_text, background)
    finally:
        if own and background is not None:
            background.close()


def _rebuild(conn: Connection, full_text: bool, background: Background | None) -> None:
    if background is not None:
        background.group_names()
        background.count_names()
    index = fulltext.of(conn)
    if full_text:
        index.rebuild_rows(conn)
    index.refresh_statistics(conn)
    conn.exec_driver_sql("DELETE FROM year_figures")
    conn.exec_driver_sql(_YEAR_FIGURES)
    conn.exec_driver_sql("DELETE FROM name_figures")
    if background is None:
        conn.exec_driver_sql("DROP TABLE IF EXISTS counted_rows")
        conn.exec_driver_sql(_COUNTED_ROWS)
        for kind, (key, cell) in NAME_KINDS.items():
            best = _BEST_SPELLING[conn.dialect.name]
            conn.exec_driver_sql(_NAME_FIGURES.format(kind=kind, key=key, cell=cell, best=best))
        conn.exec_driver_sql("DROP TABLE counted_rows")
    conn.exec_driver_sql("DELETE FROM row_facets")
    conn.exec_driver_sql(_ROW_FACETS)
    conn.exec_driver_sql("DELETE FROM name_label")
    for kind in ("us_unit", "location"):
        key, cell = NAME_KINDS[kind]
        conn.exec_driver_sql(_NAME_LABELS.format(kind=kind, key=key, cell=cell))
    if background is None:
        units, courses = _computed_names(conn)
        fill_courses(conn, courses)
        fill_units(conn, units)
    else:
        _write_computed(conn, background)
    build_run = conn.exec_driver_sql(_LATEST_BUILD).scalar()
    rows = conn.exec_driver_sql("SELECT count(*) FROM training").scalar() or 0
    conn.execute(delete(SearchState))
    conn.execute(
        insert_into(SearchState).values(
            id=1, build_run_id=build_run, training_rows=rows, rebuilt_at=datetime.now(UTC)
        )
    )
    # The planner needs statistics to prefer the covering and FTS paths on a fresh database.
    conn.exec_driver_sql("ANALYZE")


def _write_computed(conn: Connection, background: Background) -> None:
    """Write what the threads computed, in the order it comes: each table on its own (the
    order changes nothing in them), the names as soon as they are grouped, while the threads
    still compute their figures, and each name's figures after its names."""
    bg = background
    assert bg.courses and bg.course_figures and bg.units and bg.unit_figures
    assert bg.name_figures
    courses, units, name_figures = bg.courses, bg.units, bg.name_figures
    course_figures, unit_figures = bg.course_figures, bg.unit_figures
    # In this order where several are ready at once: names before their figures. A figures'
    # future is done only after its names' (the thread waits for them).
    writes: dict[Future[Any], Callable[[], None]] = {
        courses: lambda: write_course_names(conn, courses.result()),
        units: lambda: write_unit_names(conn, units.result()),
        course_figures: lambda: write_course_figures(conn, course_figures.result()),
        unit_figures: lambda: write_unit_figures(conn, unit_figures.result()),
        name_figures: lambda: _insert_name_figures(conn, name_figures.result()),
    }
    while writes:
        done, _ = wait(writes, return_when=FIRST_COMPLETED)
        for future in [f for f in list(writes) if f in done]:
            writes.pop(future)()


def _insert_name_figures(conn: Connection, rows: list[tuple[object, ...]]) -> None:
    insert_many(conn, "name_figures", _NAME_FIGURE_COLUMNS, rows)  # none for an empty corpus


def index_state(conn: Connection) -> tuple[int | None, int | None] | None:
    """(build run the index reflects, latest build run), or None when never built."""
    row = conn.exec_driver_sql("SELECT build_run_id FROM search_state WHERE id = 1").first()
    if row is None:
        return None
    return row[0], conn.exec_driver_sql(_LATEST_BUILD).scalar()


def index_is_current(conn: Connection) -> bool:
    state = index_state(conn)
    return state is not None and state[0] == state[1]
