"""How each fmtr.query answer is laid out: tables (columns and rows) and documents of tables.

One layout per answer, for every adapter: the CLI prints it as a table, as JSON (``--json``) or
as CSV (``--csv``), the API sends the same JSON or CSV, the pages render the same tables. So
``fmtr top --json`` and ``/api/v1/top`` give one document (a test compares them question by
question). Only layout lives here: every figure comes from fmtr.query as it computed it, and
fmtr.query.answers says which question gives which layout.

A document is a ``Table``, or a dict of plain values and Tables (a country's profile); ``jsonable``
turns either into what JSON holds, ``main_table`` names the table a CSV download gives.
A recipient's code is always ``country_code`` and a programme's ``programme_code``; money is in
exact cents (``*_cents``), shown as dollars by ``dollars``: the Greenbook's whole dollars too
(``obligated_cents`` current dollars, ``obligated_2020_cents`` constant 2020 dollars), so that
an obligation and a listed course cost are read in one unit.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fmtr.query.course_titles import CourseMatches, CourseProfile
from fmtr.query.export import Selection, spreadsheet_safe, write_selection
from fmtr.query.figures import Figures, GapsResult, Series, TopResult
from fmtr.query.find import Found
from fmtr.query.funding import (
    COURSE_COSTS,
    MEASURES,
    OBLIGATIONS_CONSTANT,
    OBLIGATIONS_CURRENT,
    TRAINEES,
    AccountInfo,
    FundingSeries,
    FundingSource,
    FundingTop,
    Largest,
    Money,
    MoneyAndCourses,
)
from fmtr.query.history import SuspensionCheck, Timeline
from fmtr.query.overview import (
    Comparison,
    EditionInfo,
    NamesPage,
    ProgrammeTotals,
    ProgrammeTrend,
    RecipientSeries,
    RecipientTotals,
    Summary,
)
from fmtr.query.profile import CountryProfile, Named
from fmtr.query.resolve import Recipient
from fmtr.query.student_units import NamedFigures, Unit, UnitMatches, UnitProfile
from fmtr.query.text import TrainingHit
from fmtr.verify.reconcile import RECONCILED, VerifyReport

if TYPE_CHECKING:
    from fmtr.verify.text import TextReport


@dataclass
class Table:
    """Rows keyed by ``columns``; ``total`` counts every matching row before paging (None when
    not counted), ``limit``/``offset`` say which page this is (``limit`` None: every row).
    ``title`` and ``shown`` (the columns a narrow screen shows, None: all) are for people,
    ``meta`` for machines (in the JSON)."""

    columns: list[str]
    rows: list[dict[str, Any]]
    total: int | None = None
    limit: int | None = None
    offset: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    shown: list[str] | None = None

    def as_json(self) -> dict[str, Any]:
        columns, rows = with_dollars(self.columns, self.rows, exact=False)
        return {
            "columns": columns,
            "rows": jsonable(rows),
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            **({"meta": jsonable(self.meta)} if self.meta else {}),
        }


Document = Table | dict[str, Any]


class Notes(list[str]):
    """Sentences for people (where measures disagree and why, what a span covers): a list of
    strings in JSON, a paragraph each on a screen."""


def jsonable(value: Any) -> Any:
    """``value`` (a document, a dataclass, dates, decimals...) as JSON values: the one
    conversion the CLI's ``--json`` and the API both use."""
    if isinstance(value, Table):
        return value.as_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [jsonable(v) for v in items]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | Path):
        return str(value)
    return value


def main_table(document: Document) -> Table:
    """The table a CSV of ``document`` holds: itself, or its first table."""
    if isinstance(document, Table):
        return document
    for value in document.values():
        if isinstance(value, Table):
            return value
    raise ValueError("this answer holds no table")


def usd(cents: int | None) -> str | None:
    """Cents as exact dollars: 4661543327 -> "46615433.27" (integer arithmetic, no float)."""
    if cents is None:
        return None
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def with_dollars(
    columns: list[str], rows: list[dict[str, Any]], *, exact: bool = True
) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows with money in dollars too: before each ``*_cents`` column, its
    ``*_usd`` (text exact to the cent, or with ``exact`` False a number: JSON's shortest
    decimal reading back as the same double, which for cents is the amount itself)."""
    usd_of = {c: c.removesuffix("_cents") + "_usd" for c in columns if c.endswith("_cents")}
    added = {c: u for c, u in usd_of.items() if u not in columns}
    usd_columns = [c for c in columns if c.endswith("_usd")] + list(added.values())
    if not usd_columns:
        return columns, rows
    out_columns: list[str] = []
    for c in columns:
        if c in added:
            out_columns.append(added[c])
        out_columns.append(c)
    out_rows = []
    for row in rows:
        extended = dict(row)
        for c, u in added.items():
            value = row.get(c)
            extended[u] = usd(value) if isinstance(value, int) else None
        if not exact:
            for u in usd_columns:
                if isinstance(extended.get(u), str):
                    extended[u] = float(extended[u])
        out_rows.append(extended)
    return out_columns, out_rows


def table_selection(table: Table) -> Selection:
    """A table as an export writes it (fmtr.query.export): money in dollars and cents."""
    columns, rows = with_dollars(table.columns, table.rows)
    return Selection(tuple(columns), [tuple(r.get(c) for c in columns) for r in rows])


def table_file(table: Table, fmt: str) -> bytes:
    """The table as an XLSX or Parquet file's bytes (money in dollars and in cents)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fmtr-table-") as folder:
        path = Path(folder) / f"table.{fmt}"
        write_selection(table_selection(table), fmt, path)
        return path.read_bytes()


def csv_text(table: Table) -> str:
    out = io.StringIO()
    columns, rows = with_dollars(table.columns, table.rows)
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # A list (a unit's variants) is one cell in a spreadsheet; a cell a spreadsheet would
        # evaluate is neutralised, as `fmtr export` does (the JSON answers stay verbatim).
        writer.writerow(
            {
                k: spreadsheet_safe("; ".join(map(str, v)) if isinstance(v, list) else v)
                for k, v in row.items()
            }
        )
    return out.getvalue()


def dollars(cents: int | None) -> str:
    """Cents as whole dollars for people: 4661543300 -> "$46,615,433", -30000000 ->
    "-$300,000" (a de-obligation); "" for None."""
    if cents is None:
        return ""
    return f"{'-' * (cents < 0)}${abs(cents) / 100:,.0f}"


def number(value: int | float | None) -> str:
    return "" if value is None else f"{value:,}"


def runs(spans: Iterable[tuple[int, int]]) -> str:
    """Runs of fiscal years for people: [(2004, 2006), (2009, 2009)] -> "FY2004-FY2006, FY2009"."""
    return ", ".join(f"FY{a}" if a == b else f"FY{a}-FY{b}" for a, b in spans)


def _sums(f: Figures) -> dict[str, int]:
    return {"trainees": f.trainees, "cost_cents": f.cost_cents, "rows": f.rows}


_SUMS = ["trainees", "cost_cents", "rows"]


def _page_list(items: list[Any], limit: int | None, offset: int) -> list[Any]:
    return items[offset:] if limit is None else items[offset : offset + limit]


# --- the database at a glance ------------------------------------------------------------------


def summary(s: Summary) -> dict[str, Any]:
    return {
        **_sums(s.figures),
        "countries": s.recipients,
        "first_fy": s.first_fy,
        "last_fy": s.last_fy,
    }


def editions(found: list[EditionInfo]) -> Table:
    cols = ["edition", "first_fiscal_year", "layout", "documents", "rows"]
    rows = [
        {
            "edition": e.name,
            "first_fiscal_year": e.first_fiscal_year,
            "layout": e.layout,
            "documents": e.documents,
            "rows": e.rows,
        }
        for e in found
    ]
    return Table(cols, rows, len(rows), title=f"{len(rows)} editions loaded")


def countries(found: list[RecipientTotals], limit: int | None, offset: int) -> Table:
    cols = ["country_code", "name", "kind", *_SUMS, "first_fy", "last_fy"]
    rows = [
        {
            "country_code": r.recipient.code,
            "name": r.recipient.name,
            "kind": r.recipient.kind,
            **_sums(r.figures),
            "first_fy": r.first_fy,
            "last_fy": r.last_fy,
        }
        for r in found
    ]
    title = f"{len(found)} recipients with counted training"
    shown = ["name", "trainees", "cost_cents", "first_fy", "last_fy"]
    page = _page_list(rows, limit, offset)
    return Table(cols, page, len(found), limit, offset, title=title, shown=shown)


def _recipient(r: Recipient) -> dict[str, str]:
    return {"country_code": r.code, "name": r.name}


def country_series(profile: CountryProfile | RecipientSeries) -> Table:
    cols = ["fy", "programme_code", *_SUMS]
    rows = [
        {"fy": y.fy, "programme_code": y.programme, **_sums(y.figures)} for y in profile.by_year
    ]
    r = profile.recipient
    title = f"{r.name} ({r.code}) per fiscal year and programme"
    return Table(cols, rows, len(rows), meta=_recipient(r), title=title)


def year_programme(
    series: Table,
    years: Iterable[int] = (),
    covered: Iterable[int] = (),
    order: Iterable[str] = (),
) -> Table:
    """A recipient's per-year, per-programme table (``country_series``) pivoted: a row per
    fiscal year, two columns per programme (``IMET_trainees``, ``IMET_cost_cents``), the year's
    totals, and a last row of totals (``fy`` "total"). ``years``: every fiscal year to list
    (a year without training is "none reported" when ``covered``, else "not covered");
    ``order``: the programmes' order (others follow, most trainees first)."""
    per_year: dict[int, dict[str, dict[str, Any]]] = {}
    sums: dict[str, dict[str, int]] = {}
    for r in series.rows:
        per_year.setdefault(r["fy"], {})[r["programme_code"]] = r
        s = sums.setdefault(r["programme_code"], {"trainees": 0, "cost_cents": 0, "rows": 0})
        for k in s:
            s[k] += r[k] or 0
    wanted = [c for c in order if c in sums]
    wanted += sorted((c for c in sums if c not in wanted), key=lambda c: (-sums[c]["trainees"], c))
    cols = ["fy", "status"]
    for code in wanted:
        cols += [f"{code}_trainees", f"{code}_cost_cents"]
    cols += ["trainees", "cost_cents", "rows"]
    covered_set = set(covered)
    rows: list[dict[str, Any]] = []
    for fy in sorted(set(years) | set(per_year)):
        found = per_year.get(fy, {})
        status = "reported" if found else "none reported" if fy in covered_set else "not covered"
        row: dict[str, Any] = {"fy": fy, "status": status}
        for code in wanted:
            got = found.get(code)
            row[f"{code}_trainees"] = got["trainees"] if got else None
            row[f"{code}_cost_cents"] = got["cost_cents"] if got else None
        row["trainees"] = sum(r["trainees"] or 0 for r in found.values()) if found else None
        row["cost_cents"] = sum(r["cost_cents"] or 0 for r in found.values()) if found else None
        row["rows"] = sum(r["rows"] or 0 for r in found.values()) if found else None
        if status == "none reported":  # the reports list none: 0, not unknown
            row.update(trainees=0, cost_cents=0, rows=0)
        rows.append(row)
    total: dict[str, Any] = {"fy": "total", "status": ""}
    for code in wanted:
        total[f"{code}_trainees"] = sums[code]["trainees"]
        total[f"{code}_cost_cents"] = sums[code]["cost_cents"]
    total["trainees"] = sum(s["trainees"] for s in sums.values())
    total["cost_cents"] = sum(s["cost_cents"] for s in sums.values())
    total["rows"] = sum(s["rows"] for s in sums.values())
    rows.append(total)
    meta = {**series.meta, "programmes": wanted}
    title = series.title.replace("per fiscal year and programme", "per fiscal year")
    return Table(cols, rows, len(rows) - 1, meta=meta, title=title)


# A recipient's lists of names: (the list's name in the API and the CLI, fmtr.query's name kind,
# the column the name is shown in).
NAME_LISTS = {
    "courses": ("course", "course_title"),
    "schools": ("us_unit", "us_unit"),
    "locations": ("location", "location"),
    "units": ("student_unit", "student_unit"),
}


def _named(found: list[Named], column: str) -> list[dict[str, Any]]:
    return [
        {
            column: n.name,
            "spellings": n.spellings,
            **_sums(n.figures),
            "first_fy": n.first_fy,
            "last_fy": n.last_fy,
        }
        for n in found
    ]


def _named_columns(column: str) -> list[str]:
    return [column, "spellings", *_SUMS, "first_fy", "last_fy"]


def _named_shown(column: str) -> list[str]:
    """What a narrow screen keeps of a list of names: the name and its figures."""
    return [column, "trainees", "cost_cents", "last_fy"]


def names(page: NamesPage, what: str, limit: int | None, offset: int) -> Table:
    column = NAME_LISTS[what][1]
    title = f"{page.recipient.name}: {what}, most frequent first"
    rows = _named(page.names, column)
    meta = _recipient(page.recipient)
    return Table(
        _named_columns(column), rows, page.total, limit, offset, meta, title, _named_shown(column)
    )


def country(profile: CountryProfile) -> dict[str, Any]:
    """A recipient's profile: its totals, then its tables (the first, per fiscal year and
    programme, is the one a CSV gives)."""
    r = profile.recipient
    tops = {
        what: Table(
            _named_columns(NAME_LISTS[what][1]),
            _named(found, NAME_LISTS[what][1]),
            title=f"top {what}",
            shown=_named_shown(NAME_LISTS[what][1]),
        )
        for what, found in (
            ("courses", profile.top_courses),
            ("schools", profile.top_us_units),
            ("locations", profile.top_locations),
            ("units", profile.top_student_units),
        )
    }
    programmes = Table(
        ["programme_code", "name", "first_fy", "last_fy", "years", *_SUMS],
        [
            {
                "programme_code": p.code,
                "name": p.name,
                "first_fy": p.first_fy,
                "last_fy": p.last_fy,
                "years": p.years,
                **_sums(p.figures),
            }
            for p in profile.programmes
        ],
        title="programmes",
        shown=["programme_code", "first_fy", "last_fy", "trainees", "cost_cents"],
    )
    sources = Table(
        ["edition", "file", "url", "blocks", "first_page", "last_page"],
        [dataclasses.asdict(s) for s in profile.sources],
        title="where the figures are printed",
    )
    return {
        "country_code": r.code,
        "name": r.name,
        "kind": r.kind,
        **_sums(profile.total),
        "series": country_series(profile),
        "programmes": programmes,
        **tops,
        "sources": sources,
    }


def programmes(found: list[ProgrammeTotals]) -> Table:
    cols = ["programme_code", "name", "family", "department", *_SUMS]
    rows = [
        {
            "programme_code": p.programme.code,
            "name": p.programme.name,
            "family": p.programme.family,
            "department": p.programme.department,
            **_sums(p.figures),
        }
        for p in found
    ]
    shown = ["programme_code", "trainees", "cost_cents", "rows"]
    return Table(cols, rows, len(rows), title="programmes, most trainees first", shown=shown)


def trend(found: ProgrammeTrend) -> Table:
    cols = ["fy", "trainees", "cost_cents", "countries", "rows"]
    rows = [{"fy": p.fy, **_sums(p.figures), "countries": p.recipients} for p in found.points]
    p = found.programme
    meta = {"programme_code": p.code, "name": p.name}
    return Table(cols, rows, len(rows), meta=meta, title=f"{p.name} ({p.code}) per fiscal year")


def comparison(result: Comparison) -> Table:
    cols = ["fy", "country_code", *_SUMS]
    rows = [
        {"fy": fy, "country_code": code, **_sums(f)}
        for fy, per in sorted(result.by_year.items())
        for code, f in sorted(per.items())
    ]
    names = ", ".join(f"{r.name} ({r.code})" for r in result.recipients)
    programme = result.programme.code if result.programme else None
    meta = {"programme_code": programme} if programme else {}
    title = f"{names} per fiscal year" + (f", {programme}" if programme else "")
    return Table(cols, rows, len(rows), meta=meta, title=title)


def comparison_wide(
    result: Comparison, years: Iterable[int] = (), covered: Iterable[int] = ()
) -> Table:
    """The comparison with a column per recipient and measure (``PAK_trainees``,
    ``PAK_cost_cents``), a row per fiscal year of ``years`` (a covered year without training
    is 0, a year no edition covers has no figure), and a last row of totals."""
    codes = [r.code for r in result.recipients]
    cols = ["fy"] + [f"{c}_{m}" for c in codes for m in ("trainees", "cost_cents")]
    covered_set = set(covered)
    rows: list[dict[str, Any]] = []
    sums = {c: [0, 0] for c in codes}
    for fy in sorted(set(years) | set(result.by_year)):
        per = result.by_year.get(fy, {})
        row: dict[str, Any] = {"fy": fy}
        for c in codes:
            f = per.get(c)
            known = f is not None or fy in covered_set
            row[f"{c}_trainees"] = (f.trainees if f else 0) if known else None
            row[f"{c}_cost_cents"] = (f.cost_cents if f else 0) if known else None
            if f is not None:
                sums[c][0] += f.trainees
                sums[c][1] += f.cost_cents
        rows.append(row)
    total: dict[str, Any] = {"fy": "total"}
    for c in codes:
        total[f"{c}_trainees"], total[f"{c}_cost_cents"] = sums[c]
    rows.append(total)
    programme = result.programme.code if result.programme else None
    meta = {
        "countries": [{"country_code": r.code, "name": r.name} for r in result.recipients],
        "programme_code": programme,
    }
    names = ", ".join(r.name for r in result.recipients)
    title = f"{names}: {programme or 'all programmes'} per fiscal year"
    return Table(cols, rows, len(rows) - 1, meta=meta, title=title)


# --- figures per fiscal year ---------------------------------------------------------------


def top(result: TopResult, limit: int | None, offset: int, years: bool = False) -> Table:
    """The ranking; ``years``: a column per fiscal year of the measure ranked by
    (``fy2003_trainees``... or ``fy2003_cost_cents``...)."""
    measure = "cost_cents" if result.by == "cost" else "trainees"
    fys = list(result.year_totals) if years else []
    cols = ["rank", "country_code", "name", *_SUMS, "years", *(f"fy{y}_{measure}" for y in fys)]
    rows = [
        {
            "rank": r.rank,
            "country_code": r.code,
            "name": r.name,
            **_sums(r.figures),
            "years": len(r.by_year),
            **{
                f"fy{y}_{measure}": getattr(r.by_year[y], measure) if y in r.by_year else 0
                for y in fys
            },
        }
        for r in _page_list(result.recipients, limit, offset)
    ]
    programme = result.programme.code if result.programme else None
    meta = {
        "programme_code": programme,
        "first_fy": result.first_fy,
        "last_fy": result.last_fy,
        "by": result.by,
    }
    title = (
        f"{programme or 'all programmes'}, FY{result.first_fy}-FY{result.last_fy}, by "
        f"{result.by}: {len(rows)} of {result.recipients_total} recipients"
    )
    shown = ["rank", "name", "trainees", "cost_cents"]
    return Table(cols, rows, result.recipients_total, limit, offset, meta, title, shown)


def series(s: Series) -> Table:
    cols = ["fy", "status", *_SUMS, "editions"]
    rows = [
        {
            "fy": p.fy,
            "status": p.status,
            **(
                _sums(p.figures)
                if p.figures is not None
                else dict.fromkeys(_SUMS)  # not covered: no figure at all, not 0
            ),
            "editions": p.editions,
        }
        for p in s.points
    ]
    programme = s.programme.code if s.programme else None
    meta = {
        "country_code": s.recipient.code,
        "name": s.recipient.name,
        "programme_code": programme,
        "first_fy": s.first_fy,
        "last_fy": s.last_fy,
    }
    title = f"{s.recipient.name} ({s.recipient.code}), {programme or 'all programmes'}"
    return Table(cols, rows, len(rows), meta=meta, title=title)


def gaps(result: GapsResult) -> Table:
    cols = ["country_code", "name", "first_fy", "last_fy", "missing"]
    rows = [
        {
            "country_code": g.code,
            "name": g.name,
            "first_fy": g.years[0],
            "last_fy": g.years[-1],
            "missing": runs(g.missing),
        }
        for g in result.gaps
    ]
    programme = result.programme.code if result.programme else None
    title = f"{len(rows)} recipients with gaps in {programme or 'any programme'}"
    return Table(cols, rows, len(rows), meta={"programme_code": programme}, title=title)


# --- names and rows ------------------------------------------------------------------------


HIT_COLUMNS = [
    "stable_id", "training_id", "fy", "counted", "country_code", "programme_code", "course_title",
    "us_unit", "student_unit", "location", "quantity_value", "cost_cents", "start_on", "end_on",
    "edition", "file", "pdf_page", "report_page", "url",
]  # fmt: skip


# What a narrow screen shows of a hit: where it was and what, and where it is printed.
HIT_SHOWN = [
    "stable_id", "fy", "country_code", "course_title", "student_unit", "location", "quantity_value",
    "cost_cents", "file", "pdf_page",
]  # fmt: skip


def hit(h: TrainingHit) -> dict[str, Any]:
    """A training row as a question's answer lists it, with its provenance."""
    p = h.provenance
    return {
        "stable_id": h.stable_id,
        "training_id": h.training_id,
        "fy": h.fy,
        "counted": h.counted,
        "country_code": h.country_code,
        "programme_code": h.programme_code,
        "course_title": h.course_title,
        "us_unit": h.us_unit,
        "student_unit": h.student_unit,
        "location": h.location,
        "quantity_value": h.quantity,
        "cost_cents": h.cost_cents,
        "start_on": h.start_on,
        "end_on": h.end_on,
        "edition": p.edition,
        "file": p.file,
        "pdf_page": p.pdf_page,
        "report_page": p.report_page,
        "url": p.url,
    }


def hits(found: list[TrainingHit], total: int, limit: int | None, offset: int) -> Table:
    """One page of training rows with their provenance."""
    rows = [hit(h) for h in found]
    return Table(list(HIT_COLUMNS), rows, total, limit, offset, shown=HIT_SHOWN)


def _figure_row(f: Figures) -> dict[str, int]:
    return {**_sums(f), "rows_without_quantity": f.rows_without_quantity,
            "rows_without_cost": f.rows_without_cost}  # fmt: skip


# The facets of a search: (its table's name in the document, the value's column).
FACET_TABLES = {
    "country": ("by_country", "country_code"),
    "programme": ("by_programme", "programme_code"),
    "fy": ("by_fy", "fy"),
    "school": ("by_school", "us_unit_key"),
    "location": ("by_location", "location_key"),
}


def found(result: Found, limit: int | None) -> dict[str, Any]:
    """A search's answer: how the text was read, the filters, the count and sums, the rows (the
    table a CSV gives) and one table per facet."""
    r = result.reading
    document: dict[str, Any] = {
        "text": r.text,
        "recognised": [
            {"words": x.words, "kind": x.kind, "value": x.value, "name": x.name}
            for x in r.recognised
        ],
        "words": " ".join(r.words),
        "field": r.field,
        "related": [{"words": a, "also": b} for a, b in r.related],
        "country_code": result.country.code if result.country else None,
        "programme_code": result.programme.code if result.programme else None,
        "first_fy": result.first_fy,
        "last_fy": result.last_fy,
        "all_editions": result.all_editions,
        "total": result.total,
        **_figure_row(result.figures),
        "literal_total": result.literal_total,
        "training_rows": hits(result.hits, result.total, limit, result.offset),
    }
    for name, (table, column) in FACET_TABLES.items():
        facet = result.facets[name]
        document[table] = Table(
            [column, "name", *_SUMS],
            [{column: v.value, "name": v.label, **_sums(v.figures)} for v in facet.values],
            facet.distinct,
            title=f"by {name}",
        )
    return document


def _unit_row(u: Unit) -> dict[str, Any]:
    return {
        "country_code": u.country_code,
        "country": u.country,
        "unit": u.unit,
        "name": u.name,
        "match": u.match,
        "variants": list(u.variants),
        "first_fy": u.first_fy,
        "last_fy": u.last_fy,
        **_sums(u.figures),
        # Every row of the unit, every edition (``rows`` above counts counted rows only).
        "printed_rows": u.printed_rows,
        "keys": u.keys,
    }


UNIT_COLUMNS = ["country_code", "country", "unit", "name", "match", "variants", "first_fy"]
UNIT_COLUMNS += ["last_fy", *_SUMS, "printed_rows", "keys"]


def units(result: UnitMatches, limit: int | None) -> Table:
    """A unit search: one row per recipient's unit, best first."""
    where = f" of {result.country.name}" if result.country else ""
    title = f"{result.total:,} student units{where} named like {result.text!r}"
    meta = {
        "country_code": result.country.code if result.country else None,
        "words": result.canonical,
    }
    shown = [c for c in UNIT_COLUMNS if c not in ("unit", "keys", "country")]
    rows = [_unit_row(u) for u in result.units]
    return Table(list(UNIT_COLUMNS), rows, result.total, limit, result.offset, meta, title, shown)


def _named_rows(found: list[NamedFigures], column: str) -> Table:
    return Table(
        [column, *_SUMS, "first_fy", "last_fy"],
        [
            {column: n.name, **_sums(n.figures), "first_fy": n.first_fy, "last_fy": n.last_fy}
            for n in found
        ],
        len(found),
    )


def unit_profile(profile: UnitProfile, rows: Table) -> dict[str, Any]:
    """A unit's page: its names and figures, per fiscal year and programme, its courses,
    locations and US schools, its rows (the table a CSV gives), the same name elsewhere."""
    u = profile.unit
    return {
        **{k: v for k, v in _unit_row(u).items() if k not in ("match",)},
        "variants": [{"spelling": k, "printed_rows": v} for k, v in u.variants.items()],
        "years": u.years,
        "rows_without_quantity": u.figures.rows_without_quantity,
        "rows_without_cost": u.figures.rows_without_cost,
        "earlier_edition_rows": profile.earlier_rows,
        "training_rows": rows,
        "by_year": Table(
            ["fy", "programme_code", *_SUMS],
            [{"fy": fy, "programme_code": p, **_sums(f)} for fy, p, f in profile.by_year],
            len(profile.by_year),
        ),
        "courses": _named_rows(profile.courses, "course_title"),
        "locations": _named_rows(profile.locations, "location"),
        "schools": _named_rows(profile.schools, "us_unit"),
        "elsewhere": Table(
            ["country_code", "country", "unit", "name", *_SUMS, "printed_rows"],
            [
                {
                    k: v
                    for k, v in _unit_row(o).items()
                    if k in ("country_code", "country", "unit", "name", *_SUMS, "printed_rows")
                }
                for o in profile.others
            ],  # fmt: skip
            len(profile.others),
        ),
    }


COURSE_COLUMNS = ["course", "name", "match", "variants", "countries", "first_fy", "last_fy"]
COURSE_COLUMNS += [*_SUMS, "printed_rows"]


def _course_row(c: Any) -> dict[str, Any]:
    return {
        "course": c.course,
        "name": c.name,
        "match": c.match,
        "variants": list(c.variants),
        "countries": c.countries,
        "first_fy": c.first_fy,
        "last_fy": c.last_fy,
        **_sums(c.figures),
        "printed_rows": c.printed_rows,
    }


def courses(result: CourseMatches, limit: int | None) -> Table:
    """A course search: one row per course (titles with the same canonical words)."""
    title = f"{result.total:,} courses, {result.rows:,} rows, match {result.text!r}"
    meta = {
        "words": result.canonical,
        "related": [{"words": a, "also": b} for a, b in result.related],
        "matching_rows": result.rows,
    }
    shown = [c for c in COURSE_COLUMNS if c not in ("course", "variants")]
    rows = [_course_row(c) for c in result.courses]
    return Table(list(COURSE_COLUMNS), rows, result.total, limit, result.offset, meta, title, shown)


def course_profile(profile: CourseProfile, rows: Table) -> dict[str, Any]:
    """A course's page: its titles and figures, per recipient and per fiscal year, its US
    schools and locations, its rows (the table a CSV gives)."""
    c = profile.course
    return {
        **{k: v for k, v in _course_row(c).items() if k != "match"},
        "variants": [{"spelling": k, "printed_rows": v} for k, v in c.variants.items()],
        "keys": c.keys,
        "rows_without_quantity": c.figures.rows_without_quantity,
        "rows_without_cost": c.figures.rows_without_cost,
        "training_rows": rows,
        "by_country": Table(
            ["country_code", "country", *_SUMS, "first_fy", "last_fy"],
            [
                {
                    "country_code": x.country_code,
                    "country": x.country,
                    **_sums(x.figures),
                    "first_fy": x.first_fy,
                    "last_fy": x.last_fy,
                }
                for x in profile.by_country
            ],  # fmt: skip
            len(profile.by_country),
        ),
        "by_year": Table(
            ["fy", "countries", *_SUMS],
            [{"fy": fy, "countries": n, **_sums(f)} for fy, n, f in profile.by_year],
            len(profile.by_year),
        ),
        "schools": _named_rows(profile.schools, "us_unit"),
        "locations": _named_rows(profile.locations, "location"),
    }


# The columns of a training row the HTML search shows (the API and downloads have them all).
ROW_COLUMNS_SHOWN = [
    "stable_id", "edition", "fy", "country_code", "programme_code", "course_title", "us_unit",
    "student_unit", "location", "quantity", "cost", "start_date", "end_date", "counted",
    "pdf_page",
]  # fmt: skip


# What a phone keeps of a training row: when, what (its link to the row) and who, how many,
# what it cost.
ROW_COLUMNS_PHONE = ["fy", "course_title", "student_unit", "quantity", "cost"]


def training(
    selection: Selection, limit: int | None, offset: int, shown: list[str] | None = None
) -> Table:
    rows = [dict(zip(selection.columns, r, strict=True)) for r in selection.rows]
    columns = shown or list(selection.columns)
    phone = [c for c in ROW_COLUMNS_PHONE if c in columns] or None
    return Table(columns, rows, None, limit, offset, shown=phone)


# --- participation history ---------------------------------------------------------------------


def timeline(t: Timeline) -> dict[str, Any]:
    """Per fiscal year the figures, the reports' status, the obligations and their status, the
    registry's events and the gaps in each source; then the events with their sources (the
    table a CSV gives is the years)."""
    money = t.funding is not None and bool(t.accounts)
    years = Table(
        ["fy", "status", *_SUMS, "editions", "gap", "events", "funding_status"]
        + [*_OBLIGATED, "funding_gap", "sources"],
        [
            {
                "fy": y.fy,
                "status": y.status,
                **(_sums(y.figures) if y.figures is not None else dict.fromkeys(_SUMS)),
                "editions": y.editions,
                "gap": y.gap,
                "events": [f"{m.event_id}: {', '.join(m.roles)}" for m in y.events],
                "funding_status": y.funding_status,
                **_obligated(y.obligations),
                "funding_gap": y.funding_gap,
                "sources": y.sources,
            }
            for y in t.years
        ],
        title="per fiscal year",
        # On a screen: the obligations beside the training when there are any, else the
        # training alone.
        shown=["fy", "obligated_cents", "funding_status", "funding_gap", "trainees", "cost_cents"]
        + ["status", "gap", "events"]
        if money
        else ["fy", "status", *_SUMS, "editions", "gap", "events"],
    )
    events = Table(
        ["event_id", "kind", "programmes", "effective", "precision", "until", "announced"]
        + ["authority", "sources"],
        [
            {
                "event_id": e.id,
                "kind": e.kind,
                "programmes": list(e.programmes),
                "effective": str(e.effective),
                "precision": e.effective.precision,
                "until": str(e.until) if e.until else None,
                "announced": str(e.announced) if e.announced else None,
                "authority": e.authority,
                "sources": [f"{s.citation()}: \u201c{s.sentence}\u201d" for s in e.sources],
            }
            for e in t.events
        ],
        title="the registry's events",
    )
    g = t.gaps
    programme = t.programme.code if t.programme else None
    return {
        "country_code": t.recipient.code,
        "name": t.recipient.name,
        "programme_code": programme,
        "first_fy": t.first_fy,
        "last_fy": t.last_fy,
        "years": years,
        "gaps": runs(g.gaps),
        "none_before_first_training": runs(g.before),
        "none_after_last_training": runs(g.after),
        "not_covered": runs(g.not_covered),
        "accounts": t.accounts,
        "obligation_gaps": runs(t.funding_gaps.gaps) if t.funding_gaps else None,
        "none_before_first_obligation": runs(t.funding_gaps.before) if t.funding_gaps else None,
        "none_after_last_obligation": runs(t.funding_gaps.after) if t.funding_gaps else None,
        "transition_quarter_obligated_cents": _cents(t.transition_quarter),
        "funding_source": funding_source(t.funding),
        "events": events,
    }


def suspension_rows(check: SuspensionCheck) -> dict[str, Any]:
    """The suspensions, then every training row dated inside one, with its marks."""
    suspensions = Table(
        ["event_id", "programmes", "possible_first", "certain_first", "certain_last"]
        + ["possible_last", "ended_by", "rows"],
        [
            {
                "event_id": s.event_id,
                "programmes": s.programmes,
                "possible_first": s.possible_first,
                "certain_first": s.certain_first,
                "certain_last": s.certain_last,
                "possible_last": s.possible_last,
                "ended_by": s.ended_by,
                "rows": sum(1 for x in check.rows if x.suspension == s.event_id),
            }
            for s in check.suspensions
        ],
        title="suspensions",
    )
    rows = Table(
        ["suspension", "surely_inside", "began_before", "ran_past_end", "undated", *HIT_COLUMNS],
        [
            {
                "suspension": x.suspension,
                "surely_inside": x.surely_inside,
                "began_before": x.began_before,
                "ran_past_end": x.ran_past_end,
                "undated": x.undated,
                **hit(x.training),
            }
            for x in check.rows
        ],
        title=f"{len(check.rows)} training rows meet a suspension",
        shown=["suspension", "surely_inside", "began_before", "fy", "programme_code"]
        + ["course_title", "start_on", "end_on", "stable_id"],
    )
    # The rows first: they are what a CSV of this answer gives.
    return {"rows": rows, "suspensions": suspensions}


# --- money beside training (the Greenbook's obligations) -------------------------------------

_OBLIGATED = ["obligated_cents", "obligated_2020_cents"]


def _cents(money: Money | None, constant: bool = False) -> int | None:
    """Whole dollars as cents (exact)."""
    if money is None:
        return None
    return (money.constant_dollars if constant else money.current_dollars) * 100


def _obligated(money: Money | None) -> dict[str, int | None]:
    """Obligations in current and in constant 2020 dollars, as cents (None: not covered)."""
    return {"obligated_cents": _cents(money), "obligated_2020_cents": _cents(money, True)}


def _share(value: Decimal | None) -> float | None:
    """A ratio as a JSON number (fmtr.query.funding rounds it to four places)."""
    return None if value is None else float(value)


def _per_trainee(value: Decimal | None) -> int | None:
    """Dollars per trainee (to the cent, as fmtr.query.funding gives them) as cents."""
    return None if value is None else int(value * 100)


def funding_source(source: FundingSource | None) -> dict[str, Any] | None:
    """Where the obligations come from: the workbook as loaded (None: no funding data)."""
    return None if source is None else dataclasses.asdict(source)


def _dollars_word(constant: bool) -> str:
    return "constant 2020 dollars" if constant else "current dollars"


def funding_series(s: FundingSeries, constant: bool) -> dict[str, Any]:
    """One recipient's obligations per period (the transition quarter a period of its own),
    then per period and account; ``constant`` says which dollars a screen shows."""
    which = "constant" if constant else "current"
    shown_money = _OBLIGATED[1] if constant else _OBLIGATED[0]
    periods = Table(
        ["period", "fy", "status", *_OBLIGATED, "rows", "accounts", "sheet_rows"],
        [
            {
                "period": p.period,
                "fy": p.fy,
                "status": p.status,
                **_obligated(p.money),
                "rows": p.money.rows,
                "accounts": sorted(
                    p.by_account, key=lambda a: (-p.by_account[a].dollars(which), a)
                ),
                "sheet_rows": p.rows,
            }
            for p in s.points
        ],
        len(s.points),
        title=f"{s.recipient.name} ({s.recipient.code}), "
        f"{s.account.label if s.account else 'every account'}: obligations in "
        f"{_dollars_word(constant)} per period",
        shown=["period", "status", shown_money, "rows"],
    )
    by_account = Table(
        ["period", "fy", "account", *_OBLIGATED, "rows"],
        [
            {"period": p.period, "fy": p.fy, "account": a, **_obligated(m), "rows": m.rows}
            for p in s.points
            for a, m in sorted(p.by_account.items(), key=lambda kv: (-kv[1].dollars(which), kv[0]))
        ],
        title="per period and account",
        shown=["period", "account", shown_money, "rows"],
    )
    ref = s.account
    return {
        "country_code": s.recipient.code,
        "name": s.recipient.name,
        "account": ref.label if ref else None,
        "programme_code": ref.programme.code if ref and ref.programme else None,
        "accounts": list(ref.accounts) if ref else None,
        "first_fy": s.first_fy,
        "last_fy": s.last_fy,
        "transition_quarter": s.transition_quarter,
        "dollars": which,
        **_obligated(s.total),
        "rows": s.total.rows,
        "periods": periods,
        "by_account": by_account,
        "source": funding_source(s.source),
    }


def funding_top(r: FundingTop, limit: int | None, offset: int) -> dict[str, Any]:
    """Recipients of an account ranked by obligations (``by``: current or constant dollars)."""
    shown_money = _OBLIGATED[1] if r.by == "constant" else _OBLIGATED[0]
    tq = " (with the transition quarter)" if r.transition_quarter else ""
    recipients = Table(
        ["rank", "country_code", "name", "kind", *_OBLIGATED, "rows", "periods"],
        [
            {
                "rank": x.rank,
                "country_code": x.code,
                "name": x.name,
                "kind": x.kind,
                **_obligated(x.money),
                "rows": x.money.rows,
                "periods": x.periods,
            }
            for x in _page_list(r.recipients, limit, offset)
        ],
        r.recipients_total,
        limit,
        offset,
        title=f"{r.account.label}, FY{r.first_fy}-FY{r.last_fy}{tq}, by obligations in "
        f"{_dollars_word(r.by == 'constant')}: {r.recipients_total} recipients",
        shown=["rank", "country_code", "name", shown_money, "periods"],
    )
    ref = r.account
    return {
        "account": ref.label,
        "programme_code": ref.programme.code if ref.programme else None,
        "accounts": list(ref.accounts),
        "first_fy": r.first_fy,
        "last_fy": r.last_fy,
        "transition_quarter": r.transition_quarter,
        "by": r.by,
        "recipients_total": r.recipients_total,
        "total_obligated_cents": _cents(r.total),
        "total_obligated_2020_cents": _cents(r.total, True),
        "recipients": recipients,
        "source": funding_source(r.source),
    }


# Each measure of ``largest`` as a column: (value column, rank column).
_MEASURE_COLUMNS = {
    OBLIGATIONS_CURRENT: ("obligated_cents", "obligated_rank"),
    OBLIGATIONS_CONSTANT: ("obligated_2020_cents", "obligated_2020_rank"),
    COURSE_COSTS: ("course_cost_cents", "course_cost_rank"),
    TRAINEES: ("trainees", "trainees_rank"),
}


def _measured(measure: str, value: int) -> int:
    """A measure's value in the documents' units: obligations' dollars as cents."""
    return value * 100 if MEASURES[measure][1] == "dollars" else value


def largest(r: Largest) -> dict[str, Any]:
    """The leader under each measure, then each recipient under every measure with its rank
    among countries (none for the Greenbook's groups), where they disagree and why."""
    names = {x.code: x.name for x in r.recipients}
    leaders = Table(
        ["measure", "label", "source", "first_fy", "last_fy", "country_code", "name"]
        + ["amount_cents", "trainees"],
        [
            {
                "measure": m.measure,
                "label": m.label,
                "source": m.source,
                "first_fy": m.first_fy,
                "last_fy": m.last_fy,
                "country_code": m.leader,
                "name": names.get(m.leader, m.leader) if m.leader else None,
                "amount_cents": _measured(m.measure, m.top[0].value)
                if m.top and m.measure != TRAINEES
                else None,
                "trainees": m.top[0].value if m.top and m.measure == TRAINEES else None,
            }
            for m in r.measures
        ],
        len(r.measures),
        title=f"Largest recipient of {r.programme.code}, FY{r.first_fy}-FY{r.last_fy}: "
        "the leader under each measure",
        shown=["label", "source", "first_fy", "last_fy", "name", "amount_cents", "trainees"],
    )
    columns = [c for pair in _MEASURE_COLUMNS.values() for c in pair]
    recipients = Table(
        ["country_code", "name", "kind", *columns],
        [
            {
                "country_code": x.code,
                "name": x.name,
                "kind": x.kind,
                **{
                    c: v
                    for m, (value, rank) in _MEASURE_COLUMNS.items()
                    for c, v in ((value, _measured(m, x.values[m])), (rank, x.ranks[m]))
                },
            }
            for x in r.recipients
        ],
        len(r.recipients),
        title="each recipient under every measure (#: rank among countries)",
        shown=["country_code", "name", *columns],
    )
    editions = Table(
        ["fy", "editions"],
        [{"fy": fy, "editions": found} for fy, found in sorted(r.editions.items())],
        len(r.editions),
        title="editions counted",
    )
    return {
        "programme_code": r.programme.code,
        "accounts": list(r.accounts),
        "training_programmes": list(r.training_programmes),
        "first_fy": r.first_fy,
        "last_fy": r.last_fy,
        "transition_quarter": r.transition_quarter,
        "agree": r.agree,
        "leaders": leaders,
        "recipients": recipients,
        "editions": editions,
        "notes": Notes(r.notes),
        "why_measures_can_disagree": Notes(r.why),
        "source": funding_source(r.source),
    }


def funding_courses(r: MoneyAndCourses) -> dict[str, Any]:
    """Per fiscal year: obligated beside the courses and trainees the reports list, the cost
    and the obligation per trainee, the share of the obligation listed as courses; then the
    same over the years both sources cover."""
    years = Table(
        ["fy", "funding_status", *_OBLIGATED, "status", *_SUMS, "listed_cost_per_trainee_cents"]
        + ["obligated_per_trainee_cents", "listed_share", "editions"],
        [
            {
                "fy": y.fy,
                "funding_status": y.funding_status,
                **_obligated(y.obligated),
                "status": y.training_status,
                **(_sums(y.courses) if y.courses is not None else dict.fromkeys(_SUMS)),
                "listed_cost_per_trainee_cents": _per_trainee(y.listed_cost_per_trainee),
                "obligated_per_trainee_cents": _per_trainee(y.obligated_per_trainee),
                "listed_share": _share(y.listed_share),
                "editions": y.editions,
            }
            for y in r.years
        ],
        len(r.years),
        title=f"{r.recipient.name} ({r.recipient.code}), {r.programme.code}: obligated "
        f"beside the courses listed ({', '.join(r.training_programmes)}), "
        f"FY{r.first_fy}-FY{r.last_fy}",
        shown=["fy", "obligated_cents", "cost_cents", "trainees", "listed_cost_per_trainee_cents"]
        + ["obligated_per_trainee_cents", "listed_share", "status"],
    )
    return {
        "country_code": r.recipient.code,
        "name": r.recipient.name,
        "programme_code": r.programme.code,
        "accounts": list(r.accounts),
        "training_programmes": list(r.training_programmes),
        "first_fy": r.first_fy,
        "last_fy": r.last_fy,
        "years": years,
        "both_sources": {
            **_obligated(r.obligated),
            **_sums(r.courses),
            "listed_share": _share(r.listed_share),
        },
        "notes": Notes(
            [
                "both_sources: the years a loaded edition of the reports covers (obligated, "
                "and the courses they list); a year no edition covers has no course figures.",
                r.note,
            ]
        ),
        "source": funding_source(r.source),
    }


def funding_accounts(found: list[AccountInfo]) -> Table:
    """The Greenbook's accounts, the programme each is (where it is one) and why."""
    cols = ["account", "programme_code", "pays_for", "categories", "first_fy", "last_fy"]
    cols += ["rows", "why"]
    rows = [
        {
            "account": a.account,
            "programme_code": a.programme,
            "pays_for": a.pays_for,
            "categories": a.categories,
            "first_fy": a.first_fy,
            "last_fy": a.last_fy,
            "rows": a.rows,
            "why": a.why,
        }
        for a in found
    ]
    return Table(cols, rows, len(rows), title=f"{len(rows)} Greenbook accounts")


# --- the proof (fmtr.verify) -------------------------------------------------------------------


def proof(report: VerifyReport, text: TextReport | None = None) -> dict[str, Any]:
    """`fmtr verify --json`: each edition's verdict on its printed totals, every total that does
    not reconcile (listed source errors included, with their reason), and, when the text proof
    ran, its counts per edition and every cell whose words the second reader did not find
    (those listed in text_exceptions.tsv carry their reason in ``listed``)."""
    document: dict[str, Any] = {
        "editions": report.editions,
        "problems": [c for c in report.checks if c.status != RECONCILED],
    }
    if text is not None:
        document["text"] = {"editions": text.editions, "differences": text.differences}
    return document


_RECONCILED = ["blocks", "blocks_with_totals", "reconciled", "mismatched", "source_errors"]


def reconciled_blocks(report: VerifyReport) -> Table:
    """The printed totals' verdict per edition, and over all editions."""
    rows = [
        {"edition": v.edition, **{c: getattr(v, c) for c in _RECONCILED}} for v in report.editions
    ]
    rows.append({"edition": "all", **{c: sum(r[c] for r in rows) for c in _RECONCILED}})
    return Table(
        ["edition", *_RECONCILED],
        rows,
        len(rows),
        title="Printed totals reconciled (blocks)",
    )


_TEXT_PROOF = ["rows", "rows_found", "rows_listed", "unlisted"]


def text_proof(report: TextReport) -> Table:
    """The text proof per edition, and over all editions: rows checked, rows whose every word
    the second reader finds, rows whose other words are all listed as the source's own, and
    cells with a word neither found nor listed."""
    rows = [
        {"edition": v.edition, **{c: getattr(v, c) for c in _TEXT_PROOF}} for v in report.editions
    ]
    rows.append({"edition": "all", **{c: sum(r[c] for r in rows) for c in _TEXT_PROOF}})
    return Table(
        ["edition", *_TEXT_PROOF],
        rows,
        len(rows),
        title="Text cells: every word found on its page by a second reader",
    )
