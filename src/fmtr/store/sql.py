"""fmtr's SQL on either database it runs on (SQLite, PostgreSQL), written once.

Statements are plain SQL text with named parameters (``:name``) that both databases accept: no
SQLite-only forms (``?`` marks, integer booleans, loose GROUP BY, a negative LIMIT, subqueries
without a name) and no PostgreSQL-only ones. SQLAlchemy runs them (``rows``); on the server's
hot paths (``fast_rows``) a SQLite connection runs the same text itself, since for a small
answer SQLAlchemy's work per statement and per row costs more than SQLite's (sqlite3 takes
``:name`` marks as they are). What cannot be written once, a few fragments and the full-text
index, has one implementation per database: fmtr.store.dialects and fmtr.store.fulltext.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, text

# A LIMIT that keeps every row: SQLite's -1 is an error on PostgreSQL, PostgreSQL's NULL one
# on SQLite; both take the largest 64-bit integer.
NO_LIMIT = 2**63 - 1

Params = Mapping[str, Any]


def sql_limit(limit: int | None) -> int:
    """``limit`` as a LIMIT parameter: None (every row) is ``NO_LIMIT``."""
    return NO_LIMIT if limit is None else limit


def rows(conn: Connection, sql: str, params: Params | None = None) -> list[Any]:
    """The rows of ``sql`` (named parameters) run by SQLAlchemy: each statement gets the
    server's deadline and SQLAlchemy's error handling."""
    return list(conn.execute(text(sql), dict(params or {})).all())


def fast_rows(
    conn: Connection, sql: str, params: Params | Sequence[Any] | None = None
) -> list[Any]:
    """The rows of a read on a hot path of the server, straight from the sqlite3 connection
    under ``conn`` when it is one (the server's deadline still holds: it is armed when a
    question takes its connection, fmtr.store.dialects.sqlite); through SQLAlchemy on any
    other database."""
    raw = conn.connection.driver_connection
    if isinstance(raw, sqlite3.Connection):
        return raw.execute(sql, params or {}).fetchall()
    if not isinstance(params, Mapping) and params:
        # TODO(issue 15): the last positional statements (issue 13a's), SQLite only until
        # written with named parameters.
        raise NotImplementedError("a positional statement on a database other than SQLite")
    return rows(conn, sql, params if isinstance(params, Mapping) else None)


def in_list(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """The marks of an IN list (":name0, :name1, ...") and their parameters; an empty list is
    ``(NULL)``, which matches nothing."""
    names = [f"{name}{i}" for i in range(len(values))]
    return ", ".join(f":{n}" for n in names) or "NULL", dict(zip(names, values, strict=True))


def insert_many(
    conn: Connection, table: str, cols: Sequence[str], values: Sequence[Sequence[Any]]
) -> None:
    """executemany on the driver, rows as tuples: about three times faster than Core's per-row
    parameter processing (a statement of SQLAlchemy's with a dict per row), which matters for
    the build's largest tables."""
    if not values:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"
    conn.exec_driver_sql(sql, list(values))


def is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"
