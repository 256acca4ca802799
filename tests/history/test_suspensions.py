"""`fmtr check-suspensions`: the training rows inside the 2018-2020 suspension of Pakistan's
IMET, found independently from the rows' dates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from fmtr.cli.app import app
from fmtr.query.history import suspension_trainings

runner = CliRunner()
# From the cited sentences: suspended "in 2018" (the year only), resumed on 4 January 2020.
FROM, TO = date(2018, 1, 1), date(2020, 1, 4)


def rows_in_window(db: Engine) -> dict[int, tuple[str, str, str, int]]:
    """Pakistan's counted IMET rows with a day in FROM..TO: id -> (start, end, file, page)."""
    with db.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT t.id, t.start_on, t.end_on, d.file, t.page FROM training t "
            "JOIN programme_block b ON b.id = t.block_id JOIN document d ON d.id = b.document_id "
            "WHERE b.counted = 1 AND b.country_code = 'PAK' AND b.programme_code = 'IMET'"
        ).all()
    out = {}
    for tid, start, end, file, page in rows:
        first = date.fromisoformat(start or end)
        last = date.fromisoformat(end or start)
        if first <= TO and last >= FROM:
            out[tid] = (start, end, file, page)
    return out


def test_rows_inside_the_2018_suspension(history_db: Engine) -> None:
    check = suspension_trainings(history_db, "Pakistan", "IMET")
    found = {r.training.training_id: r for r in check.rows if r.suspension.endswith("2018")}
    expected = rows_in_window(history_db)
    assert expected  # the FY2018-2019 edition lists IMET courses running in 2018
    assert set(found) == set(expected)
    for tid, (start, end, file, page) in expected.items():
        r = found[tid]
        assert (r.training.start_on, r.training.end_on) == (start, end)
        assert (r.training.provenance.file, r.training.provenance.pdf_page) == (file, page)
        assert r.training.provenance.edition and r.training.provenance.url
        assert r.began_before == (date.fromisoformat(start) < FROM)
        # "in 2018" could mean 31 December: no row is surely inside the suspension
        assert not r.surely_inside
    assert any(r.began_before for r in found.values())  # courses begun in 2017 are listed


def test_cli_check_suspensions(history_db: Engine, fixture_db: Path) -> None:
    args = ["check-suspensions", "--country", "PAK", "--programme", "IMET"]
    args += ["--db", str(fixture_db)]
    out = runner.invoke(app, [*args, "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    rows = data["rows"]["rows"]
    ids = {r["training_id"] for r in rows if r["suspension"].endswith("2018")}
    assert ids == set(rows_in_window(history_db))
    assert all(r["file"] and r["pdf_page"] and r["url"] for r in rows)  # provenance
    assert [s["event_id"] for s in data["suspensions"]["rows"]] == [
        "PAK-IMET-suspended-1991",
        "PAK-IMET-suspended-2018",
    ]
    table = runner.invoke(app, args, env={"COLUMNS": "240"})
    assert table.exit_code == 0
    assert "PAK-IMET-suspended-2018" in table.stdout
