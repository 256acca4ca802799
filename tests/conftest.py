"""Shared fixtures: the corpus (read in place, never copied into the repo) and page cutting."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fmtr.sources.catalog import Document, documents, read_catalog

_DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "fmtr-corpus"


def _corpus_path() -> Path | None:
    value = os.environ.get("FMTR_CORPUS")
    path = Path(value) if value else _DEFAULT
    return path if (path / "manifest.tsv").exists() else None


CORPUS = _corpus_path()
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The corpus folder; tests that need it are skipped (with a reason) when it is absent,
    except in CI, where its absence is a failure."""
    if CORPUS is None:
        if IN_CI:
            pytest.fail("CI=true but the corpus is absent: set FMTR_CORPUS")
        pytest.skip("corpus absent: set FMTR_CORPUS or put it at ../shared/fmtr-corpus")
    return CORPUS


def corpus_document(corpus: Path, file: str) -> Document:
    """The catalog Document of a corpus file ("FY2016-2017/Africa.pdf")."""
    for doc in documents(read_catalog(corpus / "manifest.tsv")):
        if doc.file == file:
            return doc
    raise KeyError(file)


def cut_pdf(src: Path, pages: list[int], dst: Path) -> Path:
    """Write a PDF holding the given 1-based pages of ``src``, in order."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(str(src))
    out = pdfium.PdfDocument.new()
    out.import_pages(source, [p - 1 for p in pages])
    out.save(str(dst))
    out.close()
    source.close()
    return dst


def cut_document(doc: Document, dst: Path) -> Document:
    """A Document for a cut file: same edition, url and region, whole-file page range."""
    from dataclasses import replace

    entry = replace(doc.entries[0], file=dst.name, first_pdf_page=None, last_pdf_page=None)
    return Document(doc.edition, dst.name, doc.url, "", (entry,))
