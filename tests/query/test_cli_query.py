"""The question commands on the database written by code: tables, --json, --csv, exports, and
exit code 2 with one line on bad input."""

from __future__ import annotations

import csv
import io
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from fmtr.cli.app import app

runner = CliRunner()


@pytest.fixture(scope="module")
def path(fixture_db: Path) -> str:
    return str(fixture_db)


def test_top_json_ranks_by_cost_as_the_library_does(path: str, db: Engine) -> None:
    out = runner.invoke(app, ["top", "--programme", "IMET", "--db", path, "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    with db.connect() as conn:
        best = conn.exec_driver_sql(
            "SELECT b.country_code, sum(t.cost_cents) AS c FROM training t "
            "JOIN programme_block b ON b.id = t.block_id "
            "WHERE b.counted = 1 AND b.programme_code = 'IMET' "
            "GROUP BY 1 ORDER BY c DESC LIMIT 1"
        ).one()
    assert data["meta"]["by"] == "cost"
    assert data["rows"][0]["country_code"] == best[0]
    assert data["rows"][0]["cost_cents"] == best[1]
    # --program is the other spelling of --programme
    again = runner.invoke(app, ["top", "--program", "IMET", "--db", path, "--json"])
    assert json.loads(again.stdout) == data


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["country", "Pakstan"], "did you mean Pakistan?"),
        (["top", "--programme", "IMTE"], "did you mean IMET?"),
        (["series", "--country", "Colombai"], "did you mean Colombia?"),
        (["top", "--from", "FY2006", "--to", "FY2000"], "reversed"),
        (["top", "--from", "FY1950"], "did you mean FY1999?"),
        (["gaps", "--program", "Internatonal Military Education"], "did you mean IMET?"),
        (["search", "*"], "nothing to search for"),
        (["row", "999999"], "no training row 999999"),
        (["top", "--by", "[/x]"], "'[/x]' is not one of"),
    ],
)
def test_bad_input_exits_2_with_one_line(path: str, args: list[str], says: str) -> None:
    out = runner.invoke(app, [*args, "--db", path])
    assert out.exit_code == 2, out.output
    assert says in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert out.exception is None or isinstance(out.exception, SystemExit)


COMMANDS = [
    ["summary"],
    ["editions"],
    ["countries"],
    ["country", "Colombia"],
    ["names", "COL", "courses"],
    ["programmes"],
    ["trend", "IMET"],
    ["top", "--years"],
    ["series", "-c", "COL", "-p", "IMET"],
    ["compare", "COL", "PAK"],
    ["gaps", "-p", "IMET"],
    ["unit", "Colombian Army"],
    ["course", "Ranger"],
    ["search", "Benning"],
    ["row", "1"],
    ["timeline", "Pakistan"],
    ["check-suspensions", "--country", "PAK"],
    ["events", "list"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_every_question_prints_a_table_and_json(path: str, args: list[str]) -> None:
    out = runner.invoke(app, [*args, "--db", path] if args[0] != "events" else args)
    assert out.exit_code == 0, (args, out.output)
    assert out.stdout.strip()
    data = runner.invoke(app, [*args, "--json"] + (["--db", path] if args[0] != "events" else []))
    assert data.exit_code == 0, data.output
    assert json.loads(data.stdout)


def test_csv_is_the_answers_table(path: str) -> None:
    as_json = json.loads(runner.invoke(app, ["country", "COL", "--db", path, "--json"]).stdout)
    out = runner.invoke(app, ["country", "COL", "--db", path, "--csv"])
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    series = as_json["series"]
    assert list(rows[0]) == series["columns"]
    # Money in dollars beside the cents: exact text in the CSV, a number in the JSON.
    assert "cost_usd" in series["columns"]
    for row, r in zip(series["rows"], rows, strict=True):
        dollars = Decimal(r.pop("cost_usd"))
        assert dollars == Decimal(str(row.pop("cost_usd"))) == Decimal(r["cost_cents"]) / 100
        assert {k: str(v) for k, v in row.items()} == r
    both = runner.invoke(app, ["country", "COL", "--db", path, "--csv", "--json"])
    assert both.exit_code == 2


def test_export_csv_has_the_selection_with_provenance(path: str, db: Engine) -> None:
    out = runner.invoke(app, ["export", "-c", "COL", "-p", "IMET", "--db", path])
    assert out.exit_code == 0, out.output
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    with db.connect() as conn:
        n = conn.exec_driver_sql(
            "SELECT count(*) FROM training t JOIN programme_block b ON b.id = t.block_id "
            "WHERE b.counted = 1 AND b.country_code = 'COL' AND b.programme_code = 'IMET'"
        ).scalar()
    assert len(table) == n
    assert all(r["edition"] and r["file"] and r["url"] and r["pdf_page"] for r in table)


def test_export_parquet_and_xlsx(path: str, db: Engine, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    pq_path, xl_path = tmp_path / "x.parquet", tmp_path / "x.xlsx"
    for fmt, target in (("parquet", pq_path), ("xlsx", xl_path)):
        out = runner.invoke(
            app, ["export", "-f", fmt, "-o", str(target), "-c", "COL", "--db", path, "--json"]
        )
        assert out.exit_code == 0, out.output
        said = json.loads(out.stdout)
        assert said["format"] == fmt and said["out"] == str(target)
    with db.connect() as conn:
        n = conn.exec_driver_sql(
            "SELECT count(*) FROM training t JOIN programme_block b ON b.id = t.block_id "
            "WHERE b.counted = 1 AND b.country_code = 'COL'"
        ).scalar()
    assert pq.read_table(pq_path).num_rows == n == said["rows"]
    assert xl_path.stat().st_size > 0
    out = runner.invoke(app, ["export", "-f", "xlsx", "--db", path])
    assert out.exit_code == 2 and "needs --out" in out.stderr


@pytest.mark.parametrize(
    ("fmt", "what", "module"), [("parquet", "Parquet", "pyarrow"), ("xlsx", "XLSX", "xlsxwriter")]
)
def test_export_without_its_extra_names_the_install_command(
    path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, what: str, module: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed: its import fails
    target = tmp_path / f"x.{fmt}"
    out = runner.invoke(app, ["export", "-f", fmt, "-o", str(target), "--db", path])
    assert out.exit_code == 2
    assert out.stderr == (
        f"fmtr: {what} export needs {module}, which is not installed: "
        f"pip install 'fmtr-db[{fmt}]'\n"
    )
    assert not target.exists()
