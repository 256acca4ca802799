"""Run each question of fmtr.query 100 times on a database; print p50 and p95 (ms).

    .venv/bin/python bench/query.py --db data/fmtr.sqlite

Target: p95 under 50 ms for each question, under 20 ms for each money question (the Greenbook's
obligations; skipped with a note on a database built without them). The first call of `unit`
also loads the student-unit vocabulary (cached per database and build); it is timed apart as
"cold".
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from fmtr import query
from fmtr.query.history import timeline
from fmtr.store.db import open_read_only

QUESTIONS: list[tuple[str, Callable[[Any], Any]]] = [
    ("top IMET FY2003-FY2017", lambda db: query.top(db, "IMET", "FY2003", "FY2017")),
    ("top all programmes", lambda db: query.top(db)),
    ("country Pakistan", lambda db: query.country_profile(db, "Pakistan")),
    ("country Colombia", lambda db: query.country_profile(db, "Colombia")),
    ("series PAK IMET", lambda db: query.series(db, "PAK", "IMET")),
    ("units Fighter Conversion Unit", lambda db: query.units(db, "Fighter Conversion Unit")),
    ("units Special Forces", lambda db: query.units(db, "Special Forces")),
    ("units Brigade in Nigeria", lambda db: query.units(db, "Brigade", country="NGA")),
    (
        "unit page BGD Rapid Action Battalion",
        lambda db: query.unit_profile(db, "BGD", "Rapid Action Battalion"),
    ),
    (
        "courses Command and General Staff",
        lambda db: query.courses(db, "Command and General Staff"),
    ),
    (
        "course page Command and General Staff Officer",
        lambda db: query.course_profile(db, "Command General Staff Officer Course"),
    ),
    ("search Fort Benning", lambda db: query.search(db, "Fort Benning")),
    ("gaps IMET", lambda db: query.gaps(db, "IMET")),
    ("gaps any programme", lambda db: query.gaps(db)),
    ("export PAK IMET rows", lambda db: query.select_rows(db, country="PAK", programme="IMET")),
]

FUNDING_QUESTIONS: list[tuple[str, Callable[[Any], Any]]] = [
    ("funding series PAK IMET", lambda db: query.funding_series(db, "PAK", "IMET")),
    ("funding series PAK every account", lambda db: query.funding_series(db, "PAK")),
    (
        "funding top IMET FY2003-FY2017",
        lambda db: query.funding_top(db, "IMET", "FY2003", "FY2017"),
    ),
    (
        "funding top FMF constant",
        lambda db: query.funding_top(db, "FMF", constant=True),
    ),
    ("largest IMET FY2003-FY2017", lambda db: query.largest(db, "IMET", "FY2003", "FY2017")),
    ("largest IMET all years", lambda db: query.largest(db, "IMET")),
    ("obligations and courses PAK", lambda db: query.obligations_and_courses(db, "PAK")),
    ("timeline PAK IMET (FY1950-)", lambda db: timeline(db, "PAK", "IMET")),
    ("timeline COL all programmes", lambda db: timeline(db, "COL")),
]


def _time(engine: Any, questions: list[tuple[str, Callable[[Any], Any]]], n: int) -> float:
    worst = 0.0
    for name, ask in questions:
        t = time.perf_counter()
        ask(engine)
        cold = (time.perf_counter() - t) * 1000
        times = []
        for _ in range(n):
            t = time.perf_counter()
            ask(engine)
            times.append((time.perf_counter() - t) * 1000)
        q = statistics.quantiles(times, n=100)
        worst = max(worst, q[94])
        print(f"{name:36} {cold:8.1f} {q[49]:8.1f} {q[94]:8.1f}")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None)
    parser.add_argument("-n", type=int, default=100)
    args = parser.parse_args()
    engine = open_read_only(args.db)  # a benchmark reads: a stale index is an error
    print(f"{'question':36} {'cold':>8} {'p50':>8} {'p95':>8}  (ms, n={args.n})")
    worst = _time(engine, QUESTIONS, args.n)
    print(f"worst p95 {worst:.1f} ms: {'within' if worst < 50 else 'OVER'} the 50 ms target")
    try:
        query.funding_series(engine, "PAK")
    except query.NoFundingData:
        print("money questions skipped: the database holds no funding data")
        return
    worst = _time(engine, FUNDING_QUESTIONS, args.n)
    print(f"worst money p95 {worst:.1f} ms: {'within' if worst < 20 else 'OVER'} the 20 ms target")


if __name__ == "__main__":
    main()
