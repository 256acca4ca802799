"""How each fmtr.query answer is laid out as a table (columns and rows) for HTML, JSON and CSV.

Only layout lives here: every figure comes from fmtr.query as it computed it.
"""

from __future__ import annotations

from typing import Any

from fmtr.query.export import Selection
from fmtr.query.figures import Figures, TopResult
from fmtr.query.overview import (
    Comparison,
    EditionInfo,
    NamesPage,
    ProgrammeTotals,
    ProgrammeTrend,
    RecipientSeries,
    RecipientTotals,
    Summary,
)
from fmtr.query.profile import CountryProfile
from fmtr.query.text import UnitResult
from fmtr.web.tables import Table

# The columns of a training row the HTML search shows (the API and downloads have them all).
ROW_COLUMNS_SHOWN = [
    "training_id",
    "edition",
    "fy",
    "country_code",
    "programme_code",
    "course_title",
    "us_unit",
    "student_unit",
    "location",
    "quantity",
    "cost",
    "start_date",
    "end_date",
    "counted",
    "pdf_page",
]


def _sums(f: Figures) -> dict[str, int]:
    return {"trainees": f.trainees, "cost_cents": f.cost_cents, "rows": f.rows}


def summary(s: Summary) -> dict[str, Any]:
    return {
        **_sums(s.figures),
        "countries": s.recipients,
        "first_fy": s.first_fy,
        "last_fy": s.last_fy,
    }


def editions(found: list[EditionInfo]) -> Table:
    cols = ["edition", "first_fiscal_year", "layout", "documents", "rows"]
    rows = [
        {
            "edition": e.name,
            "first_fiscal_year": e.first_fiscal_year,
            "layout": e.layout,
            "documents": e.documents,
            "rows": e.rows,
        }
        for e in found
    ]
    return Table(cols, rows, len(rows))


def countries(found: list[RecipientTotals], limit: int, offset: int) -> Table:
    cols = ["code", "name", "kind", "trainees", "cost_cents", "rows", "first_fy", "last_fy"]
    rows = [
        {
            "code": r.recipient.code,
            "name": r.recipient.name,
            "kind": r.recipient.kind,
            **_sums(r.figures),
            "first_fy": r.first_fy,
            "last_fy": r.last_fy,
        }
        for r in found[offset : offset + limit]
    ]
    return Table(cols, rows, len(found), limit, offset)


def country_series(profile: CountryProfile | RecipientSeries) -> Table:
    cols = ["fy", "programme_code", "trainees", "cost_cents", "rows"]
    rows = [
        {"fy": y.fy, "programme_code": y.programme, **_sums(y.figures)} for y in profile.by_year
    ]
    return Table(cols, rows, len(rows))


# API path segment -> (fmtr.query name kind, column the name is shown in)
NAME_TABLES = {
    "courses": ("course", "course_title"),
    "schools": ("us_unit", "us_unit"),
    "locations": ("location", "location"),
    "units": ("student_unit", "student_unit"),
}


def names(page: NamesPage, column: str, limit: int, offset: int) -> Table:
    cols = [column, "spellings", "trainees", "cost_cents", "rows", "first_fy", "last_fy"]
    rows = [
        {
            column: n.name,
            "spellings": n.spellings,
            **_sums(n.figures),
            "first_fy": n.first_fy,
            "last_fy": n.last_fy,
        }
        for n in page.names
    ]
    return Table(cols, rows, page.total, limit, offset)


def programmes(found: list[ProgrammeTotals]) -> Table:
    cols = ["code", "name", "family", "department", "trainees", "cost_cents", "rows"]
    rows = [
        {
            "code": p.programme.code,
            "name": p.programme.name,
            "family": p.programme.family,
            "department": p.programme.department,
            **_sums(p.figures),
        }
        for p in found
    ]
    return Table(cols, rows, len(rows))


def trend(found: ProgrammeTrend) -> Table:
    cols = ["fy", "trainees", "cost_cents", "countries", "rows"]
    rows = [{"fy": p.fy, **_sums(p.figures), "countries": p.recipients} for p in found.points]
    return Table(cols, rows, len(rows))


def top(result: TopResult, limit: int, offset: int) -> Table:
    cols = ["rank", "country_code", "name", "trainees", "cost_cents", "rows", "years"]
    rows = [
        {
            "rank": r.rank,
            "country_code": r.code,
            "name": r.name,
            **_sums(r.figures),
            "years": len(r.by_year),
        }
        for r in result.recipients[offset : offset + limit]
    ]
    meta = {"first_fy": result.first_fy, "last_fy": result.last_fy, "by": result.by}
    return Table(cols, rows, result.recipients_total, limit, offset, meta)


def units(result: UnitResult, limit: int, offset: int) -> Table:
    cols = ["name", "variants", "countries", "first_fy", "last_fy"]
    cols += ["trainees", "cost_cents", "rows", "printed_rows", "keys"]
    rows = [
        {
            "name": g.name,
            "variants": list(g.variants),
            "countries": g.countries,
            "first_fy": g.fiscal_years[0] if g.fiscal_years else None,
            "last_fy": g.fiscal_years[-1] if g.fiscal_years else None,
            **_sums(g.figures),
            # Every row of the group, every edition (``rows`` above counts counted rows only).
            "printed_rows": g.printed_rows,
            "keys": g.keys,
        }
        for g in result.groups[offset : offset + limit]
    ]
    return Table(cols, rows, len(result.groups), limit, offset, {"truncated": result.truncated})


def training(selection: Selection, limit: int, offset: int, shown: list[str] | None) -> Table:
    rows = [dict(zip(selection.columns, r, strict=True)) for r in selection.rows]
    return Table(shown or list(selection.columns), rows, None, limit, offset)


def comparison(result: Comparison) -> Table:
    cols = ["fy", "country_code", "trainees", "cost_cents", "rows"]
    rows = [
        {"fy": fy, "country_code": code, **_sums(f)}
        for fy, per in sorted(result.by_year.items())
        for code, f in sorted(per.items())
    ]
    return Table(cols, rows, len(rows))
