"""The in-memory unit index finds exactly the names FTS5 finds for the same words.

A unit search asks FTS5 for its candidates (every word or a close spelling of it, all but one
word when there are three or more) unless the process loaded the index (a server), which
answers from the FTS index's own postings. These tests hold the two to the same answer, on a
real database (the corpus's) and on the one written by code, and the query's words to FTS5's
tokenizer itself.
"""

from __future__ import annotations

import random
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from corpus_kit import connect
from fmtr.query import prepare_units, resolve, units
from fmtr.query.resolve import per_build_kept
from fmtr.query.unit_index import ALIKE, fts_candidates, index_words, rank, unit_index


def _texts(names: list[str], rng: random.Random) -> list[str]:
    """Unit names as users type them: whole, cut short, a letter changed, words dropped."""
    out = []
    for _ in range(150):
        name = rng.choice(names)
        words = name.split()
        kind = rng.randrange(4)
        if kind == 1:
            name = " ".join(words[: rng.randint(1, max(1, len(words) - 1))])
        elif kind == 2 and name:
            i = rng.randrange(len(name))
            name = name[:i] + rng.choice("aeiostx") + name[i + 1 :]
        elif kind == 3 and len(words) > 2:
            del words[rng.randrange(len(words))]
            name = " ".join(words)
        out.append(name)
    return out


def test_candidates_are_fts5s(corpus_db: Engine) -> None:
    # On the corpus: a thousand real unit names and users' misspellings of them.
    with corpus_db.connect() as conn:
        index = unit_index(conn)
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        names = [r[0] for r in raw.execute("SELECT spelling FROM unit_name")]
        assert len(names) > 1000
        checked = found = 0
        for text in _texts(names, random.Random(5)):
            words = index_words(text)
            if not words:
                continue
            ours = index.named(index.candidates(words))
            fts = fts_candidates(conn, words)
            assert ours == fts, text
            checked += 1
            found += len(fts.ids)
        assert checked > 100 and found > checked


def test_index_holds_every_unit_name(db: Engine) -> None:
    with db.connect() as conn:
        index = unit_index(conn)
        rows = conn.exec_driver_sql(
            "SELECT n.id, n.country_code, n.unit, n.canonical, f.rows FROM unit_name n "
            "JOIN unit_figures f USING (country_code, unit)"
        ).all()
    assert rows
    for i, country, unit, canonical, n in rows:
        assert (index.countries[i], index.units[i], index.canonical[i], index.unit_rows[i]) == (
            country,
            unit,
            canonical,
            n,
        )


def test_rank_orders_by_match_then_score_then_rows(db: Engine) -> None:
    with db.connect() as conn:
        index = unit_index(conn)
        found = index.named(index.candidates(index_words("Army")))
        ranked = rank(["army"], found, 85)
    assert len(ranked) > 10
    keys = [(r.match, -r.score, -r.unit_rows, r.unit, r.country, r.id) for r in ranked]
    assert keys == sorted(keys)
    # Every name holding the word is kept, however it scores.
    assert {r.id for r in ranked} >= {
        i for i, c in zip(found.ids, found.canonical, strict=True) if "army" in c.split()
    }
    assert all(r.match < ALIKE or r.score >= 85 for r in ranked)


def test_a_search_answers_the_same_with_or_without_the_loaded_index(db: Engine) -> None:
    texts = ["Colombian Army", "Ministry of Defence", "Escuela Militar", "Fuerza Aérea"]
    resolve._PER_BUILD.clear()  # a process that never loaded the index: FTS5 answers
    cold = [units(db, t, limit=None) for t in texts]
    with db.connect() as conn:
        assert per_build_kept(conn, "unit_index") is None
    prepare_units(db)  # as a server does
    with db.connect() as conn:
        assert per_build_kept(conn, "unit_index") is not None
    warm = [units(db, t, limit=None) for t in texts]
    assert warm == cold
    assert all(r.units for r in warm)


# Printable ASCII, Latin-1 and Latin Extended-A: what unit names and users' texts are made of.
_TEXT = st.text(
    alphabet=st.sampled_from([chr(c) for c in [*range(0x20, 0x7F), *range(0xA0, 0x180)]]),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_index_words_are_fts5s_tokens(text: str) -> None:
    with connect(":memory:") as conn:
        conn.execute(
            "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')"
        )
        conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
        conn.execute("INSERT INTO t (x) VALUES (?)", (text,))
        tokens = [r[0] for r in conn.execute("SELECT term FROM v ORDER BY offset")]
    assert index_words(text) == tokens
