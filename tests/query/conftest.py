"""One small database for the query tests: three editions (two HTML, the FY2000-2001 PDFs that
print FY2000 and FY2001 a second time), built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from corpus_kit import built_database

EDITIONS = ["FY1999-2000", "FY2000-2001", "FY2006-2007"]


@pytest.fixture(scope="session")
def db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return built_database(corpus, tmp_path_factory.mktemp("query"), EDITIONS)
