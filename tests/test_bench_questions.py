"""The questions bench/query.py times still exist and answer (a renamed library function once
left the benchmark failing at its sixth question, unnoticed): each is asked once on the small
database written by code."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from fmtr.store.db import open_read_only

BENCH = Path(__file__).resolve().parents[1] / "bench" / "query.py"


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_query", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


QUESTIONS = [*_bench().QUESTIONS, *_bench().FUNDING_QUESTIONS]


@pytest.mark.parametrize("index", range(len(QUESTIONS)))
def test_each_question_of_the_benchmark_answers(fixture_db: Path, index: int) -> None:
    name, ask = QUESTIONS[index]
    engine = open_read_only(str(fixture_db))
    try:
        ask(engine)
    except Exception as error:  # a question the small database cannot answer is fine, a
        # missing function or a changed signature is not
        assert not isinstance(error, (AttributeError, TypeError, NameError)), (name, error)
    finally:
        engine.dispose()
