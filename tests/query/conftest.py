"""One small database for the query tests: three editions (two HTML, the FY2000-2001 PDFs that
print FY2000 and FY2001 a second time), built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

EDITIONS = ["FY1999-2000", "FY2000-2001", "FY2006-2007"]


@pytest.fixture(scope="session")
def db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    from fmtr.pipeline import build
    from fmtr.store.db import open_database
    from fmtr.store.search import rebuild_search_index

    path = tmp_path_factory.mktemp("query") / "fmtr.sqlite"
    engine = open_database(str(path))
    report = build(engine, corpus, jobs=2, only=EDITIONS)
    assert not report.errors
    with engine.begin() as conn:
        rebuild_search_index(conn)
    return engine
