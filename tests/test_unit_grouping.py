"""The grouping of a recipient's student-unit spellings into units (fmtr.store.names), held to
its plain definition: each spelling, most printed first, joins the first unit whose first name
has the same sorted words, else the first unit (in the order units were made) whose first name
has the same numbers and is UNIT_ALIKE, else makes a unit. The grouping compares a spelling
only with first names of about its length; these tests compare with all of them."""

from __future__ import annotations

import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, utils

from fmtr.store.db import open_database
from fmtr.store.names import (
    UNIT_ALIKE,
    _Name,
    computed_course_figures,
    computed_unit_figures,
    fill_courses,
    fill_units,
    group_units,
)


def _by_definition(names: list[_Name]) -> dict[str, str]:
    firsts: list[tuple[tuple[str, ...], str, str]] = []  # numbers, sorted words, unit
    unit: dict[str, str] = {}
    for n in sorted(names, key=lambda n: (-n.rows, n.key)):
        words = " ".join(sorted(utils.default_process(n.canonical).split()))
        digits = tuple(re.findall(r"\d+", n.canonical))
        same = [u for _, w, u in firsts if w == words]
        alike = [u for d, w, u in firsts if d == digits and fuzz.ratio(words, w) >= UNIT_ALIKE]
        if same or alike:
            unit[n.key] = (same or alike)[0]
        else:
            firsts.append((digits, words, n.canonical))
            unit[n.key] = n.canonical
    return unit


# Few letters and words, so that many spellings are alike, of every length around a tenth
# of each other (where the grouping's length bound lies), with and without numbers.
_word = st.text("abcde", min_size=1, max_size=12) | st.sampled_from(["2nd", "3rd", "bn", "x"])
_canonical = st.lists(_word, min_size=0, max_size=6).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_canonical, st.integers(1, 5)), min_size=1, max_size=60))
def test_grouping_is_its_definition(spellings: list[tuple[str, int]]) -> None:
    names = [_Name(f"k{i}", c, rows, c) for i, (c, rows) in enumerate(spellings)]
    assert group_units(names) == _by_definition(names)


def test_lengths_a_tenth_apart_can_still_be_one_unit() -> None:
    """19 and 21 letters, one letter apart: ratio 95 (the bound is a difference of a tenth of
    the sum of the lengths)."""
    names = [_Name("a", "a" * 21, 2, "a" * 21), _Name("b", "a" * 19, 1, "a" * 19)]
    assert fuzz.ratio("a" * 21, "a" * 19) >= UNIT_ALIKE
    assert group_units(names) == {"a": "a" * 21, "b": "a" * 21}


def test_figures_computed_by_a_thread_are_the_figures_written_in_sql(
    fixture_db: Path, tmp_path: Path
) -> None:
    """The build's threads compute unit_figures and course_figures on a temporary copy of the
    names (computed_unit_figures, computed_course_figures); PostgreSQL and a database without
    WAL write them with the same statements on the build's connection (fill_units,
    fill_courses without figures). Both give the same rows on the small database."""
    db = tmp_path / "fmtr.sqlite"
    shutil.copy(fixture_db, db)
    with closing(sqlite3.connect(db)) as con:
        units = con.execute(
            "SELECT country_code, key, canonical, unit, spelling, rows FROM unit_name ORDER BY id"
        ).fetchall()
        courses = con.execute(
            "SELECT key, canonical, spelling, rows FROM course_name ORDER BY id"
        ).fetchall()
    assert len({u[3] for u in units}) < len(units)  # some unit has several spellings
    threads = (computed_unit_figures(str(db), units), computed_course_figures(str(db), courses))
    engine = open_database(f"sqlite:///{db}")
    try:
        with engine.begin() as conn:
            fill_units(conn, units)
            fill_courses(conn, courses)
        with engine.connect() as conn:
            in_sql = tuple(
                [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table}")]
                for table in ("unit_figures", "course_figures")
            )
    finally:
        engine.dispose()
    assert in_sql[0] and in_sql[1]
    assert sorted(threads[0]) == sorted(in_sql[0])
    assert sorted(threads[1]) == sorted(in_sql[1])
