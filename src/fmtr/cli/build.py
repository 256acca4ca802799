"""The commands that write: `fmtr build` (fmtr.pipeline: the reports and the Greenbook),
`fmtr migrate` (fmtr.store.db) and `fmtr fetch` (fmtr.sources.fetch). Every other command only
reads."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table as RichTable
from rich.text import Text

from fmtr.cli.common import (
    FUNDING_ENV,
    Corpus,
    Db,
    Funding,
    Json,
    add_texts,
    err,
    one_line,
    out,
    print_json,
    print_settings,
    settings_dict,
    with_settings,
)
from fmtr.settings import BuildSettings

if TYPE_CHECKING:
    from fmtr.extract.model import ExtractError
    from fmtr.pipeline import BuildReport
    from fmtr.sources.catalog import Document
    from fmtr.store.load import LoadedDocument

log = logging.getLogger("fmtr.build")
HelpSettings = Annotated[
    bool, typer.Option("--help-settings", help="List the settings (below) and exit.")
]


class _ProgressObserver:
    """Rich progress: one bar for the build, one per document being read; a log line per
    document (at --log-level info)."""

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
        log.info("loaded %s: %d rows, %d totals", doc.file, loaded.rows, loaded.totals)
        self._close(doc.file)

    def skipped(self, doc: Document) -> None:
        log.info("unchanged %s", doc.file)
        self.progress.advance(self.overall)

    def failed(self, doc: Document, error: ExtractError) -> None:
        self._close(doc.file)  # the error itself is printed with the summary


def _progress(*columns: Any) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        *columns,
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@with_settings(BuildSettings)
def build(
    corpus: Corpus = None,
    funding: Funding = None,
    db: Db = None,
    edition: Annotated[
        list[str] | None, typer.Option("--edition", help="Only these editions or files.")
    ] = None,
    as_json: Json = False,
    help_settings: HelpSettings = False,
    *,
    settings: BuildSettings,
) -> None:
    """Extract every document of the corpus, and load the funding data (the Greenbook), into
    the database (unchanged files are skipped).

    A SQLite database is built aside and swapped in whole; a bad file gets a one-line error
    naming file and page (row, for the workbook) and the others still load (exit code 1). A
    manifest naming a file outside the corpus or a report twice is refused before anything is
    written (exit code 1).

    Example: fmtr build --corpus ../shared/fmtr-corpus --funding ../shared/fmtr-funding
    """
    if help_settings:
        return print_settings(BuildSettings, "build", as_json)
    from fmtr.pipeline import build_database
    from fmtr.sources.catalog import documents
    from fmtr.sources.corpus import corpus_catalog, corpus_dir, funding_dir
    from fmtr.sources.integrity import ManifestRefused
    from fmtr.store.db import database_url, display_url
    from fmtr.store.dialects.sqlite import stop_memory_statistics

    stop_memory_statistics()  # before any database is opened (the figures' threads, faster)

    root = corpus_dir(corpus)
    money = funding_dir(funding, root)
    url = database_url(db)
    total = len(documents(corpus_catalog(root)))
    try:
        with _progress(TimeElapsedColumn()) as progress:
            report = build_database(
                url, root, only=edition, observer=_ProgressObserver(progress, total),
                funding=money, **settings_dict(settings),
            )  # fmt: skip
    except ManifestRefused as exc:
        # Each manifest line to fix, as a document's error is said; then the one line of the
        # refusal itself (fmtr.cli.app), exit 1.
        for problem in exc.problems:
            err.print(f"error {one_line(problem)}", markup=False)
        raise
    if as_json:
        print_json(_report_json(report, display_url(url)))
    else:
        _print_report(report, display_url(url))
    if not report.ok:
        raise typer.Exit(1)


def _report_json(report: BuildReport, url: str) -> dict[str, Any]:
    return {
        "database": url,
        "build_run": report.run_id or None,
        "loaded": [d.file for d in report.loaded],
        "unchanged": report.skipped,
        "errors": [{"file": e.file, "page": e.page, "message": str(e)} for e in report.errors],
        "unmapped_countries": sorted(report.unmapped_countries),
        "unmapped_programmes": sorted(report.unmapped_programmes),
        "editions": [dataclasses.asdict(e) for e in report.editions],
        # The folder is the builder's: said as given, never stored in the database.
        "funding": {
            "folder": str(report.funding_folder) if report.funding_folder else None,
            "loaded": [dataclasses.asdict(f) for f in report.funding_loaded],
            "unchanged": report.funding_skipped,
            "seconds": round(report.funding_seconds, 2),
        },
        "seconds": round(report.seconds, 2),
        "ok": report.ok,
    }


def _print_report(report: BuildReport, url: str) -> None:
    for error in report.errors:
        err.print(f"error {error}", markup=False)
    for kind, names in (
        ("country", report.unmapped_countries),
        ("programme", report.unmapped_programmes),
    ):
        if names:
            err.print(
                f"error {kind} names without a code: {'; '.join(sorted(names))}", markup=False
            )
    run = f"#{report.run_id}" if report.run_id else "(nothing to do)"
    table = RichTable(title=Text(f"fmtr build {run}: {url}"))
    for col in ("edition", "documents", "pages", "blocks", "training rows", "printed totals", "s"):
        table.add_column(col, justify="left" if col == "edition" else "right")
    for e in report.editions:
        add_texts(
            table,
            e.edition,
            str(e.documents),
            str(e.pages),
            str(e.blocks),
            f"{e.rows:,}",
            f"{e.totals:,}",
            f"{e.seconds:.1f}",
        )
    table.add_section()
    add_texts(
        table,
        "all",
        str(sum(e.documents for e in report.editions)),
        str(sum(e.pages for e in report.editions)),
        str(sum(e.blocks for e in report.editions)),
        f"{sum(e.rows for e in report.editions):,}",
        f"{sum(e.totals for e in report.editions):,}",
        f"{report.seconds:.1f}",
    )
    out.print(table)
    if report.funding_folder is None:
        out.print(
            f"funding: no funding folder (--funding DIR or ${FUNDING_ENV}): the Greenbook is "
            "not loaded; the database keeps the funding data it had",
            markup=False,
        )
    else:
        for f in report.funding_loaded:
            out.print(
                f"funding: {f.file} loaded, {f.rows:,} rows in {report.funding_seconds:.1f} s",
                markup=False,
            )
        for name in report.funding_skipped:
            out.print(f"funding: {name} unchanged", markup=False)
    out.print(
        f"loaded {len(report.loaded)}, unchanged {len(report.skipped)}, "
        f"failed {len(report.errors)} in {report.seconds:.1f} s"
    )


def migrate(db: Db = None, as_json: Json = False) -> None:
    """Bring an existing database's schema up to this fmtr's (the only command besides
    `build` that writes; a missing database is refused, never created).

    Example: fmtr migrate --db data/fmtr.sqlite
    """
    from fmtr.errors import DatabaseUnavailable
    from fmtr.store.db import (
        database_url,
        display_url,
        open_database,
        read_only_engine,
        readable_revision,
        schema_head,
    )

    url = database_url(db)
    reader = read_only_engine(url)  # refuses a missing SQLite file
    try:
        before = readable_revision(reader, url)
    finally:
        reader.dispose()
    if before is None:
        raise DatabaseUnavailable(f"{display_url(url)} is not an fmtr database")
    open_database(url).dispose()  # the migrations (a failure: DatabaseUnavailable)
    after = schema_head()
    if as_json:
        print_json({"database": display_url(url), "from": before, "to": after})
    else:
        said = "already at" if before == after else f"migrated from {before} to"
        out.print(f"{display_url(url)}: {said} schema version {after}", markup=False)


def fetch(
    dest: Annotated[Path, typer.Option("--dest", help="Where to put the files.")] = Path("corpus"),
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="A mirror to use instead of official URLs.")
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option("--catalog", help="A manifest TSV instead of the packaged one.")
    ] = None,
    funding_dest: Annotated[
        Path | None,
        typer.Option(
            "--funding-dest",
            help="Where to put the funding data (default: fmtr-funding beside --dest, where "
            "`fmtr build` looks for it).",
            show_default=False,
        ),
    ] = None,
    funding_catalog: Annotated[
        Path | None,
        typer.Option(
            "--funding-catalog", help="A funding manifest TSV instead of the packaged one."
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Download the official report files and the funding data (resumable, sha256-checked).

    Example: fmtr fetch --dest corpus --funding-dest fmtr-funding
    """
    from fmtr.sources.catalog import documents, read_catalog, read_funding_catalog
    from fmtr.sources.corpus import FUNDING_FOLDER
    from fmtr.sources.fetch import fetch_all

    docs = documents(read_catalog(catalog))
    money_dest = funding_dest or dest.resolve().parent / FUNDING_FOLDER
    money = [d.as_document() for d in read_funding_catalog(funding_catalog)]
    tasks: dict[str, TaskID] = {}
    with _progress() as progress:

        def tick(file: str, done: int, total: int | None) -> None:
            if file not in tasks:
                tasks[file] = progress.add_task(file, total=total)
            progress.update(tasks[file], completed=done, total=total)

        results, errors = fetch_all(docs, dest, base_url=base_url, progress=tick)
        more, more_errors = fetch_all(money, money_dest, base_url=base_url, progress=tick)
    results += more
    errors += more_errors
    # The catalog goes beside the files, so that `fmtr build --corpus DEST` finds it; never
    # through a link planted in DEST (OutsideFolder: one line).
    if catalog is None:
        from importlib import resources

        from fmtr.sources.integrity import OutsideFolder, resolve_inside

        dest.mkdir(parents=True, exist_ok=True)
        try:
            manifest = resolve_inside(dest, "manifest.tsv")
        except OutsideFolder as exc:
            raise OutsideFolder(f"manifest.tsv not written: {exc.message}") from None
        manifest.write_text(
            resources.files("fmtr.sources").joinpath("catalog.tsv").read_text("utf-8"), "utf-8"
        )
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    if as_json:
        print_json(
            {
                "dest": str(dest),
                "funding_dest": str(money_dest),
                "files": [dataclasses.asdict(r) for r in results],
                "errors": [str(e) for e in errors],
            }
        )
    else:
        for e in errors:
            err.print(f"error {e}", markup=False)
        summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing fetched"
        out.print(
            f"{summary}; {len(errors)} failed; files in {dest}, funding data in {money_dest}",
            markup=False,
        )
    if errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("build")(build)
    app.command("migrate")(migrate)
    app.command("fetch")(fetch)
