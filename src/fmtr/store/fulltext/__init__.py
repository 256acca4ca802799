"""The full-text indexes, one implementation per database: of the training rows' text (course
title, student unit, US unit, location: ``fmtr search``, ``fmtr course``, exports with a
search) and of the distinct student-unit names (the words a unit search looks through).

- ``sqlite``: FTS5 tables (migration 0003), ranked by FTS5's BM25;
- ``postgresql``: ``tsvector`` columns with a GIN index, PostgreSQL's own full-text search,
  given the words FTS5 would index (fmtr.store.fulltext.tokens) and ranked by the same BM25,
  so that a search finds and orders the same rows on both (docs/postgresql.md).

The build writes them (``index_document``, ``unindex_document``, ``rebuild_rows``,
``rebuild_units``, ``refresh_statistics``); fmtr.query reads them (``expression_matching``,
``ranked_where``, ``scored_matches``, ``unit_terms``, ``unit_postings``, ``unit_candidates``,
``names_matching``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import Connection

from fmtr.store.fulltext import postgresql, sqlite
from fmtr.store.fulltext.expression import COLUMNS
from fmtr.store.fulltext.tokens import index_words

__all__ = ["COLUMNS", "FullText", "index_words", "of"]


class FullText(Protocol):
    # --- the build ---------------------------------------------------------------------------
    def index_document(self, conn: Connection, document_id: int) -> None:
        """Put a freshly loaded document's rows in the index."""
        ...

    def unindex_document(self, conn: Connection, document_id: int) -> None:
        """Take a document's rows out of the index (before the rows are deleted)."""
        ...

    def rebuild_rows(self, conn: Connection) -> None:
        """Index every training row afresh."""
        ...

    def rebuild_units(self, conn: Connection) -> None:
        """Index the student-unit names (``student_unit_name``) afresh."""
        ...

    def refresh_statistics(self, conn: Connection) -> None:
        """Whatever the ranking needs beside the index, once the rows are in."""
        ...

    # --- questions ---------------------------------------------------------------------------
    def unit_terms(self, conn: Connection) -> tuple[str, ...]:
        """Every word of every student-unit name, in order."""
        ...

    def unit_postings(
        self, conn: Connection
    ) -> tuple[dict[str, frozenset[int]], list[tuple[int, str, int]]]:
        """Per word (in order), the names holding it; and every name as (id, key, rows)."""
        ...

    def unit_candidates(self, conn: Connection, alternatives: list[list[str]]) -> list[Any]:
        """The names (key, rows) holding, for each list of ``alternatives``, one of its
        words: every list, or all but one when there are three or more."""
        ...

    # --- the names' indexes (``kind``: "unit" or "course", migration 0008) -------------------
    def rebuild_names(self, conn: Connection, kind: str) -> None:
        """Index ``{kind}_name``'s canonical words afresh."""
        ...

    def name_terms(self, conn: Connection, kind: str) -> tuple[str, ...]:
        """Every word of the names' index."""
        ...

    def name_postings(self, conn: Connection, kind: str) -> dict[str, frozenset[int]]:
        """Per word (in order), the ids of the names holding it."""
        ...

    def names_matching(self, kind: str, expression: str) -> tuple[str, dict[str, str]]:
        """A SELECT of the ids of the names matching an FTS5 ``expression`` (phrases, AND,
        OR, parentheses), and its parameters."""
        ...

    # --- a search's own FTS5 query (fmtr.query.find) ------------------------------------------
    def expression_matching(self, expression: str) -> tuple[str, dict[str, str]]:
        """A SELECT of the ids of the training rows matching an FTS5 ``expression``."""
        ...

    def ranked_where(
        self,
        conn: Connection,
        expression: str,
        where: str,
        params: Mapping[str, Any],
        first: str | None,
        limit: int | None,
        offset: int,
    ) -> list[int]:
        """The page of the ids of the rows matching ``expression`` and ``where`` (over
        row_facets ``f``), those matching ``first`` first, then by BM25, then id."""
        ...

    def scored_matches(self, conn: Connection, expression: str, scored: bool) -> tuple[Any, Any]:
        """The ids of the rows matching ``expression`` and, when ``scored`` and the index can
        say it, each one's key in ``ranked_where``'s order (else None)."""
        ...


def of(conn: Connection) -> FullText:
    """The full-text index of ``conn``'s database."""
    return postgresql if conn.dialect.name == "postgresql" else sqlite
