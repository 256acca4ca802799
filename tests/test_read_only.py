"""Reads never write: every command but `build` and `migrate` opens the database read-only,
and refuses a missing database, a file that is none, one of another schema version and a stale
search index with one line and exit code 2, creating and changing nothing."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fmtr.cli.app import app
from fmtr.store.db import schema_head

runner = CliRunner()

# Every command that reads the database, with what else it needs.
READS = [
    ["summary"],
    ["editions"],
    ["countries"],
    ["country", "Pakistan"],
    ["names", "PAK", "courses"],
    ["programmes"],
    ["trend", "IMET"],
    ["top"],
    ["series", "--country", "PAK"],
    ["compare", "COL", "PAK"],
    ["gaps"],
    ["unit", "army"],
    ["course", "command"],
    ["search", "benning"],
    ["row", "1"],
    ["export"],
    ["timeline", "PAK"],
    ["check-suspensions"],
    ["verify"],
    ["compare-reference", "REFERENCE"],
    ["serve", "--port", "0"],
    ["cite", "PAK/IMET/FY2002"],
    ["release", "RELEASE"],
    ["funding", "series", "PAK"],
    ["funding", "top", "--account", "IMET"],
    ["funding", "courses", "PAK"],
    ["funding", "timeline", "PAK"],
    ["funding", "accounts"],
    ["largest"],
]
# The ones that read the search index and precomputed figures (the others read the rows, the
# editions or the funding rows themselves, which no index can make stale; the server warns and
# serves them).
ROWS_ONLY = (
    "editions", "check-suspensions", "verify", "compare-reference", "row", "export", "release",
    "cite", "funding series", "funding top", "funding accounts",
)  # fmt: skip


def _name(args: list[str]) -> str:
    """The command ``args`` run: "top", "funding series"."""
    return " ".join(args[:2]) if args[0] == "funding" else args[0]


READ_INDEX = [r for r in READS if _name(r) not in (*ROWS_ONLY, "serve")]


def _run(args: list[str], db: str, reference: Path) -> object:
    release = reference.parent / "release"
    argv = [
        reference.as_posix() if a == "REFERENCE" else release.as_posix() if a == "RELEASE" else a
        for a in args
    ]
    return runner.invoke(app, [*argv, "--db", db])


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture()
def reference(tmp_path: Path) -> Path:
    path = tmp_path / "ref.tsv"
    path.write_text(
        "fiscal_year\tcountry\tcourse_title\tquantity\ttotal_cost\tsource_file\tpage_number\n",
        "utf-8",
    )
    return path


@pytest.fixture()
def no_listening(monkeypatch: pytest.MonkeyPatch) -> None:
    import fmtr.web.processes
    from fmtr.cli import serve

    monkeypatch.setattr(fmtr.web.processes, "serve", lambda *a, **k: None)
    monkeypatch.setenv(serve._HANDOVER, "")


@pytest.mark.parametrize("args", READS, ids=_name)
@pytest.mark.parametrize("typo", ["typo.sqlite", "no/such/folder/x.sqlite"])
def test_a_missing_database_is_refused_and_not_created(
    args: list[str],
    typo: str,
    tmp_path: Path,
    reference: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_listening: None,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    result = _run(args, typo, reference)
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert result.stderr.strip().splitlines() == [  # type: ignore[attr-defined]
        f"fmtr: {typo}: no such database (`fmtr build` makes one)"
    ]
    assert sorted(tmp_path.rglob("*")) == before  # no file, no folder


def test_verify_of_a_typo_is_no_verdict(tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify", "--db", str(tmp_path / "typo.sqlite")])
    assert result.exit_code == 2
    assert "verified" not in result.output and "reconciled" not in result.output


@pytest.mark.parametrize("args", READS, ids=_name)
@pytest.mark.parametrize("spoil", ["old schema", "not fmtr", "not a database"])
def test_a_database_it_cannot_read_is_refused_and_left_alone(
    args: list[str],
    spoil: str,
    fixture_db: Path,
    tmp_path: Path,
    reference: Path,
    no_listening: None,
) -> None:
    db = tmp_path / "db.sqlite"
    if spoil == "not a database":
        db.write_text("fiscal_year\tcountry\n", "utf-8")
    elif spoil == "not fmtr":
        with closing(sqlite3.connect(db)) as con:
            con.execute("CREATE TABLE t (x)")
    else:
        shutil.copy(fixture_db, db)
        with closing(sqlite3.connect(db)) as con, con:  # as a database of an older fmtr
            con.execute("UPDATE alembic_version SET version_num = '0003'")
    before = _digest(tmp_path)
    result = _run(args, str(db), reference)
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    [line] = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    said = {
        "old schema": f"has schema version 0003, this fmtr reads {schema_head()}: run `fmtr",
        "not fmtr": "is not an fmtr database",
        "not a database": "file is not a database",
    }[spoil]
    assert said in line
    assert _digest(tmp_path) == before


@pytest.mark.parametrize("args", READ_INDEX, ids=_name)
def test_a_stale_index_is_the_servers_error_and_is_not_rebuilt(
    args: list[str], fixture_db: Path, tmp_path: Path, reference: Path
) -> None:
    from fmtr.errors import SearchIndexStale

    db = Path(shutil.copy(fixture_db, tmp_path / "stale.sqlite"))
    with closing(sqlite3.connect(db)) as con, con:  # as if a build ran without refreshing it
        con.execute("UPDATE search_state SET build_run_id = -1")
    before = _digest(tmp_path)
    result = _run(args, str(db), reference)
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert result.stderr == f"fmtr: {SearchIndexStale()}\n"  # type: ignore[attr-defined]
    assert _digest(tmp_path) == before


def test_migrate_upgrades_an_old_database_and_refuses_a_missing_one(
    fixture_db: Path, tmp_path: Path
) -> None:
    missing = runner.invoke(app, ["migrate", "--db", str(tmp_path / "typo.sqlite")])
    assert missing.exit_code == 2 and not (tmp_path / "typo.sqlite").exists()
    from fmtr.store.db import make_engine, migrate

    db = tmp_path / "old.sqlite"
    migrate(make_engine(f"sqlite:///{db}"), "0003")  # a database of an older fmtr
    refused = runner.invoke(app, ["summary", "--db", str(db)])
    assert refused.exit_code == 2
    done = runner.invoke(app, ["migrate", "--db", str(db), "--json"])
    assert done.exit_code == 0, done.output
    assert '"from": "0003"' in done.stdout and f'"to": "{schema_head()}"' in done.stdout
    # Now of this fmtr's version (an empty database: its index was never built).
    assert "search index" in runner.invoke(app, ["summary", "--db", str(db)]).stderr


def test_the_server_refuses_what_the_commands_refuse(tmp_path: Path) -> None:
    from fmtr.errors import DatabaseUnavailable
    from fmtr.web.app import create_app

    with pytest.raises(DatabaseUnavailable, match="no such database"):
        create_app(str(tmp_path / "typo.sqlite"))
    assert not (tmp_path / "typo.sqlite").exists()
