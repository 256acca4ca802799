"""What the hostile-input tests share: a small corpus built once per module (three real pages of
FY2016-2017 Africa, the FY1999-2000 South Asia HTML page), a private copy of it for each test to
spoil, hand-made PDFs, and `fmtr build` run again with its error lines.

The fixtures are in conftest.py beside this file; these are plain helpers."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_kit import cut_pdf, write_manifest
from fmtr.cli.app import app
from test_crash import content_digest

runner = CliRunner()

PDF = "FY2016-2017/Africa.pdf"
HTML = "FY1999-2000/cta_sasia_all.html"
ROWS = [
    ("FY2016-2017", "Africa", PDF, ""),
    ("FY1999-2000", "South Asia", HTML, "HTML page of the report"),
]


def minimal_pdf(pages: list[list[str]], *, encrypt: bool = False) -> bytes:
    """A small valid PDF with these lines of Helvetica text per page, written by hand, so that
    the corner cases PDFium cannot write (an /Encrypt dictionary, zero pages) can be made."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, lines in enumerate(pages):
        shown = b" ".join(b"(" + line.encode("latin-1") + b") '" for line in lines)
        stream = b"BT /F1 11 Tf 72 720 Td 14 TL " + shown + b" ET"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    trailer_extra = b""
    if encrypt:
        # Standard security handler, RC4 40-bit; /U matches no password, so a reader must ask.
        objects.append(
            b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -44 >>" % (b"11" * 32, b"22" * 32)
        )
        trailer_extra = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (len(objects), b"ab" * 16, b"ab" * 16)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref,
    )
    return bytes(out)


def make_served(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A small corpus (three real pages of FY2016-2017 Africa, one FY1999-2000 HTML page), the
    database `fmtr build` made of it, and that database's content digest."""
    base = tmp_path_factory.mktemp("hostile")
    root = base / "corpus"
    (root / "FY2016-2017").mkdir(parents=True)
    (root / "FY1999-2000").mkdir()
    cut_pdf(corpus / PDF, [2, 3, 4], root / PDF)
    (root / HTML).write_bytes((corpus / HTML).read_bytes())
    write_manifest(root, ROWS)
    db = base / "fmtr.sqlite"
    result = runner.invoke(app, ["build", "--corpus", str(root), "--db", str(db), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return root, db, content_digest(db)


def make_copy(served: tuple[Path, Path, str], tmp_path: Path) -> tuple[Path, Path, str]:
    """A private copy of the corpus and database for one test to spoil."""
    root, db, digest = served
    shutil.copytree(root, tmp_path / "corpus")
    shutil.copy(db, tmp_path / "fmtr.sqlite")
    return tmp_path / "corpus", tmp_path / "fmtr.sqlite", digest


def rebuild(root: Path, db: Path, *options: str) -> tuple[int, list[str]]:
    """`fmtr build` again (with these options): its exit code and its error lines."""
    args = ["build", "--corpus", str(root), "--db", str(db), "--jobs", "1", *options]
    result = runner.invoke(app, args)
    return result.exit_code, [ln for ln in result.output.splitlines() if ln.startswith("error ")]


def assert_one_clear_error(root: Path, db: Path, digest: str, file: str, *options: str) -> str:
    code, errors = rebuild(root, db, *options)
    assert code == 1, errors
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"error {file}"), errors[0]
    assert content_digest(db) == digest
    return errors[0]


def deflate_bomb(size: int) -> bytes:
    """``size`` zero bytes deflated twice (for ``/Filter [/FlateDecode /FlateDecode]``): 4 GiB
    fit in 10 kB. Made without ever holding the bytes: after a full flush, zlib compresses each
    MiB of zeros to the same bytes, so the first pass is one compressed MiB repeated; its
    checksum (adler32) of n zeros is computed, not summed."""
    mib = bytes(1 << 20)
    packer = zlib.compressobj(9)
    first = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    count = size >> 20
    adler = ((size % 65521) << 16) | 1  # a = 1 + sum of bytes = 1; b = n * a mod 65521
    once = first + again * (count - 1) + b"\x03\x00" + struct.pack(">I", adler)
    return zlib.compress(once, 9)


def bomb_pdf(size: int) -> bytes:
    """A one-page PDF whose page content inflates to ``size`` bytes (zeros)."""
    stream = deflate_bomb(size)
    pdf = minimal_pdf([["IMET - FY 2016 Department of Defense Training"]])
    start = pdf.index(b"5 0 obj")
    end = pdf.index(b"endobj", start)
    content = (
        b"5 0 obj\n<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream\n"
    )
    # The cross-reference offsets after the page content are now wrong: PDFium rebuilds the
    # table, as it does for many real files.
    return pdf[:start] + content + pdf[end:]
