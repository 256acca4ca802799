"""Hostile inputs to `fmtr build`, made here from real pages or by hand (never committed).

Each bad file must give one clear error line naming the file (and page where there is one),
leave the served database's content as it was, and not hang the build.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_kit import HTML, PDF, ROWS, assert_one_clear_error, minimal_pdf

from corpus_kit import cut_pdf, write_manifest

# --- bad PDFs in place of a good one -------------------------------------------------------------


def _truncated(share: float) -> Callable[[Path, Path], bytes]:
    def make(corpus: Path, tmp: Path) -> bytes:
        data = cut_pdf(corpus / PDF, [2, 3, 4], tmp / "whole.pdf").read_bytes()
        return data[: int(len(data) * share)]

    return make


def _random(corpus: Path, tmp: Path) -> bytes:
    return random.Random(7).randbytes(40_000)


def _random_after_header(corpus: Path, tmp: Path) -> bytes:
    return b"%PDF-1.7\n" + random.Random(8).randbytes(40_000)


def _unrelated_text(corpus: Path, tmp: Path) -> bytes:
    return minimal_pdf(
        [
            ["Minutes of the Parish Council, 3 March", "Item 1: bins. Cost $1,234 10/19/2015"],
            ["Country Totals: 12 $5,000", "Angola FY 2007 Totals"],
        ]
    )


def _another_report(corpus: Path, tmp: Path) -> bytes:
    # Two pages of the FY2000-2001 report, two-column layout, in place of a FY2016-2017 file.
    first = sorted((corpus / "FY2000-2001").glob("*.pdf"))[0]
    return cut_pdf(first, [2, 3], tmp / "other.pdf").read_bytes()


def _encrypted(corpus: Path, tmp: Path) -> bytes:
    return minimal_pdf([["IMET - FY 2016 Department of Defense Training"]], encrypt=True)


def _zero_pages(corpus: Path, tmp: Path) -> bytes:
    return minimal_pdf([])


BAD_PDFS: dict[str, Callable[[Path, Path], bytes]] = {
    "truncated-5%": _truncated(0.05),
    "truncated-50%": _truncated(0.5),
    "truncated-95%": _truncated(0.95),
    "truncated-before-trailer": _truncated(0.995),
    "random-bytes": _random,
    "random-after-pdf-header": _random_after_header,
    "unrelated-document": _unrelated_text,
    "another-report": _another_report,
    "encrypted": _encrypted,
    "zero-pages": _zero_pages,
}


@pytest.mark.parametrize("kind", list(BAD_PDFS))
def test_bad_pdf_gives_one_line_and_leaves_the_database(
    corpus: Path, copy: tuple[Path, Path, str], tmp_path: Path, kind: str
) -> None:
    root, db, digest = copy
    (root / PDF).write_bytes(BAD_PDFS[kind](corpus, tmp_path))
    write_manifest(root, ROWS)  # the manifest vouches for the bad file: only its content is bad
    error = assert_one_clear_error(root, db, digest, PDF)
    if kind == "encrypted":
        assert "password" in error


def test_zero_page_pdf_is_called_empty_not_a_pdfium_status(
    corpus: Path, copy: tuple[Path, Path, str], tmp_path: Path
) -> None:
    """PDFium will not open a document without pages and then reports its *last* status: "Success",
    or, after an encrypted file in the same process, "Incorrect password error"."""
    root, db, digest = copy
    (root / PDF).write_bytes(_zero_pages(corpus, tmp_path))
    write_manifest(root, ROWS)
    error = assert_one_clear_error(root, db, digest, PDF)
    assert "no pages" in error and "Success" not in error


# --- bad HTML pages ------------------------------------------------------------------------------

BAD_HTML: dict[str, Callable[[Path], bytes]] = {
    "not-a-report": lambda corpus: (
        b"<html><head><title>404</title></head><body><h1>Page not found</h1></body></html>"
    ),
    "another-report": lambda corpus: sorted((corpus / "FY2006-2007").glob("*.htm*"))[
        0
    ].read_bytes(),
    "binary": lambda corpus: random.Random(9).randbytes(20_000),
    "unclosed-tags": lambda corpus: b"<table><tr><td>Heading" + b"<td><tr>" * 5000,
    "nested-tables": lambda corpus: b"<table><tr><td>" * 1500 + b"x",
    "whitespace-only": lambda corpus: b" \n\t " * 100,
}


# A page cut off after its first heading: it must not replace the good page in the database.
HEADING_ONLY = b"<html><body><table><tr><td>Sri Lanka, IMET, FY 00</td></tr></table></body></html>"
BAD_HTML["heading-only"] = lambda corpus: HEADING_ONLY
HTML_CASES = list(BAD_HTML)


@pytest.mark.parametrize("kind", HTML_CASES)
def test_bad_html_gives_one_line_and_leaves_the_database(
    corpus: Path, copy: tuple[Path, Path, str], kind: str
) -> None:
    root, db, digest = copy
    (root / HTML).write_bytes(BAD_HTML[kind](corpus))
    write_manifest(root, ROWS)
    assert_one_clear_error(root, db, digest, HTML)


# --- bad manifests -------------------------------------------------------------------------------


def test_manifest_row_pointing_nowhere(copy: tuple[Path, Path, str]) -> None:
    root, db, digest = copy
    manifest = root / "manifest.tsv"
    lines = manifest.read_text().splitlines(keepends=True)
    manifest.write_text("".join([*lines, lines[1].replace("Africa.pdf", "Nowhere.pdf")]))
    error = assert_one_clear_error(root, db, digest, "FY2016-2017/Nowhere.pdf")
    assert "not found" in error


def test_manifest_with_a_wrong_sha256(copy: tuple[Path, Path, str]) -> None:
    root, db, digest = copy
    manifest = root / "manifest.tsv"
    lines = manifest.read_text().splitlines(keepends=True)
    lines[1] = lines[1].rsplit("\t", 1)[0] + "\t" + "0" * 64 + "\n"
    manifest.write_text("".join(lines))
    error = assert_one_clear_error(root, db, digest, PDF)
    assert "sha256 mismatch" in error


def test_manifest_row_pointing_at_a_directory(copy: tuple[Path, Path, str]) -> None:
    root, db, digest = copy
    manifest = root / "manifest.tsv"
    lines = manifest.read_text().splitlines(keepends=True)
    manifest.write_text("".join([*lines, lines[1].replace("Africa.pdf", "")]))
    assert_one_clear_error(root, db, digest, "FY2016-2017/")


# --- time budget ---------------------------------------------------------------------------------


def _slow_page(rows: int) -> bytes:
    """A big page that is no report: reading it takes seconds, linearly in its size."""
    row = b"<tr><td>Minutes</td><td>of the</td><td>council</td></tr>"
    return b"<html><body><table>" + row * rows + b"</table></body></html>"


def test_a_file_over_its_time_budget_is_stopped_with_one_line(
    copy: tuple[Path, Path, str],
) -> None:
    root, db, digest = copy
    (root / HTML).write_bytes(_slow_page(400_000))
    write_manifest(root, ROWS)
    # The build's file_seconds setting, as an option (and the 21 MB page let through the size
    # check, to reach the time budget).
    options = ("--file-seconds", "0.5", "--max-html-mb", "64")
    error = assert_one_clear_error(root, db, digest, HTML, *options)
    assert "time budget" in error
