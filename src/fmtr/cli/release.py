"""The commands for citing and publishing: `fmtr cite`, `fmtr diff` and `fmtr release`. Plain
text by default, ``--json`` on request; the logic is in fmtr.query.cite and fmtr.release, and
their errors are fmtr's (one line, exit 2)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from fmtr.cli.common import Db, Json, open_db, out, print_json


def _say(text: str) -> None:
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def cite(
    identifier: Annotated[
        str,
        typer.Argument(
            help="A training row's identifier (2016-africa-p50-3) or a figure "
            "(COUNTRY/PROGRAMME/FY: PAK/IMET/FY2010, Pakistan/all/2010)."
        ),
    ],
    fmt: Annotated[
        Literal["text", "bibtex", "csl"],
        typer.Option("--format", "-f", help="text, bibtex or csl (CSL-JSON)."),
    ] = "text",
    db: Db = None,
    as_json: Json = False,
) -> None:
    """A citation ready to paste: the official report, edition, page and URL, the identifier
    and the release it was read from.

    Example: fmtr cite 2016-africa-p50-3 --format bibtex
    """
    from fmtr.query import answers

    engine = open_db(db)
    try:
        c = answers.cite(engine, identifier)
    finally:
        engine.dispose()
    if as_json:
        print_json(c)
    elif fmt == "bibtex":
        _say(c["bibtex"])
    elif fmt == "csl":
        print_json([c["csl"]])
    else:
        _say(c["text"])


def diff(
    old: Annotated[str, typer.Argument(help="The earlier database (SQLite file or database URL).")],
    new: Annotated[str, typer.Argument(help="The later database (SQLite file or database URL).")],
    limit: Annotated[
        int, typer.Option("--limit", min=0, max=10**9, help="Changes to list per kind (0: all).")
    ] = 20,
    as_json: Json = False,
) -> None:
    """What changed between two databases, by stable identifier: rows, totals, blocks and
    documents added, removed, changed (field by field) or moved, per edition, and the figures
    whose values moved. Both databases are only read. Exit status 1 when they differ.

    Example: fmtr diff release-2026.11/fmtr.sqlite data/fmtr.sqlite
    """
    from fmtr.release.diff import diff_databases, summary_lines

    report = diff_databases(old, new)
    if as_json:
        print_json(_diff_json(report))
    else:
        for line in summary_lines(report, limit):
            _say(line)
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
        str | None,
        typer.Option("--release-version", help="The release's version (default: the date)."),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Where the release will be published (cited).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Write a versioned, self-describing release: the SQLite database, one CSV and one Parquet
    file per table, a Frictionless Data package, Datasette metadata, CITATION.cff, README.md,
    CHANGES.md (against --previous) and SHA256SUMS. The database given is only read.

    Example: fmtr release releases/2026.12 --previous releases/2026.11
    """
    from fmtr.release.package import make_release
    from fmtr.release.source import database_file

    made = make_release(database_file(db), directory, version=version, previous=previous, url=url)
    if as_json:
        print_json(
            {
                "version": made.version,
                "directory": str(made.directory),
                "files": [dataclasses.asdict(f) for f in made.files],
                "previous_version": made.previous_version,
            }
        )
        return
    _say(f"fmtr release {made.version} in {made.directory}")
    for f in made.files:
        rows = f" ({f.rows:,} rows)" if f.rows is not None else ""
        _say(f"  {f.path:<40} {f.bytes:>12,} bytes{rows}")
    if made.changes is not None:
        c = made.changes
        since = made.previous_version or str(previous)
        _say(
            f"changes since {since}: {len(c.changes):,} things added, removed, changed or moved; "
            f"{len(c.figures):,} figures moved (CHANGES.md)"
        )


def register(app: typer.Typer) -> None:
    """Add the citing and publishing commands to fmtr's Typer app."""
    app.command("cite")(cite)
    app.command("diff")(diff)
    app.command("release")(release)
