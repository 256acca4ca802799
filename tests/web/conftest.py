"""The web tests' databases and servers.

Most run on the database written by code (tests/fixture_db.py, hostile student units among
its rows): no corpus needed. What needs real pages (a source page rendered with its row
highlighted) runs on a few editions built from the corpus.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixture_db import HOSTILE  # noqa: F401  (the hostile names, for the tests)

# Two HTML editions, the two-column FY2000-2001 PDF and one rotated-page PDF edition: both
# kinds of source, and fiscal years 2000 and 2001 printed twice (counted by one edition only).
CORPUS_EDITIONS = [
    "FY1999-2000",
    "FY2000-2001",
    "FY2001-2002",
    "FY2006-2007",
    "FY2018-2019/South_Central_Asia.pdf",
]


@pytest.fixture(scope="session")
def web_db(fixture_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the written database, for the app (tests may look, never change)."""
    return Path(shutil.copy(fixture_db, tmp_path_factory.mktemp("web") / "fmtr.sqlite"))


@pytest.fixture(scope="session")
def web_app(web_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from fmtr.settings import ServerSettings
    from fmtr.web.app import create_app

    cache = tmp_path_factory.mktemp("render-cache")
    return create_app(str(web_db), settings=ServerSettings(image_cache=str(cache)))


@pytest.fixture(scope="session")
def client(web_app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        yield c


@pytest.fixture(scope="session")
def corpus_web_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few editions built from the corpus, as `fmtr build` builds them."""
    from fmtr.pipeline import build
    from fmtr.store.db import open_database

    path = tmp_path_factory.mktemp("web-corpus") / "fmtr.sqlite"
    engine = open_database(str(path))
    report = build(engine, corpus, jobs=2, only=CORPUS_EDITIONS)
    assert not report.errors, report.errors
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def corpus_web_app(corpus_web_db: Path, corpus: Path) -> Any:
    from fmtr.settings import ServerSettings
    from fmtr.web.app import create_app

    cache = str(corpus_web_db.parent / "render-cache")
    return create_app(str(corpus_web_db), corpus=corpus, settings=ServerSettings(image_cache=cache))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(app: Any) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()


@pytest.fixture(scope="session")
def live_server(web_app: Any) -> Iterator[str]:
    """The app on the written database, on 127.0.0.1 and a free port, for the browser."""
    yield from _serve(web_app)


@pytest.fixture(scope="session")
def corpus_live_server(corpus_web_app: Any) -> Iterator[str]:
    """The app on the corpus's editions, with the corpus for source page images."""
    yield from _serve(corpus_web_app)


# The browser tests that hold a page to fmtr's Content-Security-Policy (fmtr.web.security: no
# inline script or style, nothing from elsewhere) serve the app as it is: it sends the policy
# itself, on every page, the API docs included; the check below makes sure it still does.
def _policed(url: str) -> str:
    import urllib.request

    from fmtr.web.security import POLICY

    for path in ("/", "/api/v1/docs"):
        with urllib.request.urlopen(url + path) as response:
            assert response.headers["content-security-policy"] == POLICY, path
    return url


@pytest.fixture(scope="session")
def strict_server(live_server: str) -> str:
    """The app on the written database, under its own strict policy, for the browser."""
    return _policed(live_server)


@pytest.fixture(scope="session")
def strict_corpus_server(corpus_live_server: str) -> str:
    return _policed(corpus_live_server)
