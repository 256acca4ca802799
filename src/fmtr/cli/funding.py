"""The money commands: `fmtr funding series|top|courses|timeline|accounts` and `fmtr largest`.
Each asks one question of fmtr.query.answers and prints its document as a table, as JSON
(``--json``, the document /api/v1/funding/... gives) or as CSV (``--csv``); defaults are the
library's, bad input exits with code 2 and a suggestion (fmtr.cli.app)."""

from __future__ import annotations

from typing import Annotated

import typer

from fmtr.cli.common import (
    Country,
    Csv,
    Db,
    From,
    Json,
    Offset,
    Programme,
    Registry,
    To,
    all_or,
    limit_option,
    open_db,
    show,
)
from fmtr.query import answers
from fmtr.query.answers import default

ACCOUNT_HELP = "A programme code (IMET, FMF, PKO...: its accounts) or a Greenbook account name."
Account = Annotated[str | None, typer.Option("--account", "-a", help=ACCOUNT_HELP)]
Constant = Annotated[
    bool, typer.Option("--constant", help="Constant 2020 dollars (default: current dollars).")
]

funding_app = typer.Typer(
    help="Money beside training: the Greenbook's obligations (US Overseas Loans and Grants).",
    no_args_is_help=True,
)


@funding_app.command("series")
def series(
    country: Country,
    account: Account = None,
    start: From = None,
    end: To = None,
    constant: Constant = default(answers.funding_series, "constant"),
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """A recipient's obligations per fiscal year (the transition quarter TQ1976 a period of its
    own), then per period and account, in current and constant 2020 dollars.

    Example: fmtr funding series PAK --account IMET --constant
    """
    found = answers.funding_series(open_db(db), country, account, start, end, constant)
    show(found, as_json, as_csv)


@funding_app.command("top")
def top(
    account: Annotated[str, typer.Option("--account", "-a", help=ACCOUNT_HELP)],
    start: From = None,
    end: To = None,
    constant: Constant = default(answers.funding_top, "constant"),
    limit: Annotated[int, limit_option("Recipients")] = default(answers.funding_top, "limit"),
    offset: Offset = 0,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Recipients of an account (or of a programme's accounts) ranked by obligations over a
    span of fiscal years.

    Example: fmtr funding top --account IMET --from FY2003 --to FY2017 --constant
    """
    found = answers.funding_top(open_db(db), account, start, end, constant, all_or(limit), offset)
    show(found, as_json, as_csv)


@funding_app.command("courses")
def courses(
    country: Country,
    programme: Programme = default(answers.funding_courses, "programme"),
    start: From = None,
    end: To = None,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Per fiscal year: obligated (Greenbook) beside the course costs and trainees the reports
    list, the cost and the obligation per trainee, and the share of the obligation listed as
    courses (the span: the years both sources cover, unless told).

    Example: fmtr funding courses Pakistan --from FY2012 --to FY2020
    """
    found = answers.funding_courses(
        open_db(db), country, programme or default(answers.funding_courses, "programme"),
        start, end,
    )  # fmt: skip
    show(found, as_json, as_csv)


@funding_app.command("timeline")
def timeline(
    country: Country,
    programme: Programme = default(answers.funding_timeline, "programme"),
    registry: Registry = None,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Per fiscal year from the first year with data to FY2020: obligations and training side
    by side, the gaps detected in each, and the registry's events (`fmtr timeline`, for one
    programme: IMET unless told).

    Example: fmtr funding timeline Pakistan
    """
    found = answers.funding_timeline(
        open_db(db), country, programme or default(answers.funding_timeline, "programme"),
        registry,
    )  # fmt: skip
    show(found, as_json, as_csv)


@funding_app.command("accounts")
def accounts(db: Db = None, as_json: Json = False, as_csv: Csv = False) -> None:
    """The Greenbook's accounts: the programme each is (where it is one), the programmes whose
    courses it pays for, and why.

    Example: fmtr funding accounts --csv
    """
    show(answers.funding_accounts(open_db(db)), as_json, as_csv)


def largest(
    programme: Programme = default(answers.largest, "programme"),
    start: From = None,
    end: To = None,
    limit: Annotated[int, limit_option("Countries per measure")] = default(
        answers.largest, "limit"
    ),
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """The largest recipient of a programme under every measure at once: obligations (current
    and constant 2020 dollars), course costs and trainees the reports list; where they disagree
    and why (the span: the years both sources cover, unless told).

    Example: fmtr largest --programme IMET --from FY2003 --to FY2017
    """
    found = answers.largest(
        open_db(db), programme or default(answers.largest, "programme"), start, end,
        all_or(limit),
    )  # fmt: skip
    show(found, as_json, as_csv)


def register(app: typer.Typer) -> None:
    """Add the money commands to fmtr's Typer app."""
    app.add_typer(funding_app, name="funding")
    app.command("largest")(largest)
