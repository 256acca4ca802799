"""The participation-history commands: ``timeline``, ``check-suspensions`` and ``events
add|list``. A rich table by default, ``--json`` on request; bad input exits with code 2 and the
reason. All the logic is in fmtr.query.history and fmtr.clean.events."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from fmtr.cli_query import Db, Json, Program, _dollars, _err, _open, _out, _run, _table

Registry = Annotated[
    Path | None,
    typer.Option(
        "--registry",
        help="Your events registry, read with the packaged one (default: $FMTR_EVENTS, else "
        "events.json in your user data folder).",
    ),
]


def _json(result: Any) -> None:
    _out.print_json(json.dumps(dataclasses.asdict(result), default=str))


def _events_or_exit(fn: Any, *args: Any) -> Any:
    from fmtr.clean.events import EventError

    try:
        return fn(*args)
    except EventError as exc:
        _err.print("fmtr: the events registry refuses this:", highlight=False, markup=False)
        for reason in exc.reasons:
            _err.print(f"  - {reason}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _runs(runs: list[tuple[int, int]]) -> str:
    return ", ".join(f"FY{a}" if a == b else f"FY{a}-FY{b}" for a, b in runs) or "-"


def timeline(
    country: Annotated[str, typer.Argument(help="Country name, code or spelling.")],
    program: Program = None,
    registry: Registry = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Per fiscal year FY1999-FY2020: trainees and cost, what the reports show, the registry's
    events and the detected gaps."""
    from fmtr.query.history import timeline as ask

    t = _events_or_exit(_run, ask, _open(db), country, program, registry)
    if as_json:
        return _json(t)
    what = t.programme.code if t.programme else "all programmes"
    rows = [
        [
            f"FY{y.fy}",
            "" if y.figures is None else f"{y.figures.trainees:,}",
            "" if y.figures is None else _dollars(y.figures.cost_cents),
            "" if y.figures is None else f"{y.figures.rows:,}",
            y.status + (f" ({y.gap})" if y.gap else ""),
            "; ".join(f"{m.event_id}: {', '.join(m.roles)}" for m in y.events),
        ]
        for y in t.years
    ]
    title = f"{t.recipient.name} ({t.recipient.code}), {what}, FY{t.first_fy}-FY{t.last_fy}"
    _out.print(_table(title, ["FY", "trainees", "cost", "rows", "reports", "events"], rows))
    g = t.gaps
    _out.print(
        f"detected gaps: {_runs(g.gaps)}; none reported before the first training: "
        f"{_runs(g.before)}; after the last: {_runs(g.after)}; not covered by any loaded "
        f"edition: {_runs(g.not_covered)}",
        highlight=False,
        markup=False,
    )
    for e in t.events:
        end = f" until {e.until}" if e.until else ""
        said = f", announced {e.announced}" if e.announced else ""
        _out.print(
            f"\n{e.id}: {e.kind} {', '.join(e.programmes)} from {e.effective} "
            f"({e.effective.precision}){end}{said}. {e.authority}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        for s in e.sources:
            _out.print(
                f"  source: {s.citation()}\n  \u201c{s.sentence}\u201d",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )


def check_suspensions(
    country: Annotated[str | None, typer.Option("--country", "-c", help="Country.")] = None,
    program: Program = None,
    registry: Registry = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Every training row whose dates meet a suspension of its programme for its country, with
    provenance: a course may have begun before the suspension, or a date be known to the year."""
    from fmtr.query.history import suspension_trainings as ask

    r = _events_or_exit(_run, ask, _open(db), country, program, registry)
    if as_json:
        return _json(r)
    for s in r.suspensions:
        n = sum(1 for x in r.rows if x.suspension == s.event_id)
        end = f"{s.certain_last}..{s.possible_last}" if s.possible_last else "open"
        _out.print(
            f"{s.event_id}: {', '.join(s.programmes)}, from {s.possible_first}..{s.certain_first}"
            f" to {end}" + (f" (ended by {s.ended_by})" if s.ended_by else "") + f": {n} rows",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    rows = [
        [
            x.suspension,
            x.training.fy,
            x.training.programme_code,
            x.training.course_title,
            x.training.start_on,
            x.training.end_on,
            ", ".join(
                m
                for m, on in (
                    ("surely inside" if x.surely_inside else "possibly inside", True),
                    ("began before", x.began_before),
                    ("ran past the end", x.ran_past_end),
                    ("undated", x.undated),
                )
                if on
            ),
            f"{x.training.provenance.edition} {x.training.provenance.file} "
            f"p{x.training.provenance.pdf_page}",
        ]
        for x in r.rows
    ]
    cols = ["suspension", "FY", "prog", "course", "start", "end", "marks", "source"]
    _out.print(_table(f"{len(r.rows)} training rows meet a suspension", cols, rows))


events_app = typer.Typer(help="The registry of participation events (suspensions, resumptions).")


@events_app.command("add")
def events_add(
    file: Annotated[Path, typer.Argument(help="JSON file: one event, or a list of events.")],
    registry: Registry = None,
) -> None:
    """Validate new events and append them to your registry (never the installed package's); a
    malformed one is refused (exit 2) with the reason, and nothing is written."""
    from fmtr.clean.events import EventError, append_events, read_entries

    if not file.is_file():
        _err.print(f"fmtr: no such file: {file}", highlight=False, markup=False)
        raise typer.Exit(2)
    try:
        added, written = append_events(read_entries(file), registry)
    except EventError as exc:
        _err.print("fmtr: the events registry refuses this:", highlight=False, markup=False)
        for reason in exc.reasons:
            _err.print(f"  - {reason}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    for e in added:
        _out.print(f"added {e.id} to {written}", highlight=False, markup=False, soft_wrap=True)


@events_app.command("list")
def events_list(
    country: Annotated[str | None, typer.Option("--country", "-c", help="Country.")] = None,
    registry: Registry = None,
    as_json: Json = False,
) -> None:
    """The registry's events, by country and date."""
    from fmtr.clean.countries import country_code
    from fmtr.clean.events import load_events

    events = _events_or_exit(load_events, registry)
    if country is not None:
        found = country_code(country)
        if found is None:
            _err.print(f"fmtr: unknown country {country!r}", highlight=False, markup=False)
            raise typer.Exit(2)
        events = [e for e in events if e.country_code == found.code]
    events.sort(key=lambda e: (e.country, e.effective.first_day, e.id))
    if as_json:
        _out.print_json(json.dumps([dataclasses.asdict(e) for e in events], default=str))
        return
    _out.print(f"{len(events)} events", highlight=False, markup=False)
    for e in events:
        end = f" until {e.until} ({e.until.precision})" if e.until else ""
        said = f", announced {e.announced}" if e.announced else ""
        _out.print(
            f"{e.id}: {e.country} ({e.country_code}), {', '.join(e.programmes)}, {e.kind} from "
            f"{e.effective} ({e.effective.precision}){end}{said}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        for src in e.sources:
            _out.print(f"  source: {src.citation()}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add the participation-history commands to fmtr's Typer app."""
    app.command("timeline")(timeline)
    app.command("check-suspensions")(check_suspensions)
    app.add_typer(events_app, name="events")
