"""Test helpers: where the corpus is (read in place, never copied into the repo), cutting
real pages into small PDFs, and writing manifests for corpora made at test time.

A module of its own (not conftest.py) so that tests in sub-folders with their own conftest can
import it unambiguously."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from fmtr.sources.catalog import Document, documents, read_catalog

_DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "fmtr-corpus"


def _corpus_path() -> Path | None:
    value = os.environ.get("FMTR_CORPUS")
    path = Path(value) if value else _DEFAULT
    return path if (path / "manifest.tsv").exists() else None


CORPUS = _corpus_path()
IN_CI = os.environ.get("CI") == "true"

GREENBOOK = "us_foreignaid_greenbook.xlsx"


def _funding_path() -> Path | None:
    value = os.environ.get("FMTR_FUNDING")
    path = Path(value) if value else _DEFAULT.parent / "fmtr-funding"
    return path if (path / GREENBOOK).exists() else None


FUNDING = _funding_path()  # the Greenbook's folder, read in place like the corpus


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


MANIFEST_HEADER = (
    "fiscal_year\tregion\tfile\tfirst_pdf_page\tlast_pdf_page\tofficial_url\tnote\tsha256\n"
)


def write_manifest(root: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """Write a manifest.tsv for files already in ``root``: rows of (edition, region, file,
    note); the sha256 column is computed from the files, the URL is made up."""
    from fmtr.sources.catalog import sha256_hex_of_file

    lines = [MANIFEST_HEADER]
    for edition, region, file, note in rows:
        digest = sha256_hex_of_file(root / file)
        lines.append(
            f"{edition}\t{region}\t{file}\t\t\thttps://example.invalid/{file}\t{note}\t{digest}\n"
        )
    path = root / "manifest.tsv"
    path.write_text("".join(lines), "utf-8")
    return path


def image_only_pdf(src: Path, page: int, dst: Path) -> Path:
    """A one-page PDF holding a picture of ``src``'s page and no text: a scan."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(str(src))
    rendered = source[page - 1].render(scale=0.5)
    out = pdfium.PdfDocument.new()
    width, height = source[page - 1].get_size()
    new_page = out.new_page(width, height)
    image = pdfium.PdfImage.new(out)
    image.set_bitmap(rendered)
    image.set_matrix(pdfium.PdfMatrix().scale(width, height))
    new_page.insert_obj(image)
    new_page.gen_content()
    out.save(str(dst))
    return dst


def built_database(corpus: Path, folder: Path, editions: list[str]) -> Engine:
    """A database of these editions of the corpus, built as `fmtr build` builds it (rows, proof,
    search index and precomputed figures)."""
    from fmtr.pipeline import build
    from fmtr.store.db import open_database

    engine = open_database(str(folder / "fmtr.sqlite"))
    report = build(engine, corpus, jobs=2, only=editions)
    assert not report.errors, report.errors
    return engine


class _ClosedWhenDropped(sqlite3.Connection):
    def __del__(self) -> None:
        self.close()


def connect(database: str | Path, **kwargs: Any) -> sqlite3.Connection:
    """sqlite3.connect for the tests' own reads: the connection closes itself when dropped, as
    Python 3.13 asks (ResourceWarning, an error in the tests, for one left open), from whichever
    thread collects it."""
    kwargs.setdefault("check_same_thread", False)
    return sqlite3.connect(database, factory=_ClosedWhenDropped, **kwargs)


# Real pages of four PDF layouts and one HTML file: FY2016-2017 (the FY2007+ layout), FY2005-2006
# (the single file of all regions), FY2000-2001 (page 20 holds the end of Africa and the start of
# East Asia and Pacific), FY2001-2002, and a FY1999-2000 HTML file whole.
LAYOUT_CUTS = [
    ("FY2016-2017", "Africa", "FY2016-2017/Africa.pdf", [2, 3, 4]),
    ("FY2005-2006", "All regions", "FY2005-2006/75058.pdf", [96, 97]),
    ("FY2000-2001", "Africa", "FY2000-2001/3164.pdf", [19, 20, 21]),
    ("FY2001-2002", "Africa", "FY2001-2002/10964.pdf", [2, 3]),
]
LAYOUT_HTML = ("FY1999-2000", "South Asia", "FY1999-2000/cta_sasia_all.html")


def write_layouts_corpus(corpus: Path, root: Path) -> Path:
    """A corpus at ``root`` of LAYOUT_CUTS and LAYOUT_HTML, with its manifest."""
    for _, _, file, pages in LAYOUT_CUTS:
        (root / file).parent.mkdir(parents=True, exist_ok=True)
        cut_pdf(corpus / file, pages, root / file)
    html = LAYOUT_HTML[2]
    (root / html).parent.mkdir(parents=True, exist_ok=True)
    (root / html).write_bytes((corpus / html).read_bytes())
    write_manifest(root, [(e, r, f, "") for e, r, f, _ in LAYOUT_CUTS] + [(*LAYOUT_HTML, "")])
    return root


@dataclass(frozen=True)
class Builds:
    """Two small databases of the layouts corpus: ``built``, and ``changed`` (one document
    changed), with the corpus as it is after the change (tests/release/conftest.py)."""

    corpus: Path
    built: Path
    changed: Path


def text_pdf(dst: Path, words: list[tuple[float, float, str]], size: tuple[float, float]) -> Path:
    """A one-page PDF of ``size`` (points) with each (x, baseline from the top, text) word
    drawn in Helvetica 7 pt: a page made in code, for tests that need no corpus."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(*size)
    for x, y, text in words:
        obj = pdfium_c.FPDFPageObj_NewTextObj(pdf.raw, b"Helvetica", ctypes.c_float(7.0))
        utf16 = ctypes.create_string_buffer((text + "\x00").encode("utf-16-le"))
        pdfium_c.FPDFText_SetText(obj, ctypes.cast(utf16, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
        pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, size[1] - y)
        pdfium_c.FPDFPage_InsertObject(page.raw, obj)
    page.gen_content()
    pdf.save(str(dst))
    pdf.close()
    return dst


def tiny_report_pdf(dst: Path) -> Path:
    """A one-page report in the FY2007+ layout, made in code: a country, a programme heading,
    the column header, one row and the programme's total."""
    header = [
        (20, "Course"), (45, "Title"), (200, "Qty"), (235, "Training"), (270, "Location"),
        (360, "Student's"), (395, "Unit"), (490, "US"), (502, "Unit"), (600, "Total"),
        (620, "Cost"), (660, "Start"), (680, "Date"), (720, "End"), (735, "Date"),
    ]  # fmt: skip
    row = [
        (20, "Basic"), (45, "Course"), (200, "2"), (235, "Luanda"), (360, "Army"), (490, "N/A"),
        (600, "$1,000"), (660, "1/2/2016"), (720, "1/9/2016"),
    ]  # fmt: skip
    total = [(20, "FY"), (32, "2016"), (55, "Program"), (90, "Totals"), (200, "2"), (600, "$1,000")]
    heading = ["IMET", "-", "FY", "2016", "DoS", "Training"]
    words = [(20.0, 40.0, "Angola")]
    words += [(20.0 + 30 * i, 60.0, w) for i, w in enumerate(heading)]
    words += [(float(x), y, w) for y, line in ((80.0, header), (92.0, row), (104.0, total))
              for x, w in line]  # fmt: skip
    return text_pdf(dst, words, (792.0, 612.0))
