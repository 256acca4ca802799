"""The question commands (top, country, series, unit, course, search, gaps, export): a rich
table by default, ``--json`` on request; bad input exits with code 2 and a suggestion. All the
logic is in fmtr.query."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from sqlalchemy import Engine

_out = Console()
_err = Console(stderr=True)

Db = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite path (default: $FMTR_DB, data/fmtr.sqlite)."),
]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
Program = Annotated[str | None, typer.Option("--program", "-p", help="Programme code or name.")]
From = Annotated[str | None, typer.Option("--from", help="First fiscal year (FY2003, 2003, FY03).")]
To = Annotated[str | None, typer.Option("--to", help="Last fiscal year.")]


def _dollars(cents: int | None) -> str:
    return "" if cents is None else f"${cents / 100:,.0f}"


def _open(db: str | None) -> Engine:
    from fmtr.store.db import open_database
    from fmtr.store.search import ensure_search_index

    engine = open_database(db)
    ensure_search_index(engine)  # a database built before the index existed gets it here
    return engine


def _run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    from fmtr.query.errors import QueryInputError

    try:
        return fn(*args, **kwargs)
    except QueryInputError as exc:
        _err.print(f"fmtr: {exc}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _json(result: Any) -> None:
    _out.print_json(json.dumps(dataclasses.asdict(result), default=str))


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    return table


def top(
    program: Program = None,
    start: From = None,
    end: To = None,
    by: Annotated[str, typer.Option("--by", help="cost or trainees.")] = "cost",
    limit: Annotated[int, typer.Option("--limit", help="Recipients to show (0: all).")] = 10,
    years: Annotated[bool, typer.Option("--years", help="A column per fiscal year.")] = False,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Recipients ranked by cost or trainees over a span of fiscal years."""
    from fmtr.query import top as ask

    if by not in ("cost", "trainees"):
        _err.print(f"fmtr: --by must be cost or trainees, not {by!r}")
        raise typer.Exit(2)
    r = _run(ask, _open(db), program, start, end, by, limit or None)
    if as_json:
        return _json(r)
    fys = list(r.year_totals) if years else []
    what = r.programme.code if r.programme else "all programmes"
    rows = [
        [x.rank, x.name, x.code, f"{x.figures.trainees:,}", _dollars(x.figures.cost_cents)]
        + [_dollars(x.by_year[y].cost_cents) if y in x.by_year else "" for y in fys]
        for x in r.recipients
    ]
    title = (
        f"{what}, FY{r.first_fy}-FY{r.last_fy}, by {r.by}: top {len(r.recipients)} of "
        f"{r.recipients_total} recipients"
    )
    cols = ["#", "recipient", "code", "trainees", "cost"] + [f"FY{y}" for y in fys]
    _out.print(_table(title, cols, rows))


def country(
    name: Annotated[str, typer.Argument(help="Country name, code or spelling.")],
    limit: Annotated[int, typer.Option("--limit", help="Top courses/units to show.")] = 10,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """A recipient's profile: figures per fiscal year and programme, courses, US schools,
    locations and student units."""
    from fmtr.query import country_profile

    p = _run(country_profile, _open(db), name, limit)
    if as_json:
        return _json(p)
    rc = p.recipient
    if not p.by_year:
        _out.print(f"{rc.name} ({rc.code}): no training reported in the editions loaded")
        return
    _out.print(
        f"{rc.name} ({rc.code}): {p.total.trainees:,} trainees, {_dollars(p.total.cost_cents)}, "
        f"{p.total.rows:,} training rows (counted editions)"
    )
    _out.print(
        _table(
            "by fiscal year",
            ["FY", "trainees", "cost", "programmes"],
            [
                [
                    y,
                    f"{f.trainees:,}",
                    _dollars(f.cost_cents),
                    ", ".join(b.programme for b in p.by_year if b.fy == y),
                ]
                for y, f in p.year_totals.items()
            ],
        )
    )
    _out.print(
        _table(
            "programmes",
            ["code", "first", "last", "years", "trainees", "cost"],
            [
                [
                    s.code,
                    s.first_fy,
                    s.last_fy,
                    s.years,
                    f"{s.figures.trainees:,}",
                    _dollars(s.figures.cost_cents),
                ]
                for s in p.programmes
            ],
        )
    )
    for title, items in (
        ("top courses", p.top_courses),
        ("top US schools/units", p.top_us_units),
        ("top locations", p.top_locations),
        ("student units", p.top_student_units),
    ):
        _out.print(
            _table(
                title,
                ["name", "rows", "trainees", "cost", "years"],
                [
                    [
                        n.name,
                        n.figures.rows,
                        n.figures.trainees,
                        _dollars(n.figures.cost_cents),
                        f"{n.first_fy}-{n.last_fy}",
                    ]
                    for n in items
                ],
            )
        )


def series(
    country: Annotated[str, typer.Option("--country", "-c", help="Country name or code.")],
    program: Program = None,
    start: From = None,
    end: To = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """One recipient's figures per fiscal year; "none reported" (0) vs "not covered"."""
    from fmtr.query import series as ask

    s = _run(ask, _open(db), country, program, start, end)
    if as_json:
        return _json(s)
    what = s.programme.code if s.programme else "all programmes"
    rows = [
        [
            f"FY{p.fy}",
            "" if p.figures is None else f"{p.figures.trainees:,}",
            "" if p.figures is None else _dollars(p.figures.cost_cents),
            p.status,
            ", ".join(p.editions),
        ]
        for p in s.points
    ]
    title = f"{s.recipient.name} ({s.recipient.code}), {what}"
    _out.print(_table(title, ["FY", "trainees", "cost", "status", "edition"], rows))


def _hit_rows(hits: list[Any]) -> list[list[Any]]:
    return [
        [
            h.fy,
            h.country_code,
            h.course_title,
            h.student_unit,
            h.location,
            h.quantity,
            _dollars(h.cost_cents),
            f"{h.provenance.file} p{h.provenance.pdf_page}",
        ]
        for h in hits
    ]


_HIT_COLUMNS = ["FY", "ctry", "course", "student unit", "location", "qty", "cost", "source"]


def unit(
    name: Annotated[str, typer.Argument(help="Student unit, any spelling.")],
    rows: Annotated[bool, typer.Option("--rows", help="List every training row.")] = False,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Every training a student unit received, spelling variants grouped, with provenance."""
    from fmtr.query import unit as ask

    r = _run(ask, _open(db), name)
    if as_json:
        return _json(r)
    if not r.groups:
        _out.print(f"no student unit named like {name!r} in any edition")
        return
    for g in r.groups:
        _out.print(
            _table(
                f"{g.name}: {len(g.trainings)} rows, {g.figures.trainees:,} trainees, "
                f"{_dollars(g.figures.cost_cents)}, {', '.join(g.countries)}, FY "
                f"{', '.join(map(str, g.fiscal_years))}",
                ["variant", "rows"],
                [[v, n] for v, n in g.variants.items()],
            )
        )
        courses = list(g.courses.items())
        _out.print(
            "  courses: "
            + "; ".join(f"{c} ({n})" for c, n in courses[:8])
            + (f"; ... {len(courses) - 8} more" if len(courses) > 8 else ""),
            highlight=False,
            markup=False,
        )
        sources = sorted({(h.provenance.file, h.provenance.pdf_page) for h in g.trainings})
        _out.print(
            "  sources: "
            + ", ".join(f"{f} p{p}" for f, p in sources[:8])
            + (f", ... {len(sources) - 8} more" if len(sources) > 8 else ""),
            highlight=False,
            markup=False,
        )
        if rows:
            _out.print(_table("", _HIT_COLUMNS, _hit_rows(g.trainings)))
    if r.truncated:
        _out.print("more units matched: narrow the name")


def course(
    text: Annotated[str, typer.Argument(help="Words of the course title.")],
    limit: Annotated[int, typer.Option("--limit")] = 20,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Courses whose title holds every word given (full-text), most trained first."""
    from fmtr.query import course as ask

    r = _run(ask, _open(db), text, limit)
    if as_json:
        return _json(r)
    title = f"{r.courses_total} courses, {r.rows:,} rows match {text!r}"
    rows = [
        [
            c.title,
            c.figures.rows,
            c.figures.trainees,
            _dollars(c.figures.cost_cents),
            c.countries,
            f"{c.first_fy}-{c.last_fy}",
            f"{c.example.file} p{c.example.pdf_page}",
        ]
        for c in r.courses
    ]
    cols = ["course", "rows", "trainees", "cost", "countries", "FY", "first printed"]
    _out.print(_table(title, cols, rows))


def search(
    text: Annotated[str, typer.Argument(help="Words to find in course, unit or location.")],
    limit: Annotated[int, typer.Option("--limit")] = 50,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Full-text search over course, student unit, US unit and location."""
    from fmtr.query import search as ask

    r = _run(ask, _open(db), text, limit)
    if as_json:
        return _json(r)
    title = f"{r.total:,} rows match {text!r} (showing {len(r.hits)})"
    _out.print(_table(title, _HIT_COLUMNS, _hit_rows(r.hits)))


def gaps(
    program: Program = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Recipients whose training stops for one or more fiscal years and resumes."""
    from fmtr.query import gaps as ask

    r = _run(ask, _open(db), program)
    if as_json:
        return _json(r)
    what = r.programme.code if r.programme else "any programme"
    rows = [
        [
            g.name,
            g.code,
            f"FY{g.years[0]}-FY{g.years[-1]}",
            ", ".join(f"FY{a}" if a == b else f"FY{a}-FY{b}" for a, b in g.missing),
        ]
        for g in r.gaps
    ]
    title = f"{len(r.gaps)} recipients with gaps in {what}"
    _out.print(_table(title, ["recipient", "code", "span", "no training in"], rows))


def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, json, parquet or xlsx.")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default: stdout).")] = None,
    country: Annotated[str | None, typer.Option("--country", "-c")] = None,
    program: Program = None,
    start: From = None,
    end: To = None,
    text: Annotated[str | None, typer.Option("--search", help="Full-text filter.")] = None,
    all_editions: Annotated[
        bool, typer.Option("--all-editions", help="Also the non-counted FY2000/FY2001 rows.")
    ] = False,
    raw_cells: Annotated[
        bool,
        typer.Option(
            "--raw-cells",
            help="CSV and XLSX cells exactly as stored, also those a spreadsheet would evaluate "
            "as a formula (by default such a cell, e.g. '-National Academy...', gets a leading "
            "single quote in CSV and Excel's quote prefix in XLSX).",
        ),
    ] = False,
    db: Db = None,
) -> None:
    """Any selection of training rows with provenance columns (csv, json, parquet, xlsx)."""
    from fmtr.query.export import FORMATS
    from fmtr.query.export import export as write

    if fmt not in FORMATS:
        _err.print(f"fmtr: --format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        raise typer.Exit(2)
    if out is None and fmt in ("parquet", "xlsx"):
        _err.print(f"fmtr: {fmt} needs --out FILE")
        raise typer.Exit(2)
    n = _run(
        write,
        _open(db),
        fmt,
        out if out is not None else sys.stdout,
        country=country,
        programme=program,
        start=start,
        end=end,
        text=text,
        all_editions=all_editions,
        raw_cells=raw_cells,
    )
    if out is not None:
        _err.print(f"{n:,} rows written to {out}")


def register(app: typer.Typer) -> None:
    """Add the question commands to fmtr's Typer app."""
    for fn in (top, country, series, unit, course, search, gaps, export):
        app.command(fn.__name__)(fn)
