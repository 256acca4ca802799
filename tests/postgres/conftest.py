"""The PostgreSQL tests' server and databases: a real server started for the session
(tests/postgres_kit.py), the database written by code (tests/fixture_db.py) in it, and the same
editions built from real pages into PostgreSQL and SQLite by `fmtr build`'s own entry point.

Without PostgreSQL's server programs or its driver the tests are skipped with the reason, except
in CI (CI=true), where that is a failure: `make test` installs both.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus_kit import (
    IN_CI,
    LAYOUT_CUTS,
    LAYOUT_HTML,
    cut_pdf,
    write_layouts_corpus,
    write_manifest,
)
from postgres_kit import Both, Layouts, Server, build_both, server_programs

_names = itertools.count(1)


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {reason}: `make test` installs it")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """A PostgreSQL server of this session's own, stopped (and its folder removed) at the end."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg (PostgreSQL's driver, fmtr's `postgres` extra) is not installed")
    programs = server_programs()
    if programs is None:
        _unavailable("PostgreSQL's server programs are absent (apt-get install postgresql)")
    assert programs is not None
    server = Server(programs).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def pg_database(pg_server: Server) -> Iterator[str]:
    """A new, empty database for one test; dropped after it."""
    name = f"test_{next(_names)}"
    url = pg_server.create_database(name)
    try:
        yield url
    finally:
        pg_server.drop_database(name)


@pytest.fixture(scope="session")
def pg_fixture_db(pg_server: Server) -> str:
    """The database written by code, in PostgreSQL (tests must not change it)."""
    from fixture_db import write_fixture_database

    url = pg_server.create_database("fixture")
    write_fixture_database(url)
    return url


@pytest.fixture(scope="session")
def fixture_both(fixture_db: Path, pg_fixture_db: str) -> Both:
    return Both(str(fixture_db), pg_fixture_db)


@pytest.fixture(scope="session")
def layouts(corpus: Path, pg_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Layouts:
    """The layouts corpus built into both databases, then changed and built again into copies
    of both (tests/release/conftest.py does the same on SQLite)."""
    from fmtr.pipeline import build_database
    from fmtr.store.db import database_url

    folder = tmp_path_factory.mktemp("pg-layouts")
    root = write_layouts_corpus(corpus, folder / "corpus")
    built = build_both(root, folder, pg_server, "layouts")
    changed = Both(str(folder / "changed.sqlite"), pg_server.url("changed"))
    shutil.copyfile(built.sqlite, changed.sqlite)
    pg_server.sql('CREATE DATABASE "changed" TEMPLATE "layouts"')
    cut_pdf(corpus / "FY2016-2017/Africa.pdf", [3, 4], root / "FY2016-2017/Africa.pdf")
    write_manifest(root, [(e, r, f, "") for e, r, f, _ in LAYOUT_CUTS] + [(*LAYOUT_HTML, "")])
    for db in (changed.sqlite, changed.postgresql):
        report = build_database(database_url(db), root, jobs=1)
        assert report.ok and [d.file for d in report.loaded] == ["FY2016-2017/Africa.pdf"]
    return Layouts(root, built, changed)
