"""The database a release or a diff reads: a SQLite file, checked read-only to be an fmtr
database at the current schema (fmtr.store.db's check, the one every read command makes: a
wrong path is an error, never an empty database, and nothing is migrated behind the reader's
back)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fmtr.errors import DatabaseUnavailable
from fmtr.store.db import database_url, display_url, open_read_only, sqlite_path


class SourceError(DatabaseUnavailable):
    """A database that cannot be read as asked: the message names the file and why."""


def read_only_uri(path: Path) -> str:
    """The sqlite3 URI that opens ``path`` without the right to write it."""
    return f"file:{quote(str(path.resolve()))}?mode=ro"


def database_file(db: str | None) -> Path:
    """The SQLite file ``db`` names (a path or sqlite:/// URL; default $FMTR_DB, then
    data/fmtr.sqlite), checked to exist and to be fmtr's at the current schema."""
    url = database_url(db)
    path = sqlite_path(url)
    if path is None:
        raise SourceError(f"{display_url(url)}: releases and diffs read a SQLite file")
    open_read_only(url).dispose()  # DatabaseUnavailable, one line, when it cannot be read
    return path
