"""Load fmtr's API and Datasette with the same questions, on loopback, and compare p95.

    python bench/serve.py --db data/fmtr.sqlite [--clients 20] [--requests 400]

Both servers read the same SQLite file. Four questions: a country's series, the top IMET
recipients FY2003-FY2017, a student-unit search, and one training row with its provenance;
Datasette answers each with SQL equivalent to fmtr's, through its JSON API. Requests are
bounded (``--requests`` per question and server) and only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

HOST = "127.0.0.1"

COUNTRY_SQL = """
SELECT b.fy, coalesce(b.programme_code, '?') AS programme_code,
       coalesce(sum(t.quantity_value), 0) AS trainees,
       coalesce(sum(t.cost_cents), 0) AS cost_cents, count(t.id) AS rows
FROM programme_block b JOIN training t ON t.block_id = b.id
WHERE b.country_code = :code AND b.counted = 1 AND b.fy IS NOT NULL
GROUP BY b.fy, b.programme_code ORDER BY b.fy, b.programme_code
"""
TOP_SQL = """
SELECT b.country_code, c.name, coalesce(sum(t.quantity_value), 0) AS trainees,
       coalesce(sum(t.cost_cents), 0) AS cost_cents, count(t.id) AS rows,
       count(DISTINCT b.fy) AS years
FROM programme_block b JOIN training t ON t.block_id = b.id
LEFT JOIN country c ON c.code = b.country_code
WHERE b.counted = 1 AND b.programme_code = :programme AND b.fy >= :fy_from AND b.fy <= :fy_to
GROUP BY b.country_code ORDER BY trainees DESC, b.country_code LIMIT 10
"""
UNIT_SQL = """
SELECT t.student_unit_key, group_concat(DISTINCT t.student_unit) AS variants,
       group_concat(DISTINCT b.country_code) AS countries,
       coalesce(sum(CASE WHEN b.counted = 1 THEN t.quantity_value END), 0) AS trainees,
       count(*) AS rows, min(b.fy) AS first_fy, max(b.fy) AS last_fy
FROM training t JOIN programme_block b ON b.id = t.block_id
WHERE t.student_unit_key LIKE :pattern
GROUP BY t.student_unit_key ORDER BY rows DESC, t.student_unit_key LIMIT 50
"""
ROW_SQL = """
SELECT t.*, b.heading, b.region, b.country, b.programme, b.fiscal_year, b.department,
       b.country_code, c.name AS country_name, b.programme_code, p.name AS programme_name,
       b.programme_variant, b.fy, b.counted, e.name AS edition, d.file, d.url, d.sha256,
       d.pages, d.report_page_offset,
       (SELECT json_group_array(json_object('label', label, 'status', status))
        FROM printed_total WHERE block_id = b.id) AS printed_totals
FROM training t JOIN programme_block b ON b.id = t.block_id
JOIN document d ON d.id = b.document_id JOIN edition e ON e.id = d.edition_id
LEFT JOIN country c ON c.code = b.country_code LEFT JOIN programme p ON p.code = b.programme_code
WHERE t.id = :id
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            sys.exit(f"server exited: {proc.args}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    sys.exit(f"server did not start: {url}")


async def load(urls: list[str], clients: int) -> list[float]:
    """Each of ``clients`` workers takes the next URL until all are done; seconds each."""
    queue = list(reversed(urls))
    times: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            while queue:
                url = queue.pop()
                t0 = time.perf_counter()
                r = await client.get(url)
                times.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    raise SystemExit(f"{r.status_code} from {url}: {r.text[:300]}")

        await asyncio.gather(*(worker() for _ in range(clients)))
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[94] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default=os.environ.get("FMTR_DB", "data/fmtr.sqlite"))
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=400, help="per question and server")
    ap.add_argument("--country", default="PAK")
    ap.add_argument("--unit", default="air force")
    args = ap.parse_args()
    db = Path(args.db).resolve()
    if not db.is_file():
        sys.exit(f"{db}: no database (run `fmtr build` first)")
    n = min(args.requests, 5000)
    rng = random.Random(1)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        top_id = conn.execute("SELECT max(id) FROM training").fetchone()[0]
    row_ids = [rng.randint(1, top_id) for _ in range(n)]

    bin_dir = Path(sys.executable).parent
    fmtr_port, ds_port = free_port(), free_port()
    fmtr_proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, uvicorn; from fmtr.web.app import create_app; "
            f"uvicorn.run(create_app(sys.argv[1]), host='{HOST}', port={fmtr_port}, "
            "log_level='warning')",
            str(db),
        ]
    )
    ds_proc = subprocess.Popen(
        [
            str(bin_dir / "datasette"),
            "serve",
            "-i",
            str(db),
            "-h",
            HOST,
            "-p",
            str(ds_port),
            "--setting",
            "sql_time_limit_ms",
            "10000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        fmtr = f"http://{HOST}:{fmtr_port}/api/v1"
        ds = f"http://{HOST}:{ds_port}/{db.stem}.json"
        wait_up(f"{fmtr}/summary", fmtr_proc)
        wait_up(f"http://{HOST}:{ds_port}/-/versions.json", ds_proc)

        def ds_url(sql: str, **params: object) -> str:
            return str(httpx.URL(ds, params={"sql": sql, "_shape": "array", **params}))

        questions = {
            "country": (
                [f"{fmtr}/countries/{args.country}/series"] * n,
                [ds_url(COUNTRY_SQL, code=args.country)] * n,
            ),
            "top": (
                [f"{fmtr}/top?programme=IMET&from=FY2003&to=FY2017&limit=10"] * n,
                [ds_url(TOP_SQL, programme="IMET", fy_from=2003, fy_to=2017)] * n,
            ),
            "unit search": (
                [str(httpx.URL(f"{fmtr}/units", params={"q": args.unit}))] * n,
                [ds_url(UNIT_SQL, pattern=f"%{args.unit}%")] * n,
            ),
            "row": (
                [f"{fmtr}/training/{i}" for i in row_ids],
                [ds_url(ROW_SQL, id=i) for i in row_ids],
            ),
        }
        print(f"{db}: {args.clients} concurrent clients, {n} requests per question and server")
        print(
            f"{'question':<12} {'fmtr p50':>9} {'fmtr p95':>9} {'ds p50':>9} {'ds p95':>9}"
            f" {'ratio':>6}  verdict"
        )
        failed = False
        for name, (ours, theirs) in questions.items():
            asyncio.run(load(ours[: args.clients], args.clients))  # warm both
            asyncio.run(load(theirs[: args.clients], args.clients))
            a = asyncio.run(load(ours, args.clients))
            b = asyncio.run(load(theirs, args.clients))
            ratio = p95(a) / p95(b)
            ok = p95(a) < 50 and ratio <= 1.0
            failed |= not ok
            print(
                f"{name:<12} {statistics.median(a) * 1000:>7.1f}ms {p95(a):>7.1f}ms "
                f"{statistics.median(b) * 1000:>7.1f}ms {p95(b):>7.1f}ms {ratio:>6.2f}  "
                f"{'ok' if ok else 'MISSED (p95 < 50 ms and no worse than Datasette)'}"
            )
        sys.exit(1 if failed else 0)
    finally:
        for proc in (fmtr_proc, ds_proc):
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
