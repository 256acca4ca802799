"""Stable identifiers (fmtr.sources.ids): made from where a thing is printed, the same whatever
the build's jobs, the order documents load in, or the other documents rebuilt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus_kit import (
    LAYOUT_CUTS,
    LAYOUT_HTML,
    connect,
    cut_pdf,
    write_layouts_corpus,
    write_manifest,
)
from fmtr.pipeline import build
from fmtr.sources.catalog import documents, packaged_documents, read_catalog
from fmtr.sources.ids import BLOCK, ROW, TOTAL, Ordinals, document_ids, edition_id, file_slug
from fmtr.store.db import open_database

# --- the scheme ------------------------------------------------------------------------------


def test_editions_are_named_by_their_first_fiscal_year() -> None:
    assert edition_id("FY2016-2017") == "2016"
    assert edition_id("FY1999-2000") == "1999"
    with pytest.raises(ValueError):
        edition_id("2016")


@pytest.mark.parametrize(
    ("edition", "file", "slug"),
    [
        ("FY2016-2017", "FY2016-2017/Africa.pdf", "africa"),
        ("FY2016-2017", "FY2016-2017/East_Asia_and_Pacific.pdf", "east-asia-and-pacific"),
        ("FY2006-2007", "FY2006-2007/Africa_2006_2007.html", "africa"),
        ("FY2001-2002", "FY2001-2002/10964.pdf", "10964"),
        ("FY1999-2000", "FY1999-2000/cta_af_a2gam.html", "cta-af-a2gam"),
        ("FY2020-2021", "FY2020-2021/10-Volume-I-Section-IV-Part-IV-I-Africa.pdf", "africa"),
        (
            "FY2020-2021",
            "FY2020-2021/15-Volume-I-Section-IV-Part-IV-VI-Western-Hemisphere.pdf",
            "western-hemisphere",
        ),
        # A name that is only the edition's years keeps them rather than becoming empty.
        ("FY2006-2007", "FY2006-2007/2006_2007.pdf", "2006-2007"),
    ],
)
def test_file_slug(edition: str, file: str, slug: str) -> None:
    assert file_slug(edition, file) == slug


def test_files_of_one_edition_with_the_same_name_keep_their_extension() -> None:
    ids = document_ids(
        [
            ("FY2016-2017", "FY2016-2017/Africa.pdf"),
            ("FY2016-2017", "FY2016-2017/Africa.html"),
            ("FY2017-2018", "FY2017-2018/Africa.pdf"),
        ]
    )
    assert ids == {
        "FY2016-2017/Africa.pdf": "2016-africa-pdf",
        "FY2016-2017/Africa.html": "2016-africa-html",
        "FY2017-2018/Africa.pdf": "2017-africa",
    }


def test_every_catalog_document_has_its_own_short_id() -> None:
    ids = [d.stable_id for d in packaged_documents()]
    assert len(set(ids)) == len(ids) == 137
    assert max(len(i) for i in ids) <= len("2016-east-asia-and-pacific")
    assert {"2016-africa", "2005-75058", "2006-africa", "2020-africa", "1999-cit-nis-all"} <= set(
        ids
    )


def test_ordinals_count_per_page_and_leave_the_page_out_for_html() -> None:
    rows = Ordinals("2016-africa", ROW, paged=True)
    assert [rows.next(p) for p in (50, 50, 51, 51, 51)] == [
        "2016-africa-p50-1",
        "2016-africa-p50-2",
        "2016-africa-p51-1",
        "2016-africa-p51-2",
        "2016-africa-p51-3",
    ]
    assert Ordinals("2016-africa", TOTAL, paged=True).next(50) == "2016-africa-p50-t1"
    assert Ordinals("2016-africa", BLOCK, paged=True).next(49) == "2016-africa-p49-b1"
    html = Ordinals("2006-africa", ROW, paged=False)
    assert [html.next(1) for _ in range(3)] == ["2006-africa-1", "2006-africa-2", "2006-africa-3"]


@given(st.lists(st.integers(1, 400), max_size=200).map(sorted), st.booleans())
def test_ordinals_are_unique_and_name_their_page(pages: list[int], paged: bool) -> None:
    ordinals = Ordinals("2016-africa", ROW, paged=paged)
    ids = [ordinals.next(p) for p in pages]
    assert len(set(ids)) == len(ids)
    if paged:
        assert [int(re.search(r"-p(\d+)-", i).group(1)) for i in ids] == pages  # type: ignore[union-attr]


# --- builds ----------------------------------------------------------------------------------


@pytest.fixture()
def layouts(corpus: Path, tmp_path: Path) -> Path:
    return write_layouts_corpus(corpus, tmp_path / "corpus")


# What each identifier names: the place and the cells, never the integer ids.
_NAMED = {
    "edition": "SELECT stable_id, name FROM edition",
    "document": "SELECT d.stable_id, d.file, d.sha256 FROM document d",
    "programme_block": (
        "SELECT b.stable_id, d.file, b.first_page, b.heading, b.country_code, b.fy "
        "FROM programme_block b JOIN document d ON d.id = b.document_id"
    ),
    "training": (
        "SELECT t.stable_id, d.file, t.page, t.course_title, t.student_unit, t.quantity, t.cost "
        "FROM training t JOIN programme_block b ON b.id = t.block_id "
        "JOIN document d ON d.id = b.document_id"
    ),
    "printed_total": (
        "SELECT p.stable_id, d.file, p.page, p.label, p.quantity, p.cost, p.status "
        "FROM printed_total p JOIN programme_block b ON b.id = p.block_id "
        "JOIN document d ON d.id = b.document_id"
    ),
}


def named(db: Path) -> dict[str, dict[str, tuple[object, ...]]]:
    """Per table: stable id -> what it names."""
    con = connect(db)
    out = {t: {r[0]: tuple(r[1:]) for r in con.execute(sql)} for t, sql in _NAMED.items()}
    con.close()
    return out


def integer_ids(db: Path) -> dict[str, int]:
    con = connect(db)
    out = dict(con.execute("SELECT stable_id, id FROM training"))
    con.close()
    return out


def test_same_ids_whatever_the_jobs_and_the_order_documents_load_in(
    layouts: Path, tmp_path: Path
) -> None:
    files = [f for _, _, f, _ in LAYOUT_CUTS] + [LAYOUT_HTML[2]]
    one = tmp_path / "one.sqlite"
    report = build(open_database(str(one)), layouts, jobs=1)
    assert report.ok and len(report.loaded) == 5
    # The other database loads the documents one by one, in the reverse order, with two jobs.
    other = tmp_path / "other.sqlite"
    engine = open_database(str(other))
    for file in reversed(files):
        assert build(engine, layouts, jobs=2, only=[file]).ok
    first, second = named(one), named(other)
    assert first == second
    assert integer_ids(one) != integer_ids(other)  # the load order did differ
    # Every table has ids, unique (the dicts would have lost duplicates: count them too).
    con = connect(one)
    for table in _NAMED:
        total, distinct = con.execute(
            f"SELECT count(*), count(DISTINCT stable_id) FROM {table}"
        ).fetchone()
        assert total == distinct == len(first[table]) > 0, table
    con.close()
    rows = first["training"]
    # Page and ordinal, top to bottom: page 2 of the cut FY2016-2017 Africa file starts at 1.
    on_page = sorted((int(i.rsplit("-", 1)[1]), i) for i in rows if i.startswith("2016-africa-p2-"))
    assert [n for n, _ in on_page] == list(range(1, len(on_page) + 1))
    assert all(rows[i][1] == 2 for _, i in on_page)
    # HTML rows count over the whole file.
    html = [i for i in rows if i.startswith("1999-cta-sasia-all-")]
    assert html and all(re.fullmatch(r"1999-cta-sasia-all-\d+", i) for i in html)
    assert {"2000-3164-p2-1", "2005-75058-p1-1", "2001-10964-p1-1"} <= set(rows)
    assert first["edition"]["2016"] == ("FY2016-2017",)


def test_re_extracting_one_document_leaves_every_other_id_unchanged(
    layouts: Path, corpus: Path, tmp_path: Path
) -> None:
    db = tmp_path / "fmtr.sqlite"
    engine = open_database(str(db))
    assert build(engine, layouts, jobs=2).ok
    before = named(db)
    # FY2016-2017 Africa loses its first page: that document's rows move, no other's.
    cut_pdf(corpus / "FY2016-2017/Africa.pdf", [3, 4], layouts / "FY2016-2017/Africa.pdf")
    write_manifest(layouts, [(e, r, f, "") for e, r, f, _ in LAYOUT_CUTS] + [(*LAYOUT_HTML, "")])
    report = build(engine, layouts, jobs=2)
    assert [d.file for d in report.loaded] == ["FY2016-2017/Africa.pdf"]
    after = named(db)
    for table in ("programme_block", "training", "printed_total"):
        old = {k: v for k, v in before[table].items() if not k.startswith("2016-")}
        new = {k: v for k, v in after[table].items() if not k.startswith("2016-")}
        assert old == new and old, table
        assert before[table].keys() != after[table].keys()
    assert before["document"].keys() == after["document"].keys()


def test_the_catalog_a_test_corpus_writes_names_documents_alike(layouts: Path) -> None:
    ids = {d.file: d.stable_id for d in documents(read_catalog(layouts / "manifest.tsv"))}
    assert ids["FY2016-2017/Africa.pdf"] == "2016-africa"
    assert ids[LAYOUT_HTML[2]] == "1999-cta-sasia-all"


def test_an_id_finds_its_row_and_so_does_the_old_integer_id(layouts: Path, tmp_path: Path) -> None:
    from fmtr.query.row import training_row

    db = tmp_path / "fmtr.sqlite"
    engine = open_database(str(db))
    assert build(engine, layouts, jobs=2).ok
    con = connect(db)
    tid, sid, course = con.execute(
        "SELECT id, stable_id, course_title FROM training WHERE stable_id LIKE '2016-africa-p3-%' "
        "ORDER BY id LIMIT 1"
    ).fetchone()
    con.close()
    with engine.connect() as conn:
        by_sid = training_row(conn, sid)
        assert by_sid is not None and by_sid.id == tid and by_sid.course_title == course
        assert by_sid.document_stable_id == "2016-africa" and by_sid.edition_stable_id == "2016"
        assert by_sid.block_stable_id.startswith("2016-africa-p")
        assert training_row(conn, sid.upper()) == by_sid
        assert training_row(conn, tid) == by_sid == training_row(conn, str(tid))
        assert training_row(conn, "2016-africa-p999-1") is None
        assert all(t["stable_id"].startswith("2016-africa-p") for t in by_sid.printed_totals)


def test_a_database_loaded_before_the_ids_gets_them_from_its_migration(
    layouts: Path, tmp_path: Path
) -> None:
    """Migration 0006 names the rows already loaded as the loader would."""
    from fmtr.store.db import make_engine, migrate

    fresh = tmp_path / "fresh.sqlite"
    assert build(open_database(str(fresh)), layouts, jobs=2).ok
    old = tmp_path / "old.sqlite"
    engine = make_engine(f"sqlite:///{old}")
    migrate(engine, "0004")
    # Loaded by the 0004 schema: the rows of the fresh build without their identifiers.
    con = connect(old)
    con.execute("ATTACH ? AS f", (str(fresh),))
    for table in ("edition", "document", "programme_block", "training", "printed_total"):
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] != "stable_id"]
        con.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM f.{table}"
        )
    con.commit()
    con.close()
    migrate(engine)
    assert named(old) == named(fresh)


def test_migration_0006_goes_down_and_up_again(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from fmtr.store import db as store_db

    engine = open_database(str(tmp_path / "fmtr.sqlite"))
    cfg = Config()
    cfg.set_main_option("script_location", str(store_db._MIGRATIONS))

    def columns(table: str) -> list[str]:
        con = connect(tmp_path / "fmtr.sqlite")
        out = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
        con.close()
        return out

    assert "stable_id" in columns("training") and "counted" in columns("training_provenance")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    assert "stable_id" not in columns("training") and columns("data_release") == []
    assert "stable_id" not in columns("training_provenance")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert "stable_id" in columns("training") and "counted" in columns("training_provenance")
