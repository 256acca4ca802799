"""The JSON API, /api/v1: every table paginated, filterable, and downloadable as CSV."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from sqlalchemy import Connection

from fmtr.query.row import training_row
from fmtr.web import adapters
from fmtr.web.deps import DEFAULT_PAGE, MAX_PAGE, connection, fiscal_year, year_span
from fmtr.web.tables import TablePage, table_response

router = APIRouter(prefix="/api/v1", tags=["fmtr"])

Conn = Annotated[Connection, Depends(connection)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Rows per page (at most {MAX_PAGE}).")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip.")]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv.")]
TABLE: dict[int | str, dict[str, Any]] = {
    200: {
        "model": TablePage,
        "content": {"text/csv": {}},
        "description": "One page of the table (JSON), or the same rows as CSV (format=csv).",
    }
}


def country_or_404(conn: Connection, code: str) -> dict[str, Any]:
    found = adapters.country(conn, code)
    if found is None:
        close = adapters.suggest_country(conn, code)
        hint = ", ".join(f"{c['name']} ({c['code']})" for c in close)
        raise HTTPException(
            404, f"unknown country {code!r}" + (f"; did you mean {hint}?" if hint else "")
        )
    return found


def programme_or_404(conn: Connection, code: str) -> dict[str, Any]:
    found = adapters.programme(conn, code)
    if found is None:
        raise HTTPException(404, f"unknown programme {code!r}; see /api/v1/programmes")
    return found


@router.get("/summary", summary="Headline figures")
def summary(conn: Conn) -> dict[str, Any]:
    return adapters.summary(conn)


@router.get("/editions", summary="Editions loaded", responses=TABLE)
def editions(conn: Conn, format: Format = "json") -> Response:
    return table_response(adapters.editions(conn), format, "editions")


@router.get("/countries", summary="Recipient countries with totals", responses=TABLE)
def countries(
    conn: Conn, limit: Limit = MAX_PAGE, offset: Offset = 0, format: Format = "json"
) -> Response:
    return table_response(adapters.countries(conn, limit, offset), format, "countries")


@router.get("/countries/{code}", summary="A country")
def country(conn: Conn, code: str) -> dict[str, Any]:
    found = country_or_404(conn, code)
    return {**found, "series": adapters.country_series(conn, found["code"]).rows}


@router.get(
    "/countries/{code}/series",
    summary="Trainees and cost per fiscal year and programme",
    responses=TABLE,
)
def country_series(conn: Conn, code: str, format: Format = "json") -> Response:
    found = country_or_404(conn, code)
    table = adapters.country_series(conn, found["code"])
    return table_response(table, format, f"{found['code']}-series")


@router.get(
    "/countries/{code}/{what}",
    summary="A country's top courses, schools, locations or student units",
    responses=TABLE,
)
def country_top(
    conn: Conn,
    code: str,
    what: Literal["courses", "schools", "locations", "units"],
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
    format: Format = "json",
) -> Response:
    found = country_or_404(conn, code)
    table = adapters.country_top(conn, found["code"], what, limit, offset)
    return table_response(table, format, f"{found['code']}-{what}")


@router.get("/programmes", summary="Programmes with totals", responses=TABLE)
def programmes(conn: Conn, format: Format = "json") -> Response:
    return table_response(adapters.programmes(conn), format, "programmes")


@router.get("/programmes/{code}/trend", summary="A programme per fiscal year", responses=TABLE)
def programme_trend(conn: Conn, code: str, format: Format = "json") -> Response:
    found = programme_or_404(conn, code)
    return table_response(
        adapters.programme_trend(conn, found["code"]), format, f"{found['code']}-trend"
    )


@router.get("/top", summary="Top recipients over a span of fiscal years", responses=TABLE)
def top(
    conn: Conn,
    programme: Annotated[str | None, Query(description="Programme code, e.g. IMET")] = None,
    fy_from: Annotated[str | None, Query(alias="from", description="e.g. FY2003")] = None,
    fy_to: Annotated[str | None, Query(alias="to", description="e.g. FY2017")] = None,
    by: Literal["trainees", "cost"] = "trainees",
    limit: Limit = 10,
    offset: Offset = 0,
    format: Format = "json",
) -> Response:
    start, end = year_span(fy_from, fy_to)
    code = programme_or_404(conn, programme)["code"] if programme else None
    table = adapters.top_recipients(conn, code, start, end, by, limit, offset)
    return table_response(table, format, "top")


@router.get("/units", summary="Student units matching a text, variants grouped", responses=TABLE)
def units(
    conn: Conn,
    q: Annotated[str, Query(min_length=2, max_length=200)],
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
    format: Format = "json",
) -> Response:
    return table_response(adapters.unit_groups(conn, q, limit, offset), format, "units")


@router.get("/training", summary="Training rows, filtered", responses=TABLE)
def training(
    conn: Conn,
    q: Annotated[str | None, Query(max_length=200, description="Course, unit, location")] = None,
    country: str | None = None,
    programme: str | None = None,
    fy: str | None = None,
    unit_key: Annotated[str | None, Query(max_length=400)] = None,
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
    format: Format = "json",
) -> Response:
    table = adapters.training_rows(
        conn,
        q=q,
        country=country,
        programme=programme,
        fy=fiscal_year(fy, "fy"),
        unit_key=unit_key,
        limit=limit,
        offset=offset,
    )
    return table_response(table, format, "training")


@router.get("/training/{training_id}", summary="One training row with its provenance")
def training_one(conn: Conn, training_id: int) -> dict[str, Any]:
    row = training_row(conn, training_id)
    if row is None:
        raise HTTPException(404, f"no training row {training_id}")
    return row.as_dict()


@router.get("/compare", summary="Several countries per fiscal year", responses=TABLE)
def compare(
    conn: Conn,
    country: Annotated[list[str], Query(min_length=1, max_length=12)],
    format: Format = "json",
) -> Response:
    codes = [country_or_404(conn, c)["code"] for c in country]
    return table_response(adapters.compare(conn, codes), format, "compare")
