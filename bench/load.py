"""Bounded load tests of `fmtr serve`, on loopback only.

    python bench/load.py --db /tmp/you/fmtr.sqlite [--scenario mix] [--clients 50] [--seconds 60]
    python bench/load.py --db DB --scenario idle      # 5,000 idle connections + a cheap probe
    python bench/load.py --db DB --scenario slow      # trickling headers, a 100 MB header + probe
    python bench/load.py --db DB --scenario heavy     # 5 heavy clients + a cheap probe
    python bench/load.py --db DB --scenario fair      # idle + heavy + probe (issue 16's goal)
    python bench/load.py --db DB --scenario flood     # 5,000 cache-busting questions, RSS sampled
    python bench/load.py --db DB --scenario all

Starts `fmtr serve` on 127.0.0.1 on a free port (``--processes``, 2 by default, and any
``--serve-option``), runs the scenario and prints its figures; nothing but 127.0.0.1 is
contacted, every scenario stops by itself after ``--seconds`` (plus its set-up), and every count
is bounded by its option. The server is the `fmtr` that ``python -m fmtr`` imports, so
``PYTHONPATH=/elsewhere/src python bench/load.py ...`` measures another checkout under the same
conditions (pass only the options that checkout knows).

- mix: ``--clients`` clients for ``--seconds`` over 89 distinct paths (API and pages, values
  drawn from the database): requests, errors, p50/p95/p99, RSS at start, after warm-up, at end.
- The probe (idle, slow, heavy, fair): one client asking light questions in turn (the summary, a
  country's series, the top recipients, one training row, a country page, the programmes page), each
  API one made distinct (an unknown parameter) so no cache answers it; p50/p95/max per run.
- idle: ``--idle`` connections opened and left silent (re-opened when the server closes them, at
  most 4 x ``--idle`` opens), the probe meanwhile; how many the server closed, its descriptors.
  The server starts with the descriptor limit of the shell (``ulimit -Sn 1024; python
  bench/load.py ...`` as on a system's usual default); the clients raise theirs.
- slow: ``--slow`` clients sending their headers a line a second, and one client sending a
  100 MB header (when it is refused, with which status, after how long), the probe meanwhile.
- heavy: ``--heavy`` clients asking deep pages (``--heavy-kind deep``: the training listing at
  offset 253,000 as in issue 16) or text searches and listings within the paging limit
  (``search``), all distinct; the probe meanwhile; the heavy answers' statuses.
- fair: idle + heavy + probe together: the figure issue 16 asks for (probe p95 under 100 ms).
- flood: ``--flood`` distinct questions (unit searches with one letter changed in common words,
  500-row pages of training rows, text searches, top recipients, countries' names) from
  ``--clients`` clients; each server process's RSS sampled every 0.2 s (max and end), errors,
  and whether the server still answers.

Exit status 1 when a probe or mix request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import random
import resource
import socket
import sqlite3
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"
LOG = Path(tempfile.gettempdir()) / "fmtr-load-server.log"
# The descriptor limit this script was started with: the server gets it (`ulimit -Sn 1024`
# measures a server on a system's usual default), the clients raise theirs to the hard limit.
GIVEN_FILES = resource.getrlimit(resource.RLIMIT_NOFILE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _tree(pid: int) -> list[int]:
    """The process and its descendants (`fmtr serve --processes N` starts N children)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in task.read_text().split():
                found += _tree(int(child))
    return found


def _rss(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rss_mib(pid: int) -> float:
    """Resident memory of the server, all its processes together, from /proc (Linux)."""
    return sum(_rss(p) for p in _tree(pid))


def servers(pid: int) -> list[int]:
    """The processes that serve: the children of `fmtr serve`, or itself when it has none."""
    return _tree(pid)[1:] or [pid]


def open_files(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=1000, method="inclusive")[int(share * 1000) - 1]


def ms(values: list[float]) -> str:
    if not values:
        return "no answers"
    p50, p95, top = (
        1000 * percentile(values, 0.5),
        1000 * percentile(values, 0.95),
        1000 * max(values),
    )
    return f"p50 {p50:.1f}  p95 {p95:.1f}  max {top:.1f} ms"


# --- what the clients ask ------------------------------------------------------------------


@dataclass
class Data:
    countries: list[str]
    ids: list[int]
    words: list[str]  # common words of student-unit names
    course_words: list[str]


def read_data(db: Path) -> Data:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    countries = [
        r[0]
        for r in con.execute(
            "SELECT country_code FROM programme_block WHERE counted = 1 "
            "AND country_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 40"
        )
    ]
    ids = [r[0] for r in con.execute("SELECT id FROM training ORDER BY random() LIMIT 200")]
    names = [r[0] for r in con.execute("SELECT key FROM unit_name ORDER BY rows DESC")]
    courses = [r[0] for r in con.execute("SELECT course_title FROM training LIMIT 20000")]
    con.close()

    def common(texts: list[str], n: int) -> list[str]:
        counts = Counter(w for t in texts for w in (t or "").lower().split() if w.isalpha())
        return [w for w, _ in counts.most_common(n * 2) if len(w) >= 4][:n]

    return Data(countries, ids, common(names, 200), common(courses, 200))


def request_mix(data: Data, rng: random.Random) -> list[str]:
    """The mix scenario's paths: real codes, ids and words of this database."""
    countries = data.countries
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
    paths += [f"/api/v1/training/{i}" for i in data.ids[:40]]
    return paths


def probe_paths(data: Data) -> list[str]:
    code = data.countries[0]
    return [
        "/api/v1/summary?probe={n}",
        f"/api/v1/countries/{code}/series?probe={{n}}",
        "/api/v1/top?programme=IMET&from=FY2003&to=FY2017&probe={n}",
        f"/api/v1/training/{data.ids[0]}?probe={{n}}",
        f"/country/{code}",
        "/programmes",
    ]


def one_letter(word: str, rng: random.Random) -> str:
    """``word`` with one letter changed, added or removed."""
    i = rng.randrange(len(word))
    c = rng.choice(string.ascii_lowercase)
    return rng.choice(
        [word[:i] + c + word[i + 1 :], word[:i] + c + word[i:], word[:i] + word[i + 1 :]]
    )


def flood_paths(data: Data, n: int, rng: random.Random) -> list[str]:
    """``n`` distinct questions no cache has seen (within every server's paging limits)."""
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        kind = rng.random()
        if kind < 0.45:
            words = [one_letter(rng.choice(data.words), rng) for _ in range(rng.choice((1, 2)))]
            path = f"/api/v1/units?q={'+'.join(words)}&limit=500"
        elif kind < 0.7:
            code = rng.choice(data.countries)
            path = f"/api/v1/training?country={code}&limit=500&offset={rng.randrange(0, 3000)}"
        elif kind < 0.85:
            word = rng.choice(data.course_words)
            path = f"/api/v1/search?q={word}&limit=500&offset={rng.randrange(0, 5) * 500}"
        elif kind < 0.93:
            a = rng.randrange(1999, 2020)
            b, limit = rng.randrange(a, 2021), rng.randrange(1, 300)
            path = f"/api/v1/top?from=FY{a}&to=FY{b}&limit={limit}"
        else:
            code = rng.choice(data.countries)
            what = rng.choice(["courses", "schools", "locations", "units"])
            path = f"/api/v1/countries/{code}/{what}?limit=500&offset={rng.randrange(0, 500)}"
        if path not in seen:
            seen.add(path)
            out.append(path)
    return out


def heavy_path(kind: str, data: Data, rng: random.Random, n: int) -> str:
    if kind == "deep":
        return f"/api/v1/training?limit=500&offset={253_000 + n}"
    word = rng.choice(data.course_words)
    return rng.choice(
        [
            f"/api/v1/search?q={word}&limit=500&offset={rng.randrange(0, 20) * 500}",
            f"/api/v1/training?q={word}&limit=500&offset={rng.randrange(0, 20) * 500}",
            f"/api/v1/training?limit=500&offset={rng.randrange(0, 10_000)}",
            f"/search?q={word}&limit=500&offset={rng.randrange(0, 20) * 500}",
        ]
    )


# --- the server ------------------------------------------------------------------------------


def start_server(
    db: Path, port: int, processes: int, options: list[str]
) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "fmtr", "serve", "--db", str(db), "--host", HOST]
    cmd += ["--port", str(port), "--processes", str(processes), "--no-access-log", *options]
    # The server's log goes to a file: a pipe nobody reads would fill and stall the server.
    log = open(LOG, "wb")  # noqa: SIM115 - the server holds it until it exits

    def as_given() -> None:  # the server starts with the descriptor limit the shell gave
        resource.setrlimit(resource.RLIMIT_NOFILE, GIVEN_FILES)

    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=as_given)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"fmtr serve exited: {LOG.read_text()[-2000:]}")
        try:
            httpx.get(f"http://{HOST}:{port}/api/v1/summary", timeout=2)
            # Every process up (each loads its unit index before it listens).
            time.sleep(3)
            return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("fmtr serve did not answer within 90 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        print("fmtr serve did not stop within 30 s of SIGTERM: killed")
        server.kill()
        server.wait()


# --- the scenarios' parts --------------------------------------------------------------------


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    by_path: dict[str, list[float]] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(n for s, n in self.statuses.items() if not s.startswith("2"))


async def probe(base: str, paths: list[str], until: float, out: Results) -> None:
    """Light questions in turn, one at a time, on a connection of the probe's own."""
    n = 0
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        while time.perf_counter() < until:
            path = paths[n % len(paths)].format(n=n)
            n += 1
            t0 = time.perf_counter()
            try:
                response = await http.get(path)
                out.statuses[str(response.status_code)] += 1
            except httpx.HTTPError as exc:
                out.statuses[type(exc).__name__] += 1
            out.latencies.append(time.perf_counter() - t0)
            out.by_path.setdefault(path.split("?")[0], []).append(out.latencies[-1])
            await asyncio.sleep(0.02)


async def asker(base: str, next_path: Callable[[], str | None], until: float, out: Results) -> None:
    """One client asking ``next_path()`` after another until ``until``."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        while time.perf_counter() < until:
            path = next_path()
            if path is None:
                return
            t0 = time.perf_counter()
            try:
                response = await http.get(path)
                out.statuses[str(response.status_code)] += 1
            except httpx.HTTPError as exc:
                out.statuses[type(exc).__name__] += 1
                await asyncio.sleep(0.1)
            out.latencies.append(time.perf_counter() - t0)


@dataclass
class Idle:
    wanted: int
    opened: int = 0
    closed_by_server: int = 0
    refused: int = 0
    writers: list[asyncio.StreamWriter] = field(default_factory=list)


async def _hold(port: int, idle: Idle, until: float) -> None:
    """One silent connection, opened again when the server closes it (within the budget)."""
    while time.perf_counter() < until and idle.opened < 4 * idle.wanted:
        idle.opened += 1
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            idle.refused += 1
            await asyncio.sleep(0.5)
            continue
        idle.writers.append(writer)
        try:
            left = until - time.perf_counter()
            if left <= 0:
                break
            await asyncio.wait_for(reader.read(1), timeout=left)
            idle.closed_by_server += 1  # closed (or, never here, answered)
        except (TimeoutError, OSError):
            pass
        finally:
            writer.close()
    return


async def idle_flood(port: int, n: int, until: float) -> Idle:
    idle = Idle(n)
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(_hold(port, idle, until)))
        if i % 200 == 199:
            await asyncio.sleep(0.05)  # do not overflow the listen backlog at once
    await asyncio.gather(*tasks, return_exceptions=True)
    return idle


async def _trickle(port: int, until: float, out: Counter[str]) -> None:
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError:
        out["refused"] += 1
        return
    try:
        writer.write(b"GET /api/v1/summary HTTP/1.1\r\nHost: x\r\n")
        while time.perf_counter() < until:
            writer.write(b"X-Slow: 1\r\n")
            await writer.drain()
            try:
                data = await asyncio.wait_for(reader.read(64), timeout=1.0)
            except TimeoutError:
                continue
            out[data.split(b"\r\n")[0].decode("latin-1") or "closed"] += 1
            return
        out["still open at the end"] += 1
    except OSError as exc:
        out[type(exc).__name__] += 1
    finally:
        writer.close()


async def huge_header(port: int, megabytes: int) -> str:
    """Send a request whose one header is ``megabytes`` MB, stopping when the server answers or
    closes; what it answered, after how long and how much was sent."""
    t0 = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, port)
    answer = asyncio.create_task(reader.read(200))
    sent = 0
    chunk = b"a" * 65536
    try:
        writer.write(b"GET /api/v1/summary HTTP/1.1\r\nHost: x\r\nX-Big: ")
        while sent < megabytes * 2**20 and not answer.done():
            writer.write(chunk)
            sent += len(chunk)
            await writer.drain()
        if not answer.done():
            writer.write(b"\r\n\r\n")
            await writer.drain()
    except OSError:
        pass
    try:
        got = await asyncio.wait_for(answer, timeout=30)
    except (OSError, TimeoutError):
        got = b""
    writer.close()
    took = time.perf_counter() - t0
    status = got.split(b"\r\n")[0].decode("latin-1") or "no answer"
    return f"{status!r} after {took:.2f} s, {sent / 2**20:.1f} MB sent"


def fds(server: subprocess.Popen[bytes]) -> str:
    return " + ".join(str(open_files(p)) for p in servers(server.pid))


# --- the scenarios -----------------------------------------------------------------------------


def run_mix(
    base: str, server: subprocess.Popen[bytes], data: Data, args: argparse.Namespace
) -> int:
    paths = request_mix(data, random.Random(args.seed))

    async def load(seconds: float) -> Results:
        out = Results()
        until = time.perf_counter() + seconds
        rngs = [random.Random(args.seed + i) for i in range(args.clients)]
        await asyncio.gather(
            *(asker(base, functools.partial(r.choice, paths), until, out) for r in rngs)
        )
        return out

    rss_start = rss_mib(server.pid)
    asyncio.run(load(args.warmup))
    rss_warm = rss_mib(server.pid)
    t0 = time.perf_counter()
    out = asyncio.run(load(args.seconds))
    wall = time.perf_counter() - t0
    rss_end = rss_mib(server.pid)
    n = len(out.latencies)
    print(f"mix: {args.clients} clients for {args.seconds:.0f} s, {len(paths)} distinct paths")
    print(f"  requests {n} ({n / wall:.0f}/s)  failed {out.failed}")
    print(
        "  latency ms  p50 {:.1f}  p95 {:.1f}  p99 {:.1f}  max {:.1f}".format(
            *(1000 * percentile(out.latencies, q) for q in (0.5, 0.95, 0.99)),
            1000 * max(out.latencies),
        )
    )
    print(
        f"  server RSS MiB  start {rss_start:.0f}  after warm-up {rss_warm:.0f}  end {rss_end:.0f}"
    )
    print(f"  statuses {dict(out.statuses)}")
    return 1 if out.failed else 0


def run_probe_alone(base: str, data: Data, seconds: float) -> Results:
    out = Results()
    asyncio.run(probe(base, probe_paths(data), time.perf_counter() + seconds, out))
    return out


def run_combined(
    name: str,
    base: str,
    port: int,
    server: subprocess.Popen[bytes],
    data: Data,
    args: argparse.Namespace,
    *,
    idle: int = 0,
    slow: int = 0,
    heavy: int = 0,
) -> int:
    quiet = run_probe_alone(base, data, min(5.0, args.seconds))
    rng = random.Random(args.seed)

    async def scenario() -> tuple[Results, Results, Idle | None, Counter[str], str, str]:
        until = time.perf_counter() + args.seconds
        probed, heavy_out, trickled = Results(), Results(), Counter[str]()
        tasks: list[asyncio.Task[object]] = []
        idle_task = asyncio.create_task(idle_flood(port, idle, until)) if idle else None
        for _ in range(slow):
            tasks.append(asyncio.create_task(_trickle(port, until, trickled)))
        counter = iter(range(10**9))
        for _ in range(heavy):
            tasks.append(
                asyncio.create_task(
                    asker(
                        base,
                        lambda: heavy_path(args.heavy_kind, data, rng, next(counter)),
                        until,
                        heavy_out,
                    )
                )
            )
        await asyncio.sleep(min(3.0, args.seconds / 4))  # the flood in place first
        descriptors = fds(server)
        big = asyncio.create_task(huge_header(port, 100)) if slow else None
        await probe(base, probe_paths(data), until, probed)
        big_result = await big if big else ""
        await asyncio.gather(*tasks, return_exceptions=True)
        held = await idle_task if idle_task else None
        return probed, heavy_out, held, trickled, big_result, descriptors

    probed, heavy_out, held, trickled, big, descriptors = asyncio.run(scenario())
    after = Results()
    with contextlib.suppress(httpx.HTTPError):
        t0 = time.perf_counter()
        response = httpx.get(f"{base}/api/v1/summary?after=1", timeout=30)
        after.statuses[str(response.status_code)] += 1
        after.latencies.append(time.perf_counter() - t0)
    print(
        f"{name}: {args.seconds:.0f} s; idle {idle}, slow {slow}, heavy {heavy} ({args.heavy_kind})"
    )
    print(f"  probe alone before   {ms(quiet.latencies)}  ({len(quiet.latencies)} answers)")
    print(
        f"  probe under load     {ms(probed.latencies)}  ({len(probed.latencies)} answers, "
        f"statuses {dict(probed.statuses)})"
    )
    for path, values in probed.by_path.items():
        print(f"    {path:<40} {ms(values)}")
    if held is not None:
        print(
            f"  idle connections: {held.opened} opened, {held.closed_by_server} closed by the "
            f"server, {held.refused} refused; server descriptors during the flood {descriptors}"
        )
    if heavy:
        print(
            f"  heavy answers {len(heavy_out.latencies)}: {ms(heavy_out.latencies)}, "
            f"statuses {dict(heavy_out.statuses)}"
        )
    if slow:
        print(f"  trickling clients: {dict(trickled)}")
        print(f"  100 MB header: {big}")
    print(f"  summary after the run: {dict(after.statuses)} {ms(after.latencies)}")
    return 1 if probed.failed or after.failed or not after.latencies else 0


def run_flood(
    base: str, server: subprocess.Popen[bytes], data: Data, args: argparse.Namespace
) -> int:
    paths = flood_paths(data, args.flood, random.Random(args.seed))
    procs = servers(server.pid)
    start = {p: _rss(p) for p in procs}
    peak = dict(start)
    out = Results()

    async def flood() -> float:
        queue = iter(paths)
        t0 = time.perf_counter()
        until = t0 + args.seconds
        done = asyncio.Event()

        async def sample() -> None:
            while not done.is_set():
                for p in procs:
                    peak[p] = max(peak[p], _rss(p))
                await asyncio.sleep(0.2)

        sampler = asyncio.create_task(sample())
        await asyncio.gather(
            *(asker(base, lambda: next(queue, None), until, out) for _ in range(args.clients))
        )
        done.set()
        await sampler
        return time.perf_counter() - t0

    wall = asyncio.run(flood())
    end = {p: _rss(p) for p in procs}
    check = Results()
    for path in ["/api/v1/summary", "/api/v1/units?q=army", "/"]:
        t0 = time.perf_counter()
        try:
            check.statuses[str(httpx.get(base + path, timeout=30).status_code)] += 1
        except httpx.HTTPError as exc:
            check.statuses[type(exc).__name__] += 1
        check.latencies.append(time.perf_counter() - t0)
    print(
        f"flood: {len(out.latencies)} of {len(paths)} distinct questions in {wall:.0f} s "
        f"from {args.clients} clients"
    )
    print(f"  answers {ms(out.latencies)}; statuses {dict(out.statuses)}")
    for p in procs:
        print(f"  process {p}: RSS MiB start {start[p]:.0f}  max {peak[p]:.0f}  end {end[p]:.0f}")
    print(f"  afterwards: {dict(check.statuses)} {ms(check.latencies)}")
    return 1 if check.failed else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument(
        "--scenario",
        choices=["mix", "idle", "slow", "heavy", "fair", "flood", "all"],
        default="mix",
    )
    ap.add_argument("--clients", type=int, default=50, help="mix and flood clients")
    ap.add_argument("--seconds", type=float, default=60.0, help="each scenario's length")
    ap.add_argument("--warmup", type=float, default=5.0, help="mix: seconds before measuring")
    ap.add_argument("--idle", type=int, default=5000, help="idle connections (idle, fair)")
    ap.add_argument("--slow", type=int, default=500, help="trickling clients (slow)")
    ap.add_argument("--heavy", type=int, default=5, help="heavy clients (heavy, fair)")
    ap.add_argument("--heavy-kind", choices=["deep", "search"], default="deep")
    ap.add_argument("--flood", type=int, default=5000, help="distinct questions (flood)")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument(
        "--serve-option", action="append", default=[], help="passed to fmtr serve (repeatable)"
    )
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if not args.db.exists():
        raise SystemExit(f"no database at {args.db}")
    for limit in (args.idle, args.slow, args.heavy, args.flood, args.clients):
        if not 0 <= limit <= 20_000:
            raise SystemExit("counts are bounded to 20,000")
    args.seconds = min(args.seconds, 600.0)
    resource.setrlimit(resource.RLIMIT_NOFILE, (GIVEN_FILES[1], GIVEN_FILES[1]))
    data = read_data(args.db)
    port = free_port()
    options = [o for given in args.serve_option for o in given.split()]
    server = start_server(args.db, port, args.processes, options)
    base = f"http://{HOST}:{port}"
    print(
        f"fmtr serve on {base}, {args.processes} processes {' '.join(options)}; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    failed = 0
    try:
        chosen = (
            ["idle", "slow", "heavy", "fair", "flood"]
            if args.scenario == "all"
            else [args.scenario]
        )
        for name in chosen:
            if name == "mix":
                failed |= run_mix(base, server, data, args)
            elif name == "flood":
                failed |= run_flood(base, server, data, args)
            else:
                counts = {
                    "idle": {"idle": args.idle},
                    "slow": {"slow": args.slow},
                    "heavy": {"heavy": args.heavy},
                    "fair": {"idle": args.idle, "heavy": args.heavy},
                }[name]
                failed |= run_combined(name, base, port, server, data, args, **counts)
            sys.stdout.flush()
    finally:
        stop_server(server)
    return failed


if __name__ == "__main__":
    sys.exit(main())
