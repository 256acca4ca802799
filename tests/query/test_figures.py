"""Figures of fmtr.query checked against sums computed here from the training rows."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

import pytest
from sqlalchemy import Engine

from fmtr import query
from fmtr.query.figures import NONE_REPORTED, NOT_COVERED, REPORTED
from fmtr.query.resolve import parse_fiscal_year

# Every training row with its block's cleaned keys, read straight from the tables.
ROWS = """
SELECT b.country_code, b.programme_code, b.fy, b.counted, t.quantity_value, t.cost_cents,
       t.course_key, t.student_unit_key, t.course_title, t.student_unit, t.us_unit, t.location,
       t.id
FROM training t JOIN programme_block b ON b.id = t.block_id
"""


def rows(db: Engine) -> list[Any]:
    with db.connect() as conn:
        return conn.exec_driver_sql(ROWS).all()


def counted(db: Engine) -> list[Any]:
    return [r for r in rows(db) if r.counted]


def test_parse_fiscal_year_forms() -> None:
    assert [parse_fiscal_year(x) for x in ("FY2003", "2003", "FY03", "FY 03", "fy99")] == [
        2003,
        2003,
        2003,
        2003,
        1999,
    ]


def test_top_ranks_recipients_by_summed_rows(db: Engine) -> None:
    trainees: Counter[str] = Counter()
    cost: Counter[str] = Counter()
    for r in counted(db):
        if r.programme_code == "IMET" and 1999 <= r.fy <= 2006:
            trainees[r.country_code] += r.quantity_value or 0
            cost[r.country_code] += r.cost_cents or 0
    result = query.top(db, "imet", "FY1999", "FY06", by="cost", limit=None)
    assert {x.code: x.figures.cost_cents for x in result.recipients} == dict(cost)
    assert {x.code: x.figures.trainees for x in result.recipients} == dict(trainees)
    ranked = [x.figures.cost_cents for x in result.recipients]
    assert ranked == sorted(ranked, reverse=True)
    by_trainees = query.top(db, "IMET", "1999", "2006", by="trainees", limit=3)
    assert [x.figures.trainees for x in by_trainees.recipients] == sorted(
        trainees.values(), reverse=True
    )[:3]
    # The year totals of all recipients add up to the whole.
    assert sum(f.cost_cents for f in result.year_totals.values()) == sum(cost.values())


def test_fy2000_counts_once_from_the_later_edition(db: Engine) -> None:
    later = sum(
        r.cost_cents or 0 for r in counted(db) if r.fy == 2000 and r.programme_code == "IMET"
    )
    everything = sum(
        r.cost_cents or 0 for r in rows(db) if r.fy == 2000 and r.programme_code == "IMET"
    )
    result = query.top(db, "IMET", "FY2000", "FY2000", limit=None)
    total = sum(x.figures.cost_cents for x in result.recipients)
    assert total == later
    assert total < everything  # FY2000 is printed twice; the sum must not double it
    assert result.editions == {2000: ["FY2000-2001"]}


def test_series_marks_none_reported_and_not_covered(db: Engine) -> None:
    per_year: Counter[int] = Counter()
    years_with_rows = set()
    for r in counted(db):
        if r.country_code == "COL" and r.programme_code == "IMET":
            per_year[r.fy] += r.cost_cents or 0
            years_with_rows.add(r.fy)
    covered = {r.fy for r in counted(db)}
    s = query.series(db, "Colombia", "IMET")
    assert (s.first_fy, s.last_fy) == (min(covered), max(covered))
    for p in s.points:
        if p.fy not in covered:
            assert p.status == NOT_COVERED and p.figures is None
        elif p.fy in years_with_rows:
            assert p.status == REPORTED and p.figures and p.figures.cost_cents == per_year[p.fy]
        else:
            assert p.status == NONE_REPORTED and p.figures and p.figures.cost_cents == 0
    assert any(p.status == NOT_COVERED for p in s.points)  # FY2002-2005: editions not loaded


def test_series_of_a_programme_a_country_never_had(db: Engine) -> None:
    s = query.series(db, "PAK", "IMET", "FY1999", "FY2001")
    has = {r.fy for r in counted(db) if r.country_code == "PAK" and r.programme_code == "IMET"}
    for p in s.points:
        assert p.status == (REPORTED if p.fy in has else NONE_REPORTED)


def test_country_profile_adds_up(db: Engine) -> None:
    mine = [r for r in counted(db) if r.country_code == "COL"]
    p = query.country_profile(db, "col", limit=5)
    assert p.recipient.code == "COL"
    assert p.total.trainees == sum(r.quantity_value or 0 for r in mine)
    assert p.total.cost_cents == sum(r.cost_cents or 0 for r in mine)
    assert p.total.rows == len(mine)
    courses = Counter(r.course_key for r in mine if r.course_key)
    assert [c.figures.rows for c in p.top_courses] == sorted(courses.values(), reverse=True)[:5]
    firsts: dict[str, int] = {}
    for r in mine:
        firsts[r.programme_code] = min(firsts.get(r.programme_code, 9999), r.fy)
    assert {s.code: s.first_fy for s in p.programmes} == firsts


def test_gaps_are_covered_years_between_participation(db: Engine) -> None:
    covered = sorted({r.fy for r in counted(db)})
    years: dict[str, set[int]] = defaultdict(set)
    for r in counted(db):
        if r.programme_code == "IMET":
            years[r.country_code].add(r.fy)
    expected = {}
    for code, ys in years.items():
        missing = [y for y in covered if min(ys) < y < max(ys) and y not in ys]
        if missing:
            expected[code] = missing
    result = query.gaps(db, "IMET")
    got = {g.code: [y for a, b in g.missing for y in range(a, b + 1)] for g in result.gaps}
    assert got == expected


def test_search_finds_every_row_holding_the_words(db: Engine) -> None:
    word = re.compile(r"\bbenning\b", re.I)
    expected = {
        r.id
        for r in rows(db)
        if any(
            word.search(c or "") for c in (r.course_title, r.student_unit, r.us_unit, r.location)
        )
    }
    result = query.search(db, "Benning", all_editions=True, limit=len(expected) + 10)
    assert result.total == len(expected) > 0
    assert {h.training_id for h in result.hits} == expected
    assert all(h.provenance.file and h.provenance.url for h in result.hits)
    # By default the counted rows only: the sums are fmtr's figures.
    counted_only = query.search(db, "Benning", limit=None)
    kept = [r for r in rows(db) if r.id in expected and r.counted]
    assert counted_only.total == len(kept)
    assert counted_only.figures.trainees == sum(r.quantity_value or 0 for r in kept)
    assert counted_only.figures.cost_cents == sum(r.cost_cents or 0 for r in kept)


def test_courses_group_titles_by_canonical_words(db: Engine) -> None:
    from fmtr.clean.glossary import canonical

    words = {"command", "general", "staff"}
    hit = [r for r in rows(db) if words <= set(canonical(r.course_title or "", "course").split())]
    assert hit
    result = query.courses(db, "Command General Staff", limit=None)
    keys = {k for c in result.courses for k in c.keys}
    assert {r.course_key for r in hit} <= keys
    # Each course sums the counted rows of its keys; its titles have the same canonical words.
    for c in result.courses:
        mine = [r for r in rows(db) if r.course_key in c.keys]
        assert c.printed_rows == len(mine)
        assert c.figures.rows == sum(1 for r in mine if r.counted)
        assert c.figures.trainees == sum(r.quantity_value or 0 for r in mine if r.counted)
        assert {canonical(r.course_title, "course") for r in mine} == {c.course}
    assert result.rows == sum(c.printed_rows for c in result.courses)


def test_a_unit_gathers_every_row_of_each_spelling_within_its_recipient(db: Engine) -> None:
    # The most printed student unit of a recipient with several spellings.
    spellings: dict[tuple[str, str], set[str]] = defaultdict(set)
    n: Counter[tuple[str, str]] = Counter()
    for r in rows(db):
        if r.student_unit_key and len(r.student_unit_key) > 12:
            spellings[(r.country_code, r.student_unit_key)].add(r.student_unit)
            n[(r.country_code, r.student_unit_key)] += 1
    country, key = max((k for k in n if len(spellings[k]) > 1), key=lambda k: (n[k], k))
    unit, total, hits = query.student_units.unit_rows(
        db, country, key, all_editions=True, limit=None
    )
    expected = {r.id for r in rows(db) if r.student_unit_key == key and r.country_code == country}
    assert expected <= {h.training_id for h in hits}
    assert total == len(hits)
    assert spellings[(country, key)] <= set(unit.variants)
    assert {h.country_code for h in hits} == {country}
    assert all(h.provenance.edition for h in hits)


@pytest.mark.parametrize(
    ("ask", "error", "suggestion"),
    [
        (lambda db: query.country_profile(db, "Pakstan"), query.UnknownCountry, "Pakistan"),
        (lambda db: query.top(db, "IMTE"), query.UnknownProgramme, "IMET"),
        (lambda db: query.top(db, "IMET", "FY1985"), query.UnknownFiscalYear, "FY1999"),
        (lambda db: query.top(db, "IMET", "FY2006", "FY2000"), query.BadYearSpan, None),
        (lambda db: query.series(db, "PAK", None, "20x3"), query.UnknownFiscalYear, None),
        (lambda db: query.search(db, "--"), query.EmptySearch, None),
    ],
)
def test_bad_input_raises_with_a_suggestion(
    db: Engine, ask: Any, error: Any, suggestion: Any
) -> None:
    with pytest.raises(error) as info:
        ask(db)
    if suggestion:
        assert info.value.suggestion == suggestion
