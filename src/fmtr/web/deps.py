"""What the routes share: the read-only connection, the server's settings, paging within the
``max_page`` setting, and the parameters every listing names alike (``programme``, with
``program`` accepted too). Fiscal years and names are parsed by fmtr.query."""

# No `from __future__ import annotations` here: ``paging`` makes its dependency's annotations
# at run time, from its arguments, and FastAPI reads them as objects.
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Query, Request
from sqlalchemy import Connection, Engine

from fmtr.errors import InputError
from fmtr.settings import ServerSettings
from fmtr.sources.page_cache import PageCache


@dataclass(frozen=True)
class Served:
    """What one app serves: its database file (None: a database server's), the corpus for page
    images (optional), where rendered pages are kept, and its settings."""

    db_path: Path | None
    corpus: Path | None
    page_cache: PageCache | None  # None: no corpus, no page images
    settings: ServerSettings


def connection(request: Request) -> Iterator[Connection]:
    engine: Engine = request.app.state.engine
    with engine.connect() as conn:
        yield conn


# The dependencies that only read the request are coroutines: FastAPI runs a plain function in
# a worker thread, a hop there and back (and a wait for the GIL) per dependency per request,
# for a few attribute reads (the top recipients took two).


async def served(request: Request) -> Served:
    value: Served = request.app.state.served
    return value


# Formats of a download: a file of the whole table.
FILE_FORMATS = ("csv", "xlsx", "parquet")


@dataclass(frozen=True)
class Page:
    limit: int | None  # None: every row
    offset: int


Offset = Annotated[
    int,
    Query(
        ge=0,
        le=10**9,
        description="Rows to skip, at most the server's max_offset setting (10,000 unless set "
        "otherwise).",
    ),
]


def paging(default: int | None = None, *, setting: bool = False) -> Callable[..., Awaitable[Page]]:
    """A dependency reading ``limit`` and ``offset``: ``limit`` defaults to ``default`` (the
    library's; None: every row), or with ``setting`` to the server's ``default_page``, and may
    not pass the server's ``max_page``."""
    shown = "the server's default_page setting" if setting else default or "every row"

    async def page(
        request: Request,
        limit: Annotated[
            int | None,
            Query(
                ge=1,
                description=f"Rows per page, at most the server's max_page setting (500 unless "
                f"set otherwise); by default {shown}.",
            ),
        ] = None,
        offset: Offset = 0,
    ) -> Page:
        settings: ServerSettings = request.app.state.served.settings
        if limit is None and request.query_params.get("format") in FILE_FORMATS:
            # A file holds every row the table stands for, not one page of it.
            return Page(None, offset)
        if limit is None:
            limit = settings.default_page if setting else default
        chosen = limit
        if chosen is not None:
            check_limit(request, chosen)
        check_offset(request, offset)
        return Page(chosen, offset)

    return page


async def programme(
    programme: Annotated[
        str | None, Query(max_length=200, description="Programme code or name, e.g. IMET")
    ] = None,
    program: Annotated[
        str | None, Query(max_length=200, description="Another spelling of `programme`.")
    ] = None,
) -> str | None:
    """``programme`` (or its other spelling ``program``); "" is none."""
    return programme or program or None


def check_limit(request: Request, limit: int) -> None:
    """Refuse a ``limit`` past the server's ``max_page`` setting (400)."""
    settings: ServerSettings = request.app.state.served.settings
    if limit > settings.max_page:
        raise InputError(
            f"limit {limit} is more rows than a page holds on this server",
            f"limit={settings.max_page}",
        )


def check_offset(request: Request, offset: int) -> None:
    """Refuse an ``offset`` past the server's ``max_offset`` setting (400): a deep page costs
    the database a walk over every row skipped (offset 253,000 of the training listing took
    1.5 s), so a server pages only so deep."""
    settings: ServerSettings = request.app.state.served.settings
    if offset > settings.max_offset:
        raise InputError(
            f"offset {offset} is deeper than this server pages (at most {settings.max_offset} "
            "rows skipped): narrow the question (a country, a programme, a fiscal year, words) "
            "or use the downloadable database (`fmtr export`)"
        )
