"""The JSON API, /api/v1: fmtr.query's answers, every table paginated and downloadable as CSV.

Bad input raises fmtr.query's errors, which the app turns into 404 (an unknown country or
programme, with the library's suggestion) or 400 (a bad fiscal year or span, an empty search).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from fmtr import query
from fmtr.query.overview import recipient_series
from fmtr.query.row import training_row
from fmtr.web import shapes
from fmtr.web.deps import DEFAULT_PAGE, MAX_PAGE, connection
from fmtr.web.tables import TablePage, table_response

router = APIRouter(prefix="/api/v1", tags=["fmtr"])

Conn = Annotated[Connection, Depends(connection)]
T = TypeVar("T")
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Rows per page (at most {MAX_PAGE}).")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip.")]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv.")]
Year = Annotated[str | None, Query(max_length=20, description="A fiscal year: FY2003, 2003, FY03")]
TABLE: dict[int | str, dict[str, Any]] = {
    200: {
        "model": TablePage,
        "content": {"text/csv": {}},
        "description": "One page of the table (JSON), or the same rows as CSV (format=csv).",
    }
}
# Units named like a text: more groups than a page can show are cut off by the library.
MAX_UNITS = 100


@router.get("/summary", summary="Headline figures")
def summary(conn: Conn) -> dict[str, Any]:
    return shapes.summary(query.summary(conn))


@router.get("/editions", summary="Editions loaded", responses=TABLE)
def editions(conn: Conn, format: Format = "json") -> Response:
    return table_response(shapes.editions(query.editions(conn)), format, "editions")


@router.get("/countries", summary="Recipient countries with totals", responses=TABLE)
def countries(
    conn: Conn, limit: Limit = MAX_PAGE, offset: Offset = 0, format: Format = "json"
) -> Response:
    table = shapes.countries(query.recipients(conn), limit, offset)
    return table_response(table, format, "countries")


@router.get("/countries/{code}", summary="A country (code or name) and its series")
def country(conn: Conn, code: str) -> dict[str, Any]:
    profile = recipient_series(conn, code)
    r = profile.recipient
    return {
        "code": r.code,
        "name": r.name,
        "kind": r.kind,
        "series": shapes.country_series(profile).rows,
    }


async def _answer(request: Request, question: Callable[[Connection], T]) -> T:
    """``question`` asked on a connection of its own, on the event loop itself: for the
    questions whose work is bounded by the data's shape (indexed reads of precomputed sums,
    one row, the in-memory unit index: 25 ms at worst, "of" matching 11,000 unit names).
    Such a question is Python holding the GIL from start to end, so a worker thread adds two
    thread hops and a fight for the GIL with the loop and answers nothing sooner: with it, unit
    search p95 44-54 ms under 20 clients, without it 30-35 ms. Open-ended questions (listings,
    text search, exports, page images) stay on sync endpoints, in worker threads."""
    with request.app.state.engine.connect() as conn:
        return question(conn)


@router.get(
    "/countries/{code}/series",
    summary="Trainees and cost per fiscal year and programme",
    responses=TABLE,
)
async def country_series(request: Request, code: str, format: Format = "json") -> Response:
    def answer(conn: Connection) -> Response:
        profile = recipient_series(conn, code)
        table = shapes.country_series(profile)
        return table_response(table, format, f"{profile.recipient.code}-series")

    return await _answer(request, answer)


@router.get(
    "/countries/{code}/{what}",
    summary="A country's courses, US schools, locations or student units, most frequent first",
    responses=TABLE,
)
def country_names(
    conn: Conn,
    code: str,
    what: Literal["courses", "schools", "locations", "units"],
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
    format: Format = "json",
) -> Response:
    kind, column = shapes.NAME_TABLES[what]
    page = query.recipient_names(conn, code, kind, limit, offset)  # type: ignore[arg-type]
    return table_response(
        shapes.names(page, column, limit, offset), format, f"{page.recipient.code}-{what}"
    )


@router.get("/programmes", summary="Programmes with totals", responses=TABLE)
def programmes(conn: Conn, format: Format = "json") -> Response:
    return table_response(shapes.programmes(query.programmes(conn)), format, "programmes")


@router.get("/programmes/{programme}/trend", summary="A programme per fiscal year", responses=TABLE)
def programme_trend(conn: Conn, programme: str, format: Format = "json") -> Response:
    trend = query.programme_trend(conn, programme)
    return table_response(shapes.trend(trend), format, f"{trend.programme.code}-trend")


@router.get("/top", summary="Top recipients over a span of fiscal years", responses=TABLE)
async def top(
    request: Request,
    programme: Annotated[str | None, Query(description="Programme, e.g. IMET")] = None,
    fy_from: Annotated[str | None, Query(alias="from", description="e.g. FY2003")] = None,
    fy_to: Annotated[str | None, Query(alias="to", description="e.g. FY2017")] = None,
    by: Literal["trainees", "cost"] = "trainees",
    limit: Limit = 10,
    offset: Offset = 0,
    format: Format = "json",
) -> Response:
    def answer(conn: Connection) -> Response:
        result = query.top(
            conn, programme or None, fy_from or None, fy_to or None, by=by, limit=offset + limit
        )
        return table_response(shapes.top(result, limit, offset), format, "top")

    return await _answer(request, answer)


@router.get(
    "/units",
    summary="Student units named like a text, spelling variants grouped (fuzzy)",
    responses=TABLE,
)
async def units(
    request: Request,
    q: Annotated[str, Query(min_length=2, max_length=200)],
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
    format: Format = "json",
) -> Response:
    def answer(conn: Connection) -> Response:
        result = query.unit(conn, q, max_units=MAX_UNITS, rows=False, courses=False)
        return table_response(shapes.units(result, limit, offset), format, "units")

    return await _answer(request, answer)


@router.get("/training", summary="Training rows with provenance, filtered", responses=TABLE)
def training(
    conn: Conn,
    q: Annotated[
        str | None, Query(max_length=200, description="Words of course, units, location")
    ] = None,
    country: str | None = None,
    programme: str | None = None,
    fy: Year = None,
    unit_key: Annotated[list[str] | None, Query(max_length=200)] = None,
    counted_only: Annotated[
        bool, Query(description="Only rows whose figures count (each fiscal year once)")
    ] = False,
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
    format: Format = "json",
) -> Response:
    selection = query.select_rows(
        conn,
        text=q or None,
        country=country or None,
        programme=programme or None,
        start=fy or None,
        end=fy or None,
        unit_keys=unit_key or None,
        all_editions=not counted_only,
        limit=limit,
        offset=offset,
    )
    return table_response(shapes.training(selection, limit, offset, None), format, "training")


@router.get("/training/{training_id}", summary="One training row with its provenance")
async def training_one(
    request: Request,
    training_id: Annotated[int, Path(ge=1, le=2**63 - 1, description="A training row's id")],
) -> dict[str, Any]:
    row = await _answer(request, lambda conn: training_row(conn, training_id))
    if row is None:
        raise HTTPException(404, f"no training row {training_id}")
    return row.as_dict()


@router.get("/compare", summary="Several countries per fiscal year", responses=TABLE)
def compare(
    conn: Conn,
    country: Annotated[list[str], Query(min_length=1, max_length=12)],
    format: Format = "json",
) -> Response:
    return table_response(shapes.comparison(query.compare(conn, country)), format, "compare")
