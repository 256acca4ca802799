"""What a server keeps between questions stays within its budget of bytes (issue 16): the
generic cache, the API's answer cache and the unit search's word cache, each filled until it
must drop entries."""

from __future__ import annotations

import asyncio
import random
import string
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from fmtr.query.memory import ENTRY_BYTES, BoundedCache


def test_entries_are_dropped_least_recently_used_first_within_the_budget() -> None:
    cache: BoundedCache[int, bytes] = BoundedCache(10 * (1000 + ENTRY_BYTES))
    for i in range(10):
        assert cache.put(i, b"x" * 1000, 1000)
    assert len(cache) == 10
    assert cache.get(0) is not None  # 0 is now the most recently used
    cache.put(10, b"x" * 1000, 1000)
    assert cache.get(1) is None and cache.get(0) is not None and cache.get(10) is not None
    for i in range(11, 500):
        cache.put(i, b"x" * 1000, 1000)
        assert cache.bytes <= cache.max_bytes
    assert len(cache) == 10
    assert cache.put("big", b"", cache.max_bytes) is False  # alone over the budget: not kept
    assert cache.get("big") is None and len(cache) == 10


def test_a_key_kept_again_is_counted_once() -> None:
    cache: BoundedCache[str, int] = BoundedCache(10_000)
    for size in (100, 500, 300):
        cache.put("k", size, size)
    assert cache.bytes == 300 + ENTRY_BYTES and len(cache) == 1


def test_a_smaller_budget_drops_entries_at_once() -> None:
    cache: BoundedCache[int, int] = BoundedCache(100_000)
    for i in range(50):
        cache.put(i, i, 1000)
    cache.resize(5 * (1000 + ENTRY_BYTES))
    assert len(cache) == 5 and cache.bytes <= cache.max_bytes
    assert [cache.get(i) for i in range(45, 50)] == list(range(45, 50))


def test_the_answer_cache_keeps_within_its_bytes(tmp_path: Path) -> None:
    from fmtr.web.cache import AnswerCache, file_stamp

    db = tmp_path / "db.sqlite"
    db.write_bytes(b"")
    body = b"y" * 10_000

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    cache = AnswerCache(app, stamp=lambda: file_stamp(db), max_bytes=100_000, max_body=50_000)

    async def ask(n: int) -> None:
        async def send(message: Any) -> None:
            pass

        scope = {"type": "http", "method": "GET", "path": "/api/v1/x",
                 "query_string": f"n={n}".encode()}  # fmt: skip
        await cache(scope, None, send)  # type: ignore[arg-type]

    async def flood() -> None:
        for n in range(1000):
            await ask(n)
            assert cache.entries.bytes <= 100_000

    asyncio.run(flood())
    assert 5 <= len(cache.entries) <= 10  # about 10.8 KB an answer
    assert cache.entries.get(("/api/v1/x", b"n=999", file_stamp(db))) is not None
    assert cache.entries.get(("/api/v1/x", b"n=0", file_stamp(db))) is None


def test_unit_searches_keep_their_words_within_the_budget(fixture_db: Path) -> None:
    from fmtr.query import answers, prepare_units
    from fmtr.query.unit_index import WORD_CACHE
    from fmtr.store.db import read_only_engine

    engine = read_only_engine(str(fixture_db))
    budget = WORD_CACHE.max_bytes
    rng = random.Random(16)
    try:
        prepare_units(engine, cache_bytes=20_000)
        assert WORD_CACHE.max_bytes == 20_000
        for _ in range(300):  # one-letter variations of words of the units' names
            word = rng.choice(["army", "colombian", "escuela", "militar", "cadetes", "force"])
            i = rng.randrange(len(word))
            asked = word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]
            with engine.connect() as conn:
                answers.units(conn, f"{asked} {word}", limit=10)
            assert WORD_CACHE.bytes <= 20_000
        assert len(WORD_CACHE) > 10  # it keeps what fits
        with engine.connect() as conn:
            found = answers.units(conn, "colombian army", limit=10)
        assert found.rows, "a unit search still finds its units"
    finally:
        WORD_CACHE.resize(budget)
        engine.dispose()


@pytest.mark.parametrize("budget", [0, 300])
def test_a_tiny_word_budget_keeps_nothing_and_still_answers(fixture_db: Path, budget: int) -> None:
    from fmtr.query import answers
    from fmtr.query.unit_index import WORD_CACHE
    from fmtr.store.db import read_only_engine

    engine = read_only_engine(str(fixture_db))
    kept = WORD_CACHE.max_bytes
    WORD_CACHE.resize(budget)
    try:
        with engine.connect() as conn:
            assert answers.units(conn, "colombian army", limit=10).rows
        assert WORD_CACHE.bytes <= budget
    finally:
        WORD_CACHE.resize(kept)
        engine.dispose()


def test_a_rebuilt_database_drops_what_was_kept_of_the_earlier_build(
    fixture_db: Path, tmp_path: Path
) -> None:
    import shutil
    import sqlite3

    from fmtr.query.resolve import _PER_BUILD, per_build
    from fmtr.store.db import read_only_engine

    db = Path(shutil.copy(fixture_db, tmp_path / "fmtr.sqlite"))
    engine = read_only_engine(str(db))
    try:
        for stamp in ("2026-01-01 00:00:00", "2026-01-02 00:00:00", "2026-01-03 00:00:00"):
            with closing(sqlite3.connect(db)) as con:  # as a build refreshing the index would
                con.execute("UPDATE search_state SET rebuilt_at = ?", (stamp,))
                con.commit()
            with engine.connect() as conn:
                assert per_build(conn, "test_memory", lambda c, s=stamp: s) == stamp
            kept = [k for k in _PER_BUILD if k[1] == "test_memory"]
            assert len(kept) == 1, kept  # the earlier builds' values are gone
    finally:
        engine.dispose()
