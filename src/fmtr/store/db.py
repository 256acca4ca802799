"""Opening the database: for writing (a build, an explicit migration) or read-only (every other
command and the server).

Only ``fmtr build`` and ``fmtr migrate`` write: ``open_database`` creates the file and brings
its schema up to date. Everything else goes through ``read_only_engine`` and ``check_readable``:
a SQLite file is opened with SQLite's ``mode=ro`` URI (a write raises even if a bug tried one),
a PostgreSQL database in read-only transactions (the server refuses a write); a missing file or
database, or one of another schema version, is refused with one line (``DatabaseUnavailable``),
never created or migrated, so a typo in a path is an error and not an empty database.
Statements can be given a deadline (the server's), enforced by SQLite's progress handler or
PostgreSQL's ``statement_timeout`` (fmtr.store.dialects). URLs are shown with their password
hidden (``display_url``).
"""

from __future__ import annotations

import weakref
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url

from fmtr.errors import DatabaseUnavailable
from fmtr.extras import MissingExtra, require
from fmtr.settings import ServerSettings
from fmtr.store.dialects import postgresql, sqlite

DEFAULT_PATH = Path("data") / "fmtr.sqlite"
_MIGRATIONS = Path(__file__).parent / "migrations"
# SQLite calls the deadline's handler every this many virtual-machine instructions by default
# (a millisecond or so): frequent enough to stop soon after the deadline, rare enough that the
# Python call, which must take the GIL from the threads answering other questions, stays off
# the hot path. The server's `progress_steps` setting, declared in fmtr.settings.
PROGRESS_STEPS: int = ServerSettings.progress_steps


def database_url(explicit: str | None = None) -> str:
    """``explicit`` (a URL or a file path), else sqlite:///data/fmtr.sqlite. (The CLI reads
    $FMTR_DB into ``explicit`` through its option.)"""
    value = explicit or str(DEFAULT_PATH)
    if "://" in value:
        return value
    return f"sqlite:///{value}"


def display_url(url: str) -> str:
    """``url`` as it may be printed or logged: its password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can parse: hide whatever sits between : and @
        from fmtr.redact import redact

        return redact(url)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, None for other databases or in-memory SQLite."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path)


# --- writing -----------------------------------------------------------------------------------


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


def _require_driver(url: str) -> None:
    """PostgreSQL's driver is an extra: without it, one line naming the database (its password
    hidden) and the install command (fmtr.extras.MissingExtra), not the driver's import error."""
    if not url.startswith("postgresql+psycopg:"):
        return
    try:
        require("postgres")
    except MissingExtra as missing:
        raise MissingExtra(
            f"cannot open {display_url(url)}: {missing}", missing.name or "psycopg"
        ) from None


def make_engine(url: str, *, building: bool = False) -> Engine:
    """An engine that may write (a SQLite file's folder is created): for builds only."""
    _require_driver(url)
    path = sqlite_path(url)
    try:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = close_when_dropped(create_engine(url))
    except Exception as error:  # an unknown dialect, a driver not installed, no such folder
        raise DatabaseUnavailable(f"cannot open {display_url(url)}: {reason(error)}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if building:
            event.listen(engine, "connect", _fast_writes)
    return engine


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


@cache
def schema_head() -> str:
    """The newest migration: the schema version this fmtr reads and writes."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return str(head)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision`` on this engine."""
    with engine.connect() as conn:
        migrate_connection(conn, revision)


def migrate_connection(conn: Connection, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision`` on ``conn``, in one transaction that
    is committed. On PostgreSQL the build's advisory lock is taken for it (waited for): a
    migration and a build never run at once (re-entrant for the build that holds it)."""
    from alembic import command

    cfg = _alembic_config()
    with conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": postgresql.BUILD_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def open_database(url: str | None = None, *, building: bool = False) -> Engine:
    """An engine on an up-to-date database, created if missing: for builds and `fmtr migrate`
    only (every reader uses ``open_read_only``)."""
    url = database_url(url)
    engine = make_engine(url, building=building)
    try:
        migrate(engine)
    except exc.DBAPIError as error:  # cannot connect, cannot write, not a database
        engine.dispose()
        raise DatabaseUnavailable(f"cannot open {display_url(url)}: {reason(error)}") from None
    return engine


def reason(error: BaseException) -> str:
    """An error's first line, for one-line messages (a driver's may run over several)."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"


# --- reading -----------------------------------------------------------------------------------


def schema_revision(engine: Engine) -> str | None:
    """The database's schema version (its Alembic revision), None when it has none; read-only."""
    with engine.connect() as conn:
        has_table = conn.dialect.has_table(conn, "alembic_version")
        if not has_table:
            return None
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return None if row is None else str(row[0])


def schema_is_current(url: str) -> bool:
    """Whether the database at ``url`` exists and is at the newest migration (read-only)."""
    try:
        engine = read_only_engine(url)
    except DatabaseUnavailable:
        return False
    try:
        return schema_revision(engine) == schema_head()
    except exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def read_only_engine(
    url: str,
    *,
    statement_seconds: float | None = None,
    progress_steps: int = PROGRESS_STEPS,
    pool_size: int = 8,
) -> Engine:
    """An engine that cannot write on the database at ``url`` (a URL or a SQLite path).

    A SQLite file must exist (else DatabaseUnavailable, and nothing is created); it is opened
    with ``mode=ro``. A PostgreSQL database is read in read-only transactions (the server
    refuses a write). ``statement_seconds``: every statement gets this deadline, past which it
    raises QueryTimeout (SQLite checks it every ``progress_steps`` instructions, PostgreSQL
    with ``statement_timeout``): fmtr.store.dialects."""
    url = database_url(url)
    path = sqlite_path(url)
    if path is None:
        if url.startswith("sqlite"):
            raise DatabaseUnavailable(f"{display_url(url)}: give the SQLite database's file")
        # Every transaction read-only, a deadline per statement: fmtr.store.dialects.
        _require_driver(url)
        try:
            return close_when_dropped(
                postgresql.read_only_engine(
                    url, statement_seconds=statement_seconds, pool_size=pool_size
                )
            )
        except Exception as error:  # an unknown dialect, a driver not installed
            raise DatabaseUnavailable(f"cannot open {display_url(url)}: {reason(error)}") from None
    try:
        found = path.is_file()
    except OSError as error:  # a name too long for the file system
        raise DatabaseUnavailable(f"{path}: {error.strerror}") from None
    if not found:
        raise DatabaseUnavailable(f"{path}: no such database (`fmtr build` makes one)")
    return close_when_dropped(
        sqlite.read_only_engine(
            path,
            statement_seconds=statement_seconds,
            progress_steps=progress_steps,
            pool_size=pool_size,
        )
    )


def readable_revision(engine: Engine, url: str) -> str | None:
    """``schema_revision``, a file that is no database being DatabaseUnavailable."""
    try:
        return schema_revision(engine)
    except exc.DBAPIError as error:
        shown = display_url(database_url(url))
        raise DatabaseUnavailable(f"cannot read {shown}: {reason(error)}") from None


def check_readable(engine: Engine, url: str) -> None:
    """Raise DatabaseUnavailable (one line) unless ``engine`` reads an fmtr database of this
    fmtr's schema version; reads only."""
    shown = display_url(database_url(url))
    revision = readable_revision(engine, url)
    if revision is None:
        raise DatabaseUnavailable(f"{shown} is not an fmtr database (`fmtr build` makes one)")
    head = schema_head()
    if revision != head:
        raise DatabaseUnavailable(
            f"{shown} has schema version {revision}, this fmtr reads {head}: "
            "run `fmtr migrate` (or `fmtr build`) on it"
        )


def open_read_only(url: str | None = None, **options: Any) -> Engine:
    """``read_only_engine`` on a database checked to be readable (``check_readable``)."""
    engine = read_only_engine(database_url(url), **options)
    try:
        check_readable(engine, database_url(url))
    except DatabaseUnavailable:
        engine.dispose()
        raise
    return engine
