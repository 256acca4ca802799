"""Every question the adapters ask, as one document each: fmtr.query's answer laid out by
fmtr.query.shapes, paged where it is a listing.

The CLI and the API call these and only render what they return (a table, JSON or CSV), so a
question asked with the same parameters gives the same document from ``fmtr X --json`` and
``/api/v1/X``; parameters have one name here (``country``, ``programme``, ``start``/``end``)
and one default, the library's own (``default`` reads it from the function's signature, and
the adapters read theirs from here the same way). ``limit`` None means every row.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import fmtr.query.course_titles as courses_module
import fmtr.query.student_units as units_module
from fmtr.errors import NotFound
from fmtr.query import figures, funding, history, overview, profile, shapes
from fmtr.query.course_titles import courses as ask_courses
from fmtr.query.export import select_rows
from fmtr.query.figures import Ranking
from fmtr.query.find import Field
from fmtr.query.find import search as ask_search
from fmtr.query.resolve import Database, connect
from fmtr.query.row import training_row
from fmtr.query.shapes import Document, Table
from fmtr.query.student_units import units as ask_units
from fmtr.store.sql import sql_limit

# A recipient's lists of names, as the CLI and the API call them.
NameList = Literal["courses", "schools", "locations", "units"]


def default(question: Callable[..., Any], parameter: str) -> Any:
    """The default of ``parameter`` in ``question``'s signature: where an adapter reads the
    default it shows and uses, so that it never chooses one of its own."""
    value = inspect.signature(question).parameters[parameter].default
    if value is inspect.Parameter.empty:
        raise KeyError(f"{question.__name__}({parameter}) has no default")
    return value


def _end(limit: int | None, offset: int) -> int | None:
    """How many to ask the library for, to show ``limit`` rows from ``offset``."""
    return None if limit is None else offset + limit


# --- the database at a glance --------------------------------------------------------------


def summary(db: Database) -> dict[str, Any]:
    """Headline figures: every counted training row summed."""
    return shapes.summary(overview.summary(db))


def editions(db: Database) -> Table:
    """The editions loaded, with their documents and rows."""
    return shapes.editions(overview.editions(db))


def countries(db: Database, limit: int | None = None, offset: int = 0) -> Table:
    """Every recipient with counted training, by name, with its totals."""
    return shapes.countries(overview.recipients(db), limit, offset)


def _sql_limit(limit: int | None) -> int:
    return sql_limit(limit)  # None (every row) as a LIMIT both databases take


def country(
    db: Database, country: str, limit: int | None = default(profile.country_profile, "limit")
) -> dict[str, Any]:
    """A recipient's profile: per fiscal year and programme, its programmes, its ``limit``
    most frequent courses, US schools, locations and student units, and its sources."""
    return shapes.country(profile.country_profile(db, country, _sql_limit(limit)))


def country_series(db: Database, country: str) -> Table:
    """A recipient's trainees, cost and rows per fiscal year and programme."""
    return shapes.country_series(overview.recipient_series(db, country))


def country_names(
    db: Database,
    country: str,
    what: NameList,
    limit: int | None = default(overview.recipient_names, "limit"),
    offset: int = default(overview.recipient_names, "offset"),
) -> Table:
    """One page of a recipient's courses, US schools, locations or student units."""
    kind = shapes.NAME_LISTS[what][0]
    page = overview.recipient_names(db, country, kind, _sql_limit(limit), offset)  # type: ignore[arg-type]
    return shapes.names(page, what, limit, offset)


def programmes(db: Database) -> Table:
    """Every programme with counted training, most trainees first."""
    return shapes.programmes(overview.programmes(db))


def trend(db: Database, programme: str) -> Table:
    """A programme's figures per fiscal year."""
    return shapes.trend(overview.programme_trend(db, programme))


def compare(db: Database, countries: Sequence[str], programme: str | None = None) -> Table:
    """Several recipients per fiscal year, side by side (in one programme, or all)."""
    return shapes.comparison(overview.compare(db, countries, programme))


# --- figures per fiscal year -------------------------------------------------------------------


def top(
    db: Database,
    programme: str | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
    by: Ranking = default(figures.top, "by"),
    limit: int | None = default(figures.top, "limit"),
    offset: int = 0,
    years: bool = False,
) -> Table:
    """Recipients ranked by cost or trainees over a span of fiscal years; ``years``: a column
    per fiscal year."""
    result = figures.top(db, programme, start, end, by, _end(limit, offset))
    return shapes.top(result, limit, offset, years)


def series(
    db: Database,
    country: str,
    programme: str | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
) -> Table:
    """One recipient's figures for every fiscal year of a span: reported, none reported (0) or
    not covered (no figure)."""
    return shapes.series(figures.series(db, country, programme, start, end))


def gaps(db: Database, programme: str | None = None) -> Table:
    """Recipients whose training stops for covered fiscal years and resumes."""
    return shapes.gaps(figures.gaps(db, programme))


# --- names and rows ----------------------------------------------------------------------------


def units(
    db: Database,
    text: str,
    country: str | None = None,
    limit: int | None = default(ask_units, "limit"),
    offset: int = 0,
) -> Table:
    """Recipients' student units named like ``text`` (of ``country`` only, when given), best
    first, every match counted and paged (their rows: ``unit_profile``)."""
    return shapes.units(ask_units(db, text, country, limit, offset), limit)


def unit_profile(
    db: Database,
    country: str,
    name: str,
    limit: int | None = 50,
    offset: int = 0,
    all_editions: bool = False,
) -> dict[str, Any]:
    """One recipient's unit: its spellings and figures, per fiscal year and programme, its
    courses, locations and US schools, and one page of its training rows (``limit`` None:
    all; counted rows only unless ``all_editions``)."""
    profile, total, found = units_module.unit_page(
        db, country, name, all_editions=all_editions, limit=limit, offset=offset
    )
    return shapes.unit_profile(profile, shapes.hits(found, total, limit, offset))


def courses(
    db: Database, text: str, limit: int | None = default(ask_courses, "limit"), offset: int = 0
) -> Table:
    """Courses whose titles hold every word of ``text`` (abbreviations and related names
    too), best first."""
    return shapes.courses(ask_courses(db, text, limit, offset), limit)


def course_profile(
    db: Database, name: str, limit: int | None = 50, offset: int = 0, all_editions: bool = False
) -> dict[str, Any]:
    """A course across recipients and years: its titles, figures per recipient and fiscal
    year, US schools and locations, and one page of its training rows."""
    profile = courses_module.course_profile(db, name)
    course, total, found = courses_module.course_rows(
        db, name, all_editions=all_editions, limit=limit, offset=offset
    )
    return shapes.course_profile(profile, shapes.hits(found, total, limit, offset))


def search(
    db: Database,
    text: str = "",
    country: str | None = None,
    programme: str | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
    field: Field = default(ask_search, "field"),
    all_editions: bool = default(ask_search, "all_editions"),
    literal: bool = default(ask_search, "literal"),
    limit: int | None = default(ask_search, "limit"),
    offset: int = 0,
    unit_keys: Sequence[str] | None = None,
    facet_limit: int | None = default(ask_search, "facet_limit"),
) -> dict[str, Any]:
    """Training rows a text and filters select: how the text was read, the count and sums,
    one page of rows best first, and the same per recipient, programme, fiscal year, US
    school and location (facets)."""
    found = ask_search(
        db,
        text,
        country=country,
        programme=programme,
        start=start,
        end=end,
        field=field,
        all_editions=all_editions,
        literal=literal,
        limit=limit,
        offset=offset,
        unit_keys=unit_keys,
        facet_limit=facet_limit,
    )
    return shapes.found(found, limit)


def training(
    db: Database,
    *,
    text: str | None = None,
    country: str | None = None,
    programme: str | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
    unit_keys: Sequence[str] | None = None,
    all_editions: bool = default(select_rows, "all_editions"),
    limit: int | None = None,
    offset: int = 0,
    shown: list[str] | None = None,
) -> Table:
    """Training rows with provenance, every filter given applied, in report order (counted
    rows only unless ``all_editions``); ``shown``: the columns to show."""
    selection = select_rows(
        db,
        text=text,
        country=country,
        programme=programme,
        start=start,
        end=end,
        unit_keys=unit_keys,
        all_editions=all_editions,
        limit=limit,
        offset=offset,
    )
    return shapes.training(selection, limit, offset, shown)


def row(db: Database, training_id: int | str) -> dict[str, Any]:
    """One training row with every field and its provenance, by its stable identifier
    (2016-africa-p50-3) or its integer id; NotFound when there is none."""
    with connect(db) as conn:
        found = training_row(conn, training_id)
    if found is None:
        raise NotFound(f"no training row {training_id}")
    return found.as_dict()


def cite(db: Database, identifier: str) -> dict[str, Any]:
    """The citation of a training row (its stable identifier) or of a figure
    (COUNTRY/PROGRAMME/FY): text, BibTeX and CSL-JSON, with the release read from."""
    from dataclasses import asdict

    from fmtr.query.cite import cite as ask

    return shapes.jsonable(asdict(ask(db, identifier)))


# --- participation history -----------------------------------------------------------------


def timeline(
    db: Database, country: str, programme: str | None = None, registry: Path | None = None
) -> dict[str, Any]:
    """Per fiscal year from the first year with data (FY1999, or the first year of the
    Greenbook's obligations under the programme's accounts) to FY2020: figures, the reports'
    status, the obligations, the registry's events and the gaps detected in each source."""
    return shapes.timeline(history.timeline(db, country, programme, registry))


def suspensions(
    db: Database,
    country: str | None = None,
    programme: str | None = None,
    registry: Path | None = None,
) -> dict[str, Any]:
    """Every counted training row dated inside a suspension of its programme for its country."""
    return shapes.suspension_rows(history.suspension_trainings(db, country, programme, registry))


def events(country: str | None = None, registry: Path | None = None) -> Table:
    """The registry's events (of one country), by country and date."""
    from fmtr.clean.countries import country_code
    from fmtr.clean.events import load_events
    from fmtr.query.errors import UnknownCountry

    found = load_events(registry)
    if country is not None:
        code = country_code(country)
        if code is None:
            raise UnknownCountry(f"unknown country {country!r}")
        found = [e for e in found if e.country_code == code.code]
    found.sort(key=lambda e: (e.country, e.effective.first_day, e.id))
    cols = ["event_id", "country_code", "country", "programmes", "kind", "effective"]
    cols += ["precision", "until", "announced", "authority", "sources"]
    rows = [
        {
            "event_id": e.id,
            "country_code": e.country_code,
            "country": e.country,
            "programmes": list(e.programmes),
            "kind": e.kind,
            "effective": str(e.effective),
            "precision": e.effective.precision,
            "until": str(e.until) if e.until else None,
            "announced": str(e.announced) if e.announced else None,
            "authority": e.authority,
            "sources": [s.citation() for s in e.sources],
        }
        for e in found
    ]
    shown = ["event_id", "programmes", "kind", "effective", "until", "authority"]
    return Table(cols, rows, len(rows), title=f"{len(rows)} events", shown=shown)


# --- money beside training (the Greenbook's obligations) -------------------------------------


def funding_series(
    db: Database,
    country: str,
    account: str | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
    constant: bool = False,
) -> dict[str, Any]:
    """A recipient's obligations per period (the transition quarter TQ1976 a period of its
    own) and per account, in current and constant 2020 dollars; ``account``: one programme's
    accounts or one account (None: every account); ``constant``: the dollars a screen shows."""
    return shapes.funding_series(funding.funding_series(db, country, account, start, end), constant)


def funding_top(
    db: Database,
    account: str,
    start: str | int | None = None,
    end: str | int | None = None,
    constant: bool = default(funding.funding_top, "constant"),
    limit: int | None = default(funding.funding_top, "limit"),
    offset: int = 0,
) -> dict[str, Any]:
    """Recipients of an account (or a programme's accounts) ranked by obligations over a span,
    in current or (``constant``) constant 2020 dollars."""
    found = funding.funding_top(db, account, start, end, constant, _end(limit, offset))
    return shapes.funding_top(found, limit, offset)


def largest(
    db: Database,
    programme: str = default(funding.largest, "programme"),
    start: str | int | None = None,
    end: str | int | None = None,
    limit: int | None = default(funding.largest, "limit"),
) -> dict[str, Any]:
    """The largest recipient of a programme under every measure at once (obligations current
    and constant, course costs and trainees the reports list; ``limit`` countries each), where
    the measures disagree and why."""
    return shapes.largest(funding.largest(db, programme, start, end, limit))


def funding_courses(
    db: Database,
    country: str,
    programme: str = default(funding.obligations_and_courses, "programme"),
    start: str | int | None = None,
    end: str | int | None = None,
) -> dict[str, Any]:
    """Per fiscal year: a recipient's obligations under a programme's accounts beside the
    course costs and trainees the reports list, per trainee, and the share listed as courses."""
    return shapes.funding_courses(
        funding.obligations_and_courses(db, country, programme, start, end)
    )


def funding_timeline(
    db: Database, country: str, programme: str = "IMET", registry: Path | None = None
) -> dict[str, Any]:
    """The timeline (``timeline``) of one programme, IMET unless told: the obligations from
    the first year with data beside the training, the gaps in each and the registry's events."""
    return timeline(db, country, programme, registry)


def funding_accounts(db: Database) -> Table:
    """The Greenbook's accounts, the programme each is (where it is one), what it pays for
    and why."""
    return shapes.funding_accounts(funding.funding_accounts(db))


__all__ = [
    "Document",
    "NameList",
    "Table",
    "compare",
    "countries",
    "country",
    "country_names",
    "country_series",
    "course_profile",
    "courses",
    "default",
    "editions",
    "events",
    "funding_accounts",
    "funding_courses",
    "funding_series",
    "funding_timeline",
    "funding_top",
    "gaps",
    "largest",
    "programmes",
    "row",
    "search",
    "series",
    "summary",
    "suspensions",
    "timeline",
    "top",
    "training",
    "trend",
    "unit_profile",
    "units",
]
