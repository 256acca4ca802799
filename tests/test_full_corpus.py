"""The whole corpus, built from scratch: runs in CI (CI=true), skipped elsewhere without it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fmtr.pipeline import build
from fmtr.sources.catalog import documents, editions, read_catalog
from fmtr.store.db import open_database


@pytest.fixture(scope="module")
def full_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("full") / "fmtr.sqlite"
    report = build(open_database(f"sqlite:///{db}"), corpus, jobs=2)
    assert [str(e) for e in report.errors] == []
    return db


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
    from fmtr.pipeline import verify_database
    from fmtr.store.db import make_engine

    report = verify_database(make_engine(f"sqlite:///{full_db}"))
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
    from fmtr.store.db import make_engine
    from fmtr.verify.text import check_text, describe, known_text_exceptions

    report = check_text(make_engine(f"sqlite:///{full_db}"), corpus, jobs=2)
    assert [describe(d) for d in report.unlisted] == []
    assert sum(v.rows for v in report.editions) > 250_000
    # A listed cell that no longer differs (fixed since) is taken off the list.
    seen = {(d.file, d.page, d.field, d.cell) for d in report.differences}
    assert sorted(set(known_text_exceptions()) - seen) == []
