"""Stable identifiers: names for editions, documents and what they print, made from where a
thing is printed (edition, file, page, place on the page), never from load order.

    edition          2016                     (FY2016-2017: its first fiscal year)
    document         2016-africa              (edition + the file's name, see ``file_slug``)
    training row     2016-africa-p50-3        (the 3rd row whose own line is on PDF page 50)
    printed total    2016-africa-p50-t1       (the 1st total line on page 50)
    programme block  2016-africa-p49-b2       (the 2nd block whose heading is on page 49)

An HTML file is one "page": its rows are counted over the whole file, and the page part is left
out (``2006-africa-1234``, ``2006-africa-t12``, ``2006-africa-b7``). Ordinals start at 1 and
follow the reading order, top to bottom. An identifier therefore changes only when the extraction
moves the thing itself (a row found or lost above it on the same page, a new name for the file);
``fmtr diff`` reports such rows as moved. docs/citing.md says what the identifiers promise.

This module is the scheme's single definition: the loader (fmtr.store.load) applies it, and
migration 0006 holds a frozen copy for databases loaded before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

ROW, TOTAL, BLOCK = "", "t", "b"  # the letter before the ordinal


def edition_id(edition: str) -> str:
    """ "FY2016-2017" -> "2016" (an edition is named by its first fiscal year)."""
    m = re.fullmatch(r"FY(\d{4})-\d{4}", edition)
    if m is None:
        raise ValueError(f"not an edition name: {edition!r} (expected FY2016-2017)")
    return m.group(1)


# The FY2020-2021 files are named after the report's section numbering
# ("10-Volume-I-Section-IV-Part-IV-I-Africa"): the numbering is dropped, the region stays.
_SECTION_NUMBERING = re.compile(r"^\d+-Volume-[IVX]+-Section-[IVX]+-Part-[IVX]+-[IVX]+-", re.I)


def _years(edition: str) -> set[str]:
    return set(re.findall(r"\d{4}", edition))


def file_slug(edition: str, file: str) -> str:
    """The document part of an identifier, from the file's name alone: its stem, lower case,
    words joined by "-", without the section numbering of FY2020-2021's names or the edition's
    own years ("Africa_2006_2007.html" -> "africa", "10964.pdf" -> "10964")."""
    stem = _SECTION_NUMBERING.sub("", PurePosixPath(file).stem)
    words = [w for w in re.split(r"[^a-z0-9]+", stem.lower()) if w]
    shorter = [w for w in words if w not in _years(edition)]
    return "-".join(shorter or words) or "file"


def document_ids(files: Iterable[tuple[str, str]]) -> dict[str, str]:
    """file -> document identifier, for the (edition, file) pairs of a catalog. Two files of one
    edition with the same slug ("Africa.pdf" and "Africa.html") each keep their extension
    ("2016-africa-pdf", "2016-africa-html"), so that neither depends on which loads first."""
    pairs = list(files)
    slugs = {file: (edition, file_slug(edition, file)) for edition, file in pairs}
    taken: dict[tuple[str, str], int] = {}
    for key in slugs.values():
        taken[key] = taken.get(key, 0) + 1
    out: dict[str, str] = {}
    for edition, file in pairs:
        key = slugs[file]
        slug = key[1]
        if taken[key] > 1:
            slug += "-" + (PurePosixPath(file).suffix.lstrip(".").lower() or "file")
        out[file] = f"{edition_id(edition)}-{slug}"
    return out


def is_paged(file: str) -> bool:
    """Whether the file has pages (PDF); an HTML file is one page and its ids leave it out."""
    return not file.lower().endswith((".html", ".htm"))


class Ordinals:
    """The identifiers of one kind of thing (ROW, TOTAL or BLOCK) in one document, handed out
    one at a time while the loader walks the document in reading order: the document, the page
    and the ordinal on that page."""

    def __init__(self, document: str, kind: str, *, paged: bool) -> None:
        self.document, self.kind, self.paged = document, kind, paged
        self.seen: dict[int, int] = {}

    def next(self, page: int) -> str:
        key = page if self.paged else 0
        n = self.seen[key] = self.seen.get(key, 0) + 1
        if self.paged:
            return f"{self.document}-p{page}-{self.kind}{n}"
        return f"{self.document}-{self.kind}{n}"
