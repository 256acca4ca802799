"""The query tests' databases: the one written by code (tests/fixture_db.py), and, for the
tests that need the corpus's volume, three editions built from the corpus (two HTML, the
FY2000-2001 PDFs that print FY2000 and FY2001 a second time), built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from corpus_kit import built_database

EDITIONS = ["FY1999-2000", "FY2000-2001", "FY2006-2007"]


@pytest.fixture(scope="session")
def db(fixture_db: Path) -> Engine:
    from fmtr.store.db import open_read_only

    return open_read_only(str(fixture_db))


@pytest.fixture(scope="session")
def corpus_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return built_database(corpus, tmp_path_factory.mktemp("query"), EDITIONS)
