"""The question commands: each asks one question of fmtr.query.answers and prints its document
as a table, as JSON (``--json``, the document /api/v1 gives for the same question) or as CSV
(``--csv``). Defaults are the library's (``default``); bad input exits with code 2 and a
suggestion (fmtr.cli.app)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from fmtr.cli.common import (
    Country,
    Csv,
    Db,
    From,
    Json,
    Offset,
    Programme,
    To,
    all_or,
    fail,
    limit_option,
    open_db,
    print_json,
    show,
)
from fmtr.query import answers
from fmtr.query.answers import NameList, default
from fmtr.query.export import FORMATS
from fmtr.query.figures import Ranking

Text = Annotated[str, typer.Argument(help="Words to look for (every one must be there).")]
ExportFormat = Literal["csv", "json", "parquet", "xlsx"]
assert set(FORMATS) == {"csv", "json", "parquet", "xlsx"}


def summary(db: Db = None, as_json: Json = False, as_csv: Csv = False) -> None:
    """Headline figures: trainees, cost and rows of every counted training row.

    Example: fmtr summary
    """
    show(answers.summary(open_db(db)), as_json, as_csv)


def editions(db: Db = None, as_json: Json = False, as_csv: Csv = False) -> None:
    """The editions loaded, with their documents and training rows.

    Example: fmtr editions --csv
    """
    show(answers.editions(open_db(db)), as_json, as_csv)


def countries(
    limit: Annotated[int, limit_option("Recipients")] = 0,
    offset: Offset = 0,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Every recipient with counted training, by name, with its totals.

    Example: fmtr countries --csv > countries.csv
    """
    show(answers.countries(open_db(db), all_or(limit), offset), as_json, as_csv)


def country(
    name: Country,
    limit: Annotated[int, limit_option("Courses, schools, locations and units each")] = default(
        answers.country, "limit"
    ),
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """A recipient's profile: figures per fiscal year and programme, its programmes, courses,
    US schools, locations, student units and the files it is printed in (--csv: the figures
    per fiscal year and programme).

    Example: fmtr country Pakistan
    """
    show(answers.country(open_db(db), name, all_or(limit)), as_json, as_csv)


def names(
    name: Country,
    what: Annotated[NameList, typer.Argument(help="Which list.")],
    limit: Annotated[int, limit_option("Names")] = default(answers.country_names, "limit"),
    offset: Offset = 0,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """One page of a recipient's courses, US schools, locations or student units, most frequent
    first.

    Example: fmtr names Pakistan courses --limit 20
    """
    show(answers.country_names(open_db(db), name, what, all_or(limit), offset), as_json, as_csv)


def programmes(db: Db = None, as_json: Json = False, as_csv: Csv = False) -> None:
    """Every programme with counted training, most trainees first.

    Example: fmtr programmes
    """
    show(answers.programmes(open_db(db)), as_json, as_csv)


def trend(
    programme: Annotated[str, typer.Argument(help="Programme code or name (IMET).")],
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """A programme's trainees, cost and recipients per fiscal year.

    Example: fmtr trend IMET
    """
    show(answers.trend(open_db(db), programme), as_json, as_csv)


def top(
    programme: Programme = None,
    start: From = None,
    end: To = None,
    by: Annotated[Ranking, typer.Option("--by", help="What to rank by.")] = default(
        answers.top, "by"
    ),
    limit: Annotated[int, limit_option("Recipients")] = default(answers.top, "limit"),
    offset: Offset = 0,
    years: Annotated[bool, typer.Option("--years", help="A column per fiscal year.")] = False,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Recipients ranked by cost or trainees over a span of fiscal years.

    Example: fmtr top --programme IMET --from FY2003 --to FY2017 --limit 5
    """
    found = answers.top(open_db(db), programme, start, end, by, all_or(limit), offset, years)
    show(found, as_json, as_csv)


def series(
    country: Annotated[str, typer.Option("--country", "-c", help="Country name or code.")],
    programme: Programme = None,
    start: From = None,
    end: To = None,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """One recipient's figures for every fiscal year: reported, "none reported" (0) or "not
    covered" (no edition loaded reports the year).

    Example: fmtr series --country PAK --programme IMET
    """
    show(answers.series(open_db(db), country, programme, start, end), as_json, as_csv)


def compare(
    countries: Annotated[list[str], typer.Argument(help="Two or more countries.")],
    programme: Programme = None,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Several recipients' figures per fiscal year, side by side (in one programme, or all).

    Example: fmtr compare Pakistan India Bangladesh --programme IMET
    """
    show(answers.compare(open_db(db), countries, programme), as_json, as_csv)


def gaps(
    programme: Programme = None, db: Db = None, as_json: Json = False, as_csv: Csv = False
) -> None:
    """Recipients whose training stops for one or more covered fiscal years and resumes.

    Example: fmtr gaps --programme IMET
    """
    show(answers.gaps(open_db(db), programme), as_json, as_csv)


def unit(
    text: Annotated[str, typer.Argument(help="Student unit, any spelling.")],
    limit: Annotated[int, limit_option("Units")] = 0,
    offset: Offset = 0,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Student units named like the text, spelling variants grouped, with their figures (their
    rows: fmtr export --unit-key KEY).

    Example: fmtr unit "Fighter Conversion Unit"
    """
    show(answers.units(open_db(db), text, all_or(limit), offset), as_json, as_csv)


def course(
    text: Text,
    limit: Annotated[int, limit_option("Courses")] = default(answers.course, "limit"),
    offset: Offset = 0,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Courses whose title holds every word given (full-text), most trained first.

    Example: fmtr course "Command and General Staff"
    """
    show(answers.course(open_db(db), text, all_or(limit), offset), as_json, as_csv)


def search(
    text: Text,
    limit: Annotated[int, limit_option("Rows")] = default(answers.search, "limit"),
    offset: Offset = 0,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Training rows whose course, student unit, US unit or location holds every word given,
    best matches first, with provenance.

    Example: fmtr search "Fort Benning"
    """
    show(answers.search(open_db(db), text, all_or(limit), offset), as_json, as_csv)


def row(
    training_id: Annotated[
        str,
        typer.Argument(help="A training row's identifier (2016-africa-p50-3) or integer id."),
    ],
    db: Db = None,
    as_json: Json = False,
) -> None:
    """One training row with every field: verbatim cells, cleaned values, its block, and where
    it is printed (edition, file, page, official link).

    Example: fmtr row 2016-africa-p50-3
    """
    show(answers.row(open_db(db), training_id), as_json)


def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="The file format.")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default: stdout).")] = None,
    country: Annotated[str | None, typer.Option("--country", "-c", help="Country.")] = None,
    programme: Programme = None,
    start: From = None,
    end: To = None,
    text: Annotated[str | None, typer.Option("--search", help="Full-text filter.")] = None,
    unit_key: Annotated[
        list[str] | None, typer.Option("--unit-key", help="Rows of these student unit keys.")
    ] = None,
    all_editions: Annotated[
        bool, typer.Option("--all-editions", help="Also the non-counted FY2000/FY2001 rows.")
    ] = default(answers.training, "all_editions"),
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
    as_json: Annotated[
        bool, typer.Option("--json", help="Say what was written as JSON (with --out).")
    ] = False,
) -> None:
    """Any selection of training rows with provenance columns, as csv, json, parquet or xlsx.

    Example: fmtr export --format xlsx --country PAK --programme IMET -o pak-imet.xlsx
    """
    from fmtr.query.export import export as write

    if out is None and fmt in ("parquet", "xlsx"):
        raise fail(f"{fmt} needs --out FILE")
    if out is None and as_json:
        raise fail("--json describes a file written with --out (the rows: --format json)")
    engine = open_db(db)
    n = write(
        engine,
        fmt,
        out if out is not None else sys.stdout,
        country=country,
        programme=programme,
        start=start,
        end=end,
        text=text,
        unit_keys=unit_key,
        all_editions=all_editions,
        raw_cells=raw_cells,
    )
    if out is not None:
        if as_json:
            print_json({"rows": n, "format": fmt, "out": str(out)})
        else:
            typer.echo(f"{n:,} rows written to {out}", err=True)


def register(app: typer.Typer) -> None:
    """Add the question commands to fmtr's Typer app."""
    for fn in (
        summary,
        editions,
        countries,
        country,
        names,
        programmes,
        trend,
        top,
        series,
        compare,
        gaps,
        unit,
        course,
        search,
        row,
        export,
    ):
        app.command(fn.__name__)(fn)
