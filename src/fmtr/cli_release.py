"""The commands for citing and publishing: ``cite``, ``diff`` and ``release``. Plain text by
default, ``--json`` on request; bad input exits with code 2 and the reason. All the logic is in
fmtr.query.cite and fmtr.release."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

Db = Annotated[
    str | None,
    typer.Option("--db", help="SQLite database (default: $FMTR_DB, data/fmtr.sqlite)."),
]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _fail(message: str) -> typer.Exit:
    _err.print(f"fmtr: {message}", markup=False)
    return typer.Exit(2)


def _print(text: str) -> None:
    _out.print(text, markup=False)


def _source(db: str | None) -> Path:
    from fmtr.release.source import SourceError, database_file

    try:
        return database_file(db)
    except SourceError as exc:
        raise _fail(str(exc)) from None


def cite(
    identifier: Annotated[
        str,
        typer.Argument(
            help="A training row's identifier (2016-africa-p50-3) or a figure "
            "(COUNTRY/PROGRAMME/FY: PAK/IMET/FY2010, Pakistan/all/2010)."
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="text, bibtex or csl (CSL-JSON).")
    ] = "text",
    db: Db = None,
    as_json: Json = False,
) -> None:
    """A citation ready to paste: the official report, edition, page and URL, the identifier
    and the release it was read from."""
    from fmtr.query.cite import cite as ask
    from fmtr.query.errors import QueryInputError
    from fmtr.release.source import read_only_engine

    if fmt not in ("text", "bibtex", "csl"):
        raise _fail(f"--format must be text, bibtex or csl, not {fmt!r}")
    engine = read_only_engine(_source(db))
    try:
        c = ask(engine, identifier)
    except QueryInputError as exc:
        raise _fail(str(exc)) from None
    finally:
        engine.dispose()
    if as_json:
        _out.print_json(json.dumps(dataclasses.asdict(c), default=str))
    elif fmt == "bibtex":
        _print(c.bibtex)
    elif fmt == "csl":
        _out.print_json(json.dumps([c.csl]))
    else:
        _print(c.text)


def diff(
    old: Annotated[Path, typer.Argument(help="The earlier database (SQLite file).")],
    new: Annotated[Path, typer.Argument(help="The later database (SQLite file).")],
    limit: Annotated[int, typer.Option("--limit", help="Changes to list per kind (0: all).")] = 20,
    as_json: Json = False,
) -> None:
    """What changed between two databases, by stable identifier: rows, totals, blocks and
    documents added, removed, changed (field by field) or moved, per edition, and the figures
    whose values moved. Both files are only read. Exit status 1 when they differ."""
    from fmtr.release.diff import DiffError, diff_databases, summary_lines

    try:
        report = diff_databases(old, new)
    except DiffError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        _out.print_json(json.dumps(_diff_json(report), default=str))
    else:
        for line in summary_lines(report, limit):
            _print(line)
    if not report.identical:
        raise typer.Exit(1)


def _diff_json(report: Any) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    data["identical"] = report.identical
    data["documents_touched"] = report.documents_touched()
    return data


def release(
    directory: Annotated[Path, typer.Argument(help="The release folder (new or empty).")],
    db: Db = None,
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="The previous release (its folder), for CHANGES.md."),
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="The release's version (default: the date).")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Where the release will be published (cited).")
    ] = None,
) -> None:
    """Write a versioned, self-describing release: the SQLite database, one CSV and one Parquet
    file per table, a Frictionless Data package, Datasette metadata, CITATION.cff, README.md,
    CHANGES.md (against --previous) and SHA256SUMS. The database given is only read."""
    from fmtr.release.package import ReleaseError, make_release

    source = _source(db)
    try:
        made = make_release(source, directory, version=version, previous=previous, url=url)
    except ReleaseError as exc:
        raise _fail(str(exc)) from None
    _print(f"fmtr release {made.version} in {made.directory}")
    for f in made.files:
        rows = f" ({f.rows:,} rows)" if f.rows is not None else ""
        _print(f"  {f.path:<40} {f.bytes:>12,} bytes{rows}")
    if made.changes is not None:
        c = made.changes
        since = made.previous_version or str(previous)
        _print(
            f"changes since {since}: {len(c.changes):,} things added, removed, changed or moved; "
            f"{len(c.figures):,} figures moved (CHANGES.md)"
        )


def register(app: typer.Typer) -> None:
    """Add the citing and publishing commands to fmtr's Typer app."""
    app.command("cite")(cite)
    app.command("diff")(diff)
    app.command("release")(release)
