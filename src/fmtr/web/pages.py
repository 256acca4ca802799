"""The HTML explorer: server-rendered pages over the same questions as the API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from fmtr.query.row import training_row
from fmtr.web import adapters
from fmtr.web.api import country_or_404, programme_or_404
from fmtr.web.charts import stacked_bars
from fmtr.web.deps import (
    DEFAULT_PAGE,
    MAX_PAGE,
    Settings,
    connection,
    fiscal_year,
    settings,
    year_span,
)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

Conn = Annotated[Connection, Depends(connection)]
Cfg = Annotated[Settings, Depends(settings)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


def money(cents: int | None) -> str:
    return "" if cents is None else f"${cents / 100:,.0f}"


def number(value: int | float | None) -> str:
    return "" if value is None else f"{value:,}"


# A missing value shows as nothing, never as "None".
templates.env.finalize = lambda value: "" if value is None else value
templates.env.filters["money"] = money
templates.env.filters["number"] = number


def api_url(path: str, mapping: dict[str, Any] | None = None, **params: Any) -> str:
    """The API address of a table, with its filters (None values left out)."""
    items: list[tuple[str, Any]] = []
    for k, v in {**(mapping or {}), **params}.items():
        if v is None or v == "":
            continue
        items.extend((k, x) for x in v) if isinstance(v, list) else items.append((k, v))
    query = urlencode(items)
    return f"/api/v1{path}" + (f"?{query}" if query else "")


templates.env.globals["api_url"] = api_url


def render(request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=code)


def error_page(request: Request, status: int, detail: Any) -> HTMLResponse:
    return render(request, "error.html", status, status=status, detail=detail)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, conn: Conn) -> HTMLResponse:
    return render(
        request,
        "home.html",
        summary=adapters.summary(conn),
        editions=adapters.editions(conn),
        programmes=adapters.programmes(conn),
    )


@router.get("/countries", response_class=HTMLResponse)
def countries(request: Request, conn: Conn) -> HTMLResponse:
    return render(request, "countries.html", table=adapters.countries(conn, MAX_PAGE, 0))


def _country_charts(conn: Connection, code: str) -> tuple[Any, Any, Any]:
    series = adapters.country_series(conn, code)
    covered = set(adapters.covered_years(conn))
    span = sorted(covered | {r["fy"] for r in series.rows})
    years = list(range(span[0], span[-1] + 1)) if span else []
    trainees = stacked_bars(
        series.rows,
        value="trainees",
        stack_by="programme_code",
        years=years,
        covered=covered,
        title="Trainees per fiscal year, by programme",
    )
    cost = stacked_bars(
        series.rows,
        value="cost_cents",
        stack_by="programme_code",
        years=years,
        covered=covered,
        title="Cost per fiscal year, by programme",
        unit="$",
        scale=0.01,
    )
    return series, trainees, cost


@router.get("/country/{code}", response_class=HTMLResponse)
def country(request: Request, conn: Conn, code: str) -> HTMLResponse:
    found = country_or_404(conn, code)
    series, trainees, cost = _country_charts(conn, found["code"])
    tops = {
        what: adapters.country_top(conn, found["code"], what, 15, 0)
        for what in ("courses", "schools", "units")
    }
    return render(
        request,
        "country.html",
        country=found,
        series=series,
        trainees=trainees,
        cost=cost,
        tops=tops,
    )


@router.get("/programmes", response_class=HTMLResponse)
def programmes(request: Request, conn: Conn) -> HTMLResponse:
    return render(request, "programmes.html", table=adapters.programmes(conn))


@router.get("/programme/{code}", response_class=HTMLResponse)
def programme(
    request: Request,
    conn: Conn,
    code: str,
    fy_from: Annotated[str | None, Query(alias="from")] = None,
    fy_to: Annotated[str | None, Query(alias="to")] = None,
    by: str = "trainees",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
) -> HTMLResponse:
    found = programme_or_404(conn, code)
    start, end = year_span(fy_from, fy_to)
    by = "cost" if by == "cost" else "trainees"
    trend = adapters.programme_trend(conn, found["code"])
    covered = set(adapters.covered_years(conn))
    years = sorted(covered)
    chart = stacked_bars(
        [{**r, "series": found["code"]} for r in trend.rows],
        value="trainees",
        stack_by="series",
        years=list(range(years[0], years[-1] + 1)) if years else [],
        covered=covered,
        title="Trainees per fiscal year",
    )
    top = adapters.top_recipients(conn, found["code"], start, end, by, limit, 0)
    return render(
        request,
        "programme.html",
        programme=found,
        trend=trend,
        chart=chart,
        top=top,
        fy_from=start,
        fy_to=end,
        by=by,
        limit=limit,
    )


@router.get("/units", response_class=HTMLResponse)
def units(
    request: Request,
    conn: Conn,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
) -> HTMLResponse:
    table = adapters.unit_groups(conn, q, limit, offset) if len(q.strip()) >= 2 else None
    return render(request, "units.html", q=q, table=table, limit=limit, offset=offset)


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    conn: Conn,
    q: Annotated[str, Query(max_length=200)] = "",
    country: str | None = None,
    programme: str | None = None,
    fy: str | None = None,
    unit_key: Annotated[str | None, Query(max_length=400)] = None,
    limit: Limit = DEFAULT_PAGE,
    offset: Offset = 0,
) -> HTMLResponse:
    filters = {"q": q or None, "country": country, "programme": programme, "fy": fy}
    filters["unit_key"] = unit_key
    matches = adapters.suggest_country(conn, q) if len(q) >= 3 else []
    has_filter = any(v for v in filters.values())
    table = (
        adapters.training_rows(
            conn,
            q=q or None,
            country=country,
            programme=programme,
            fy=fiscal_year(fy, "fy"),
            unit_key=unit_key,
            limit=limit,
            offset=offset,
        )
        if has_filter and (not q or len(q.strip()) >= 2)
        else None
    )
    return render(
        request,
        "search.html",
        q=q,
        filters=filters,
        countries=matches,
        table=table,
        limit=limit,
        offset=offset,
    )


@router.get("/training/{training_id}", response_class=HTMLResponse)
def training(request: Request, conn: Conn, training_id: int, cfg: Cfg) -> HTMLResponse:
    row = training_row(conn, training_id)
    if row is None:
        raise HTTPException(404, f"no training row {training_id}")
    source = _source_pdf(cfg, row.file) if row.is_pdf else None
    return render(request, "training.html", row=row, has_image=source is not None)


def _source_pdf(cfg: Settings, file: str) -> Path | None:
    if cfg.corpus is None:
        return None
    path = (cfg.corpus / file).resolve()
    # The file name comes from the database, but never serve outside the corpus anyway.
    if cfg.corpus.resolve() not in path.parents or not path.is_file():
        return None
    return path


@router.get("/training/{training_id}/source.png")
async def training_source(conn: Conn, training_id: int, cfg: Cfg) -> Response:
    from fmtr.sources.render import render_row

    row = training_row(conn, training_id)
    if row is None:
        raise HTTPException(404, f"no training row {training_id}")
    source = _source_pdf(cfg, row.file) if row.is_pdf else None
    if source is None:
        raise HTTPException(404, "the source page is not available on this server")
    cells = [row.cost, row.course_title, row.student_unit, row.location, row.us_unit]
    cells += [row.start_date, row.end_date, row.quantity]
    rendered = await run_in_threadpool(render_row, source, row.page, cells, cache_dir=cfg.cache_dir)
    return Response(
        rendered.png,
        media_type="image/png",
        headers={
            "Cache-Control": "public, max-age=86400",
            "X-Row-Found": "yes" if rendered.found else "no",
        },
    )


@router.get("/compare", response_class=HTMLResponse)
def compare(
    request: Request,
    conn: Conn,
    country: Annotated[list[str] | None, Query(max_length=12)] = None,
) -> HTMLResponse:
    chosen = [country_or_404(conn, c) for c in (country or []) if c.strip()]
    table = adapters.compare(conn, [c["code"] for c in chosen]) if chosen else None
    chart = None
    if table is not None:
        covered = set(adapters.covered_years(conn))
        span = sorted(covered | {r["fy"] for r in table.rows})
        names = {c["code"]: c["name"] for c in chosen}
        chart = stacked_bars(
            [{**r, "name": names[r["country_code"]]} for r in table.rows],
            value="trainees",
            stack_by="name",
            years=list(range(span[0], span[-1] + 1)) if span else [],
            covered=covered,
            title="Trainees per fiscal year (stacked by country)",
        )
    return render(
        request,
        "compare.html",
        chosen=chosen,
        table=table,
        chart=chart,
        all_countries=adapters.countries(conn, MAX_PAGE, 0).rows,
    )
