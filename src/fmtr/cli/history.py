"""The participation-history commands: `fmtr timeline`, `fmtr check-suspensions` and
`fmtr events add|list`. A table by default, ``--json`` or ``--csv`` on request (the documents of
fmtr.query.answers); a bad entry or name exits with code 2 and the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fmtr.cli.common import (
    Country,
    Csv,
    Db,
    Json,
    Programme,
    Registry,
    open_db,
    out,
    print_json,
    show,
)
from fmtr.errors import NotFound
from fmtr.query import answers


def timeline(
    country: Country,
    programme: Programme = None,
    registry: Registry = None,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Per fiscal year FY1999-FY2020: trainees and cost, what the reports show, the registry's
    events and the detected gaps; then the events with their sources.

    Example: fmtr timeline Pakistan --programme IMET
    """
    show(answers.timeline(open_db(db), country, programme, registry), as_json, as_csv)


def check_suspensions(
    country: Annotated[str | None, typer.Option("--country", "-c", help="Country.")] = None,
    programme: Programme = None,
    registry: Registry = None,
    db: Db = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Every training row whose dates meet a suspension of its programme for its country, with
    provenance and marks: a course may have begun before the suspension, or a date be known to
    the year only.

    Example: fmtr check-suspensions --country Pakistan
    """
    show(answers.suspensions(open_db(db), country, programme, registry), as_json, as_csv)


events_app = typer.Typer(
    help="The registry of participation events (suspensions, resumptions).",
    no_args_is_help=True,
)


@events_app.command("add")
def events_add(
    file: Annotated[Path, typer.Argument(help="JSON file: one event, or a list of events.")],
    registry: Registry = None,
    as_json: Json = False,
) -> None:
    """Validate new events and append them to your registry (never the installed package's); a
    malformed one is refused (exit 2) with the reasons, and nothing is written.

    Example: fmtr events add new-events.json
    """
    from fmtr.clean.events import append_events, read_entries

    if not file.is_file():
        raise NotFound(f"no such file: {file}")
    added, written = append_events(read_entries(file), registry)
    if as_json:
        print_json({"added": [e.id for e in added], "registry": str(written)})
        return
    for e in added:
        out.print(f"added {e.id} to {written}", markup=False, soft_wrap=True)


@events_app.command("list")
def events_list(
    country: Annotated[str | None, typer.Option("--country", "-c", help="Country.")] = None,
    registry: Registry = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """The registry's events, by country and date, with their sources.

    Example: fmtr events list --country Pakistan
    """
    show(answers.events(country, registry), as_json, as_csv)


def register(app: typer.Typer) -> None:
    """Add the participation-history commands to fmtr's Typer app."""
    app.command("timeline")(timeline)
    app.command("check-suspensions")(check_suspensions)
    app.add_typer(events_app, name="events")
