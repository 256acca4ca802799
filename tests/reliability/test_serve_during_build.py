"""`fmtr serve` keeps answering while `fmtr build` rebuilds its database, and then serves the
new one: the build works on a copy and swaps it in whole (fmtr.store.swap)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from corpus_kit import cut_pdf, write_manifest

FMTR = [sys.executable, "-m", "fmtr"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rows(client: httpx.Client) -> int:
    response = client.get("/api/v1/editions")
    assert response.status_code == 200, response.text
    return sum(e["rows"] for e in response.json()["rows"])


def test_server_answers_throughout_a_build_and_then_serves_the_new_database(
    corpus: Path, tmp_path: Path
) -> None:
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    for root, pages in ((v1, [2, 3]), (v2, list(range(2, 30)))):
        (root / "FY2016-2017").mkdir(parents=True)
        cut_pdf(corpus / "FY2016-2017/Africa.pdf", pages, root / "FY2016-2017/Africa.pdf")
        write_manifest(root, [("FY2016-2017", "Africa", "FY2016-2017/Africa.pdf", "")])
    db = tmp_path / "served.sqlite"
    first = subprocess.run(
        [*FMTR, "build", "--corpus", str(v1), "--db", str(db)], capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr

    port = _free_port()
    server = subprocess.Popen(
        [*FMTR, "serve", "--db", str(db), "--port", str(port), "--processes", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(100):  # the server is up when it answers
                try:
                    before = _rows(client)
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            else:
                raise AssertionError("the server did not start")

            build = subprocess.Popen(
                [*FMTR, "build", "--corpus", str(v2), "--db", str(db)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            seen = []
            while build.poll() is None:  # every request during the build is answered
                seen.append(_rows(client))
            _, build_err = build.communicate()  # reads and closes its stderr pipe
            assert build.returncode == 0, build_err
            after = _rows(client)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert after > before  # the new database, swapped in, is what the server now reads
    # Readers saw the old database, then the whole new one: never a partly loaded one.
    assert seen and set(seen) <= {before, after}
    assert seen == sorted(seen, key=lambda n: n == after)
