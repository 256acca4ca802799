"""The build's per student-unit key sums (student_unit_figures) against the rows themselves,
and the unit search the API serves from them against sums over the rows."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from corpus_kit import connect


def _from_rows(db: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Per key, summed in Python from every training row naming it."""
    out: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "rows": 0,
            "figures": [0, 0, 0, 0, 0],
            "variants": Counter(),
            "courses": Counter(),
            "years": set(),
            "countries": set(),
        }
    )
    for key, spelling, course, country, fy, counted, q, c in db.execute(
        """SELECT t.student_unit_key, t.student_unit, t.course_title, b.country_code, b.fy,
                  b.counted, t.quantity_value, t.cost_cents
           FROM training t JOIN programme_block b ON b.id = t.block_id
           WHERE t.student_unit_key IS NOT NULL"""
    ):
        k = out[key]
        k["rows"] += 1
        k["variants"][spelling or ""] += 1
        if course:
            k["courses"][course] += 1
        if fy is not None:
            k["years"].add(fy)
        k["countries"].add(country or "?")
        if counted:
            f = k["figures"]
            f[0] += q or 0
            f[1] += c or 0
            f[2] += 1
            f[3] += q is None
            f[4] += c is None
    return out


@pytest.mark.parametrize("which", ["written", "corpus"])
def test_unit_figures_equal_the_rows(which: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue("web_db" if which == "written" else "corpus_web_db")
    db = connect(path)
    expected = _from_rows(db)
    got = {
        r[0]: r[1:]
        for r in db.execute(
            "SELECT key, rows, trainees, cost_cents, counted_rows, rows_without_quantity, "
            "rows_without_cost, variants, courses, years, countries FROM student_unit_figures"
        )
    }
    assert set(got) == set(expected)
    for key, (rows, q, c, n, nq, nc, variants, courses, years, countries) in got.items():
        e = expected[key]
        assert rows == e["rows"], key
        assert [q, c, n, nq, nc] == e["figures"], key
        assert json.loads(variants) == dict(e["variants"]), key
        assert json.loads(courses) == dict(e["courses"]), key
        assert set(json.loads(years)) == e["years"], key
        assert set(json.loads(countries)) == e["countries"], key


def test_unit_search_sums_every_row_of_its_keys(client, web_db: Path) -> None:  # type: ignore[no-untyped-def]
    db = connect(web_db)
    answer = client.get("/api/v1/units", params={"q": "army", "limit": 500}).json()
    assert answer["rows"]
    for group in answer["rows"]:
        marks = ",".join("?" * len(group["keys"]))
        printed, trainees, cost, counted = db.execute(
            f"""SELECT count(*),
                   coalesce(sum(CASE WHEN b.counted = 1 THEN t.quantity_value END), 0),
                   coalesce(sum(CASE WHEN b.counted = 1 THEN t.cost_cents END), 0),
                   sum(b.counted = 1)
                FROM training t JOIN programme_block b ON b.id = t.block_id
                WHERE t.student_unit_key IN ({marks})""",
            group["keys"],
        ).fetchone()
        assert group["printed_rows"] == printed
        assert (group["trainees"], group["cost_cents"], group["rows"]) == (trainees, cost, counted)
        spellings = {
            r[0] or ""
            for r in db.execute(
                f"SELECT DISTINCT student_unit FROM training WHERE student_unit_key IN ({marks})",
                group["keys"],
            )
        }
        assert set(group["variants"]) == spellings
