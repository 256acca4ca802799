"""Fixtures of the hostile-input tests (helpers in hostile_kit.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_kit import make_copy, make_served


@pytest.fixture(scope="module")
def served(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A small corpus, the database `fmtr build` made of it, and its content digest."""
    return make_served(corpus, tmp_path_factory)


@pytest.fixture()
def copy(served: tuple[Path, Path, str], tmp_path: Path) -> tuple[Path, Path, str]:
    """A private copy of the corpus and database for one test to spoil."""
    return make_copy(served, tmp_path)
