"""One small database for the history tests: Pakistan's IMET before and after the 1991-2002
suspension and across the 2018-2020 one, built once per session. FY1999-2000 (HTML, fast)
covers FY1999; FY2000 stays uncovered, so a timeline shows all three statuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from corpus_kit import built_database

EDITIONS = [
    "FY1999-2000",
    "FY2001-2002",
    "FY2002-2003",
    "FY2017-2018",
    "FY2018-2019",
    "FY2019-2020",
]


@pytest.fixture(scope="session")
def history_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return built_database(corpus, tmp_path_factory.mktemp("history"), EDITIONS)
