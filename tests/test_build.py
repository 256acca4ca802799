"""`fmtr build` on small corpora made at test time from real pages, good and bad."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_kit import connect, cut_pdf, image_only_pdf, write_manifest
from fmtr.cli.app import app
from fmtr.pipeline import build
from fmtr.store.db import open_database

runner = CliRunner()


def content_digest(db: Path) -> str:
    """A digest of every loaded row, independent of the build bookkeeping tables."""
    con = connect(db)
    h = hashlib.sha256()
    for table in ("edition", "document", "programme_block", "training", "printed_total"):
        cols = "*" if table != "document" else "id, edition_id, file, sha256, url, pages"
        for row in con.execute(f"SELECT {cols} FROM {table} ORDER BY id"):
            h.update(repr(row).encode())
    con.close()
    return h.hexdigest()


@pytest.fixture()
def small_corpus(corpus: Path, tmp_path: Path) -> Path:
    """Two editions: three real pages of FY2016-2017 Africa and one FY1999-2000 HTML page."""
    root = tmp_path / "corpus"
    (root / "FY2016-2017").mkdir(parents=True)
    (root / "FY1999-2000").mkdir()
    cut_pdf(corpus / "FY2016-2017/Africa.pdf", [2, 3, 4], root / "FY2016-2017/Africa.pdf")
    html = "FY1999-2000/cta_sasia_all.html"
    (root / html).write_bytes((corpus / html).read_bytes())
    write_manifest(
        root,
        [
            ("FY2016-2017", "Africa", "FY2016-2017/Africa.pdf", ""),
            ("FY1999-2000", "South Asia", html, "HTML page of the report"),
        ],
    )
    return root


def test_build_loads_rows_with_provenance_and_skips_unchanged(
    small_corpus: Path, tmp_path: Path
) -> None:
    db = tmp_path / "fmtr.sqlite"
    engine = open_database(f"sqlite:///{db}")
    first = build(engine, small_corpus, jobs=2)
    assert first.ok and len(first.loaded) == 2
    con = connect(db)
    rows = con.execute(
        "SELECT edition, file, pdf_page, url FROM training_provenance WHERE file LIKE '%.pdf'"
    ).fetchall()
    assert rows and {r[2] for r in rows} <= {1, 2, 3}
    assert {r[3] for r in rows} == {"https://example.invalid/FY2016-2017/Africa.pdf"}
    # Every edition has rows.
    per_edition = dict(con.execute("SELECT edition, count(*) FROM training_provenance GROUP BY 1"))
    assert set(per_edition) == {"FY2016-2017", "FY1999-2000"} and min(per_edition.values()) > 0
    con.close()

    before = content_digest(db)
    second = build(engine, small_corpus, jobs=2)
    assert second.loaded == [] and len(second.skipped) == 2
    assert content_digest(db) == before


def test_same_result_with_one_or_two_jobs(small_corpus: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.sqlite", tmp_path / "two.sqlite"
    build(open_database(f"sqlite:///{one}"), small_corpus, jobs=1)
    build(open_database(f"sqlite:///{two}"), small_corpus, jobs=2)

    # Load order differs between the two, so compare the rows themselves.
    def rows(db: Path) -> list[tuple[object, ...]]:
        con = connect(db)
        out = sorted(
            con.execute("SELECT * FROM training_provenance").fetchall(), key=lambda r: r[1:]
        )
        con.close()
        return [r[1:] for r in out]

    assert rows(one) == rows(two)


def _damage(kind: str, corpus: Path, target: Path) -> None:
    if kind == "truncated":
        data = (corpus / "FY2016-2017/Africa.pdf").read_bytes()
        target.write_bytes(data[: len(data) // 3])
    elif kind == "empty":
        target.write_bytes(b"")
    elif kind == "image-only":
        image_only_pdf(corpus / "FY2016-2017/Africa.pdf", 3, target)
    elif kind == "random":
        target.write_bytes(bytes(range(256)) * 40)


@pytest.mark.parametrize("kind", ["truncated", "empty", "image-only", "random"])
def test_bad_pdf_is_one_line_error_and_database_unchanged(
    corpus: Path, small_corpus: Path, tmp_path: Path, kind: str
) -> None:
    db = tmp_path / "fmtr.sqlite"
    engine = open_database(f"sqlite:///{db}")
    assert build(engine, small_corpus, jobs=1).ok
    before = content_digest(db)

    # The PDF is replaced by a bad file, the manifest updated to its checksum.
    _damage(kind, corpus, small_corpus / "FY2016-2017/Africa.pdf")
    write_manifest(
        small_corpus,
        [
            ("FY2016-2017", "Africa", "FY2016-2017/Africa.pdf", ""),
            ("FY1999-2000", "South Asia", "FY1999-2000/cta_sasia_all.html", "HTML"),
        ],
    )
    result = runner.invoke(
        app, ["build", "--corpus", str(small_corpus), "--db", str(db), "--jobs", "1"]
    )
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error ")]
    assert len(errors) == 1
    assert "FY2016-2017/Africa.pdf" in errors[0]
    if kind == "image-only":
        assert "page 1" in errors[0]
    assert content_digest(db) == before


def test_html_that_is_not_a_report_fails_and_others_load(
    small_corpus: Path, tmp_path: Path
) -> None:
    html = small_corpus / "FY1999-2000/cta_sasia_all.html"
    html.write_text("<html><body><h1>Page not found</h1><p>Sorry.</p></body></html>")
    write_manifest(
        small_corpus,
        [
            ("FY2016-2017", "Africa", "FY2016-2017/Africa.pdf", ""),
            ("FY1999-2000", "South Asia", "FY1999-2000/cta_sasia_all.html", "HTML"),
        ],
    )
    db = tmp_path / "fmtr.sqlite"
    report = build(open_database(f"sqlite:///{db}"), small_corpus, jobs=1)
    assert [e.file for e in report.errors] == ["FY1999-2000/cta_sasia_all.html"]
    assert "\n" not in str(report.errors[0])
    assert [d.file for d in report.loaded] == ["FY2016-2017/Africa.pdf"]


def test_missing_file_and_wrong_checksum_are_reported(small_corpus: Path, tmp_path: Path) -> None:
    manifest = small_corpus / "manifest.tsv"
    text = manifest.read_text()
    lines = text.splitlines(keepends=True)
    # Corrupt the HTML row's checksum and add a row for a file that does not exist.
    lines[2] = lines[2].rsplit("\t", 1)[0] + "\t" + "0" * 64 + "\n"
    lines.append(lines[1].replace("Africa.pdf", "Nowhere.pdf"))
    manifest.write_text("".join(lines))
    report = build(open_database(f"sqlite:///{tmp_path / 'db.sqlite'}"), small_corpus, jobs=1)
    messages = sorted(str(e) for e in report.errors)
    assert any("Nowhere.pdf" in m and "not found" in m for m in messages)
    assert any("cta_sasia_all.html" in m and "sha256 mismatch" in m for m in messages)
    assert [d.file for d in report.loaded] == ["FY2016-2017/Africa.pdf"]


def test_a_build_aside_leaves_every_index_of_the_schema(small_corpus: Path, tmp_path: Path) -> None:
    """Query-only indexes are dropped while loading and must be back afterwards."""
    from sqlalchemy import inspect

    from fmtr.pipeline import build_database
    from fmtr.store.db import make_engine

    db = tmp_path / "fmtr.sqlite"
    assert build_database(f"sqlite:///{db}", small_corpus, jobs=1).ok
    indexes = {i["name"] for i in inspect(make_engine(f"sqlite:///{db}")).get_indexes("training")}
    assert {"ix_training_block", "ix_training_block_figures", "ix_training_student_unit_key"} <= (
        indexes
    )


def test_a_build_with_nothing_new_still_refreshes_a_stale_search_index(
    small_corpus: Path, tmp_path: Path
) -> None:
    """As after a migration that adds precomputed tables: no document changed, index stale."""
    from fmtr.store.search import index_is_current

    engine = open_database(f"sqlite:///{tmp_path / 'fmtr.sqlite'}")
    assert build(engine, small_corpus, jobs=1).ok
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM search_state")
        assert not index_is_current(conn)
    report = build(engine, small_corpus, jobs=1)
    assert report.loaded == [] and report.ok
    with engine.connect() as conn:
        assert index_is_current(conn)


_DERIVED = {
    "year_figures": "SELECT * FROM year_figures ORDER BY 1, 2, 3",
    "name_figures": "SELECT * FROM name_figures ORDER BY 1, 2, 3",
    "name_label": "SELECT kind, key, label FROM name_label ORDER BY 1, 2",
    "unit_name": "SELECT * FROM unit_name ORDER BY id",
    "unit_figures": "SELECT * FROM unit_figures ORDER BY 1, 2",
    "course_name": "SELECT * FROM course_name ORDER BY id",
    "course_figures": "SELECT * FROM course_figures ORDER BY 1",
    "row_facets": "SELECT t.stable_id, f.country_code, f.programme_code, f.fy, f.counted, "
    "f.trainees FROM row_facets f JOIN training t ON t.id = f.id ORDER BY 1",
    "counted": "SELECT stable_id, counted FROM programme_block ORDER BY 1",
}


def _derived(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = connect(db)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in _DERIVED.items()}
    finally:
        con.close()


def test_a_build_aside_computes_the_figures_a_build_in_place_does(
    small_corpus: Path, tmp_path: Path
) -> None:
    """A build aside computes the names and figures in threads, started as soon as the rows
    are in (or once the documents the corpus no longer lists are gone); a build in place
    computes them on its own connection, after everything else: the same tables."""
    from fmtr.pipeline import build_database

    aside = tmp_path / "aside.sqlite"
    assert build_database(f"sqlite:///{aside}", small_corpus, jobs=1).ok
    in_place = open_database(f"sqlite:///{tmp_path / 'in-place.sqlite'}")
    try:
        assert build(in_place, small_corpus, jobs=1).ok
    finally:
        in_place.dispose()
    expected = _derived(tmp_path / "in-place.sqlite")
    assert all(expected.values()), "every derived table has rows on these pages"
    assert _derived(aside) == expected

    # The HTML page leaves the corpus: the next build aside removes it before the figures.
    manifest = small_corpus / "manifest.tsv"
    manifest.write_text(
        "".join(ln for ln in manifest.read_text().splitlines(True) if ".html" not in ln)
    )
    assert build_database(f"sqlite:///{aside}", small_corpus, jobs=1).ok
    alone = open_database(f"sqlite:///{tmp_path / 'alone.sqlite'}")
    try:
        assert build(alone, small_corpus, jobs=1).ok
    finally:
        alone.dispose()
    assert _derived(aside) == _derived(tmp_path / "alone.sqlite") != expected
