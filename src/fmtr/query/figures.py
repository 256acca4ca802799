"""Per-fiscal-year figures: rankings of recipients, one time series, participation gaps.

Every figure here sums the training rows of counted blocks only (``programme_block.counted``):
FY2000 and FY2001 are printed by two editions each and only the later one counts. Trainees are
the sum of the rows' quantities, cost the sum of their costs in exact cents; rows whose cell
gives no number add nothing and are counted apart (``rows_without_quantity``/``_cost``).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
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
    per_build_kept,
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
        sums: SpanSums | None = per_build_kept(conn, "span_sums")
        if sums is not None:  # a server (prepare_figures): the span's sums from memory
            ranked, count, in_span = sums.top(prog.code if prog else None, first, last, by, limit)
            editions = edition_of_year(conn)
            return TopResult(
                prog,
                first,
                last,
                by,
                ranked,
                count,
                dict(sorted(in_span.items())),
                {y: e for y, e in editions.items() if first <= y <= last},
            )
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


# --- the top recipients from memory (a server) ----------------------------------------------

_WIDTH = 6  # per fiscal year: trainees, cost, rows, rows without quantity, without cost, lines


@dataclass(frozen=True)
class SpanSums:
    """year_figures summed from the first fiscal year on, per programme (None: every one) and
    recipient, and per programme for all recipients (``totals``): any span's sums are two
    reads and a subtraction. Loaded once per server process and build (``prepare_figures``,
    12,121 lines, ~3 MB): a top question summed the span's lines in SQLite (two thirds of its
    time) and read them again per year for the recipients kept."""

    years: tuple[int, ...]  # every fiscal year of year_figures, ascending
    names: dict[str, tuple[str, str]]  # recipient code -> (name, kind)
    # [programme][recipient]: (len(years) + 1) * _WIDTH sums of years[:i], flat
    cumulative: dict[str | None, dict[str, array[int]]]
    totals: dict[str | None, array[int]]  # the same for all recipients

    def _span(self, first: int, last: int) -> tuple[int, int]:
        lo = bisect_left(self.years, first)
        return lo, max(lo, bisect_right(self.years, last))

    def top(
        self, programme: str | None, first: int, last: int, by: Ranking, limit: int | None
    ) -> tuple[list[RankedRecipient], int, dict[int, Figures]]:
        """What ``top`` reads in SQL: the recipients kept, ranked (by ``by`` descending,
        then name, then code), how many have lines in the span, and the years' totals."""
        lo, hi = self._span(first, last)
        a, b = lo * _WIDTH, hi * _WIDTH
        column = 1 if by == "cost" else 0
        found = []
        for code, sums in self.cumulative.get(programme, {}).items():
            if sums[b + 5] - sums[a + 5] > 0:  # lines in the span: a group of the SQL
                f = Figures(*(sums[b + k] - sums[a + k] for k in range(5)))
                name, kind = self.names.get(code, (code, "unknown"))
                found.append((-(f.trainees, f.cost_cents)[column], name, code, kind, f))
        found.sort(key=lambda x: x[:3])
        cut = found if limit is None or limit <= 0 else found[:limit]  # SQL's LIMIT 0 or -1
        kept = [
            RankedRecipient(i, code or "?", name, kind, f, self._by_year(programme, code, lo, hi))
            for i, (_, name, code, kind, f) in enumerate(cut, 1)
        ]
        totals = self.totals.get(programme)
        years = {} if totals is None else self._per_year(totals, lo, hi)
        return kept, len(found), years

    def _by_year(self, programme: str | None, code: str, lo: int, hi: int) -> dict[int, Figures]:
        return self._per_year(self.cumulative[programme][code], lo, hi)

    def _per_year(self, sums: array[int], lo: int, hi: int) -> dict[int, Figures]:
        out = {}
        for i in range(lo, hi):
            a, b = i * _WIDTH, (i + 1) * _WIDTH
            if sums[b + 5] - sums[a + 5] > 0:
                out[self.years[i]] = Figures(*(sums[b + k] - sums[a + k] for k in range(5)))
        return out


def prepare_figures(db: Database) -> None:
    """Load the span sums (``SpanSums``) now: a server calls it before taking requests; a
    process asking once reads SQLite instead (loading costs more than one question)."""
    with connect(db) as conn:
        require_search_index(conn)
        per_build(conn, "span_sums", _load_span_sums)


def _load_span_sums(conn: Connection) -> SpanSums:
    lines = fast_rows(
        conn,
        "SELECT programme_code, country_code, fy, trainees, cost_cents, rows, "
        "rows_without_quantity, rows_without_cost FROM year_figures",
    )
    years = tuple(sorted({r[2] for r in lines}))
    at = {y: i for i, y in enumerate(years)}
    size = (len(years) + 1) * _WIDTH
    per_year: dict[str | None, dict[str, list[int]]] = {}
    totals: dict[str | None, list[int]] = {}
    for prog, code, fy, *figures in lines:
        for key in (prog, None):
            row = per_year.setdefault(key, {}).setdefault(code, [0] * size)
            whole = totals.setdefault(key, [0] * size)
            at_year = (at[fy] + 1) * _WIDTH
            for k, value in enumerate((*figures, 1)):
                row[at_year + k] += value
                whole[at_year + k] += value
    names = {
        code: (name if name is not None else code, kind if kind is not None else "unknown")
        for code, name, kind in fast_rows(conn, "SELECT code, name, kind FROM country")
    }
    return SpanSums(
        years,
        names,
        {
            prog: {code: _running(row) for code, row in rows.items()}
            for prog, rows in per_year.items()
        },
        {prog: _running(row) for prog, row in totals.items()},
    )


def _running(per_year: list[int]) -> array[int]:
    """Per-year sums (slot i + 1: year i) as sums of the years before each slot."""
    out = array("q", per_year)
    for i in range(_WIDTH, len(out)):
        out[i] += out[i - _WIDTH]
    return out


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
