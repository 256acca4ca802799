"""A build that fills its disk stops with one line, removes its temporary files and leaves the
served database as it was.

The disk is a real one: a small tmpfs, mounted in a private mount namespace (`unshare`), so that
SQLite meets ENOSPC where it writes (the copy, the rows, the WAL, the final checkpoint) and
nothing of the mount outlives the test. Before this, such a build printed a 36-line traceback
(243 on a wide terminal) and left `.building`, `-wal` and `-shm` files filling the disk.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from corpus_kit import cut_pdf, write_manifest

FMTR = [sys.executable, "-m", "fmtr"]

# Run inside the namespace, after the mount: serve the small database from the tmpfs, rebuild
# it from a larger corpus, and report what is left.
DRIVER = textwrap.dedent(
    """
    import json, shutil, subprocess, sys
    from pathlib import Path
    from test_crash import content_digest

    disk, served, corpus, out = map(Path, sys.argv[1:5])
    db = disk / "fmtr.sqlite"
    shutil.copy(served, db)
    before = content_digest(db)
    run = subprocess.run(
        [sys.executable, "-m", "fmtr", "build", "--corpus", str(corpus), "--db", str(db),
         "--jobs", "1"],
        capture_output=True, text=True,
    )
    out.write_text(json.dumps({
        "code": run.returncode,
        "stderr": run.stderr.splitlines(),
        "files": sorted(p.name for p in disk.iterdir()),
        "same": content_digest(db) == before,
        "free": shutil.disk_usage(disk).free,
        "size": shutil.disk_usage(disk).total,
        "db_bytes": db.stat().st_size,
    }))
    """
)


def _namespace() -> list[str]:
    if shutil.which("unshare") is None:
        pytest.skip("needs util-linux's unshare to mount a small disk in a private namespace")
    # Root needs only a mount namespace; anyone else maps themselves to root in a user one.
    user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    return ["unshare", *user, "--mount", "--propagation", "private"]


@pytest.fixture(scope="module")
def corpora(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A database of 3 real pages, and a corpus of 28 pages that needs about 4 times its room."""
    from typer.testing import CliRunner

    from fmtr.cli.app import app

    base = tmp_path_factory.mktemp("diskfull")
    small, large = base / "small", base / "large"
    for root, pages in ((small, [2, 3, 4]), (large, list(range(2, 30)))):
        (root / "FY2016-2017").mkdir(parents=True)
        cut_pdf(corpus / "FY2016-2017/Africa.pdf", pages, root / "FY2016-2017/Africa.pdf")
        write_manifest(root, [("FY2016-2017", "Africa", "FY2016-2017/Africa.pdf", "")])
    db = base / "served.sqlite"
    # Without the user's FMTR_FUNDING: its 75,002 rows would fill the small disks for another
    # reason than the one under test.
    result = CliRunner(env={"FMTR_FUNDING": None}).invoke(
        app, ["build", "--corpus", str(small), "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    return db, large


# Room for (the served database being 370-450 kB as the schema grows): not even the copy (1.1
# times the served database), the copy but not the rows (1.9 times), the rows but not the final
# checkpoint (2 MB).
@pytest.mark.parametrize("size", ["1.1x", "1.9x", "2m"])
def test_a_build_that_fills_the_disk_says_so_in_one_line_and_cleans_up(
    corpora: tuple[Path, Path], tmp_path: Path, size: str
) -> None:
    served, corpus = corpora
    if size.endswith("x"):
        size = f"{int(float(size[:-1]) * served.stat().st_size / 1024)}k"
    disk, out = tmp_path / "disk", tmp_path / "result.json"
    disk.mkdir()
    (tmp_path / "driver.py").write_text(DRIVER)
    tests = Path(__file__).resolve().parents[1]
    script = (
        f'mount -t tmpfs -o size={size} tmpfs "$1" && shift && exec "$@"'  # $1: the mount point
    )
    command = [*_namespace(), "sh", "-c", script, "sh", str(disk)]
    command += [sys.executable, str(tmp_path / "driver.py"), str(disk), str(served), str(corpus)]
    command += [str(out)]
    # The user's FMTR_FUNDING would add the Greenbook's 75,002 rows to this small build (and
    # fill the small disk for another reason than the one under test).
    env = {
        **{k: v for k, v in os.environ.items() if k != "FMTR_FUNDING"},
        "PYTHONPATH": os.pathsep.join([str(tests), os.environ.get("PYTHONPATH", "")]),
    }
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    if not out.exists() and "mount" in run.stderr:
        pytest.skip(f"cannot mount a tmpfs in a private namespace here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    assert result["code"] == 1, result
    assert len(result["stderr"]) == 1, result["stderr"]
    line = result["stderr"][0]
    assert re.fullmatch(
        r"fmtr: the disk is full: the build of \S+/fmtr\.sqlite stopped; its temporary files "
        r"were removed \([\d.,]+ MiB free now\) and the served database is as it was",
        line,
    ), line
    assert result["files"] == ["fmtr.sqlite", "fmtr.sqlite.lock"], result["files"]
    assert result["same"]
    # The space the build took is given back: only the database and its lock file remain.
    assert result["size"] - result["free"] <= result["db_bytes"] + 16 * 1024, result
