"""`fmtr build`: corpus -> extraction (in worker processes) -> database, one document at a time.

Each document is extracted and cleaned in a worker (fmtr.worker) and written by this process in
one transaction, so a failure leaves that document as the database had it and the other
documents still load. A document whose sha256 is unchanged since it was loaded is skipped.
Each edition is reconciled with its printed totals as soon as its documents are in, while the
workers go on. The funding data (the Greenbook workbook, in its own folder) is read and cleaned
before the documents, when its sha256 changed, and stored in one transaction at the end: a
workbook that cannot be read, or names a recipient without a code, is reported and the funding
the database held stays as it was. A SQLite database is built on a copy and swapped in whole
(fmtr.store.swap); a PostgreSQL one in place, in one transaction (fmtr.store.writer). Reading
the database back (`fmtr verify`, `fmtr compare-reference`) is fmtr.verify's.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, delete, exc, func, insert, select, update

from fmtr import __version__
from fmtr.clean.funding import CleanFunding, clean_greenbook
from fmtr.clock import recorded_now
from fmtr.errors import DatabaseUnavailable, Unavailable
from fmtr.extract import family_of
from fmtr.extract.greenbook import GreenbookError, read_greenbook
from fmtr.extract.model import ExtractError, ProgrammeBlock
from fmtr.settings import BuildSettings
from fmtr.sources.catalog import Document, FundingDataset, documents, sha256_hex_of_file
from fmtr.sources.corpus import corpus_catalog, corpus_identity, funding_catalog, manifest_name
from fmtr.sources.integrity import ManifestRefused, check_contents, check_paths, sha256_problem
from fmtr.sources.limits import memory_problem, size_problem
from fmtr.store import schema as s
from fmtr.store.db import (
    display_url,
    make_engine,
    migrate_connection,
    open_database,
    read_only_engine,
    reason,
    schema_is_current,
    sqlite_path,
)
from fmtr.store.dialects import postgresql
from fmtr.store.funding import LoadedFunding, loaded_funding, replace_funding
from fmtr.store.load import (
    LoadedDocument,
    create_query_indexes,
    drop_query_indexes,
    loaded_documents,
    mark_counted_blocks,
    replace_document,
    save_reference_tables,
    save_verdicts,
)
from fmtr.store.read import iter_documents
from fmtr.store.search import (
    Background,
    index_is_current,
    rebuild_search_index,
    unindex_document,
)
from fmtr.store.swap import (
    build_lock,
    disk_full,
    free_space,
    remove_aside,
    start_aside,
    swap_in,
)
from fmtr.store.writer import EngineWriter, OneTransaction, Writer
from fmtr.verify.reconcile import (
    Check,
    EditionVerdict,
    VerifyReport,
    known_source_errors,
    reconcile,
    summarise,
)
from fmtr.worker import Outcome, extract_and_clean, init_worker

log = logging.getLogger(__name__)  # fmtr prints nothing itself: whoever runs a build listens


class BuildObserver(Protocol):
    """What the CLI (or a test) hears of a build's progress."""

    def started(self, doc: Document, pages: int) -> None: ...
    def page_done(self, file: str, pages: int = 1) -> None: ...
    def finished(self, doc: Document, loaded: LoadedDocument) -> None: ...
    def skipped(self, doc: Document) -> None: ...
    def failed(self, doc: Document, error: ExtractError) -> None: ...


class SilentObserver:
    def started(self, doc: Document, pages: int) -> None:
        pass

    def page_done(self, file: str, pages: int = 1) -> None:
        pass

    def finished(self, doc: Document, loaded: LoadedDocument) -> None:
        pass

    def skipped(self, doc: Document) -> None:
        pass

    def failed(self, doc: Document, error: ExtractError) -> None:
        pass


@dataclass
class EditionSummary:
    edition: str
    documents: int = 0
    pages: int = 0
    blocks: int = 0
    rows: int = 0
    totals: int = 0
    seconds: float = 0.0  # extraction time spent on this edition in this run


@dataclass
class BuildReport:
    run_id: int
    loaded: list[LoadedDocument] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[ExtractError] = field(default_factory=list)
    editions: list[EditionSummary] = field(default_factory=list)
    unmapped_countries: set[str] = field(default_factory=set)
    unmapped_programmes: set[str] = field(default_factory=set)
    verify: VerifyReport | None = None  # None when nothing was loaded
    seconds: float = 0.0
    funding_folder: Path | None = None  # None: no funding folder given or found
    funding_loaded: list[LoadedFunding] = field(default_factory=list)
    funding_skipped: list[str] = field(default_factory=list)  # unchanged funding files
    funding_seconds: float = 0.0  # reading, cleaning and storing the funding files

    @property
    def ok(self) -> bool:
        return not (self.errors or self.unmapped_countries or self.unmapped_programmes)


def _pages_to_read(doc: Document) -> int:
    """How many pages the extractor will read (for progress bars)."""
    if doc.kind == "html":
        return 1
    if any(e.first_pdf_page is None for e in doc.entries):
        return 0  # whole file: the worker reports pages as it reads them
    pages: set[int] = set()
    for e in doc.entries:
        pages.update(range(e.first_pdf_page or 1, (e.last_pdf_page or 0) + 1))
    return len(pages)


# --- main side -------------------------------------------------------------------------------


def _check_file(
    root: Path, doc: Document, manifest: str, settings: BuildSettings
) -> tuple[str | None, ExtractError | None]:
    path = root / doc.file  # inside the corpus: _catalog checked every manifest path
    if not path.is_file():
        return None, ExtractError(doc.file, None, f"file not found in the corpus folder {root}")
    # An empty checksum used to skip the check: the manifest then vouched for any content.
    if (problem := sha256_problem(doc, manifest)) is not None:
        return None, ExtractError(doc.file, None, problem)
    if (problem := size_problem(doc.kind, path.stat().st_size, settings)) is not None:
        return None, ExtractError(doc.file, None, problem)
    digest = sha256_hex_of_file(path)
    if digest != doc.sha256.lower():
        return None, ExtractError(
            doc.file, None, f"sha256 mismatch: catalog {doc.sha256[:12]}…, file {digest[:12]}…"
        )
    return digest, None


def _summaries(conn: Connection, seconds: dict[str, float]) -> list[EditionSummary]:
    e, d, b = s.Edition, s.Document, s.ProgrammeBlock
    block_counts = (
        select(
            b.document_id,
            func.count(b.id).label("blocks"),
        )
        .group_by(b.document_id)
        .subquery()
    )
    rows_per_doc = (
        select(b.document_id, func.count(s.Training.id).label("n"))
        .join(s.Training, s.Training.block_id == b.id)
        .group_by(b.document_id)
        .subquery()
    )
    totals_per_doc = (
        select(b.document_id, func.count(s.PrintedTotal.id).label("n"))
        .join(s.PrintedTotal, s.PrintedTotal.block_id == b.id)
        .group_by(b.document_id)
        .subquery()
    )
    q = (
        select(
            e.name,
            func.count(d.id),
            func.sum(d.pages),
            func.sum(func.coalesce(block_counts.c.blocks, 0)),
            func.sum(func.coalesce(rows_per_doc.c.n, 0)),
            func.sum(func.coalesce(totals_per_doc.c.n, 0)),
        )
        .join(d, d.edition_id == e.id)
        .outerjoin(block_counts, block_counts.c.document_id == d.id)
        .outerjoin(rows_per_doc, rows_per_doc.c.document_id == d.id)
        .outerjoin(totals_per_doc, totals_per_doc.c.document_id == d.id)
        .group_by(e.name)
        .order_by(e.name)
    )
    return [
        EditionSummary(
            name,
            int(nd),
            int(np or 0),
            int(nb),
            int(nr),
            int(nt),
            round(seconds.get(name, 0.0), 2),
        )
        for name, nd, np, nb, nr, nt in conn.execute(q).all()
    ]


def _catalog(root: Path) -> tuple[list[Document], str]:
    """The corpus's documents and how errors name its manifest; ManifestRefused when a path
    leaves the corpus or names a file another row names (nothing is read before this)."""
    entries = corpus_catalog(root)
    manifest = manifest_name(root)
    problems = check_paths(root, entries, manifest)
    if problems:
        raise ManifestRefused(problems)
    return documents(entries), manifest


def _plan(
    root: Path,
    only: Iterable[str] | None,
    known: dict[str, str],
    report: BuildReport,
    obs: BuildObserver,
    settings: BuildSettings,
) -> tuple[list[Document], list[tuple[Document, str]]]:
    """The documents of this build and those to (re)load; bad and unchanged files go to report.

    Raises ManifestRefused, before anything is written, when two documents have the same
    content: the same report under two names would count twice."""
    everything, manifest = _catalog(root)
    docs = everything
    if only is not None:
        wanted = set(only)
        docs = [d for d in everything if d.edition in wanted or d.file in wanted]
    todo: list[tuple[Document, str]] = []
    # Files not read now count with the content they were loaded with (a digest cleared by
    # hand, to force a reload, says nothing of the content: two such are not one report).
    digests = {d.file: known[d.file] for d in everything if known.get(d.file)}
    for doc in docs:
        digest, error = _check_file(root, doc, manifest, settings)
        if error is not None:
            report.errors.append(error)
            obs.failed(doc, error)
            digests.pop(doc.file, None)
            continue
        assert digest is not None
        digests[doc.file] = digest
        if known.get(doc.file) == digest:
            report.skipped.append(doc.file)
            obs.skipped(doc)
        else:
            todo.append((doc, digest))
    problems = check_contents(digests, everything, manifest)
    if problems:
        raise ManifestRefused(problems)
    return docs, todo


_DEFAULTS = BuildSettings()


@dataclass
class FundingLoad:
    """A funding workbook read and cleaned, waiting to be stored."""

    dataset: FundingDataset
    sha256: str
    header_row: int
    clean: CleanFunding
    seconds: float


def read_funding(
    root: Path | None,
    known: dict[str, str],
    report: BuildReport,
    datasets: list[FundingDataset] | None = None,
) -> list[FundingLoad]:
    """The funding files of the folder ``root`` whose sha256 differs from ``known`` (dataset ->
    sha256 loaded), read and cleaned. A missing file, a sha256 that is not the catalog's, a
    workbook that cannot be read or a recipient without a code go to ``report`` (errors,
    unmapped_countries) and that file is not loaded. ``datasets``: the folder's catalog, when
    the caller has read it already."""
    report.funding_folder = root
    if root is None:
        return []
    out: list[FundingLoad] = []
    for dataset in funding_catalog(root) if datasets is None else datasets:
        t0 = time.perf_counter()
        path = root / dataset.file
        if not path.is_file():
            report.errors.append(
                GreenbookError(dataset.file, None, f"file not found in funding folder {root}")
            )
            continue
        digest = sha256_hex_of_file(path)
        if dataset.sha256 and digest != dataset.sha256:
            report.errors.append(
                GreenbookError(
                    dataset.file,
                    None,
                    f"sha256 mismatch: catalog {dataset.sha256[:12]}…, file {digest[:12]}…",
                )
            )
            continue
        if known.get(dataset.dataset) == digest:
            report.funding_skipped.append(dataset.file)
            continue
        try:
            sheet = read_greenbook(path, dataset.sheet or None, dataset.file)
            clean = clean_greenbook(sheet)
        except GreenbookError as exc:
            report.errors.append(exc)
            continue
        if clean.unmapped_countries:
            report.unmapped_countries |= clean.unmapped_countries
            report.errors.append(
                GreenbookError(
                    dataset.file,
                    None,
                    f"{len(clean.unmapped_countries)} recipient names have no country code "
                    "(listed below); the funding data was not loaded",
                )
            )
            continue
        out.append(FundingLoad(dataset, digest, sheet.header_row, clean, time.perf_counter() - t0))
    report.funding_seconds += sum(f.seconds for f in out)
    return out


def _store_funding(
    writer: Writer, loads: list[FundingLoad], run_id: int, report: BuildReport
) -> None:
    for f in loads:
        t0 = time.perf_counter()
        with writer.begin() as conn:
            loaded = replace_funding(
                conn,
                f.dataset,
                f.clean,
                header_row=f.header_row,
                sha256=f.sha256,
                build_run_id=run_id,
                seconds=round(f.seconds + time.perf_counter() - t0, 3),
            )
        report.funding_loaded.append(loaded)
        report.funding_seconds += time.perf_counter() - t0


_DEFAULTS = BuildSettings()


def build_database(
    url: str,
    root: Path,
    *,
    jobs: int = _DEFAULTS.jobs,
    file_seconds: float = _DEFAULTS.file_seconds,
    worker_memory: int = _DEFAULTS.worker_memory,
    max_pdf_mb: int = _DEFAULTS.max_pdf_mb,
    max_html_mb: int = _DEFAULTS.max_html_mb,
    max_rows_per_pdf_page: int = _DEFAULTS.max_rows_per_pdf_page,
    max_rows_per_html_page: int = _DEFAULTS.max_rows_per_html_page,
    only: Iterable[str] | None = None,
    observer: BuildObserver | None = None,
    funding: Path | None = None,
) -> BuildReport:
    """`fmtr build`: like ``build``, but a SQLite file is built aside and swapped in whole
    (fmtr.store.swap), under a lock, so that readers never see a partial build and a killed
    build changes nothing. A PostgreSQL database is built in place, under the database's own
    lock, as one transaction with a savepoint per document (readers see the old data until it
    commits). The settings (``jobs`` to ``max_rows_per_html_page``) are
    fmtr.settings.BuildSettings'.

    Raises BuildLocked when another build is running on the same database, ManifestRefused for
    a manifest that reaches outside the corpus or lists a report twice, and BuildStopped when
    the disk fills up or the database server fails (the build's temporary files are then
    removed or its transaction rolled back: the served database is as it was).
    """
    settings = BuildSettings(
        jobs=jobs,
        file_seconds=file_seconds,
        worker_memory=worker_memory,
        max_pdf_mb=max_pdf_mb,
        max_html_mb=max_html_mb,
        max_rows_per_pdf_page=max_rows_per_pdf_page,
        max_rows_per_html_page=max_rows_per_html_page,
    )
    path = sqlite_path(url)
    if path is None:
        return _build_in_place(url, root, settings, only, observer, funding)
    _catalog(root)  # a manifest naming files outside the corpus: refused before touching any
    # The lock, the copy and the swap act on the file itself, not on the name given: a symbolic
    # link to the served file must neither build beside a build of that file nor be replaced
    # by a plain file.
    path = path.resolve()
    try:
        with build_lock(path):
            return _build_aside(url, path, root, settings, only, observer, funding)
    except Exception as exc:
        if disk_full(exc):
            raise BuildStopped(
                f"the disk is full: the build of {path} stopped; its temporary files were "
                f"removed ({free_space(path.parent)} free now) and the served database is as "
                "it was"
            ) from None
        raise


def _build_aside(
    url: str,
    path: Path,
    root: Path,
    settings: BuildSettings,
    only: Iterable[str] | None,
    observer: BuildObserver | None,
    funding: Path | None,
) -> BuildReport:
    """build_database under the lock: a copy of the served file is built and swapped in."""
    funding_read: tuple[list[FundingLoad], BuildReport] | None = None
    if path.exists() and schema_is_current(url):
        # Nothing changed: answer from the served file without copying it.
        served = read_only_engine(url)
        try:
            with served.connect() as conn:
                unchanged, funding_read = _unchanged(conn, root, settings, only, funding)
        finally:
            served.dispose()
        if unchanged is not None:
            log.info("nothing changed since the last build of %s", path)
            return unchanged
    try:
        aside = start_aside(path)
        engine = open_database(f"sqlite:///{aside}", building=True)
        try:
            report = _build_settled(
                EngineWriter(engine),
                root,
                settings,
                only,
                observer,
                bulk=True,
                funding=funding,
                funding_read=funding_read,
            )
        finally:
            engine.dispose()
        swap_in(aside, path)
    except BaseException:
        # Whatever stopped it (a full disk, a refused manifest, Ctrl-C), the copy goes: left
        # behind, a full disk would stay full.
        remove_aside(path)
        raise
    log.info("build run %d swapped in as %s", report.run_id, path)
    return report


def _unchanged(
    conn: Connection,
    root: Path,
    settings: BuildSettings,
    only: Iterable[str] | None,
    funding: Path | None,
) -> tuple[BuildReport | None, tuple[list[FundingLoad], BuildReport]]:
    """A build's report when nothing changed since the last one (no document or funding file
    to load, none to remove), read on ``conn`` without writing; else None. Also the funding
    files read and their findings, for the build to use rather than read them again."""
    t0 = time.perf_counter()
    known = loaded_documents(conn)
    known_funding = loaded_funding(conn)
    report = BuildReport(run_id=0)  # 0: nothing written, so no build run recorded
    _, todo = _plan(root, only, known, report, SilentObserver(), settings)
    # The funding is read first: a bad workbook alone changes nothing.
    with _no_cyclic_gc():  # 75,000 rows of objects that form no cycles
        funding_loads = read_funding(funding, known_funding, report)
    if todo or funding_loads or (only is None and _stale_documents(known, root)):
        return None, (funding_loads, report)
    report.editions = _summaries(conn, {})
    report.seconds = time.perf_counter() - t0
    return report, (funding_loads, report)


def _build_in_place(
    url: str,
    root: Path,
    settings: BuildSettings,
    only: Iterable[str] | None,
    observer: BuildObserver | None,
    funding: Path | None,
) -> BuildReport:
    """build_database on a database server (PostgreSQL), in place: under the database's
    build lock, the schema brought up to date, then the whole build in one transaction with a
    savepoint per document (fmtr.store.writer.OneTransaction): readers see the old data until
    it commits, and an error or a kill leaves the database as it was."""
    _catalog(root)  # a manifest naming files outside the corpus: refused before touching any
    shown = display_url(url)
    engine = make_engine(url)
    try:
        try:
            conn = engine.connect()
        except exc.DBAPIError as error:
            raise DatabaseUnavailable(f"cannot open {shown}: {reason(error)}") from None
        with conn, postgresql.build_lock(conn, shown):
            migrate_connection(conn)
            with conn.begin():
                unchanged, funding_read = _unchanged(conn, root, settings, only, funding)
            if unchanged is not None:
                log.info("nothing changed since the last build of %s", shown)
                return unchanged
            with conn.begin():
                report = _build_settled(
                    OneTransaction(conn),
                    root,
                    settings,
                    only,
                    observer,
                    bulk=False,
                    funding=funding,
                    funding_read=funding_read,
                )
            log.info("build run %d committed in %s", report.run_id, shown)
            return report
    except exc.DBAPIError as error:
        raise BuildStopped(
            f"the build of {shown} stopped: {reason(error)}; the database is as it was"
        ) from None
    finally:
        engine.dispose()


class BuildStopped(Unavailable):
    """A build that could not finish for a reason outside the corpus (a full disk); the message
    is one line. Exit 1, as a build whose documents failed: the database is as it was."""

    code = "build_stopped"
    exit_code = 1


class _EditionProof:
    """Reconciles each edition as soon as all its documents of this build have arrived, while
    the workers are still extracting others, and stores the verdicts beside the totals.

    Whole editions, files in order: a block may run on from one file to the next. Documents of
    the edition this build did not load (unchanged, or failed) are read back from the database.
    """

    def __init__(self, writer: Writer, docs: list[Document], todo: list[tuple[Document, str]]):
        self.writer = writer
        self.listed = known_source_errors()
        touched = {d.edition for d, _ in todo}
        self.files = {ed: sorted(d.file for d in docs if d.edition == ed) for ed in touched}
        self.waiting = {ed: sum(1 for d, _ in todo if d.edition == ed) for ed in touched}
        self.fresh: dict[str, dict[str, list[ProgrammeBlock]]] = {ed: {} for ed in touched}
        self.verdicts: list[EditionVerdict] = []
        self.checks: list[Check] = []

    def arrived(self, doc: Document, blocks: list[ProgrammeBlock] | None) -> None:
        if blocks is not None:
            self.fresh[doc.edition][doc.file] = blocks
        self.waiting[doc.edition] -= 1
        if self.waiting[doc.edition] == 0:
            self._prove(doc.edition)

    def _prove(self, edition: str) -> None:
        fresh = self.fresh.pop(edition)
        with self.writer.connect() as conn:
            stored = {
                d.file: d.blocks
                for d in iter_documents(
                    conn, files=[f for f in self.files[edition] if f not in fresh]
                )
            }
        blocks = [
            (f, i, b)
            for f in self.files[edition]
            for i, b in enumerate(fresh.get(f) or stored.get(f) or [])
        ]
        checks = reconcile(blocks, self.listed)
        with self.writer.begin() as conn:
            save_verdicts(conn, checks)
        self.verdicts.append(summarise(edition, blocks, checks))
        self.checks.extend(checks)

    def report(self) -> VerifyReport:
        return VerifyReport(sorted(self.verdicts, key=lambda v: v.edition), self.checks)


def _stored(error: ExtractError, root: Path, funding: Path | None = None) -> str:
    """An error as the database keeps it: without the builder's corpus or funding folder (a
    message may name them), so that no local path of the machine that built it is stored."""
    message = str(error)
    for place, name in ((funding, "<funding>"), (root, "<corpus>")):
        if place is None:
            continue
        for folder in sorted({str(place.resolve()), str(place)}, key=len, reverse=True):
            message = message.replace(f"{folder}/", "").replace(folder, name)
    return message


def _stale_documents(known: dict[str, str], root: Path) -> bool:
    """Whether the database holds documents the corpus no longer lists (a build removes them)."""
    return bool(set(known) - {d.file for d in _catalog(root)[0]})


def build(
    engine: Engine,
    root: Path,
    *,
    jobs: int = _DEFAULTS.jobs,
    file_seconds: float = _DEFAULTS.file_seconds,
    worker_memory: int = _DEFAULTS.worker_memory,
    max_pdf_mb: int = _DEFAULTS.max_pdf_mb,
    max_html_mb: int = _DEFAULTS.max_html_mb,
    max_rows_per_pdf_page: int = _DEFAULTS.max_rows_per_pdf_page,
    max_rows_per_html_page: int = _DEFAULTS.max_rows_per_html_page,
    only: Iterable[str] | None = None,
    observer: BuildObserver | None = None,
    bulk: bool = False,
    funding: Path | None = None,
) -> BuildReport:
    """Load every catalog document of the corpus at ``root`` that changed since the last build,
    and the funding files of the folder ``funding`` (None: leave the funding data as it is).

    ``only``: restrict to these editions (names like "FY2016-2017") or files.
    ``bulk``: nobody reads the database during this build (it is built aside), so indexes that
    only queries need are dropped while loading and made again at the end.
    ``jobs``: worker processes (0: one per core); ``file_seconds``: each file's time budget;
    ``worker_memory`` and the ``max_`` ceilings: what one file may cost
    (fmtr.settings.BuildSettings says more of each).
    """
    settings = BuildSettings(
        jobs=jobs,
        file_seconds=file_seconds,
        worker_memory=worker_memory,
        max_pdf_mb=max_pdf_mb,
        max_html_mb=max_html_mb,
        max_rows_per_pdf_page=max_rows_per_pdf_page,
        max_rows_per_html_page=max_rows_per_html_page,
    )
    return _build_settled(
        EngineWriter(engine), root, settings, only, observer, bulk=bulk, funding=funding
    )


def _build_settled(
    writer: Writer,
    root: Path,
    settings: BuildSettings,
    only: Iterable[str] | None,
    observer: BuildObserver | None,
    *,
    bulk: bool,
    funding: Path | None = None,
    funding_read: tuple[list[FundingLoad], BuildReport] | None = None,
) -> BuildReport:
    with _no_cyclic_gc():
        return _build(
            writer,
            root,
            jobs=settings.jobs or os.cpu_count() or 1,
            settings=settings,
            only=only,
            observer=observer,
            bulk=bulk,
            funding=funding,
            funding_read=funding_read,
        )


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Python's cycle collector kept off while a build runs, then run once: the build's
    objects (a quarter of a million rows arriving from the workers, held until their edition
    is proven) form no cycles, yet the collector walked them again and again, 2.6 s of the
    main process's 16 s on the full corpus."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def _build(
    writer: Writer,
    root: Path,
    *,
    jobs: int,
    only: Iterable[str] | None,
    observer: BuildObserver | None,
    bulk: bool,
    settings: BuildSettings,
    funding: Path | None,
    funding_read: tuple[list[FundingLoad], BuildReport] | None,
) -> BuildReport:
    obs = observer or SilentObserver()
    t0 = time.perf_counter()
    with writer.connect() as conn:
        known = loaded_documents(conn)
        known_funding = loaded_funding(conn)
    # Planned before the build run is recorded: a refused manifest writes nothing.
    report = BuildReport(0)
    docs, todo = _plan(root, only, known, report, obs, settings)
    # The funding is read (unless build_database read it before its copy) in a thread while
    # the workers extract the documents, rather than before starting them (1.2 s). Its
    # findings join the report once the documents are in, where they came when read first.
    funding_errors_at = len(report.errors)
    reader = ThreadPoolExecutor(1, thread_name_prefix="fmtr-funding")
    reading: Future[list[FundingLoad]]
    if funding_read is None:
        found = BuildReport(0)
        # The funding manifest is read here: a bad one refuses the build before any write.
        datasets = funding_catalog(funding) if funding is not None else None
        reading = reader.submit(read_funding, funding, known_funding, found, datasets)
    else:
        reading = Future()
        reading.set_result(funding_read[0])
        found = funding_read[1]
    with writer.connect() as conn:
        background = Background.start(conn)
    try:
        return _load(
            writer, root, jobs, docs, todo, known, report, reading, found, funding_errors_at,
            only, obs, bulk, settings, background, t0,
        )  # fmt: skip
    finally:
        reader.shutdown(wait=True, cancel_futures=True)
        if background is not None:
            background.close()


def _take_funding(report: BuildReport, found: BuildReport, at: int) -> None:
    """The funding reader's findings into this run's report, its errors at ``at``."""
    report.funding_folder = found.funding_folder
    report.funding_skipped = found.funding_skipped
    report.funding_seconds = found.funding_seconds
    report.unmapped_countries |= found.unmapped_countries
    report.errors[at:at] = [e for e in found.errors if isinstance(e, GreenbookError)]


def _load(
    writer: Writer,
    root: Path,
    jobs: int,
    docs: list[Document],
    todo: list[tuple[Document, str]],
    known: dict[str, str],
    report: BuildReport,
    reading: Future[list[FundingLoad]],
    found: BuildReport,
    funding_errors_at: int,
    only: Iterable[str] | None,
    obs: BuildObserver,
    bulk: bool,
    settings: BuildSettings,
    background: Background | None,
    t0: float,
) -> BuildReport:
    """_build, once the documents to load are planned and the funding is being read."""
    with writer.begin() as conn:
        report.run_id = int(
            conn.execute(
                insert(s.BuildRun).values(
                    started_at=recorded_now(),
                    fmtr_version=__version__,
                    # Which corpus (its manifest's sha256), never the builder's folder.
                    corpus=corpus_identity(root),
                    jobs=jobs,
                    loaded=0,
                    skipped=0,
                    failed=0,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
    run_id = report.run_id
    log.info("build run %d on %s", run_id, root)
    log.info(
        "%d documents to load, %d unchanged, %d refused", len(todo), len(report.skipped),
        len(report.errors),
    )  # fmt: skip
    seconds: dict[str, float] = {}
    proof = _EditionProof(writer, docs, todo)
    if bulk and todo:
        with writer.begin() as conn:
            drop_query_indexes(conn)
    # Documents the catalog no longer lists are removed once the others are in: until then
    # no figure can be started.
    stale = only is None and bool(set(known) - {d.file for d in docs})
    arrived: list[str] = []
    figures_started = False

    def start_figures() -> None:
        """Once every row is in: the names, which read only the rows, start in threads
        (fmtr.store.search.Background); then which blocks count, and the figures, which read
        that too, while this thread goes on."""
        nonlocal figures_started
        if figures_started:
            return
        figures_started = True
        log.debug("%.1f s: every document in, the figures start", time.perf_counter() - t0)
        if background is not None:
            background.group_names()
        with writer.begin() as conn:
            save_reference_tables(conn)
            mark_counted_blocks(conn)
        if background is not None:
            background.count_names()

    def store(doc: Document, digest: str, result: Outcome, secs: float) -> None:
        seconds[doc.edition] = seconds.get(doc.edition, 0.0) + secs
        arrived.append(doc.file)
        if isinstance(result, ExtractError):
            report.errors.append(result)
            obs.failed(doc, result)
            proof.arrived(doc, None)
        else:
            extract, clean = result
            report.unmapped_countries |= clean.unmapped_countries
            report.unmapped_programmes |= clean.unmapped_programmes
            with writer.begin() as conn:
                loaded = replace_document(
                    conn,
                    doc,
                    extract,
                    clean,
                    sha256=digest,
                    layout=family_of(doc.edition),
                    build_run_id=run_id,
                    seconds=round(secs, 3),
                )
            report.loaded.append(loaded)
            obs.finished(doc, loaded)
            proof.arrived(doc, extract.blocks)
        if len(arrived) == len(todo) and report.loaded and not stale:
            start_figures()  # while the workers end (a second or so)

    # Biggest first, so that two workers finish together rather than one waiting on the last.
    todo.sort(key=lambda item: (root / item[0].file).stat().st_size, reverse=True)
    if todo:
        # Always in worker processes, even with one job: a file that hangs or crashes the PDF
        # library can then be stopped without taking the build down.
        _run_pool(root, todo, max(1, jobs), obs, store, settings)
        log.debug("%.1f s: the workers ended", time.perf_counter() - t0)
    funding_loads = reading.result()
    _take_funding(report, found, funding_errors_at)

    with writer.begin() as conn:
        for err in report.errors:
            conn.execute(
                insert(s.BuildError).values(
                    build_run_id=run_id,
                    file=err.file,
                    page=err.page,
                    message=_stored(err, root, report.funding_folder),
                )
            )
        conn.execute(
            update(s.BuildRun)
            .where(s.BuildRun.id == run_id)
            .values(
                finished_at=recorded_now(),
                loaded=len(report.loaded),
                skipped=len(report.skipped),
                failed=len(report.errors),
            )
        )
        if only is None:
            # Documents the catalog no longer lists do not belong to this corpus any more.
            gone = select(s.Document.id).where(s.Document.file.not_in([d.file for d in docs]))
            for (doc_id,) in conn.execute(gone).all():
                unindex_document(conn, doc_id)
                conn.execute(delete(s.Document).where(s.Document.id == doc_id))
    with writer.connect() as conn:
        # Also after a migration that added precomputed tables, when no document changed.
        refresh = bool(report.loaded) or not index_is_current(conn)
    if refresh:
        start_figures()  # unless it started when the last document came in
    if bulk and todo:
        with writer.begin() as conn:
            create_query_indexes(conn)
    if report.loaded:
        report.verify = proof.report()
    _store_funding(writer, funding_loads, run_id, report)
    log.debug("%.1f s: query indexes made, funding stored", time.perf_counter() - t0)
    if report.funding_loaded and not refresh:
        with writer.begin() as conn:
            save_reference_tables(conn)  # the recipient codes the funding rows use
    if refresh:
        with writer.begin() as conn:
            # Reads the committed `counted`, as do the threads start_figures started.
            rebuild_search_index(conn, full_text=False, background=background)
        log.debug("%.1f s: names, figures and statistics written", time.perf_counter() - t0)
    with writer.connect() as conn:
        report.editions = _summaries(conn, seconds)
    report.seconds = time.perf_counter() - t0
    return report


def _run_pool(
    root: Path,
    todo: list[tuple[Document, str]],
    jobs: int,
    obs: BuildObserver,
    store: Callable[[Document, str, Outcome, float], None],
    settings: BuildSettings,
) -> None:
    # "spawn", not "fork": PDFium is not safe to use in a child forked from a parent that has
    # already loaded it (the tests do), and spawn behaves the same on every platform.
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.SimpleQueue()
    began: dict[str, float] = {}  # file -> when a worker started on it

    def relay() -> None:
        # Page ticks (progress bars) and file starts (time budget) from the workers.
        while (message := queue.get()) is not None:
            kind, file, pages = message
            if kind == "start":
                began[file] = time.monotonic()
            else:
                obs.page_done(file, pages)

    relay_thread = threading.Thread(target=relay, daemon=True)
    relay_thread.start()
    for doc, _ in todo:
        obs.started(doc, _pages_to_read(doc))
    crashed: list[tuple[Document, str]] = []
    work = list(todo)
    batch = _Batch(ctx, queue, root, jobs, began, store, crashed, settings)
    try:
        while work:
            work = batch.run(work)
        # A worker that died (a crash in the PDF library, or PDFium stopping the process at the
        # memory ceiling) takes the whole pool down; the files it may have been reading run
        # again one per pool, to find which one it was.
        for doc, digest in crashed:
            result, secs = _run_alone(ctx, queue, root, doc, settings)
            store(doc, digest, result, secs)
    finally:
        queue.put(None)
        relay_thread.join(timeout=5)


def _run_alone(
    ctx: Any, queue: Any, root: Path, doc: Document, settings: BuildSettings
) -> tuple[Outcome, float]:
    with ProcessPoolExecutor(
        1, mp_context=ctx, initializer=init_worker, initargs=(queue, settings)
    ) as single:
        future = single.submit(extract_and_clean, root / doc.file, doc)
        processes = list(getattr(single, "_processes", {}).values())
        try:
            return future.result(timeout=settings.file_seconds)
        except BrokenProcessPool:
            _wait_ended(processes)
            aborted = any(p.exitcode == -signal.SIGABRT for p in processes)
            if aborted and settings.worker_memory:
                # PDFium's answer to a failed allocation is abort(): with the address space
                # capped, that is this file needing more than the ceiling.
                return ExtractError(doc.file, None, memory_problem(settings)), 0.0
            return ExtractError(doc.file, None, _crash_reason(processes)), 0.0
        except TimeoutError:
            for process in processes:
                process.kill()
            reason = f"took longer than {settings.file_seconds:g} s (its time budget): stopped"
            return ExtractError(doc.file, None, reason), settings.file_seconds


def _wait_ended(processes: list[Any], seconds: float = 5.0) -> None:
    """Wait until the broken pool's processes have ended and their exit codes are known. The
    pool's own thread reaps them too: a join that loses that race finds the child gone and
    reports no exit code (None), so the code is polled until that thread has recorded it."""
    deadline = time.monotonic() + seconds
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
        while process.exitcode is None and time.monotonic() < deadline:
            time.sleep(0.01)


def _crash_reason(processes: list[Any]) -> str:
    """The crash's one line, naming how the worker ended (a signal or an exit code) so that a
    user can tell a bug of the PDF library from a machine out of memory."""
    codes = sorted({p.exitcode for p in processes if p.exitcode})
    how = ", ".join(
        f"signal {signal.Signals(-code).name}"
        if code < 0 and -code in signal.valid_signals()
        else f"exit code {code}"
        for code in codes
    )
    return "the PDF reader crashed on this file" + (f" ({how})" if how else "")


@dataclass
class _Batch:
    ctx: Any
    queue: Any
    root: Path
    jobs: int
    began: dict[str, float]
    store: Callable[[Document, str, Outcome, float], None]
    crashed: list[tuple[Document, str]]
    settings: BuildSettings
    # Files sent to a fresh pool after a crash they had not started on: once only, so that a
    # file whose start the relay had not yet heard of cannot crash pool after pool.
    requeued: set[str] = field(default_factory=set)

    def run(self, work: list[tuple[Document, str]]) -> list[tuple[Document, str]]:
        """Run documents in one pool until all are done, or one runs out of time or takes its
        worker down; returns the documents still to run (in a fresh pool)."""
        pool = ProcessPoolExecutor(
            self.jobs,
            mp_context=self.ctx,
            initializer=init_worker,
            initargs=(self.queue, self.settings),
        )
        pending: dict[Future[tuple[Outcome, float]], tuple[Document, str]] = {
            pool.submit(extract_and_clean, self.root / doc.file, doc): (doc, digest)
            for doc, digest in work
        }
        rest: list[tuple[Document, str]] = []
        finished = False
        try:
            while pending:
                done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                # Stored in the order sent (``done`` is a set): with one worker, the rows'
                # integer ids are then the same from build to build and database to database.
                for fut in [f for f in pending if f in done]:
                    doc, digest = pending.pop(fut)
                    try:
                        result, secs = fut.result()
                    except BrokenProcessPool:
                        # Only a file a worker had started on can have taken it down.
                        if doc.file in self.began or doc.file in self.requeued:
                            self.crashed.append((doc, digest))
                        else:
                            self.requeued.add(doc.file)
                            rest.append((doc, digest))
                        continue
                    self.store(doc, digest, result, secs)
                if rest:
                    continue  # the pool is broken: collect every future, then start afresh
                now = time.monotonic()
                budget = self.settings.file_seconds
                late = [
                    f
                    for f, (doc, _) in pending.items()
                    if doc.file in self.began and now - self.began[doc.file] > budget
                ]
                if late:
                    for fut in late:
                        doc, digest = pending.pop(fut)
                        reason = f"took longer than {budget:g} s (its time budget): stopped"
                        self.store(doc, digest, ExtractError(doc.file, None, reason), budget)
                    # A worker cannot be stopped on its own: stop them all, run the rest again.
                    for process in list(getattr(pool, "_processes", {}).values()):
                        process.kill()
                    rest = list(pending.values())
                    break
            for doc, _ in rest:
                self.began.pop(doc.file, None)
            finished = not rest
            return rest
        finally:
            # Every document done: the workers end (a second, their interpreters' exit) while
            # the build goes on with its figures; the pool's own thread waits for them.
            pool.shutdown(wait=not finished, cancel_futures=True)
