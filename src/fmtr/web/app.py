"""The FastAPI application: the JSON API under /api/v1 and the HTML explorer over it."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from fmtr.settings import ServerSettings
from fmtr.sources.page_cache import PageCache, default_folder
from fmtr.store.db import check_readable, read_only_engine, sqlite_path
from fmtr.store.search import index_is_current
from fmtr.web import errors
from fmtr.web.access import AccessLog
from fmtr.web.cache import AnswerCache, BuildStamp, file_stamp
from fmtr.web.deps import Served
from fmtr.web.fairness import HeavySlots, thread_lifespan
from fmtr.web.head import HeadAsGet
from fmtr.web.security import AllowedHosts, SecurityHeaders, allowed_hosts
from fmtr.web.watch import DatabaseWatch, Watch

HERE = Path(__file__).parent


class RootPath:
    """ASGI middleware: the path the server is reached under behind a proxy (the root_path
    setting), for the routing (which takes a request with it or without it) and for every
    link the pages and the API's documentation write."""

    def __init__(self, app: ASGIApp, root: str) -> None:
        self.app = app
        self.root = root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "root_path": self.root}
        await self.app(scope, receive, send)


def _favicon() -> FileResponse:
    # Browsers ask for it on every page they show without a <link rel="icon">: the API's JSON.
    return FileResponse(HERE / "static" / "favicon.ico", media_type="image/x-icon")


def create_app(
    db: str, *, corpus: Path | None = None, settings: ServerSettings | None = None
) -> FastAPI:
    """The app over the database ``db`` (a SQLite file's path or URL, or a PostgreSQL URL),
    opened read-only.

    ``corpus``: the local corpus folder, for rendering source pages (optional).
    ``settings``: the server's limits and switches (fmtr.settings.ServerSettings: a statement
    running past ``statement_seconds`` answers 503, pages hold at most ``max_page`` rows, ...).
    Raises DatabaseUnavailable (one line) for a missing file or database, or one of another
    schema version; a stale search index is not refused here (``app.state.index_current``
    says it), the questions that read it answer 503.
    """
    from fmtr.store.db import database_url
    from fmtr.web import api, api_docs, citing, explore, largest, pages

    settings = settings or ServerSettings()
    url = database_url(db)
    path = sqlite_path(url)
    app = _App(
        lifespan=thread_lifespan(settings.workers, settings.heavy_slots + settings.export_slots),
        title="fmtr",
        version="1",
        description=(
            "US Foreign Military Training reports (FY1999-2000 to FY2020-2021) as data. "
            "Every table is paginated (`limit`, at most the server's max_page setting, and "
            "`offset`) and downloads as CSV with `format=csv`. Per-fiscal-year figures count "
            "each fiscal year once (the latest edition printing it). Every error answers "
            '`{"error": {"status", "code", "message", "suggestion"}}`.'
        ),
        openapi_url="/api/v1/openapi.json",
        # The docs page is fmtr.web.api_docs: Swagger UI served from the package, not a CDN.
        docs_url=None,
        redoc_url=None,
    )
    # Checked once, without the questions' deadline, and never repaired: the server cannot
    # write, and `fmtr build` always refreshes the index. A stale index makes the questions
    # that read it answer 503.
    checker = read_only_engine(url)
    try:
        check_readable(checker, url)
        with checker.connect() as conn:
            app.state.index_current = index_is_current(conn)
    finally:
        checker.dispose()
    # Page images only with a corpus to render them from; the folder is private to this user
    # (fmtr.sources.page_cache: PageCacheError, one line, when it cannot be made so).
    page_cache = (
        PageCache(
            Path(settings.image_cache) if settings.image_cache else default_folder(),
            settings.image_cache_mb << 20,
        )
        if corpus is not None
        else None
    )
    app.state.served = Served(path, corpus, page_cache, settings)
    app.state.engine = read_only_engine(
        url,
        statement_seconds=settings.statement_seconds,
        progress_steps=settings.progress_steps,
    )
    app.mount(api_docs.ASSETS_PATH, StaticFiles(directory=api_docs.swagger_ui_files()))
    # Downloads of every row a table stands for read one long statement: a connection of their
    # own, with a deadline of their own.
    app.state.export_engine = read_only_engine(
        url, statement_seconds=settings.export_seconds, progress_steps=settings.progress_steps
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api_docs.router)
    app.include_router(api.router)
    app.include_router(explore.router)
    app.include_router(pages.router)
    app.include_router(citing.router)
    app.include_router(largest.router)
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    # Middleware, innermost first (each added wraps the ones before): heavy questions queue
    # for their slots after the cache, so a kept answer never waits.
    app.add_middleware(
        HeavySlots,
        slots=settings.heavy_slots,
        queue=settings.heavy_queue,
        exports=settings.export_slots,
    )
    if settings.answer_cache:
        app.add_middleware(
            AnswerCache,
            stamp=(lambda: file_stamp(path)) if path is not None else BuildStamp(app.state.engine),
            max_bytes=settings.cache_bytes,
            max_body=settings.cache_body_bytes,
        )
    # A file is watched (removed, replaced by hand); a database server answers for itself.
    app.state.watch = Watch(path) if path is not None else None
    if app.state.watch is not None:
        app.add_middleware(DatabaseWatch, watch=app.state.watch)
    app.add_middleware(AllowedHosts, allowed=allowed_hosts(settings.allowed_hosts))
    app.add_middleware(HeadAsGet)
    if settings.root_path.strip("/"):
        app.add_middleware(RootPath, root="/" + settings.root_path.strip("/"))
    app.add_middleware(AccessLog)  # outermost but the security headers: it times the cache too
    errors.install(app, settings.statement_seconds)
    return app


class _App(FastAPI):
    """FastAPI with the security headers (fmtr.web.security) outside every other layer, its
    error middleware included, so that even a 500 carries them."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())
