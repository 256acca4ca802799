"""What every route needs: the read-only connection, paging limits, fiscal-year parsing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, Request
from sqlalchemy import Connection, Engine

MAX_PAGE = 500  # rows per page, API and HTML alike
DEFAULT_PAGE = 50


@dataclass(frozen=True)
class Settings:
    db_path: Path
    corpus: Path | None
    statement_seconds: float
    cache_dir: Path


def connection(request: Request) -> Iterator[Connection]:
    engine: Engine = request.app.state.engine
    with engine.connect() as conn:
        yield conn


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


_FY = re.compile(r"^(?:FY\s*)?(\d{4}|\d{2})$", re.IGNORECASE)


def fiscal_year(value: str | None, name: str) -> int | None:
    """'FY2003', '2003' or '03' as 2003; None stays None; anything else is a 400."""
    if value is None or value == "":
        return None
    m = _FY.match(value.strip())
    if not m:
        raise HTTPException(400, f"{name}: {value!r} is not a fiscal year (e.g. FY2003 or 2003)")
    year = int(m.group(1))
    if year < 100:
        year += 2000 if year < 50 else 1900
    if not 1990 <= year <= 2100:
        raise HTTPException(400, f"{name}: fiscal year {year} is out of range")
    return year


def year_span(fy_from: str | None, fy_to: str | None) -> tuple[int | None, int | None]:
    start, end = fiscal_year(fy_from, "from"), fiscal_year(fy_to, "to")
    if start is not None and end is not None and start > end:
        raise HTTPException(400, f"from FY{start} is after to FY{end}: reversed span")
    return start, end
