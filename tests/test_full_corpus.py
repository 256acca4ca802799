"""The whole corpus, built from scratch (``full_db`` in conftest.py): runs in CI (CI=true),
skipped elsewhere without it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from corpus_kit import connect
from fmtr.pipeline import build
from fmtr.sources.catalog import documents, editions, read_catalog
from fmtr.store.db import open_database


def test_every_manifest_file_and_edition_loads(corpus: Path, full_db: Path) -> None:
    entries = read_catalog(corpus / "manifest.tsv")
    con = connect(full_db)
    loaded = {f for (f,) in con.execute("SELECT file FROM document")}
    assert loaded == {d.file for d in documents(entries)}
    per_edition = dict(
        con.execute("SELECT edition, count(*) FROM training_provenance GROUP BY edition")
    )
    assert sorted(per_edition) == editions(entries)
    assert min(per_edition.values()) > 1000
    con.close()


def test_every_row_has_provenance(full_db: Path) -> None:
    con = connect(full_db)
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
    con = connect(full_db)
    missing = con.execute(
        "SELECT d.file, b.first_page, b.heading FROM programme_block b "
        "JOIN document d ON d.id = b.document_id "
        "WHERE b.country_code IS NULL OR b.programme_code IS NULL"
    ).fetchall()
    con.close()
    assert missing == []


def test_no_cell_that_is_not_a_value_goes_unflagged(full_db: Path) -> None:
    """A quantity or cost cell with text but no value carries a flag saying why; never a 0."""
    con = connect(full_db)
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
    con = connect(full_db)
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
    con = connect(full_db)
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
    con = connect(copy)
    before = dict(con.execute("SELECT stable_id, id FROM training"))
    con.executemany("UPDATE document SET sha256 = '' WHERE file = ?", [(f,) for f in _RELOADED])
    con.commit()
    con.close()
    engine = open_database(f"sqlite:///{copy}")
    for file in reversed(_RELOADED):
        report = build(engine, corpus, jobs=1, only=[file])
        assert [d.file for d in report.loaded] == [file] and report.ok
    engine.dispose()
    con = connect(copy)
    after = dict(con.execute("SELECT stable_id, id FROM training"))
    assert before.keys() == after.keys() and before != after  # same names, new integer ids
    con.execute("ATTACH ? AS built", (str(full_db),))
    for table, sql in _WHAT_IDS_NAME.items():
        mine, theirs = sql.format(s="main"), sql.format(s="built")
        for one, other in ((mine, theirs), (theirs, mine)):
            assert con.execute(f"{one} EXCEPT {other}").fetchall() == [], table
    con.close()


# --- finding things (issue 13): the search, units, courses and exports on every row ----------


def _engine(full_db: Path):  # type: ignore[no-untyped-def]
    from fmtr.store.db import open_read_only

    return open_read_only(str(full_db))


def test_pakistan_imet_is_read_as_filters_and_sums_as_the_rows(full_db: Path) -> None:
    from fmtr import query

    con = connect(full_db)
    rows, trainees, cost = con.execute(
        "SELECT count(*), sum(t.quantity_value), sum(t.cost_cents) FROM training t "
        "JOIN programme_block b ON b.id = t.block_id "
        "WHERE b.counted = 1 AND b.country_code = 'PAK' AND b.programme_code = 'IMET'"
    ).fetchone()
    found = query.search(_engine(full_db), "Pakistan IMET", limit=0, facet_limit=None)
    assert [(r.kind, r.value) for r in found.reading.recognised] == [
        ("country", "PAK"),
        ("programme", "IMET"),
    ]
    assert (found.total, found.figures.trainees, found.figures.cost_cents) == (rows, trainees, cost)
    per_year = {
        fy: (n, q, c)
        for fy, n, q, c in con.execute(
            "SELECT fy, rows, trainees, cost_cents FROM year_figures "
            "WHERE country_code = 'PAK' AND programme_code = 'IMET'"
        )
    }
    got = {
        v.value: (v.figures.rows, v.figures.trainees, v.figures.cost_cents)
        for v in found.facets["fy"].values
    }
    assert got == per_year


@pytest.mark.parametrize("text", ["army", "Command and General Staff", "Fort Benning"])
def test_every_facet_of_a_search_is_the_sql_sum_of_its_rows(full_db: Path, text: str) -> None:
    from fmtr import query

    found = query.search(_engine(full_db), text, limit=0, facet_limit=None)
    con = connect(full_db)
    match = found.reading.match
    columns = {
        "country": "b.country_code",
        "programme": "b.programme_code",
        "fy": "b.fy",
        "school": "t.us_unit_key",
        "location": "t.location_key",
    }
    for name, column in columns.items():
        expected = {
            value: (n, q, c)
            for value, n, q, c in con.execute(
                f"SELECT {column}, count(*), coalesce(sum(t.quantity_value), 0), "
                "coalesce(sum(t.cost_cents), 0) FROM training t "
                "JOIN programme_block b ON b.id = t.block_id WHERE b.counted = 1 AND t.id IN "
                f"(SELECT rowid FROM training_fts WHERE training_fts MATCH ?) GROUP BY 1",
                (match,),
            )
        }
        got = {
            v.value: (v.figures.rows, v.figures.trainees, v.figures.cost_cents)
            for v in found.facets[name].values
        }
        assert got == expected, name
    assert found.total == sum(n for n, _, _ in expected.values())


def test_units_are_found_within_one_country_exact_name_first(full_db: Path) -> None:
    from fmtr import query

    db = _engine(full_db)
    first = query.units(db, "Rapid Action Battalion", limit=1).units[0]
    assert (first.country_code, first.match) == ("BGD", "exact")
    guards = query.units(db, "Presidential Guard Brigade", limit=None).units
    exact = [u for u in guards if u.match == "exact"]
    assert {u.country_code for u in exact} >= {"LBN", "UGA"}
    assert len(exact) == len({u.country_code for u in exact})  # one unit per country
    con = connect(full_db)
    # No silent cap: every one of Nigeria's units naming a brigade is listed, in the country and
    # among all countries' brigades.
    nigerian = {
        u
        for (u,) in con.execute(
            "SELECT DISTINCT unit FROM unit_name WHERE country_code = 'NGA' "
            "AND (' ' || canonical || ' ') LIKE '% brigade %'"
        )
    }
    assert nigerian
    in_nigeria = query.units(db, "Brigade", "NGA", limit=None)
    assert nigerian <= {u.unit for u in in_nigeria.units}
    everywhere = query.units(db, "Brigade", limit=None)
    assert everywhere.total == len(everywhere.units) > 1000
    assert nigerian <= {u.unit for u in everywhere.units if u.country_code == "NGA"}


@pytest.mark.parametrize("text", ["CMD & GEN STAFF", "C&GSC", "ILE", "Command and General Staff"])
def test_course_abbreviations_find_command_and_general_staff(full_db: Path, text: str) -> None:
    from fmtr import query

    found = query.courses(_engine(full_db), text, limit=None)
    assert any({"command", "general", "staff"} <= set(c.course.split()) for c in found.courses), (
        text
    )


@pytest.mark.parametrize("text", ["ILE", "C&GSC"])
def test_a_word_written_out_finds_the_rows_printing_it_first(full_db: Path, text: str) -> None:
    """A search for "ILE" finds the Command and General Staff rows too (the course it renamed),
    but the rows printing "ILE" come first. Printing it as words, as the index reads them:
    "USA C& GSC OFF PREPARATORY" prints C&GSC as much as "USA C&GSC OFF PREPARATORY" (the same
    words, the same score; their order is their stable identifiers')."""
    from fmtr import query
    from fmtr.query.text import TrainingHit
    from fmtr.store.fulltext.tokens import index_words

    typed = index_words(text)

    def printing(h: TrainingHit) -> bool:
        for cell in (h.course_title, h.student_unit, h.us_unit, h.location):
            words = index_words(cell or "")
            if any(words[i : i + len(typed)] == typed for i in range(len(words))):
                return True
        return False

    found = query.search(_engine(full_db), text, limit=20)
    assert found.total > 20

    assert all(printing(h) for h in found.hits), text
    # And the rows of what it stands for are found too, after them.
    rest = query.search(_engine(full_db), text, limit=20, offset=found.total - 20)
    assert len(rest.hits) == 20 and not any(printing(h) for h in rest.hits), text


def test_every_abbreviation_is_printed_where_it_holds(full_db: Path) -> None:
    from fmtr.clean.glossary import entries

    con = connect(full_db)
    columns = {
        "unit": "student_unit",
        "course": "course_title",
        "any": "{student_unit course_title}",
    }
    for e in entries():
        phrase = '"' + " ".join(e.term) + '"'
        where = f"{columns[e.scope]} : {phrase}"
        countries = sorted(e.countries)
        extra = f" AND b.country_code IN ({','.join('?' * len(countries))})" if countries else ""
        n = con.execute(
            "SELECT count(*) FROM training t JOIN programme_block b ON b.id = t.block_id "
            f"WHERE t.id IN (SELECT rowid FROM training_fts WHERE training_fts MATCH ?){extra}",
            (where, *countries),
        ).fetchone()[0]
        assert n > 0, e.term


def test_an_export_of_every_row_streams_them_all(full_db: Path, tmp_path: Path) -> None:
    import csv

    from fmtr.query.export import export

    con = connect(full_db)
    rows, cents = con.execute("SELECT count(*), sum(cost_cents) FROM training").fetchone()
    out = tmp_path / "every.csv"
    assert export(_engine(full_db), "csv", out, all_editions=True) == rows
    with out.open(encoding="utf-8", newline="") as f:
        read = list(csv.DictReader(f))
    assert len(read) == rows
    assert sum(int(r["cost_cents"]) for r in read if r["cost_cents"]) == cents
    assert all(
        r["cost_usd"] == f"{int(r['cost_cents']) // 100}.{int(r['cost_cents']) % 100:02d}"
        for r in read
        if r["cost_cents"] and int(r["cost_cents"]) >= 0
    )
