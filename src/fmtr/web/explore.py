"""The explorer's pages for finding things: the search with its facets, student units and a
unit's page, a course's page. Each renders a document of fmtr.query.answers (the one the API
sends for the same question) and links every table to the download of all its rows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from fmtr.errors import InputError
from fmtr.query import answers
from fmtr.query.errors import EmptySearch
from fmtr.query.find import FIELDS
from fmtr.query.shapes import Table
from fmtr.web.deps import Page, connection, paging
from fmtr.web.pages import query_string, render, served_under, url

router = APIRouter(include_in_schema=False, dependencies=[Depends(served_under)])
Conn = Annotated[Connection, Depends(connection)]
Listing = Annotated[Page, Depends(paging(setting=True))]
Text = Annotated[str, Query(max_length=200)]
Short = Annotated[str, Query(max_length=200)]
Year = Annotated[str, Query(max_length=20)]

FIELD_LABELS = {
    "any": "every column",
    "course": "course title",
    "unit": "student unit",
    "school": "US school or unit",
    "location": "location",
}
assert set(FIELD_LABELS) == set(FIELDS)


def downloads(path: str, params: dict[str, Any]) -> dict[str, str]:
    """The addresses of a table's every row, per format."""
    return {
        fmt: url(f"{path}?{query_string(params, format=fmt)}")
        for fmt in ("csv", "json", "xlsx", "parquet")
    }


def _countries(conn: Connection) -> list[dict[str, Any]]:
    return answers.countries(conn).rows


def _shown(table: Table, *, country: bool = True, programme: bool = True) -> Table:
    """Training rows as a page shows them: the columns a reader scans (the recipient and the
    programme only when they vary), the trainees and the cost, and where each is printed (its
    link opens the row beside its page); every value stays in the rows, for the links."""
    columns = ["fy", *(["country_code"] if country else []),
               *(["programme_code"] if programme else []),
               "course_title", "student_unit", "us_unit", "location", "trainees", "cost_cents",
               "source"]  # fmt: skip
    rows = [
        {
            **r,
            "trainees": r["quantity_value"],
            "source": f"{r['edition']} p. {r['pdf_page']}",
        }
        for r in table.rows
    ]
    # A phone keeps when, what (its link to the row), who, how many and what it cost.
    phone = ["fy", "course_title", "student_unit", "trainees", "cost_cents"]
    return Table(columns, rows, table.total, table.limit, table.offset, table.meta, shown=phone)


# Links of a training row's cells: its page (the row beside its source) and its recipient's.
ROW_LINKS = {
    "course_title": ("/training/", "stable_id"),
    "source": ("/training/", "stable_id"),
    "country_code": ("/country/", "country_code"),
}


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    conn: Conn,
    page: Listing,
    q: Text = "",
    country: Short = "",
    programme: Short = "",
    fy_from: Annotated[str, Query(alias="from", max_length=20)] = "",
    fy_to: Annotated[str, Query(alias="to", max_length=20)] = "",
    fy: Year = "",
    field: str = "any",
    all_editions: bool = False,
    literal: bool = False,
    unit_key: Annotated[list[str] | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    if field not in FIELDS:
        raise InputError(f"no column {field!r} to search in", "any")
    start, end = (fy, fy) if fy and not (fy_from or fy_to) else (fy_from, fy_to)
    params: dict[str, Any] = {
        "q": q,
        "country": country,
        "programme": programme,
        "from": start,
        "to": end,
        "field": field if field != "any" else "",
        "all_editions": all_editions,
        "literal": literal,
        "unit_key": unit_key or None,
    }
    found = None
    units = courses = None
    if q.strip() or country or programme or start or end or unit_key:
        found = answers.search(
            conn,
            q,
            country or None,
            programme or None,
            start or None,
            end or None,
            field,  # type: ignore[arg-type]
            all_editions,
            literal,
            page.limit,
            page.offset,
            unit_keys=unit_key or None,
        )
        if found["words"] and page.offset == 0:
            # The units and courses named so, beside the rows (none for words that name none:
            # "and" alone is a search of rows, not of names).
            words = " ".join(found["words"].split())
            try:
                units = answers.units(conn, words, found["country_code"], limit=5)
                courses = answers.courses(conn, words, limit=5)
            except EmptySearch:
                units = courses = None
    export_params = {k: v for k, v in params.items() if k != "unit_key"}
    export_params["unit_key"] = unit_key or None
    return render(
        request,
        "search.jinja",
        q=q,
        params=params,
        found=found,
        rows=(
            _shown(
                found["training_rows"],
                country=not found["country_code"],
                programme=not found["programme_code"],
            )
            if found
            else None
        ),
        row_links=ROW_LINKS,
        units=units,
        courses=courses,
        countries=_countries(conn),
        fields=FIELD_LABELS,
        query_string=query_string,
        exports=downloads("/api/v1/export", export_params),
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/units", response_class=HTMLResponse)
def units(
    request: Request, conn: Conn, page: Listing, q: Text = "", country: Short = ""
) -> HTMLResponse:
    table = None
    if len(q.strip()) >= 2:
        table = answers.units(conn, q, country or None, page.limit, page.offset)
    params = {"q": q, "country": country}
    return render(
        request,
        "units.jinja",
        q=q,
        country=country,
        params=params,
        table=table,
        countries=_countries(conn),
        query_string=query_string,
        exports=downloads("/api/v1/units", {**params, "limit": None}),
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/unit/{country}/{unit}", response_class=HTMLResponse)
def unit(
    request: Request,
    conn: Conn,
    country: Annotated[str, Path(max_length=200)],
    unit: Annotated[str, Path(max_length=300)],
    page: Listing,
    all_editions: bool = False,
) -> HTMLResponse:
    profile = answers.unit_profile(conn, country, unit, page.limit, page.offset, all_editions)
    params = {
        "country": profile["country_code"],
        "unit": profile["unit"],
        "all_editions": all_editions,
    }
    return render(
        request,
        "unit.jinja",
        unit=profile,
        rows=_shown(profile["training_rows"], country=False),
        row_links=ROW_LINKS,
        params={"all_editions": all_editions},
        query_string=query_string,
        exports=downloads("/api/v1/export", params),
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/course/{course}", response_class=HTMLResponse)
def course(
    request: Request,
    conn: Conn,
    course: Annotated[str, Path(max_length=300)],
    page: Listing,
    all_editions: bool = False,
) -> HTMLResponse:
    profile = answers.course_profile(conn, course, page.limit, page.offset, all_editions)
    params = {"course": profile["course"], "all_editions": all_editions}
    return render(
        request,
        "course.jinja",
        course=profile,
        rows=_shown(profile["training_rows"]),
        row_links=ROW_LINKS,
        params={"all_editions": all_editions},
        query_string=query_string,
        exports=downloads("/api/v1/export", params),
        limit=page.limit,
        offset=page.offset,
    )
