"""A table as the web layer shows and downloads it: the same rows as HTML, JSON or CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from fmtr.query.export import spreadsheet_safe


@dataclass
class Table:
    columns: list[str]
    rows: list[dict[str, Any]]
    total: int | None = None  # rows matching, before paging; None when not counted
    limit: int | None = None
    offset: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "rows": self.rows,
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            **({"meta": self.meta} if self.meta else {}),
        }


class TablePage(BaseModel):
    """One page of a table: ``rows`` are objects keyed by ``columns``; ``total`` counts all
    matching rows, ``limit``/``offset`` say which page this is."""

    columns: list[str]
    rows: list[dict[str, Any]]
    total: int | None
    limit: int | None
    offset: int
    meta: dict[str, Any] | None = None


def csv_text(table: Table) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=table.columns, extrasaction="ignore")
    writer.writeheader()
    for row in table.rows:
        # A list (a unit's variants) is one cell in a spreadsheet; a cell a spreadsheet would
        # evaluate is neutralised, as `fmtr export` does (the JSON answers stay verbatim).
        writer.writerow(
            {
                k: spreadsheet_safe("; ".join(map(str, v)) if isinstance(v, list) else v)
                for k, v in row.items()
            }
        )
    return out.getvalue()


def table_response(table: Table, fmt: str, filename: str) -> Response:
    if fmt == "csv":
        return Response(
            csv_text(table),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    return JSONResponse(table.as_json())
