"""The whole corpus, built from scratch (``full_db`` in conftest.py): runs in CI (CI=true),
skipped elsewhere without it."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

from fmtr.pipeline import build
from fmtr.sources.catalog import documents, editions, read_catalog
from fmtr.store.db import open_database


def test_every_manifest_file_and_edition_loads(corpus: Path, full_db: Path) -> None:
    entries = read_catalog(corpus / "manifest.tsv")
    con = sqlite3.connect(full_db)
    loaded = {f for (f,) in con.execute("SELECT file FROM document")}
    assert loaded == {d.file for d in documents(entries)}
    per_edition = dict(
        con.execute("SELECT edition, count(*) FROM training_provenance GROUP BY edition")
    )
    assert sorted(per_edition) == editions(entries)
    assert min(per_edition.values()) > 1000
    con.close()


def test_every_row_has_provenance(full_db: Path) -> None:
    con = sqlite3.connect(full_db)
    missing = con.execute(
        "SELECT count(*) FROM training_provenance "
        "WHERE edition IS NULL OR file IS NULL OR pdf_page IS NULL OR url = ''"
    ).fetchone()[0]
    assert missing == 0
    # Rows of the cut-out region files know their page in the official report.
    offset_rows = con.execute(
        "SELECT count(*) FROM training_provenance WHERE edition = 'FY2016-2017' "
        "AND report_page != pdf_page + 98 AND file = 'FY2016-2017/Africa.pdf'"
    ).fetchone()[0]
    assert offset_rows == 0
    con.close()


def test_every_block_has_a_country_and_a_programme_code(full_db: Path) -> None:
    con = sqlite3.connect(full_db)
    missing = con.execute(
        "SELECT d.file, b.first_page, b.heading FROM programme_block b "
        "JOIN document d ON d.id = b.document_id "
        "WHERE b.country_code IS NULL OR b.programme_code IS NULL"
    ).fetchall()
    con.close()
    assert missing == []


def test_no_cell_that_is_not_a_value_goes_unflagged(full_db: Path) -> None:
    """A quantity or cost cell with text but no value carries a flag saying why; never a 0."""
    con = sqlite3.connect(full_db)
    for cell, value, flag in (
        ("quantity", "quantity_value", "quantity:"),
        ("cost", "cost_cents", "cost:"),
    ):
        silent = con.execute(
            f"SELECT count(*) FROM training WHERE trim(coalesce({cell}, '')) != '' "
            f"AND {value} IS NULL AND coalesce(flags, '') NOT LIKE '%{flag}%'"
        ).fetchone()[0]
        assert silent == 0, cell
    con.close()


def test_every_printed_total_reconciles_or_is_a_listed_source_error(full_db: Path) -> None:
    from fmtr.store.db import open_read_only
    from fmtr.store.read import iter_documents
    from fmtr.verify.reconcile import verify_documents

    with open_read_only(str(full_db)).connect() as conn:
        report = verify_documents(iter_documents(conn))
    assert [(c.file, c.page, c.label) for c in report.mismatches] == []
    with_totals = sum(v.blocks_with_totals for v in report.editions)
    reconciled = sum(v.reconciled for v in report.editions)
    listed = sum(v.source_errors for v in report.editions)
    assert with_totals == reconciled + listed and with_totals > 13_000
    # The same verdicts are stored beside the totals by the build.
    con = sqlite3.connect(full_db)
    statuses = dict(con.execute("SELECT status, count(*) FROM printed_total GROUP BY status"))
    con.close()
    assert set(statuses) <= {"reconciled", "source_error"}


def test_every_word_of_every_text_cell_is_on_its_page(corpus: Path, full_db: Path) -> None:
    """The text proof on the whole corpus: every word found by the second reader, or the cell
    listed in text_exceptions.tsv with its page and reason; and every listed cell still seen."""
    from fmtr.store.db import open_read_only
    from fmtr.store.read import iter_documents
    from fmtr.verify.text import check_text, describe, known_text_exceptions

    with open_read_only(str(full_db)).connect() as conn:
        report = check_text(iter_documents(conn), corpus, jobs=2)
    assert [describe(d) for d in report.unlisted] == []
    assert sum(v.rows for v in report.editions) > 250_000
    # A listed cell that no longer differs (fixed since) is taken off the list.
    seen = {(d.file, d.page, d.field, d.cell) for d in report.differences}
    assert sorted(set(known_text_exceptions()) - seen) == []


_STABLE_TABLES = ("edition", "document", "programme_block", "training", "printed_total")


def test_every_edition_document_block_row_and_total_has_its_own_stable_id(full_db: Path) -> None:
    con = sqlite3.connect(full_db)
    for table in _STABLE_TABLES:
        rows, named, distinct = con.execute(
            f"SELECT count(*), count(stable_id), count(DISTINCT stable_id) FROM {table}"
        ).fetchone()
        assert rows == named == distinct > 0, table
    shapes = {
        "training": r"\d{4}-[a-z0-9-]+?(-p\d+)?-\d+",
        "printed_total": r"\d{4}-[a-z0-9-]+?(-p\d+)?-t\d+",
        "programme_block": r"\d{4}-[a-z0-9-]+?(-p\d+)?-b\d+",
    }
    for table, shape in shapes.items():
        bad = [
            sid
            for (sid,) in con.execute(f"SELECT stable_id FROM {table}")
            if not re.fullmatch(shape, sid)
        ]
        assert bad == [], table
    # A PDF row names its own page; an HTML row names none.
    wrong_page = con.execute(
        "SELECT count(*) FROM training t JOIN programme_block b ON b.id = t.block_id "
        "JOIN document d ON d.id = b.document_id WHERE t.stable_id NOT LIKE "
        "CASE WHEN d.file LIKE '%.pdf' THEN d.stable_id || '-p' || t.page || '-%' "
        "ELSE d.stable_id || '-%' END"
    ).fetchone()[0]
    assert wrong_page == 0
    longest = con.execute("SELECT max(length(stable_id)) FROM training").fetchone()[0]
    con.close()
    assert longest <= 40


# One document of each layout, reloaded one by one in the reverse order with one job.
_RELOADED = [
    "FY1999-2000/cta_sasia_all.html",
    "FY2000-2001/3165.pdf",
    "FY2001-2002/10969.pdf",
    "FY2005-2006/75058.pdf",
    "FY2006-2007/South_Central_Asia_2006_2007.html",
    "FY2016-2017/Africa.pdf",
    "FY2020-2021/14-Volume-I-Section-IV-Part-IV-V-South-Central-Asia.pdf",
]
# What each identifier names, in the schema "main" or "built" (an attached database).
_WHAT_IDS_NAME = {
    "document": "SELECT d.stable_id, d.file FROM {s}.document d",
    "programme_block": (
        "SELECT b.stable_id, d.file, b.first_page, b.heading FROM {s}.programme_block b "
        "JOIN {s}.document d ON d.id = b.document_id"
    ),
    "training": (
        "SELECT t.stable_id, d.file, t.page, t.course_title, t.student_unit, t.quantity, t.cost "
        "FROM {s}.training t JOIN {s}.programme_block b ON b.id = t.block_id "
        "JOIN {s}.document d ON d.id = b.document_id"
    ),
    "printed_total": (
        "SELECT p.stable_id, d.file, p.page, p.label, p.quantity, p.cost FROM {s}.printed_total p "
        "JOIN {s}.programme_block b ON b.id = p.block_id "
        "JOIN {s}.document d ON d.id = b.document_id"
    ),
}


def test_reloading_documents_in_another_order_keeps_every_stable_id(
    corpus: Path, full_db: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(full_db, copy)
    con = sqlite3.connect(copy)
    before = dict(con.execute("SELECT stable_id, id FROM training"))
    con.executemany("UPDATE document SET sha256 = '' WHERE file = ?", [(f,) for f in _RELOADED])
    con.commit()
    con.close()
    engine = open_database(f"sqlite:///{copy}")
    for file in reversed(_RELOADED):
        report = build(engine, corpus, jobs=1, only=[file])
        assert [d.file for d in report.loaded] == [file] and report.ok
    engine.dispose()
    con = sqlite3.connect(copy)
    after = dict(con.execute("SELECT stable_id, id FROM training"))
    assert before.keys() == after.keys() and before != after  # same names, new integer ids
    con.execute("ATTACH ? AS built", (str(full_db),))
    for table, sql in _WHAT_IDS_NAME.items():
        mine, theirs = sql.format(s="main"), sql.format(s="built")
        for one, other in ((mine, theirs), (theirs, mine)):
            assert con.execute(f"{one} EXCEPT {other}").fetchall() == [], table
    con.close()
