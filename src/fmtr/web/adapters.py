"""Questions the web layer asks that ``fmtr.query`` does not answer yet.

Each function here is a stop-gap with the signature the web needs, to be moved into
``fmtr.query`` (and this module emptied). Per-fiscal-year figures use only counted blocks
(``counted = 1``): FY2000 and FY2001 are printed by two editions each.
"""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import Connection, text

from fmtr.web.tables import Table

_TRAINING_COLUMNS = [
    "id",
    "edition",
    "fy",
    "country_code",
    "programme_code",
    "course_title",
    "us_unit",
    "student_unit",
    "location",
    "quantity",
    "cost",
    "start_date",
    "end_date",
    "quantity_value",
    "cost_cents",
    "counted",
    "file",
    "page",
]

_TRAINING_SELECT = """
    SELECT t.id, e.name AS edition, b.fy, b.country_code, b.programme_code,
           t.course_title, t.us_unit, t.student_unit, t.location, t.quantity, t.cost,
           t.start_date, t.end_date, t.quantity_value, t.cost_cents, b.counted, d.file, t.page
    FROM training t
    JOIN programme_block b ON b.id = t.block_id
    JOIN document d ON d.id = b.document_id
    JOIN edition e ON e.id = d.edition_id
"""


def _rows(conn: Connection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def summary(conn: Connection) -> dict[str, Any]:
    """Headline figures of the whole database."""
    row = (
        conn.execute(
            text(
                """
            SELECT count(*) AS rows, coalesce(sum(t.quantity_value), 0) AS trainees,
                   coalesce(sum(t.cost_cents), 0) AS cost_cents,
                   count(DISTINCT b.country_code) AS countries,
                   min(b.fy) AS first_fy, max(b.fy) AS last_fy
            FROM training t JOIN programme_block b ON b.id = t.block_id
            WHERE b.counted = 1
            """
            )
        )
        .mappings()
        .one()
    )
    return dict(row)


def editions(conn: Connection) -> Table:
    rows = _rows(
        conn,
        """
        SELECT e.name AS edition, e.first_fiscal_year, e.layout,
               count(DISTINCT d.id) AS documents, count(t.id) AS rows
        FROM edition e LEFT JOIN document d ON d.edition_id = e.id
        LEFT JOIN programme_block b ON b.document_id = d.id
        LEFT JOIN training t ON t.block_id = b.id
        GROUP BY e.id ORDER BY e.first_fiscal_year
        """,
        {},
    )
    return Table(["edition", "first_fiscal_year", "layout", "documents", "rows"], rows, len(rows))


def countries(conn: Connection, limit: int, offset: int) -> Table:
    cols = ["code", "name", "kind", "trainees", "cost_cents", "rows", "first_fy", "last_fy"]
    rows = _rows(
        conn,
        """
        SELECT c.code, c.name, c.kind, coalesce(sum(t.quantity_value), 0) AS trainees,
               coalesce(sum(t.cost_cents), 0) AS cost_cents, count(t.id) AS rows,
               min(b.fy) AS first_fy, max(b.fy) AS last_fy
        FROM programme_block b JOIN country c ON c.code = b.country_code
        JOIN training t ON t.block_id = b.id
        WHERE b.counted = 1
        GROUP BY c.code ORDER BY c.name LIMIT :limit OFFSET :offset
        """,
        {"limit": limit, "offset": offset},
    )
    total = conn.execute(
        text("SELECT count(DISTINCT country_code) FROM programme_block WHERE counted = 1")
    ).scalar_one()
    return Table(cols, rows, total, limit, offset)


def country(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(
        text("SELECT code, name, kind FROM country WHERE code = :code"), {"code": code.upper()}
    ).mappings()
    found = row.first()
    return dict(found) if found else None


def suggest_country(conn: Connection, name: str) -> list[dict[str, Any]]:
    """Countries whose name or code resembles ``name`` (for 'did you mean')."""
    known = _rows(conn, "SELECT code, name FROM country", {})
    by_name = {r["name"].lower(): r for r in known}
    by_name.update({r["code"].lower(): r for r in known})
    close = difflib.get_close_matches(name.lower(), list(by_name), n=5, cutoff=0.6)
    partial = [r for k, r in by_name.items() if name.lower() in k and len(name) >= 3]
    seen: dict[str, dict[str, Any]] = {}
    for r in [by_name[k] for k in close] + partial:
        seen.setdefault(r["code"], r)
    return list(seen.values())[:8]


def covered_years(conn: Connection) -> list[int]:
    """Fiscal years for which some loaded edition counts figures."""
    return [
        int(r[0])
        for r in conn.execute(
            text("SELECT DISTINCT fy FROM programme_block WHERE counted = 1 AND fy IS NOT NULL")
        )
    ]


def country_series(conn: Connection, code: str) -> Table:
    """Trainees and cost per fiscal year and programme (counted blocks only)."""
    cols = ["fy", "programme_code", "trainees", "cost_cents", "rows"]
    rows = _rows(
        conn,
        """
        SELECT b.fy, coalesce(b.programme_code, '?') AS programme_code,
               coalesce(sum(t.quantity_value), 0) AS trainees,
               coalesce(sum(t.cost_cents), 0) AS cost_cents, count(t.id) AS rows
        FROM programme_block b JOIN training t ON t.block_id = b.id
        WHERE b.country_code = :code AND b.counted = 1 AND b.fy IS NOT NULL
        GROUP BY b.fy, b.programme_code ORDER BY b.fy, b.programme_code
        """,
        {"code": code},
    )
    return Table(cols, rows, len(rows))


# The column a country's "top" table groups by, per table name.
_TOP_OF = {
    "courses": ("course_key", "course_title"),
    "schools": ("us_unit_key", "us_unit"),
    "locations": ("location_key", "location"),
    "units": ("student_unit_key", "student_unit"),
}


def country_top(conn: Connection, code: str, what: str, limit: int, offset: int) -> Table:
    key, shown = _TOP_OF[what]  # both from the fixed map above: never user text in SQL
    label = shown
    cols = [label, "trainees", "cost_cents", "rows", "first_fy", "last_fy"]
    rows = _rows(
        conn,
        f"""
        SELECT min(t.{shown}) AS {label}, coalesce(sum(t.quantity_value), 0) AS trainees,
               coalesce(sum(t.cost_cents), 0) AS cost_cents, count(*) AS rows,
               min(b.fy) AS first_fy, max(b.fy) AS last_fy
        FROM programme_block b JOIN training t ON t.block_id = b.id
        WHERE b.country_code = :code AND b.counted = 1 AND t.{key} IS NOT NULL
        GROUP BY t.{key} ORDER BY trainees DESC, rows DESC LIMIT :limit OFFSET :offset
        """,
        {"code": code, "limit": limit, "offset": offset},
    )
    total = conn.execute(
        text(
            f"""SELECT count(DISTINCT t.{key}) FROM programme_block b
            JOIN training t ON t.block_id = b.id
            WHERE b.country_code = :code AND b.counted = 1"""
        ),
        {"code": code},
    ).scalar_one()
    return Table(cols, rows, total, limit, offset)


def programmes(conn: Connection) -> Table:
    cols = ["code", "name", "family", "department", "trainees", "cost_cents", "rows"]
    rows = _rows(
        conn,
        """
        SELECT p.code, p.name, p.family, p.department,
               coalesce(sum(t.quantity_value), 0) AS trainees,
               coalesce(sum(t.cost_cents), 0) AS cost_cents, count(t.id) AS rows
        FROM programme p JOIN programme_block b ON b.programme_code = p.code AND b.counted = 1
        JOIN training t ON t.block_id = b.id
        GROUP BY p.code ORDER BY trainees DESC
        """,
        {},
    )
    return Table(cols, rows, len(rows))


def programme(conn: Connection, code: str) -> dict[str, Any] | None:
    found = (
        conn.execute(text("SELECT * FROM programme WHERE code = :code"), {"code": code.upper()})
        .mappings()
        .first()
    )
    return dict(found) if found else None


def programme_trend(conn: Connection, code: str) -> Table:
    cols = ["fy", "trainees", "cost_cents", "countries", "rows"]
    rows = _rows(
        conn,
        """
        SELECT b.fy, coalesce(sum(t.quantity_value), 0) AS trainees,
               coalesce(sum(t.cost_cents), 0) AS cost_cents,
               count(DISTINCT b.country_code) AS countries, count(t.id) AS rows
        FROM programme_block b JOIN training t ON t.block_id = b.id
        WHERE b.programme_code = :code AND b.counted = 1 AND b.fy IS NOT NULL
        GROUP BY b.fy ORDER BY b.fy
        """,
        {"code": code},
    )
    return Table(cols, rows, len(rows))


def top_recipients(
    conn: Connection,
    programme: str | None,
    fy_from: int | None,
    fy_to: int | None,
    by: str,
    limit: int,
    offset: int,
) -> Table:
    order = "cost_cents" if by == "cost" else "trainees"  # never user text in SQL
    cols = ["rank", "country_code", "name", "trainees", "cost_cents", "rows", "years"]
    rows = _rows(
        conn,
        f"""
        SELECT b.country_code, c.name, coalesce(sum(t.quantity_value), 0) AS trainees,
               coalesce(sum(t.cost_cents), 0) AS cost_cents, count(t.id) AS rows,
               count(DISTINCT b.fy) AS years
        FROM programme_block b JOIN training t ON t.block_id = b.id
        LEFT JOIN country c ON c.code = b.country_code
        WHERE b.counted = 1
          AND (:programme IS NULL OR b.programme_code = :programme)
          AND (:fy_from IS NULL OR b.fy >= :fy_from) AND (:fy_to IS NULL OR b.fy <= :fy_to)
        GROUP BY b.country_code ORDER BY {order} DESC, b.country_code
        LIMIT :limit OFFSET :offset
        """,
        {
            "programme": programme,
            "fy_from": fy_from,
            "fy_to": fy_to,
            "limit": limit,
            "offset": offset,
        },
    )
    for i, r in enumerate(rows, start=offset + 1):
        r["rank"] = i
    return Table(cols, rows, None, limit, offset)


def _like(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def unit_groups(conn: Connection, q: str, limit: int, offset: int) -> Table:
    """Student units matching ``q``, one group per normalised key with its printed variants."""
    cols = ["student_unit_key", "variants", "countries", "trainees", "rows", "first_fy", "last_fy"]
    rows = _rows(
        conn,
        """
        SELECT t.student_unit_key, group_concat(DISTINCT t.student_unit) AS variants,
               group_concat(DISTINCT b.country_code) AS countries,
               coalesce(sum(CASE WHEN b.counted = 1 THEN t.quantity_value END), 0) AS trainees,
               count(*) AS rows, min(b.fy) AS first_fy, max(b.fy) AS last_fy
        FROM training t JOIN programme_block b ON b.id = t.block_id
        WHERE t.student_unit_key LIKE :pattern ESCAPE '\\'
        GROUP BY t.student_unit_key ORDER BY rows DESC, t.student_unit_key
        LIMIT :limit OFFSET :offset
        """,
        {"pattern": _like(q), "limit": limit, "offset": offset},
    )
    return Table(cols, rows, None, limit, offset)


def training_rows(
    conn: Connection,
    *,
    q: str | None = None,
    country: str | None = None,
    programme: str | None = None,
    fy: int | None = None,
    unit_key: str | None = None,
    limit: int,
    offset: int,
) -> Table:
    """Training rows matching the filters; ``q`` searches course, units and location."""
    where = ["1 = 1"]
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if q:
        where.append(
            "(t.course_key LIKE :pattern ESCAPE '\\' OR t.student_unit_key LIKE :pattern"
            " ESCAPE '\\' OR t.us_unit_key LIKE :pattern ESCAPE '\\'"
            " OR t.location_key LIKE :pattern ESCAPE '\\')"
        )
        params["pattern"] = _like(q)
    if country:
        where.append("b.country_code = :country")
        params["country"] = country.upper()
    if programme:
        where.append("b.programme_code = :programme")
        params["programme"] = programme.upper()
    if fy is not None:
        where.append("b.fy = :fy")
        params["fy"] = fy
    if unit_key is not None:
        where.append("t.student_unit_key = :unit_key")
        params["unit_key"] = unit_key
    sql = f"{_TRAINING_SELECT} WHERE {' AND '.join(where)} ORDER BY b.fy, t.id"
    rows = _rows(conn, f"{sql} LIMIT :limit OFFSET :offset", params)
    return Table(list(_TRAINING_COLUMNS), rows, None, limit, offset)


def compare(conn: Connection, codes: list[str]) -> Table:
    """Trainees and cost per fiscal year for several countries side by side."""
    params = {f"c{i}": c.upper() for i, c in enumerate(codes)}
    marks = ", ".join(f":{k}" for k in params)  # placeholders only; values are bound
    rows = _rows(
        conn,
        f"""
        SELECT b.fy, b.country_code, coalesce(sum(t.quantity_value), 0) AS trainees,
               coalesce(sum(t.cost_cents), 0) AS cost_cents, count(t.id) AS rows
        FROM programme_block b JOIN training t ON t.block_id = b.id
        WHERE b.counted = 1 AND b.fy IS NOT NULL AND b.country_code IN ({marks})
        GROUP BY b.fy, b.country_code ORDER BY b.fy, b.country_code
        """,
        params,
    )
    return Table(["fy", "country_code", "trainees", "cost_cents", "rows"], rows, len(rows))
