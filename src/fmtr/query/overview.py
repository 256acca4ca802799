"""The database at a glance: headline figures, editions, recipients, programmes and their
trends, several recipients side by side, and one recipient's names (courses, units) page by page.

Figures are those of fmtr.query.figures (counted blocks only, read from the precomputed
``year_figures`` and ``name_figures``), so that every page agrees with ``top`` and ``series``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from fmtr.query.figures import Figures
from fmtr.query.profile import Named, YearProgramme
from fmtr.query.resolve import (
    Database,
    Recipient,
    connect,
    require_search_index,
    resolve_country,
    resolve_programme,
)
from fmtr.store.sql import in_list, rows

_SUMS = (
    "sum(f.trainees), sum(f.cost_cents), sum(f.rows), "
    "sum(f.rows_without_quantity), sum(f.rows_without_cost)"
)


@dataclass
class Summary:
    figures: Figures
    recipients: int  # with any counted row ("?" for rows whose country did not map left out)
    first_fy: int | None
    last_fy: int | None


def summary(db: Database) -> Summary:
    """Every counted training row, summed: the headline figures of the database."""
    with connect(db) as conn:
        require_search_index(conn)
        row = rows(
            conn,
            f"SELECT {_SUMS}, count(DISTINCT nullif(f.country_code, '?')), min(f.fy), "
            "max(f.fy) FROM year_figures f",
        )[0]
    return Summary(Figures(*(int(v or 0) for v in row[:5])), int(row[5]), row[6], row[7])


@dataclass
class EditionInfo:
    name: str
    first_fiscal_year: int
    layout: str
    documents: int
    rows: int  # training rows printed, counted or not


def editions(db: Database) -> list[EditionInfo]:
    """The editions loaded, oldest first, with how many documents and rows each holds."""
    with connect(db) as conn:
        found = rows(
            conn,
            "SELECT e.name, e.first_fiscal_year, e.layout, count(DISTINCT d.id), count(t.id) "
            "FROM edition e LEFT JOIN document d ON d.edition_id = e.id "
            "LEFT JOIN programme_block b ON b.document_id = d.id "
            "LEFT JOIN training t ON t.block_id = b.id "
            "GROUP BY e.id, e.name, e.first_fiscal_year, e.layout ORDER BY e.first_fiscal_year",
        )
    return [EditionInfo(*r) for r in found]


@dataclass
class RecipientTotals:
    recipient: Recipient
    figures: Figures
    first_fy: int
    last_fy: int


def recipients(db: Database) -> list[RecipientTotals]:
    """Every recipient with counted training, by name, with its totals and years."""
    with connect(db) as conn:
        require_search_index(conn)
        found = rows(
            conn,
            f"SELECT c.code, c.name, c.kind, {_SUMS}, min(f.fy), max(f.fy) "
            "FROM year_figures f JOIN country c ON c.code = f.country_code "
            "GROUP BY c.code, c.name, c.kind ORDER BY c.name",
        )
    return [
        RecipientTotals(Recipient(*r[:3]), Figures(*(int(v) for v in r[3:8])), r[8], r[9])
        for r in found
    ]


@dataclass
class ProgrammeDetail:
    code: str
    name: str
    family: str
    department: str | None
    authority: str | None
    description: str | None


@dataclass
class ProgrammeTotals:
    programme: ProgrammeDetail
    figures: Figures


_PROGRAMME = "p.code, p.name, p.family, p.department, p.authority, p.description"


def programmes(db: Database) -> list[ProgrammeTotals]:
    """Every programme with counted training, most trainees first."""
    with connect(db) as conn:
        require_search_index(conn)
        found = rows(
            conn,
            f"SELECT {_PROGRAMME}, {_SUMS} FROM year_figures f "
            f"JOIN programme p ON p.code = f.programme_code GROUP BY {_PROGRAMME}",
        )
    out = [
        ProgrammeTotals(ProgrammeDetail(*r[:6]), Figures(*(int(v) for v in r[6:]))) for r in found
    ]
    out.sort(key=lambda p: (-p.figures.trainees, p.programme.code))
    return out


def programme_detail(db: Database, programme: str) -> ProgrammeDetail:
    """What the programme ``programme`` names (code or name, as ``resolve_programme``) is."""
    with connect(db) as conn:
        code = resolve_programme(conn, programme).code
        row = rows(
            conn, f"SELECT {_PROGRAMME} FROM programme p WHERE p.code = :code", {"code": code}
        )
    return ProgrammeDetail(*row[0])


@dataclass
class TrendPoint:
    fy: int
    figures: Figures
    recipients: int


@dataclass
class ProgrammeTrend:
    programme: ProgrammeDetail
    points: list[TrendPoint]  # fiscal years with training only


def programme_trend(db: Database, programme: str) -> ProgrammeTrend:
    """A programme's figures per fiscal year, and how many recipients it trained each year."""
    with connect(db) as conn:
        require_search_index(conn)
        detail = programme_detail(conn, programme)
        found = rows(
            conn,
            f"SELECT f.fy, {_SUMS}, count(DISTINCT f.country_code) FROM year_figures f "
            "WHERE f.programme_code = :code AND f.rows > 0 GROUP BY f.fy ORDER BY f.fy",
            {"code": detail.code},
        )
    return ProgrammeTrend(
        detail, [TrendPoint(r[0], Figures(*(int(v) for v in r[1:6])), r[6]) for r in found]
    )


@dataclass
class Comparison:
    recipients: list[Recipient]
    programme: ProgrammeDetail | None = None  # None: every programme
    # fiscal year -> recipient code -> figures; years where none of them had training are absent
    by_year: dict[int, dict[str, Figures]] = field(default_factory=dict)


def compare(db: Database, countries: Sequence[str], programme: str | None = None) -> Comparison:
    """Several recipients' figures per fiscal year side by side (each named as
    ``resolve_country`` accepts; the same recipient named twice counts once), in one
    ``programme`` or all."""
    with connect(db) as conn:
        require_search_index(conn)
        chosen = list({r.code: r for r in (resolve_country(conn, c) for c in countries)}.values())
        detail = programme_detail(conn, programme) if programme is not None else None
        marks, params = in_list("code", [r.code for r in chosen])
        where = f"f.rows > 0 AND f.country_code IN ({marks})"
        if detail is not None:
            where += " AND f.programme_code = :programme"
            params["programme"] = detail.code
        found = rows(
            conn,
            f"SELECT f.fy, f.country_code, {_SUMS} FROM year_figures f WHERE {where} "
            "GROUP BY f.fy, f.country_code ORDER BY f.fy, f.country_code",
            params,
        )
    result = Comparison(chosen, detail)
    for fy, code, *sums in found:
        result.by_year.setdefault(fy, {})[code] = Figures(*(int(v) for v in sums))
    return result


NameKind = Literal["course", "us_unit", "location", "student_unit"]


@dataclass
class NamesPage:
    recipient: Recipient
    kind: str
    total: int  # names of this kind the recipient has, before paging
    names: list[Named]


def recipient_names(
    db: Database, country: str, kind: NameKind, limit: int = 50, offset: int = 0
) -> NamesPage:
    """One page of a recipient's courses, US units, locations or student units, most frequent
    first (the full list behind ``country_profile``'s top tens)."""
    if kind not in ("course", "us_unit", "location", "student_unit"):
        raise ValueError(f"kind must be course, us_unit, location or student_unit, not {kind!r}")
    with connect(db) as conn:
        recipient = resolve_country(conn, country)
        require_search_index(conn)
        which = {"code": recipient.code, "kind": kind}
        total = rows(
            conn,
            "SELECT count(*) FROM name_figures WHERE country_code = :code AND kind = :kind",
            which,
        )[0][0]
        found = rows(
            conn,
            "SELECT spelling, spellings, first_fy, last_fy, trainees, cost_cents, rows, "
            "rows_without_quantity, rows_without_cost FROM name_figures "
            "WHERE country_code = :code AND kind = :kind "
            "ORDER BY rows DESC, trainees DESC, spelling LIMIT :limit OFFSET :offset",
            {**which, "limit": limit, "offset": offset},
        )
    names = [Named(name, n, lo, hi, Figures(*sums)) for name, n, lo, hi, *sums in found]
    return NamesPage(recipient, kind, int(total), names)


@dataclass
class RecipientSeries:
    recipient: Recipient
    by_year: list[YearProgramme]  # as CountryProfile.by_year: years with training, in order


def recipient_series(db: Database, country: str) -> RecipientSeries:
    """A recipient's figures per fiscal year and programme: ``country_profile``'s ``by_year``
    alone, read from the precomputed year figures (a chart's or an API's question)."""
    with connect(db) as conn:
        recipient = resolve_country(conn, country)
        require_search_index(conn)
        found = rows(
            conn,
            "SELECT fy, programme_code, trainees, cost_cents, rows, rows_without_quantity, "
            "rows_without_cost FROM year_figures WHERE country_code = :code AND rows > 0 "
            "ORDER BY fy, programme_code",
            {"code": recipient.code},
        )
    return RecipientSeries(
        recipient, [YearProgramme(fy, prog, Figures(*sums)) for fy, prog, *sums in found]
    )
