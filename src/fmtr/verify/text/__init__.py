"""The text proof: every word of every cell, found on its page by a second, independent reader.

The sums (fmtr.verify.reconcile) prove the figures; this proves the words. Each stored training
row is looked up on its page(s) as another engine reads them (poppler for PDFs, Python's
html.parser for HTML; the extractor uses PDFium and selectolax), laid out by this package's own
reading of the columns (layouts.py), and every word of its cells must be there, in its column,
within the row's own lines (match.py has the rule). A difference is a bug until shown, on the
page, to be the source's own: those are listed in ``text_exceptions.tsv`` with page and reason.

Runs at verify time, one process per file (poppler itself is a process per file), on all cores.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
from collections import Counter
from collections.abc import Collection, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol

from fmtr.errors import InputError
from fmtr.extract import family_of
from fmtr.extract.model import ProgrammeBlock
from fmtr.sources.catalog import sha256_hex_of_file
from fmtr.verify.text import layouts
from fmtr.verify.text.match import (
    BELOW,
    CENTRED,
    FIELDS,
    KINDS,
    WINDOW,
    CellDifference,
    RowCells,
    check_rows,
)
from fmtr.verify.text.reading import ReaderError, read_html, read_pdf

__all__ = [
    "KINDS",
    "DocumentRows",
    "DocumentText",
    "EditionText",
    "TextDifference",
    "TextCheckError",
    "TextReport",
    "check_document",
    "check_text",
    "known_text_exceptions",
]


@dataclass(frozen=True)
class TextDifference:
    """One cell with words the second reader does not find where the row is."""

    edition: str
    file: str
    page: int
    field: str
    cell: str
    words: tuple[tuple[str, str, str], ...]  # (word, kind, what the page has there)
    listed: str | None = None  # the reason, when text_exceptions.tsv lists it

    @property
    def kind(self) -> str:
        return self.words[0][1]


@dataclass
class EditionText:
    edition: str
    rows: int = 0
    rows_found: int = 0  # every word of every cell found
    rows_listed: int = 0  # the others, whose differences are all listed as the source's own
    differences: dict[str, int] = field(default_factory=dict)  # unlisted cells, by kind
    listed: int = 0  # cells listed in text_exceptions.tsv

    @property
    def unlisted(self) -> int:
        return sum(self.differences.values())


@dataclass
class TextReport:
    editions: list[EditionText]
    differences: list[TextDifference]  # listed ones included (``listed`` set)

    @property
    def unlisted(self) -> list[TextDifference]:
        return [d for d in self.differences if d.listed is None]


@dataclass
class DocumentText:
    edition: str
    file: str
    sha256: str  # of the file the rows were extracted from
    rows: list[RowCells]


class TextCheckError(InputError):
    """The text check cannot run on a file: missing, changed since the build, or unreadable
    by the second reader. The message names the file (one line, exit 2)."""

    code = "text_check_failed"

    def __reduce__(self) -> tuple[type[TextCheckError], tuple[str]]:
        return (TextCheckError, (str(self),))


# --------------------------------------------------------------------------- exceptions

ExceptionKey = tuple[str, int, str, str]  # file, page, field, cell


@lru_cache(maxsize=1)
def known_text_exceptions() -> dict[ExceptionKey, str]:
    """Differences shown on the page to be the source's own: (file, page, field, cell) ->
    reason, from text_exceptions.tsv."""
    text = resources.files("fmtr.verify").joinpath("text_exceptions.tsv").read_text("utf-8")
    out: dict[ExceptionKey, str] = {}
    for r in csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE):
        out[(r["file"], int(r["page"]), r["field"], r["cell"])] = r["reason"]
    return out


# --------------------------------------------------------------------------- one document


def check_document(path: Path, edition: str, rows: list[RowCells]) -> list[CellDifference]:
    """The differences of one document's rows against the second reading of its pages."""
    if not rows:
        return []
    family = family_of(edition)
    if family.startswith("html"):
        table = read_html(path)
        lines = (layouts.lines_html_2006 if family == "html_2006" else layouts.lines_html_1999)(
            table
        )
    else:
        first = min(r.page for r in rows)
        last = max(r.last_page or r.page for r in rows)
        # From the page before: a row's window may start under a header printed there.
        pages = read_pdf(path, max(1, first - 1), last)
        reader, rule = {
            "pdf_2000": (layouts.lines_pdf_2000, WINDOW),
            "pdf_2001": (layouts.lines_pdf_2001, BELOW),
            "pdf_2007": (layouts.lines_pdf_2007, CENTRED),
        }[family]
        return check_rows(rows, reader(pages), rule)
    return check_rows(rows, lines, WINDOW)


def _check_one(
    job: tuple[str, str, str, str, list[RowCells]],
) -> tuple[str, list[CellDifference]]:
    root, edition, file, sha256, rows = job
    path = Path(root) / file
    if not path.is_file():
        raise TextCheckError(f"{file}: not in the corpus {root}")
    if sha256 and sha256_hex_of_file(path) != sha256:
        raise TextCheckError(f"{file}: the corpus file differs from the one built (sha256)")
    try:
        return file, check_document(path, edition, rows)
    except ReaderError as exc:
        raise TextCheckError(f"{file}: {exc}") from None


# --------------------------------------------------------------------------- the corpus


class DocumentRows(Protocol):
    """A stored document as the text proof needs it (fmtr.store.read.StoredDocument is one):
    its blocks of rows in document order, and the sha256 of the file they were read from."""

    edition: str
    file: str
    sha256: str
    blocks: list[ProgrammeBlock]


def document_text(doc: DocumentRows) -> DocumentText:
    """A document's rows as the proof looks them up: position, pages and cells in FIELDS order."""
    rows = [r for b in doc.blocks for r in b.rows]
    cells = [
        RowCells(i, r.page, r.last_page, tuple(getattr(r, f) for f in FIELDS))
        for i, r in enumerate(rows)
    ]
    return DocumentText(doc.edition, doc.file, doc.sha256, cells)


def check_text(
    documents: Iterable[DocumentRows],
    corpus: Path,
    editions: Collection[str] | None = None,
    jobs: int | None = None,
) -> TextReport:
    """The text proof of these documents' rows (or these editions') against the corpus files
    (`fmtr verify` passes every document the database holds, fmtr.store.read.iter_documents).
    Raises TextCheckError when a file is missing, differs from the one built, or cannot be
    read by the second reader."""
    chosen = (d for d in documents if editions is None or d.edition in editions)
    docs = [t for t in map(document_text, chosen) if t.rows]
    jobs = max(1, jobs or os.cpu_count() or 1)
    found = _run(corpus, docs, jobs)
    return summarise(docs, found, known_text_exceptions())


def _run(corpus: Path, docs: list[DocumentText], jobs: int) -> dict[str, list[CellDifference]]:
    # Largest first, so that the processes finish together.
    work = sorted(docs, key=lambda d: len(d.rows), reverse=True)
    jobs_ = [(str(corpus), d.edition, d.file, d.sha256, d.rows) for d in work]
    if jobs == 1:
        return dict(map(_check_one, jobs_))
    # "spawn": the same start on every platform, and no state of the parent carried over.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
        return dict(pool.map(_check_one, jobs_))


def summarise(
    docs: Iterable[DocumentText],
    found: dict[str, list[CellDifference]],
    listed: dict[ExceptionKey, str],
) -> TextReport:
    editions: dict[str, EditionText] = {}
    out: list[TextDifference] = []
    for doc in docs:
        ed = editions.setdefault(doc.edition, EditionText(doc.edition))
        ed.rows += len(doc.rows)
        bad: dict[int, bool] = {}  # row seq -> has an unlisted difference
        kinds: Counter[str] = Counter()
        for c in found.get(doc.file, []):
            reason = listed.get((doc.file, c.page, c.field, c.cell))
            words = tuple((m.word, m.kind, m.seen) for m in c.misses)
            diff = TextDifference(doc.edition, doc.file, c.page, c.field, c.cell, words, reason)
            out.append(diff)
            if reason is None:
                kinds[diff.kind] += 1
                bad[c.seq] = True
            else:
                ed.listed += 1
                bad.setdefault(c.seq, False)
        ed.rows_found += len(doc.rows) - len(bad)
        ed.rows_listed += sum(1 for v in bad.values() if not v)
        for k, n in kinds.items():
            ed.differences[k] = ed.differences.get(k, 0) + n
    ordered = sorted(editions.values(), key=lambda v: v.edition)
    return TextReport(ordered, out)


# The fields, for callers that show cells by name.
TEXT_FIELDS = FIELDS[:4]


def describe(d: TextDifference, width: int = 80) -> str:
    """One line saying where a difference is and what the second reading has there."""

    def seen(text: str) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    words = "; ".join(
        f"{word!r} {kind}" + (f" (page: {seen(there)!r})" if there else "")
        for word, kind, there in d.words
    )
    return f"{d.file} page {d.page} {d.field} {d.cell!r}: {words}"


def kinds_text(counts: dict[str, int]) -> str:
    """ "hyphen_spacing 3, characters 1": the kinds of an edition's differences, most first."""
    return ", ".join(f"{k} {n}" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
