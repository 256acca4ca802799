"""Citations ready to paste: a training row or a figure, as text, BibTeX and CSL-JSON.

A row is cited as a part of the official report (the primary source: edition, file, page,
official URL) with its fmtr identifier and the release it was read from; a figure (a
recipient's trainees and cost for a fiscal year, one programme or all) as fmtr's sum over the
counted rows, with the report files and pages it sums. The web pages and the API show these
as they are (docs/citing.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from fmtr.query.errors import UnknownIdentifier
from fmtr.query.resolve import (
    Database,
    connect,
    resolve_country,
    resolve_fiscal_year,
    resolve_programme,
)
from fmtr.query.row import TrainingRecord, training_row
from fmtr.store.sql import rows

AUTHORS = ("U.S. Department of State", "U.S. Department of Defense")
REPORT = "Foreign Military Training Report"
GENRE = "Joint report to Congress"


@dataclass(frozen=True)
class ReleaseStamp:
    """The release a database is, or, for a working database, its latest build."""

    version: str | None  # None: not a release
    date: str  # ISO date of the release, or of the latest build
    fmtr_version: str | None
    url: str | None

    @property
    def words(self) -> str:
        if self.version is None:
            return f"fmtr working database built {self.date} (not a release)"
        where = f", {self.url}" if self.url else ""
        return f"fmtr release {self.version} ({self.date}){where}"


def release_stamp(conn: Connection) -> ReleaseStamp:
    found = rows(
        conn,
        "SELECT version, created_at, fmtr_version, url FROM data_release ORDER BY id DESC LIMIT 1",
    )
    row = found[0] if found else None
    if row is not None:
        return ReleaseStamp(row[0], str(row[1])[:10], row[2], row[3])
    last = rows(
        conn,
        "SELECT finished_at, fmtr_version FROM build_run WHERE finished_at IS NOT NULL "
        "ORDER BY id DESC LIMIT 1",
    )
    built = last[0] if last else None
    return ReleaseStamp(
        None, str(built[0])[:10] if built else "", built[1] if built else None, None
    )


@dataclass(frozen=True)
class Source:
    """A span of report pages a citation rests on."""

    edition: str
    document: str  # stable id, "2016-africa"
    file: str
    first_page: int
    last_page: int
    url: str  # official URL, at the first page for a PDF


@dataclass(frozen=True)
class Citation:
    identifier: str  # "2016-africa-p50-3", "PAK/IMET/FY2010"
    kind: str  # "training row" or "figure"
    text: str  # ready to paste
    bibtex: str
    csl: dict[str, Any]  # one CSL-JSON item
    release: ReleaseStamp
    sources: list[Source] = field(default_factory=list)
    # A figure's values: trainees, cost_cents, rows, and the rows without a number of
    # trainees or a cost (a row's: empty, its cells are in the text).
    values: dict[str, int] = field(default_factory=dict)


def _edition_words(edition: str) -> str:
    first, second = edition[2:6], edition[7:11]
    return f"Fiscal Years {first} and {second}"


def _report_title(edition: str) -> str:
    return f"{REPORT}, {_edition_words(edition)}"


_BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")


def _bib(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", text).replace("~", r"\textasciitilde{}")


def _bibtex(kind: str, key: str, fields: dict[str, str]) -> str:
    lines = [f"@{kind}{{{key},"]
    for name, value in fields.items():
        lines.append(f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines)


def _page_words(r: TrainingRecord) -> str:
    if r.report_page is not None:
        return f"report page {r.report_page} (page {r.page} of {r.file.rsplit('/', 1)[-1]})"
    if r.is_pdf:
        return f"page {r.page} of {r.file.rsplit('/', 1)[-1]}"
    return r.file.rsplit("/", 1)[-1]


def _row_citation(r: TrainingRecord, release: ReleaseStamp) -> Citation:
    section = r.region or ""
    what = (
        "; ".join(x for x in (r.course_title, r.student_unit, r.location, r.start_date) if x)
        or "(blank cells)"
    )
    place = _page_words(r)
    text = (
        f"{' and '.join(AUTHORS)}, {_report_title(r.edition)} ({r.edition}), "
        f"{section + ', ' if section else ''}{place}: training row {r.stable_id} ({what}). "
        f"{r.official_link}. Read from {release.words}."
    )
    note = f"{place}, training row {r.stable_id} ({what}); read from {release.words}"
    bibtex = _bibtex(
        "misc",
        f"fmtr:{r.stable_id}",
        {
            "author": " and ".join(f"{{{a}}}" for a in AUTHORS),
            "title": _bib(f"{_report_title(r.edition)}{': ' + section if section else ''}"),
            "howpublished": _bib(GENRE),
            "note": _bib(note),
            "url": r.official_link,
        },
    )
    csl: dict[str, Any] = {
        "id": f"fmtr:{r.stable_id}",
        "type": "report",
        "title": _report_title(r.edition),
        "author": [{"literal": a} for a in AUTHORS],
        "genre": GENRE,
        "page": str(r.report_page or r.page) if r.is_pdf else None,
        "URL": r.official_link,
        "note": note,
    }
    if section:
        csl["section"] = section
    csl = {k: v for k, v in csl.items() if v is not None}
    source = Source(
        r.edition,
        r.document_stable_id,
        r.file,
        r.page,
        r.last_page or r.page,
        r.official_link,
    )
    return Citation(r.stable_id, "training row", text, bibtex, csl, release, [source])


def cite_row(db: Database, training_id: int | str) -> Citation:
    """The citation of a training row (stable identifier or integer id); UnknownIdentifier when
    it names none."""
    with connect(db) as conn:
        row = training_row(conn, training_id)
        if row is None:
            raise UnknownIdentifier(f"no training row {training_id!r}")
        return _row_citation(row, release_stamp(conn))


# A figure: recipient / programme (or "all") / fiscal year, "PAK/IMET/FY2010".
_FIGURE = re.compile(r"\s*(?P<country>[^/]+)/(?P<programme>[^/]+)/(?P<fy>[^/]+?)\s*")


def figure_id(country_code: str, programme_code: str | None, fy: int) -> str:
    return f"{country_code}/{programme_code or 'all'}/FY{fy}"


_FIGURE_SOURCES = """
SELECT e.name, d.stable_id, d.file, min(b.first_page), max(b.last_page), d.url,
       d.report_page_offset, sum(t.quantity_value), sum(t.cost_cents), count(t.id),
       count(t.id) - count(t.quantity_value), count(t.id) - count(t.cost_cents)
FROM programme_block b JOIN document d ON d.id = b.document_id
JOIN edition e ON e.id = d.edition_id
LEFT JOIN training t ON t.block_id = b.id
WHERE b.counted = TRUE AND b.country_code = :code AND b.fy = :fy {programme}
GROUP BY e.name, d.stable_id, d.file, d.url, d.report_page_offset
ORDER BY e.name, d.file
"""


def _dollars(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def cite_figure(
    db: Database, country: str, fy: str | int, programme: str | None = None
) -> Citation:
    """The citation of a figure: ``country``'s trainees and cost in fiscal year ``fy`` (one
    programme, or all), summed over the counted rows, with the report pages it sums."""
    with connect(db) as conn:
        recipient = resolve_country(conn, country)
        year = resolve_fiscal_year(conn, fy)
        prog = resolve_programme(conn, programme) if programme is not None else None
        params: dict[str, Any] = {"code": recipient.code, "fy": year}
        where = ""
        if prog is not None:
            where = "AND b.programme_code = :programme"
            params["programme"] = prog.code
        found = rows(conn, _FIGURE_SOURCES.format(programme=where), params)
        release = release_stamp(conn)
    ident = figure_id(recipient.code, prog.code if prog else None, year)
    trainees = sum(r[7] or 0 for r in found)
    cents = sum(r[8] or 0 for r in found)
    n_rows = sum(r[9] for r in found)
    no_qty = sum(r[10] for r in found)
    no_cost = sum(r[11] for r in found)
    sources = []
    for edition, doc, file, first, last, url, offset, *_ in found:
        page = first + offset if offset is not None else first
        link = f"{url}#page={page}" if file.lower().endswith(".pdf") else url
        sources.append(Source(edition, doc, file, first, last, link))
    what = f"{prog.code} training" if prog else "All training"
    figure = (
        f"{trainees:,} trainees, {_dollars(cents)}, {n_rows:,} training rows"
        + (f" ({no_qty:,} without a number of trainees)" if no_qty else "")
        + (f" ({no_cost:,} without a cost)" if no_cost else "")
    )
    where_printed = (
        "; ".join(
            f"{s.edition} {s.file.rsplit('/', 1)[-1]} "
            + (
                f"pages {s.first_page}-{s.last_page}"
                if s.last_page != s.first_page
                else f"page {s.first_page}"
            )
            for s in sources
        )
        or "no rows printed"
    )
    editions = sorted({s.edition for s in sources})
    text = (
        f"{what} for {recipient.name} in fiscal year {year}: {figure}. fmtr figure {ident}, "
        f"the sum of the training rows printed in {' and '.join(AUTHORS)}, "
        f"{'; '.join(_report_title(e) for e in editions) or REPORT} ({where_printed}). "
        f"Computed by {release.words}."
    )
    title = f"{what} for {recipient.name}, fiscal year {year}"
    note = f"fmtr figure {ident}: {figure}; sums the rows of {where_printed}"
    bibtex = _bibtex(
        "misc",
        f"fmtr:{ident.replace('/', '-')}",
        {
            "author": "{fmtr}",
            "title": _bib(title),
            "note": _bib(f"{note}; computed by {release.words}"),
            **({"version": _bib(release.version)} if release.version else {}),
            **({"url": release.url} if release.url else {}),
        },
    )
    csl: dict[str, Any] = {
        "id": f"fmtr:{ident}",
        "type": "dataset",
        "title": title,
        "author": [{"literal": "fmtr"}],
        "note": f"{note}; computed by {release.words}",
    }
    if release.version:
        csl["version"] = release.version
    if release.url:
        csl["URL"] = release.url
    # int(): PostgreSQL's sums of integers are numerics (Decimal), SQLite's integers.
    values = {
        "trainees": int(trainees),
        "cost_cents": int(cents),
        "rows": int(n_rows),
        "rows_without_quantity": int(no_qty),
        "rows_without_cost": int(no_cost),
    }
    return Citation(ident, "figure", text, bibtex, csl, release, sources, values)


def cite(db: Database, identifier: str) -> Citation:
    """A row ("2016-africa-p50-3", or an integer id) or a figure ("PAK/IMET/FY2010",
    "Pakistan/all/2010")."""
    m = _FIGURE.fullmatch(identifier)
    if m is None:
        return cite_row(db, identifier)
    programme = m.group("programme").strip()
    return cite_figure(
        db,
        m.group("country").strip(),
        m.group("fy").strip(),
        None if programme.lower() == "all" else programme,
    )
