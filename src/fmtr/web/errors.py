"""One error handler for the whole app, and one JSON error shape.

Every error a request meets (fmtr's errors, FastAPI's validation, Starlette's 404/405, a
statement cut off by the deadline) becomes an fmtr.errors.FmtrError, answered under /api/ as

    {"error": {"status": 404, "code": "unknown_country",
               "message": "unknown country 'Pakistn'; did you mean Pakistan?",
               "suggestion": "Pakistan"}}

(``suggestion`` null when there is none) and elsewhere as the explorer's error page, with the
same status and message. ``ERROR_RESPONSES`` declares the shape for every route of the API.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException

from fmtr.errors import DatabaseUnavailable, FmtrError, InputError, QueryTimeout
from fmtr.store.dialects import sqlite


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    suggestion: str | None = None


class ErrorBody(BaseModel):
    """What every error of the API answers."""

    error: ErrorDetail


def _described(text: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": text}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _described("Input a question cannot be asked with (a bad fiscal year, limit...)."),
    404: _described("A name that names nothing (with a suggestion), or no such row."),
    503: _described("Cannot answer now: too expensive (cut off), or a stale search index."),
    "4XX": _described("Any other client error."),
}

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


class _HttpError(FmtrError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = _HTTP_CODES.get(status, "http_error")


def as_fmtr_error(exc: Exception, statement_seconds: float) -> FmtrError | None:
    """``exc`` as the FmtrError it means, None for an error no handler should hide."""
    if isinstance(exc, FmtrError):
        return exc
    if isinstance(exc, RequestValidationError):
        problems = [
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {_plainly(e)}"
            for e in exc.errors()
        ]
        return InputError("; ".join(problems) or "invalid request")
    if isinstance(exc, HTTPException):
        return _HttpError(exc.status_code, str(exc.detail))
    if sqlite.timed_out(exc):
        # A read made straight on the sqlite3 connection (fmtr.query's hot paths) is cut off
        # past SQLAlchemy, which would have raised QueryTimeout itself.
        return QueryTimeout(statement_seconds)
    return None


def _plainly(problem: Any) -> str:
    """A validation problem in a reader's words, with the limit it broke (pydantic's own
    message for the kinds not named here)."""
    kind, ctx, given = problem.get("type"), problem.get("ctx") or {}, problem.get("input")
    if kind == "string_too_long":
        return f"{len(str(given)):,} characters given, at most {ctx['max_length']:,} taken"
    if kind == "string_too_short":
        return f"at least {ctx['min_length']:,} character(s) needed"
    if kind in ("int_parsing", "int_from_float"):
        return f"{str(given)[:40]!r} is not a whole number"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        words = {
            "greater_than_equal": ("at least", "ge"),
            "less_than_equal": ("at most", "le"),
            "greater_than": ("more than", "gt"),
            "less_than": ("less than", "lt"),
        }[kind]
        return f"{str(given)[:40]!r} given, {words[0]} {ctx[words[1]]} taken"
    if kind in ("literal_error", "enum"):
        return f"{str(given)[:40]!r} given, {ctx['expected']} taken"
    if kind == "missing":
        return "required"
    return str(problem.get("msg", "invalid"))


def body(error: FmtrError) -> dict[str, Any]:
    return {
        "error": {
            "status": error.status,
            "code": error.code,
            "message": str(error),
            "suggestion": error.suggestion,
        }
    }


def _is_api(request: Request) -> bool:
    root = str(request.scope.get("root_path") or "").rstrip("/")
    return request.url.path.removeprefix(root).startswith("/api/")


class _Unexpected(FmtrError):
    """What a reader is told of a bug: nothing of its trace (the log has it)."""

    status = 500
    code = "internal_error"


def error_response(request: Request, error: FmtrError) -> Response:
    """``error`` as fmtr answers it: JSON under /api/, the explorer's error page elsewhere
    (the suggestion a link, the form kept)."""
    from fmtr.web import pages

    if _is_api(request):
        response: Response = JSONResponse(body(error), status_code=error.status)
    else:
        response = pages.error_page(request, error.status, str(error), error)
    retry = getattr(error, "retry_after", None)  # a busy server says when to come back
    if retry is not None:
        response.headers["Retry-After"] = str(retry)
    return response


def install(app: FastAPI, statement_seconds: float) -> None:
    """Register the one handler: JSON under /api/, the error page elsewhere; anything else
    raised (a bug) answers 500 the same way, its trace only in the log."""

    async def handle(request: Request, exc: Exception) -> Response:
        error = as_fmtr_error(exc, statement_seconds)
        if error is None:
            error = _database_gone(request, exc)
        if error is None:
            raise exc
        return error_response(request, error)

    async def unexpected(request: Request, exc: Exception) -> Response:
        # Starlette's ServerErrorMiddleware calls this, then raises ``exc`` again for the log.
        return error_response(request, _Unexpected("the server met an error it did not expect"))

    for kind in (
        FmtrError,
        RequestValidationError,
        HTTPException,
        sqlite3.DatabaseError,
        DBAPIError,
    ):
        app.add_exception_handler(kind, handle)
    app.add_exception_handler(Exception, unexpected)


def _database_gone(request: Request, exc: Exception) -> FmtrError | None:
    """A database error met because the served file was removed or replaced while the question
    ran (the watch then knows why: fmtr.web.watch) is a 503 with the reason, not a 500."""
    if not isinstance(exc, sqlite3.DatabaseError | DBAPIError):
        return None
    watch = getattr(request.app.state, "watch", None)
    if watch is None and isinstance(exc, OperationalError):
        from fmtr.store.db import reason as first_line

        # A database server (PostgreSQL) stopped or unreachable: 503 until it is back (the
        # pool's pre-ping reconnects), not a 500 per request.
        return DatabaseUnavailable(f"the database server cannot be reached: {first_line(exc)}")
    reason = watch.reason() if watch is not None else None
    return DatabaseUnavailable(reason) if reason else None
