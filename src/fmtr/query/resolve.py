"""User input to database keys: countries, programmes, fiscal years and spans of them.

A country is found by name, by code (ISO alpha-3, ISO alpha-2 or fmtr's X-...), or by any
spelling the reports print (fmtr.clean.countries); a programme by code or name
(fmtr.clean.programmes); a fiscal year written "FY2003", "2003", "FY03" or "FY 03". Input that
names nothing raises a QueryInputError carrying the closest known name.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from rapidfuzz import fuzz, process, utils
from sqlalchemy import Connection, Engine

from fmtr.clean.countries import country_code
from fmtr.clean.programmes import programme_code
from fmtr.query.errors import (
    BadYearSpan,
    SearchIndexStale,
    UnknownCountry,
    UnknownFiscalYear,
    UnknownProgramme,
)
from fmtr.store.dialects import postgresql, sqlite
from fmtr.store.search import index_is_current
from fmtr.store.sql import is_sqlite, rows

Database = Engine | Connection
T = TypeVar("T")


@contextmanager
def connect(db: Database) -> Iterator[Connection]:
    """A connection on ``db``: the connection itself, or a new one closed afterwards."""
    if isinstance(db, Connection):
        yield db
    else:
        with db.connect() as conn:
            yield conn


def require_search_index(conn: Connection) -> None:
    """Raise SearchIndexStale unless the precomputed tables reflect the latest build: the
    library never rebuilds them on a read (only ``fmtr build`` writes)."""
    if not _build_facts(conn).index_current:
        raise SearchIndexStale()


@dataclass(frozen=True)
class Recipient:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class ProgrammeRef:
    code: str
    name: str
    family: str


def _suggest(text: str, choices: Iterable[str]) -> str | None:
    found = process.extractOne(
        text, list(choices), scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=60
    )
    return found[0] if found else None


def _alpha_2(text: str) -> str | None:
    """The ISO 3166 alpha-3 code of an alpha-2 code ("PK" -> "PAK"), None for anything else."""
    if len(text) != 2 or not text.isalpha():
        return None
    import pycountry

    found = pycountry.countries.get(alpha_2=text.upper())
    return None if found is None else str(found.alpha_3)


def resolve_country(conn: Connection, text: str) -> Recipient:
    """The recipient ``text`` names: "Pakistan", "PAK", "pak", "PK" (ISO alpha-2), "Burma",
    "Korea, Republic of"."""
    raw = text.strip()
    by_code = rows(
        conn, "SELECT code, name, kind FROM country WHERE code = :code", {"code": raw.upper()}
    )
    if by_code:
        return Recipient(*by_code[0])
    alpha3 = _alpha_2(raw)
    if alpha3 is not None:
        by_code = rows(
            conn, "SELECT code, name, kind FROM country WHERE code = :code", {"code": alpha3}
        )
        if by_code:
            return Recipient(*by_code[0])
    found = country_code(raw)
    if found is not None:
        return Recipient(found.code, found.name, found.kind)
    # Spellings as the reports print them, then the reference names: the ones a user means.
    names = [
        r[0]
        for r in rows(
            conn,
            "SELECT DISTINCT c.name FROM programme_block b "
            "JOIN country c ON c.code = b.country_code ORDER BY c.name",
        )
    ]
    names += [r[0] for r in rows(conn, "SELECT name FROM country ORDER BY code")]
    raise UnknownCountry(f"unknown country {raw!r}", _suggest(raw, names) if raw else None)


def find_countries(conn: Connection, text: str, limit: int = 8) -> list[Recipient]:
    """Recipients whose name or code looks like ``text`` (a search box's "did you mean"), best
    first; the recipient ``text`` names exactly, when there is one, comes first."""
    raw = text.strip()
    if not raw:
        return []
    known = [
        Recipient(*r) for r in rows(conn, "SELECT code, name, kind FROM country ORDER BY code")
    ]
    choices = {i: r.name for i, r in enumerate(known)}
    found = process.extract(
        raw,
        choices,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=85,
        limit=limit,
    )
    out = [known[i] for _, _, i in found]
    exact = country_code(raw)
    if exact is not None:
        out = [r for r in out if r.code != exact.code][: limit - 1]
        out.insert(0, Recipient(exact.code, exact.name, exact.kind))
    return out


def resolve_programme(conn: Connection, text: str) -> ProgrammeRef:
    """The programme ``text`` names: "IMET", "imet", "International Military Education and
    Training", "IMET-1" (a variant: its programme), "Section 1206"."""
    raw = text.strip()
    row = rows(
        conn,
        "SELECT code, name, family FROM programme WHERE upper(code) = :code",
        {"code": raw.upper()},
    )
    if not row and (found := programme_code(raw)) is not None:
        row = rows(
            conn,
            "SELECT code, name, family FROM programme WHERE code = :code",
            {"code": found.code},
        )
    if row:
        return ProgrammeRef(*row[0])
    choices = {}
    for code, name in rows(conn, "SELECT code, name FROM programme ORDER BY code"):
        choices[code] = code
        choices[name] = code
    best = _suggest(raw, choices) if raw else None
    raise UnknownProgramme(f"unknown programme {raw!r}", choices[best] if best else None)


_FY = re.compile(r"(?:FY|Fiscal\s*Year)?\s*'?\s*(?P<year>[0-9]{4}|[0-9]{2})", re.I)


def parse_fiscal_year(text: str | int) -> int:
    """ "FY2003", "2003", "FY03", "FY 03", 2003 -> 2003 (two digits: 00-49 are 20xx)."""
    if isinstance(text, int):
        return text
    m = _FY.fullmatch(text.strip())
    if m is None:
        raise UnknownFiscalYear(
            f"not a fiscal year: {text!r} (write FY2003, 2003 or FY03)",
        )
    year = m.group("year")
    if len(year) == 4:
        return int(year)
    return 2000 + int(year) if int(year) < 50 else 1900 + int(year)


_PER_BUILD: dict[tuple[str, str, object], Any] = {}
# One computation at a time: a server's threads asking at once after a build wait for the first
# one's answer rather than all computing it (the unit index takes most of a second).
_PER_BUILD_LOCK = threading.Lock()
_MISSING = object()


def database_file(conn: Connection) -> str:
    """The database ``conn`` reads: a SQLite file ("" in memory), a PostgreSQL database's URL
    (without its password)."""
    if is_sqlite(conn):
        return sqlite.database_name(conn)
    return postgresql.database_name(conn)


def build_stamp(conn: Connection) -> tuple[Any, ...]:
    """What changes with every build: its run and when it refreshed the search index (a fresh
    file swapped in may number its first build run 1 again)."""
    latest = conn.exec_driver_sql("SELECT max(id) FROM build_run").scalar()
    state = conn.exec_driver_sql(
        "SELECT build_run_id, rebuilt_at FROM search_state WHERE id = 1"
    ).first()
    return (latest, *(state or ()))


@dataclass(frozen=True)
class _BuildFacts:
    file: str
    stamp: tuple[Any, ...]
    index_current: bool


def _build_facts(conn: Connection) -> _BuildFacts:
    """The file, build stamp and index state of ``conn``'s database, asked before every
    question. Five statements through SQLAlchemy cost a server a third of a unit search, so a
    SQLite connection keeps them until a write to the file by any connection, its own included
    (``PRAGMA data_version`` changes with other connections' commits, ``total_changes`` with
    its own)."""
    raw = conn.connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        # PostgreSQL: asked every question (a question is one snapshot, fmtr.store.dialects).
        return _BuildFacts(database_file(conn), build_stamp(conn), index_is_current(conn))
    version = raw.execute("PRAGMA data_version").fetchone()[0]
    seen = (version, raw.total_changes)
    kept = conn.connection.info.get("fmtr_build_facts")
    if kept is not None and kept[0] == seen:
        facts: _BuildFacts = kept[1]
        return facts
    facts = _BuildFacts(database_file(conn), build_stamp(conn), index_is_current(conn))
    conn.connection.info["fmtr_build_facts"] = (seen, facts)
    return facts


def per_build(conn: Connection, name: str, compute: Callable[[Connection], T]) -> T:
    """``compute(conn)``, kept while the database file and its latest build are the same: facts
    a build fixes (the years covered, the editions counting for them) asked on every question.
    The caller must not change what it gets."""
    facts = _build_facts(conn)
    key = (facts.file, name, facts.stamp)
    if not key[0]:  # an in-memory database: nothing identifies it between calls
        return compute(conn)
    value: Any = _PER_BUILD.get(key, _MISSING)
    if value is _MISSING:
        with _PER_BUILD_LOCK:
            value = _PER_BUILD.get(key, _MISSING)
            if value is _MISSING:
                value = compute(conn)
                # An earlier build's value of the same file is never asked again: a server
                # that outlives a few rebuilds would otherwise keep a unit index (~50 MB) of each.
                for old in [k for k in _PER_BUILD if k[:2] == key[:2]]:
                    del _PER_BUILD[old]
                if len(_PER_BUILD) > 64:
                    _PER_BUILD.clear()
                _PER_BUILD[key] = value
    kept: T = value
    return kept


def per_build_kept(conn: Connection, name: str) -> Any | None:
    """What ``per_build(conn, name, ...)`` keeps for the current build, or None when nothing
    was computed yet (the caller then chooses a way that loads less)."""
    facts = _build_facts(conn)
    return _PER_BUILD.get((facts.file, name, facts.stamp))


def covered_fiscal_years(conn: Connection) -> list[int]:
    """The fiscal years some loaded edition reports (its blocks count for them)."""
    return list(per_build(conn, "covered_fiscal_years", _covered_fiscal_years))


def _covered_fiscal_years(conn: Connection) -> list[int]:
    return [
        r[0]
        for r in rows(
            conn,
            "SELECT DISTINCT fy FROM programme_block WHERE counted = TRUE AND fy IS NOT NULL "
            "ORDER BY fy",
        )
    ]


def _in_coverage(year: int, covered: list[int], raw: str | int, *, exact: bool = True) -> int:
    """``year`` if covered (``exact``) or within the covered range (a span's end)."""
    if not covered:
        raise UnknownFiscalYear("the database holds no fiscal year yet: run `fmtr build`")
    inside = year in covered if exact else covered[0] <= year <= covered[-1]
    if not inside:
        nearest = min(covered, key=lambda y: (abs(y - year), y))
        raise UnknownFiscalYear(
            f"fiscal year {raw!r} is not in the database (it covers "
            f"FY{covered[0]}-FY{covered[-1]})",
            f"FY{nearest}",
        )
    return year


def resolve_fiscal_year(conn: Connection, text: str | int) -> int:
    return _in_coverage(parse_fiscal_year(text), covered_fiscal_years(conn), text)


def resolve_span(
    conn: Connection, start: str | int | None, end: str | int | None
) -> tuple[int, int]:
    """(first, last) fiscal year of a span; an open end is the first/last year covered."""
    covered = covered_fiscal_years(conn)
    first = covered[0] if start is None and covered else None
    last = covered[-1] if end is None and covered else None
    if start is not None:
        first = _in_coverage(parse_fiscal_year(start), covered, start, exact=False)
    if end is not None:
        last = _in_coverage(parse_fiscal_year(end), covered, end, exact=False)
    if first is None or last is None:
        raise UnknownFiscalYear("the database holds no fiscal year yet: run `fmtr build`")
    if first > last:
        raise BadYearSpan(
            f"the span is reversed: FY{first} comes after FY{last}",
            f"--from FY{last} --to FY{first}",
        )
    return first, last
