"""The FastAPI application: the JSON API under /api/v1 and the HTML explorer over it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from fmtr.query.errors import (
    QueryInputError,
    SearchIndexStale,
    UnknownCountry,
    UnknownProgramme,
)
from fmtr.sources.page_cache import DEFAULT_BYTES, PageCache, default_folder
from fmtr.store.search import index_is_current
from fmtr.web.cache import AnswerCache
from fmtr.web.db import PROGRESS_STEPS, QueryTimeout, read_only_engine, sqlite_path
from fmtr.web.deps import Settings

HERE = Path(__file__).parent


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(
    db: str,
    *,
    corpus: Path | None = None,
    statement_seconds: float = 2.0,
    progress_steps: int = PROGRESS_STEPS,
    cache_dir: Path | None = None,
    cache_bytes: int = DEFAULT_BYTES,
    answer_cache: bool = True,
) -> FastAPI:
    """The app over the SQLite database ``db`` (URL or path), opened read-only.

    ``corpus``: the local corpus folder, for rendering source pages (optional).
    ``statement_seconds``: a statement running longer is interrupted with a 503 (SQLite checks
    every ``progress_steps`` instructions).
    ``answer_cache``: keep API answers in memory until the file changes (see fmtr.web.cache).
    ``cache_dir``, ``cache_bytes``: where rendered page images are kept (default: the user's
    own cache folder), and at most how many bytes of them (fmtr.sources.page_cache).
    """
    from fmtr.web import api, pages

    path = sqlite_path(db)
    app = FastAPI(
        title="fmtr",
        version="1",
        description=(
            "US Foreign Military Training reports (FY1999-2000 to FY2020-2021) as data. "
            "Every table is paginated (`limit` at most 500, `offset`) and downloads as CSV "
            "with `format=csv`. Per-fiscal-year figures count each fiscal year once (the "
            "latest edition printing it)."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = Settings(
        db_path=path,
        corpus=corpus,
        statement_seconds=statement_seconds,
        page_cache=(
            PageCache(cache_dir or default_folder(), cache_bytes) if corpus is not None else None
        ),
    )
    app.state.engine = read_only_engine(path, statement_seconds, progress_steps=progress_steps)
    with app.state.engine.connect() as conn:
        # Checked, never repaired: the server cannot write, and `fmtr build` always refreshes
        # the index. A stale index makes the questions that read it answer 503 (see below).
        app.state.index_current = index_is_current(conn)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    if answer_cache:
        app.add_middleware(AnswerCache, db_path=path)

    @app.exception_handler(QueryTimeout)
    async def _timeout(request: Request, exc: QueryTimeout) -> Response:
        message = (
            f"{exc}: this question is too expensive for the public server; narrow it "
            "(a country, a programme, a span of years) or use the downloadable database"
        )
        if _wants_json(request):
            return JSONResponse({"error": "timeout", "detail": message}, status_code=503)
        return pages.error_page(request, 503, message)

    @app.exception_handler(sqlite3.OperationalError)
    async def _interrupted(request: Request, exc: sqlite3.OperationalError) -> Response:
        # A read made straight on the sqlite3 connection (fmtr.query's hot paths) is cut off
        # past SQLAlchemy, which would have raised QueryTimeout.
        if "interrupted" in str(exc):
            return await _timeout(request, QueryTimeout(statement_seconds))
        raise exc

    @app.exception_handler(QueryInputError)
    async def _bad_input(request: Request, exc: QueryInputError) -> Response:
        status = 404 if isinstance(exc, UnknownCountry | UnknownProgramme) else 400
        if _wants_json(request):
            body = {"error": status, "detail": str(exc), "suggestion": exc.suggestion}
            return JSONResponse(body, status_code=status)
        return pages.error_page(request, status, str(exc))

    @app.exception_handler(SearchIndexStale)
    async def _stale(request: Request, exc: SearchIndexStale) -> Response:
        message = (
            "the database's search index does not match its rows (the file was changed "
            "after its build): rebuild it with `fmtr build`; the server only reads"
        )
        if _wants_json(request):
            return JSONResponse({"error": "stale index", "detail": message}, status_code=503)
        return pages.error_page(request, 503, message)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        detail: Any = exc.detail
        if _wants_json(request):
            return JSONResponse({"error": exc.status_code, "detail": detail}, exc.status_code)
        return pages.error_page(request, exc.status_code, detail)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()]
        if _wants_json(request):
            return JSONResponse({"error": 400, "detail": problems}, status_code=400)
        return pages.error_page(request, 400, "; ".join(problems))

    return app


def app_from_env() -> FastAPI:
    """The app as ``fmtr serve --processes N`` starts it in each worker process (uvicorn's
    factory): its options come from the environment the command sets."""
    import os

    import anyio.to_thread

    corpus = os.environ.get("FMTR_SERVE_CORPUS")
    images = os.environ.get("FMTR_SERVE_IMAGE_CACHE")
    app = create_app(
        os.environ["FMTR_SERVE_DB"],
        corpus=Path(corpus) if corpus else None,
        answer_cache=os.environ.get("FMTR_SERVE_ANSWER_CACHE", "1") == "1",
        cache_dir=Path(images) if images else None,
        cache_bytes=int(os.environ.get("FMTR_SERVE_IMAGE_CACHE_BYTES", DEFAULT_BYTES)),
    )
    threads = int(os.environ.get("FMTR_SERVE_THREADS", "2"))
    if app.state.index_current:
        from fmtr.query import prepare_units

        prepare_units(app.state.engine)

    @app.on_event("startup")
    async def _threads() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads

    return app
