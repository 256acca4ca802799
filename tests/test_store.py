"""The Alembic migrations and the SQLAlchemy models describe the same schema."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from fmtr.store.db import database_url, open_database
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
