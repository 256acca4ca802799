"""The description a release carries covers the database exactly: every table and column, in
the database's order, with a known type; the Datasette metadata describes the same."""

from __future__ import annotations

from pathlib import Path

from corpus_kit import connect
from fmtr.release.datasette import FACETS, QUERIES, datasette_metadata
from fmtr.release.describe import PROVENANCE_VIEW, TABLES
from fmtr.store.db import open_database

_TYPES = {"integer", "number", "string", "boolean", "date", "datetime", "object", "array"}


def _tables(db: Path) -> dict[str, list[str]]:
    con = connect(db)
    names = [
        r[0]
        for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not r[0].startswith("sqlite_") and "_fts" not in r[0] and r[0] != "alembic_version"
    ]
    out = {n: [r[1] for r in con.execute(f"PRAGMA table_info({n})")] for n in names}
    con.close()
    return out


def test_every_table_and_column_is_described(tmp_path: Path) -> None:
    db = tmp_path / "fmtr.sqlite"
    open_database(str(db)).dispose()
    tables = _tables(db)
    assert set(tables) == set(TABLES)
    for name, columns in tables.items():
        assert list(TABLES[name].columns) == columns, name
        for col, c in TABLES[name].columns.items():
            assert c.type in _TYPES and len(c.description) >= 20, (name, col)
        assert set(TABLES[name].primary_key) <= set(columns)
        for cols, (other, ref) in TABLES[name].foreign_keys.items():
            assert set(cols) <= set(columns) and set(ref) <= set(tables[other])


def test_datasette_metadata_describes_every_table_view_column_and_facet(tmp_path: Path) -> None:
    db = tmp_path / "fmtr.sqlite"
    open_database(str(db)).dispose()
    meta = datasette_metadata("2026.1", None)
    described = meta["databases"]["fmtr"]["tables"]
    con = connect(db)
    view = [r[1] for r in con.execute(f"PRAGMA table_info({PROVENANCE_VIEW[0]})")]
    con.close()
    assert set(described[PROVENANCE_VIEW[0]]["columns"]) == set(view)
    for name, columns in _tables(db).items():
        assert set(described[name]["columns"]) == set(columns)
    for name, facets in FACETS.items():
        columns = view if name == PROVENANCE_VIEW[0] else list(TABLES[name].columns)
        assert set(facets) <= set(columns), name
    assert "counted" in FACETS[PROVENANCE_VIEW[0]] and "counted" in FACETS["programme_block"]
    # Every canned query runs on the schema (an empty database: no rows, no error).
    con = connect(db)
    for q in QUERIES.values():
        params = {p: "1" for p in ("country", "from_fy", "to_fy", "unit", "stable_id")}
        con.execute(q["sql"], params).fetchall()
    con.close()
    assert meta["license"].startswith("CC0 1.0") and meta["license_url"]
