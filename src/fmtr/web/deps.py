"""What every route needs: the read-only connection and paging limits (fiscal years and
names are parsed by fmtr.query)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from sqlalchemy import Connection, Engine

from fmtr.sources.page_cache import PageCache

MAX_PAGE = 500  # rows per page, API and HTML alike
DEFAULT_PAGE = 50


@dataclass(frozen=True)
class Settings:
    db_path: Path
    corpus: Path | None
    statement_seconds: float
    page_cache: PageCache | None  # None: no corpus, no page images


def connection(request: Request) -> Iterator[Connection]:
    engine: Engine = request.app.state.engine
    with engine.connect() as conn:
        yield conn


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value
