"""Benchmark: a full `fmtr build` from scratch beside poppler's `pdftohtml -xml` on the same PDFs.

Both are timed in the same run on the same machine; the script prints each time, the ratio
fmtr / pdftohtml, fmtr's peak memory (all its processes together, sampled from /proc) and the
time of an unchanged re-run, and how long the build took after its last document was stored
(from its own debug log). Usage:

    python bench/build.py --corpus ../shared/fmtr-corpus [--repeat 3] [--jobs N]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time and peak memory of the process tree of ``cmd``."""
    elapsed, peak, _ = timed_with_log(cmd, env)
    return elapsed, peak


def timed_with_log(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Wall time, peak memory and standard error of the process tree of ``cmd``."""
    peak = 0
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        # Every 0.25 s: reading /proc costs CPU that the measured command would otherwise use.
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - t0
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode()[-500:]}")
    return elapsed, peak, err.decode(errors="replace")


# The build's own steps, logged at debug level (fmtr.pipeline): seconds since its start.
_STEP = re.compile(r"DEBUG fmtr\.pipeline: ([\d.]+) s: (.+)$", re.M)


def tail_seconds(log: str) -> float | None:
    """Seconds from the last document stored to the figures written: the serial tail."""
    steps = {what: float(at) for at, what in _STEP.findall(log)}
    start = steps.get("every document in, the figures start")
    end = steps.get("names, figures and statistics written")
    return None if start is None or end is None else end - start


def pdf_files(corpus: Path) -> list[Path]:
    with (corpus / "manifest.tsv").open() as fh:
        files = {row["file"] for row in csv.DictReader(fh, delimiter="\t")}
    return sorted(corpus / f for f in files if f.endswith(".pdf"))


def run_pdftohtml(files: list[Path], out: Path) -> None:
    for f in files:
        subprocess.run(
            ["pdftohtml", "-xml", "-i", "-q", str(f), str(out / f.stem)],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path(os.environ.get("FMTR_CORPUS", "")))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    if not (args.corpus / "manifest.tsv").exists():
        sys.exit("no corpus: pass --corpus DIR or set FMTR_CORPUS")
    if shutil.which("pdftohtml") is None:
        sys.exit("pdftohtml not found: apt-get install poppler-utils")
    fmtr = str(Path(sys.executable).parent / "fmtr")
    files = pdf_files(args.corpus)

    anchor, full, rerun, peaks = [], [], [], []
    tails: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for _ in range(args.repeat):
            out = work / "xml"
            out.mkdir(exist_ok=True)
            anchor_cmd = [sys.executable, __file__, "--pdftohtml-only", str(args.corpus), str(out)]
            anchor.append(timed(anchor_cmd)[0])
            shutil.rmtree(out)

            db = work / "fmtr.sqlite"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            build = [fmtr, "build", "--corpus", str(args.corpus), "--db", str(db)]
            build += ["--jobs", str(args.jobs)]
            secs, peak, log = timed_with_log(build, {**os.environ, "FMTR_LOG_LEVEL": "debug"})
            full.append(secs)
            peaks.append(peak)
            if (tail := tail_seconds(log)) is not None:
                tails.append(tail)
            rerun.append(timed(build)[0])

    med = statistics.median
    print(
        f"PDF files: {len(files)} (HTML files are not in pdftohtml's share), repeat {args.repeat}"
    )
    print(f"pdftohtml -xml, sequential:     median {med(anchor):6.2f} s  (min {min(anchor):.2f})")
    print(
        f"fmtr build from scratch, -j {args.jobs}: median {med(full):6.2f} s  (min {min(full):.2f})"
    )
    print(f"ratio fmtr / pdftohtml:         {med(full) / med(anchor):6.2f}x")
    if tails:  # from the last document stored to the names and figures written
        print(f"  of which after the last document: median {med(tails):6.2f} s")
    print(f"fmtr peak memory (all procs):   {max(peaks) / 2**20:6.0f} MiB")
    print(f"fmtr build, unchanged re-run:   median {med(rerun):6.2f} s")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--pdftohtml-only":
        run_pdftohtml(pdf_files(Path(sys.argv[2])), Path(sys.argv[3]))
    else:
        main()
