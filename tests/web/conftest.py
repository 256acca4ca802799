"""A small database of a few editions, with two hostile student units added, and a live server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus_kit import connect

# Two HTML editions, the two-column FY2000-2001 PDF and one rotated-page PDF edition: both
# kinds of source, and fiscal years 2000 and 2001 printed twice (counted by one edition only).
# One region of FY2018-2019 (fiscal year 2018): Pakistan's 2018 IMET suspension meets data.
EDITIONS = [
    "FY1999-2000",
    "FY2000-2001",
    "FY2001-2002",
    "FY2006-2007",
    "FY2018-2019/South_Central_Asia.pdf",
]
HOSTILE = ["<script>alert(1)</script>", "'; DROP TABLE training; --"]


@pytest.fixture(scope="session")
def web_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from fmtr.pipeline import build
    from fmtr.store.db import open_database
    from fmtr.store.search import rebuild_search_index

    path = tmp_path_factory.mktemp("web") / "fmtr.sqlite"
    engine = open_database(str(path))
    report = build(engine, corpus, jobs=2, only=EDITIONS)
    assert not report.errors, report.errors
    engine.dispose()
    # The hostile names go in as data, beside a real row of a PDF edition.
    with connect(path) as db:
        block, seq, page = db.execute(
            """SELECT t.block_id, max(t.seq), t.page FROM training t
               JOIN programme_block b ON b.id = t.block_id JOIN document d ON d.id = b.document_id
               WHERE d.file LIKE '%.pdf' AND b.counted = 1 GROUP BY t.block_id LIMIT 1"""
        ).fetchone()
        for i, name in enumerate(HOSTILE, start=1):
            db.execute(
                """INSERT INTO training (block_id, seq, page, course_title, student_unit,
                   quantity, quantity_value, student_unit_key)
                   VALUES (?, ?, ?, 'Hostile Input Course', ?, '1', 1, ?)""",
                (block, seq + i, page, name, name.lower()),
            )
    # As a build would: the search index and figures include every row (the server only reads
    # and refuses a stale index).
    engine = open_database(str(path))
    with engine.begin() as conn:
        rebuild_search_index(conn)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def web_app(web_db: Path, corpus: Path):  # type: ignore[no-untyped-def]
    from fmtr.web.app import create_app

    return create_app(str(web_db), corpus=corpus, cache_dir=web_db.parent / "render-cache")


@pytest.fixture(scope="session")
def client(web_app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(web_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app on 127.0.0.1, on a free port, for the browser."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()
