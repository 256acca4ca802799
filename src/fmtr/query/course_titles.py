"""Courses across recipients and years: found by title (``courses``), each on a page of its
own (``course_profile``: who, when, where, how many, at what cost).

A course is every course title with the same canonical words (fmtr.store.names; fmtr.clean.
glossary: "CMD & GEN STAFF OFF PREP" and "Command and General Staff Officer Preparatory" are
one). A search matches the canonical words of the titles, every word of the text, and the
table's related names ("ILE" also finds the Command and General Staff courses it renamed).
Figures add counted rows only; printed rows count every edition's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from fmtr.clean.glossary import canonical, fts_expression, related_runs, words
from fmtr.errors import NotFound
from fmtr.query.errors import EmptySearch
from fmtr.query.figures import Figures
from fmtr.query.resolve import Database, connect, require_search_index
from fmtr.query.student_units import NamedFigures
from fmtr.query.text import TrainingHit, rows_where
from fmtr.store import fulltext
from fmtr.store.sql import fast_rows, in_list

# How a course matches a search, best first.
COURSE_MATCHES = ("exact", "starts with", "all words", "related")


@dataclass
class Course:
    course: str  # its identifier: the canonical words of its titles
    name: str  # most printed title
    variants: dict[str, int]  # title as printed -> rows, most printed first
    keys: list[str]  # course_key of each title
    countries: int  # recipients with counted rows
    first_fy: int | None
    last_fy: int | None
    printed_rows: int  # every edition's rows
    figures: Figures  # counted rows
    match: str = ""


@dataclass
class CourseMatches:
    text: str
    canonical: str
    related: list[tuple[str, str]]  # (words of the text, what they also find)
    total: int  # courses matching
    rows: int  # their printed rows
    courses: list[Course]  # the page asked for
    offset: int = 0


_COURSE = """
SELECT course, name, variants, keys, countries, first_fy, last_fy, rows, trainees, cost_cents,
       counted_rows, rows_without_quantity, rows_without_cost
FROM course_figures WHERE course = :course
"""


def _course(row: Any) -> Course:
    course, name, variants, keys, countries, first, last, rows, q, c, n, nq, nc = row
    return Course(
        course,
        name,
        json.loads(variants),
        json.loads(keys),
        countries,
        first,
        last,
        rows,
        Figures(q, c, n, nq, nc),
    )


def courses(db: Database, text: str, limit: int | None = 20, offset: int = 0) -> CourseMatches:
    """Courses whose titles hold every word of ``text`` (abbreviations written out, related
    names too), best first (the title itself, titles beginning with it, the others by counted
    rows); the page ``offset``..``offset + limit`` (None: all), and how many match.

    Example: ``courses(db, "CMD & GEN STAFF")``."""
    query = canonical(text, "course")
    if not query:
        raise EmptySearch(f"nothing to search for in {text!r}")
    ws = tuple(query.split())
    with connect(db) as conn:
        require_search_index(conn)
        matching, params = fulltext.of(conn).names_matching(
            "course", fts_expression(ws, "course", verbatim=False)
        )
        found = fast_rows(
            conn,
            "SELECT f.course, f.rows, f.counted_rows, n.canonical FROM course_name n "
            f"JOIN course_figures f ON f.course = n.course WHERE n.id IN ({matching})",
            params,
        )
        best: dict[str, tuple[int, int, int]] = {}  # course -> (match, -counted, -rows)
        for course, rows, counted, name in found:
            names = set(name.split())
            if name == query:
                match = 0
            elif name.startswith(query + " "):
                match = 1
            elif set(ws) <= names:
                match = 2
            else:
                match = 3
            kept = best.get(course)
            if kept is None or match < kept[0]:
                best[course] = (match, -counted, -rows)
        order = sorted(best, key=lambda c: (*best[c], c))
        page = order[offset:] if limit is None else order[offset : offset + limit]
        out = []
        for course in page:
            found_course = _course(fast_rows(conn, _COURSE, {"course": course})[0])
            found_course.match = COURSE_MATCHES[best[course][0]]
            out.append(found_course)
        rows = sum(-best[c][2] for c in order)
    return CourseMatches(text, query, related_runs(ws, "course"), len(order), rows, out, offset)


@dataclass
class CourseCountry:
    country_code: str
    country: str
    figures: Figures
    first_fy: int | None
    last_fy: int | None


@dataclass
class CourseProfile:
    course: Course
    by_country: list[CourseCountry]  # most trainees first
    by_year: list[tuple[int, int, Figures]]  # (fiscal year, recipients, counted figures)
    schools: list[NamedFigures]
    locations: list[NamedFigures]


_SUMS = (
    "coalesce(sum(t.quantity_value), 0), coalesce(sum(t.cost_cents), 0), count(*), "
    "count(*) - count(t.quantity_value), count(*) - count(t.cost_cents)"
)


def find_course(conn: Connection, name: str) -> str:
    """The course ``name`` names: any of its titles, its key or its identifier; NotFound
    (with the closest course as suggestion) when none."""
    for sql, value in (
        ("SELECT course FROM course_figures WHERE course = :v", canonical(name, "course")),
        ("SELECT course FROM course_name WHERE key = :v", name),
    ):
        row = fast_rows(conn, sql, {"v": value})
        if row:
            return str(row[0][0])
    suggestion = None
    if canonical(name, "course"):
        best = courses(conn, name, limit=1)
        suggestion = best.courses[0].name if best.courses else None
    raise NotFound(f"no course {name!r}", suggestion)


def course_profile(db: Database, name: str, *, limit: int = 20) -> CourseProfile:
    """A course across recipients and years: its titles, its figures per recipient and per
    fiscal year, and its ``limit`` most used US schools and locations (counted rows). Its rows:
    ``fmtr.query.export.select_rows(course_keys=...)``.

    Example: ``course_profile(db, "Command and General Staff Officer Course")``."""
    with connect(db) as conn:
        require_search_index(conn)
        course = _course(fast_rows(conn, _COURSE, {"course": find_course(conn, name)})[0])
        marks, keys = in_list("key", course.keys)
        rows = (
            "FROM training t JOIN programme_block b ON b.id = t.block_id "
            f"WHERE t.course_key IN ({marks}) AND b.counted = TRUE"
        )
        names = dict(fast_rows(conn, "SELECT code, name FROM country"))
        by_country = [
            CourseCountry(
                code or "?", names.get(code, code or "?"), Figures(*map(int, f)), first, last
            )
            for code, first, last, *f in fast_rows(
                conn,
                f"SELECT b.country_code, min(b.fy), max(b.fy), {_SUMS} {rows} GROUP BY 1 "
                "ORDER BY 4 DESC, 5 DESC, 1 NULLS FIRST",
                keys,
            )
        ]
        by_year = [
            (fy, n, Figures(*map(int, f)))
            for fy, n, *f in fast_rows(
                conn,
                f"SELECT b.fy, count(DISTINCT b.country_code), {_SUMS} {rows} GROUP BY 1 "
                "ORDER BY 1 NULLS FIRST",
                keys,
            )
        ]
        named = {}
        for what, key, cell in (
            ("schools", "us_unit_key", "us_unit"),
            ("locations", "location_key", "location"),
        ):
            named[what] = [
                NamedFigures(label or "", Figures(*map(int, f)), first, last)
                for _, label, first, last, *f in fast_rows(
                    conn,
                    f"SELECT t.{key}, max(t.{cell}), min(b.fy), max(b.fy), {_SUMS} {rows} "
                    "GROUP BY 1 ORDER BY count(*) DESC, 2 NULLS FIRST LIMIT :limit",
                    {**keys, "limit": limit},
                )
            ]
    return CourseProfile(course, by_country, by_year, named["schools"], named["locations"])


__all__ = [
    "COURSE_MATCHES",
    "Course",
    "CourseCountry",
    "CourseMatches",
    "CourseProfile",
    "course_profile",
    "courses",
    "find_course",
    "words",
]


def course_rows(
    db: Database,
    name: str,
    *,
    all_editions: bool = False,
    limit: int | None = 50,
    offset: int = 0,
) -> tuple[Course, int, list[TrainingHit]]:
    """A course, how many training rows give it (counted rows only unless ``all_editions``),
    and the page of them by fiscal year and report order."""
    with connect(db) as conn:
        require_search_index(conn)
        course = _course(fast_rows(conn, _COURSE, {"course": find_course(conn, name)})[0])
        marks, keys = in_list("key", course.keys)
        total, hits = rows_where(
            conn,
            f"t.course_key IN ({marks})",
            keys,
            all_editions=all_editions,
            limit=limit,
            offset=offset,
        )
    return course, total, hits
