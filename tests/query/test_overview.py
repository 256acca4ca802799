"""fmtr.query.overview and the query additions the web uses, against sums computed here."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import Engine

from fmtr import query
from fmtr.query.resolve import find_countries

ROWS = """
SELECT b.country_code, b.programme_code, b.fy, b.counted, t.quantity_value, t.cost_cents,
       t.student_unit_key, t.course_key, t.id, e.name AS edition,
       coalesce(t.student_unit, '') AS student_unit
FROM training t JOIN programme_block b ON b.id = t.block_id
JOIN document d ON d.id = b.document_id JOIN edition e ON e.id = d.edition_id
"""


def rows(db: Engine) -> list[Any]:
    with db.connect() as conn:
        return conn.exec_driver_sql(ROWS).all()


def counted(db: Engine) -> list[Any]:
    return [r for r in rows(db) if r.counted and r.fy is not None]


def test_summary_sums_every_counted_row(db: Engine) -> None:
    mine = counted(db)
    got = query.summary(db)
    assert got.figures.rows == len(mine)
    assert got.figures.trainees == sum(r.quantity_value or 0 for r in mine)
    assert got.figures.cost_cents == sum(r.cost_cents or 0 for r in mine)
    assert got.recipients == len({r.country_code for r in mine if r.country_code})
    assert (got.first_fy, got.last_fy) == (min(r.fy for r in mine), max(r.fy for r in mine))


def test_editions_count_their_rows(db: Engine) -> None:
    per = Counter(r.edition for r in rows(db))
    assert {e.name: e.rows for e in query.editions(db)} == dict(per)


def test_recipients_and_programmes_totals(db: Engine) -> None:
    by_country: defaultdict[str, int] = defaultdict(int)
    by_programme: defaultdict[str, int] = defaultdict(int)
    for r in counted(db):
        by_country[r.country_code] += r.quantity_value or 0
        by_programme[r.programme_code] += r.quantity_value or 0
    got = {x.recipient.code: x.figures.trainees for x in query.recipients(db)}
    assert got == {k: v for k, v in by_country.items() if k is not None}
    progs = query.programmes(db)
    assert {p.programme.code: p.figures.trainees for p in progs} == {
        k: v for k, v in by_programme.items() if k is not None
    }
    assert [p.figures.trainees for p in progs] == sorted(
        (p.figures.trainees for p in progs), reverse=True
    )


def test_programme_trend_per_year(db: Engine) -> None:
    trainees: Counter[int] = Counter()
    countries: defaultdict[int, set[str]] = defaultdict(set)
    for r in counted(db):
        if r.programme_code == "IMET":
            trainees[r.fy] += r.quantity_value or 0
            countries[r.fy].add(r.country_code or "?")
    trend = query.programme_trend(db, "International Military Education and Training")
    assert trend.programme.code == "IMET"
    assert {p.fy: p.figures.trainees for p in trend.points} == dict(trainees)
    assert {p.fy: p.recipients for p in trend.points} == {y: len(c) for y, c in countries.items()}


def test_compare_two_recipients(db: Engine) -> None:
    mine = counted(db)
    a, b = (c for c, _ in Counter(r.country_code for r in mine if r.country_code).most_common(2))
    expected: defaultdict[int, dict[str, int]] = defaultdict(dict)
    for r in mine:
        if r.country_code in (a, b):
            per = expected[r.fy]
            per[r.country_code] = per.get(r.country_code, 0) + (r.cost_cents or 0)
    got = query.compare(db, [a.lower(), b, a])
    assert [x.code for x in got.recipients] == [a, b]
    assert {
        fy: {c: f.cost_cents for c, f in per.items()} for fy, per in got.by_year.items()
    } == dict(expected)


def test_recipient_names_pages_through_every_course(db: Engine) -> None:
    mine = counted(db)
    code = Counter(r.country_code for r in mine if r.country_code).most_common(1)[0][0]
    courses = Counter(r.course_key for r in mine if r.country_code == code and r.course_key)
    first = query.recipient_names(db, code, "course", limit=5)
    second = query.recipient_names(db, code, "course", limit=5, offset=5)
    assert first.total == second.total == len(courses)
    shown = [n.figures.rows for n in first.names + second.names]
    assert shown == sorted(courses.values(), reverse=True)[:10]


def test_select_rows_of_unit_keys_page_by_page(db: Engine) -> None:
    key = Counter(r.student_unit_key for r in rows(db) if r.student_unit_key).most_common(1)[0][0]
    expected = sorted(r.id for r in rows(db) if r.student_unit_key == key)
    everything = query.select_rows(db, unit_keys=[key], all_editions=True)
    assert sorted(r[0] for r in everything.rows) == expected
    page = query.select_rows(db, unit_keys=[key], all_editions=True, limit=3, offset=2)
    assert [r[0] for r in page.rows] == [r[0] for r in everything.rows[2:5]]
    assert query.select_rows(db, unit_keys=[]).rows == []


def test_a_unit_never_spans_two_recipients_and_sums_its_rows(db: Engine) -> None:
    found = query.units(db, "army", limit=None)
    assert found.total == len(found.units) > 10
    everything = rows(db)
    for unit in found.units:
        mine = [
            r
            for r in everything
            if r.student_unit_key in unit.keys and (r.country_code or "?") == unit.country_code
        ]
        assert unit.printed_rows == len(mine), unit.name
        assert unit.figures.rows == sum(1 for r in mine if r.counted)
        assert unit.figures.trainees == sum(r.quantity_value or 0 for r in mine if r.counted)
        assert unit.figures.cost_cents == sum(r.cost_cents or 0 for r in mine if r.counted)
        assert set(unit.variants) == {r.student_unit for r in mine}
    # A page is a slice of the whole answer.
    page = query.units(db, "army", limit=3, offset=2)
    assert [u.unit for u in page.units] == [u.unit for u in found.units[2:5]]
    assert page.total == found.total


def test_find_countries_puts_the_named_one_first(db: Engine) -> None:
    with db.connect() as conn:
        assert find_countries(conn, "Pakistan")[0].code == "PAK"
        assert "PAK" in [r.code for r in find_countries(conn, "pakistn")]
        assert find_countries(conn, "   ") == []
