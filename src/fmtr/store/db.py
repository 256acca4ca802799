"""Opening the database and bringing its schema up to date."""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

from fmtr.extras import require

ENV_VAR = "FMTR_DB"
DEFAULT_PATH = Path("data") / "fmtr.sqlite"
_MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(explicit: str | None = None) -> str:
    """``explicit`` (a URL or a file path), else $FMTR_DB, else sqlite:///data/fmtr.sqlite."""
    value = explicit or os.environ.get(ENV_VAR) or str(DEFAULT_PATH)
    if "://" in value:
        return value
    return f"sqlite:///{value}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")  # cascades from document to its rows
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _fast_writes(dbapi_connection: Any, _record: Any) -> None:
    # Only for a database being built aside (see fmtr.store.swap): nobody reads it until it is
    # complete, so durability comes from the final fsync and rename, not from each commit.
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=OFF")
    cur.close()


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, None for other databases or in-memory SQLite."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path)


def close_when_dropped(engine: Engine) -> Engine:
    """Close ``engine``'s open connections when the engine itself is garbage collected.

    A command, a test or an app that drops its engine without ``dispose()`` would otherwise
    leave its pooled SQLite connections to be collected unclosed with it: Python 3.13 warns
    about every one (ResourceWarning), and Windows cannot replace a file still open. The pool
    refers to the engine, so only the driver's connections are held here, from the pool's
    "connect" to its "close"."""
    open_ones: dict[int, Any] = {}

    def _opened(dbapi_connection: Any, _record: Any) -> None:
        open_ones[id(dbapi_connection)] = dbapi_connection

    def _closed(dbapi_connection: Any, *_: Any) -> None:
        open_ones.pop(id(dbapi_connection), None)

    def _close_all() -> None:
        for connection in list(open_ones.values()):
            connection.close()
        open_ones.clear()

    event.listen(engine, "connect", _opened)
    event.listen(engine.pool, "close", _closed)
    event.listen(engine.pool, "close_detached", _closed)
    weakref.finalize(engine, _close_all)
    return engine


def make_engine(url: str, *, building: bool = False) -> Engine:
    if url.startswith("postgresql+psycopg:"):
        require("postgres")  # one line naming the install command, not a driver traceback
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = close_when_dropped(create_engine(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if building:
            event.listen(engine, "connect", _fast_writes)
    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision`` on this engine."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def open_database(url: str | None = None, *, building: bool = False) -> Engine:
    """An engine on an up-to-date database (created if missing)."""
    engine = make_engine(database_url(url), building=building)
    migrate(engine)
    return engine


def schema_is_current(url: str) -> bool:
    """Whether the database at ``url`` is at the newest migration (read-only check)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision() == head
    finally:
        engine.dispose()
