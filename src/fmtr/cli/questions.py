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
from fmtr.query.find import Field

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


CountryOption = Annotated[
    str | None, typer.Option("--country", "-c", help="Country name or code (Pakistan, PAK).")
]
AllEditions = Annotated[
    bool,
    typer.Option(
        "--all-editions", help="Also the rows of an edition not counted for their fiscal year."
    ),
]


def unit(
    text: Annotated[str, typer.Argument(help="Student unit, any spelling (5th Bde, RAB).")],
    country: CountryOption = None,
    limit: Annotated[int, limit_option("Units")] = default(answers.units, "limit"),
    offset: Offset = 0,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Student units named like the text, each within one country (of --country only), best
    first: the name itself, names beginning with it, names holding all its words, names alike.

    Example: fmtr unit "Rapid Action Battalion" --country BGD
    """
    show(answers.units(open_db(db), text, country, all_or(limit), offset), as_json, as_csv)


def unit_profile(
    country: Country,
    name: Annotated[str, typer.Argument(help="The unit: any of its spellings, or its key.")],
    limit: Annotated[int, limit_option("Training rows")] = default(answers.unit_profile, "limit"),
    offset: Offset = 0,
    all_editions: AllEditions = False,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """One country's student unit: its spellings and figures, per fiscal year and programme,
    its courses, locations and US schools, and its training rows (--csv: the rows; every row:
    fmtr export --country C --unit-key KEY...).

    Example: fmtr unit-profile Bangladesh "Rapid Action Battalion"
    """
    found = answers.unit_profile(open_db(db), country, name, all_or(limit), offset, all_editions)
    show(found, as_json, as_csv)


def course(
    text: Text,
    limit: Annotated[int, limit_option("Courses")] = default(answers.courses, "limit"),
    offset: Offset = 0,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Courses whose titles hold every word given (abbreviations written out, related names
    too: ILE finds Command and General Staff), best first.

    Example: fmtr course "CMD & GEN STAFF"
    """
    show(answers.courses(open_db(db), text, all_or(limit), offset), as_json, as_csv)


def course_profile(
    name: Annotated[str, typer.Argument(help="The course: any of its titles, or its key.")],
    limit: Annotated[int, limit_option("Training rows")] = default(answers.course_profile, "limit"),
    offset: Offset = 0,
    all_editions: AllEditions = False,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """A course across countries and years: its titles, figures per country and per fiscal
    year, US schools, locations and training rows (--csv: the rows).

    Example: fmtr course-profile "Command and General Staff Officer Course"
    """
    found = answers.course_profile(open_db(db), name, all_or(limit), offset, all_editions)
    show(found, as_json, as_csv)


SearchField = Annotated[
    Field, typer.Option("--in", help="Look in one column only: course, unit, school, location.")
]


def search(
    text: Annotated[
        str,
        typer.Argument(
            help="Words, country and programme names, fiscal years (Pakistan IMET FY2010)."
        ),
    ] = "",
    country: CountryOption = None,
    programme: Programme = None,
    start: From = None,
    end: To = None,
    field: SearchField = default(answers.search, "field"),
    all_editions: AllEditions = default(answers.search, "all_editions"),
    literal: Annotated[
        bool,
        typer.Option("--literal", help="Every word is a word (no country or programme taken)."),
    ] = default(answers.search, "literal"),
    limit: Annotated[int, limit_option("Rows")] = default(answers.search, "limit"),
    offset: Offset = 0,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Training rows a text and filters select: how many, their trainees and cost, per
    country, programme, fiscal year, US school and location, and the rows best first with
    provenance. Country and programme names in the text are taken as filters.

    Example: fmtr search "Pakistan IMET" --from FY2003 --to FY2017
    """
    found = answers.search(
        open_db(db),
        text,
        country,
        programme,
        start,
        end,
        field,
        all_editions,
        literal,
        all_or(limit),
        offset,
    )
    show(found, as_json, as_csv)


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
    text: Annotated[
        str | None,
        typer.Option(
            "--search", help="A search's rows (read as `fmtr search` reads it: names are filters)."
        ),
    ] = None,
    field: SearchField = "any",
    literal: Annotated[
        bool, typer.Option("--literal", help="Every word of --search is a word.")
    ] = False,
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="A unit's rows (with --country): any of its spellings."),
    ] = None,
    course: Annotated[
        str | None, typer.Option("--course", help="A course's rows: any of its titles.")
    ] = None,
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
    """Every training row a search, a unit, a course or filters select, with provenance
    columns, as csv, json, parquet or xlsx, streamed (money in dollars and in cents). --out a
    folder: the file is named after what it holds (fmtr-PAK-IMET-FY2003-FY2017-training.csv).

    Example: fmtr export --format xlsx --country PAK --programme IMET -o .
    """
    from fmtr.query.export import export as write
    from fmtr.query.export import export_name

    if out is None and fmt in ("parquet", "xlsx"):
        raise fail(f"{fmt} needs --out FILE (or a folder)")
    if out is None and as_json:
        raise fail("--json describes a file written with --out (the rows: --format json)")
    if unit is not None and country is None:
        raise fail("--unit needs --country: a unit is one country's")
    engine = open_db(db)
    filters = {
        "country": country,
        "programme": programme,
        "start": start,
        "end": end,
        "text": text,
        "field": field,
        "literal": literal,
        "unit": unit,
        "course": course,
        "unit_keys": unit_key,
        "all_editions": all_editions,
    }
    if out is not None and out.is_dir():
        out = out / f"{export_name(engine, **filters)}.{fmt}"
    n = write(engine, fmt, out if out is not None else sys.stdout, raw_cells=raw_cells, **filters)
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
        unit_profile,
        course,
        course_profile,
        search,
        row,
        export,
    ):
        app.command(fn.__name__.replace("_", "-"))(fn)
