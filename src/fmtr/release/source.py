"""The database a release, a diff or a citation reads: a SQLite file opened read-only, checked
to be an fmtr database at the current schema (a wrong path is an error, never an empty
database, and nothing is migrated behind the reader's back)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine

from fmtr.store.db import database_url, schema_is_current, sqlite_path


class SourceError(Exception):
    """A database that cannot be read as asked: the message names the file and why."""


def read_only_uri(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def database_file(db: str | None) -> Path:
    """The SQLite file ``db`` names (a path or sqlite:/// URL; default $FMTR_DB, then
    data/fmtr.sqlite), checked to exist and to be fmtr's at the current schema."""
    url = database_url(db)
    path = sqlite_path(url)
    if path is None:
        raise SourceError(f"{url}: releases, diffs and citations read a SQLite file")
    if not path.is_file():
        raise SourceError(f"{path}: no such database file")
    con = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise SourceError(f"{path}: not a SQLite database ({exc})") from None
    finally:
        con.close()
    if "training" not in tables:
        raise SourceError(f"{path}: not an fmtr database (no training table)")
    if not schema_is_current(f"sqlite:///{path}"):
        raise SourceError(
            f"{path}: made by an older fmtr (its schema is not the current one); "
            f"run `fmtr build --db {path}` to bring it up to date"
        )
    return path


def read_only_engine(path: Path) -> Engine:
    """An engine that reads ``path`` and cannot write it (SQLite's mode=ro)."""
    uri = read_only_uri(path)
    return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
