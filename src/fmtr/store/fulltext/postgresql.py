"""The full-text indexes on PostgreSQL: its own full-text search (``tsvector`` columns with a
GIN index, ``@@`` with a ``tsquery``), given the words SQLite's FTS5 would index and ranked by
FTS5's BM25, so that a search on either database finds the same rows in the same order.

Why not PostgreSQL's parser and ``ts_rank``: its parser splits text otherwise than FTS5's
unicode61 ("F-16" is also the word "f-16", "1.5" one number, and what a letter is follows the
server's locale) and ``ts_rank`` orders otherwise than BM25, so the same search would find and
rank other rows than on SQLite. Here the vectors are written as ``tsvector`` literals from
fmtr.store.fulltext.tokens (no parser, no dictionary: the words as they are) and the queries
as ``tsquery`` literals; GIN finds the rows, and BM25 is computed as FTS5 computes it, from
each row's size in words (``training_fts.tokens``), the index's row and word counts
(``training_fts_stats``) and how many rows hold each word.

Each column of a row is one weight of its vector (course title A, student unit B, US unit C,
location D), so that a search in one column (``fmtr course``) is a weight restriction; the
columns' words are numbered one after the other with a gap, so that a phrase never runs from
one column into the next (as in FTS5, where columns are apart).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

from sqlalchemy import Connection, text

from fmtr.store.fulltext.expression import ordered, read_expression
from fmtr.store.fulltext.tokens import index_words
from fmtr.store.sql import in_list, rows

_WEIGHTS = {"course_title": "A", "student_unit": "B", "us_unit": "C", "location": "D"}
_MAX_POSITION = 16383  # PostgreSQL's largest word position
# FTS5's BM25 constants (sqlite3 fts5_aux.c).
_K1, _B = 1.2, 0.75
_BATCH = 2000


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def vector(cells: Sequence[str | None]) -> tuple[str, int]:
    """The ``tsvector`` literal of a training row's four cells (in _WEIGHTS' order) and its
    size in words."""
    positions: dict[str, list[str]] = {}
    at = 1
    size = 0
    for weight, cell in zip(_WEIGHTS.values(), cells, strict=True):
        for word in index_words(cell or ""):
            positions.setdefault(word, []).append(f"{min(at, _MAX_POSITION)}{weight}")
            at += 1
            size += 1
        at += 1  # the gap between columns
    return " ".join(f"{_lexeme(w)}:{','.join(p)}" for w, p in positions.items()), size


def _insert_vectors(conn: Connection, found: Iterable[Any]) -> None:
    batch: list[tuple[Any, ...]] = []
    insert = "INSERT INTO training_fts (id, words, tokens) VALUES (%s, CAST(%s AS tsvector), %s)"
    for row in found:
        words, size = vector(row[1:])
        batch.append((row[0], words, size))
        if len(batch) >= _BATCH:
            conn.exec_driver_sql(insert, batch)
            batch = []
    if batch:
        conn.exec_driver_sql(insert, batch)


_ROWS = (
    "SELECT t.id, t.course_title, t.student_unit, t.us_unit, t.location FROM training t "
    "JOIN programme_block b ON b.id = t.block_id"
)


def index_document(conn: Connection, document_id: int) -> None:
    _insert_vectors(conn, rows(conn, f"{_ROWS} WHERE b.document_id = :doc", {"doc": document_id}))


def unindex_document(conn: Connection, document_id: int) -> None:
    conn.execute(
        text(
            "DELETE FROM training_fts WHERE id IN (SELECT t.id FROM training t "
            "JOIN programme_block b ON b.id = t.block_id WHERE b.document_id = :doc)"
        ),
        {"doc": document_id},
    )


def rebuild_rows(conn: Connection) -> None:
    conn.exec_driver_sql("DELETE FROM training_fts")
    _insert_vectors(conn, conn.exec_driver_sql(_ROWS).all())


def refresh_statistics(conn: Connection) -> None:
    conn.exec_driver_sql("DELETE FROM training_fts_stats")
    conn.exec_driver_sql(
        "INSERT INTO training_fts_stats (id, rows, tokens) "
        "SELECT 1, count(*), coalesce(sum(tokens), 0) FROM training_fts"
    )


def rebuild_units(conn: Connection) -> None:
    conn.exec_driver_sql("DELETE FROM student_unit_fts")
    keys = [r[0] for r in conn.exec_driver_sql("SELECT key FROM student_unit_name ORDER BY key")]
    insert = "INSERT INTO student_unit_fts (id, key, words) VALUES (%s, %s, CAST(%s AS tsvector))"
    for start in range(0, len(keys), _BATCH):
        batch = [
            (i, key, " ".join(_lexeme(w) for w in dict.fromkeys(index_words(key))))
            for i, key in enumerate(keys[start : start + _BATCH], start + 1)
        ]
        conn.exec_driver_sql(insert, batch)


# --- questions -------------------------------------------------------------------------------


def unit_terms(conn: Connection) -> tuple[str, ...]:
    found = conn.exec_driver_sql("SELECT word FROM ts_stat('SELECT words FROM student_unit_fts')")
    return tuple(sorted(r[0] for r in found))


def unit_postings(
    conn: Connection,
) -> tuple[dict[str, frozenset[int]], list[tuple[int, str, int]]]:
    found = conn.exec_driver_sql(
        "SELECT u.lexeme, array_agg(f.id) FROM student_unit_fts f "
        "CROSS JOIN LATERAL unnest(f.words) AS u(lexeme, positions, weights) GROUP BY u.lexeme"
    ).all()
    postings = {term: frozenset(ids) for term, ids in sorted(found)}
    names = conn.exec_driver_sql(
        "SELECT f.id, n.key, n.rows FROM student_unit_fts f "
        "JOIN student_unit_name n ON n.key = f.key"
    ).all()
    return postings, [(int(i), str(k), int(n)) for i, k, n in names]


def unit_candidates(conn: Connection, alternatives: list[list[str]]) -> list[Any]:
    alts = ["(" + " | ".join(_lexeme(t) for t in terms) + ")" for terms in alternatives]
    need = len(alts) if len(alts) <= 2 else len(alts) - 1
    query = " | ".join("(" + " & ".join(c) + ")" for c in combinations(alts, need))
    return rows(
        conn,
        "SELECT n.key, n.rows FROM student_unit_fts f JOIN student_unit_name n ON n.key = f.key "
        "WHERE f.words @@ CAST(:m AS tsquery)",
        {"m": query},
    )


# --- the names' indexes (unit_fts, course_fts: migration 0008) --------------------------------


def rebuild_names(conn: Connection, kind: str) -> None:
    conn.exec_driver_sql(f"DELETE FROM {kind}_fts")
    found = conn.exec_driver_sql(f"SELECT id, canonical FROM {kind}_name ORDER BY id").all()
    insert = f"INSERT INTO {kind}_fts (id, words) VALUES (%s, CAST(%s AS tsvector))"
    for start in range(0, len(found), _BATCH):
        batch = [
            (i, " ".join(_lexeme(w) for w in dict.fromkeys(index_words(words))))
            for i, words in found[start : start + _BATCH]
        ]
        conn.exec_driver_sql(insert, batch)


def name_terms(conn: Connection, kind: str) -> tuple[str, ...]:
    found = conn.exec_driver_sql(f"SELECT word FROM ts_stat('SELECT words FROM {kind}_fts')")
    return tuple(sorted(r[0] for r in found))


def name_postings(conn: Connection, kind: str) -> dict[str, frozenset[int]]:
    found = conn.exec_driver_sql(
        f"SELECT u.lexeme, array_agg(f.id) FROM {kind}_fts f "
        "CROSS JOIN LATERAL unnest(f.words) AS u(lexeme, positions, weights) GROUP BY u.lexeme"
    ).all()
    return {term: frozenset(ids) for term, ids in sorted(found)}


def _parsed(expression: str) -> tuple[str, list[tuple[str, ...]]]:
    """An FTS5 query as fmtr writes it (fmtr.store.fulltext.expression) as a ``tsquery``
    (each phrase's words as FTS5 tokenizes them, one after the other: ``<->``; the column as
    the words' weight) and its phrases in order, each as its weight ("" for any column) and
    its words."""
    read = read_expression(expression)
    weight = _WEIGHTS[read.column] if read.column else ""
    mark = f":{weight}" if weight else ""
    out: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for part in read.parts:
        if part.kind == "operator":
            out.append({"AND": "&", "OR": "|", "NOT": "& !"}[part.text])
        elif part.kind == "phrase":
            words = tuple(index_words(part.text))
            phrases.append(words)
            out.append(
                "(" + " <-> ".join(f"{_lexeme(w)}{mark}" for w in words) + ")" if words else "''"
            )
        else:
            out.append(part.text)
    return " ".join(out), [(weight, *p) for p in phrases]


def tsquery(expression: str) -> str:
    """The ``tsquery`` of an FTS5 query (``_parsed``)."""
    return _parsed(expression)[0]


def expression_matching(expression: str) -> tuple[str, dict[str, str]]:
    """A SELECT of the ids of the training rows matching an FTS5 ``expression``."""
    return "SELECT id FROM training_fts WHERE words @@ CAST(:fts_match AS tsquery)", {
        "fts_match": tsquery(expression)
    }


def _weighted_instances(phrase: tuple[str, ...], at: dict[str, dict[int, str]]) -> int:
    """How many times ``phrase`` (its weight first: "" for any column) occurs in a row whose
    words are at positions ``at`` (position -> weight): in the query's column only, as FTS5's
    bm25 counts it."""
    weight, *words = phrase
    if not words:
        return 0
    starts = at.get(words[0], {})
    return sum(
        1
        for p, w in starts.items()
        if (not weight or w == weight)
        and all(
            p + k in at.get(t, {}) and (not weight or at[t][p + k] == weight)
            for k, t in enumerate(words)
        )
    )


def ranked_where(
    conn: Connection,
    expression: str,
    where: str,
    params: Mapping[str, Any],
    first: str | None,
    limit: int | None,
    offset: int,
) -> list[int]:
    """The ids of the rows matching ``expression`` and ``where`` (over row_facets ``f``), those
    matching ``first`` (an FTS5 query) first, then by BM25 summed over the query's phrases,
    each computed as FTS5's ``bm25()`` computes it (fts5_aux.c), then by stable identifier
    (fmtr.store.fulltext.expression); the page ``offset``..``offset + limit``."""
    query, phrases = _parsed(expression)
    stats = rows(conn, "SELECT rows, tokens FROM training_fts_stats WHERE id = 1")
    if not stats or not stats[0][0]:
        return []
    n_rows, n_tokens = stats[0]
    avgdl = float(n_tokens) / float(n_rows)
    idf: list[float] = []
    for phrase in phrases:
        weight, *words = phrase
        hits = 0
        if words:
            single = " <-> ".join(f"{_lexeme(w)}{':' + weight if weight else ''}" for w in words)
            hits = int(
                rows(
                    conn,
                    "SELECT count(*) FROM training_fts WHERE words @@ CAST(:q AS tsquery)",
                    {"q": single},
                )[0][0]
            )
        value = math.log((n_rows - hits + 0.5) / (hits + 0.5))
        idf.append(value if value > 0.0 else 1e-6)
    lexemes = sorted({t for p in phrases for t in p[1:]})
    marks, lexeme_params = in_list("lexeme", lexemes)
    found = rows(
        conn,
        "SELECT x.id, t.stable_id, x.tokens, u.lexeme, u.positions, u.weights "
        "FROM training_fts x JOIN row_facets f ON f.id = x.id JOIN training t ON t.id = x.id "
        "CROSS JOIN LATERAL unnest(x.words) AS u(lexeme, positions, weights) "
        f"WHERE x.words @@ CAST(:fts_rank_match AS tsquery) AND ({where}) "
        f"AND u.lexeme IN ({marks})",
        {**params, "fts_rank_match": query, **lexeme_params},
    )
    per_row: dict[int, tuple[str | None, int, dict[str, dict[int, str]]]] = {}
    for row_id, stable, size, lexeme, positions, weights in found:
        per_row.setdefault(row_id, (stable, size, {}))[2][lexeme] = dict(
            zip(positions, weights, strict=True)
        )
    firsts: set[int] = set()
    if first is not None:
        sql, first_params = expression_matching(first)
        firsts = {r[0] for r in rows(conn, sql, first_params)}
    scored: list[tuple[int, str, float]] = []
    for row_id, (stable, size, at) in per_row.items():
        d = float(size)
        score = 0.0
        for i, phrase in enumerate(phrases):
            f = float(_weighted_instances(phrase, at))
            score += idf[i] * ((f * (_K1 + 1.0)) / (f + _K1 * (1 - _B + _B * d / avgdl)))
        scored.append((row_id, stable or "", -1.0 * score))
    return ordered(scored, firsts, limit, offset)


def names_matching(kind: str, expression: str) -> tuple[str, dict[str, str]]:
    """A SELECT of the ids of the names matching an FTS5 ``expression``, and its parameters."""
    return f"SELECT id FROM {kind}_fts WHERE words @@ CAST(:{kind}_match AS tsquery)", {
        f"{kind}_match": tsquery(expression)
    }


def scored_matches(conn: Connection, expression: str, scored: bool) -> tuple[Any, None]:
    """The ids of the rows matching ``expression``; never their order (``ranked_where`` ranks
    them, in Python from the words' positions): see the SQLite implementation."""
    sql, params = expression_matching(expression)
    return [r[0] for r in rows(conn, sql, params)], None
