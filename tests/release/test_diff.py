"""`fmtr diff`: a build beside one with a single document changed reports exactly that
document's changes, moved rows as moves; both files are only read."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from corpus_kit import Builds, connect
from fmtr.cli.app import app
from fmtr.release.diff import ADDED, CHANGED, MOVED, REMOVED, DiffError, diff_databases

runner = CliRunner()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(db: Path, document: str) -> dict[str, tuple[object, ...]]:
    """stable id -> (page, cells) of one document's training rows."""
    con = connect(db)
    out = {
        r[0]: tuple(r[1:])
        for r in con.execute(
            "SELECT t.stable_id, t.page, t.course_title, t.us_unit, t.student_unit, t.location, "
            "t.quantity, t.cost, t.start_date, t.end_date FROM training t "
            "JOIN programme_block b ON b.id = t.block_id JOIN document d ON d.id = b.document_id "
            "WHERE d.stable_id = ?",
            (document,),
        )
    }
    con.close()
    return out


def test_one_document_changed_reports_exactly_its_changes(builds: Builds) -> None:
    before = (_digest(builds.built), _digest(builds.changed))
    report = diff_databases(builds.built, builds.changed)
    assert (_digest(builds.built), _digest(builds.changed)) == before  # read, never written

    assert report.documents_touched() == ["2016-africa"]
    assert {c.edition for c in report.changes} == {"FY2016-2017"}
    old, new = _rows(builds.built, "2016-africa"), _rows(builds.changed, "2016-africa")
    rows = {ch: [c for c in report.changes if c.kind == "training row" and c.change == ch]
            for ch in (ADDED, REMOVED, CHANGED, MOVED)}  # fmt: skip
    # The cut file lost its first page: that page's rows are removed, the rows of the pages
    # after it moved up a page (new identifiers, the same cells), nothing else.
    assert sorted(c.stable_id for c in rows[REMOVED]) == sorted(
        i for i, v in old.items() if v[0] == 1
    )
    assert rows[ADDED] == []
    assert len(rows[MOVED]) == len(new) == sum(1 for v in old.values() if v[0] > 1)
    for c in rows[MOVED]:
        assert c.old_id is not None
        assert old[c.old_id][1:] == new[c.stable_id][1:]  # same cells
        assert old[c.old_id][0] == new[c.stable_id][0] + 1  # one page up
    # The document itself changed (its file), the other documents did not.
    docs = [c for c in report.changes if c.kind == "document"]
    assert [(c.stable_id, c.change, sorted(c.fields)) for c in docs] == [
        ("2016-africa", CHANGED, ["pages", "sha256"])
    ]
    per_edition = {(e.edition, e.kind): e for e in report.editions}
    assert per_edition[("FY2016-2017", "training row")].removed == len(rows[REMOVED])
    assert per_edition[("FY2016-2017", "training row")].moved == len(rows[MOVED])
    assert {e for e, _ in per_edition} == {"FY2016-2017"}
    # Figures moved only where the document's blocks count: its recipients, programmes, years.
    blocks: set[tuple[str, str, int]] = set()
    for db in (builds.built, builds.changed):
        con = connect(db)
        blocks |= set(
            con.execute(
                "SELECT b.country_code, b.programme_code, b.fy FROM programme_block b "
                "JOIN document d ON d.id = b.document_id WHERE d.stable_id = '2016-africa'"
            )
        )
        con.close()
    assert report.figures
    assert {(f.country_code, f.programme_code, f.fy) for f in report.figures} <= blocks


def test_identical_databases_have_no_changes(builds: Builds, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(builds.built, copy)
    report = diff_databases(builds.built, copy)
    assert report.identical and report.changes == [] and report.figures == []
    result = runner.invoke(app, ["diff", str(builds.built), str(copy)])
    assert result.exit_code == 0, result.output
    assert "no change" in result.output


def test_cli_summary_json_and_exit_status(builds: Builds) -> None:
    result = runner.invoke(app, ["diff", str(builds.built), str(builds.changed), "--limit", "3"])
    assert result.exit_code == 1, result.output  # like diff(1): 1 when they differ
    assert "documents with changes: 2016-africa" in result.output
    assert "moved 2016-africa-p2-1 -> 2016-africa-p1-1" in result.output
    assert "FY2016-2017 training rows:" in result.output
    result = runner.invoke(app, ["diff", str(builds.built), str(builds.changed), "--json"])
    data = json.loads(result.output)
    assert data["documents_touched"] == ["2016-africa"] and data["identical"] is False
    assert {c["change"] for c in data["changes"]} == {CHANGED, REMOVED, MOVED}


def test_a_wrong_path_or_an_old_database_is_an_error(builds: Builds, tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite"
    result = runner.invoke(app, ["diff", str(builds.built), str(missing)])
    assert result.exit_code == 2 and "no such database file" in result.output
    assert not missing.exists()  # not created
    old = tmp_path / "old.sqlite"
    shutil.copyfile(builds.built, old)
    con = connect(old)
    con.execute("DROP VIEW training_provenance")
    con.execute("DROP INDEX ux_training_stable_id")
    con.execute("ALTER TABLE training DROP COLUMN stable_id")
    con.commit()
    con.close()
    try:
        diff_databases(old, builds.built)
    except DiffError as exc:
        assert "before stable identifiers" in str(exc)
    else:
        raise AssertionError("a database without stable ids was compared")
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    result = runner.invoke(app, ["diff", str(text), str(builds.built)])
    assert result.exit_code == 2 and "not a SQLite database" in result.output
