"""A build killed with SIGKILL at any moment leaves the served database as it was, and the next
build gives the same content as an uninterrupted one."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus_kit import connect, cut_pdf, write_manifest

FMTR = [sys.executable, "-m", "fmtr"]


def content_digest(db: Path) -> str:
    """Digest of everything loaded, independent of row ids and load order."""
    con = connect(f"file:{db}?mode=ro", uri=True)
    h = hashlib.sha256()
    queries = [
        "SELECT e.name, d.file, d.sha256, d.url, d.pages FROM document d "
        "JOIN edition e ON e.id = d.edition_id ORDER BY d.file",
        "SELECT d.file, b.seq, b.heading, b.country_code, b.programme_code, b.fy, b.counted "
        "FROM programme_block b JOIN document d ON d.id = b.document_id ORDER BY d.file, b.seq",
        "SELECT d.file, b.seq, t.seq, t.page, t.course_title, t.student_unit, t.quantity, "
        "t.cost, t.cost_cents, t.flags FROM training t JOIN programme_block b ON b.id = "
        "t.block_id JOIN document d ON d.id = b.document_id ORDER BY d.file, b.seq, t.seq",
        "SELECT d.file, b.seq, p.seq, p.label, p.quantity, p.cost, p.status FROM printed_total p "
        "JOIN programme_block b ON b.id = p.block_id JOIN document d ON d.id = b.document_id "
        "ORDER BY d.file, b.seq, p.seq",
    ]
    for q in queries:
        for row in con.execute(q):
            h.update(repr(row).encode())
    con.close()
    return h.hexdigest()


def run_build(corpus: Path, db: Path) -> subprocess.CompletedProcess[str]:
    cmd = [*FMTR, "build", "--corpus", str(corpus), "--db", str(db), "--jobs", "2"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


@pytest.fixture()
def two_corpora(corpus: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Version 1 and version 2 of a small corpus: v2 changes one file and adds one."""
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    for root in (v1, v2):
        (root / "FY2016-2017").mkdir(parents=True)
        (root / "FY1999-2000").mkdir()
        html = "FY1999-2000/cta_sasia_all.html"
        (root / html).write_bytes((corpus / html).read_bytes())
    cut_pdf(corpus / "FY2016-2017/Africa.pdf", [2, 3], v1 / "FY2016-2017/Africa.pdf")
    cut_pdf(corpus / "FY2016-2017/Africa.pdf", [2, 3, 4, 5, 6], v2 / "FY2016-2017/Africa.pdf")
    cut_pdf(corpus / "FY2016-2017/Europe.pdf", list(range(2, 12)), v2 / "FY2016-2017/Europe.pdf")
    rows = [
        ("FY2016-2017", "Africa", "FY2016-2017/Africa.pdf", ""),
        ("FY1999-2000", "South Asia", "FY1999-2000/cta_sasia_all.html", "HTML"),
    ]
    write_manifest(v1, rows)
    write_manifest(v2, [*rows, ("FY2016-2017", "Europe", "FY2016-2017/Europe.pdf", "")])
    return v1, v2


def test_killed_builds_change_nothing_and_rebuild_matches(
    two_corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    v1, v2 = two_corpora
    # The reference: v1 then v2, uninterrupted.
    ref = tmp_path / "ref.sqlite"
    assert run_build(v1, ref).returncode == 0
    t0 = time.perf_counter()
    assert run_build(v2, ref).returncode == 0
    duration = time.perf_counter() - t0
    expected = content_digest(ref)

    db = tmp_path / "served.sqlite"
    assert run_build(v1, db).returncode == 0
    before = content_digest(db)
    assert before != expected

    # Kill the v2 build at several points of its run, from start-up to the swap.
    for share in (0.05, 0.3, 0.6, 0.85, 0.97):
        cmd = [*FMTR, "build", "--corpus", str(v2), "--db", str(db), "--jobs", "2"]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(duration * share)
        os.killpg(proc.pid, signal.SIGKILL)  # the build and its worker processes
        proc.wait()
        digest = content_digest(db)
        # Either the kill came before the swap (nothing changed) or after it (all of v2).
        assert digest in (before, expected), f"partial database after a kill at {share:.0%}"
        if digest == expected:
            break  # the build had finished: later kill points cannot say more

    result = run_build(v2, db)
    assert result.returncode == 0, result.stderr
    assert content_digest(db) == expected
    # The full-text index, kept up to date document by document, agrees with the rows.
    con = connect(db)
    con.execute("INSERT INTO training_fts(training_fts, rank) VALUES ('integrity-check', 1)")
    con.close()


def test_a_second_build_at_once_is_refused_clearly(
    two_corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    from fmtr.store.swap import BuildLocked, build_lock

    _, v2 = two_corpora
    db = tmp_path / "db.sqlite"
    with build_lock(db):
        result = run_build(v2, db)
    assert result.returncode == 3
    assert "another fmtr build" in result.stderr and str(db) in result.stderr
    assert f"(pid {os.getpid()})" in result.stderr  # the holder, read from the lock file
    assert not db.exists()
    with build_lock(db), pytest.raises(BuildLocked), build_lock(db):  # and in-process
        pass
