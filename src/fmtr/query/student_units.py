"""A recipient's student units: found by name (``units``) and each on a page of its own
(``unit_profile``): what vetting a unit asks.

A unit is one recipient's spellings of one name, grouped by the build (fmtr.store.names):
Lebanon's and Uganda's "Presidential Guard Brigade" are two units. Names are compared by their
canonical words (fmtr.clean.glossary: "4TH INF BDE" is "4th infantry brigade", Bangladesh's
"RAB" its Rapid Action Battalion). A search lists every unit matching, best first (the name
itself, then names beginning with the text, then names holding all its words, then names
alike), paged, never cut: ``total`` counts them all. Figures add counted rows only; a unit's
printed rows count every edition's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from fmtr.clean.glossary import canonical
from fmtr.errors import NotFound
from fmtr.query.errors import EmptySearch
from fmtr.query.figures import Figures
from fmtr.query.resolve import (
    Database,
    Recipient,
    connect,
    per_build,
    require_search_index,
    resolve_country,
)
from fmtr.query.text import TrainingHit, rows_where
from fmtr.query.unit_index import (
    MATCHES,
    WORD_CACHE,
    best_matches,
    find_candidates,
    index_words,
    unit_index,
)
from fmtr.store.sql import fast_rows, in_list

THRESHOLD = 85  # rapidfuzz score for a name "alike" the text


@dataclass
class Unit:
    """One recipient's unit: its spellings and figures."""

    country_code: str
    country: str  # the recipient's name
    unit: str  # the unit's identifier within its recipient: its first name's canonical words
    name: str  # most printed spelling
    variants: dict[str, int]  # spelling as printed -> rows, most printed first
    keys: list[str]  # student_unit_key of each of its names
    years: list[int]
    first_fy: int | None
    last_fy: int | None
    printed_rows: int  # every edition's rows
    figures: Figures  # counted rows
    match: str = ""  # how it matched a search: exact, starts with, all words, alike
    score: float = 0.0


@dataclass
class UnitMatches:
    text: str
    canonical: str  # the text's canonical words
    country: Recipient | None  # the recipient searched within (None: every recipient)
    total: int  # units matching
    units: list[Unit]  # the page asked for
    offset: int = 0


def prepare_units(db: Database, cache_bytes: int | None = None) -> None:
    """Load the unit index (fmtr.query.unit_index, most of a second) now rather than on the
    first unit search: a server calls it before taking requests. ``cache_bytes``: what unit
    searches may keep of the words asked, per process (the server's ``unit_cache_bytes``)."""
    if cache_bytes is not None:
        WORD_CACHE.resize(cache_bytes)
    with connect(db) as conn:
        require_search_index(conn)
        unit_index(conn)


def _recipient_names(conn: Connection) -> dict[str, str]:
    """Recipients' names by code, kept per process until the next build (every unit search
    read the whole table: 4% of its time)."""
    return per_build(conn, "recipient_names", _read_recipient_names)


def _read_recipient_names(conn: Connection) -> dict[str, str]:
    return {code: name for code, name in fast_rows(conn, "SELECT code, name FROM country")}


_UNIT = """
SELECT country_code, unit, name, variants, keys, years, first_fy, last_fy, rows, trainees,
       cost_cents, counted_rows, rows_without_quantity, rows_without_cost
FROM unit_figures WHERE country_code = :country AND unit = :unit
"""


# A join on the key (SQLite scans the whole table for "(country_code, unit) IN (VALUES ...)").
_UNITS = """
SELECT f.country_code, f.unit, f.name, f.variants, f.keys, f.years, f.first_fy, f.last_fy,
       f.rows, f.trainees, f.cost_cents, f.counted_rows, f.rows_without_quantity,
       f.rows_without_cost
FROM (VALUES {pairs}) w JOIN unit_figures f ON f.country_code = w.column1 AND f.unit = w.column2
"""


def _unit(row: Any, countries: dict[str, str]) -> Unit:
    code, unit, name, variants, keys, years, first, last, rows, q, c, n, nq, nc = row
    return Unit(
        code,
        countries.get(code, code),
        unit,
        name,
        json.loads(variants),
        json.loads(keys),
        json.loads(years),
        first,
        last,
        rows,
        Figures(q, c, n, nq, nc),
    )


def units(
    db: Database,
    text: str,
    country: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
) -> UnitMatches:
    """Every recipient's unit (of ``country`` only, when given) whose names match ``text``,
    best first; the page ``offset``..``offset + limit`` (None: all) with its figures, and how
    many match in all.

    Parameters: ``text`` a unit's name or part of it, any spelling ("5th Bde", "Rapid Action
    Battalion", "RAB"); ``country`` a recipient's name or code.

    Example: ``units(db, "Presidential Guard Brigade", country="LBN")``."""
    if not index_words(text):
        raise EmptySearch(f"nothing to search for in {text!r}")
    with connect(db) as conn:
        require_search_index(conn)
        recipient = resolve_country(conn, country) if country is not None else None
        code = recipient.code if recipient else None
        # With a recipient: its lines of the table (RAB is Bangladesh's). Without: the text is
        # read both ways, with the lines for everywhere and with every recipient's own.
        queries = [canonical(text, "unit", code or "")]
        if code is None and (everywhere := canonical(text, "unit", None)) != queries[0]:
            queries.append(everywhere)  # else the same candidates would be ranked twice
        found = [find_candidates(conn, q.split()) for q in queries if q]
        # Per unit, its best name's (match, score) and the unit's printed rows; the order of
        # fmtr.query.unit_index.rank (how, score, rows, unit, recipient) made of plain tuples,
        # sorted once (named tuples per name and two sorts were a third of a search).
        ranked: dict[tuple[str, str], tuple[int, float, int]] = {}
        for candidates in found:
            candidates = candidates.only(code)
            countries, unit_ids, rows = candidates.countries, candidates.units, candidates.unit_rows
            for j, (match, score) in best_matches(queries, candidates.canonical, THRESHOLD).items():
                key = (countries[j], unit_ids[j])
                kept = ranked.get(key)
                if kept is None or (match, -score) < (kept[0], -kept[1]):
                    ranked[key] = (match, score, rows[j])
        order = sorted(
            (match, -score, -rows, unit, country)
            for (country, unit), (match, score, rows) in ranked.items()
        )
        page = order[offset:] if limit is None else order[offset : offset + limit]
        units_read = _units(conn, [(country, unit) for *_, unit, country in page])
        out = []
        for match, minus_score, _, unit, country in page:
            u = units_read.get((country, unit))
            if u is not None:
                u.match, u.score = MATCHES[match], -minus_score
                out.append(u)
    return UnitMatches(text, queries[0], recipient, len(order), out, offset)


def _units(conn: Connection, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], Unit]:
    """The units (recipient, unit) asked for, read in one statement per 400 (a statement per
    unit of a page of 50 was a tenth of a search)."""
    countries = _recipient_names(conn)
    found: dict[tuple[str, str], Unit] = {}
    for i in range(0, len(wanted), 400):  # SQLite's default limit: 32,766 parameters
        chunk = wanted[i : i + 400]
        pairs = ", ".join(f"(:c{j}, :u{j})" for j in range(len(chunk)))
        params = {}
        for j, (country, unit) in enumerate(chunk):
            params[f"c{j}"], params[f"u{j}"] = country, unit
        for row in fast_rows(conn, _UNITS.format(pairs=pairs), params):
            found[(row[0], row[1])] = _unit(row, countries)
    return found


# --- one unit ------------------------------------------------------------------------------


@dataclass
class NamedFigures:
    """A name (course, location, US school) of a unit's rows, with their figures."""

    name: str
    figures: Figures
    first_fy: int | None
    last_fy: int | None


@dataclass
class UnitProfile:
    unit: Unit
    by_year: list[tuple[int | None, str, Figures]]  # (fiscal year, programme, counted figures)
    courses: list[NamedFigures]
    locations: list[NamedFigures]
    schools: list[NamedFigures]
    earlier_rows: int  # rows an earlier edition printed for a year a later one counts
    others: list[Unit] = field(default_factory=list)  # the same name in other recipients


# A block's recipient as unit_name keeps it ("?" when its country did not map).
_RECIPIENT = "CASE WHEN coalesce(b.country_code, '') = '' THEN '?' ELSE b.country_code END"


_SUMS = (
    "coalesce(sum(t.quantity_value), 0), coalesce(sum(t.cost_cents), 0), count(*), "
    "count(*) - count(t.quantity_value), count(*) - count(t.cost_cents)"
)


def find_unit(conn: Connection, recipient: Recipient, name: str) -> tuple[str, str]:
    """(recipient code, unit) of the unit ``name`` names within ``recipient``: any of its
    spellings, its key, or its identifier (canonical words); NotFound (with the closest unit
    as suggestion) when none."""
    code = recipient.code
    words = canonical(name, "unit", code)
    for sql, value in (
        (
            "SELECT unit FROM unit_name WHERE country_code = :country AND canonical = :v LIMIT 1",
            words,
        ),
        ("SELECT unit FROM unit_figures WHERE country_code = :country AND unit = :v", words),
        ("SELECT unit FROM unit_name WHERE country_code = :country AND key = :v", name),
    ):
        row = fast_rows(conn, sql, {"country": code, "v": value})
        if row:
            return code, row[0][0]
    suggestion = None
    if index_words(name):
        best = units(conn, name, code, limit=1)
        suggestion = best.units[0].name if best.units else None
    raise NotFound(f"no student unit {name!r} of {recipient.name}", suggestion)


def unit_profile(db: Database, country: str, name: str, *, limit: int = 20) -> UnitProfile:
    """One recipient's unit: its spellings, figures per fiscal year and programme, its
    ``limit`` most trained courses, locations and US schools, and the same name in other
    recipients. Its rows: ``fmtr.query.export.select_rows(country=..., unit_keys=...)``.

    Parameters: ``country`` a recipient's name or code; ``name`` any spelling of the unit, its
    key or its identifier. Example: ``unit_profile(db, "BGD", "Rapid Action Battalion")``."""
    with connect(db) as conn:
        require_search_index(conn)
        return _profile(conn, _find(conn, country, name), limit)


def unit_page(
    db: Database,
    country: str,
    name: str,
    *,
    all_editions: bool = False,
    limit: int | None = 50,
    offset: int = 0,
) -> tuple[UnitProfile, int, list[TrainingHit]]:
    """A unit's page: ``unit_profile`` and ``unit_rows`` of the unit, found once (each found
    it again: the recipient, the unit's name and its figures read twice per page)."""
    with connect(db) as conn:
        require_search_index(conn)
        unit = _find(conn, country, name)
        found = _unit_rows(conn, unit)
        profile = _profile(conn, unit, found=found)
        return profile, *_rows(conn, unit, all_editions, limit, offset, found)


def _find(conn: Connection, country: str, name: str) -> Unit:
    recipient = resolve_country(conn, country)
    code, unit_id = find_unit(conn, recipient, name)
    return _unit(
        fast_rows(conn, _UNIT, {"country": code, "unit": unit_id})[0], _recipient_names(conn)
    )


# A unit's rows are read by id up to this many (binding 2,113 ids made each statement 7 ms, a
# key's index 1.4 ms); past it, through its keys and recipient.
_BY_ID = 200


@dataclass(frozen=True)
class _UnitRows:
    """The unit's rows, read once through its keys: a key printed by many recipients ("N/A":
    4,037 rows, Costa Rica's 16) was read again by each statement of the page, seven times
    2.6 ms on the server's event loop."""

    unit: Unit
    every: list[int]  # the ids of the rows printing one of the unit's keys for its recipient
    counted: list[int]  # those of them whose block counts

    def where(self, counted: bool) -> tuple[str, dict[str, Any]]:
        """A condition on ``t`` (training) and ``b`` (its block) selecting the unit's rows
        (those counted only, when ``counted``), and its parameters."""
        if len(self.every) <= _BY_ID:
            marks, params = in_list("id", self.counted if counted else self.every)
            return f"t.id IN ({marks})", params
        marks, params = in_list("key", self.unit.keys)
        where = f"t.student_unit_key IN ({marks}) AND {_RECIPIENT} = :country"
        return where + (" AND b.counted = TRUE" if counted else ""), {
            **params,
            "country": self.unit.country_code,
        }


def _unit_rows(conn: Connection, unit: Unit) -> _UnitRows:
    marks, params = in_list("key", unit.keys)
    found = fast_rows(
        conn,
        "SELECT t.id, CASE WHEN b.counted = TRUE THEN 1 ELSE 0 END FROM training t "
        f"JOIN programme_block b ON b.id = t.block_id WHERE t.student_unit_key IN ({marks}) "
        f"AND {_RECIPIENT} = :country ORDER BY t.id",
        {**params, "country": unit.country_code},
    )
    return _UnitRows(unit, [r[0] for r in found], [r[0] for r in found if r[1]])


def _profile(
    conn: Connection, unit: Unit, limit: int = 20, found: _UnitRows | None = None
) -> UnitProfile:
    code, unit_id = unit.country_code, unit.unit
    countries = _recipient_names(conn)
    found = found or _unit_rows(conn, unit)
    where, params = found.where(counted=True)
    rows = f"FROM training t JOIN programme_block b ON b.id = t.block_id WHERE {where}"
    by_year = [
        (fy, prog or "?", Figures(*map(int, f)))
        for fy, prog, *f in fast_rows(
            conn,
            f"SELECT b.fy, b.programme_code, {_SUMS} {rows} GROUP BY 1, 2 "
            "ORDER BY 1 NULLS FIRST, 2 NULLS FIRST",
            params,
        )
    ]
    named = {}
    for what, key, cell in (
        ("courses", "course_key", "course_title"),
        ("locations", "location_key", "location"),
        ("schools", "us_unit_key", "us_unit"),
    ):
        named[what] = [
            NamedFigures(label or "", Figures(*map(int, f)), first, last)
            for _, label, first, last, *f in fast_rows(
                conn,
                f"SELECT t.{key}, max(t.{cell}), min(b.fy), max(b.fy), {_SUMS} {rows} "
                f"GROUP BY 1 ORDER BY count(*) DESC, 2 NULLS FIRST LIMIT :limit",
                {**params, "limit": limit},
            )
        ]
    earlier = len(found.every) - len(found.counted)
    others = [
        _unit(r, countries)
        for r in fast_rows(
            conn,
            "SELECT DISTINCT f.country_code, f.unit, f.name, f.variants, f.keys, f.years, "
            "f.first_fy, f.last_fy, f.rows, f.trainees, f.cost_cents, f.counted_rows, "
            "f.rows_without_quantity, f.rows_without_cost FROM unit_name n "
            "JOIN unit_figures f ON f.country_code = n.country_code AND f.unit = n.unit "
            "WHERE n.canonical = :unit AND n.country_code != :country ORDER BY f.country_code",
            {"unit": unit_id, "country": code},
        )
    ]
    return UnitProfile(
        unit,
        by_year,
        named["courses"],
        named["locations"],
        named["schools"],
        earlier,
        others,
    )


def unit_rows(
    db: Database,
    country: str,
    name: str,
    *,
    all_editions: bool = False,
    limit: int | None = 50,
    offset: int = 0,
) -> tuple[Unit, int, list[TrainingHit]]:
    """A recipient's unit, how many training rows name it (counted rows only unless
    ``all_editions``), and the page of them by fiscal year and report order."""
    with connect(db) as conn:
        require_search_index(conn)
        unit = _find(conn, country, name)
        total, hits = _rows(conn, unit, all_editions, limit, offset)
    return unit, total, hits


def _rows(
    conn: Connection,
    unit: Unit,
    all_editions: bool,
    limit: int | None,
    offset: int,
    found: _UnitRows | None = None,
) -> tuple[int, list[TrainingHit]]:
    found = found or _unit_rows(conn, unit)
    where, params = found.where(counted=False)
    return rows_where(
        conn,
        where,
        params,
        all_editions=all_editions,
        limit=limit,
        offset=offset,
    )
