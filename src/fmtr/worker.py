"""What a build's worker process runs: extract and clean one document.

A module of its own, importing only the extraction and cleaning layers, because every worker
process imports it on start: the database layers (SQLAlchemy, Alembic) would cost each worker
about a second before its first page.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from fmtr.clean.document import CleanDocument, clean_document
from fmtr.extract import extract_document, pdfwords
from fmtr.extract.model import DocumentExtract, ExtractError
from fmtr.settings import BuildSettings
from fmtr.sources.catalog import Document
from fmtr.sources.limits import MiB, memory_problem, rows_problem

Outcome = tuple[DocumentExtract, CleanDocument] | ExtractError

_page_queue: Any = None
_settings = BuildSettings()
# Pages read and not yet reported, per file: a message per page cost the workers two seconds a
# corpus (a pickle, a lock, a pipe write), so they go a few times a second.
_unsent: dict[str, int] = {}
_sent_at = 0.0
_EVERY = 0.2  # seconds


def _report_page(file: str) -> None:
    global _sent_at
    _unsent[file] = _unsent.get(file, 0) + 1
    now = time.monotonic()
    if now - _sent_at >= _EVERY:
        _flush_pages()
        _sent_at = now


def _flush_pages() -> None:
    if _page_queue is not None:
        for file, pages in _unsent.items():
            _page_queue.put(("pages", file, pages))
    _unsent.clear()


def init_worker(queue: Any, settings: BuildSettings | None = None) -> None:
    """Runs once in each worker: page ticks and file starts go back to the build on ``queue``;
    the worker's address space is capped at ``settings.worker_memory`` MiB."""
    global _page_queue, _settings
    _page_queue = queue
    pdfwords.PAGE_HOOK = _report_page
    _settings = settings or BuildSettings()
    if _settings.worker_memory:
        _cap_memory(_settings.worker_memory * MiB)


def _cap_memory(limit: int) -> None:
    # RLIMIT_AS (address space) rather than RLIMIT_DATA: PDFium's large buffers are mmap'd, and
    # the address space is what a decompression bomb grows. Past it, an allocation fails:
    # Python raises MemoryError, PDFium aborts the process (its out-of-memory path), and the
    # build reports either as this file needing more than the ceiling.
    if sys.platform == "win32":  # no resource limits there: the time budget still holds
        return
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):  # a hard limit below ours: keep it
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _rows_per_page(extract: DocumentExtract) -> Counter[int]:
    return Counter(row.page for block in extract.blocks for row in block.rows)


def extract_and_clean(path: Path, doc: Document) -> tuple[Outcome, float]:
    """One document, its error as a value (it travels back to the build), and the seconds."""
    t0 = time.perf_counter()
    if _page_queue is not None:
        _page_queue.put(("start", doc.file, 0))  # the time budget counts from here
    try:
        extract = extract_document(path, doc)
        if (implausible := rows_problem(doc.kind, _rows_per_page(extract), _settings)) is not None:
            page, reason = implausible
            raise ExtractError(doc.file, page if doc.kind == "pdf" else None, reason)
        result: Outcome = (extract, clean_document(extract, doc.edition))
    except ExtractError as exc:
        result = exc
    except MemoryError:
        result = ExtractError(doc.file, None, memory_problem(_settings))
    except Exception as exc:  # a bug or a file no check foresaw: still one line, file named
        result = ExtractError(doc.file, None, f"{type(exc).__name__}: {exc}")
    _flush_pages()
    return result, time.perf_counter() - t0
