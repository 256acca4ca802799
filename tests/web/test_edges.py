"""The server's edges (issue 16): ids past any row are 404 everywhere, security headers on every
response, HEAD wherever GET, redirects that name no host, allowed hosts, only http(s) links,
deep pages refused, heavy questions queued, and a database removed or replaced under the
server answering 503 with one log line per event. On the written database
(tests/fixture_db.py)."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fmtr.settings import ServerSettings
from fmtr.web.app import create_app
from fmtr.web.fairness import HeavySlots, is_heavy
from fmtr.web.links import is_web_link
from fmtr.web.security import POLICY, host_allowed, relative_location

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "fmtr" / "web" / "templates"
PAGES = [
    "/",
    "/countries",
    "/country/COL",
    "/country/PAK",
    "/programmes",
    "/programme/IMET",
    "/units?q=army",
    "/search?q=army",
    "/compare?country=COL&country=PAK",
]


def _first_id(db: Path) -> int:
    with closing(sqlite3.connect(db)) as con:
        return int(con.execute("SELECT min(id) FROM training").fetchone()[0])


# --- ids --------------------------------------------------------------------------------------

HUGE = ["99999999999999999999", str(2**63), str(2**63 - 1), "0", "-1", str(-(2**63) - 1)]


@pytest.mark.parametrize("training_id", HUGE)
@pytest.mark.parametrize("path", ["/training/{}", "/training/{}/source.png", "/api/v1/training/{}"])
def test_an_id_of_no_row_is_404_everywhere(client: Any, path: str, training_id: str) -> None:
    response = client.get(path.format(training_id))
    assert response.status_code == 404, response.text[:300]


# --- security headers, and no inline script or style ---------------------------------------


@pytest.mark.parametrize(
    "path",
    [*PAGES, "/api/v1/summary", "/static/fmtr.css", "/nowhere", "/api/v1/nowhere",
     "/api/v1/training?limit=0", "/api/v1/openapi.json"],
)  # fmt: skip
def test_every_response_carries_the_security_headers(client: Any, path: str) -> None:
    response = client.get(path)
    headers = response.headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert "server" not in headers


def test_an_unexpected_error_carries_them_too(web_db: Path) -> None:
    app = create_app(str(web_db))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", PAGES)
def test_pages_hold_no_inline_script_style_or_handler(client: Any, path: str) -> None:
    html = client.get(path).text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline script"
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), "inline style or handler"


def test_templates_hold_no_inline_script_style_or_handler() -> None:
    for template in TEMPLATES.glob("*.jinja"):
        text = template.read_text("utf-8")
        # A script file of the app's own (the API docs' Swagger UI) is allowed; inline is not.
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", text), template.name


def test_the_api_docs_run_under_the_pages_policy(client: Any) -> None:
    # Swagger UI is served by the app and started by a script file: no CDN, no inline script.
    response = client.get("/api/v1/docs")
    assert response.headers["content-security-policy"] == POLICY
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text)
    assert "cdn" not in response.text.lower()


# --- HEAD -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [*PAGES[:4], "/api/v1/summary", "/api/v1/countries/COL", "/static/fmtr.css",
             "/api/v1/nowhere", "/api/v1/training?limit=0"],
)  # fmt: skip
def test_head_answers_as_get_without_the_body(client: Any, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert int(head.headers["content-length"]) == len(got.content)


# --- redirects and hosts -----------------------------------------------------------------------


def test_the_trailing_slash_redirect_names_no_host(client: Any) -> None:
    response = client.get("/countries/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert 300 <= response.status_code < 400
    assert response.headers["location"] == "/countries"


def test_a_redirect_never_leaves_the_site() -> None:
    assert relative_location("http://evil.example//evil.example/x?y=1") == "/evil.example/x?y=1"
    assert relative_location("//evil.example/") == "/"
    assert relative_location("http://host/\\evil.example/") == "/evil.example/"
    assert relative_location("https://host/a/b") == "/a/b"


def test_a_host_not_allowed_answers_400(web_db: Path) -> None:
    settings = ServerSettings(allowed_hosts="fmtr.example.org, *.fmtr.test")
    with TestClient(create_app(str(web_db), settings=settings)) as client:
        refused = client.get("/api/v1/summary", headers={"Host": "evil.example"})
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "bad_input"
        assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
        for host in ("fmtr.example.org", "fmtr.example.org:8000", "a.fmtr.test", "fmtr.test"):
            assert client.get("/api/v1/summary", headers={"Host": host}).status_code == 200


def test_host_patterns() -> None:
    assert host_allowed("anything:1", ["*"])
    assert host_allowed("[::1]:8000", ["[::1]"]) and host_allowed("LOCALHOST", ["localhost"])
    assert not host_allowed("fmtr.example.org.evil", ["fmtr.example.org"])
    assert not host_allowed("evilfmtr.test", ["*.fmtr.test"])


# --- links ------------------------------------------------------------------------------------


def test_only_web_addresses_are_links() -> None:
    assert is_web_link("https://www.state.gov/x.pdf#page=3")
    assert is_web_link("http://example.org/")
    for bad in ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//x.org",
                "/relative", "", None, "https:"]:  # fmt: skip
        assert not is_web_link(bad), bad


def test_a_javascript_document_url_is_shown_as_text(web_db: Path, tmp_path: Path) -> None:
    db = Path(shutil.copy(web_db, tmp_path / "fmtr.sqlite"))
    with closing(sqlite3.connect(db)) as con:
        con.execute("UPDATE document SET url = 'javascript:alert(document.domain)'")
        con.commit()
    training_id = _first_id(db)
    with TestClient(create_app(str(db))) as client:
        page = client.get(f"/training/{training_id}").text
        assert "javascript:alert(document.domain)" in page  # shown
        assert 'href="javascript:' not in page.replace(" ", "")  # not linked
        # The country page's rows dated inside a suspension name their source page.
        country = client.get("/country/PAK").text
        assert re.search(r"FY\d{4}-\d{4} p\. \d+", country), "no source shown"
        assert 'href="javascript:' not in country


# --- paging depth and heavy questions ----------------------------------------------------------


def test_a_page_past_the_servers_depth_is_refused(web_db: Path) -> None:
    with TestClient(create_app(str(web_db), settings=ServerSettings(max_offset=10))) as client:
        assert client.get("/api/v1/training?offset=10").status_code == 200
        deep = client.get("/api/v1/training?offset=11")
        assert deep.status_code == 400 and "deeper than this server pages" in deep.text
        assert client.get("/search?q=army&offset=11").status_code == 400
        assert client.get("/api/v1/search?q=army&offset=11").status_code == 400


def test_which_questions_are_heavy() -> None:
    def scope(path: str, query: str = "") -> dict[str, Any]:
        return {"type": "http", "path": path, "query_string": query.encode()}

    for path in ["/api/v1/search", "/api/v1/training", "/api/v1/units", "/search", "/units",
                 "/training/12/source.png"]:  # fmt: skip
        assert is_heavy(scope(path, "q=army")), path
    assert is_heavy(scope("/api/v1/countries", "limit=10&offset=500"))
    for light in [("/api/v1/summary", ""), ("/api/v1/countries/COL/series", ""),
                  ("/api/v1/top", "programme=IMET"), ("/api/v1/training/12", ""),
                  ("/country/COL", ""), ("/api/v1/countries", "offset=0")]:  # fmt: skip
        assert not is_heavy(scope(*light)), light


def test_heavy_questions_past_the_queue_answer_503_and_light_ones_pass() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    answered: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/api/v1/search":
            started.set()
            await release.wait()
        answered.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    gate = HeavySlots(inner, slots=1, queue=0)

    async def ask(path: str) -> int:
        sent: list[dict[str, Any]] = []

        async def send(message: Any) -> None:
            sent.append(message)

        async def receive() -> Any:
            return {"type": "http.request", "body": b""}

        scope = {"type": "http", "method": "GET", "path": path, "query_string": b"q=x",
                 "headers": [], "app": None}  # fmt: skip
        await gate(scope, receive, send)
        if sent[0]["status"] == 503:
            headers = dict(sent[0]["headers"])
            assert headers[b"retry-after"] == b"1"
            assert b'"code":"busy"' in sent[1]["body"]
        return int(sent[0]["status"])

    async def run() -> tuple[int, int, int]:
        first = asyncio.create_task(ask("/api/v1/search"))
        await started.wait()  # the one slot is taken
        light = await ask("/api/v1/summary")
        busy = await ask("/api/v1/training")  # no slot free, no room in the queue
        release.set()
        return await first, light, busy

    first, light, busy = asyncio.run(run())
    assert (first, light, busy) == (200, 200, 503)
    assert answered == ["/api/v1/summary", "/api/v1/search"]


def test_the_worker_threads_are_the_light_ones_plus_the_heavy_slots(web_db: Path) -> None:
    import anyio.to_thread

    app = create_app(str(web_db), settings=ServerSettings(workers=3, heavy_slots=2, export_slots=4))

    @app.get("/threads")
    async def threads() -> int:
        return int(anyio.to_thread.current_default_thread_limiter().total_tokens)

    with TestClient(app) as client:
        assert client.get("/threads").json() == 9


def test_a_download_of_every_row_takes_a_slot_of_its_own() -> None:
    """A slow download holds an export slot to its last byte: a search does not wait for it,
    and another download past the queue answers 503 busy."""
    started, release = asyncio.Event(), asyncio.Event()
    answered: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        if scope["path"] == "/api/v1/export" and not started.is_set():
            started.set()
            await send({"type": "http.response.body", "body": b"a,b\n", "more_body": True})
            await release.wait()  # the client reads slowly
        answered.append(scope["path"])
        await send({"type": "http.response.body", "body": b"ok"})

    gate = HeavySlots(inner, slots=1, queue=0, exports=1)

    async def ask(path: str) -> int:
        sent: list[dict[str, Any]] = []

        async def send(message: Any) -> None:
            sent.append(message)

        async def receive() -> Any:
            return {"type": "http.request", "body": b""}

        scope = {"type": "http", "method": "GET", "path": path, "query_string": b"q=x",
                 "headers": [], "app": None}  # fmt: skip
        await gate(scope, receive, send)
        return int(sent[0]["status"])

    async def run() -> tuple[int, int, int]:
        first = asyncio.create_task(ask("/api/v1/export"))
        await started.wait()  # the one export slot is taken, half sent
        search = await ask("/api/v1/search")  # the heavy slot is free
        busy = await ask("/api/v1/export")
        release.set()
        return await first, search, busy

    assert asyncio.run(run()) == (200, 200, 503)
    assert answered == ["/api/v1/search", "/api/v1/export"]


# --- the database removed or replaced under the server -----------------------------------------


def test_a_removed_or_replaced_database_answers_503_with_one_line_per_event(
    web_db: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = Path(shutil.copy(web_db, tmp_path / "fmtr.sqlite"))
    kept = Path(shutil.copy(web_db, tmp_path / "kept.sqlite"))
    caplog.set_level(logging.INFO, logger="fmtr.web")
    with TestClient(create_app(str(db)), raise_server_exceptions=False) as client:
        assert client.get("/api/v1/summary").status_code == 200

        def lines() -> list[str]:
            return [r.getMessage() for r in caplog.records if r.name == "fmtr.web"]

        db.unlink()
        for path in ["/api/v1/summary", "/", "/api/v1/training/1", "/country/COL"] * 10:
            response = client.get(path)
            assert response.status_code == 503, (path, response.text[:200])
        assert "removed" in client.get("/api/v1/summary").json()["error"]["message"]
        assert client.get("/static/fmtr.css").status_code == 200
        assert len(lines()) == 1 and "removed" in lines()[0]

        db.write_bytes(b"not a database at all, " * 100)
        for _ in range(20):
            response = client.get("/api/v1/summary")
            assert response.status_code == 503
        assert response.json()["error"]["code"] == "database_unavailable"
        assert len(lines()) == 2 and "cannot read" in lines()[1]

        shutil.copy(kept, tmp_path / "new.sqlite")
        (tmp_path / "new.sqlite").replace(db)  # as `fmtr build` swaps a file in
        for _ in range(5):
            assert client.get("/api/v1/summary").status_code == 200
        assert len(lines()) == 3 and "readable again" in lines()[2]
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
