"""One training row with every field it has and where it comes from, found by its stable
identifier ("2016-africa-p50-3", fmtr.sources.ids) or by its integer id (which a build may
give to another row: kept for continuity, not for citing)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, text

_ROW_SQL = """
    SELECT t.id, t.stable_id, t.seq, t.page, t.last_page,
           t.course_title, t.us_unit, t.student_unit, t.location, t.quantity, t.cost,
           t.start_date, t.end_date,
           t.quantity_value, t.cost_cents, t.start_on, t.end_on, t.flags,
           t.course_key, t.location_key, t.student_unit_key, t.us_unit_key,
           b.id AS block_id, b.stable_id AS block_stable_id, b.heading, b.region,
           b.country AS printed_country,
           b.programme AS printed_programme, b.fiscal_year AS printed_fiscal_year,
           b.department, b.first_page AS block_first_page, b.last_page AS block_last_page,
           b.country_code, c.name AS country_name, b.programme_code, p.name AS programme_name,
           b.programme_variant, b.fy, b.counted,
           e.name AS edition, e.stable_id AS edition_stable_id, d.file,
           d.stable_id AS document_stable_id, d.url, d.sha256, d.pages AS document_pages,
           d.report_page_offset
    FROM training t
    JOIN programme_block b ON b.id = t.block_id
    JOIN document d ON d.id = b.document_id
    JOIN edition e ON e.id = d.edition_id
    LEFT JOIN country c ON c.code = b.country_code
    LEFT JOIN programme p ON p.code = b.programme_code
    WHERE {where}
    """

_TOTALS_SQL = text(
    """
    SELECT stable_id, kind, label, page, quantity, cost, status, detail
    FROM printed_total WHERE block_id = :block ORDER BY seq
    """
)

_NEIGHBOURS_SQL = text(
    """
    SELECT (SELECT id FROM training WHERE block_id = :block AND seq < :seq
            ORDER BY seq DESC LIMIT 1) AS previous_id,
           (SELECT id FROM training WHERE block_id = :block AND seq > :seq
            ORDER BY seq LIMIT 1) AS next_id,
           (SELECT stable_id FROM training WHERE block_id = :block AND seq < :seq
            ORDER BY seq DESC LIMIT 1) AS previous_stable_id,
           (SELECT stable_id FROM training WHERE block_id = :block AND seq > :seq
            ORDER BY seq LIMIT 1) AS next_stable_id,
           (SELECT count(*) FROM training WHERE block_id = :block) AS block_rows
    """
)


@dataclass(frozen=True)
class TrainingRecord:
    """A training row: verbatim cells, cleaned values, its programme block and its document."""

    id: int  # this database's key: a later build may give it to another row
    stable_id: str  # "2016-africa-p50-3": cite this (fmtr.sources.ids)
    seq: int
    # Verbatim cells, as printed.
    course_title: str | None
    us_unit: str | None
    student_unit: str | None
    location: str | None
    quantity: str | None
    cost: str | None
    start_date: str | None
    end_date: str | None
    # Cleaned values (None when the cell gives none; ``flags`` says why).
    quantity_value: int | None
    cost_cents: int | None
    start_on: str | None
    end_on: str | None
    flags: str | None
    course_key: str | None
    location_key: str | None
    student_unit_key: str | None
    us_unit_key: str | None
    # The programme block the row is printed under.
    block_id: int
    block_stable_id: str
    heading: str
    region: str | None
    printed_country: str | None
    printed_programme: str | None
    printed_fiscal_year: str | None
    department: str | None
    country_code: str | None
    country_name: str | None
    programme_code: str | None
    programme_name: str | None
    programme_variant: str | None
    fy: int | None
    counted: bool | None
    # Provenance: edition, file and page.
    edition: str
    edition_stable_id: str
    file: str
    document_stable_id: str
    url: str
    sha256: str
    page: int
    last_page: int | None
    report_page: int | None
    document_pages: int
    block_first_page: int
    block_last_page: int
    previous_id: int | None = None
    next_id: int | None = None
    previous_stable_id: str | None = None
    next_stable_id: str | None = None
    block_rows: int = 0
    printed_totals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_pdf(self) -> bool:
        return self.file.lower().endswith(".pdf")

    @property
    def official_link(self) -> str:
        """The official file, opened at the row's page when it is a PDF (``url#page=N``)."""
        page = self.report_page or self.page
        return f"{self.url}#page={page}" if self.is_pdf else self.url

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["official_link"] = self.official_link
        return data


_BY_ID = text(_ROW_SQL.format(where="t.id = :key"))
_BY_STABLE_ID = text(_ROW_SQL.format(where="t.stable_id = :key"))


def training_row(conn: Connection, training_id: int | str) -> TrainingRecord | None:
    """The training row named ``training_id`` with its provenance, or None when there is none:
    a stable identifier ("2016-africa-p50-3", any case) or an integer id (an int, or a string
    of digits)."""
    key: int | str
    if isinstance(training_id, int):
        key, sql = training_id, _BY_ID
    elif training_id.strip().isdigit():
        key, sql = int(training_id.strip()), _BY_ID
    else:
        key, sql = training_id.strip().lower(), _BY_STABLE_ID
    if isinstance(key, int) and not 0 < key < 2**63:
        return None  # no row has it, and SQLite could not even compare it
    row = conn.execute(sql, {"key": key}).mappings().first()
    if row is None:
        return None
    values = dict(row)
    offset = values.pop("report_page_offset")
    values["report_page"] = None if offset is None else values["page"] + offset
    values["counted"] = None if values["counted"] is None else bool(values["counted"])
    if values["heading"] is None:
        values["heading"] = ""
    near = conn.execute(
        _NEIGHBOURS_SQL, {"block": values["block_id"], "seq": values["seq"]}
    ).mappings()
    values.update(near.one())
    totals = conn.execute(_TOTALS_SQL, {"block": values["block_id"]}).mappings()
    values["printed_totals"] = [dict(t) for t in totals]
    return TrainingRecord(**values)
