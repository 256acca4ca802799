"""The question commands: tables, --json, exports, and exit code 2 on bad input."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from fmtr.cli_query import register

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def url(db: Engine) -> str:
    return str(db.url)


def test_top_json_matches_rows(app: typer.Typer, db: Engine) -> None:
    out = runner.invoke(app, ["top", "--program", "IMET", "--db", url(db), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    with db.connect() as conn:
        best = conn.exec_driver_sql(
            "SELECT b.country_code, sum(t.cost_cents) AS c FROM training t "
            "JOIN programme_block b ON b.id = t.block_id "
            "WHERE b.counted = 1 AND b.programme_code = 'IMET' "
            "GROUP BY 1 ORDER BY c DESC LIMIT 1"
        ).one()
    assert data["recipients"][0]["code"] == best[0]
    assert data["recipients"][0]["figures"]["cost_cents"] == best[1]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["country", "Pakstan"], "did you mean Pakistan?"),
        (["top", "--program", "IMTE"], "did you mean IMET?"),
        (["series", "--country", "Colombai"], "did you mean Colombia?"),
        (["top", "--from", "FY2006", "--to", "FY2000"], "reversed"),
        (["top", "--from", "FY1950"], "did you mean FY1999?"),
        (["gaps", "--program", "Internatonal Military Education"], "did you mean IMET?"),
    ],
)
def test_bad_input_exits_2_with_a_suggestion(
    app: typer.Typer, db: Engine, args: list[str], says: str
) -> None:
    out = runner.invoke(app, [*args, "--db", url(db)])
    assert out.exit_code == 2
    assert says in out.stderr


def test_every_command_prints_a_table(app: typer.Typer, db: Engine) -> None:
    for args in (
        ["country", "Colombia"],
        ["series", "-c", "COL", "-p", "IMET"],
        ["unit", "Special Forces"],
        ["course", "Ranger"],
        ["search", "Benning"],
        ["gaps", "-p", "IMET"],
    ):
        out = runner.invoke(app, [*args, "--db", url(db)])
        assert out.exit_code == 0, (args, out.output)
        assert out.stdout.strip()


def test_export_csv_has_the_selection_with_provenance(app: typer.Typer, db: Engine) -> None:
    out = runner.invoke(app, ["export", "-c", "COL", "-p", "IMET", "--db", url(db)])
    assert out.exit_code == 0, out.output
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    with db.connect() as conn:
        n = conn.exec_driver_sql(
            "SELECT count(*) FROM training t JOIN programme_block b ON b.id = t.block_id "
            "WHERE b.counted = 1 AND b.country_code = 'COL' AND b.programme_code = 'IMET'"
        ).scalar()
    assert len(table) == n
    assert all(r["edition"] and r["file"] and r["url"] and r["pdf_page"] for r in table)


def test_export_parquet_and_xlsx(app: typer.Typer, db: Engine, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    pq_path, xl_path = tmp_path / "x.parquet", tmp_path / "x.xlsx"
    for fmt, path in (("parquet", pq_path), ("xlsx", xl_path)):
        out = runner.invoke(
            app, ["export", "-f", fmt, "-o", str(path), "-c", "COL", "--db", url(db)]
        )
        assert out.exit_code == 0, out.output
    with db.connect() as conn:
        n = conn.exec_driver_sql(
            "SELECT count(*) FROM training t JOIN programme_block b ON b.id = t.block_id "
            "WHERE b.counted = 1 AND b.country_code = 'COL'"
        ).scalar()
    assert pq.read_table(pq_path).num_rows == n
    assert xl_path.stat().st_size > 0
    out = runner.invoke(app, ["export", "-f", "xlsx", "--db", url(db)])
    assert out.exit_code == 2


@pytest.mark.parametrize(
    ("fmt", "what", "module"), [("parquet", "Parquet", "pyarrow"), ("xlsx", "XLSX", "xlsxwriter")]
)
def test_export_without_its_extra_names_the_install_command(
    app: typer.Typer,
    db: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
    what: str,
    module: str,
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed: its import fails
    path = tmp_path / f"x.{fmt}"
    out = runner.invoke(app, ["export", "-f", fmt, "-o", str(path), "--db", url(db)])
    assert out.exit_code == 2
    assert out.stderr == (
        f"fmtr: {what} export needs {module}, which is not installed: "
        f"pip install 'fmtr-db[{fmt}]'\n"
    )
    assert not path.exists()
