"""Questions about names: full-text search, courses, and a student unit across all editions.

Row listings include every edition's rows, with ``counted`` telling whether the row's figures
count for its fiscal year (FY2000 and FY2001 rows appear twice, once per edition printing them);
figures summed here (course and unit totals) add counted rows only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz, process, utils
from sqlalchemy import Connection

from fmtr.query.errors import EmptySearch
from fmtr.query.figures import Figures, fast_rows
from fmtr.query.resolve import (
    Database,
    build_stamp,
    connect,
    database_file,
    require_search_index,
)


@dataclass
class Provenance:
    edition: str
    file: str
    pdf_page: int
    report_page: int | None
    url: str

    @property
    def link(self) -> str:
        return f"{self.url}#page={self.pdf_page}" if self.file.endswith(".pdf") else self.url


@dataclass
class TrainingHit:
    training_id: int
    fy: int | None
    counted: bool
    country_code: str | None
    country: str | None  # as printed
    programme_code: str | None
    course_title: str | None
    us_unit: str | None
    student_unit: str | None
    location: str | None
    quantity: int | None
    cost_cents: int | None
    start_on: str | None
    end_on: str | None
    provenance: Provenance


_HIT_COLUMNS = """
t.id, b.fy, coalesce(b.counted, 0), b.country_code, b.country, b.programme_code,
       t.course_title, t.us_unit, t.student_unit, t.location, t.quantity_value, t.cost_cents,
       t.start_on, t.end_on, e.name, d.file, t.page,
       CASE WHEN d.report_page_offset IS NULL THEN NULL ELSE t.page + d.report_page_offset END,
       d.url
"""
_HIT_FROM = """
FROM training t JOIN programme_block b ON b.id = t.block_id
JOIN document d ON d.id = b.document_id JOIN edition e ON e.id = d.edition_id
"""
_HIT = f"SELECT {_HIT_COLUMNS} {_HIT_FROM}"


def _hit(row: Any) -> TrainingHit:
    (tid, fy, counted, code, country, prog, course, us, student, loc, q, c, start, end) = row[:14]
    return TrainingHit(
        tid,
        fy,
        bool(counted),
        code,
        country,
        prog,
        course,
        us,
        student,
        loc,
        q,
        c,
        start,
        end,
        Provenance(*row[14:19]),
    )


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def fts_query(text: str, column: str | None = None) -> str:
    """An FTS5 query for all the words of ``text`` (each quoted: no user-written operators)."""
    words = _words(text)
    if not words:
        raise EmptySearch(f"nothing to search for in {text!r}")
    expr = " ".join(f'"{w}"' for w in words)
    return f"{column} : ({expr})" if column else expr


@dataclass
class SearchResult:
    text: str
    total: int
    hits: list[TrainingHit]


def search(db: Database, text: str, limit: int = 50) -> SearchResult:
    """Training rows whose course, student unit, US unit or location holds every word of
    ``text`` (accents and case ignored), best matches first (bm25)."""
    match = fts_query(text)
    with connect(db) as conn:
        require_search_index(conn)
        total = conn.exec_driver_sql(
            "SELECT count(*) FROM training_fts WHERE training_fts MATCH ?", (match,)
        ).scalar_one()
        rows = conn.exec_driver_sql(
            f"WITH m AS (SELECT rowid AS id, rank FROM training_fts WHERE training_fts MATCH ? "
            f"ORDER BY rank LIMIT ?) {_HIT} JOIN m ON m.id = t.id ORDER BY m.rank, t.id",
            (match, limit),
        ).all()
    return SearchResult(text, int(total), [_hit(r) for r in rows])


@dataclass
class CourseMatch:
    title: str  # most printed spelling
    spellings: int
    countries: int
    first_fy: int
    last_fy: int
    figures: Figures  # counted rows
    example: Provenance  # the first row that prints it


@dataclass
class CourseResult:
    text: str
    rows: int  # matching rows, every edition
    courses_total: int
    courses: list[CourseMatch]


def course(db: Database, text: str, limit: int = 20) -> CourseResult:
    """Courses whose title holds every word of ``text``, most trained first, with counted
    figures per course (grouped by ``course_key``)."""
    match = fts_query(text, "course_title")
    with connect(db) as conn:
        require_search_index(conn)
        rows = conn.exec_driver_sql(
            "SELECT t.course_key, t.course_title, b.country_code, b.fy, coalesce(b.counted, 0), "
            "t.quantity_value, t.cost_cents, t.id FROM training t "
            "JOIN programme_block b ON b.id = t.block_id "
            "WHERE t.id IN (SELECT rowid FROM training_fts WHERE training_fts MATCH ?)",
            (match,),
        ).all()
        groups: dict[str, dict[str, Any]] = {}
        for key, title, country, fy, counted, q, c, tid in rows:
            g = groups.setdefault(
                key or "",
                {"spellings": {}, "countries": set(), "years": set(), "f": Figures(), "id": tid},
            )
            g["spellings"][title] = g["spellings"].get(title, 0) + 1
            g["id"] = min(g["id"], tid)
            if counted:
                g["countries"].add(country)
                g["years"].add(fy)
                g["f"].add(Figures(q or 0, c or 0, 1, q is None, c is None))
        ranked = sorted(groups.values(), key=lambda g: (-g["f"].rows, -g["f"].trainees))
        out = []
        for g in ranked[:limit]:
            example = _hit(conn.exec_driver_sql(f"{_HIT} WHERE t.id = ?", (g["id"],)).one())
            years = g["years"] or {example.fy or 0}
            out.append(
                CourseMatch(
                    max(g["spellings"].items(), key=lambda s: (s[1], s[0]))[0],
                    len(g["spellings"]),
                    len(g["countries"]),
                    min(years),
                    max(years),
                    g["f"],
                    example.provenance,
                )
            )
    return CourseResult(text, len(rows), len(groups), out)


# --- student units ---------------------------------------------------------------------------


@dataclass
class UnitGroup:
    """Spellings judged to name one unit, and every training row that names it."""

    name: str  # most printed spelling
    variants: dict[str, int]  # spelling as printed -> rows
    fiscal_years: list[int]
    countries: list[str]
    courses: dict[str, int]  # course title -> rows, most frequent first
    figures: Figures  # counted rows
    trainings: list[TrainingHit] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # the student_unit_key of each variant
    printed_rows: int = 0  # rows naming it, every edition (``trainings`` holds them on request)


@dataclass
class UnitResult:
    text: str
    groups: list[UnitGroup]
    truncated: bool  # more units matched than were kept (``max_units``)


_TERMS: dict[tuple[str, tuple[Any, ...]], tuple[str, ...]] = {}
# A query word's close spellings in the current vocabulary (emptied with it).
_CLOSE: dict[str, list[str]] = {}


def _unit_terms(conn: Connection) -> tuple[str, ...]:
    """The words of every student unit ever printed; kept per database and build."""
    key = (database_file(conn), build_stamp(conn))
    terms = _TERMS.get(key)
    if terms is None:
        # A temp table: connection-private, so it works on a file opened read-only (mode=ro).
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.student_unit_vocab "
            "USING fts5vocab(main, student_unit_fts, row)"
        )
        terms = tuple(
            r[0] for r in conn.exec_driver_sql("SELECT term FROM temp.student_unit_vocab")
        )
        # One database at a time (a server's): a new build's vocabulary replaces the old one.
        _TERMS.clear()
        _CLOSE.clear()
        _TERMS[key] = terms
    return terms


def _close_terms(word: str, terms: tuple[str, ...]) -> list[str]:
    """The index's words a query word may be a spelling of (itself when indexed)."""
    if len(word) <= 3 or word.isdigit():
        return [word]  # short words and numbers must match exactly: "1" is not "2"
    close = _CLOSE.get(word)
    if close is None:
        found = process.extract(word, terms, scorer=fuzz.ratio, score_cutoff=80, limit=20)
        close = sorted({word, *(t for t, _, _ in found)})
        if len(_CLOSE) > 20_000:
            _CLOSE.clear()
        _CLOSE[word] = close
    return close


def _candidate_query(words: list[str], terms: tuple[str, ...]) -> str:
    """FTS5 query: every word (or a close spelling), all but one when there are three or more."""
    alts = [
        "(" + " OR ".join(f'"{t}"' for t in _close_terms(w, terms)) + ")"
        for w in dict.fromkeys(words)
    ]
    need = len(alts) if len(alts) <= 2 else len(alts) - 1
    return " OR ".join("(" + " AND ".join(c) + ")" for c in combinations(alts, need))


def _digits(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\d+", text))


def _score(query: str, candidate: str) -> float:
    # A unit name may hold the query ("No. 1 Fighter Conversion Unit (FCU), PAF Base"): partial
    # alignment, but only when the candidate is at least as long, or "Unit" would match.
    if len(candidate) >= len(query):
        return fuzz.partial_ratio(query, candidate)
    return fuzz.ratio(query, candidate)


def unit(
    db: Database,
    text: str,
    *,
    threshold: float = 85,
    max_units: int = 100,
    rows: bool = True,
) -> UnitResult:
    """Every training of the student units named like ``text``, across all editions, spelling
    variants grouped: variants must agree on their numbers ("2nd" is not "3rd") and be close
    (token sort ratio >= 90); each group lists its variants, years, countries, courses and
    (``rows``) its training rows with provenance. Without ``rows`` the groups are the same and
    ``trainings`` is empty: a list of units is answered from sums, not thousands of rows."""
    words = _words(text)
    if not words:
        raise EmptySearch(f"nothing to search for in {text!r}")
    query = utils.default_process(text)
    with connect(db) as conn:
        require_search_index(conn)
        terms = _unit_terms(conn)
        candidates = fast_rows(
            conn,
            "SELECT n.key, n.rows FROM student_unit_fts f "
            "JOIN student_unit_name n ON n.rowid = f.rowid WHERE student_unit_fts MATCH ?",
            (_candidate_query(words, terms),),
        )
        scored = [
            (key, n, s)
            for key, n in candidates
            if (s := _score(query, utils.default_process(key))) >= threshold
        ]
        scored.sort(key=lambda x: (-x[2], -x[1], x[0]))
        truncated = len(scored) > max_units
        keys = [k for k, _, _ in scored[:max_units]]
        stats: dict[str, _KeyStats] = {}
        hits: dict[str, list[TrainingHit]] = {}
        for i in range(0, len(keys), 500):
            chunk = tuple(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            found = fast_rows(conn, _UNIT_FIGURES.format(marks=marks), chunk)[0][0]
            for r in json.loads(found or "[]"):
                stats[r[0]] = _KeyStats.from_figures(r[1:])
            if rows:
                for r in conn.exec_driver_sql(
                    f"SELECT t.student_unit_key, {_HIT_COLUMNS} {_HIT_FROM} "
                    f"WHERE t.student_unit_key IN ({marks})",
                    chunk,
                ):
                    hits.setdefault(r[0], []).append(_hit(r[1:]))
    return UnitResult(text, _group_units(keys, stats, hits), truncated)


# Per student-unit key, its sums precomputed by the build (fmtr.store.search): one row per key
# rather than every training row naming it, all of them as one JSON array (one decode).
_UNIT_FIGURES = """
SELECT json_group_array(json_array(key, rows, json(variants), json(courses), json(years),
       json(countries), trainees, cost_cents, counted_rows, rows_without_quantity,
       rows_without_cost))
FROM student_unit_figures WHERE key IN ({marks})
"""


@dataclass
class _KeyStats:
    rows: int = 0  # printed rows, every edition
    variants: dict[str, int] = field(default_factory=dict)
    courses: dict[str, int] = field(default_factory=dict)
    years: set[int] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    figures: Figures = field(default_factory=Figures)  # counted rows

    @classmethod
    def from_figures(cls, r: Any) -> _KeyStats:
        """From a student_unit_figures row (after its key), its JSON decoded."""
        rows, variants, courses, years, countries, *figures = r
        return cls(rows, variants, courses, set(years), set(countries), Figures(*figures))

    def merge(self, other: _KeyStats) -> None:
        self.rows += other.rows
        for mine, theirs in ((self.variants, other.variants), (self.courses, other.courses)):
            for k, v in theirs.items():
                mine[k] = mine.get(k, 0) + v
        self.years |= other.years
        self.countries |= other.countries
        self.figures.add(other.figures)


def _group_units(
    keys: list[str], stats: dict[str, _KeyStats], hits: dict[str, list[TrainingHit]]
) -> list[UnitGroup]:
    # Most printed first, so that each group is named after its usual spelling.
    order = sorted(keys, key=lambda k: (-(stats[k].rows if k in stats else 0), k))
    # Only spellings with the same numbers are compared: "2nd" and "3rd" never merge.
    reps: dict[tuple[str, ...], list[tuple[str, list[str]]]] = {}
    all_members: list[list[str]] = []
    for k in order:
        norm = utils.default_process(k)
        same_digits = reps.setdefault(_digits(norm), [])
        for rep, members in same_digits:
            if fuzz.token_sort_ratio(rep, norm) >= 90:
                members.append(k)
                break
        else:
            same_digits.append((norm, [k]))
            all_members.append(same_digits[-1][1])
    groups: list[tuple[int, UnitGroup]] = []
    for members in all_members:
        total = _KeyStats()
        for k in members:
            if k in stats:
                total.merge(stats[k])
        if not total.rows:
            continue
        trainings = sorted(
            (h for k in members for h in hits.get(k, [])),
            key=lambda h: (h.fy or 0, h.provenance.edition, h.training_id),
        )
        group = UnitGroup(
            max(total.variants.items(), key=lambda v: (v[1], v[0]))[0],
            dict(sorted(total.variants.items(), key=lambda v: (-v[1], v[0]))),
            sorted(total.years),
            sorted(total.countries),
            dict(sorted(total.courses.items(), key=lambda c: (-c[1], c[0]))),
            total.figures,
            trainings,
            sorted(members),
            total.rows,
        )
        groups.append((total.rows, group))
    groups.sort(key=lambda g: -g[0])
    return [g for _, g in groups]
