"""The search that answers (fmtr.query.find): how a text is read, and its count, sums and facets
against sums computed here from the training rows the search lists."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import Engine

from fmtr import query
from fmtr.query.find import FACETS, Found, interpret
from fmtr.store.fulltext.tokens import index_words

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


def _bm25_order(db: Engine, found: Found) -> list[int]:
    """The order a search's rows should have, computed here from the cells themselves (not from
    either index): those holding the words as typed first, then BM25 (k1 1.2, b 0.75, FTS5's
    IDF) summed over every phrase of the query, each counted wherever the row holds it (in the
    searched column only), then stable identifier, then id."""
    columns = ["course_title", "student_unit", "us_unit", "location"]
    match = found.reading.match
    assert match is not None
    column = next((c for c in columns if match.startswith(f"{c} : ")), None)
    phrases = [index_words(p) for p in re.findall(r'"([^"]*)"', match)]
    with db.connect() as conn:
        cells = {
            r[0]: ([index_words(c or "") for c in r[1:5]], r[5] or "")
            for r in conn.exec_driver_sql(
                f"SELECT id, {', '.join(columns)}, stable_id FROM training"
            )
        }

    def instances(words: list[str], row: list[list[str]]) -> int:
        searched = [row[columns.index(column)]] if column else row
        n = len(words)
        return sum(
            1
            for cell in searched
            for i in range(len(cell) - n + 1)
            if n and cell[i : i + n] == words
        )

    n_rows = len(cells)
    avgdl = float(sum(len(w) for row, _ in cells.values() for w in row)) / float(n_rows)
    idf = []
    for p in phrases:
        hits = sum(1 for row, _ in cells.values() if instances(p, row))
        value = math.log((n_rows - hits + 0.5) / (hits + 0.5))
        idf.append(value if value > 0.0 else 1e-6)
    typed = [w for word in found.reading.typed for w in index_words(word)]
    keys = []
    for h in found.hits:
        row, stable = cells[h.training_id]
        d = float(sum(len(w) for w in row))
        score = 0.0
        for i, p in enumerate(phrases):
            f = float(instances(p, row))
            score += idf[i] * ((f * (1.2 + 1.0)) / (f + 1.2 * (1 - 0.75 + 0.75 * d / avgdl)))
        keys.append((not instances(typed, row), -1.0 * score, stable, h.training_id))
    return [k[-1] for k in sorted(keys)]


@pytest.mark.parametrize(
    ("text", "ask"),
    [
        ("CMD & GEN STAFF", {"field": "course"}),  # OR: abbreviations written out
        ("ILE", {"literal": True}),
        ("command general staff", {}),
        ("army", {}),  # no OR: FTS5's own rank
    ],
)
def test_rows_are_ordered_by_bm25_over_every_phrase(
    corpus_db: Engine, text: str, ask: dict[str, Any]
) -> None:
    """The order of a search (FTS5's rank alone is not it when the query holds OR: it counts a
    phrase only where its branch matches, and scores some rows otherwise in a scan than asked
    alone), on three editions built from the corpus."""
    found = query.search(corpus_db, text, limit=None, **ask)
    assert found.total > 20
    assert [h.training_id for h in found.hits] == _bm25_order(corpus_db, found)
