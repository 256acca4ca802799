"""A training row as the questions list it (``TrainingHit``, with its provenance), and the
full-text query of a plain text (``fts_query``): shared by the search (fmtr.query.find), the
unit and course pages and the exports.

Row listings may include every edition's rows, with ``counted`` telling whether the row's
figures count for its fiscal year (FY2000 and FY2001 rows appear twice, once per edition
printing them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from fmtr.query.errors import EmptySearch
from fmtr.store.sql import Params, fast_rows, sql_limit


@dataclass
class Provenance:
    edition: str
    file: str
    pdf_page: int
    report_page: int | None
    url: str

    @property
    def link(self) -> str:
        return f"{self.url}#page={self.pdf_page}" if self.file.endswith(".pdf") else self.url


@dataclass
class TrainingHit:
    training_id: int
    stable_id: str  # "2016-africa-p50-3" (fmtr.sources.ids): what to cite
    fy: int | None
    counted: bool
    country_code: str | None
    country: str | None  # as printed
    programme_code: str | None
    course_title: str | None
    us_unit: str | None
    student_unit: str | None
    location: str | None
    quantity: int | None
    cost_cents: int | None
    start_on: str | None
    end_on: str | None
    provenance: Provenance


HIT_COLUMNS_SQL = """
t.id, t.stable_id, b.fy, coalesce(b.counted, FALSE), b.country_code, b.country, b.programme_code,
       t.course_title, t.us_unit, t.student_unit, t.location, t.quantity_value, t.cost_cents,
       t.start_on, t.end_on, e.name, d.file, t.page,
       CASE WHEN d.report_page_offset IS NULL THEN NULL ELSE t.page + d.report_page_offset END,
       d.url
"""
HIT_FROM = """
FROM training t JOIN programme_block b ON b.id = t.block_id
JOIN document d ON d.id = b.document_id JOIN edition e ON e.id = d.edition_id
"""
HIT_SELECT = f"SELECT {HIT_COLUMNS_SQL} {HIT_FROM}"


def training_hit(row: Any) -> TrainingHit:
    tid, sid, fy, counted, code, country, prog = row[:7]
    course, us, student, loc, q, c, start, end = row[7:15]
    return TrainingHit(
        tid, sid, fy, bool(counted), code, country, prog, course, us, student, loc, q, c, start,
        end, Provenance(*row[15:20]),
    )  # fmt: skip


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def fts_query(text: str, column: str | None = None) -> str:
    """An FTS5 query for all the words of ``text`` (each quoted: no user-written operators)."""
    words = _words(text)
    if not words:
        raise EmptySearch(f"nothing to search for in {text!r}")
    expr = " ".join(f'"{w}"' for w in words)
    return f"{column} : ({expr})" if column else expr


def rows_where(
    conn: Connection,
    where: str,
    params: Params,
    *,
    all_editions: bool = False,
    limit: int | None = 50,
    offset: int = 0,
) -> tuple[int, list[TrainingHit]]:
    """How many training rows satisfy ``where`` (over ``t``, ``b``: training and its block;
    counted rows only unless ``all_editions``; named parameters ``params``), and the page of
    them ``offset``..``offset + limit`` (None: all) by fiscal year and report order."""
    if not all_editions:
        where = f"({where}) AND b.counted = TRUE"
    # Straight from sqlite3 on SQLite (fast_rows): a unit's page asks this on the event loop.
    count = fast_rows(
        conn,
        f"SELECT count(*) FROM training t JOIN programme_block b ON b.id = t.block_id "
        f"WHERE {where}",
        params,
    )[0][0]
    if limit == 0:
        return int(count), []
    found = fast_rows(
        conn,
        f"{HIT_SELECT} WHERE {where} "
        "ORDER BY b.fy NULLS FIRST, e.name, d.file, b.seq, t.seq LIMIT :limit OFFSET :offset",
        {**params, "limit": sql_limit(limit), "offset": offset},
    )
    return int(count), [training_hit(r) for r in found]
