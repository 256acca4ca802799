"""The full-text indexes on SQLite: FTS5 tables with ``training`` and ``student_unit_name`` as
their external content (migration 0003); a search ranked by FTS5's BM25 of each of its
phrases (fmtr.store.fulltext.expression)."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain, combinations
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from fmtr.store.fulltext.expression import COLUMNS, ordered, read_expression
from fmtr.store.sql import fast_rows, sql_limit

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_COLUMNS = ", ".join(COLUMNS)
# In rowid order: FTS5 writes its pending terms out as a segment whenever a rowid comes lower
# than the one before, and block by block through the index the ids are not in order (a whole
# corpus indexed document by document took 4.2 s so, 1.6 s in rowid order).
_DOCUMENT_ROWS = (
    "FROM training t JOIN programme_block b ON b.id = t.block_id WHERE b.document_id = ? "
    "ORDER BY t.id"
)


def index_document(conn: Connection, document_id: int) -> None:
    # Done document by document while the build's workers are still extracting, rather than
    # as one rebuild at the end.
    conn.exec_driver_sql(
        f"INSERT INTO training_fts(rowid, {_COLUMNS}) "
        f"SELECT t.id, t.course_title, t.student_unit, t.us_unit, t.location {_DOCUMENT_ROWS}",
        (document_id,),
    )


def unindex_document(conn: Connection, document_id: int) -> None:
    # An external-content FTS5 index needs the old values to forget them.
    conn.exec_driver_sql(
        f"INSERT INTO training_fts(training_fts, rowid, {_COLUMNS}) "
        f"SELECT 'delete', t.id, t.course_title, t.student_unit, t.us_unit, t.location "
        f"{_DOCUMENT_ROWS}",
        (document_id,),
    )


def rebuild_rows(conn: Connection) -> None:
    conn.exec_driver_sql("INSERT INTO training_fts(training_fts) VALUES ('rebuild')")


def rebuild_units(conn: Connection) -> None:
    conn.exec_driver_sql("INSERT INTO student_unit_fts(student_unit_fts) VALUES ('rebuild')")


def refresh_statistics(conn: Connection) -> None:
    """FTS5 keeps the row and token counts BM25 needs itself."""


def _words_table(conn: Connection, kind: str) -> str:
    """An fts5vocab table over the unit names' index (``kind``: "row" or "instance"). A temp
    table: connection-private, so it works on a file opened read-only (mode=ro)."""
    name = f"temp.student_unit_words_{kind}"
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5vocab(main, student_unit_fts, {kind})"
    )
    return name


def unit_terms(conn: Connection) -> tuple[str, ...]:
    words = _words_table(conn, "row")
    return tuple(r[0] for r in conn.exec_driver_sql(f"SELECT term FROM {words}"))


def unit_postings(
    conn: Connection,
) -> tuple[dict[str, frozenset[int]], list[tuple[int, str, int]]]:
    words = _words_table(conn, "instance")
    # Ordinary statements (not fast_rows): each gets a server's full time limit.
    postings: dict[str, frozenset[int]] = {
        term: frozenset(map(int, docs.split(",")))
        for term, docs in conn.exec_driver_sql(
            f"SELECT term, group_concat(doc) FROM {words} GROUP BY term"
        )
    }
    names = conn.exec_driver_sql("SELECT rowid, key, rows FROM student_unit_name").all()
    return postings, [(int(i), str(k), int(n)) for i, k, n in names]


def _unit_match(alternatives: list[list[str]]) -> str:
    """An OR of AND-combinations of each word's spellings."""
    alts = ["(" + " OR ".join(f'"{t}"' for t in terms) + ")" for terms in alternatives]
    need = len(alts) if len(alts) <= 2 else len(alts) - 1
    return " OR ".join("(" + " AND ".join(c) + ")" for c in combinations(alts, need))


def unit_candidates(conn: Connection, alternatives: list[list[str]]) -> list[Any]:
    return fast_rows(
        conn,
        "SELECT n.key, n.rows FROM student_unit_fts f "
        "JOIN student_unit_name n ON n.rowid = f.rowid WHERE student_unit_fts MATCH :m",
        {"m": _unit_match(alternatives)},
    )


# --- the names' indexes (unit_fts, course_fts: migration 0008) --------------------------------


def rebuild_names(conn: Connection, kind: str) -> None:
    conn.exec_driver_sql(f"INSERT INTO {kind}_fts({kind}_fts) VALUES ('rebuild')")


def _names_words(conn: Connection, kind: str, vocab: str) -> str:
    """An fts5vocab table over a names' index (``vocab``: "row" or "instance"). A temp table:
    connection-private, so it works on a file opened read-only (mode=ro)."""
    name = f"temp.{kind}_words_{vocab}"
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5vocab(main, {kind}_fts, {vocab})"
    )
    return name


def name_terms(conn: Connection, kind: str) -> tuple[str, ...]:
    words = _names_words(conn, kind, "row")
    return tuple(r[0] for r in conn.exec_driver_sql(f"SELECT term FROM {words}"))


def name_postings(conn: Connection, kind: str) -> dict[str, frozenset[int]]:
    words = _names_words(conn, kind, "instance")
    # Ordinary statements (not fast_rows): each gets a server's full time limit.
    return {
        term: frozenset(map(int, docs.split(",")))
        for term, docs in conn.exec_driver_sql(
            f"SELECT term, group_concat(doc) FROM {words} GROUP BY term"
        )
    }


def names_matching(kind: str, expression: str) -> tuple[str, dict[str, str]]:
    """A SELECT of the ids of the names matching an FTS5 ``expression``, and its parameters."""
    return f"SELECT rowid FROM {kind}_fts WHERE {kind}_fts MATCH :{kind}_match", {
        f"{kind}_match": expression
    }


# --- a search's own FTS5 query (fmtr.query.find) ----------------------------------------------


def expression_matching(expression: str) -> tuple[str, dict[str, str]]:
    """A SELECT of the ids of the training rows matching an FTS5 ``expression``."""
    return "SELECT rowid FROM training_fts WHERE training_fts MATCH :fts_match", {
        "fts_match": expression
    }


def _phrase_bm25(conn: Connection, column: str | None, phrase: str) -> list[Any]:
    """(rowid, FTS5's ``bm25()`` of the phrase alone) per row holding ``phrase`` (in
    ``column``, when given). A single phrase FTS5 scores reliably
    (fmtr.store.fulltext.expression)."""
    quoted = '"' + phrase.replace('"', '""') + '"'
    return fast_rows(
        conn,
        "SELECT rowid, bm25(training_fts) FROM training_fts WHERE training_fts MATCH :fts_phrase",
        {"fts_phrase": f"{column} : {quoted}" if column else quoted},
    )


def _phrase_scores(conn: Connection, column: str | None, phrase: str) -> dict[int, float]:
    return {int(r[0]): float(r[1]) for r in _phrase_bm25(conn, column, phrase)}


def _ranked_by_fts5(
    conn: Connection,
    expression: str,
    where: str,
    params: Mapping[str, Any],
    first: str | None,
    limit: int | None,
    offset: int,
) -> list[int]:
    """``ranked_where`` for a query every matching row holds every phrase of (no OR, no NOT):
    FTS5's own rank is then the sum per phrase, in one statement."""
    exact = (
        "x.rowid IN (SELECT rowid FROM training_fts WHERE training_fts MATCH :fts_first) DESC, "
        if first
        else ""
    )
    found = fast_rows(
        conn,
        "SELECT x.rowid FROM training_fts x JOIN row_facets f ON f.id = x.rowid "
        f"JOIN training t ON t.id = x.rowid WHERE training_fts MATCH :fts_match AND {where} "
        f"ORDER BY {exact}x.rank, coalesce(t.stable_id, ''), x.rowid "
        "LIMIT :fts_limit OFFSET :fts_offset",
        {
            **params,
            "fts_match": expression,
            **({"fts_first": first} if first else {}),
            "fts_limit": sql_limit(limit),
            "fts_offset": offset,
        },
    )
    return [r[0] for r in found]


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
    matching ``first`` first, then by BM25 summed over the query's phrases, then by stable
    identifier (fmtr.store.fulltext.expression); the page ``offset``..``offset + limit``."""
    query = read_expression(expression)
    if not query.has_alternatives:
        return _ranked_by_fts5(conn, expression, where, params, first, limit, offset)
    found = fast_rows(
        conn,
        "SELECT x.rowid, t.stable_id FROM training_fts x JOIN row_facets f ON f.id = x.rowid "
        f"JOIN training t ON t.id = x.rowid WHERE training_fts MATCH :fts_match AND {where}",
        {**params, "fts_match": expression},
    )
    if not found:
        return []
    per_phrase: dict[str, dict[int, float]] = {}
    for phrase in query.phrases:
        if phrase not in per_phrase:
            per_phrase[phrase] = _phrase_scores(conn, query.column, phrase)
    firsts: set[int] = set()
    if first is not None:
        firsts = {
            int(r[0])
            for r in fast_rows(
                conn,
                "SELECT rowid FROM training_fts WHERE training_fts MATCH :fts_first",
                {"fts_first": first},
            )
        }
    scored = []
    for row_id, stable in found:
        # As fts5_aux.c sums a query's phrases: in their order, from 0.0 (a phrase the row
        # lacks adds 0.0, as there).
        score = 0.0
        for phrase in query.phrases:
            score += -per_phrase[phrase].get(row_id, -0.0)
        scored.append((int(row_id), stable or "", -1.0 * score))
    return ordered(scored, firsts, limit, offset)


def scored_matches(
    conn: Connection, expression: str, scored: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64] | None]:
    """The ids of the rows matching ``expression`` and, when ``scored``, each one's key in
    ``ranked_where``'s order (smaller first): FTS5's rank for a query without OR or NOT, else
    BM25 summed per phrase as ``ranked_where`` sums it (the same float operations in the same
    order, so the same numbers). For a server's search (fmtr.query.facet_columns), which
    filters and orders them in memory: no join, no GROUP BY, one FTS5 scan per phrase."""
    import numpy as np  # a server's search only: the build and the CLI never load it

    query = read_expression(expression)
    if not scored:
        found = fast_rows(conn, *expression_matching(expression))
        return np.fromiter((r[0] for r in found), np.int64, len(found)), None
    if not query.has_alternatives:
        ids, keys = _pairs(
            fast_rows(
                conn,
                "SELECT rowid, rank FROM training_fts WHERE training_fts MATCH :fts_match",
                {"fts_match": expression},
            )
        )
        return ids, keys
    per_phrase: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = {}
    for phrase in query.phrases:
        if phrase not in per_phrase:
            per_phrase[phrase] = _pairs(_phrase_bm25(conn, query.column, phrase))
    if all(p.kind != "operator" or p.text == "OR" for p in query.parts):
        # Phrases joined by OR only: the rows matching are those holding any phrase.
        ids = np.unique(np.concatenate([at for at, _ in per_phrase.values()]))
    else:
        found = fast_rows(conn, *expression_matching(expression))
        ids = np.fromiter((r[0] for r in found), np.int64, len(found))
    size = 1 + int(ids.max()) if len(ids) else 0
    total = np.zeros(size, dtype=np.float64)
    for phrase in query.phrases:
        at, scores = per_phrase[phrase]
        inside = at < size
        total[at[inside]] += -scores[inside]  # each id once per phrase: no lost addition
    return ids, -1.0 * total[ids]


def _pairs(found: list[Any]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    import numpy as np

    flat = np.fromiter(chain.from_iterable(found), np.float64, 2 * len(found))
    return flat[0::2].astype(np.int64), flat[1::2].copy()
