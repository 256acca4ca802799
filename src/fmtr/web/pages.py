"""The HTML explorer: server-rendered pages over the same questions as the API."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from fmtr import query
from fmtr.errors import FmtrError, InputError, NotFound
from fmtr.query import answers, shapes
from fmtr.query.answers import default
from fmtr.query.figures import Ranking
from fmtr.query.history import FIRST_FY, LAST_FY, suspension_trainings, timeline
from fmtr.query.resolve import (
    Recipient,
    covered_fiscal_years,
    resolve_programme,
)
from fmtr.query.row import TrainingRecord, training_row
from fmtr.web.charts import mark_history, money_chart, stacked_bars
from fmtr.web.deps import Page, Served, check_limit, connection, paging, served
from fmtr.web.error_page import FIELDS, MAX_ID, MAX_TEXT, MAX_YEAR, kept_form, suggestion_link
from fmtr.web.links import is_web_link
from fmtr.web.palette import look, rank

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


# The path the app is served under (the root_path setting, or a proxy's prefix), for the page
# being rendered: every link a page writes starts with it. Set by ``render``, read by ``url``.
_ROOT: ContextVar[str] = ContextVar("fmtr_root", default="")


async def served_under(request: Request) -> None:
    """Every page's first dependency: the path the app is served under, for ``url``. Async, so
    that it runs in the request's own context, which the endpoint's thread inherits."""
    _ROOT.set(str(request.scope.get("root_path") or "").rstrip("/"))


router = APIRouter(include_in_schema=False, dependencies=[Depends(served_under)])


def url(path: str) -> str:
    """The address of ``path`` ("/countries") as the page's reader reaches it: under the path
    the app is served at, never naming a host (so that it works behind any proxy)."""
    return _ROOT.get() + path


def query_string(params: dict[str, Any], **changes: Any) -> str:
    """``params`` with ``changes`` (None removes one), as a query string: lists repeat their
    key, True is "true", and None, "" and False are left out (every flag defaults to false)."""
    items: list[tuple[str, Any]] = []
    for k, v in {**params, **changes}.items():
        if v is None or v == "" or v is False:
            continue
        if isinstance(v, list):
            items.extend((k, x) for x in v)
        else:
            items.append((k, "true" if v is True else v))
    return urlencode(items)


def api_url(path: str, mapping: dict[str, Any] | None = None, **params: Any) -> str:
    """The API address of a table, with its filters (None values left out)."""
    query = query_string(mapping or {}, **params)
    return url(f"/api/v1{path}" + (f"?{query}" if query else ""))


templates.env.globals["api_url"] = api_url
templates.env.globals["url"] = url
templates.env.globals["look"] = look
templates.env.globals["fields"] = FIELDS


def render(request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
    _ROOT.set(str(request.scope.get("root_path") or "").rstrip("/"))
    return templates.TemplateResponse(request, name, context, status_code=code)


def error_page(
    request: Request, status: int, detail: Any, error: FmtrError | None = None
) -> HTMLResponse:
    """The explorer's page for an error: its status and message, the library's suggestion as
    a link, and the form the reader used kept as typed (fmtr.web.error_page)."""
    suggestion = suggestion_link(request, error) if error is not None else None
    message = error.message if error is not None and suggestion is not None else detail
    form = kept_form(request) if status < 500 else None
    return render(
        request,
        "error.jinja",
        status,
        status=status,
        detail=message,
        suggestion=suggestion,
        form=form,
        q=request.query_params.get("q", "")[:MAX_TEXT]
        if request.url.path.endswith("/search")
        else "",
    )


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


def _lookup(request: Request, path: str, key: str, name: str) -> RedirectResponse:
    """The page of ``name`` (a form's ``key`` box: "Pakistan", "pk", "IMET"), with the form's
    other fields as its query; the page says what ``name`` names or what it did not."""
    rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != key])
    target = url(path + quote(name.strip() or "-", safe="")) + (f"?{rest}" if rest else "")
    return RedirectResponse(target, status_code=303)


@router.get("/country", response_class=HTMLResponse)
def country_lookup(
    request: Request, country: Annotated[str, Query(max_length=MAX_TEXT)] = ""
) -> Response:
    return (
        _lookup(request, "/country/", "country", country)
        if country.strip()
        else RedirectResponse(url("/countries"), 303)
    )


@router.get("/country/{code}", response_class=HTMLResponse)
def country(
    request: Request,
    conn: Conn,
    code: Annotated[str, PathParam(max_length=MAX_TEXT)],
    cfg: Cfg,
    programme: Annotated[str | None, Query(max_length=MAX_TEXT)] = None,
) -> Response:
    from fmtr.clean.events import fiscal_year_of

    profile = answers.country(conn, code, limit=15)
    recipient = Recipient(profile["country_code"], profile["name"], profile["kind"])
    if code != recipient.code:  # "pk", "Pakistan", "Burma": one address per recipient
        target = url(f"/country/{recipient.code}")
        return RedirectResponse(
            target + (f"?{request.url.query}" if request.url.query else ""), 302
        )
    chosen = resolve_programme(conn, programme) if programme else None
    series: shapes.Table = profile["series"]
    shown_rows = [r for r in series.rows if chosen is None or r["programme_code"] == chosen.code]
    covered = covered_fiscal_years(conn)
    # The reports' years for the training charts; the money's charts below run from the first
    # year with data.
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
    what = chosen.code if chosen else "by programme"
    charts = {
        name: mark_history(
            stacked_bars(
                shown_rows,
                value=value,
                stack_by="programme_code",
                years=years,
                covered=set(covered),
                title=f"{recipient.name}: {title}, {what}",
                unit=unit,
                scale=scale,
            ),
            history.markers,
            history.suspensions,
        )
        for name, value, title, unit, scale in (
            ("trainees", "trainees", "trainees per fiscal year", "", 1.0),
            ("cost", "cost_cents", "listed course costs per fiscal year", "$", 0.01),
        )
    }
    filtered = shapes.Table(
        series.columns, shown_rows, len(shown_rows), meta=series.meta, title=series.title
    )
    order = sorted({r["programme_code"] for r in series.rows}, key=rank)
    per_year = shapes.year_programme(filtered, years, covered, order)
    imet = next((p for p in profile["programmes"].rows if p["programme_code"] == "IMET"), None)
    money = _money(conn, recipient, chosen.code if chosen else "IMET")
    imet_gaps = (
        money["timeline"].gaps
        if money and money["programme"] == "IMET"
        else timeline(conn, recipient.code, "IMET", first_fy=FIRST_FY).gaps
        if imet
        else None
    )
    return render(
        request,
        "country.jinja",
        country=recipient,
        profile=profile,
        chosen=chosen,
        order=order,
        series=series,
        per_year=per_year,
        trainees=charts["trainees"],
        cost=charts["cost"],
        tops={what: profile[what] for what in ("courses", "schools", "locations", "units")},
        history=history,
        imet=imet,
        imet_gaps=imet_gaps,
        money=money,
        during=during.rows[: cfg.settings.max_suspension_rows],
        during_total=len(during.rows),
    )


def _money(conn: Connection, recipient: Recipient, programme: str) -> dict[str, Any] | None:
    """A programme's obligations (the Greenbook) beside its training, from the first year
    with data: the timeline's document (the API's /funding/timeline) and its two charts on one
    axis; None when the Greenbook records no obligation of the programme for the recipient."""
    found = timeline(conn, recipient.code, programme)
    document = shapes.timeline(found)
    rows = document["years"].rows
    if not found.accounts or not any(r["funding_status"] == "obligated" for r in rows):
        return None
    code = found.programme.code if found.programme else programme
    obligations = mark_history(
        money_chart(
            rows,
            title=f"{recipient.name}: {code} obligations per fiscal year (Greenbook), beside "
            "the course costs the reports list",
            bar_look=look(code),
            bar_name=f"{code} obligated, current dollars",
        ),
        found.markers,
        found.suspensions,
    )
    axis = [r["fy"] for r in rows]
    trainees = mark_history(
        stacked_bars(
            [{"fy": r["fy"], "series": code, "trainees": r["trainees"]} for r in rows if r["rows"]],
            value="trainees",
            stack_by="series",
            years=axis,
            covered={r["fy"] for r in rows if r["status"] != "not covered"},
            title=f"{recipient.name}: {code} trainees per fiscal year (training reports)",
        ),
        found.markers,
        found.suspensions,
    )
    obligated = [r for r in rows if r["funding_status"] == "obligated"]
    return {
        "programme": code,
        "timeline": found,
        "document": document,
        "obligations": obligations,
        "trainees": trainees,
        "first_obligation": obligated[0]["fy"],
        "last_obligation": obligated[-1]["fy"],
        "obligated_cents": sum(r["obligated_cents"] or 0 for r in rows),
        "obligated_2020_cents": sum(r["obligated_2020_cents"] or 0 for r in rows),
    }


@router.get("/programmes", response_class=HTMLResponse)
def programmes(request: Request, conn: Conn) -> HTMLResponse:
    return render(request, "programmes.jinja", table=answers.programmes(conn))


@router.get("/programme", response_class=HTMLResponse)
def programme_lookup(
    request: Request, programme: Annotated[str, Query(max_length=MAX_TEXT)] = ""
) -> Response:
    return (
        _lookup(request, "/programme/", "programme", programme)
        if programme.strip()
        else RedirectResponse(url("/programmes"), 303)
    )


@router.get("/programme/{code}", response_class=HTMLResponse)
def programme(
    request: Request,
    conn: Conn,
    code: Annotated[str, PathParam(max_length=MAX_TEXT)],
    fy_from: Annotated[str | None, Query(alias="from", max_length=MAX_YEAR)] = None,
    fy_to: Annotated[str | None, Query(alias="to", max_length=MAX_YEAR)] = None,
    by: Ranking = default(answers.top, "by"),
    limit: Annotated[int, Query(ge=1)] = 20,
) -> Response:
    check_limit(request, limit)
    trend = query.programme_trend(conn, code)
    found = trend.programme
    if code != found.code:
        target = url(f"/programme/{quote(found.code, safe='')}")
        return RedirectResponse(
            target + (f"?{request.url.query}" if request.url.query else ""), 302
        )
    covered = covered_fiscal_years(conn)
    trend_table = shapes.trend(trend)
    chart = stacked_bars(
        [{**r, "series": found.code} for r in trend_table.rows],
        value="trainees",
        stack_by="series",
        years=_span(covered, set()),
        covered=set(covered),
        title=f"{found.code}: trainees per fiscal year, all recipients",
    )
    cost_chart = stacked_bars(
        [{**r, "series": found.code} for r in trend_table.rows],
        value="cost_cents",
        stack_by="series",
        years=_span(covered, set()),
        covered=set(covered),
        title=f"{found.code}: listed course costs per fiscal year, all recipients",
        unit="$",
        scale=0.01,
    )
    ranking = answers.top(conn, found.code, fy_from or None, fy_to or None, by, limit)
    return render(
        request,
        "programme.jinja",
        programme=found,
        trend=trend_table,
        chart=chart,
        cost_chart=cost_chart,
        top=ranking,
        fy_from=fy_from or "",
        fy_to=fy_to or "",
        by=by,
        limit=limit,
    )


def _row_or_404(conn: Connection, ident: str) -> TrainingRecord:
    row = training_row(conn, ident)
    if row is None:
        raise NotFound(f"no training row {ident!r}")
    return row


@router.get("/training", response_class=HTMLResponse)
def training_lookup(
    request: Request, id: Annotated[str, Query(max_length=MAX_ID)] = ""
) -> Response:
    return (
        _lookup(request, "/training/", "id", id)
        if id.strip()
        else RedirectResponse(url("/search"), 303)
    )


@router.get("/training/{ident}", response_class=HTMLResponse)
def training(
    request: Request, conn: Conn, ident: Annotated[str, PathParam(max_length=MAX_ID)], cfg: Cfg
) -> Response:
    """A training row at its stable identifier (``/training/2016-africa-p50-3``); its integer
    id, or the identifier in another case, redirects there (not for good: a later build may
    give the integer to another row)."""
    from fmtr.query.cite import cite_row

    row = _row_or_404(conn, ident)
    if ident != row.stable_id:
        return RedirectResponse(url(f"/training/{row.stable_id}"), status_code=302)
    source = _source_pdf(cfg, row.file) if row.is_pdf else None
    return render(
        request,
        "training.jinja",
        row=row,
        has_image=source is not None,
        citation=cite_row(conn, row.stable_id),
    )


def _source_pdf(cfg: Served, file: str) -> Path | None:
    if cfg.corpus is None:
        return None
    path = (cfg.corpus / file).resolve()
    # The file name comes from the database, but never serve outside the corpus anyway.
    if cfg.corpus.resolve() not in path.parents or not path.is_file():
        return None
    return path


@router.get("/training/{ident}/source.png")
async def training_source(
    conn: Conn, ident: Annotated[str, PathParam(max_length=MAX_ID)], cfg: Cfg
) -> Response:
    from fmtr.sources.render import render_row

    row = _row_or_404(conn, ident)
    if ident != row.stable_id:
        return RedirectResponse(url(f"/training/{row.stable_id}/source.png"), status_code=302)
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


# Countries a comparison shows at most (the form has as many boxes).
MAX_COMPARED = 6


@router.get("/compare", response_class=HTMLResponse)
def compare(
    request: Request,
    conn: Conn,
    country: Annotated[list[str] | None, Query(max_length=MAX_TEXT)] = None,
    programme: Annotated[str | None, Query(max_length=MAX_TEXT)] = None,
) -> HTMLResponse:
    wanted = [c for c in (country or []) if c.strip()]
    if len(wanted) > MAX_COMPARED:
        raise InputError(
            f"{len(wanted)} countries: a comparison shows {MAX_COMPARED} at most",
        )
    result = query.compare(conn, wanted, programme or None) if wanted else None
    chosen = resolve_programme(conn, programme) if programme else None
    panels: dict[str, list[Any]] = {"trainees": [], "cost": []}
    wide = None
    if result is not None:
        covered = covered_fiscal_years(conn)
        years = _span(covered, set(result.by_year))
        series = {r.code: answers.country_series(conn, r.code).rows for r in result.recipients}
        if chosen is not None:
            series = {
                k: [r for r in v if r["programme_code"] == chosen.code] for k, v in series.items()
            }
        # One scale for every panel of a measure: the panels compare at a glance.
        for name, value, words, unit, scale in (
            ("trainees", "trainees", "trainees", "", 1.0),
            ("cost", "cost_cents", "listed course costs", "$", 0.01),
        ):
            highest = max(
                (
                    getattr(f, value) * scale
                    for per in result.by_year.values()
                    for f in per.values()
                ),
                default=0,
            )
            for r in result.recipients:
                panels[name].append(
                    stacked_bars(
                        series[r.code],
                        value=value,
                        stack_by="programme_code",
                        years=years,
                        covered=set(covered),
                        title=f"{r.name}: {words}",
                        unit=unit,
                        scale=scale,
                        top=highest,
                        width=360,
                        height=200,
                    )
                )
        wide = shapes.comparison_wide(result, years, covered)
    names = [r.name for r in result.recipients] if result is not None else []
    return render(
        request,
        "compare.jinja",
        chosen=result.recipients if result is not None else [],
        programme=chosen,
        boxes=max(3, len(wanted) + 1) if len(wanted) < MAX_COMPARED else MAX_COMPARED,
        wide=wide,
        panels=panels,
        names=names,
        all_countries=answers.countries(conn).rows,
        all_programmes=answers.programmes(conn).rows,
    )
