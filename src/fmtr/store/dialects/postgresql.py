"""PostgreSQL: the fragments fmtr.store.dialects describes, opening a database read-only with a
deadline per statement, and the build's lock."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Column, Connection, Engine, String, Text, create_engine, event, exc, text
from sqlalchemy.ext.compiler import compiles

from fmtr.errors import QueryTimeout

# PostgreSQL's code for a statement cancelled, here by statement_timeout.
_QUERY_CANCELED = "57014"
# The build's advisory lock: one 64-bit key per database (advisory locks are per database),
# the same for every fmtr ("fmtr" in ASCII, then "bld").
BUILD_LOCK = 0x666D7472_00626C64


# Every text column a migration creates on PostgreSQL (column definitions only: a CAST is left
# alone) is made as SQLite keeps text:
# - with no length limit: SQLite ignores VARCHAR(n), and a cell is kept verbatim whatever its
#   length (a programme variant of 77 characters is printed where the schema says 40);
# - compared byte by byte (COLLATE "C"), as SQLite compares, whatever the server's locale: an
#   order by name (recipients, spellings, the spelling a unit is shown in) is then the same.
@compiles(String, "postgresql")
@compiles(Text, "postgresql")
def _as_sqlite_text(type_: String, compiler: Any, **kw: Any) -> str:
    column = isinstance(kw.get("type_expression"), Column)
    shown = String(collation=type_.collation) if column and type_.length else type_
    # The compiler's own rendering ("VARCHAR", "TEXT"), by the type's visit name.
    rendered = str(getattr(compiler, f"visit_{shown.__visit_name__}")(shown, **kw))
    if column and type_.collation is None:
        rendered += ' COLLATE "C"'
    return rendered


def json_quote(expr: str) -> str:
    return f"CAST(to_json(CAST({expr} AS text)) AS text)"


def group_concat(expr: str, separator: str) -> str:
    return f"string_agg({expr}, '{separator}')"


def json_list(expr: str, where: str | None = None) -> str:
    # json_agg is NULL over no row, json_group_array '[]': the same empty list on both.
    found = f"json_agg(DISTINCT {expr} ORDER BY {expr})" + (
        f" FILTER (WHERE {where})" if where else ""
    )
    return f"coalesce(CAST({found} AS text), '[]')"


def json_object(key: str, value: str) -> str:
    return f"coalesce(CAST(json_object_agg({key}, {value} ORDER BY {key}) AS text), '{{}}')"


def read_only_engine(url: str, *, statement_seconds: float | None, pool_size: int) -> Engine:
    """An engine whose transactions are all read-only (the server refuses any write, temporary
    tables included), each question one REPEATABLE READ snapshot: a build committing meanwhile
    is seen by the next question whole, never half by this one. ``statement_seconds``: the
    server stops a statement past it (``statement_timeout``), raised as QueryTimeout."""
    connect_args: dict[str, Any] = {}
    if statement_seconds is not None:
        milliseconds = max(1, math.ceil(statement_seconds * 1000))
        connect_args["options"] = f"-c statement_timeout={milliseconds}"
    # As for SQLite (fmtr.store.dialects.sqlite), no cap beyond the pool: the server's thread
    # limit bounds the connections; pre-ping replaces those a server restart closed.
    engine = create_engine(
        url,
        connect_args=connect_args,
        execution_options={"postgresql_readonly": True, "isolation_level": "REPEATABLE READ"},
        pool_size=pool_size,
        max_overflow=-1,
        pool_pre_ping=True,
    )
    seconds = math.inf if statement_seconds is None else statement_seconds

    @event.listens_for(engine, "handle_error")
    def _timeout(context: Any) -> None:
        if timed_out(context.original_exception):
            raise QueryTimeout(seconds) from context.original_exception

    return engine


def timed_out(error: BaseException) -> bool:
    """Whether ``error`` is a statement ``statement_timeout`` stopped."""
    return getattr(error, "sqlstate", None) == _QUERY_CANCELED


def database_name(conn: Connection) -> str:
    """The database ``conn`` reads, as its URL without the password."""
    return conn.engine.url.render_as_string(hide_password=True)


@contextmanager
def build_lock(conn: Connection, shown: str) -> Iterator[None]:
    """Hold the database's build lock (a session advisory lock) on ``conn`` while a build runs
    on it; BuildLocked when another session holds it. Released when the block ends, and by the
    server when the session does (a build killed leaves no lock behind)."""
    from fmtr.store.swap import BuildLocked

    got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": BUILD_LOCK}).scalar()
    conn.commit()
    if not got:
        holder = conn.execute(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND ((CAST(classid AS bigint) << 32) | CAST(objid AS bigint)) = :key"
            ),
            {"key": BUILD_LOCK},
        ).scalar()
        conn.commit()
        raise BuildLocked(
            f"another fmtr build (server process {holder or '?'}) is running on {shown}; "
            "try again when it ends"
        )
    try:
        yield
    finally:
        try:
            if conn.in_transaction():
                conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": BUILD_LOCK})
            conn.commit()
        except exc.DBAPIError:
            pass  # the connection is gone, and with it the session's lock
