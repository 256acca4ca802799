"""Per-fiscal-year figures: rankings of recipients, one time series, participation gaps.

Every figure here sums the training rows of counted blocks only (``programme_block.counted``):
FY2000 and FY2001 are printed by two editions each and only the later one counts. Trainees are
the sum of the rows' quantities, cost the sum of their costs in exact cents; rows whose cell
gives no number add nothing and are counted apart (``rows_without_quantity``/``_cost``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection

from fmtr.errors import InputError
from fmtr.query.resolve import (
    Database,
    ProgrammeRef,
    Recipient,
    connect,
    covered_fiscal_years,
    per_build,
    require_search_index,
    resolve_country,
    resolve_programme,
    resolve_span,
)
from fmtr.store.sql import fast_rows, in_list, rows, sql_limit

REPORTED, NONE_REPORTED, NOT_COVERED = "reported", "none reported", "not covered"

# What a ranking orders recipients by.
Ranking = Literal["cost", "trainees"]
RANKINGS: tuple[Ranking, ...] = ("cost", "trainees")


@dataclass
class Figures:
    trainees: int = 0
    cost_cents: int = 0
    rows: int = 0
    rows_without_quantity: int = 0
    rows_without_cost: int = 0

    def add(self, other: Figures) -> None:
        self.trainees += other.trainees
        self.cost_cents += other.cost_cents
        self.rows += other.rows
        self.rows_without_quantity += other.rows_without_quantity
        self.rows_without_cost += other.rows_without_cost


# Sums over fmtr.store.search's precomputed year_figures (counted blocks' rows per recipient,
# programme and fiscal year).
_SUMS = (
    "sum(f.trainees), sum(f.cost_cents), sum(f.rows), "
    "sum(f.rows_without_quantity), sum(f.rows_without_cost)"
)


def _figures(row: Any, offset: int) -> Figures:
    q, c, n, nq, nc = row[offset : offset + 5]
    return Figures(int(q), int(c), int(n), int(nq), int(nc))


def _programme(conn: Connection, programme: str | None) -> ProgrammeRef | None:
    return resolve_programme(conn, programme) if programme is not None else None


def edition_of_year(conn: Connection) -> dict[int, list[str]]:
    """The edition(s) whose figures count for each covered fiscal year."""
    return per_build(conn, "edition_of_year", _edition_of_year)


def _edition_of_year(conn: Connection) -> dict[int, list[str]]:
    found = rows(
        conn,
        "SELECT DISTINCT x.fy, e.name FROM "
        "(SELECT DISTINCT fy, document_id FROM programme_block WHERE counted = TRUE) x "
        "JOIN document d ON d.id = x.document_id JOIN edition e ON e.id = d.edition_id "
        "ORDER BY x.fy, e.name",
    )
    out: dict[int, list[str]] = {}
    for fy, name in found:
        out.setdefault(fy, []).append(name)
    return out


@dataclass
class RankedRecipient:
    rank: int
    code: str
    name: str
    kind: str
    figures: Figures
    by_year: dict[int, Figures]


@dataclass
class TopResult:
    programme: ProgrammeRef | None
    first_fy: int
    last_fy: int
    by: str
    recipients: list[RankedRecipient]
    recipients_total: int  # recipients with any row in the span, before the limit
    year_totals: dict[int, Figures]  # all recipients, per fiscal year
    editions: dict[int, list[str]]


def top(
    db: Database,
    programme: str | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
    by: Ranking = "cost",
    limit: int | None = 10,
) -> TopResult:
    """Recipients ranked by cost (cents) or trainees over fiscal years ``start``..``end``.

    ``programme``: a code or name (IMET, "International Military Education and Training"),
    None for all; ``start``/``end``: fiscal years written FY2003, 2003 or FY03, None for the
    first/last year covered; ``limit``: recipients kept (None: all). Ties are ranked by name.
    Example: ``top(engine, "IMET", "FY2003", "FY2017", by="cost", limit=5)``."""
    if by not in RANKINGS:
        raise InputError(f"by must be cost or trainees, not {by!r}")
    with connect(db) as conn:
        require_search_index(conn)
        prog = _programme(conn, programme)
        first, last = resolve_span(conn, start, end)
        where = "f.fy BETWEEN :first AND :last"
        params: dict[str, Any] = {"first": first, "last": last}
        if prog is not None:
            where += " AND f.programme_code = :programme"
            params["programme"] = prog.code
        # Ranked, named and cut by the database over the precomputed sums (the covering index
        # serves one programme's span); the per-year figures are read for the recipients kept
        # only. A recipient's name and kind are one per code (min() says so to PostgreSQL).
        column = "cost_cents" if by == "cost" else "trainees"
        kept: list[RankedRecipient] = []
        ranked_total = 0
        for i, row in enumerate(
            fast_rows(
                conn,
                f"SELECT f.country_code, min(coalesce(c.name, f.country_code)), "
                f"min(coalesce(c.kind, 'unknown')), {_SUMS}, count(*) OVER () "
                f"FROM year_figures f LEFT JOIN country c ON c.code = f.country_code "
                f"WHERE {where} GROUP BY f.country_code ORDER BY sum(f.{column}) DESC, 2, 1 "
                "LIMIT :limit",
                {**params, "limit": sql_limit(limit or None)},
            ),
            1,
        ):
            kept.append(RankedRecipient(i, row[0] or "?", row[1], row[2], _figures(row, 3), {}))
            ranked_total = row[8]
        by_code = {r.code: r for r in kept}
        codes = list(by_code)
        for i in range(0, len(codes), 500):
            marks, chunk = in_list("code", codes[i : i + 500])
            for row in fast_rows(
                conn,
                f"SELECT f.country_code, f.fy, {_SUMS} FROM year_figures f WHERE {where} "
                f"AND f.country_code IN ({marks}) GROUP BY f.country_code, f.fy",
                {**params, **chunk},
            ):
                by_code[row[0] or "?"].by_year[row[1]] = _figures(row, 2)
        year_totals = {
            row[0]: _figures(row, 1)
            for row in fast_rows(
                conn,
                f"SELECT f.fy, {_SUMS} FROM year_figures f WHERE {where} GROUP BY f.fy",
                params,
            )
        }
        editions = edition_of_year(conn)
    return TopResult(
        prog,
        first,
        last,
        by,
        kept,
        ranked_total,
        dict(sorted(year_totals.items())),
        {y: e for y, e in editions.items() if first <= y <= last},
    )


@dataclass
class SeriesPoint:
    fy: int
    status: str  # REPORTED | NONE_REPORTED (0, the edition lists none) | NOT_COVERED
    figures: Figures | None  # None when not covered
    editions: list[str]


@dataclass
class Series:
    recipient: Recipient
    programme: ProgrammeRef | None
    first_fy: int
    last_fy: int
    points: list[SeriesPoint] = field(default_factory=list)


def series(
    db: Database,
    country: str,
    programme: str | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
) -> Series:
    """One recipient's figures per fiscal year (one programme, or all), every year of the span:
    a covered year without training is 0 and "none reported", a year no loaded edition covers
    is "not covered"."""
    with connect(db) as conn:
        require_search_index(conn)
        recipient = resolve_country(conn, country)
        prog = _programme(conn, programme)
        first, last = resolve_span(conn, start, end)
        where = "f.country_code = :code AND f.fy BETWEEN :first AND :last"
        params: dict[str, Any] = {"code": recipient.code, "first": first, "last": last}
        if prog is not None:
            where += " AND f.programme_code = :programme"
            params["programme"] = prog.code
        found = rows(
            conn, f"SELECT f.fy, {_SUMS} FROM year_figures f WHERE {where} GROUP BY f.fy", params
        )
        editions = edition_of_year(conn)
    by_year = {row[0]: _figures(row, 1) for row in found}
    result = Series(recipient, prog, first, last)
    for fy in range(first, last + 1):
        if fy not in editions:
            result.points.append(SeriesPoint(fy, NOT_COVERED, None, []))
        elif fy in by_year and by_year[fy].rows:
            result.points.append(SeriesPoint(fy, REPORTED, by_year[fy], editions[fy]))
        else:
            result.points.append(SeriesPoint(fy, NONE_REPORTED, Figures(), editions[fy]))
    return result


@dataclass
class Gap:
    code: str
    name: str
    years: list[int]  # fiscal years with training
    missing: list[tuple[int, int]]  # runs of covered years without training: (first, last)


@dataclass
class GapsResult:
    programme: ProgrammeRef | None
    covered: list[int]
    gaps: list[Gap]


def gaps(db: Database, programme: str | None = None) -> GapsResult:
    """Recipients whose training (in one programme, or any) stops for one or more covered fiscal
    years and resumes; years no loaded edition covers are not gaps."""
    with connect(db) as conn:
        require_search_index(conn)
        prog = _programme(conn, programme)
        where = "f.rows > 0"
        params: dict[str, Any] = {}
        if prog is not None:
            where += " AND f.programme_code = :programme"
            params["programme"] = prog.code
        found = rows(
            conn,
            f"SELECT DISTINCT f.country_code, f.fy FROM year_figures f WHERE {where} "
            "ORDER BY f.country_code, f.fy",
            params,
        )
        covered = covered_fiscal_years(conn)
        names: dict[str, str] = dict(rows(conn, "SELECT code, name FROM country"))
    years: dict[str, list[int]] = {}
    for code, fy in found:
        years.setdefault(code or "?", []).append(fy)
    covered_set = set(covered)
    out: list[Gap] = []
    for code, present in years.items():
        runs: list[tuple[int, int]] = []
        run: list[int] = []
        for fy in range(present[0], present[-1] + 1):
            if fy in covered_set and fy not in present:
                run.append(fy)
            elif run:  # a year with training, or one no edition covers, ends the run
                runs.append((run[0], run[-1]))
                run = []
        if runs:
            out.append(Gap(code, names.get(code, code), present, runs))
    out.sort(key=lambda g: g.name)
    return GapsResult(prog, covered, out)
