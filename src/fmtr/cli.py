"""The `fmtr` command: a thin Typer layer over the library (pipeline, sources, verify, query)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from fmtr.extract.model import ExtractError
from fmtr.sources.catalog import Document

if TYPE_CHECKING:
    # Only for annotations: the build's worker processes import this module on start, and the
    # database layer would cost each of them a quarter of a second for nothing.
    from fmtr.store.load import LoadedDocument

app = typer.Typer(help="fmtr: the verified database of US Foreign Military Training reports.")
console = Console()
err_console = Console(stderr=True)

CorpusOpt = Annotated[
    Path | None,
    typer.Option("--corpus", help="Corpus folder (default: $FMTR_CORPUS).", show_default=False),
]
DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite path (default: $FMTR_DB, data/fmtr.sqlite)."),
]


def _print_version(value: bool) -> None:
    if value:
        from fmtr import __version__

        console.print(f"fmtr {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    pass


class _ProgressObserver:
    """Rich progress: one bar for the build, one per document being read."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.overall = progress.add_task("documents", total=total)
        self.bars: dict[str, TaskID] = {}
        self.pages: dict[str, int] = {}

    def started(self, doc: Document, pages: int) -> None:
        self.pages[doc.file] = pages

    def page_done(self, file: str, pages: int = 1) -> None:
        if file not in self.bars:
            self.bars[file] = self.progress.add_task(file, total=self.pages.get(file) or None)
        self.progress.advance(self.bars[file], pages)

    def _close(self, file: str) -> None:
        if file in self.bars:
            self.progress.remove_task(self.bars.pop(file))
        self.progress.advance(self.overall)

    def finished(self, doc: Document, loaded: LoadedDocument) -> None:
        self._close(doc.file)

    def skipped(self, doc: Document) -> None:
        self.progress.advance(self.overall)

    def failed(self, doc: Document, error: ExtractError) -> None:
        self._close(doc.file)  # the error itself is printed with the summary


def _fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"fmtr: {message}", highlight=False, markup=False, soft_wrap=True)
    return typer.Exit(code)


@app.command()
def build(
    corpus: CorpusOpt = None,
    db: DbOpt = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes.")] = os.cpu_count()
    or 1,
    edition: Annotated[
        list[str] | None, typer.Option("--edition", help="Only these editions or files.")
    ] = None,
) -> None:
    """Extract every document of the corpus into the database (unchanged files are skipped)."""
    from fmtr.pipeline import build_database
    from fmtr.sources.catalog import documents
    from fmtr.sources.corpus import CorpusNotFound, corpus_catalog, corpus_dir
    from fmtr.store.db import database_url
    from fmtr.store.swap import BuildLocked

    try:
        root = corpus_dir(corpus)
    except CorpusNotFound as exc:
        raise _fail(str(exc)) from None
    url = database_url(db)
    total = len(documents(corpus_catalog(root)))
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
    with progress:
        observer = _ProgressObserver(progress, total)
        try:
            report = build_database(url, root, jobs=jobs, only=edition, observer=observer)
        except BuildLocked as exc:
            raise _fail(str(exc), code=3) from None
    for error in report.errors:
        err_console.print(f"error {error}", highlight=False, markup=False, soft_wrap=True)
    for kind, names in (
        ("country", report.unmapped_countries),
        ("programme", report.unmapped_programmes),
    ):
        if names:
            listed = "; ".join(sorted(names))
            err_console.print(f"error {kind} names without a code: {listed}", soft_wrap=True)

    run = f"#{report.run_id}" if report.run_id else "(nothing to do)"
    table = Table(title=f"fmtr build {run}: {url}")
    for col in ("edition", "documents", "pages", "blocks", "training rows", "printed totals", "s"):
        table.add_column(col, justify="left" if col == "edition" else "right")
    for e in report.editions:
        table.add_row(
            e.edition,
            str(e.documents),
            str(e.pages),
            str(e.blocks),
            f"{e.rows:,}",
            f"{e.totals:,}",
            f"{e.seconds:.1f}",
        )
    table.add_section()
    table.add_row(
        "all",
        str(sum(e.documents for e in report.editions)),
        str(sum(e.pages for e in report.editions)),
        str(sum(e.blocks for e in report.editions)),
        f"{sum(e.rows for e in report.editions):,}",
        f"{sum(e.totals for e in report.editions):,}",
        f"{report.seconds:.1f}",
    )
    console.print(table)
    console.print(
        f"loaded {len(report.loaded)}, unchanged {len(report.skipped)}, "
        f"failed {len(report.errors)} in {report.seconds:.1f} s"
    )
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def fetch(
    dest: Annotated[Path, typer.Option("--dest", help="Where to put the files.")] = Path("corpus"),
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="A mirror to use instead of official URLs.")
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option("--catalog", help="A manifest TSV instead of the packaged one.")
    ] = None,
) -> None:
    """Download the official report files (resumable, sha256-checked)."""
    from fmtr.sources.catalog import documents, read_catalog
    from fmtr.sources.fetch import fetch_all

    docs = documents(read_catalog(catalog))
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
    tasks: dict[str, TaskID] = {}

    def tick(file: str, done: int, total: int | None) -> None:
        if file not in tasks:
            tasks[file] = progress.add_task(file, total=total)
        progress.update(tasks[file], completed=done, total=total)

    with progress:
        results, errors = fetch_all(docs, dest, base_url=base_url, progress=tick)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    for e in errors:
        err_console.print(f"error {e}", highlight=False, markup=False, soft_wrap=True)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing fetched"
    console.print(f"{summary}; {len(errors)} failed; files in {dest}")
    # The catalog goes beside the files, so that `fmtr build --corpus DEST` finds it.
    if catalog is None:
        from importlib import resources

        (dest / "manifest.tsv").write_text(
            resources.files("fmtr.sources").joinpath("catalog.tsv").read_text("utf-8"), "utf-8"
        )
    if errors:
        raise typer.Exit(1)


@app.command()
def verify(
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    limit: Annotated[int, typer.Option(help="Mismatches to list (0: all).")] = 50,
) -> None:
    """Reconcile every printed total with the sum of the rows it covers."""
    from fmtr.pipeline import verify_database
    from fmtr.store.db import open_database

    report = verify_database(open_database(db))
    if as_json:
        import dataclasses
        import json

        payload = {
            "editions": [dataclasses.asdict(v) for v in report.editions],
            "problems": [dataclasses.asdict(c) for c in report.checks if c.status != "reconciled"],
        }
        console.print_json(json.dumps(payload, default=str))
    else:
        table = Table(title="Printed totals reconciled (blocks)")
        cols = ("edition", "blocks", "with totals", "reconciled", "mismatched", "source errors")
        for col in cols:
            table.add_column(col, justify="left" if col == "edition" else "right")
        for v in report.editions:
            table.add_row(
                v.edition,
                str(v.blocks),
                str(v.blocks_with_totals),
                str(v.reconciled),
                str(v.mismatched),
                str(v.source_errors),
            )
        table.add_section()
        table.add_row(
            "all",
            *(
                str(sum(getattr(v, f) for v in report.editions))
                for f in (
                    "blocks",
                    "blocks_with_totals",
                    "reconciled",
                    "mismatched",
                    "source_errors",
                )
            ),
        )
        console.print(table)
        shown = report.mismatches if limit == 0 else report.mismatches[:limit]
        for c in shown:
            console.print(
                f"{c.status} {c.file} page {c.page}: {c.label!r} printed "
                f"{c.printed_quantity} / {c.printed_cost}, rows sum {c.rows_quantity} / "
                f"{c.rows_cost} ({c.rows} rows) {c.detail}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        if len(shown) < len(report.mismatches):
            console.print(f"... {len(report.mismatches) - len(shown)} more (--limit 0 for all)")
    if report.mismatches:
        raise typer.Exit(1)


@app.command("compare-reference")
def compare_reference(
    path: Annotated[Path, typer.Argument(help="Reference extraction (TSV, may be .gz).")],
    db: DbOpt = None,
    edition: Annotated[list[str] | None, typer.Option(help="Only these editions.")] = None,
    samples: Annotated[int, typer.Option(help="Unmatched rows to show per side.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Match fmtr's rows with another extraction: matched, only in fmtr, only in the reference."""
    from fmtr.pipeline import compare_with_reference
    from fmtr.store.db import open_database

    if not path.is_file():
        raise _fail(f"{path}: no such file")
    result = compare_with_reference(open_database(db), path, edition)
    if as_json:
        import json

        payload = [
            {
                "edition": c.edition,
                "fmtr_rows": c.fmtr_rows,
                "reference_rows": c.reference_rows,
                "matched": c.matched,
                "matched_without_cost": c.matched_without_cost,
                "only_fmtr": len(c.only_fmtr),
                "only_reference": len(c.only_reference),
                "samples_only_fmtr": [str(x) for x in c.only_fmtr[:samples]],
                "samples_only_reference": [str(x) for x in c.only_reference[:samples]],
            }
            for c in result
        ]
        console.print_json(json.dumps(payload))
        return
    table = Table(title=f"fmtr beside {path.name}")
    cols = ("edition", "fmtr rows", "reference rows", "matched", "matched but cost", "only fmtr")
    for col in (*cols, "only reference"):
        table.add_column(col, justify="left" if col == "edition" else "right")
    for c in result:
        table.add_row(
            c.edition,
            f"{c.fmtr_rows:,}",
            f"{c.reference_rows:,}",
            f"{c.matched:,}",
            f"{c.matched_without_cost:,}",
            f"{len(c.only_fmtr):,}",
            f"{len(c.only_reference):,}",
        )
    console.print(table)
    for c in result:
        for side, lines in (("only fmtr", c.only_fmtr), ("only reference", c.only_reference)):
            for x in lines[:samples]:
                console.print(
                    f"{c.edition} {side}: {x.country} | {x.course} | {x.quantity} | {x.cost}"
                    f" | {x.where}",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )


def _register_commands() -> None:
    # The question commands, the participation history and the server live in modules of their
    # own; each is a thin layer over fmtr.query.
    from fmtr import cli_history, cli_query, cli_web

    for module in (cli_query, cli_history, cli_web):
        module.register(app)


_register_commands()


def main() -> None:
    from fmtr.extras import MissingExtra

    try:
        app()
    except MissingExtra as exc:  # an optional part used without its library: one line
        err_console.print(f"fmtr: {exc}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
