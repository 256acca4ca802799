"""A search that answers: the rows a text and filters select, how many, their sums, and the
same broken down by recipient, programme, fiscal year, US school and location (facets).

``interpret`` reads the text first (``Reading``):

- a recipient's or a programme's name becomes a filter ("Pakistan IMET": recipient PAK,
  programme IMET, nothing left to look for), when at least half the rows printing it as words
  belong to what it names, or none print it (so "MAP" and "USCG", course and school words, stay
  words; "Georgia" is the country: 924 of the 996 rows printing it are Georgia's). Codes are
  never taken from the text (MAR is also "maritime"), stop words never ("and" names nothing);
  words in double quotes stay words, and ``literal`` keeps every word a word;
- "FY2003", "FY03-FY17", "FY2003-2017" become the span of fiscal years;
- the other words are looked for in the cells, each as written or as any abbreviation of it
  (fmtr.clean.glossary: "CMD & GEN STAFF", "C&GSC", "ILE" find the Command and General Staff
  courses), in every column or one (``field``: course, unit, school, location).

Rows are then ranked: those holding the words as typed, in order (the phrase), first; then by
relevance (BM25 summed over the words and phrases looked for, fmtr.store.fulltext.expression),
then stable identifier; with no words, by fiscal year and report order. Counted rows only unless
``all_editions`` (FY2000 and FY2001 are printed twice): the sums then match fmtr's figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection

from fmtr.clean.countries import country_code
from fmtr.clean.glossary import STOP_WORDS, Scope, expand, fts_expression, related_runs, words
from fmtr.clean.programmes import programme_code
from fmtr.query.errors import EmptySearch
from fmtr.query.figures import Figures
from fmtr.query.resolve import (
    Database,
    ProgrammeRef,
    Recipient,
    connect,
    parse_fiscal_year,
    per_build,
    per_build_kept,
    require_search_index,
    resolve_country,
    resolve_programme,
    resolve_span,
)
from fmtr.query.text import HIT_SELECT, TrainingHit, training_hit
from fmtr.store import fulltext
from fmtr.store.sql import fast_rows, in_list, sql_limit

if TYPE_CHECKING:
    from fmtr.query.facet_columns import FacetColumns

Field = Literal["any", "course", "unit", "school", "location"]
FIELDS: dict[str, tuple[str | None, Scope]] = {
    "any": (None, "all"),
    "course": ("course_title", "course"),
    "unit": ("student_unit", "unit"),
    "school": ("us_unit", "all"),
    "location": ("location", "all"),
}
FACETS = ("country", "programme", "fy", "school", "location")
_FACET_COLUMNS = {
    "country": "country_code",
    "programme": "programme_code",
    "fy": "fy",
    "school": "us_unit_key",
    "location": "location_key",
}
_LONGEST_NAME = 6  # words: "Saint Vincent and the Grenadines", "Bosnia and Herzegovina"
_SPAN = re.compile(
    r"\bFY\s?'?(\d{4}|\d{2})(?:\s*(?:-|–|to)\s*(?:FY\s?'?)?(\d{4}|\d{2}))?\b", re.IGNORECASE
)
_QUOTED = re.compile(r'"([^"]*)"')


@dataclass
class Recognised:
    """Words of the text taken as a filter."""

    words: str  # as typed
    kind: Literal["country", "programme", "years"]
    value: str  # code, or FY2003-FY2017
    name: str


@dataclass
class Reading:
    """How a search text is read."""

    text: str
    recognised: list[Recognised]
    words: tuple[str, ...]  # what is looked for in the cells: canonical words
    typed: tuple[str, ...]  # the same words as typed (index words, stop words kept)
    field: Field
    related: list[tuple[str, str]]  # (words, what they also find)
    match: str | None  # the FTS5 query; None: no words, filters only
    phrase: str | None  # the FTS5 query of the words as typed, in order (two words or more,
    # or one written out)


def _share(conn: Connection, phrase: str, column: str, value: str) -> tuple[int, int]:
    """(rows printing ``phrase`` as words, how many of them have ``column`` = ``value``)."""
    cache: dict[tuple[str, str, str], tuple[int, int]] = per_build(
        conn, "recognised_share", lambda _c: {}
    )
    key = (phrase, column, value)
    if key not in cache:
        matching, params = fulltext.of(conn).expression_matching(f'"{phrase}"')
        row = fast_rows(
            conn,
            f"SELECT count(*), coalesce(sum(CASE WHEN f.{column} = :value THEN 1 ELSE 0 END), 0) "
            f"FROM row_facets f WHERE f.id IN ({matching})",
            {**params, "value": value},
        )[0]
        if len(cache) > 10_000:
            cache.clear()
        cache[key] = (int(row[0]), int(row[1]))
    return cache[key]


def _with_rows(conn: Connection) -> tuple[frozenset[str], frozenset[str]]:
    """Recipient and programme codes that have rows (only those are recognised)."""

    def load(c: Connection) -> tuple[frozenset[str], frozenset[str]]:
        found = fast_rows(c, "SELECT DISTINCT country_code, programme_code FROM year_figures")
        return frozenset(r[0] for r in found), frozenset(r[1] for r in found)

    return per_build(conn, "codes_with_rows", load)


def _names_here(conn: Connection, phrase: str) -> Recognised | None:
    """The recipient or programme a run of words names, if it is to be taken as a filter."""
    if phrase in STOP_WORDS:
        return None
    countries, programmes = _with_rows(conn)
    found_country = country_code(phrase)
    if found_country is not None and found_country.code in countries:
        total, inside = _share(conn, phrase, "country_code", found_country.code)
        if total == 0 or 2 * inside >= total:
            return Recognised(phrase, "country", found_country.code, found_country.name)
    found_programme = programme_code(phrase)
    # A programme by its code, or by a name of three words or more ("Foreign Military
    # Financing"): not "Exchange" or "Humanitarian Assistance", course words as much as names.
    if (
        found_programme is not None
        and found_programme.code in programmes
        and (phrase.upper() == found_programme.code or len(phrase.split()) >= 3)
    ):
        total, inside = _share(conn, phrase, "programme_code", found_programme.code)
        if total == 0 or 2 * inside >= total:
            return Recognised(phrase, "programme", found_programme.code, found_programme.name)
    return None


def interpret(
    conn: Connection,
    text: str,
    *,
    field: Field = "any",
    literal: bool = False,
    take_country: bool = True,
    take_programme: bool = True,
    take_years: bool = True,
) -> Reading:
    """How ``text`` is read (see the module): the filters it names, the words left."""
    column, scope = FIELDS[field]
    recognised: list[Recognised] = []
    rest = text
    if not literal and take_years and (m := _SPAN.search(rest)):
        first = parse_fiscal_year(m.group(1))
        last = parse_fiscal_year(m.group(2)) if m.group(2) else first
        span = f"FY{first}" if first == last else f"FY{first}-FY{last}"
        recognised.append(Recognised(m.group(0), "years", span, span))
        rest = rest[: m.start()] + " " + rest[m.end() :]
    # Quoted words stay words: they are set aside before names are looked for.
    quoted = [words(q) for q in _QUOTED.findall(rest)]
    free = words(_QUOTED.sub(" ", rest))
    kept: list[str] = []
    i = 0
    while i < len(free):
        hit = None
        if not literal:
            for n in range(min(_LONGEST_NAME, len(free) - i), 0, -1):
                found = _names_here(conn, " ".join(free[i : i + n]))
                if found is None:
                    continue
                wanted = take_country if found.kind == "country" else take_programme
                if wanted and all(r.kind != found.kind for r in recognised):
                    hit = (found, n)
                    break
        if hit is None:
            kept.append(free[i])
            i += 1
        else:
            recognised.append(hit[0])
            i += hit[1]
    typed = tuple(kept + [w for q in quoted for w in q])
    # Stop words alone ("and") are what the user looks for: kept as typed.
    canonical_words = expand(typed, scope) or typed
    match = phrase = None
    if canonical_words:
        match = fts_expression(canonical_words, scope)
        # One word written out ("ILE", "C&GSC") or related to others: the rows printing it as
        # typed still come first, before the rows of what it stands for.
        if len(typed) >= 2 or typed != canonical_words:
            phrase = '"' + " ".join(typed) + '"'
        if column is not None:
            match = f"{column} : ({match})"
            phrase = f"{column} : {phrase}" if phrase else None
    related = related_runs(canonical_words, scope)
    return Reading(text, recognised, canonical_words, typed, field, related, match, phrase)


@dataclass
class FacetValue:
    value: Any  # code, fiscal year or key
    label: str
    figures: Figures  # rows (``figures.rows``), trainees and cost of the rows with this value


@dataclass
class Facet:
    name: str
    values: list[FacetValue]  # most rows first (fiscal years: in order)
    distinct: int  # values in all (``values`` holds the first ``facet_limit``)


@dataclass
class Found:
    """A search's answer: the reading, the filters applied, how many rows and their sums, the
    facets and one page of rows."""

    reading: Reading
    country: Recipient | None
    programme: ProgrammeRef | None
    first_fy: int | None
    last_fy: int | None
    all_editions: bool
    total: int
    figures: Figures
    facets: dict[str, Facet]
    hits: list[TrainingHit]
    offset: int = 0
    literal_total: int | None = None  # rows the text finds as words only, when names found none
    notes: list[str] = field(default_factory=list)


def _where(
    country: str | None,
    programme: str | None,
    span: tuple[int, int] | None,
    all_editions: bool,
) -> tuple[str, dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if country is not None:
        where.append("f.country_code = :country")
        params["country"] = country
    if programme is not None:
        where.append("f.programme_code = :programme")
        params["programme"] = programme
    if span is not None:
        where.append("f.fy BETWEEN :first_fy AND :last_fy")
        params.update(first_fy=span[0], last_fy=span[1])
    if not all_editions:
        where.append("f.counted = 1")
    return (" AND ".join(where) or "1 = 1"), params


# A sum of cents as an integer on both databases (PostgreSQL sums a bigint as a numeric).
_COST = "CAST(coalesce(sum(cost_cents), 0) AS BIGINT)"


def _facet_sql(source: str) -> str:
    """One statement for the totals and every facet: the matching rows materialised once."""
    parts = [
        "SELECT 'total', NULL, count(*), coalesce(sum(trainees), 0), "
        f"{_COST}, count(*) - count(trainees), count(*) - count(cost_cents) "
        "FROM m"
    ]
    for name, column in _FACET_COLUMNS.items():
        parts.append(
            # As text: one column of one type for every facet (fiscal years are read back).
            f"SELECT '{name}', CAST({column} AS TEXT), count(*), coalesce(sum(trainees), 0), "
            f"{_COST}, count(*) - count(trainees), "
            f"count(*) - count(cost_cents) FROM m GROUP BY {column}"
        )
    return f"WITH m AS MATERIALIZED ({source}) " + " UNION ALL ".join(parts)


@dataclass
class Chosen:
    """What a search selects: the reading, the filters resolved, and the SQL of the rows (of
    row_facets, ``f``) with its parameters."""

    reading: Reading
    country: Recipient | None
    programme: ProgrammeRef | None
    span: tuple[int, int] | None
    all_editions: bool
    source: str
    params: dict[str, Any]
    where: str  # the filters on f alone
    where_params: dict[str, Any]


def choose(
    conn: Connection,
    text: str = "",
    *,
    country: str | None = None,
    programme: str | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
    field: Field = "any",
    all_editions: bool = False,
    literal: bool = False,
    unit_keys: Sequence[str] | None = None,
) -> Chosen:
    """The rows ``text`` and the filters select (``search`` counts and lists them; an export of
    the search writes them: fmtr.query.export)."""
    reading = interpret(
        conn,
        text,
        field=field,
        literal=literal,
        take_country=country is None,
        take_programme=programme is None,
        take_years=start is None and end is None,
    )
    named = {r.kind: r for r in reading.recognised}
    recipient = resolve_country(conn, country) if country is not None else None
    if recipient is None and "country" in named:
        recipient = resolve_country(conn, named["country"].value)
    prog = resolve_programme(conn, programme) if programme is not None else None
    if prog is None and "programme" in named:
        prog = resolve_programme(conn, named["programme"].value)
    span: tuple[int, int] | None = None
    if start is not None or end is not None:
        span = resolve_span(conn, start, end)
    elif "years" in named:
        first, _, last = named["years"].value.partition("-")
        span = resolve_span(conn, first, last or first)
    where, params = _where(
        recipient.code if recipient else None, prog.code if prog else None, span, all_editions
    )
    if unit_keys is not None:
        marks, keys = in_list("unit", list(unit_keys))
        where += f" AND f.id IN (SELECT id FROM training WHERE student_unit_key IN ({marks}))"
        params.update(keys)
    if reading.match is not None:
        matching, found = fulltext.of(conn).expression_matching(reading.match)
        source = f"SELECT f.* FROM row_facets f WHERE f.id IN ({matching}) AND {where}"
        source_params = {**found, **params}
    else:
        source = f"SELECT f.* FROM row_facets f WHERE {where}"
        source_params = dict(params)
    return Chosen(
        reading, recipient, prog, span, all_editions, source, source_params, where, params
    )


def search(
    db: Database,
    text: str = "",
    *,
    country: str | None = None,
    programme: str | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
    field: Field = "any",
    all_editions: bool = False,
    literal: bool = False,
    limit: int | None = 50,
    offset: int = 0,
    facet_limit: int | None = 10,
    unit_keys: Sequence[str] | None = None,
) -> Found:
    """The training rows ``text`` and the filters select, with their count, sums and facets
    (each value's rows, trainees and cost), best first; the page ``offset``..``offset +
    limit`` (None: all). ``facet_limit``: values kept per facet, most rows first (fiscal years:
    all, in order; None: all).

    Parameters: ``text`` words, recipient and programme names, fiscal years ("Pakistan IMET
    FY2010"); ``country``, ``programme``, ``start``/``end`` as elsewhere in fmtr.query;
    ``field`` any, course, unit, school or location; ``literal``: every word a word.

    Example: ``search(db, "Pakistan IMET")``, ``search(db, "ranger", field="course")``."""
    with connect(db) as conn:
        require_search_index(conn)
        chosen = choose(
            conn,
            text,
            country=country,
            programme=programme,
            start=start,
            end=end,
            field=field,
            all_editions=all_editions,
            literal=literal,
            unit_keys=unit_keys,
        )
        reading = chosen.reading
        filtered = reading.match or chosen.country or chosen.programme or chosen.span or unit_keys
        if not filtered:
            raise EmptySearch(
                f"nothing to search for in {text!r}: give words, a country, a programme or "
                "fiscal years"
            )
        columns = kept_columns(conn) if unit_keys is None else None
        if columns is None:
            facets, total, figures = _facets(conn, chosen.source, chosen.params, facet_limit)
            hits = (
                _page(conn, reading, chosen.where, chosen.where_params, limit, offset)
                if total
                else []
            )
        else:
            facets, total, figures, hits = _from_memory(
                conn, columns, chosen, limit, offset, facet_limit
            )
        literal_total = None
        if total == 0 and reading.recognised and not literal and text.strip():
            again = choose(conn, text, field=field, all_editions=all_editions, literal=True)
            if columns is None:
                literal_total = _facets(conn, again.source, again.params, 0)[1]
            else:
                literal_total = _from_memory(conn, columns, again, 0, 0, 0)[1]
    span = chosen.span
    return Found(
        reading,
        chosen.country,
        chosen.programme,
        span[0] if span else None,
        span[1] if span else None,
        all_editions,
        total,
        figures,
        facets,
        hits,
        offset,
        literal_total,
    )


def _labels(conn: Connection, kind: str, keys: list[str]) -> dict[str, str]:
    if not keys:
        return {}
    marks, params = in_list("key", keys)
    return dict(
        fast_rows(
            conn,
            f"SELECT key, label FROM name_label WHERE kind = :kind AND key IN ({marks})",
            {**params, "kind": kind},
        )
    )


def _facets(
    conn: Connection, source: str, params: dict[str, Any], facet_limit: int | None
) -> tuple[dict[str, Facet], int, Figures]:
    return _facets_of(conn, fast_rows(conn, _facet_sql(source), params), facet_limit)


def _from_memory(
    conn: Connection,
    columns: FacetColumns,
    chosen: Chosen,
    limit: int | None,
    offset: int,
    facet_limit: int | None,
) -> tuple[dict[str, Facet], int, Figures, list[TrainingHit]]:
    """``search``'s facets and page from a server's columns in memory: the same answer as the
    SQL (tests/query/test_facet_columns.py holds them together), without its GROUP BYs."""
    from fmtr.query import facet_columns  # numpy: loaded by a server only

    match = chosen.reading.match
    ranked = match is not None and limit is not None and limit > 0
    ids, keys = (None, None)
    if match is not None:
        ids, keys = fulltext.of(conn).scored_matches(conn, match, ranked)
    kept = columns.keep(
        ids,
        chosen.country.code if chosen.country else None,
        chosen.programme.code if chosen.programme else None,
        chosen.span,
        chosen.all_editions,
    )
    found, distinct = columns.facet_rows(kept, facet_limit)
    facets, total, figures = _facets_of(conn, found, facet_limit, distinct)
    if not total or limit == 0:
        return facets, total, figures, []
    if keys is None or ids is None or limit is None:
        hits = _page(conn, chosen.reading, chosen.where, chosen.where_params, limit, offset)
        return facets, total, figures, hits
    firsts = None
    if chosen.reading.phrase is not None:
        firsts, _ = fulltext.of(conn).scored_matches(conn, chosen.reading.phrase, False)
    order = facet_columns.ranked_page(conn, ids, keys, kept, firsts, limit, offset)
    return facets, total, figures, _hits(conn, order)


def kept_columns(conn: Connection) -> FacetColumns | None:
    """The search's columns a server loaded for the current build (fmtr.query.facet_columns),
    or None: SQL answers."""
    columns: FacetColumns | None = per_build_kept(conn, "facet_columns")
    return columns


def prepare_search(db: Database) -> None:
    """Load the search's columns in memory now (fmtr.query.facet_columns): a server calls it
    before taking requests; a process asking once reads SQLite instead."""
    from fmtr.query import facet_columns  # numpy: loaded by a server only

    facet_columns.prepare_search(db)


def _facets_of(
    conn: Connection,
    found: Iterable[Sequence[Any]],
    facet_limit: int | None,
    distinct: dict[str, int] | None = None,
) -> tuple[dict[str, Facet], int, Figures]:
    """The facets of the rows ``found`` (the total, then per facet each value's figures), each
    cut at ``facet_limit`` values; ``distinct``: each facet's number of values when ``found``
    holds only those that can be shown."""
    per: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
    total, figures = 0, Figures()
    for name, value, n, q, c, nq, nc in found:
        f = Figures(int(q), int(c), int(n), int(nq), int(nc))
        if name == "fy" and value is not None:
            value = int(value)
        if name == "total":
            total, figures = n, f
        else:
            per[name].append(FacetValue(value, "" if value is None else str(value), f))
    countries = dict(fast_rows(conn, "SELECT code, name FROM country"))
    programmes = dict(fast_rows(conn, "SELECT code, name FROM programme"))
    facets = {}
    for name, values in per.items():
        if name == "fy":
            values.sort(key=lambda v: (v.value is None, v.value or 0))
            shown = values
        else:
            values.sort(key=lambda v: (-v.figures.rows, v.label))
            shown = values if facet_limit is None else values[:facet_limit]
        if name == "country":
            for v in shown:
                v.label = countries.get(v.value, v.value)
        elif name == "programme":
            for v in shown:
                v.label = programmes.get(v.value, v.value)
        elif name in ("school", "location"):
            kind = "us_unit" if name == "school" else "location"
            labels = _labels(conn, kind, [v.value for v in shown if v.value is not None])
            for v in shown:
                v.label = labels.get(v.value, v.value) if v.value is not None else "(none printed)"
        facets[name] = Facet(name, shown, (distinct or {}).get(name, len(values)))
    return facets, total, figures


def _page(
    conn: Connection,
    reading: Reading,
    where: str,
    params: dict[str, Any],
    limit: int | None,
    offset: int,
) -> list[TrainingHit]:
    if limit == 0:
        return []
    if reading.match is not None:
        order = fulltext.of(conn).ranked_where(
            conn, reading.match, where, params, reading.phrase, limit, offset
        )
    else:
        ids = fast_rows(
            conn,
            f"SELECT f.id FROM row_facets f WHERE {where} ORDER BY f.fy NULLS FIRST, f.id "
            "LIMIT :limit OFFSET :offset",
            {**params, "limit": sql_limit(limit), "offset": offset},
        )
        order = [r[0] for r in ids]
    return _hits(conn, order)


def _hits(conn: Connection, order: list[int]) -> list[TrainingHit]:
    hits: dict[int, TrainingHit] = {}
    for i in range(0, len(order), 500):
        marks, chunk = in_list("id", order[i : i + 500])
        for row in fast_rows(conn, f"{HIT_SELECT} WHERE t.id IN ({marks})", chunk):
            h = training_hit(row)
            hits[h.training_id] = h
    return [hits[i] for i in order if i in hits]
