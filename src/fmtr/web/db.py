"""The web layer's database: read-only SQLite connections whose statements are cut off when slow.

The public server must never write, so the file is opened with SQLite's ``mode=ro`` URI (a
write to it raises even if a bug tried one). ``PRAGMA query_only`` is not set: it would also
forbid the connection-private temp tables fmtr.query makes (the unit search's vocabulary view),
which write nothing to the file. Every statement gets a deadline enforced by SQLite's
progress handler, so that one expensive question cannot hold a worker thread for long.
"""

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

from fmtr.store.db import close_when_dropped

# SQLite calls the handler every this many virtual-machine instructions (a millisecond or so):
# frequent enough to stop soon after the deadline, rare enough that the Python call, which
# must take the GIL from the threads answering other questions, stays off the hot path.
PROGRESS_STEPS = 100_000


class QueryTimeout(Exception):
    """A statement ran past the server's time limit and was interrupted."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"query cut off after {seconds:g} s")
        self.seconds = seconds


def sqlite_path(db: str) -> Path:
    """The file behind a database URL or path (``sqlite:///x.sqlite`` or ``x.sqlite``)."""
    if "://" in db:
        if not db.startswith("sqlite:///"):
            raise ValueError(f"{db}: the web server reads SQLite files only")
        db = db.removeprefix("sqlite:///")
    path = Path(db)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such database (run `fmtr build` first)")
    return path


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


def read_only_engine(
    path: Path,
    statement_seconds: float = 2.0,
    pool_size: int = 8,
    progress_steps: int = PROGRESS_STEPS,
) -> Engine:
    """An engine whose connections open ``path`` read-only and interrupt slow statements
    (checked every ``progress_steps`` SQLite instructions)."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"

    def connect() -> sqlite3.Connection:
        # check_same_thread=False: the pool hands a connection to whichever worker thread
        # asks next; each is used by one thread at a time.
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    # No cap on connections beyond the pool (max_overflow=-1): a request takes its connection
    # in one worker thread and runs its endpoint in another, so a capped pool can deadlock
    # under load (every thread waiting for a connection held by a request waiting for a thread).
    # Read-only SQLite connections are cheap; the thread limit bounds how many are in use.
    engine = close_when_dropped(
        create_engine(
            "sqlite://", creator=connect, poolclass=QueuePool, pool_size=pool_size, max_overflow=-1
        )
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        record.info["file"] = _identity(path)
        state = {"deadline": math.inf}
        record.info["deadline"] = state
        dbapi_conn.set_progress_handler(
            lambda: 1 if time.monotonic() > state["deadline"] else 0, progress_steps
        )

    @event.listens_for(engine, "checkout")
    def _same_file(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        # `fmtr build` swaps a new file in place of the old one; a pooled connection still
        # reads the old file, so it is dropped and the pool opens the new one.
        if record.info.get("file") != _identity(path):
            raise exc.DisconnectionError("the database file was replaced by a build")
        # Armed for the question too: fmtr.query reads some hot paths straight from the
        # sqlite3 connection, past SQLAlchemy's statement events.
        record.info["deadline"]["deadline"] = time.monotonic() + statement_seconds

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(conn: Any, cursor: Any, statement: Any, params: Any, context: Any, many: Any) -> None:
        conn.info["deadline"]["deadline"] = time.monotonic() + statement_seconds

    @event.listens_for(engine, "handle_error")
    def _timeout(context: Any) -> None:
        exc = context.original_exception
        if isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc):
            raise QueryTimeout(statement_seconds) from exc

    return engine
