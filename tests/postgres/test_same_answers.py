"""SQLite and PostgreSQL give the same answers on the same data.

Every question the CLI asks (tests/test_cli_api_parity.py's QUESTIONS: each a document of
fmtr.query.answers, full-text and unit searches included) is asked of both databases, on the
database written by code and on real pages of every layout built into each by `fmtr build`'s
own function, and must print the same JSON, or the same one-line error. So must `verify`,
`export` (every format), `cite` and `diff`; and the API served from PostgreSQL must answer what
the CLI answers from SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fmtr.cli.app import app
from postgres_kit import Both, Layouts
from test_cli_api_parity import QUESTIONS

runner = CliRunner()

ASKED = [q[0] for q in QUESTIONS]

# Questions about what the layouts corpus holds (Benin, Botswana, Bangladesh; IMET and PKO;
# FY1999-FY2001, FY2005, FY2016), so that its answers are not errors.
LAYOUT_QUESTIONS = [
    ["country", "Benin"],
    ["country", "BGD", "--limit", "3"],
    ["country", "BWA"],
    ["names", "BWA", "units"],
    ["names", "BEN", "courses", "--limit", "5", "--offset", "2"],
    ["names", "BGD", "locations"],
    ["trend", "PKO"],
    ["top", "--programme", "IMET", "--by", "trainees", "--years"],
    ["top", "--from", "FY2000", "--to", "FY2005", "--limit", "0"],
    ["series", "--country", "BEN"],
    ["compare", "BEN", "BWA", "BGD"],
    ["gaps", "--programme", "PKO"],
    ["unit", "army"],
    ["unit", "commando battalion"],
    ["unit", "ministry of defense", "--limit", "3"],
    ["course", "officer"],
    ["course", "infantry officer basic"],
    ["search", "army"],
    ["search", "infantry officer", "--limit", "0"],
    ["search", "bdf", "--limit", "5", "--offset", "3"],
    ["row", "2001-10964-p1-1"],
    ["row", "2016-africa-p3-19"],
    ["cite", "2016-africa-p3-19"],
    ["cite", "BEN/all/FY2016"],
    ["timeline", "BGD"],
    ["timeline", "Benin", "--programme", "IMET"],
    ["check-suspensions"],
]


def cli(args: list[str], db: str) -> tuple[int, str]:
    """What ``fmtr ARGS --db DB --json`` prints: its exit code and its JSON, or its error."""
    extra = [] if args[0] == "events" else ["--db", db]
    out = runner.invoke(app, [*args, *extra, "--json"])
    return out.exit_code, out.stdout if out.exit_code == 0 or out.stdout else out.stderr


def same(args: list[str], both: Both) -> tuple[int, str]:
    """The answer of both databases, asserted to be the same."""
    on_sqlite = cli(args, both.sqlite)
    on_postgresql = cli(args, both.postgresql)
    assert on_postgresql == on_sqlite, args
    return on_sqlite


@pytest.mark.parametrize("args", ASKED, ids=lambda a: " ".join(a)[:50])
def test_every_question_gives_the_same_document(fixture_both: Both, args: list[str]) -> None:
    code, said = same(args, fixture_both)
    assert code == 0, said
    assert json.loads(said)


@pytest.mark.parametrize("args", ASKED + LAYOUT_QUESTIONS, ids=lambda a: " ".join(a)[:50])
def test_real_pages_of_every_layout_give_the_same_answers(
    layouts: Layouts, args: list[str]
) -> None:
    code, said = same(args, layouts.built)
    if args in LAYOUT_QUESTIONS:
        assert code == 0, said
        assert json.loads(said)


def _asked(engine: Any, question: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return question(engine, *args, **kwargs)
    except Exception as exc:  # the same error on both
        return type(exc).__name__, str(exc)


def test_searches_find_and_rank_alike(layouts: Layouts) -> None:
    """Faceted searches (every column and one), course searches and unit searches (everywhere
    and within a recipient) on the words of every course and unit of the pages: the same rows,
    facets and sums, in the same order (phrase first, BM25, then id), on both indexes."""
    from fmtr.query import courses, search, units
    from fmtr.store.db import open_read_only

    engines = [open_read_only(layouts.built.sqlite), open_read_only(layouts.built.postgresql)]
    try:
        with engines[0].connect() as conn:
            texts = [
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT DISTINCT course_title FROM training WHERE course_title IS NOT NULL "
                    "UNION SELECT DISTINCT student_unit FROM training "
                    "WHERE student_unit IS NOT NULL ORDER BY 1 LIMIT 120"
                )
            ]
        texts += ["Côte d'Ivoire", "F-16", "a_b army", "army army", "ß", "1.5", "officer_course"]
        texts += ["Pakistan IMET", "army FY2016", "CMD & GEN STAFF", "ILE", '"basic course"']
        asked = found = 0
        for text in texts:
            answers = []
            for engine in engines:
                answers.append(
                    (
                        _asked(engine, search, text, limit=None, all_editions=True),
                        _asked(engine, search, text, field="course", limit=None),
                        _asked(engine, search, text, field="unit", literal=True, offset=3),
                        _asked(engine, courses, text, limit=None),
                        _asked(engine, units, text, limit=None),
                        _asked(engine, units, text, country="BEN", limit=None),
                    )
                )
            assert answers[0] == answers[1], text
            asked += 1
            found += not isinstance(answers[0][0], tuple) and answers[0][0].total > 0
        assert asked > 100
        assert found > 50
    finally:
        for engine in engines:
            engine.dispose()


def test_unit_and_course_pages_answer_alike(layouts: Layouts) -> None:
    """Every unit's page and rows (within its recipient) and every course's page and rows of
    the pages: the same on both databases."""
    from fmtr.query import course_profile, courses, unit_profile, units
    from fmtr.query.course_titles import course_rows
    from fmtr.query.student_units import unit_rows
    from fmtr.store.db import open_read_only

    engines = [open_read_only(layouts.built.sqlite), open_read_only(layouts.built.postgresql)]
    try:
        found_units = units(engines[0], "army", limit=40).units
        found_courses = courses(engines[0], "course", limit=40).courses
        assert found_units and found_courses
        for u in found_units:
            answers = [
                (
                    _asked(e, unit_profile, u.country_code, u.name, limit=5),
                    _asked(e, unit_rows, u.country_code, u.unit, all_editions=True, limit=None),
                    _asked(e, unit_rows, u.country_code, u.unit, limit=2, offset=1),
                )
                for e in engines
            ]
            assert answers[0] == answers[1], u.unit
        for c in found_courses:
            answers = [
                (
                    _asked(e, course_profile, c.name, limit=5),
                    _asked(e, course_rows, c.course, all_editions=True, limit=None),
                )
                for e in engines
            ]
            assert answers[0] == answers[1], c.course
    finally:
        for engine in engines:
            engine.dispose()


def test_a_unit_search_answers_alike_with_the_loaded_index(pg_fixture_db: str) -> None:
    """On PostgreSQL too, a server's loaded unit index (fmtr.query.unit_index) and the index's
    own query find the same units."""
    from fmtr.query import prepare_units, resolve, units
    from fmtr.query.resolve import per_build_kept
    from fmtr.store.db import open_read_only

    engine = open_read_only(pg_fixture_db)
    try:
        texts = ["Colombian Army", "Ministry of Defence", "Escuela Militar", "Fuerza Aérea", "army"]
        resolve._PER_BUILD.clear()
        cold = [units(engine, t, limit=None) for t in texts]
        with engine.connect() as conn:
            assert per_build_kept(conn, "unit_index") is None
        prepare_units(engine)
        with engine.connect() as conn:
            assert per_build_kept(conn, "unit_index") is not None
        assert [units(engine, t, limit=None) for t in texts] == cold
        assert all(r.units for r in cold)
    finally:
        engine.dispose()


def test_top_answers_alike_from_the_loaded_span_sums(pg_fixture_db: str) -> None:
    """On PostgreSQL too, a server's span sums (fmtr.query.figures.prepare_figures) rank the
    top recipients as the database's own statement does: names compared byte by byte, ties
    by code, every programme, span, ranking and limit."""
    from fmtr.query import prepare_figures, resolve, top
    from fmtr.query.figures import RANKINGS
    from fmtr.query.resolve import per_build_kept
    from fmtr.store.db import open_read_only

    engine = open_read_only(pg_fixture_db)
    try:
        with engine.connect() as conn:
            programmes = [None, *(r[0] for r in conn.exec_driver_sql(
                "SELECT DISTINCT programme_code FROM year_figures"))]  # fmt: skip
            years = [r[0] for r in conn.exec_driver_sql("SELECT DISTINCT fy FROM year_figures")]
        asked = [
            (p, a, b, by, limit)
            for p in programmes
            for a, b in ((min(years), max(years)), (max(years), None))
            for by in RANKINGS
            for limit in (None, 0, 2)
        ]
        resolve._PER_BUILD.clear()
        with engine.connect() as conn:
            assert per_build_kept(conn, "span_sums") is None
        cold = [top(engine, p, a, b, by, limit) for p, a, b, by, limit in asked]
        prepare_figures(engine)
        with engine.connect() as conn:
            assert per_build_kept(conn, "span_sums") is not None
        assert [top(engine, p, a, b, by, limit) for p, a, b, by, limit in asked] == cold
        assert any(len(t.recipients) > 2 for t in cold)
    finally:
        engine.dispose()


def test_a_search_answers_alike_from_the_loaded_columns(pg_fixture_db: str) -> None:
    """On PostgreSQL too, a server's columns in memory (fmtr.query.facet_columns) give a
    search's count, sums and facets as the database's GROUP BYs do (PostgreSQL still ranks)."""
    from fmtr.query import answers, prepare_search, resolve
    from fmtr.query.resolve import per_build_kept
    from fmtr.store.db import open_read_only

    engine = open_read_only(pg_fixture_db)
    asked: list[tuple[str, dict[str, Any]]] = [
        ("army", {}),
        ("officer", {"field": "course", "limit": 2, "offset": 1}),
        ("Colombia", {"all_editions": True}),
        ("", {"country": "COL"}),
        ("school", {"limit": 0}),
    ]
    try:
        resolve._PER_BUILD.clear()
        with engine.connect() as conn:
            cold = [answers.search(conn, t, **o) for t, o in asked]
        prepare_search(engine)
        with engine.connect() as conn:
            assert per_build_kept(conn, "facet_columns") is not None
            assert [answers.search(conn, t, **o) for t, o in asked] == cold
        assert all(a["total"] for a in cold)
    finally:
        resolve._PER_BUILD.clear()
        engine.dispose()


def test_verify_gives_the_same_proof(fixture_both: Both, layouts: Layouts) -> None:
    """The same proof, and the same failures: the layouts' cut pages leave some blocks
    without the rows of the pages not cut (exit 1, the same mismatches on both)."""
    asked = [
        (fixture_both, ["--no-text"], 0),  # rows written by code: no page to find them on
        # The corpus as it is now: the changed builds' (the first build's Africa was cut anew).
        (layouts.changed, ["--corpus", str(layouts.corpus)], 1),
    ]
    for both, text, status in asked:
        code, said = same(["verify", *text, "--limit", "0"], both)
        assert code == status, said
        document = json.loads(said)
        assert (document.get("text") is not None) == (text != ["--no-text"])
        editions = document["editions"]
        assert sum(e["reconciled"] for e in editions) > 0
        assert (sum(e["mismatched"] for e in editions) > 0) == bool(status)


@pytest.mark.parametrize(
    "filters",
    [[], ["--country", "BEN", "--programme", "IMET"], ["--search", "army", "--all-editions"],
     ["--from", "FY2000", "--to", "FY2001", "--all-editions"], ["--unit-key", "army"]],
    ids=lambda f: " ".join(f) or "all",
)  # fmt: skip
def test_exports_are_the_same(layouts: Layouts, filters: list[str], tmp_path: Path) -> None:
    for fmt in ("csv", "json"):
        out = [
            runner.invoke(app, ["export", "--format", fmt, *filters, "--db", db])
            for db in (layouts.built.sqlite, layouts.built.postgresql)
        ]
        assert out[0].exit_code == 0, out[0].output
        assert out[1].stdout == out[0].stdout
        written = out[0].stdout
        found = written.count("\n") - 1 if fmt == "csv" else len(json.loads(written))
        assert found > 0 or filters, fmt  # every row, at least, is something
    import openpyxl
    import pyarrow.parquet as pq

    files: dict[str, list[Any]] = {"parquet": [], "xlsx": []}
    for fmt in files:
        for i, db in enumerate((layouts.built.sqlite, layouts.built.postgresql)):
            path = tmp_path / f"{i}.{fmt}"
            done = runner.invoke(app, ["export", "-f", fmt, "-o", str(path), *filters, "--db", db])
            assert done.exit_code == 0, done.output
            if fmt == "parquet":
                files[fmt].append(pq.read_table(path))
            else:
                book = openpyxl.load_workbook(path, read_only=True)
                sheet = book.active
                assert sheet is not None
                files[fmt].append(list(sheet.iter_rows(values_only=True)))
                book.close()  # a read-only workbook keeps its file open until closed
    assert files["parquet"][0].equals(files["parquet"][1])
    assert files["xlsx"][0] == files["xlsx"][1]


@pytest.mark.parametrize("form", ["text", "bibtex", "csl"])
def test_citations_are_the_same(fixture_both: Both, form: str) -> None:
    for identifier in ("2002-fixture-p1-1", "3", "PAK/IMET/FY2002", "Colombia/all/2000"):
        out = [
            runner.invoke(app, ["cite", identifier, "--format", form, "--db", db])
            for db in (fixture_both.sqlite, fixture_both.postgresql)
        ]
        assert out[0].exit_code == 0, out[0].output
        assert out[1].stdout == out[0].stdout


def _diff(old: str, new: str) -> dict[str, Any]:
    result = runner.invoke(app, ["diff", old, new, "--json", "--limit", "0"])
    assert result.exit_code == 1, result.output  # they differ
    data: dict[str, Any] = json.loads(result.stdout)
    data["old"].pop("path")
    data["new"].pop("path")
    return data


def test_diff_finds_the_same_changes(layouts: Layouts) -> None:
    """Between two builds: by SQLite on two attached files, and by reading each database apart
    (two PostgreSQL databases, or one of each), the same changes."""
    from fmtr.release.diff import _diff_apart, diff_databases

    by_sqlite = _diff(layouts.built.sqlite, layouts.changed.sqlite)
    assert by_sqlite["changes"] and by_sqlite["documents_touched"] == ["2016-africa"]
    assert _diff(layouts.built.postgresql, layouts.changed.postgresql) == by_sqlite
    assert _diff(layouts.built.sqlite, layouts.changed.postgresql) == by_sqlite
    assert _diff(layouts.built.postgresql, layouts.changed.sqlite) == by_sqlite
    # The two ways on the same two files.
    attached = diff_databases(Path(layouts.built.sqlite), Path(layouts.changed.sqlite))
    apart = _diff_apart(layouts.built.sqlite, layouts.changed.sqlite)
    assert apart == attached
    same_data = runner.invoke(
        app, ["diff", layouts.built.sqlite, layouts.built.postgresql, "--json"]
    )
    assert same_data.exit_code == 0 and json.loads(same_data.stdout)["identical"]


@pytest.fixture(scope="module")
def clients(fixture_both: Both) -> Iterator[tuple[Any, Any]]:
    from fastapi.testclient import TestClient

    from fmtr.web.app import create_app

    with (
        TestClient(create_app(fixture_both.sqlite)) as on_sqlite,
        TestClient(create_app(fixture_both.postgresql)) as on_postgresql,
    ):
        yield on_sqlite, on_postgresql


@pytest.mark.parametrize(("args", "url", "part"), QUESTIONS, ids=lambda x: str(x)[:60])
def test_the_api_on_postgresql_answers_what_the_cli_answers_on_sqlite(
    clients: tuple[Any, Any], fixture_both: Both, args: list[str], url: str, part: str | None
) -> None:
    response = clients[1].get(url)
    assert response.status_code == 200, response.text
    code, said = cli(args, fixture_both.sqlite)
    document = json.loads(said)
    assert (document if part is None else document[part]) == response.json()


@pytest.mark.parametrize(
    "page",
    ["/", "/countries", "/country/PAK?programme=IMET", "/programmes", "/programme/IMET",
     "/units?q=army", "/search?q=benning", "/training/2002-fixture-p1-1",
     "/compare?country=COL&country=PAK", "/api/v1/training?q=benning&all_editions=true",
     "/api/v1/countries/Atlantis", "/api/v1/search?q=%20", "/country/Atlantis", "/largest",
     "/figure/PAK/IMET/2002", "/cite?id=2002-fixture-p1-1"],
)  # fmt: skip
def test_the_pages_and_errors_served_from_both_are_the_same(
    clients: tuple[Any, Any], page: str
) -> None:
    answers = [c.get(page) for c in clients]
    assert answers[1].status_code == answers[0].status_code
    assert answers[1].text == answers[0].text
