"""Questions about names: full-text search, courses, and a student unit across all editions.

Row listings include every edition's rows, with ``counted`` telling whether the row's figures
count for its fiscal year (FY2000 and FY2001 rows appear twice, once per edition printing them);
figures summed here (course and unit totals) add counted rows only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process, utils
from sqlalchemy import Connection

from fmtr.query.errors import EmptySearch
from fmtr.query.figures import Figures
from fmtr.query.resolve import Database, connect, require_search_index
from fmtr.query.unit_index import WORD_CACHE, best, find_candidates, index_words, unit_index
from fmtr.settings import ServerSettings
from fmtr.store import dialects, fulltext
from fmtr.store.dialects import Dialect
from fmtr.store.fulltext import query_words
from fmtr.store.sql import fast_rows, in_list, rows
from fmtr.store.sql import rows as run  # in unit(), whose parameter ``rows`` hides the name


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
    stable_id: str  # "2016-africa-p50-3" (fmtr.sources.ids): what to cite
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
t.id, t.stable_id, b.fy, coalesce(b.counted, FALSE), b.country_code, b.country, b.programme_code,
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
    tid, sid, fy, counted, code, country, prog = row[:7]
    course, us, student, loc, q, c, start, end = row[7:15]
    return TrainingHit(
        tid, sid, fy, bool(counted), code, country, prog, course, us, student, loc, q, c, start,
        end, Provenance(*row[15:20]),
    )  # fmt: skip


def search_words(text: str) -> list[str]:
    """The words of a search (fmtr.store.fulltext.query_words); EmptySearch when none."""
    words = query_words(text)
    if not words:
        raise EmptySearch(f"nothing to search for in {text!r}")
    return words


def _hits(conn: Connection, ids: list[int]) -> list[TrainingHit]:
    """The rows ``ids`` with their provenance, in that order."""
    found: dict[int, TrainingHit] = {}
    for i in range(0, len(ids), 500):
        marks, params = in_list("id", ids[i : i + 500])
        for row in rows(conn, f"{_HIT} WHERE t.id IN ({marks})", params):
            found[row[0]] = _hit(row)
    return [found[i] for i in ids]


@dataclass
class SearchResult:
    text: str
    total: int
    hits: list[TrainingHit]


def search(db: Database, text: str, limit: int | None = 50) -> SearchResult:
    """Training rows whose course, student unit, US unit or location holds every word of
    ``text`` (accents and case ignored), best matches first (bm25); the first ``limit`` (None:
    all), and how many match in all. Rows ranked alike are in id order."""
    words = search_words(text)
    with connect(db) as conn:
        require_search_index(conn)
        index = fulltext.of(conn)
        total = index.count(conn, words)
        hits = _hits(conn, index.ranked(conn, words, limit))
    return SearchResult(text, total, hits)


@dataclass
class CourseMatch:
    title: str  # most printed spelling
    spellings: int
    countries: int
    first_fy: int
    last_fy: int
    figures: Figures  # counted rows
    example: Provenance  # the first row that prints it
    example_id: str  # that row's stable identifier


@dataclass
class CourseResult:
    text: str
    rows: int  # matching rows, every edition
    courses_total: int
    courses: list[CourseMatch]


def course(db: Database, text: str, limit: int | None = 20) -> CourseResult:
    """Courses whose title holds every word of ``text``, most trained first, with counted
    figures per course (grouped by ``course_key``); the first ``limit`` (None: all)."""
    words = search_words(text)
    with connect(db) as conn:
        require_search_index(conn)
        matching, params = fulltext.of(conn).matching(words, "course_title")
        found = rows(
            conn,
            "SELECT t.course_key, t.course_title, b.country_code, b.fy, "
            "coalesce(b.counted, FALSE), t.quantity_value, t.cost_cents, t.id FROM training t "
            f"JOIN programme_block b ON b.id = t.block_id WHERE t.id IN ({matching}) "
            # In id order: courses with the same figures keep the order of their first row,
            # whichever database answers (rows come in no order of their own).
            "ORDER BY t.id",
            params,
        )
        groups: dict[str, dict[str, Any]] = {}
        for key, title, country, fy, counted, q, c, tid in found:
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
            example = _hits(conn, [g["id"]])[0]
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
                    example.stable_id,
                )
            )
    return CourseResult(text, len(found), len(groups), out)


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


def _digits(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\d+", text))


@dataclass
class UnitResult:
    text: str
    groups: list[UnitGroup]
    truncated: bool  # more units matched than were kept (``max_units``)


def prepare_units(db: Database, cache_bytes: int | None = None) -> None:
    """Load the unit index (fmtr.query.unit_index, most of a second) now rather than on the
    first unit search: a server calls it before taking requests. ``cache_bytes``: what unit
    searches may keep of the words asked, per process (the server's ``unit_cache_bytes``)."""
    if cache_bytes is not None:
        WORD_CACHE.resize(cache_bytes)
    with connect(db) as conn:
        require_search_index(conn)
        unit_index(conn)


def unit(
    db: Database,
    text: str,
    *,
    threshold: float = 85,
    max_units: int = ServerSettings.max_units,
    rows: bool = True,
    courses: bool = True,
) -> UnitResult:
    """Every training of the student units named like ``text``, across all editions, spelling
    variants grouped: variants must agree on their numbers ("2nd" is not "3rd") and be close
    (token sort ratio >= 90); each group lists its variants, years, countries, courses and
    (``rows``) its training rows with provenance. Without ``rows`` the groups are the same and
    ``trainings`` is empty: a list of units is answered from sums, not thousands of rows;
    without ``courses`` each group's ``courses`` is empty (a list of units shows none)."""
    words = index_words(text)
    if not words:
        raise EmptySearch(f"nothing to search for in {text!r}")
    with connect(db) as conn:
        require_search_index(conn)
        ranked, matched = best(text, find_candidates(conn, words), threshold, max_units)
        truncated = matched > max_units
        keys = [k for k, _, _ in ranked]
        stats: dict[str, _KeyStats] = {}
        hits: dict[str, list[TrainingHit]] = {}
        dialect = dialects.of(conn)
        for i in range(0, len(keys), 500):
            marks, chunk = in_list("key", keys[i : i + 500])
            sql = _unit_figures(dialect, marks, "courses" if courses else "'{}'")
            found = fast_rows(conn, sql, chunk)[0][0]
            for r in json.loads(found or "[]"):
                stats[r[0]] = _KeyStats.from_figures(r[1:])
            if rows:
                for r in run(
                    conn,
                    f"SELECT t.student_unit_key, {_HIT_COLUMNS} {_HIT_FROM} "
                    f"WHERE t.student_unit_key IN ({marks})",
                    chunk,
                ):
                    hits.setdefault(r[0], []).append(_hit(r[1:]))
    return UnitResult(text, _group_units(keys, stats, hits), truncated)


# Per student-unit key, its sums precomputed by the build (fmtr.store.search): one row per key
# rather than every training row naming it, all of them as one JSON array (one decode). The
# lists are stored as JSON text and pasted in as they are: SQLite parsing them again (json())
# took two fifths of a unit search.
def _unit_figures(dialect: Dialect, marks: str, courses: str) -> str:
    return f"""
SELECT '[' || {
        dialect.group_concat(
            f"'[' || {dialect.json_quote('key')} || ',' || rows || ',' || variants || ','"
            f" || {courses} || ',' || years || ',' || countries || ',' || trainees || ','"
            " || cost_cents || ',' || counted_rows || ',' || rows_without_quantity || ','"
            " || rows_without_cost || ']'",
            ",",
        )
    } || ']'
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
    # Only spellings with the same numbers are compared: "2nd" and "3rd" never merge. Each
    # spelling joins the first group (in that order) whose first spelling is alike (token sort
    # ratio >= 90: the ratio of the words sorted, so they are sorted once here, and rapidfuzz
    # compares one spelling with a group's all at once).
    reps: dict[tuple[str, ...], tuple[list[str], list[list[str]]]] = {}
    all_members: list[list[str]] = []
    for k in order:
        norm = utils.default_process(k)
        words_sorted = " ".join(sorted(norm.split()))
        rep_words, rep_members = reps.setdefault(_digits(norm), ([], []))
        alike = process.extract(
            words_sorted, rep_words, scorer=fuzz.ratio, processor=None, score_cutoff=90, limit=None
        )
        if alike:
            rep_members[min(i for _, _, i in alike)].append(k)
        else:
            rep_words.append(words_sorted)
            rep_members.append([k])
            all_members.append(rep_members[-1])
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
