"""The JSON API, /api/v1: the documents of fmtr.query.answers, every table paginated and
downloadable as CSV (``format=csv``).

A route asks one question of fmtr.query.answers with the library's defaults and sends what it
returns, so ``/api/v1/top`` and ``fmtr top --json`` give the same document. Bad input raises
fmtr's errors, which the app's one handler answers with their status (400, 404 with the
library's suggestion, 503) in one JSON shape (fmtr.web.errors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import Connection

from fmtr.errors import InputError
from fmtr.query import answers
from fmtr.query.answers import NameList, default
from fmtr.query.export import MEDIA_TYPES
from fmtr.query.figures import Ranking
from fmtr.query.filenames import export_name
from fmtr.query.find import Field
from fmtr.query.shapes import Document, Table, csv_text, jsonable, main_table, table_file
from fmtr.web.deps import Page, check_limit, connection, paging, programme, served
from fmtr.web.downloads import stream_export
from fmtr.web.errors import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["fmtr"], responses=ERROR_RESPONSES)

Conn = Annotated[Connection, Depends(connection)]
T = TypeVar("T")
Format = Annotated[
    Literal["json", "csv", "xlsx", "parquet"],
    Query(description="json (default), or the table as csv, xlsx or parquet."),
]
Year = Annotated[str | None, Query(max_length=20, description="A fiscal year: FY2003, 2003, FY03")]
From = Annotated[
    str | None, Query(alias="from", max_length=20, description="First fiscal year, e.g. FY2003")
]
To = Annotated[str | None, Query(alias="to", max_length=20, description="Last fiscal year")]
Programme = Annotated[str | None, Depends(programme)]
Country = Annotated[str, Path(max_length=200, description="Country name, code or spelling")]
CountryQ = Annotated[
    str, Query(max_length=200, description="Country name, code or spelling (Pakistan, PAK)")
]
Text = Annotated[str, Query(min_length=1, max_length=200, description="Words to look for")]


class TablePage(BaseModel):
    """One page of a table: ``rows`` are objects keyed by ``columns``; ``total`` counts all
    matching rows, ``limit``/``offset`` say which page this is (``limit`` null: all rows)."""

    columns: list[str]
    rows: list[dict[str, Any]]
    total: int | None
    limit: int | None
    offset: int
    meta: dict[str, Any] | None = None


TABLE: dict[int | str, dict[str, Any]] = {
    200: {
        "model": TablePage,
        "content": {media: {} for media in MEDIA_TYPES.values() if media != "application/json"},
        "description": "One page of the table (JSON), or the same rows as CSV, XLSX or "
        "Parquet (format=csv, xlsx, parquet).",
    }
}
DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {media: {} for media in MEDIA_TYPES.values() if media != "application/json"},
        "description": "The answer's fields and tables (JSON), or its first table as CSV, "
        "XLSX or Parquet.",
    }
}


def respond(document: Document, fmt: str, filename: str, part: str | None = None) -> Response:
    """``document`` as JSON, or its table (``part``: the one of that name) as a CSV, XLSX or
    Parquet download (money in dollars and in cents), named ``fmtr-...`` after what it holds."""
    if fmt == "json":
        return JSONResponse(jsonable(document))
    name = filename if filename.startswith("fmtr-") else f"fmtr-{filename}"
    if part is not None:
        name = f"{name}-{part.replace('_', '-')}"
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    table = main_table(document) if part is None else _part(document, part)
    if fmt == "csv":
        return Response(csv_text(table), media_type=MEDIA_TYPES["csv"], headers=headers)
    return Response(table_file(table, fmt), media_type=MEDIA_TYPES[fmt], headers=headers)


def _part(document: Document, part: str) -> Table:
    found = document.get(part) if isinstance(document, dict) else None
    if not isinstance(found, Table):
        tables = (
            [k for k, v in document.items() if isinstance(v, Table)]
            if isinstance(document, dict)
            else []
        )
        raise InputError(f"this answer has no table {part!r}", ", ".join(tables) or None)
    return found


Part = Annotated[
    str | None,
    Query(
        max_length=40,
        description="With a file format: which table of the answer the file holds (by default "
        "its training rows, every one of them).",
    ),
]


async def _answer(request: Request, question: Callable[[Connection], T]) -> T:
    """``question`` asked on a connection of its own, on the event loop itself: for the
    questions whose work is bounded by the data's shape (indexed reads of precomputed sums,
    one row, the in-memory unit index). Such a question is Python holding the GIL from start
    to end, so a worker thread adds two thread hops and a fight for the GIL with the loop and
    answers nothing sooner (unit search p95 under 20 clients, 2026-11: 44-54 ms in a thread,
    30-35 ms on the loop; RELIABILITY.md). Open-ended questions (listings, text search,
    exports, page images) stay on sync endpoints, in worker threads."""
    with request.app.state.engine.connect() as conn:
        return question(conn)


# --- the database at a glance ------------------------------------------------------------------


@router.get("/summary", summary="Headline figures")
def summary(conn: Conn) -> dict[str, Any]:
    return jsonable(answers.summary(conn))


@router.get("/editions", summary="Editions loaded", responses=TABLE)
def editions(conn: Conn, format: Format = "json") -> Response:
    return respond(answers.editions(conn), format, "editions")


@router.get("/countries", summary="Recipient countries with totals", responses=TABLE)
def countries(
    conn: Conn, page: Annotated[Page, Depends(paging())], format: Format = "json"
) -> Response:
    return respond(answers.countries(conn, page.limit, page.offset), format, "countries")


@router.get(
    "/countries/{country}", summary="A country's profile (code or name)", responses=DOCUMENT
)
def country(
    request: Request,
    conn: Conn,
    country: Country,
    limit: Annotated[int, Query(ge=1, description="Names of each list (most frequent)")] = default(
        answers.country, "limit"
    ),
    format: Format = "json",
) -> Response:
    check_limit(request, limit)
    found = answers.country(conn, country, limit)
    return respond(found, format, f"{found['country_code']}-profile")


@router.get(
    "/countries/{country}/series",
    summary="Trainees and cost per fiscal year and programme",
    responses=TABLE,
)
async def country_series(request: Request, country: Country, format: Format = "json") -> Response:
    def answer(conn: Connection) -> Response:
        table = answers.country_series(conn, country)
        return respond(table, format, f"{table.meta['country_code']}-series")

    return await _answer(request, answer)


@router.get(
    "/countries/{country}/{what}",
    summary="A country's courses, US schools, locations or student units, most frequent first",
    responses=TABLE,
)
def country_names(
    conn: Conn,
    country: Country,
    what: NameList,
    page: Annotated[Page, Depends(paging(default(answers.country_names, "limit")))],
    format: Format = "json",
) -> Response:
    table = answers.country_names(conn, country, what, page.limit, page.offset)
    return respond(table, format, f"{table.meta['country_code']}-{what}")


@router.get("/programmes", summary="Programmes with totals", responses=TABLE)
def programmes(conn: Conn, format: Format = "json") -> Response:
    return respond(answers.programmes(conn), format, "programmes")


@router.get("/programmes/{programme}/trend", summary="A programme per fiscal year", responses=TABLE)
def trend(
    conn: Conn,
    programme: Annotated[str, Path(max_length=200, description="Programme code or name")],
    format: Format = "json",
) -> Response:
    table = answers.trend(conn, programme)
    return respond(table, format, f"{table.meta['programme_code']}-trend")


@router.get("/compare", summary="Several countries per fiscal year", responses=TABLE)
def compare(
    conn: Conn,
    country: Annotated[list[str], Query(min_length=1, max_length=12)],
    programme: Programme,
    format: Format = "json",
) -> Response:
    return respond(answers.compare(conn, country, programme), format, "compare")


# --- figures per fiscal year -------------------------------------------------------------


@router.get("/top", summary="Top recipients over a span of fiscal years", responses=TABLE)
async def top(
    request: Request,
    programme: Programme,
    page: Annotated[Page, Depends(paging(default(answers.top, "limit")))],
    fy_from: From = None,
    fy_to: To = None,
    by: Annotated[Ranking, Query(description="What to rank by")] = default(answers.top, "by"),
    years: Annotated[bool, Query(description="A column per fiscal year")] = False,
    format: Format = "json",
) -> Response:
    def answer(conn: Connection) -> Response:
        found = answers.top(
            conn, programme, fy_from or None, fy_to or None, by, page.limit, page.offset, years
        )
        return respond(found, format, "top")

    return await _answer(request, answer)


@router.get(
    "/series",
    summary="One country's figures for every fiscal year (reported, none reported, not covered)",
    responses=TABLE,
)
def series(
    conn: Conn,
    country: CountryQ,
    programme: Programme,
    fy_from: From = None,
    fy_to: To = None,
    format: Format = "json",
) -> Response:
    table = answers.series(conn, country, programme, fy_from or None, fy_to or None)
    return respond(table, format, f"{table.meta['country_code']}-series")


@router.get("/gaps", summary="Countries whose training stops and resumes", responses=TABLE)
def gaps(conn: Conn, programme: Programme, format: Format = "json") -> Response:
    return respond(answers.gaps(conn, programme), format, "gaps")


# --- names and rows ------------------------------------------------------------------------


CountryFilter = Annotated[
    str | None, Query(max_length=200, description="Country name or code (Pakistan, PAK)")
]
AllEditions = Annotated[
    bool, Query(description="Also the rows of an edition not counted for their fiscal year")
]


@router.get(
    "/units",
    summary="Student units named like a text, each within one country, best first",
    responses=TABLE,
)
async def units(
    request: Request,
    q: Annotated[str, Query(min_length=2, max_length=200, description="A unit's name")],
    page: Annotated[Page, Depends(paging(default(answers.units, "limit")))],
    country: CountryFilter = None,
    format: Format = "json",
) -> Response:
    def answer(conn: Connection) -> Response:
        found = answers.units(conn, q, country or None, page.limit, page.offset)
        return respond(found, format, export_name("units", country or None, q))

    return await _answer(request, answer)


@router.get(
    "/units/{country}/{unit}",
    summary="One country's student unit: spellings, figures, courses, places, training rows",
    responses=DOCUMENT,
)
def unit_profile(
    request: Request,
    conn: Conn,
    country: Country,
    unit: Annotated[str, Path(max_length=300, description="Any spelling of the unit, or its key")],
    page: Annotated[Page, Depends(paging(default(answers.unit_profile, "limit")))],
    all_editions: AllEditions = False,
    format: Format = "json",
    table: Part = None,
) -> Response:
    if format != "json" and table in (None, "training_rows"):
        return stream_export(
            request.app.state.export_engine,
            format,
            country=country,
            unit=unit,
            all_editions=all_editions,
        )
    found = answers.unit_profile(conn, country, unit, page.limit, page.offset, all_editions)
    name = export_name("unit", found["country_code"], found["unit"])
    return respond(found, format, name, table)


@router.get("/courses", summary="Courses whose titles hold every word, best first", responses=TABLE)
def courses(
    conn: Conn,
    q: Text,
    page: Annotated[Page, Depends(paging(default(answers.courses, "limit")))],
    format: Format = "json",
) -> Response:
    found = answers.courses(conn, q, page.limit, page.offset)
    return respond(found, format, export_name("courses", None, q))


@router.get(
    "/courses/{course}",
    summary="A course across countries and years: who, when, where, how many, at what cost",
    responses=DOCUMENT,
)
def course_profile(
    request: Request,
    conn: Conn,
    course: Annotated[str, Path(max_length=300, description="Any title of the course, or its key")],
    page: Annotated[Page, Depends(paging(default(answers.course_profile, "limit")))],
    all_editions: AllEditions = False,
    format: Format = "json",
    table: Part = None,
) -> Response:
    if format != "json" and table in (None, "training_rows"):
        return stream_export(
            request.app.state.export_engine, format, course=course, all_editions=all_editions
        )
    found = answers.course_profile(conn, course, page.limit, page.offset, all_editions)
    return respond(found, format, export_name("course", None, found["course"]), table)


SearchText = Annotated[
    str,
    Query(
        max_length=200,
        description="Words, country and programme names, fiscal years (Pakistan IMET FY2010)",
    ),
]


@router.get(
    "/search",
    summary="Training rows a text and filters select: count, sums, facets, best matches first",
    responses=DOCUMENT,
)
def search(
    request: Request,
    conn: Conn,
    programme: Programme,
    page: Annotated[Page, Depends(paging(default(answers.search, "limit")))],
    q: SearchText = "",
    country: CountryFilter = None,
    fy_from: From = None,
    fy_to: To = None,
    field: Annotated[Field, Query(description="Look in one column only")] = default(
        answers.search, "field"
    ),
    all_editions: AllEditions = default(answers.search, "all_editions"),
    literal: Annotated[
        bool, Query(description="Every word is a word (no country or programme taken)")
    ] = default(answers.search, "literal"),
    format: Format = "json",
    table: Part = None,
) -> Response:
    if format != "json" and table in (None, "training_rows"):
        return stream_export(
            request.app.state.export_engine,
            format,
            text=q or None,
            country=country or None,
            programme=programme,
            start=fy_from or None,
            end=fy_to or None,
            field=field,
            literal=literal,
            all_editions=all_editions,
        )
    found = answers.search(
        conn,
        q,
        country or None,
        programme,
        fy_from or None,
        fy_to or None,
        field,
        all_editions,
        literal,
        page.limit,
        page.offset,
        facet_limit=None if format != "json" else default(answers.search, "facet_limit"),
    )
    name = export_name(
        "search",
        found["country_code"],
        " ".join(found["words"].split()[:6]) or None,
        found["programme_code"],
        found["first_fy"],
        found["last_fy"],
    )
    return respond(found, format, name, table)


@router.get("/training", summary="Training rows with provenance, filtered", responses=TABLE)
def training(
    conn: Conn,
    programme: Programme,
    page: Annotated[Page, Depends(paging(setting=True))],
    q: Annotated[
        str | None, Query(max_length=200, description="Words of course, units, location")
    ] = None,
    country: Annotated[str | None, Query(max_length=200)] = None,
    fy: Year = None,
    unit_key: Annotated[list[str] | None, Query(max_length=200)] = None,
    all_editions: Annotated[
        bool,
        Query(description="Also the rows of an edition not counted for their fiscal year"),
    ] = default(answers.training, "all_editions"),
    format: Format = "json",
) -> Response:
    table = answers.training(
        conn,
        text=q or None,
        country=country or None,
        programme=programme,
        start=fy or None,
        end=fy or None,
        unit_keys=unit_key or None,
        all_editions=all_editions,
        limit=page.limit,
        offset=page.offset,
    )
    return respond(table, format, "training")


EXPORT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {media: {} for media in MEDIA_TYPES.values()},
        "description": "Every row selected, streamed (CSV, JSON) or as a file (XLSX, Parquet); "
        "X-Total-Rows says how many.",
    }
}


@router.get(
    "/export",
    summary="Every training row a search, a unit, a course or filters select, as a file",
    responses=EXPORT,
)
def export(
    request: Request,
    programme: Programme,
    format: Annotated[
        Literal["csv", "json", "xlsx", "parquet"], Query(description="The file's format")
    ] = "csv",
    q: SearchText = "",
    country: CountryFilter = None,
    fy_from: From = None,
    fy_to: To = None,
    field: Annotated[Field, Query(description="Look in one column only")] = "any",
    literal: Annotated[bool, Query(description="Every word of q is a word")] = False,
    unit: Annotated[
        str | None, Query(max_length=300, description="A unit of `country` (any spelling)")
    ] = None,
    course: Annotated[
        str | None, Query(max_length=300, description="A course (any of its titles)")
    ] = None,
    unit_key: Annotated[list[str] | None, Query(max_length=200)] = None,
    all_editions: AllEditions = False,
    raw_cells: Annotated[
        bool,
        Query(description="Write cells a spreadsheet would evaluate as stored (CSV, XLSX)"),
    ] = False,
) -> Response:
    """The download behind every table's "all rows" links: the same rows the question counts,
    in report order, money in dollars and in cents (fmtr.query.export)."""
    return stream_export(
        request.app.state.export_engine,
        format,
        raw_cells=raw_cells,
        text=q or None,
        country=country or None,
        programme=programme,
        start=fy_from or None,
        end=fy_to or None,
        field=field,
        literal=literal,
        unit=unit or None,
        course=course or None,
        unit_keys=unit_key or None,
        all_editions=all_editions,
    )


@router.get("/training/{training_id}", summary="One training row with its provenance")
async def training_one(
    request: Request,
    training_id: Annotated[
        str,
        Path(
            min_length=1,
            max_length=80,
            description="A training row's stable identifier (2016-africa-p50-3) or integer id",
        ),
    ],
) -> dict[str, Any]:
    return await _answer(request, lambda conn: answers.row(conn, training_id))


@router.get("/cite", summary="The citation of a training row or a figure")
def cite(
    conn: Conn,
    id: Annotated[
        str,
        Query(
            min_length=1,
            max_length=120,
            description="A training row's identifier (2016-africa-p50-3) or a figure "
            "(COUNTRY/PROGRAMME/FY: PAK/IMET/FY2010)",
        ),
    ],
) -> dict[str, Any]:
    return answers.cite(conn, id)


# --- participation history ---------------------------------------------------------------------


@router.get(
    "/timeline",
    summary="A country per fiscal year beside the registry's events and the detected gaps",
    responses=DOCUMENT,
)
def timeline(
    conn: Conn, country: CountryQ, programme: Programme, format: Format = "json"
) -> Response:
    found = answers.timeline(conn, country, programme)
    return respond(found, format, f"{found['country_code']}-timeline")


@router.get(
    "/suspensions",
    summary="Training rows dated inside a suspension of their programme for their country",
    responses=DOCUMENT,
)
def suspensions(
    conn: Conn,
    programme: Programme,
    country: Annotated[str | None, Query(max_length=200)] = None,
    format: Format = "json",
) -> Response:
    return respond(answers.suspensions(conn, country or None, programme), format, "suspensions")


@router.get("/events", summary="The registry's participation events", responses=TABLE)
def events(
    country: Annotated[str | None, Query(max_length=200)] = None, format: Format = "json"
) -> Response:
    return respond(answers.events(country or None), format, "events")


# --- money beside training (the Greenbook's obligations) -------------------------------------

Account = Annotated[
    str | None,
    Query(
        max_length=200,
        description="A programme code (IMET, FMF, PKO...: its accounts) or a Greenbook account",
    ),
]
Constant = Annotated[bool, Query(description="Constant 2020 dollars (default: current dollars)")]


def _or_default(value: str | None, question: Callable[..., Any], parameter: str) -> str:
    """``value``, or the library's default for it (an absent or empty programme)."""
    return value or default(question, parameter)


@router.get(
    "/funding/series",
    summary="A country's obligations per fiscal year and account (Greenbook)",
    responses=DOCUMENT,
)
def funding_series(
    conn: Conn,
    country: CountryQ,
    account: Account = None,
    fy_from: From = None,
    fy_to: To = None,
    constant: Constant = default(answers.funding_series, "constant"),
    format: Format = "json",
) -> Response:
    found = answers.funding_series(
        conn, country, account or None, fy_from or None, fy_to or None, constant
    )
    return respond(found, format, f"{found['country_code']}-funding-series")


@router.get(
    "/funding/top",
    summary="Recipients of an account ranked by obligations over a span of fiscal years",
    responses=DOCUMENT,
)
def funding_top(
    conn: Conn,
    account: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="A programme code (IMET, FMF, PKO...: its accounts) or a Greenbook account",
        ),
    ],
    page: Annotated[Page, Depends(paging(default(answers.funding_top, "limit")))],
    fy_from: From = None,
    fy_to: To = None,
    constant: Constant = default(answers.funding_top, "constant"),
    format: Format = "json",
) -> Response:
    found = answers.funding_top(
        conn, account, fy_from or None, fy_to or None, constant, page.limit, page.offset
    )
    return respond(found, format, "funding-top")


@router.get(
    "/funding/courses",
    summary="Obligations beside the courses and trainees the reports list, per fiscal year",
    responses=DOCUMENT,
)
def funding_courses(
    conn: Conn,
    country: CountryQ,
    programme: Programme,
    fy_from: From = None,
    fy_to: To = None,
    format: Format = "json",
) -> Response:
    found = answers.funding_courses(
        conn,
        country,
        _or_default(programme, answers.funding_courses, "programme"),
        fy_from or None,
        fy_to or None,
    )
    return respond(found, format, f"{found['country_code']}-funding-courses")


@router.get(
    "/funding/timeline",
    summary="A country's obligations and training per fiscal year from the first year with data",
    responses=DOCUMENT,
)
def funding_timeline(
    conn: Conn, country: CountryQ, programme: Programme, format: Format = "json"
) -> Response:
    found = answers.funding_timeline(
        conn, country, _or_default(programme, answers.funding_timeline, "programme")
    )
    return respond(found, format, f"{found['country_code']}-funding-timeline")


@router.get(
    "/funding/accounts",
    summary="The Greenbook's accounts and the programme each is",
    responses=TABLE,
)
def funding_accounts(conn: Conn, format: Format = "json") -> Response:
    return respond(answers.funding_accounts(conn), format, "funding-accounts")


@router.get(
    "/largest",
    summary="The largest recipient of a programme under every measure at once",
    responses=DOCUMENT,
)
def largest(
    request: Request,
    conn: Conn,
    programme: Programme,
    fy_from: From = None,
    fy_to: To = None,
    limit: Annotated[int, Query(ge=1, description="Countries per measure")] = default(
        answers.largest, "limit"
    ),
    format: Format = "json",
) -> Response:
    check_limit(request, limit)
    found = answers.largest(
        conn,
        _or_default(programme, answers.largest, "programme"),
        fy_from or None,
        fy_to or None,
        limit,
    )
    return respond(found, format, f"{found['programme_code']}-largest")


__all__ = ["router", "served"]
