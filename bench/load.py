"""A bounded load test of `fmtr serve`, on loopback only.

    python bench/load.py --db /tmp/you/fmtr.sqlite [--clients 50] [--seconds 60]

Starts `fmtr serve` on 127.0.0.1 on a free port, runs ``--clients`` concurrent clients for
``--seconds`` over a mix of API endpoints and explorer pages (values drawn from the database),
then prints requests, errors (any non-2xx answer or transport failure), p50/p95/p99 latency,
and the server's resident memory at start, after warm-up and at the end. Exit status 1 when any
request failed. Nothing but 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

HOST = "127.0.0.1"
LOG = Path(tempfile.gettempdir()) / "fmtr-load-server.log"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _tree(pid: int) -> list[int]:
    """The process and its descendants (`fmtr serve --processes N` forks uvicorn workers)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += _tree(int(child))
    return found


def rss_mib(pid: int) -> float:
    """Resident memory of the server, all its processes together, from /proc (Linux)."""
    total = 0
    for each in _tree(pid):
        try:
            status = Path(f"/proc/{each}/status").read_text()
        except FileNotFoundError:
            continue  # a worker that just exited
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def request_mix(db: Path, rng: random.Random) -> list[str]:
    """The paths the clients draw from: real codes, ids and words of this database."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    countries = [
        r[0]
        for r in con.execute(
            "SELECT country_code FROM programme_block WHERE counted = 1 "
            "AND country_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 40"
        )
    ]
    ids = [r[0] for r in con.execute("SELECT id FROM training ORDER BY random() LIMIT 200")]
    con.close()
    paths = [
        "/api/v1/summary",
        "/api/v1/editions",
        "/api/v1/countries?limit=50",
        "/api/v1/programmes",
        "/api/v1/programmes/IMET/trend",
        "/api/v1/top?programme=IMET&from=FY2003&to=FY2017",
        "/api/v1/units?q=army",
        "/api/v1/units?q=naval",
        "/",
    ]
    for code in rng.sample(countries, min(10, len(countries))):
        paths += [
            f"/api/v1/countries/{code}",
            f"/api/v1/training?country={code}&limit=100",
            f"/api/v1/compare?country={code}&country={countries[0]}",
            f"/country/{code}",
        ]
    paths += [f"/api/v1/training/{i}" for i in ids[:40]]
    return paths


async def client(
    http: httpx.AsyncClient,
    paths: list[str],
    until: float,
    seed: int,
    latencies: list[float],
    errors: Counter[str],
) -> None:
    rng = random.Random(seed)
    while time.perf_counter() < until:
        path = rng.choice(paths)
        t0 = time.perf_counter()
        try:
            response = await http.get(path)
            if response.status_code >= 300:
                errors[f"{response.status_code} {path.split('?')[0]}"] += 1
        except httpx.HTTPError as exc:
            errors[f"{type(exc).__name__} {path.split('?')[0]}"] += 1
        latencies.append(time.perf_counter() - t0)


async def run(
    base: str, paths: list[str], clients: int, seconds: float
) -> tuple[list[float], Counter[str]]:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *(client(http, paths, until, i, latencies, errors) for i in range(clients))
        )
    return latencies, errors


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=1000)[int(share * 1000) - 1] if len(values) > 1 else 0


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "fmtr",
        "serve",
        "--db",
        str(db),
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-access-log",  # as the runs RELIABILITY.md quotes (before the access log)
    ]
    # The server's log goes to a file: a pipe nobody reads would fill and stall the server.
    log = open(LOG, "wb")  # noqa: SIM115 - the server holds it until it exits
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"fmtr serve exited: {LOG.read_text()[-2000:]}")
        try:
            httpx.get(f"http://{HOST}:{port}/api/v1/summary", timeout=2)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("fmtr serve did not answer within 60 s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--warmup", type=float, default=5.0, help="seconds of load before measuring")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if not args.db.exists():
        raise SystemExit(f"no database at {args.db}")
    paths = request_mix(args.db, random.Random(args.seed))
    port = free_port()
    server = start_server(args.db, port)
    base = f"http://{HOST}:{port}"
    try:
        rss_start = rss_mib(server.pid)
        # Warm-up fills caches and thread pools; memory is judged from there, not from start-up.
        asyncio.run(run(base, paths, args.clients, args.warmup))
        rss_warm = rss_mib(server.pid)
        t0 = time.perf_counter()
        latencies, errors = asyncio.run(run(base, paths, args.clients, args.seconds))
        wall = time.perf_counter() - t0
        rss_end = rss_mib(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            print("fmtr serve did not stop within 30 s of SIGTERM: killed")
            server.kill()
            server.wait()
    n = len(latencies)
    print(
        f"fmtr serve on {base}: {args.clients} clients for {args.seconds:.0f} s, "
        f"{len(paths)} distinct paths"
    )
    print(f"requests {n}  ({n / wall:.0f}/s)  errors {sum(errors.values())}")
    print(
        "latency ms  p50 {:.1f}  p95 {:.1f}  p99 {:.1f}  max {:.1f}".format(
            *(1000 * percentile(latencies, q) for q in (0.5, 0.95, 0.99)), 1000 * max(latencies)
        )
    )
    print(f"server RSS MiB  start {rss_start:.0f}  after warm-up {rss_warm:.0f}  end {rss_end:.0f}")
    for what, count in errors.most_common(10):
        print(f"  error {count} x {what}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
