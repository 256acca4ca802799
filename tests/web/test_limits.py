"""The connection's limits (fmtr.web.protocol): a request's head must come whole, small and in
time, idle connections give way to real ones, and `fmtr serve` runs with them.

Each test serves the written database (tests/fixture_db.py) with limits made tiny, and judges
by what the server answers (a status, a closed connection), never by how long it took; the
sockets' own timeouts only keep a broken server from hanging the suite.
"""

from __future__ import annotations

import json
import re
import resource
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from fmtr.settings import ServerSettings
from fmtr.web.protocol import RESERVED_FILES, Limits, guarded, raise_open_files

GUARD = 30.0  # seconds a socket may wait before the test calls the server broken


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serving(app: Any, limits: Limits) -> Iterator[int]:
    """``app`` behind GuardedProtocol with ``limits``, on a free port: its port."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", http=guarded(limits)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join()


@pytest.fixture(scope="module")
def limited(web_app: Any) -> Iterator[int]:
    """Tiny limits, and a head deadline of half a second."""
    limits = Limits(header_seconds=0.5, max_header_bytes=2048, max_url_bytes=512)
    with _serving(web_app, limits) as port:
        yield port


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=GUARD)
    sock.settimeout(GUARD)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """What the server sends until it closes the connection."""
    got = b""
    try:
        while chunk := sock.recv(65536):
            got += chunk
    except ConnectionResetError:
        pass
    return got


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def _get(port: int, path: str = "/api/v1/summary") -> bytes:
    with _connect(port) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        return _read_all(sock)


def test_a_connection_that_sends_nothing_is_closed(limited: int) -> None:
    with _connect(limited) as sock:
        assert sock.recv(1) == b""  # closed by the server, nothing said


def test_headers_trickling_past_the_deadline_answer_408(limited: int) -> None:
    with _connect(limited) as sock:
        sock.sendall(b"GET /api/v1/summary HTTP/1.1\r\nHost: x\r\n")
        answer = b""
        try:
            for _ in range(int(GUARD * 10)):
                sock.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.1)
        except OSError:  # the server has answered and closed
            pass
        answer = _read_all(sock)
    assert _status(answer) == 408, answer[:200]
    assert _status(_get(limited)) == 200  # the server still answers


def test_a_huge_header_is_refused_with_431_before_it_is_read(limited: int) -> None:
    sent, limit = 0, 64 * 2**20
    with _connect(limited) as sock:
        sock.sendall(b"GET /api/v1/summary HTTP/1.1\r\nHost: x\r\nX-Big: ")
        try:
            while sent < limit and not select.select([sock], [], [], 0)[0]:
                sock.sendall(b"a" * 4096)
                sent += 4096
        except OSError:
            pass
        answer = _read_all(sock)
    assert _status(answer) == 431, answer[:200]
    assert b"x-content-type-options: nosniff" in answer.lower()
    assert sent < limit, "the server read the whole 64 MB header before answering"


def test_headers_over_the_limit_in_one_read_answer_431(limited: int) -> None:
    with _connect(limited) as sock:
        sock.sendall(b"GET /api/v1/summary HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1800 + b"\r\n")
        sock.sendall(b"X-More: " + b"b" * 400 + b"\r\n\r\n")
        answer = _read_all(sock)
    assert _status(answer) == 431, answer[:200]


def test_a_long_url_answers_414(limited: int) -> None:
    answer = _get(limited, "/api/v1/summary?" + "a" * 600)
    assert _status(answer) == 414, answer[:200]
    assert _status(_get(limited, "/api/v1/summary?" + "a" * 300)) == 200


def test_a_refusal_answers_in_the_apps_error_shapes(limited: int) -> None:
    # Under /api/ the JSON error document; elsewhere the explorer's page (issue 13: every
    # error a page), with the limit stated and never the address refused.
    api = _get(limited, "/api/v1/summary?" + "a" * 600)
    head, body = api.split(b"\r\n\r\n", 1)
    assert b"content-type: application/json" in head.lower()
    error = json.loads(body)["error"]
    assert error["status"] == 414 and error["code"] == "url_too_long"
    assert "512 bytes" in error["message"]
    page = _get(limited, "/search?q=" + "a" * 600)
    head, body = page.split(b"\r\n\r\n", 1)
    assert _status(page) == 414 and b"content-type: text/html" in head.lower()
    assert b"content-security-policy: default-src 'none'" in head.lower()
    text = body.decode()
    assert "<h1>Address too long" in text and "512 bytes" in text and "aaaa" not in text
    assert 'href="/static/fmtr.css"' in text and 'href="/countries"' in text
    with _connect(limited) as sock:  # no path came: plain text
        sock.sendall(b"GET /se")
        time.sleep(0.05)
        sock.sendall(b"a" * 600)
        answer = _read_all(sock)
    assert _status(answer) == 414 and b"<h1>" in answer  # the path began: a page


def test_a_refusal_page_links_under_the_root_path() -> None:
    from fmtr.web.protocol import asked_for, refusal

    assert asked_for(b"/fmtr/api/v1/x?q", "/fmtr") == "api"
    assert asked_for(b"/api/v1/x", "/fmtr") == "api"  # a proxy that strips the prefix
    assert asked_for(b"/fmtr/search?q=api/", "/fmtr") == "page"
    assert asked_for(b"", "") == "" and asked_for(b"*", "") == ""
    kind, body = refusal(431, "too large", "page", "/fmtr")
    assert kind.startswith(b"text/html")
    assert b'href="/fmtr/static/fmtr.css"' in body and b'href="/fmtr/"' in body
    assert refusal(408, "slow", "", "")[0].startswith(b"text/plain")
    assert Limits.of(ServerSettings(root_path="/fmtr/")).root_path == "/fmtr"


def test_a_request_trickling_a_body_is_answered_and_closed(limited: int) -> None:
    head = b"POST /api/v1/summary HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"
    with _connect(limited) as sock:
        sock.sendall(head + b"a" * 100)
        answer = sock.recv(65536)
        assert _status(answer) == 405, answer[:200]
        closed = False
        for _ in range(int(GUARD * 10)):  # a byte of body every 0.1 s, as a slow client would
            try:
                sock.sendall(b"a")
                sock.setblocking(False)
                closed = sock.recv(65536) == b""
            except BlockingIOError:
                pass
            except OSError:
                closed = True
            sock.setblocking(True)
            if closed:
                break
            time.sleep(0.1)
    assert closed, "the server kept the connection for the trickled body"


def test_a_malformed_request_still_answers_400(limited: int) -> None:
    with _connect(limited) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        assert _status(_read_all(sock)) == 400


def test_past_the_ceiling_the_oldest_idle_connection_gives_way(web_app: Any) -> None:
    # A head deadline longer than the test: only the ceiling (3) can close a connection.
    with _serving(web_app, Limits(header_seconds=10 * GUARD, max_connections=3)) as port:
        idle = [_connect(port) for _ in range(3)]
        try:
            answer = _get(port)  # the fourth connection: a real request
            assert _status(answer) == 200, answer[:200]
            assert idle[0].recv(1) == b"", "the oldest idle connection was kept"
            for sock in idle[1:]:
                sock.setblocking(False)
                with pytest.raises(BlockingIOError):  # open, and silent
                    sock.recv(1)
        finally:
            for sock in idle:
                sock.close()


def _one_answer(sock: socket.socket) -> bytes:
    """One response read off a kept-alive connection (head, then Content-Length bytes)."""
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = sock.recv(65536)
        if not chunk:
            return got
        got += chunk
    head, body = got.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"content-length: (\d+)", head.lower()).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += sock.recv(65536)
    return head


def test_a_kept_alive_client_outlasts_newer_idle_connections(web_app: Any) -> None:
    request = b"GET /api/v1/summary HTTP/1.1\r\nHost: x\r\n\r\n"
    limits = Limits(header_seconds=10 * GUARD, max_connections=3)
    with _serving(web_app, limits) as port, _connect(port) as kept:
        kept.sendall(request)
        assert _status(_one_answer(kept)) == 200  # answered, kept alive: the oldest
        idle = [_connect(port) for _ in range(2)]
        try:
            assert _status(_get(port)) == 200  # past the ceiling
            assert idle[0].recv(1) == b"", "an idle connection should have given way"
            kept.sendall(request)  # the same connection still serves
            assert _status(_one_answer(kept)) == 200
        finally:
            for sock in idle:
                sock.close()


def test_kept_alive_connections_serve_several_requests(limited: int) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{limited}", timeout=GUARD) as client:
        for _ in range(3):
            assert client.get("/api/v1/summary").status_code == 200


def test_the_ceiling_stays_below_the_descriptor_budget() -> None:
    settings = ServerSettings(max_connections=100_000)
    assert Limits.of(settings, open_files=8192).max_connections == 8192 - RESERVED_FILES
    assert Limits.of(ServerSettings(max_connections=10), open_files=8192).max_connections == 10
    assert Limits.of(settings, open_files=100).max_connections == 1


def test_the_descriptor_limit_is_set_within_the_hard_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        wanted = 1024 if hard == resource.RLIM_INFINITY else min(1024, hard)
        assert raise_open_files(wanted) == wanted
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == wanted
        if hard != resource.RLIM_INFINITY:
            assert raise_open_files(hard + 1000) == hard  # never above the hard limit
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_fmtr_serve_runs_with_the_limits_and_names_no_server(web_db: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fmtr", "serve", "--db", str(web_db), "--port", str(port)]
        + ["--processes", "1", "--header-seconds", "0.5", "--max-header-bytes", "1024"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(300):
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/v1/summary", timeout=GUARD)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[1]
                time.sleep(0.1)
        else:
            pytest.fail("fmtr serve did not answer")
        assert response.status_code == 200
        assert "server" not in response.headers
        assert response.headers["x-content-type-options"] == "nosniff"
        head = httpx.head(f"http://127.0.0.1:{port}/api/v1/summary", timeout=GUARD)
        assert head.status_code == 200 and head.content == b""
        with _connect(port) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 2000 + b"\r\n\r\n")
            assert _status(_read_all(sock)) == 431
        with _connect(port) as sock:
            assert sock.recv(1) == b""  # an idle connection is closed
    finally:
        server.terminate()
        server.communicate(timeout=GUARD)  # reads and closes its stderr pipe
