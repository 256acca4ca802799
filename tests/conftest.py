"""Shared fixtures: the corpus and the funding data, read in place (helpers in corpus_kit.py),
the whole corpus built once, and the small database written by code (fixture_db.py) for the
tests that need no real page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus_kit import CORPUS, FUNDING, IN_CI, MANIFEST_HEADER


@pytest.fixture(scope="session", autouse=True)
def no_user_events(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests never read or write the user's own events registry (fmtr.clean.events): theirs
    is an absent file, also for the servers and builds they start (the environment is
    inherited)."""
    before = os.environ.get("FMTR_EVENTS")
    os.environ["FMTR_EVENTS"] = str(tmp_path_factory.mktemp("user-events") / "events.json")
    yield
    if before is None:
        os.environ.pop("FMTR_EVENTS", None)
    else:
        os.environ["FMTR_EVENTS"] = before


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
def funding() -> Path:
    """The funding folder (the Greenbook workbook); skipped when absent, a failure in CI."""
    if FUNDING is None:
        if IN_CI:
            pytest.fail("CI=true but the funding data is absent: set FMTR_FUNDING")
        pytest.skip("funding data absent: set FMTR_FUNDING or put it at ../shared/fmtr-funding")
    return FUNDING


@pytest.fixture(scope="session")
def full_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole corpus built from scratch, once per session, with the funding data when it is
    there (the funding tests ask for the ``funding`` fixture as well)."""
    from fmtr.pipeline import build
    from fmtr.store.db import open_database

    db = tmp_path_factory.mktemp("full") / "fmtr.sqlite"
    engine = open_database(f"sqlite:///{db}")
    report = build(engine, corpus, jobs=2, funding=FUNDING)
    engine.dispose()
    assert [str(e) for e in report.errors] == []
    return db


@pytest.fixture()
def empty_corpus(tmp_path: Path) -> Path:
    """A corpus folder whose manifest lists no document (its header only)."""
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "manifest.tsv").write_text(MANIFEST_HEADER, "utf-8")
    return root


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small database written by code (tests/fixture_db.py): no corpus needed. Tests must
    not change it (copy it first)."""
    from fixture_db import write_fixture_database

    return write_fixture_database(tmp_path_factory.mktemp("fixture") / "fmtr.sqlite")
