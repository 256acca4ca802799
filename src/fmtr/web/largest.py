"""The "largest recipient" page: a programme's recipients over a span under every measure at
once (obligations in current and constant dollars from the Greenbook, course costs and trainees
the reports list), where the measures disagree and why; the document of
fmtr.query.answers.largest, the same the API's /api/v1/largest and `fmtr largest` give."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from fmtr.query import answers
from fmtr.query.answers import default
from fmtr.web.deps import connection
from fmtr.web.error_page import MAX_TEXT, MAX_YEAR
from fmtr.web.pages import render, served_under

router = APIRouter(include_in_schema=False, dependencies=[Depends(served_under)])
Conn = Annotated[Connection, Depends(connection)]


@router.get("/largest", response_class=HTMLResponse)
def largest(
    request: Request,
    conn: Conn,
    programme: Annotated[str, Query(max_length=MAX_TEXT)] = default(answers.largest, "programme"),
    fy_from: Annotated[str | None, Query(alias="from", max_length=MAX_YEAR)] = None,
    fy_to: Annotated[str | None, Query(alias="to", max_length=MAX_YEAR)] = None,
) -> HTMLResponse:
    document = answers.largest(
        conn, programme.strip() or default(answers.largest, "programme"), fy_from or None,
        fy_to or None,
    )  # fmt: skip
    return render(
        request,
        "largest.jinja",
        doc=document,
        programme=programme,
        fy_from=fy_from or "",
        fy_to=fy_to or "",
        programmes=answers.programmes(conn).rows,
    )
