"""Student units and courses as the questions see them, computed with each build (migration
0008): a unit is a recipient's spellings of one name, a course every spelling of one title.

- ``unit_name``: per recipient and student-unit key, its canonical words (fmtr.clean.glossary:
  abbreviations written out, "4TH INF BDE" -> "4th infantry brigade"), its most printed spelling,
  its rows, and the unit it belongs to (``unit``: the canonical words of the unit's most printed
  name). ``unit_fts`` indexes the canonical words.
- ``unit_figures``: per unit, its spellings, keys, fiscal years and every edition's rows, and
  the counted rows' figures.
- ``course_name`` / ``course_figures``: the same for course titles, across recipients.

Spellings of a recipient's unit are grouped when they hold the same numbers ("2nd" is never
"3rd") and their canonical words, sorted, are alike (rapidfuzz ratio >= ``UNIT_ALIKE``): each
joins the first unit, most printed first, whose first name is that close. A unit never spans
two recipients: Lebanon's and Uganda's "Presidential Guard Brigade" are two units. Course
titles are grouped only when their canonical words are the same.

The grouping runs in Python (rapidfuzz in C) on a connection of its own while the build's
connection computes the other figures (fmtr.store.search); the courses (quick) first, so that
their tables are written while the units are still being grouped.
"""

from __future__ import annotations

import re
import sqlite3
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process, utils
from sqlalchemy import Connection

from fmtr.clean.glossary import canonical
from fmtr.store import fulltext
from fmtr.store.sql import insert_many, is_sqlite

UNIT_ALIKE = 90  # token-sort ratio of two spellings' canonical words to be one unit

# Per recipient and key: each spelling with its rows (every edition). A block whose country did
# not map keeps "?", as in the other figures.
UNIT_SPELLINGS = """
SELECT CASE WHEN coalesce(b.country_code, '') = '' THEN '?' ELSE b.country_code END,
       t.student_unit_key, coalesce(t.student_unit, ''), count(*)
FROM training t JOIN programme_block b ON b.id = t.block_id
WHERE t.student_unit_key IS NOT NULL
GROUP BY 1, 2, 3
"""
COURSE_SPELLINGS = """
SELECT course_key, coalesce(course_title, ''), count(*) FROM training
WHERE course_key IS NOT NULL GROUP BY 1, 2
"""


@dataclass
class _Name:
    key: str
    spelling: str
    rows: int
    canonical: str


def _names(found: Iterable[tuple[str, str, int]], scope: str, country: str | None) -> list[_Name]:
    """Per key, its most printed spelling (ties: the first in sort order) and its rows."""
    by_key: dict[str, tuple[str, int, int]] = {}  # key -> (spelling, its rows, all rows)
    for key, spelling, n in found:
        best, best_n, total = by_key.get(key, (spelling, -1, 0))
        if n > best_n or (n == best_n and spelling < best):
            best, best_n = spelling, n
        by_key[key] = (best, best_n, total + n)
    return [
        _Name(key, spelling, total, canonical(key, scope, country) or key)  # type: ignore[arg-type]
        for key, (spelling, _, total) in by_key.items()
    ]


def _digits(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\d+", text))


class _FirstNames:
    """The first names of a recipient's units with the same numbers, kept by length: two
    spellings whose lengths differ by more than a tenth of their sum cannot be UNIT_ALIKE
    (ratio = 100 * (1 - distance / sum of lengths), and the distance is at least the
    difference of the lengths), so each spelling is compared with the names of about its
    length only, instead of all of them (the grouping's largest cost, in rapidfuzz)."""

    def __init__(self) -> None:
        self.lengths: list[int] = []  # sorted
        self.words: list[str] = []  # in the order of lengths
        self.made: list[int] = []  # in the order of lengths: which unit (in order made)
        self.units: list[str] = []  # in order made

    def first_alike(self, words: str) -> str | None:
        """The unit, first made, whose first name's words are UNIT_ALIKE to ``words``."""
        n = len(words)
        # The lengths that can be alike, with a margin (2) against any rounding of the score;
        # rapidfuzz decides on each of them.
        lo = bisect_left(self.lengths, -((2 - 9 * n) // 11))  # ceil((9n - 2) / 11)
        hi = bisect_right(self.lengths, (11 * n + 2) // 9)
        alike = process.extract(
            words,
            self.words[lo:hi],
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=UNIT_ALIKE,
            limit=None,
        )
        if not alike:
            return None
        return self.units[min(self.made[lo + i] for _, _, i in alike)]

    def add(self, words: str, unit: str) -> None:
        at = bisect_right(self.lengths, len(words))
        self.lengths.insert(at, len(words))
        self.words.insert(at, words)
        self.made.insert(at, len(self.units))
        self.units.append(unit)


def group_units(names: list[_Name]) -> dict[str, str]:
    """One recipient's unit keys -> the canonical words of their unit's first name."""
    order = sorted(names, key=lambda n: (-n.rows, n.key))
    firsts: dict[tuple[str, ...], _FirstNames] = {}
    unit: dict[str, str] = {}
    same: dict[str, str] = {}  # a first name's sorted words -> its unit
    for n in order:
        sorted_words = " ".join(sorted(utils.default_process(n.canonical).split()))
        if sorted_words in same:  # the same words as a unit's first name: that unit
            unit[n.key] = same[sorted_words]
            continue
        bucket = firsts.setdefault(_digits(n.canonical), _FirstNames())
        found = bucket.first_alike(sorted_words)
        if found is not None:
            unit[n.key] = found
        else:
            bucket.add(sorted_words, n.canonical)
            unit[n.key] = same[sorted_words] = n.canonical
    return unit


UnitRow = tuple[str, str, str, str, str, int]  # country, key, canonical, unit, spelling, rows
CourseRow = tuple[str, str, str, int]  # key, canonical, spelling, rows


def unit_rows(spellings: Iterable[Any]) -> list[UnitRow]:
    """The rows of unit_name, from the rows of ``UNIT_SPELLINGS``."""
    per_country: dict[str, list[tuple[str, str, int]]] = {}
    for country, key, spelling, n in spellings:
        per_country.setdefault(country, []).append((key, spelling, n))
    out: list[UnitRow] = []
    for country, found in sorted(per_country.items()):
        names = _names(found, "unit", country)
        unit = group_units(names)
        out += [(country, n.key, n.canonical, unit[n.key], n.spelling, n.rows) for n in names]
    return out


def course_rows(spellings: Iterable[Any]) -> list[CourseRow]:
    """The rows of course_name, from the rows of ``COURSE_SPELLINGS``."""
    names = _names(spellings, "course", None)
    return [(n.key, n.canonical, n.spelling, n.rows) for n in names]


def computed_units(database: str) -> list[UnitRow]:
    """unit_name's rows, on a connection of its own (a thread of the build)."""
    with closing(sqlite3.connect(database)) as con:
        return unit_rows(con.execute(UNIT_SPELLINGS))


def computed_courses(database: str) -> list[CourseRow]:
    """course_name's rows, on a connection of its own (a thread of the build)."""
    with closing(sqlite3.connect(database)) as con:
        return course_rows(con.execute(COURSE_SPELLINGS))


# Per unit: its spellings (JSON object, most printed first), keys, years, and the figures. Each
# training row is joined to its unit through unit_name (recipient and key), in steps whose
# plans are plain: a scan of the rows, then one group per unit and lookups by index.
_UNIT_MEMBERS = """
CREATE TEMP TABLE unit_rows AS
SELECT n.country_code AS country_code, n.unit AS unit, coalesce(t.student_unit, '') AS spelling,
       b.fy AS fy, coalesce(b.counted, FALSE) AS counted, t.quantity_value AS q,
       t.cost_cents AS c
FROM training t
{join} programme_block b ON b.id = t.block_id
{join} unit_name n
    ON n.country_code = CASE WHEN coalesce(b.country_code, '') = '' THEN '?'
                             ELSE b.country_code END
   AND n.key = t.student_unit_key
"""
_UNIT_SPELLS = """
CREATE TEMP TABLE unit_spell AS
SELECT country_code, unit, spelling, count(*) AS n FROM unit_rows GROUP BY 1, 2, 3
"""
_UNIT_SPELLS_INDEX = "{unit_spell_index}"
_UNIT_FIGURE_COLUMNS = (
    "country_code", "unit", "name", "names", "rows", "counted_rows", "trainees", "cost_cents",
    "rows_without_quantity", "rows_without_cost", "first_fy", "last_fy", "variants", "keys",
    "years",
)  # fmt: skip
_UNIT_FIGURES_SELECT = """
SELECT s.country_code, s.unit,
       (SELECT spelling FROM unit_spell p WHERE p.country_code = s.country_code
        AND p.unit = s.unit ORDER BY n DESC, spelling LIMIT 1),
       (SELECT count(*) FROM unit_name k WHERE k.country_code = s.country_code
        AND k.unit = s.unit),
       s.rows, s.counted_rows, s.trainees, s.cost_cents, s.nq, s.nc, s.first_fy, s.last_fy,
       (SELECT {spellings} FROM (
            SELECT spelling, n FROM unit_spell p WHERE p.country_code = s.country_code
            AND p.unit = s.unit ORDER BY n DESC, spelling) o),
       (SELECT {keys} FROM (
            SELECT key FROM unit_name k WHERE k.country_code = s.country_code
            AND k.unit = s.unit ORDER BY key) o),
       s.years
FROM (
    SELECT country_code, unit, count(*) AS rows,
           sum(CASE WHEN counted THEN 1 ELSE 0 END) AS counted_rows,
           coalesce(sum(CASE WHEN counted THEN q END), 0) AS trainees,
           coalesce(sum(CASE WHEN counted THEN c END), 0) AS cost_cents,
           sum(CASE WHEN counted AND q IS NULL THEN 1 ELSE 0 END) AS nq,
           sum(CASE WHEN counted AND c IS NULL THEN 1 ELSE 0 END) AS nc,
           min(fy) AS first_fy, max(fy) AS last_fy,
           -- In year order: the rows come sorted, DISTINCT keeps the first of each.
           {years} AS years
    FROM (SELECT * FROM unit_rows ORDER BY country_code, unit, fy) o
    GROUP BY country_code, unit) s
"""
_UNIT_FIGURES = (
    f"INSERT INTO unit_figures ({', '.join(_UNIT_FIGURE_COLUMNS)})" + _UNIT_FIGURES_SELECT
)
_COURSE_MEMBERS = """
CREATE TEMP TABLE course_rows AS
SELECT n.course AS course, coalesce(t.course_title, '') AS spelling,
       CASE WHEN coalesce(b.country_code, '') = '' THEN '?' ELSE b.country_code END AS country,
       b.fy AS fy, coalesce(b.counted, FALSE) AS counted, t.quantity_value AS q,
       t.cost_cents AS c
FROM training t
{join} programme_block b ON b.id = t.block_id
{join} course_name n ON n.key = t.course_key
"""
_COURSE_SPELLS = """
CREATE TEMP TABLE course_spell AS
SELECT course, spelling, count(*) AS n FROM course_rows GROUP BY 1, 2
"""
_COURSE_SPELLS_INDEX = "{course_spell_index}"
_COURSE_FIGURE_COLUMNS = (
    "course", "name", "names", "rows", "counted_rows", "trainees", "cost_cents",
    "rows_without_quantity", "rows_without_cost", "countries", "first_fy", "last_fy",
    "variants", "keys",
)  # fmt: skip
_COURSE_FIGURES_SELECT = """
SELECT s.course,
       (SELECT spelling FROM course_spell p WHERE p.course = s.course
        ORDER BY n DESC, spelling LIMIT 1),
       (SELECT count(*) FROM course_name k WHERE k.course = s.course),
       s.rows, s.counted_rows, s.trainees, s.cost_cents, s.nq, s.nc, s.countries,
       s.first_fy, s.last_fy,
       (SELECT {spellings} FROM (
            SELECT spelling, n FROM course_spell p WHERE p.course = s.course
            ORDER BY n DESC, spelling) o),
       (SELECT {keys} FROM (
            SELECT key FROM course_name k WHERE k.course = s.course ORDER BY key) o)
FROM (
    SELECT course, count(*) AS rows,
           sum(CASE WHEN counted THEN 1 ELSE 0 END) AS counted_rows,
           coalesce(sum(CASE WHEN counted THEN q END), 0) AS trainees,
           coalesce(sum(CASE WHEN counted THEN c END), 0) AS cost_cents,
           sum(CASE WHEN counted AND q IS NULL THEN 1 ELSE 0 END) AS nq,
           sum(CASE WHEN counted AND c IS NULL THEN 1 ELSE 0 END) AS nc,
           count(DISTINCT CASE WHEN counted THEN country END) AS countries,
           min(fy) AS first_fy, max(fy) AS last_fy
    FROM course_rows GROUP BY course) s
"""
_COURSE_FIGURES = (
    f"INSERT INTO course_figures ({', '.join(_COURSE_FIGURE_COLUMNS)})" + _COURSE_FIGURES_SELECT
)


# What the statements above write per database: SQLite's JSON functions (the rows come
# ordered) or PostgreSQL's (ordered in the aggregate), a join SQLite keeps in order (CROSS JOIN;
# PostgreSQL's takes no ON), and where a temporary index goes.
_SQLITE = {
    "join": "CROSS JOIN",
    "unit_spell_index": "CREATE INDEX temp.ix_unit_spell "
    "ON unit_spell (country_code, unit, n, spelling)",
    "course_spell_index": "CREATE INDEX temp.ix_course_spell ON course_spell (course, n, spelling)",
    "spellings": "json_group_object(spelling, n)",
    "keys": "json_group_array(key)",
    "years": "json_group_array(DISTINCT fy) FILTER (WHERE fy IS NOT NULL)",
}
_POSTGRESQL = {
    "join": "JOIN",
    # Hash indexes: a unit's or course's canonical words may be longer than a B-tree entry may
    # be on PostgreSQL (2704 bytes).
    "unit_spell_index": "CREATE INDEX ix_unit_spell ON unit_spell USING hash (unit)",
    "course_spell_index": "CREATE INDEX ix_course_spell ON course_spell USING hash (course)",
    "spellings": "CAST(json_object_agg(spelling, n ORDER BY n DESC, spelling) AS text)",
    "keys": "CAST(json_agg(key ORDER BY key) AS text)",
    "years": "coalesce(CAST(json_agg(DISTINCT fy ORDER BY fy) FILTER "
    "(WHERE fy IS NOT NULL) AS text), '[]')",
}


def _fragments(conn: Connection) -> dict[str, str]:
    return _SQLITE if is_sqlite(conn) else _POSTGRESQL


def _figures(conn: Connection, kind: str, statements: tuple[str, ...]) -> None:
    run = conn.exec_driver_sql
    fragments = _fragments(conn)
    temp = "temp." if is_sqlite(conn) else "pg_temp."
    run(f"DROP TABLE IF EXISTS {temp}{kind}_rows")
    run(f"DROP TABLE IF EXISTS {temp}{kind}_spell")
    for statement in statements:
        run(statement.format(**fragments))
    run(f"DROP TABLE {temp}{kind}_rows")
    run(f"DROP TABLE {temp}{kind}_spell")


_UNIT_COLUMNS = ("country_code", "key", "canonical", "unit", "spelling", "rows")

# unit_name and course_name as the figures read them, for a connection of a build's thread
# that computes the figures before the build's connection has written the names (below): a
# temporary table of the same name comes first in SQLite's lookup of an unqualified name.
_TEMP_UNIT_NAME = """
CREATE TEMP TABLE unit_name (country_code TEXT NOT NULL, key TEXT NOT NULL,
    canonical TEXT NOT NULL, unit TEXT NOT NULL, spelling TEXT NOT NULL, rows INTEGER NOT NULL,
    UNIQUE (country_code, key))
"""
_TEMP_UNIT_NAME_INDEX = "CREATE INDEX temp.ix_unit_name_unit ON unit_name (country_code, unit, key)"
_TEMP_COURSE_NAME = """
CREATE TEMP TABLE course_name (key TEXT NOT NULL, canonical TEXT NOT NULL, course TEXT NOT NULL,
    spelling TEXT NOT NULL, rows INTEGER NOT NULL, UNIQUE (key))
"""
_TEMP_COURSE_NAME_INDEX = "CREATE INDEX temp.ix_course_name_course ON course_name (course, key)"


def computed_unit_figures(database: str, units: list[UnitRow]) -> list[tuple[Any, ...]]:
    """unit_figures' rows from ``units`` (unit_name's), on a connection of its own (a thread
    of the build): the same statements as ``fill_units``, so the same answers, while the
    build's connection writes the other tables."""
    with closing(sqlite3.connect(database)) as con:
        con.execute(_TEMP_UNIT_NAME)
        con.execute(_TEMP_UNIT_NAME_INDEX)
        con.executemany("INSERT INTO temp.unit_name VALUES (?, ?, ?, ?, ?, ?)", units)
        for statement in (_UNIT_MEMBERS, _UNIT_SPELLS, _UNIT_SPELLS_INDEX):
            con.execute(statement.format(**_SQLITE))
        return con.execute(_UNIT_FIGURES_SELECT.format(**_SQLITE)).fetchall()


def computed_course_figures(database: str, courses: list[CourseRow]) -> list[tuple[Any, ...]]:
    """course_figures' rows from ``courses`` (course_name's), as ``computed_unit_figures``."""
    with closing(sqlite3.connect(database)) as con:
        con.execute(_TEMP_COURSE_NAME)
        con.execute(_TEMP_COURSE_NAME_INDEX)
        con.executemany(
            "INSERT INTO temp.course_name VALUES (?, ?, ?, ?, ?)",
            [(k, c, c, sp, n) for k, c, sp, n in courses],
        )
        for statement in (_COURSE_MEMBERS, _COURSE_SPELLS, _COURSE_SPELLS_INDEX):
            con.execute(statement.format(**_SQLITE))
        return con.execute(_COURSE_FIGURES_SELECT.format(**_SQLITE)).fetchall()


def fill_courses(
    conn: Connection, courses: list[CourseRow], figures: list[tuple[Any, ...]] | None = None
) -> None:
    """Write course_name (and its index) and course_figures from the computed names;
    ``figures``: course_figures' rows when a thread has computed them already."""
    write_course_names(conn, courses)
    write_course_figures(conn, figures)


def write_course_names(conn: Connection, courses: list[CourseRow]) -> None:
    """course_name and its index (course_figures emptied: ``write_course_figures`` next)."""
    run = conn.exec_driver_sql
    for table in ("course_figures", "course_name"):
        run(f"DELETE FROM {table}")
    insert_many(
        conn,
        "course_name",
        ("key", "canonical", "course", "spelling", "rows"),
        [(k, c, c, sp, n) for k, c, sp, n in courses],
    )
    fulltext.of(conn).rebuild_names(conn, "course")


def write_course_figures(conn: Connection, figures: list[tuple[Any, ...]] | None) -> None:
    """course_figures, after course_name: the rows given, else computed here in SQL."""
    if figures is not None:
        insert_many(conn, "course_figures", _COURSE_FIGURE_COLUMNS, figures)
        return
    _figures(
        conn, "course", (_COURSE_MEMBERS, _COURSE_SPELLS, _COURSE_SPELLS_INDEX, _COURSE_FIGURES)
    )


def fill_units(
    conn: Connection, units: list[UnitRow], figures: list[tuple[Any, ...]] | None = None
) -> None:
    """Write unit_name (and its index) and unit_figures from the computed names; ``figures``:
    unit_figures' rows when a thread has computed them already."""
    write_unit_names(conn, units)
    write_unit_figures(conn, figures)


def write_unit_names(conn: Connection, units: list[UnitRow]) -> None:
    """unit_name and its index (unit_figures emptied: ``write_unit_figures`` next)."""
    run = conn.exec_driver_sql
    for table in ("unit_figures", "unit_name"):
        run(f"DELETE FROM {table}")
    insert_many(conn, "unit_name", _UNIT_COLUMNS, units)
    fulltext.of(conn).rebuild_names(conn, "unit")


def write_unit_figures(conn: Connection, figures: list[tuple[Any, ...]] | None) -> None:
    """unit_figures, after unit_name: the rows given, else computed here in SQL."""
    if figures is not None:
        insert_many(conn, "unit_figures", _UNIT_FIGURE_COLUMNS, figures)
        return
    _figures(conn, "unit", (_UNIT_MEMBERS, _UNIT_SPELLS, _UNIT_SPELLS_INDEX, _UNIT_FIGURES))
