"""The catalog of editions: which files make up each edition of the report, where they were
published, their checksums and which pages hold which region.

The catalog ships with the package (``catalog.tsv``, the corpus manifest's columns) so that
``fmtr fetch`` can work on a machine that has no corpus yet.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from fmtr.errors import InputError, NotFound
from fmtr.sources.ids import document_ids

# The note of a cut-out region file says which pages of the official report it holds.
_OFFICIAL_PAGES = re.compile(r"pages (\d+)-(\d+) of the official report")


@dataclass(frozen=True)
class CatalogEntry:
    """One manifest row: one region of one file of one edition."""

    edition: str  # "FY2016-2017"
    region: str
    file: str  # relative to the corpus root, "FY2016-2017/Africa.pdf"
    first_pdf_page: int | None  # None: the whole file
    last_pdf_page: int | None
    url: str
    note: str
    sha256: str
    line: int = 0  # the manifest line (1 is the header), for error messages; 0: not from one

    @property
    def report_page_offset(self) -> int | None:
        """Official report page = PDF page + offset, where the note gives it."""
        m = _OFFICIAL_PAGES.search(self.note)
        return int(m.group(1)) - 1 if m else None

    @property
    def kind(self) -> str:
        return "html" if self.file.lower().endswith((".html", ".htm")) else "pdf"


@dataclass(frozen=True)
class Document:
    """One file of an edition, with the regions (page ranges) the catalog gives for it."""

    edition: str
    file: str
    url: str
    sha256: str
    entries: tuple[CatalogEntry, ...]
    # Its stable identifier ("2016-africa", fmtr.sources.ids): given by ``documents``, which
    # sees the edition's other files; from the file's name alone when made one by one.
    stable_id: str = ""

    def __post_init__(self) -> None:
        if not self.stable_id:
            object.__setattr__(
                self, "stable_id", document_ids([(self.edition, self.file)])[self.file]
            )

    @property
    def kind(self) -> str:
        return self.entries[0].kind

    @property
    def report_page_offset(self) -> int | None:
        return self.entries[0].report_page_offset

    def region_of_page(self, pdf_page: int) -> str:
        """The catalog region of a PDF page (1-based); the first region when ranges overlap
        on a shared page, which the extractors refine from the headings."""
        for e in self.entries:
            if e.first_pdf_page is None or e.first_pdf_page <= pdf_page <= (e.last_pdf_page or 0):
                return e.region
        return self.entries[-1].region


def _int(s: str) -> int | None:
    return int(s) if s.strip() else None


def read_catalog(path: Path | None = None) -> list[CatalogEntry]:
    """Read a manifest-shaped TSV; the packaged catalog when ``path`` is None. A file that is
    missing or not a manifest is an error naming it (NotFound, InputError)."""
    if path is None:
        text = resources.files("fmtr.sources").joinpath("catalog.tsv").read_text("utf-8")
    else:
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{path}: not a manifest (not UTF-8 text)") from None
        except OSError as exc:
            raise NotFound(f"{path}: cannot read the manifest ({exc.strerror or exc})") from None
    rows = csv.DictReader(text.splitlines(), delimiter="\t")
    try:
        return _entries(rows)
    except (KeyError, ValueError) as exc:
        raise InputError(
            f"{path or 'catalog.tsv'}: not a manifest ({type(exc).__name__}: {exc})"
        ) from None


def _entries(rows: csv.DictReader[str]) -> list[CatalogEntry]:
    # A row's line number: the header is line 1 (the TSV has no quoted line breaks).
    return [
        CatalogEntry(
            edition=r["fiscal_year"],
            region=r["region"],
            file=r["file"],
            first_pdf_page=_int(r["first_pdf_page"]),
            last_pdf_page=_int(r["last_pdf_page"]),
            url=r["official_url"],
            note=r["note"],
            sha256=r["sha256"],
            line=rows.line_num,
        )
        for r in rows
    ]


def documents(entries: list[CatalogEntry]) -> list[Document]:
    """Group catalog rows by file, keeping catalog order."""
    by_file: dict[str, list[CatalogEntry]] = {}
    for e in entries:
        by_file.setdefault(e.file, []).append(e)
    ids = document_ids((es[0].edition, f) for f, es in by_file.items())
    return [
        Document(
            edition=es[0].edition,
            file=f,
            url=es[0].url,
            sha256=es[0].sha256,
            entries=tuple(es),
            stable_id=ids[f],
        )
        for f, es in by_file.items()
    ]


@cache
def packaged_documents() -> tuple[Document, ...]:
    return tuple(documents(read_catalog()))


def editions(entries: list[CatalogEntry]) -> list[str]:
    return sorted({e.edition for e in entries})


def sha256_hex_of_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class FundingDataset:
    """One funding dataset of the catalog (``funding.tsv``): the Greenbook workbook.

    ``url`` is where `fmtr fetch` downloads the file from, ``home`` the official page that
    publishes it; ``sheet`` the worksheet that holds the data."""

    dataset: str  # "greenbook"
    file: str  # relative to the funding folder
    sheet: str
    url: str
    home: str
    note: str
    bytes: int
    sha256: str

    def as_document(self) -> Document:
        """The dataset as a catalog Document, so that fmtr.sources.fetch fetches it alike."""
        entry = CatalogEntry(self.dataset, "", self.file, None, None, self.url, self.note, "")
        # Its name is its identifier: it is no edition's file (fmtr.sources.ids names those).
        return Document(
            self.dataset, self.file, self.url, self.sha256, (entry,), stable_id=self.dataset
        )


FUNDING_MANIFEST = "funding.tsv"


def read_funding_catalog(path: Path | None = None) -> list[FundingDataset]:
    """Read a funding manifest; the packaged one when ``path`` is None. A file that is missing
    or not a funding manifest is an error naming it (NotFound, InputError), as for
    ``read_catalog``."""
    if path is None:
        text = resources.files("fmtr.sources").joinpath(FUNDING_MANIFEST).read_text("utf-8")
    else:
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{path}: not a funding manifest (not UTF-8 text)") from None
        except OSError as exc:
            raise NotFound(
                f"{path}: cannot read the funding manifest ({exc.strerror or exc})"
            ) from None
    try:
        return [
            FundingDataset(
                dataset=r["dataset"],
                file=r["file"],
                sheet=r["sheet"],
                url=r["official_url"],
                home=r["home"],
                note=r["note"],
                bytes=int(r["bytes"]) if r["bytes"].strip() else 0,
                sha256=r["sha256"],
            )
            for r in csv.DictReader(text.splitlines(), delimiter="\t")
        ]
    except (KeyError, ValueError, AttributeError) as exc:
        raise InputError(
            f"{path or FUNDING_MANIFEST}: not a funding manifest ({type(exc).__name__}: {exc})"
        ) from None
