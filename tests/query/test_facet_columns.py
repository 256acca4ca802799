"""A server's search from its columns in memory (fmtr.query.facet_columns) answers what the SQL
answers: the same count, sums, facets and page, in the same order, ties at a page's edges
included, on real data (three editions of the corpus; every edition in CI)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from fmtr.query import answers, facet_columns, find, prepare_search, resolve
from fmtr.query.resolve import per_build_kept


@contextmanager
def loaded(engine: Engine) -> Iterator[None]:
    """The columns loaded, as a server loads them at its start; dropped again after."""
    resolve._PER_BUILD.clear()
    prepare_search(engine)
    try:
        with engine.connect() as conn:
            assert per_build_kept(conn, "facet_columns") is not None
        yield
    finally:
        resolve._PER_BUILD.clear()


def both(engine: Engine, text: str, **asked: Any) -> tuple[Any, Any]:
    """The answer from memory and the answer from SQL."""
    with engine.connect() as conn:
        assert find.kept_columns(conn) is not None
        memory = answers.search(conn, text, **asked)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(find, "kept_columns", lambda conn: None)
        with engine.connect() as conn:
            sql = answers.search(conn, text, **asked)
    return memory, sql


def words_of(engine: Engine) -> list[str]:
    """Words of the course titles, the common ones first (they select the most rows)."""
    with engine.connect() as conn:
        titles = [r[0] for r in conn.exec_driver_sql("SELECT course_title FROM training")]
    counts: dict[str, int] = {}
    for title in titles:
        for word in re.findall(r"[A-Za-z]{3,}", title or ""):
            counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: (-counts[w], w))


@pytest.fixture(scope="module")
def corpus_words(corpus_db: Engine) -> list[str]:
    return words_of(corpus_db)[:300]


def test_searches_answer_alike_from_memory(corpus_db: Engine, corpus_words: list[str]) -> None:
    """Single words, common and rare, two-word searches (AND, and OR through abbreviations:
    "officer" is also "off"), names read as filters, fields, editions, pages."""
    rng = random.Random(5)
    asked: list[tuple[str, dict[str, Any]]] = [(w, {}) for w in corpus_words[:40]]
    asked += [(" ".join(rng.sample(corpus_words[:80], 2)), {}) for _ in range(20)]
    asked += [
        ("Colombia army", {}),
        ("officer", {"field": "course", "offset": 50}),
        ("army", {"all_editions": True, "limit": 7, "offset": 3}),
        ("training", {"start": 2000, "end": 2000}),
        ("", {"country": "COL"}),
        ("", {"programme": "IMET", "start": 2000, "end": 2001}),
        ("school", {"limit": 0}),
        ("school", {"limit": None}),
        ("zzzznothing", {}),
    ]
    totals: list[int] = []
    with loaded(corpus_db):
        for text, options in asked:
            memory, sql = both(corpus_db, text, **options)
            assert memory == sql, (text, options)
            totals.append(sql["total"])
    assert max(totals) > 1000  # a common word: the ranking of thousands of rows was compared


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_page_of_a_ranking_is_the_sqls(corpus_db: Engine, data: st.DataObject) -> None:
    """Pages of any size at any offset (the rows tied at a page's edges ordered by stable
    identifier, as SQL orders them), with or without filters."""
    words = ["army", "officer", "course", "infantry", "school", "basic", "training", "mtt"]
    text = " ".join(data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=2)))
    options: dict[str, Any] = {
        "limit": data.draw(st.integers(1, 60)),
        "offset": data.draw(st.integers(0, 400)),
        "all_editions": data.draw(st.booleans()),
    }
    if data.draw(st.booleans()):
        options["field"] = data.draw(st.sampled_from(["any", "course", "unit", "location"]))
    if data.draw(st.booleans()):
        options["start"], options["end"] = 2000, data.draw(st.sampled_from([2000, 2001, 2006]))
    with loaded(corpus_db):
        memory, sql = both(corpus_db, text, **options)
    assert memory == sql


def test_a_database_whose_sums_float64_cannot_hold_is_answered_in_sql(
    corpus_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(facet_columns, "_EXACT", 1)
    resolve._PER_BUILD.clear()
    try:
        prepare_search(corpus_db)
        with corpus_db.connect() as conn:
            assert find.kept_columns(conn) is None
            assert answers.search(conn, "army")["total"] > 0
    finally:
        resolve._PER_BUILD.clear()


@pytest.mark.corpus
def test_the_benchmarks_searches_answer_alike_on_the_whole_corpus(full_db: Path) -> None:
    """bench/serve.py's faceted searches (the first words of course titles) and the same with
    filters and deeper pages, on every edition."""
    from fmtr.store.db import open_read_only

    engine = open_read_only(str(full_db))
    try:
        words = words_of(engine)
        asked: list[tuple[str, dict[str, Any]]] = [(w, {}) for w in words[:60]]
        asked += [(w, {"offset": 1000}) for w in words[:10]]
        asked += [(w, {"country": "PAK"}) for w in words[:10]]
        asked += [(w, {"programme": "IMET", "start": 2005, "end": 2012}) for w in words[:10]]
        asked += [("INTL", {}), ("Basic Officer", {}), ("CMD & GEN STAFF", {})]
        with loaded(engine):
            for text, options in asked:
                memory, sql = both(engine, text, **options)
                assert memory == sql, (text, options)
    finally:
        engine.dispose()
