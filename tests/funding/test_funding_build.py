"""`fmtr build` with funding data: loaded with provenance, skipped when unchanged, and a bad
workbook (or an unknown recipient, or a wrong checksum) reported in one line with the database
left exactly as it was. Workbooks are made in code; the corpus is an empty one."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner
from workbooks import GOOD_ROWS, IMET, IMET_ACCOUNT, funding_folder, write_manifest, write_workbook

from corpus_kit import connect
from fmtr.cli.app import app
from fmtr.pipeline import build_database

runner = CliRunner()


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def test_build_loads_every_row_with_provenance_then_skips_it(
    tmp_path: Path, empty_corpus: Path
) -> None:
    money = tmp_path / "money"
    funding_folder(money)
    db = tmp_path / "db.sqlite"
    report = build_database(f"sqlite:///{db}", empty_corpus, funding=money)
    assert report.ok, report.errors
    assert [f.rows for f in report.funding_loaded] == [len(GOOD_ROWS)]
    con = connect(db)
    file, sheet, header_row, loaded = con.execute(
        "SELECT file, sheet, header_row, rows FROM funding_file"
    ).fetchone()
    assert (file, sheet, loaded) == (
        "us_foreignaid_greenbook.xlsx",
        "Economic and Military Aid",
        13,
    )
    rows = con.execute(
        "SELECT row, period, fy, country, country_code, current_dollars FROM funding_obligation "
        "ORDER BY row"
    ).fetchall()
    assert [r[0] for r in rows] == list(range(header_row + 1, header_row + 1 + len(GOOD_ROWS)))
    assert rows[1][1:3] == ("TQ1976", None)
    assert [r[5] for r in rows] == [r[7] for r in GOOD_ROWS]
    con.close()
    before = _digest(db)
    again = build_database(f"sqlite:///{db}", empty_corpus, funding=money)
    assert again.ok and not again.funding_loaded and again.funding_skipped == [file]
    assert _digest(db) == before  # nothing changed: not even a build run recorded


@pytest.mark.parametrize(
    "spoil",
    [
        "header",
        "amount",
        "duplicate",
        "year",
        "recipient",
        "checksum",
    ],
)
def test_a_bad_workbook_leaves_the_database_as_it_was(
    tmp_path: Path, empty_corpus: Path, spoil: str
) -> None:
    money = tmp_path / "money"
    path = funding_folder(money)
    db = tmp_path / "db.sqlite"
    assert build_database(f"sqlite:///{db}", empty_corpus, funding=money).ok
    before = _digest(db)
    rows = [list(r) for r in GOOD_ROWS]
    header = None
    if spoil == "header":
        from fmtr.extract.greenbook import COLUMNS

        header = [*COLUMNS[:8], "Obligations (2020 Dollars)"]
    elif spoil == "amount":
        rows[3][7] = "1,234"
    elif spoil == "duplicate":
        rows.append(rows[0])
    elif spoil == "year":
        rows[3][0] = 1977.5
    elif spoil == "recipient":
        rows.append([2003, "Asia", "Atlantis", *IMET, IMET_ACCOUNT, 5, 6])
    elif spoil == "checksum":
        rows[0][7] += 1  # type: ignore[operator]  # a changed file the manifest does not vouch for
    write_workbook(path, rows, **({"header": header} if header else {}))  # type: ignore[arg-type]
    if spoil != "checksum":
        write_manifest(money)  # a new workbook the manifest vouches for
    report = build_database(f"sqlite:///{db}", empty_corpus, funding=money)
    assert not report.ok
    assert len(report.errors) == 1
    message = str(report.errors[0])
    assert "\n" not in message and message.startswith("us_foreignaid_greenbook.xlsx")
    if spoil in ("header", "amount", "duplicate", "year"):
        assert ", row " in message
    if spoil == "recipient":
        assert report.unmapped_countries == {"Atlantis"}
    if spoil == "checksum":
        assert "sha256 mismatch" in message
    assert _digest(db) == before


def test_cli_build_with_funding_and_a_wrong_folder(tmp_path: Path, empty_corpus: Path) -> None:
    money = tmp_path / "money"
    funding_folder(money)
    db = tmp_path / "db.sqlite"
    args = ["build", "--corpus", str(empty_corpus), "--db", str(db), "--jobs", "1"]
    result = runner.invoke(app, [*args, "--funding", str(money)])
    assert result.exit_code == 0, result.output
    assert f"us_foreignaid_greenbook.xlsx loaded, {len(GOOD_ROWS)} rows" in result.output
    result = runner.invoke(app, [*args, "--funding", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "funding folder" in result.output and "does not exist" in result.output


def test_the_funding_folder_beside_the_corpus_is_found(tmp_path: Path, empty_corpus: Path) -> None:
    from fmtr.sources.corpus import funding_dir

    assert funding_dir(None, empty_corpus) is None
    (tmp_path / "fmtr-funding").mkdir()
    assert funding_dir(None, empty_corpus) == (tmp_path / "fmtr-funding").resolve()
