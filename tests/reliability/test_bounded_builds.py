"""A build's cost per file is bounded: each worker has a memory ceiling (and its time budget),
and files no report could be (far too big, far too many rows on a page) are refused with a
reason. Each hostile file is made here, in code, and the manifest vouches for it, so that its
content is the only thing wrong."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import pytest
from hostile_kit import HTML, PDF, ROWS, assert_one_clear_error, bomb_pdf, deflate_bomb
from typer.testing import CliRunner

from corpus_kit import connect, write_manifest
from fmtr.cli.app import app
from fmtr.settings import BuildSettings

runner = CliRunner()


def test_the_bomb_is_what_it_claims() -> None:
    """4 GiB of zeros in about 10 kB (checked by inflating the first pass in part)."""
    bomb = deflate_bomb(4 << 30)
    assert len(bomb) < 16_000
    once = zlib.decompress(bomb)
    inflater = zlib.decompressobj()
    head = inflater.decompress(once, 1 << 20)
    assert head == bytes(1 << 20)


def edition_rows(db: Path, edition: str) -> int:
    con = connect(f"file:{db}?mode=ro", uri=True)
    (n,) = con.execute(
        "SELECT count(*) FROM training_provenance WHERE edition = ?", (edition,)
    ).fetchone()
    con.close()
    return int(n)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_decompression_bomb_stops_at_the_memory_ceiling_and_the_rest_loads(
    copy: tuple[Path, Path, str], jobs: str
) -> None:
    """A 10 kB PDF whose page inflates to 4 GiB took a worker to 5.1 GiB. Under a ceiling it
    stops there: one line naming the file and the limit, and the other file loads."""
    root, _, _ = copy
    (root / PDF).write_bytes(bomb_pdf(4 << 30))
    write_manifest(root, ROWS)
    # A lower ceiling than the default 1,024 MiB keeps the test's memory modest; the build
    # process passes it to its workers.
    db = root.parent / "fresh.sqlite"
    args = ["build", "--corpus", str(root), "--db", str(db), "--jobs", jobs]
    result = runner.invoke(app, [*args, "--worker-memory", "384"])
    assert result.exit_code == 1, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("error ")]
    assert errors == [
        f"error {PDF}: needed more memory than a build worker may use (384 MiB, fmtr build "
        "--worker-memory): stopped"
    ], result.output
    assert edition_rows(db, "FY1999-2000") == 268
    assert edition_rows(db, "FY2016-2017") == 0


def test_the_worker_memory_setting_comes_from_the_environment_too(
    copy: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _, _ = copy
    (root / PDF).write_bytes(bomb_pdf(4 << 30))
    write_manifest(root, ROWS)
    db = root.parent / "fresh.sqlite"
    monkeypatch.setenv("FMTR_BUILD_WORKER_MEMORY", "300")
    result = runner.invoke(app, ["build", "--corpus", str(root), "--db", str(db)])
    assert result.exit_code == 1, result.output
    assert "(300 MiB, fmtr build --worker-memory)" in result.output


def test_a_200_mb_html_page_is_refused_before_it_is_read(copy: tuple[Path, Path, str]) -> None:
    """A 200 MB HTML page took 6.85 GB and loaded 1.7 million rows, all "reconciled". Made
    sparse here: its size refuses it before fmtr reads a byte of it."""
    root, db, digest = copy
    with (root / HTML).open("r+b") as fh:
        fh.truncate(200 * 10**6)
    write_manifest(root, ROWS)
    error = assert_one_clear_error(root, db, digest, HTML)
    assert error == (
        f"error {HTML}: implausible for a report: 190.7 MiB, over the 16 MiB an HTML file may "
        "have (the largest of the report is 0.9 MiB): not read"
    )


def test_an_html_page_with_far_more_rows_than_a_page_holds_is_refused(
    copy: tuple[Path, Path, str],
) -> None:
    """The real page three times over (804 rows) under a capacity lowered to 500 rows (the
    default, 30,000, is ten times the fullest page of the report)."""
    root, db, digest = copy
    (root / HTML).write_bytes((root / HTML).read_bytes() * 3)
    write_manifest(root, ROWS)
    error = assert_one_clear_error(root, db, digest, HTML, "--max-rows-per-html-page", "500")
    assert error.endswith(
        "implausible for a report: 804 training rows on one page, where an HTML page of the "
        "report holds at most 500: not loaded"
    )


def test_a_pdf_page_with_more_rows_than_it_can_hold_is_refused_naming_the_page(
    copy: tuple[Path, Path, str],
) -> None:
    root, db, digest = copy
    (root / PDF).write_bytes((root / PDF).read_bytes() + b"\n")  # changed, so it is read again
    write_manifest(root, ROWS)
    error = assert_one_clear_error(root, db, digest, PDF, "--max-rows-per-pdf-page", "5")
    assert f"error {PDF}, page " in error and "where a PDF page of the report holds at most 5" in (
        error
    )


def test_the_limits_stand_an_order_of_magnitude_above_the_corpus(corpus: Path) -> None:
    """The documented figures the limits stand on: every corpus file is far under them."""
    limits = BuildSettings()
    sizes = {
        kind: max(
            p.stat().st_size
            for p in corpus.rglob("*")
            if p.suffix.lower() in ((".pdf",) if kind == "pdf" else (".html", ".htm"))
        )
        for kind in ("pdf", "html")
    }
    assert sizes["pdf"] * 10 < limits.max_pdf_mb << 20
    assert sizes["html"] * 10 < limits.max_html_mb << 20
    assert os.path.getsize(corpus / "FY2008-2009/152774.pdf") == sizes["pdf"]
