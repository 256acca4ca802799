"""The search that answers (fmtr.query.find): how a text is read, and its count, sums and facets
against sums computed here from the training rows the search lists."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import Engine

from fmtr import query
from fmtr.query.find import FACETS, Found, interpret

ROWS = """
SELECT t.id, CASE WHEN coalesce(b.country_code, '') = '' THEN '?' ELSE b.country_code END,
       coalesce(b.programme_code, '?'), b.fy, b.counted, t.us_unit_key, t.location_key,
       t.quantity_value, t.cost_cents
FROM training t JOIN programme_block b ON b.id = t.block_id
"""


def by_id(db: Engine) -> dict[int, Any]:
    with db.connect() as conn:
        return {r[0]: r for r in conn.exec_driver_sql(ROWS)}


def check_sums(db: Engine, found: Found) -> None:
    """The total, the sums and every facet value equal the sums of the rows listed."""
    rows = by_id(db)
    listed = [rows[h.training_id] for h in found.hits]
    assert found.total == len(listed) == len({h.training_id for h in found.hits})
    assert found.figures.trainees == sum(r[7] or 0 for r in listed)
    assert found.figures.cost_cents == sum(r[8] or 0 for r in listed)
    for name, column in zip(FACETS, (1, 2, 3, 5, 6), strict=True):
        sums: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
        for r in listed:
            s = sums[r[column]]
            s[0] += 1
            s[1] += r[7] or 0
            s[2] += r[8] or 0
        facet = found.facets[name]
        assert facet.distinct == len(sums)
        got = {
            v.value: [v.figures.rows, v.figures.trainees, v.figures.cost_cents]
            for v in facet.values
        }
        assert got == dict(sums), name


@pytest.mark.parametrize(
    "ask",
    [
        {"text": "Benning"},
        {"text": "army", "all_editions": True},
        {"text": "Pakistan IMET"},
        {"text": "", "country": "COL"},
        {"text": "command general staff", "field": "course"},
        {"text": "FY1999-FY2002 army"},
    ],
)
def test_totals_and_facets_are_the_sums_of_the_rows(db: Engine, ask: dict[str, Any]) -> None:
    found = query.search(db, **ask, limit=None, facet_limit=None)
    assert found.total > 0
    check_sums(db, found)


def test_a_country_and_a_programme_in_the_text_are_filters(db: Engine) -> None:
    found = query.search(db, "Pakistan IMET", limit=None)
    assert [(r.kind, r.value) for r in found.reading.recognised] == [
        ("country", "PAK"),
        ("programme", "IMET"),
    ]
    assert found.reading.words == () and found.reading.match is None
    rows = by_id(db)
    expected = {i for i, r in rows.items() if r[1] == "PAK" and r[2] == "IMET" and r[4]}
    assert {h.training_id for h in found.hits} == expected
    # The same as the filters given apart.
    apart = query.search(db, country="PAK", programme="IMET", limit=None)
    assert apart.total == found.total and apart.figures == found.figures


def test_words_in_quotes_and_literal_searches_stay_words(db: Engine) -> None:
    with db.connect() as conn:
        quoted = interpret(conn, '"Pakistan" IMET')
        literal = interpret(conn, "Pakistan IMET", literal=True)
        stop = interpret(conn, "and")
    assert [r.kind for r in quoted.recognised] == ["programme"]
    assert quoted.words == ("pakistan",)
    assert literal.recognised == [] and literal.words == ("pakistan", "imet")
    # "and" names no country (South Georgia and the South Sandwich Islands, Saint Helena...).
    assert stop.recognised == [] and stop.words == ("and",)


def test_fiscal_years_in_the_text_are_the_span(db: Engine) -> None:
    found = query.search(db, "army FY1999-FY2002", limit=None)
    assert (found.first_fy, found.last_fy) == (1999, 2002)
    assert {h.fy for h in found.hits} <= set(range(1999, 2003))
    assert found.reading.words == ("army",)


def test_the_phrase_as_typed_comes_first(db: Engine) -> None:
    found = query.search(db, "General Staff Command", field="course", limit=None)
    exact = [h for h in found.hits if "general staff command" in (h.course_title or "").lower()]
    if exact:  # rows holding the words in the order typed lead
        assert found.hits[: len(exact)] == exact
    ordered = query.search(db, "Command and General Staff", field="course", limit=None)
    phrase = [
        h for h in ordered.hits if "command and general staff" in (h.course_title or "").lower()
    ]
    assert phrase and ordered.hits[: len(phrase)] == phrase


def test_abbreviations_find_the_same_rows(db: Engine) -> None:
    full = query.search(db, "Command and General Staff", field="course", limit=None)
    for text in ("CMD & GEN STAFF", "command general staff"):
        short = query.search(db, text, field="course", limit=None)
        assert {h.training_id for h in short.hits} == {h.training_id for h in full.hits}


def test_a_page_is_a_slice_of_the_whole(db: Engine) -> None:
    whole = query.search(db, "army", limit=None)
    page = query.search(db, "army", limit=5, offset=3)
    assert [h.training_id for h in page.hits] == [h.training_id for h in whole.hits[3:8]]
    assert page.total == whole.total


@pytest.mark.parametrize("text", ["", "  ", "--", "*"])
def test_nothing_to_search_for(db: Engine, text: str) -> None:
    with pytest.raises(query.EmptySearch):
        query.search(db, text)
