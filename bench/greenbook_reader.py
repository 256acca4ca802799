"""Benchmark: reading the Greenbook workbook (75,009 rows x 9 columns) with each candidate xlsx
reader, and fmtr's whole funding load (read, clean, store) beside them.

Each reader runs in a fresh process (its import counted: a build pays it once) and must hand
back every row as Python values; the median of ``--repeat`` runs is printed with the ratio to
openpyxl, the anchor. Readers that are not installed are skipped with a note (fmtr installs
only python-calamine; `pip install openpyxl pandas fastexcel` to compare). Then fmtr's own
load is timed phase by phase into a fresh SQLite database. Usage:

    python bench/greenbook_reader.py [--funding ../shared/fmtr-funding] [--repeat 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# name -> (module that must be importable, code that reads every row of sheet 0 of P into
# Python values and sets n to the number of rows)
READERS = {
    "python-calamine": (
        "python_calamine",
        "from python_calamine import CalamineWorkbook\n"
        "rows = CalamineWorkbook.from_path(P).get_sheet_by_index(0).to_python("
        "skip_empty_area=False)\nn = len(rows)",
    ),
    "openpyxl (read_only)": (
        "openpyxl",
        "import openpyxl\nwb = openpyxl.load_workbook(P, read_only=True, data_only=True)\n"
        "rows = list(wb.worksheets[0].iter_rows(values_only=True))\nn = len(rows)",
    ),
    "pandas + calamine": (
        "pandas",
        "import pandas as pd\ndf = pd.read_excel(P, engine='calamine', header=None)\n"
        "rows = list(df.itertuples(index=False, name=None))\nn = len(rows)",
    ),
    "fastexcel": (
        "fastexcel",
        "import fastexcel\n"
        "t = fastexcel.read_excel(P).load_sheet(0, header_row=None, dtypes='string').to_arrow()\n"
        "rows = list(zip(*[c.to_pylist() for c in t.columns]))\nn = len(rows)",
    ),
}
ANCHOR = "openpyxl (read_only)"


def time_reader(path: Path, code: str) -> tuple[float, int]:
    script = f"P = {str(path)!r}\n{code}\nprint(n)"
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, int(out.stdout.strip())


def time_fmtr_load(path: Path) -> dict[str, float]:
    """fmtr's load, phase by phase, into a fresh database (in this process)."""
    from fmtr.clean.funding import clean_greenbook
    from fmtr.extract.greenbook import read_greenbook
    from fmtr.sources.catalog import read_funding_catalog
    from fmtr.store.db import open_database
    from fmtr.store.funding import replace_funding

    dataset = read_funding_catalog()[0]
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{tmp}/bench.sqlite", building=True)
        t0 = time.perf_counter()
        sheet = read_greenbook(path, dataset.sheet, dataset.file)
        t1 = time.perf_counter()
        clean = clean_greenbook(sheet)
        t2 = time.perf_counter()
        with engine.begin() as conn:
            replace_funding(
                conn,
                dataset,
                clean,
                header_row=sheet.header_row,
                sha256=dataset.sha256,
                build_run_id=None,
                seconds=None,
            )
        t3 = time.perf_counter()
        engine.dispose()
    return {"read": t1 - t0, "clean": t2 - t1, "store": t3 - t2, "total": t3 - t0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--funding", type=Path, default=Path("../shared/fmtr-funding"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = args.funding / "us_foreignaid_greenbook.xlsx"
    if not path.is_file():
        sys.exit(f"no Greenbook workbook at {path}")
    medians: dict[str, float] = {}
    for name, (module, code) in READERS.items():
        if importlib.util.find_spec(module) is None:
            print(f"{name:22s} not installed: skipped")
            continue
        runs = [time_reader(path, code) for _ in range(args.repeat)]
        medians[name] = statistics.median(t for t, _ in runs)
        print(
            f"{name:22s} {medians[name]:6.2f} s median of {args.repeat} "
            f"(runs {', '.join(f'{t:.2f}' for t, _ in runs)}; {runs[0][1]:,} rows)"
        )
    if ANCHOR in medians:
        for name, t in medians.items():
            print(f"{name:22s} {t / medians[ANCHOR]:5.2f} x openpyxl")
    phases = [time_fmtr_load(path) for _ in range(args.repeat)]
    print(
        "fmtr load (median): "
        + ", ".join(
            f"{k} {statistics.median(p[k] for p in phases):.2f} s"
            for k in ("read", "clean", "store", "total")
        )
    )


if __name__ == "__main__":
    main()
