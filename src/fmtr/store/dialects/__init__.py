"""What differs between the databases fmtr runs on, one module per database, each with the same
functions: ``sqlite`` (the embedded default) and ``postgresql`` (shared deployments).

Everything else is written once (fmtr.store.sql). What differs, and why it cannot be:

- opening for reading: SQLite opens the file with ``mode=ro`` and enforces a question's
  deadline with its progress handler; PostgreSQL makes every transaction read-only
  (``REPEATABLE READ``: a question's statements see one snapshot, as a SQLite reader sees one
  file) and stops a statement past the deadline with ``statement_timeout``;
- what identifies a database between questions (a file, or a server's database);
- JSON built by aggregates (``json_group_array`` / ``json_agg``) and text joined by them
  (``group_concat`` / ``string_agg``);
- the build's lock (a lock file beside the SQLite file, an advisory lock in PostgreSQL).

The full-text index is the other part written per database: fmtr.store.fulltext.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection, Engine

from fmtr.store.dialects import postgresql, sqlite


class Dialect(Protocol):
    """The SQL fragments that differ (each module of this package is one)."""

    def json_quote(self, expr: str) -> str:
        """``expr`` (text) as a JSON string, as text."""
        ...

    def group_concat(self, expr: str, separator: str) -> str:
        """The aggregate joining ``expr`` (text) with ``separator`` (a literal)."""
        ...

    def json_list(self, expr: str, where: str | None = None) -> str:
        """The aggregate making the distinct values of ``expr`` (those with ``where``), in
        order, a JSON array, as text."""
        ...

    def json_object(self, key: str, value: str) -> str:
        """The aggregate making ``key``: ``value`` pairs a JSON object, as text."""
        ...


def of(db: Connection | Engine) -> Dialect:
    """The dialect module of ``db``'s database."""
    return postgresql if db.dialect.name == "postgresql" else sqlite
