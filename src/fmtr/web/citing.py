"""The explorer's pages for citing: a figure's page (a recipient's trainees and cost in one
fiscal year, one programme or all, with the report pages it sums and its citation), and the
"How to cite" page (what the identifiers promise, docs/citing.md in short, the licence).

Citations are fmtr.query.cite's, the same the API's /api/v1/cite and `fmtr cite` give.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from fmtr.query.cite import cite_figure
from fmtr.query.resolve import resolve_country
from fmtr.web.deps import connection
from fmtr.web.error_page import MAX_ID, MAX_TEXT, MAX_YEAR
from fmtr.web.pages import render, served_under, url

router = APIRouter(include_in_schema=False, dependencies=[Depends(served_under)])
Conn = Annotated[Connection, Depends(connection)]


@router.get("/figure/{country}/{programme}/{fy}", response_class=HTMLResponse)
def figure(
    request: Request,
    conn: Conn,
    country: Annotated[str, PathParam(max_length=MAX_TEXT)],
    programme: Annotated[str, PathParam(max_length=MAX_TEXT)],
    fy: Annotated[str, PathParam(max_length=MAX_YEAR)],
) -> Response:
    """``/figure/PAK/IMET/FY2010`` (``all`` for every programme): the figure, where it is
    printed, and its citation; any other spelling of it redirects to that address."""
    wanted = None if programme.strip().lower() == "all" else programme
    citation = cite_figure(conn, country, fy, wanted)
    canonical = "/figure/" + "/".join(quote(p, safe="") for p in citation.identifier.split("/"))
    if request.url.path.removeprefix(str(request.scope.get("root_path") or "")) != canonical:
        return RedirectResponse(url(canonical), status_code=302)
    code, prog, year = citation.identifier.split("/")
    recipient = resolve_country(conn, code)
    return render(
        request,
        "figure.jinja",
        citation=citation,
        country=recipient,
        programme=prog,
        fy=int(year[2:]),
    )


@router.get("/cite", response_class=HTMLResponse)
def how_to_cite(request: Request, id: Annotated[str, Query(max_length=MAX_ID)] = "") -> Response:
    """What the identifiers promise and how to cite; ``id``: go to that row's or figure's
    page (a row's identifier, or COUNTRY/PROGRAMME/FY)."""
    ident = id.strip()
    if ident:
        parts = [p.strip() for p in ident.split("/")]
        if len(parts) == 3 and all(parts):
            path = "/figure/" + "/".join(quote(p, safe="") for p in parts)
        else:
            path = "/training/" + quote(ident, safe="")
        return RedirectResponse(url(path), status_code=303)
    return render(request, "cite.jinja")
