"""The Alembic migrations and the SQLAlchemy models describe the same schema."""

import gc
import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from fmtr.store.db import database_url, open_database, open_read_only
from fmtr.store.schema import Base


def test_migration_matches_models(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.connect() as conn:
        # FTS5 tables (and their shadow tables) are created by raw SQL in migration 0003.
        ctx = MigrationContext.configure(
            conn,
            opts={
                "include_name": lambda name, type_, _p: (
                    not (name or "").endswith(
                        (
                            "_fts",
                            "_fts_data",
                            "_fts_idx",
                            "_fts_docsize",
                            "_fts_config",
                            "_fts_content",
                        )
                    )
                )
            },
        )
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []
    names = set(inspect(engine).get_table_names())
    assert {"edition", "document", "programme_block", "training", "printed_total"} <= names
    assert "training_provenance" in inspect(engine).get_view_names()


def test_open_database_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    open_database(url)
    open_database(url)  # a second upgrade finds nothing to do


def test_database_url_accepts_paths_and_urls(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("FMTR_DB", raising=False)
    assert database_url("x/y.sqlite") == "sqlite:///x/y.sqlite"
    assert database_url("postgresql://h/db") == "postgresql://h/db"
    assert database_url(None) == "sqlite:///data/fmtr.sqlite"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="open files read from /proc")
@pytest.mark.parametrize("reading", [False, True], ids=["writable", "read-only"])
def test_an_engine_dropped_without_dispose_closes_its_file(tmp_path: Path, reading: bool) -> None:
    # Python 3.13 warns about (and Windows cannot replace) a SQLite file left open by a pooled
    # connection of an engine nobody disposed.
    path = tmp_path / "db.sqlite"

    def open_files() -> int:
        return sum(1 for fd in Path("/proc/self/fd").iterdir() if _target(fd) == str(path))

    engine = open_database(f"sqlite:///{path}")
    if reading:  # the commands' and the server's engine (fmtr.store.db.read_only_engine)
        engine.dispose()
        engine = open_read_only(str(path))
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM document").scalar()
    assert open_files() == 1  # the pooled connection
    del engine, conn
    gc.collect()
    assert open_files() == 0


def _target(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except OSError:
        return ""


_MEMORY_STATISTICS = """
import sqlite3, sys
from fmtr.store.dialects.sqlite import stop_memory_statistics
held = sqlite3.connect(":memory:") if sys.argv[1] == "open" else None
stopped = stop_memory_statistics()
again = sqlite3.connect(":memory:").execute("SELECT 41 + 1").fetchone()[0]
print(stopped, again, held.execute("SELECT 1").fetchone()[0] if held else None)
"""


@pytest.mark.skipif(os.name == "nt", reason="the sqlite3 module exports no SQLite function there")
@pytest.mark.parametrize(("before", "said"), [("none", "True 42 None"), ("open", "False 42 1")])
def test_memory_statistics_stop_only_with_nothing_open(before: str, said: str) -> None:
    """`fmtr build` turns SQLite's memory count off (its threads took turns on its lock), which
    means shutting SQLite down: refused while a connection is open, which keeps working."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _MEMORY_STATISTICS, before], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == said.split()
