"""SQLite: the fragments fmtr.store.dialects describes, and opening a file read-only with a
deadline per statement."""

from __future__ import annotations

import math
import os
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.pool import QueuePool

from fmtr.errors import QueryTimeout


def json_quote(expr: str) -> str:
    return f"json_quote({expr})"


def group_concat(expr: str, separator: str) -> str:
    return f"group_concat({expr}, '{separator}')"


def json_list(expr: str, where: str | None = None) -> str:
    # In the order the rows come (the caller sorts them): json_group_array takes no ORDER BY.
    return f"json_group_array(DISTINCT {expr})" + (f" FILTER (WHERE {where})" if where else "")


def json_object(key: str, value: str) -> str:
    return f"json_group_object({key}, {value})"


_SQLITE_CONFIG_MEMSTATUS = 9  # sqlite3.h


def stop_memory_statistics() -> bool:
    """Stop SQLite counting its memory in this process (SQLITE_CONFIG_MEMSTATUS off), when
    nothing of SQLite's is allocated yet; whether it was stopped.

    SQLite counts every allocation under one process-wide mutex: the build's threads that
    compute the figures, each on a connection of its own (fmtr.store.search.Background), took
    turns on it rather than running side by side (the build's last seconds, measured with
    py-spy). The setting can only change while SQLite is shut down, which is safe only with
    no connection open: SQLite's count of what it holds (still on) says so when it is 0. For
    a process's entry point (the `fmtr build` command), before it opens any database; once.
    """
    global _memory_statistics_stopped
    if _memory_statistics_stopped:
        return True
    try:
        import _sqlite3
        import ctypes

        # The library the sqlite3 module uses, linked in or loaded beside it (not on Windows,
        # whose module exports none of SQLite's functions: kept as it is there).
        lib = ctypes.CDLL(_sqlite3.__file__)
        lib.sqlite3_memory_used.restype = ctypes.c_int64
        if lib.sqlite3_memory_used() != 0:
            return False
        lib.sqlite3_shutdown()
        stopped = lib.sqlite3_config(_SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == 0
        lib.sqlite3_initialize()  # else the first connection does
    except (OSError, AttributeError):
        return False
    _memory_statistics_stopped = stopped
    return stopped


_memory_statistics_stopped = False


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


def read_only_engine(
    path: Path, *, statement_seconds: float | None, progress_steps: int, pool_size: int
) -> Engine:
    """An engine on the existing file ``path`` opened with ``mode=ro``. ``PRAGMA query_only``
    is not set: it would also forbid the connection-private temp tables fmtr.store.fulltext
    makes (the unit names' vocabulary), which write nothing to the file.
    ``statement_seconds``: every statement gets this deadline, checked every
    ``progress_steps`` SQLite instructions, past which it raises QueryTimeout. A pooled
    connection whose file a build has swapped since is dropped and opened again."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"

    def connect() -> sqlite3.Connection:
        # check_same_thread=False: the pool hands a connection to whichever worker thread
        # asks next; each is used by one thread at a time.
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    # No cap on connections beyond the pool (max_overflow=-1): a request takes its connection
    # in one worker thread and runs its endpoint in another, so a capped pool can deadlock
    # under load (every thread waiting for a connection held by a request waiting for a thread).
    # Read-only SQLite connections are cheap; the server's thread limit bounds how many are used.
    engine = create_engine(
        "sqlite://", creator=connect, poolclass=QueuePool, pool_size=pool_size, max_overflow=-1
    )
    seconds = math.inf if statement_seconds is None else statement_seconds

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        record.info["file"] = _identity(path)
        state = {"deadline": math.inf}
        record.info["deadline"] = state
        if statement_seconds is not None:
            dbapi_conn.set_progress_handler(
                lambda: 1 if time.monotonic() > state["deadline"] else 0, progress_steps
            )

    @event.listens_for(engine, "checkout")
    def _same_file(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        # `fmtr build` swaps a new file in place of the old one; a pooled connection still
        # reads the old file, so it is dropped and the pool opens the new one.
        if record.info.get("file") != _identity(path):
            raise exc.DisconnectionError("the database file was replaced by a build")
        # Armed for the question too: fmtr.store.sql.fast_rows reads straight from the
        # sqlite3 connection, past SQLAlchemy's statement events.
        record.info["deadline"]["deadline"] = time.monotonic() + seconds

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(conn: Any, cursor: Any, statement: Any, params: Any, context: Any, many: Any) -> None:
        conn.info["deadline"]["deadline"] = time.monotonic() + seconds

    @event.listens_for(engine, "handle_error")
    def _timeout(context: Any) -> None:
        if timed_out(context.original_exception):
            raise QueryTimeout(seconds) from context.original_exception

    return engine


def timed_out(error: BaseException) -> bool:
    """Whether ``error`` is a statement the deadline interrupted."""
    return isinstance(error, sqlite3.OperationalError) and "interrupted" in str(error)


def database_name(conn: Any) -> str:
    """The file ``conn`` reads ("" in memory): an engine made with a creator (a read-only
    server's) has the URL "sqlite://" whatever file it opens."""
    files = {r[1]: r[2] for r in conn.exec_driver_sql("PRAGMA database_list")}
    return str(files.get("main") or "")
