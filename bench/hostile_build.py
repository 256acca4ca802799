"""What a decompression bomb costs a build, with and without the worker's memory ceiling.

Makes a small corpus in a temporary folder: a 10 kB PDF whose page content inflates to 4 GiB
(tests/reliability/hostile_kit.py) in place of FY2016-2017/Africa.pdf, beside the real
FY1999-2000 South Asia HTML page. Runs `fmtr build --jobs 1` on it with each ceiling given and
prints, for each run: the time, the peak memory of every fmtr process (VmPeak: address space,
VmHWM: resident, both the kernel's high-water marks), the error lines and the rows loaded.
With --corpus-only it runs nothing and prints each fmtr process's peaks for a plain build of
the corpus given (what the default ceiling is measured against). Usage:

    python bench/hostile_build.py --corpus ../shared/fmtr-corpus [--ceilings 0 1024]
    python bench/hostile_build.py --corpus ../shared/fmtr-corpus --corpus-only
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE.parent / "tests" / "reliability")]


def _descendants(root: int) -> set[int]:
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parent[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, changed = {root}, True
    while changed:
        changed = False
        for pid, ppid in parent.items():
            if ppid in found and pid not in found:
                found.add(pid)
                changed = True
    return found


def peaks(cmd: list[str]) -> tuple[int, float, str, dict[int, tuple[str, int, int]]]:
    """Run ``cmd``; its exit code, seconds, stderr and {pid: (role, VmPeak, VmHWM)} in kB."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: dict[int, tuple[str, int, int]] = {}
    while proc.poll() is None:
        for pid in _descendants(proc.pid):
            try:
                with open(f"/proc/{pid}/status") as fh:
                    status = dict(line.split(":", 1) for line in fh if ":" in line)
                with open(f"/proc/{pid}/cmdline") as fh:
                    worker = "multiprocessing" in fh.read()
            except OSError:
                continue
            peak = int(status.get("VmPeak", "0 kB").split()[0])
            hwm = int(status.get("VmHWM", "0 kB").split()[0])
            was, p0, h0 = seen.get(pid, ("build", 0, 0))
            # A worker starts as a fork of the build and ends as a zombie without a command line.
            role = "worker" if worker or was == "worker" else "build"
            seen[pid] = (role, max(p0, peak), max(h0, hwm))
        time.sleep(0.05)
    err = proc.stderr.read() if proc.stderr else ""
    return proc.returncode, time.perf_counter() - t0, err, seen


def report(title: str, result: tuple[int, float, str, dict[int, tuple[str, int, int]]]) -> None:
    code, secs, err, seen = result
    print(f"{title}: exit {code} in {secs:.1f} s")
    for pid, (role, peak, hwm) in sorted(seen.items()):
        if peak > 50_000:  # the multiprocessing resource tracker and the like are left out
            print(
                f"  {role:6} pid {pid}: VmPeak {peak / 1024:6.0f} MiB, VmHWM {hwm / 1024:6.0f} MiB"
            )
    for line in err.splitlines():
        if line.startswith(("error ", "fmtr: ")):
            print(f"  {line}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path(os.environ.get("FMTR_CORPUS", "")))
    ap.add_argument("--ceilings", type=int, nargs="+", default=[0, 1024])
    ap.add_argument("--corpus-only", action="store_true")
    args = ap.parse_args()
    fmtr = str(Path(sys.executable).parent / "fmtr")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.corpus_only:
            cmd = [fmtr, "build", "--corpus", str(args.corpus), "--db", str(work / "full.sqlite")]
            report("full corpus", peaks(cmd))
            return
        from hostile_kit import HTML, PDF, ROWS, bomb_pdf

        from corpus_kit import write_manifest

        root = work / "corpus"
        (root / "FY2016-2017").mkdir(parents=True)
        (root / "FY1999-2000").mkdir()
        (root / PDF).write_bytes(bomb_pdf(4 << 30))
        (root / HTML).write_bytes((args.corpus / HTML).read_bytes())
        write_manifest(root, ROWS)
        print(f"{PDF}: {(root / PDF).stat().st_size:,} bytes, its page inflates to 4 GiB")
        for ceiling in args.ceilings:
            db = work / f"bomb-{ceiling}.sqlite"
            cmd = [fmtr, "build", "--corpus", str(root), "--db", str(db), "--jobs", "1"]
            report(f"--worker-memory {ceiling}", peaks([*cmd, "--worker-memory", str(ceiling)]))
            con = sqlite3.connect(db)
            (rows,) = con.execute("SELECT count(*) FROM training").fetchone()
            con.close()
            print(f"  rows loaded: {rows:,} (the HTML page has 268)")


if __name__ == "__main__":
    main()
