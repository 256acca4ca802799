"""The build's per-unit and per-course sums (unit_figures, course_figures) against the rows
themselves, and the unit search the API serves from them against sums over the rows, on the
database written by code and on editions built from the corpus (the full corpus: CI, in
tests/test_full_corpus.py)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from corpus_kit import connect
from fmtr.clean.glossary import canonical

_ROWS = """
SELECT CASE WHEN coalesce(b.country_code, '') = '' THEN '?' ELSE b.country_code END,
       t.student_unit_key, t.student_unit, t.course_key, t.course_title, b.fy, b.counted,
       t.quantity_value, t.cost_cents
FROM training t JOIN programme_block b ON b.id = t.block_id
"""


def _empty() -> dict[str, Any]:
    return {"rows": 0, "figures": [0, 0, 0, 0, 0], "variants": Counter(), "years": set()}


def _add(k: dict[str, Any], spelling: str, fy: int | None, counted: Any, q: Any, c: Any) -> None:
    k["rows"] += 1
    k["variants"][spelling or ""] += 1
    if fy is not None:
        k["years"].add(fy)
    if counted:
        f = k["figures"]
        f[0] += q or 0
        f[1] += c or 0
        f[2] += 1
        f[3] += q is None
        f[4] += c is None


def _units_from_rows(db: sqlite3.Connection) -> dict[tuple[str, str], dict[str, Any]]:
    """Per recipient and unit (through unit_name's grouping of keys), summed in Python from
    every training row naming one of its keys."""
    unit_of = {(c, k): u for c, k, u in db.execute("SELECT country_code, key, unit FROM unit_name")}
    out: dict[tuple[str, str], dict[str, Any]] = defaultdict(_empty)
    for country, key, spelling, _, _, fy, counted, q, c in db.execute(_ROWS):
        if key is not None:
            _add(out[(country, unit_of[(country, key)])], spelling, fy, counted, q, c)
    return out


@pytest.mark.parametrize("which", ["written", "corpus"])
def test_unit_figures_equal_the_rows(which: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue("web_db" if which == "written" else "corpus_web_db")
    db = connect(path)
    expected = _units_from_rows(db)
    got = {
        (r[0], r[1]): r[2:]
        for r in db.execute(
            "SELECT country_code, unit, rows, trainees, cost_cents, counted_rows, "
            "rows_without_quantity, rows_without_cost, variants, years, keys, name "
            "FROM unit_figures"
        )
    }
    assert set(got) == set(expected)
    for key, (rows, q, c, n, nq, nc, variants, years, keys, name) in got.items():
        e = expected[key]
        assert rows == e["rows"], key
        assert [q, c, n, nq, nc] == e["figures"], key
        assert json.loads(variants) == dict(e["variants"]), key
        assert set(json.loads(years)) == e["years"], key
        # The unit is named after its most printed spelling; its keys are its recipient's.
        assert e["variants"][name] == max(e["variants"].values())
        held = {
            k
            for (k,) in db.execute(
                "SELECT key FROM unit_name WHERE country_code = ? AND unit = ?", key
            )
        }
        assert set(json.loads(keys)) == held


def test_a_unit_is_grouped_within_one_recipient(web_db: Path) -> None:
    db = connect(web_db)
    for country, key, canonical_words, unit in db.execute(
        "SELECT country_code, key, canonical, unit FROM unit_name"
    ):
        assert canonical_words == (canonical(key, "unit", country) or key)
        # A unit's identifier is the canonical words of one of its recipient's own names.
        assert db.execute(
            "SELECT count(*) FROM unit_name WHERE country_code = ? AND canonical = ?",
            (country, unit),
        ).fetchone()[0]


@pytest.mark.parametrize("which", ["written", "corpus"])
def test_course_figures_equal_the_rows(which: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue("web_db" if which == "written" else "corpus_web_db")
    db = connect(path)
    course_of = dict(db.execute("SELECT key, course FROM course_name"))
    expected: dict[str, dict[str, Any]] = defaultdict(_empty)
    countries: dict[str, set[str]] = defaultdict(set)
    for country, _, _, key, title, fy, counted, q, c in db.execute(_ROWS):
        if key is not None:
            course = course_of[key]
            _add(expected[course], title, fy, counted, q, c)
            if counted:
                countries[course].add(country)
            assert course == (canonical(key, "course") or key)
    got = {
        r[0]: r[1:]
        for r in db.execute(
            "SELECT course, rows, trainees, cost_cents, counted_rows, rows_without_quantity, "
            "rows_without_cost, variants, countries FROM course_figures"
        )
    }
    assert set(got) == set(expected)
    for course, (rows, q, c, n, nq, nc, variants, n_countries) in got.items():
        e = expected[course]
        assert (rows, [q, c, n, nq, nc]) == (e["rows"], e["figures"]), course
        assert json.loads(variants) == dict(e["variants"]), course
        assert n_countries == len(countries[course])


def test_unit_search_sums_every_row_of_its_keys(client, web_db: Path) -> None:  # type: ignore[no-untyped-def]
    db = connect(web_db)
    answer = client.get("/api/v1/units", params={"q": "army", "limit": 500}).json()
    assert answer["rows"] and answer["total"] == len(answer["rows"])
    for unit in answer["rows"]:
        marks = ",".join("?" * len(unit["keys"]))
        printed, trainees, cost, counted = db.execute(
            f"""SELECT count(*),
                   coalesce(sum(CASE WHEN b.counted = 1 THEN t.quantity_value END), 0),
                   coalesce(sum(CASE WHEN b.counted = 1 THEN t.cost_cents END), 0),
                   coalesce(sum(b.counted = 1), 0)
                FROM training t JOIN programme_block b ON b.id = t.block_id
                WHERE t.student_unit_key IN ({marks}) AND b.country_code = ?""",
            [*unit["keys"], unit["country_code"]],
        ).fetchone()
        assert unit["printed_rows"] == printed
        assert (unit["trainees"], unit["cost_cents"], unit["rows"]) == (trainees, cost, counted)
