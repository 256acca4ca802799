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
