"""The HTML explorer: server-rendered pages over the same questions as the API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from fmtr import query
from fmtr.errors import NotFound
from fmtr.query import answers, shapes
from fmtr.query.answers import default
from fmtr.query.figures import Ranking
from fmtr.query.history import FIRST_FY, LAST_FY, suspension_trainings, timeline
from fmtr.query.resolve import Recipient, covered_fiscal_years, find_countries
from fmtr.query.row import training_row
from fmtr.web.charts import mark_history, stacked_bars
from fmtr.web.deps import Page, Served, check_limit, connection, paging, served
from fmtr.web.security import is_web_link

router = APIRouter(include_in_schema=False)
# Templates are named *.jinja (they are not report pages), so escaping is switched on for all of
# them explicitly: Starlette's default escapes only names ending in .html.
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True
    )
)

Conn = Annotated[Connection, Depends(connection)]
Cfg = Annotated[Served, Depends(served)]
Listing = Annotated[Page, Depends(paging(setting=True))]

# A missing value shows as nothing, never as "None".
templates.env.finalize = lambda value: "" if value is None else value
templates.env.filters["money"] = shapes.dollars
templates.env.filters["number"] = shapes.number
templates.env.tests["web_link"] = is_web_link


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
    return render(request, "error.jinja", status, status=status, detail=detail)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, conn: Conn) -> HTMLResponse:
    return render(
        request,
        "home.jinja",
        summary=answers.summary(conn),
        editions=answers.editions(conn),
        programmes=answers.programmes(conn),
    )


@router.get("/countries", response_class=HTMLResponse)
def countries(request: Request, conn: Conn) -> HTMLResponse:
    return render(request, "countries.jinja", table=answers.countries(conn))


def _span(covered: list[int], shown: set[int]) -> list[int]:
    """Every fiscal year from the first to the last covered or shown (the chart's x axis)."""
    years = sorted(set(covered) | shown)
    return list(range(years[0], years[-1] + 1)) if years else []


def _clip(fy: int) -> int:
    return min(max(fy, FIRST_FY), LAST_FY)


@router.get("/country/{code}", response_class=HTMLResponse)
def country(request: Request, conn: Conn, code: str, cfg: Cfg) -> HTMLResponse:
    from fmtr.clean.events import fiscal_year_of

    profile = answers.country(conn, code, limit=15)
    recipient = Recipient(profile["country_code"], profile["name"], profile["kind"])
    series: shapes.Table = profile["series"]
    covered = covered_fiscal_years(conn)
    # The reports' years only, for now: the page does not show the obligations yet.
    history = timeline(conn, recipient.code, first_fy=FIRST_FY)
    during = suspension_trainings(conn, country=recipient.code)
    # The axis reaches the registry's events and suspensions too (within the reports' years),
    # so that a resumption after the last loaded edition still shows where it falls.
    shown = {r["fy"] for r in series.rows} | {_clip(m.fy) for m in history.markers}
    for span in history.suspensions:
        shown.add(_clip(fiscal_year_of(span.possible_first)))
        if span.possible_last is not None:
            shown.add(_clip(fiscal_year_of(span.possible_last)))
    years = _span(covered, shown)
    charts = {
        name: stacked_bars(
            series.rows,
            value=value,
            stack_by="programme_code",
            years=years,
            covered=set(covered),
            title=title,
            unit=unit,
            scale=scale,
        )
        for name, value, title, unit, scale in (
            ("trainees", "trainees", "Trainees per fiscal year, by programme", "", 1.0),
            ("cost", "cost_cents", "Cost per fiscal year, by programme", "$", 0.01),
        )
    }
    return render(
        request,
        "country.jinja",
        country=recipient,
        series=series,
        trainees=mark_history(charts["trainees"], history.markers, history.suspensions),
        cost=mark_history(charts["cost"], history.markers, history.suspensions),
        tops={what: profile[what] for what in ("courses", "schools", "units")},
        history=history,
        during=during.rows[: cfg.settings.max_suspension_rows],
        during_total=len(during.rows),
    )


@router.get("/programmes", response_class=HTMLResponse)
def programmes(request: Request, conn: Conn) -> HTMLResponse:
    return render(request, "programmes.jinja", table=answers.programmes(conn))


@router.get("/programme/{code}", response_class=HTMLResponse)
def programme(
    request: Request,
    conn: Conn,
    code: str,
    fy_from: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    fy_to: Annotated[str | None, Query(alias="to", max_length=20)] = None,
    by: Ranking = default(answers.top, "by"),
    limit: Annotated[int, Query(ge=1)] = 20,
) -> HTMLResponse:
    check_limit(request, limit)
    trend = query.programme_trend(conn, code)
    found = trend.programme
    covered = covered_fiscal_years(conn)
    trend_table = shapes.trend(trend)
    chart = stacked_bars(
        [{**r, "series": found.code} for r in trend_table.rows],
        value="trainees",
        stack_by="series",
        years=_span(covered, set()),
        covered=set(covered),
        title="Trainees per fiscal year",
    )
    ranking = answers.top(conn, found.code, fy_from or None, fy_to or None, by, limit)
    return render(
        request,
        "programme.jinja",
        programme=found,
        trend=trend_table,
        chart=chart,
        top=ranking,
        fy_from=fy_from or "",
        fy_to=fy_to or "",
        by=by,
        limit=limit,
    )


@router.get("/units", response_class=HTMLResponse)
def units(
    request: Request,
    conn: Conn,
    page: Listing,
    cfg: Cfg,
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    table = None
    if len(q.strip()) >= 2:
        table = answers.units(conn, q, page.limit, page.offset, cfg.settings.max_units)
        for row in table.rows:  # each group links to its rows: every variant's key
            row["href"] = "/search?" + urlencode([("unit_key", k) for k in row["keys"]])
    return render(request, "units.jinja", q=q, table=table, limit=page.limit, offset=page.offset)


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    conn: Conn,
    page: Listing,
    q: Annotated[str, Query(max_length=200)] = "",
    country: str | None = None,
    programme: str | None = None,
    fy: Annotated[str | None, Query(max_length=20)] = None,
    unit_key: Annotated[list[str] | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    filters: dict[str, Any] = {
        "q": q or None,
        "country": country or None,
        "programme": programme or None,
        "fy": fy or None,
        "unit_key": unit_key or None,
    }
    matches = find_countries(conn, q) if len(q.strip()) >= 3 else []
    table = None
    if any(filters.values()) and (not q or len(q.strip()) >= 2):
        # Every edition's rows: a search shows what the reports print, counted or not.
        table = answers.training(
            conn,
            text=filters["q"],
            country=filters["country"],
            programme=filters["programme"],
            start=filters["fy"],
            end=filters["fy"],
            unit_keys=filters["unit_key"],
            all_editions=True,
            limit=page.limit,
            offset=page.offset,
            shown=shapes.ROW_COLUMNS_SHOWN,
        )
    return render(
        request,
        "search.jinja",
        q=q,
        filters=filters,
        countries=matches,
        table=table,
        base_url="/search?"
        + urlencode(
            [(k, x) for k, v in filters.items() if v for x in (v if isinstance(v, list) else [v])]
        ),
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/training/{training_id}", response_class=HTMLResponse)
def training(request: Request, conn: Conn, training_id: int, cfg: Cfg) -> HTMLResponse:
    row = training_row(conn, training_id)
    if row is None:
        raise NotFound(f"no training row {training_id}")
    source = _source_pdf(cfg, row.file) if row.is_pdf else None
    return render(request, "training.jinja", row=row, has_image=source is not None)


def _source_pdf(cfg: Served, file: str) -> Path | None:
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
        raise NotFound(f"no training row {training_id}")
    source = _source_pdf(cfg, row.file) if row.is_pdf else None
    if source is None:
        raise NotFound("the source page is not available on this server")
    cells = [row.cost, row.course_title, row.student_unit, row.location, row.us_unit]
    cells += [row.start_date, row.end_date, row.quantity]
    rendered = await run_in_threadpool(render_row, source, row.page, cells, cache=cfg.page_cache)
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
    wanted = [c for c in (country or []) if c.strip()]
    result = query.compare(conn, wanted) if wanted else None
    table = shapes.comparison(result) if result is not None else None
    chart = None
    if result is not None and table is not None:
        covered = covered_fiscal_years(conn)
        names = {r.code: r.name for r in result.recipients}
        chart = stacked_bars(
            [{**r, "name": names[r["country_code"]]} for r in table.rows],
            value="trainees",
            stack_by="name",
            years=_span(covered, set(result.by_year)),
            covered=set(covered),
            title="Trainees per fiscal year (stacked by country)",
        )
    return render(
        request,
        "compare.jinja",
        chosen=result.recipients if result is not None else [],
        table=table,
        chart=chart,
        all_countries=answers.countries(conn).rows,
    )
