"""Shared fixtures: the corpus, read in place (helpers in corpus_kit.py)."""

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
