"""A recipient's profile: figures per fiscal year and programme, and what its training was.

Figures come from the counted blocks (see fmtr.query.figures). Courses, US units, locations and
student units are grouped by their normalised key (``course_key`` etc.) and shown in their most
printed spelling (precomputed in ``name_figures`` by fmtr.store.search).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection

from fmtr.query.figures import Figures
from fmtr.query.resolve import (
    Database,
    Recipient,
    connect,
    require_search_index,
    resolve_country,
)
from fmtr.store.sql import rows


@dataclass
class YearProgramme:
    fy: int
    programme: str
    figures: Figures


@dataclass
class ProgrammeSpan:
    code: str
    name: str
    first_fy: int
    last_fy: int
    years: int  # fiscal years with training
    figures: Figures


@dataclass
class Named:
    """A course, US unit, location or student unit: its usual spelling and its figures."""

    name: str
    spellings: int
    first_fy: int
    last_fy: int
    figures: Figures


@dataclass
class Source:
    edition: str
    file: str
    url: str
    blocks: int
    first_page: int
    last_page: int
    document: str  # the document's stable identifier, "2016-africa"


@dataclass
class CountryProfile:
    recipient: Recipient
    by_year: list[YearProgramme] = field(default_factory=list)
    year_totals: dict[int, Figures] = field(default_factory=dict)
    programmes: list[ProgrammeSpan] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)
    top_courses: list[Named] = field(default_factory=list)
    top_us_units: list[Named] = field(default_factory=list)
    top_locations: list[Named] = field(default_factory=list)
    top_student_units: list[Named] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


_KINDS = {
    "top_courses": "course",
    "top_us_units": "us_unit",
    "top_locations": "location",
    "top_student_units": "student_unit",
}


def _named(conn: Connection, code: str, kind: str, limit: int) -> list[Named]:
    found = rows(
        conn,
        "SELECT spelling, spellings, first_fy, last_fy, trainees, cost_cents, rows, "
        "rows_without_quantity, rows_without_cost FROM name_figures "
        "WHERE country_code = :code AND kind = :kind ORDER BY rows DESC, trainees DESC, spelling "
        "LIMIT :limit",
        {"code": code, "kind": kind, "limit": limit},
    )
    return [Named(name, n, lo, hi, Figures(*sums)) for name, n, lo, hi, *sums in found]


def country_profile(db: Database, country: str, limit: int = 10) -> CountryProfile:
    """Trainees and cost per fiscal year and programme, the first and last year of each
    programme, the ``limit`` most frequent courses, US units, locations and student units, and
    the files the figures come from."""
    with connect(db) as conn:
        recipient = resolve_country(conn, country)
        require_search_index(conn)
        profile = CountryProfile(recipient)
        names: dict[str, str] = dict(rows(conn, "SELECT code, name FROM programme"))
        spans: dict[str, ProgrammeSpan] = {}
        for fy, prog, *sums in rows(
            conn,
            "SELECT fy, programme_code, trainees, cost_cents, rows, rows_without_quantity, "
            "rows_without_cost FROM year_figures WHERE country_code = :code AND rows > 0 "
            "ORDER BY fy, programme_code",
            {"code": recipient.code},
        ):
            f = Figures(*sums)
            profile.by_year.append(YearProgramme(fy, prog, f))
            profile.year_totals.setdefault(fy, Figures()).add(f)
            profile.total.add(f)
            span = spans.setdefault(
                prog, ProgrammeSpan(prog, names.get(prog, prog), fy, fy, 0, Figures())
            )
            span.last_fy = fy
            span.years += 1
            span.figures.add(f)
        profile.programmes = sorted(spans.values(), key=lambda p: (-p.figures.cost_cents, p.code))
        for attr, kind in _KINDS.items():
            setattr(profile, attr, _named(conn, recipient.code, kind, limit))
        for row in rows(
            conn,
            "SELECT e.name, d.file, d.url, count(*), min(b.first_page), max(b.last_page), "
            "d.stable_id FROM programme_block b JOIN document d ON d.id = b.document_id "
            "JOIN edition e ON e.id = d.edition_id WHERE b.country_code = :code "
            "GROUP BY e.name, d.file, d.url, d.stable_id ORDER BY e.name, d.file",
            {"code": recipient.code},
        ):
            profile.sources.append(Source(*row))
    return profile
