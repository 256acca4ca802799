"""Extraction: one module per layout family, each turning one document into raw blocks."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from fmtr.extract.model import DocumentExtract, ExtractError
from fmtr.sources.catalog import Document

Extractor = Callable[[Path, Document], DocumentExtract]


def family_of(edition: str) -> str:
    """The layout family of an edition ("FY2016-2017")."""
    first = int(edition[2:6])
    if first == 1999:
        return "html_1999"
    if first == 2000:
        return "pdf_2000"
    if 2001 <= first <= 2005:
        return "pdf_2001"
    if first == 2006:
        return "html_2006"
    return "pdf_2007"


def extractor_for(edition: str) -> Extractor:
    # Imported lazily so that a worker process loads only the family it needs.
    module = importlib.import_module(f"fmtr.extract.{family_of(edition)}")
    extract: Extractor = module.extract
    return extract


def extract_document(path: Path, doc: Document) -> DocumentExtract:
    """Extract one document; raises ExtractError (file and page named) on bad input."""
    if not path.exists():
        raise ExtractError(doc.file, None, "file not found")
    result = extractor_for(doc.edition)(path, doc)
    if result.row_count == 0 and result.total_count == 0:
        # A page that only looks like a report (a heading and nothing else, a damaged copy)
        # must not replace a good one in the database.
        raise ExtractError(doc.file, None, "no training rows or printed totals: not a report")
    return result


__all__ = ["DocumentExtract", "ExtractError", "extract_document", "extractor_for", "family_of"]
