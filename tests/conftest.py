"""Shared fixtures: the corpus, read in place (helpers in corpus_kit.py), and the small
database written by code (fixture_db.py) for the tests that need no real page."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_kit import CORPUS, IN_CI


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The corpus folder; tests that need it are skipped (with a reason) when it is absent,
    except in CI, where its absence is a failure."""
    if CORPUS is None:
        if IN_CI:
            pytest.fail("CI=true but the corpus is absent: set FMTR_CORPUS")
        pytest.skip("corpus absent: set FMTR_CORPUS or put it at ../shared/fmtr-corpus")
    return CORPUS


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small database written by code (tests/fixture_db.py): no corpus needed. Tests must
    not change it (copy it first)."""
    from fixture_db import write_fixture_database

    return write_fixture_database(tmp_path_factory.mktemp("fixture") / "fmtr.sqlite")
