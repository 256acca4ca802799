"""Light questions never wait behind heavy ones.

A heavy question is one whose cost the asker chooses: text search (training rows, courses,
student units), the training listing, any page past the first (``offset``) and a rendered
source page. Five clients paging the training listing at offset 253,000 took the summary and
every HTML page from p50 8 ms to 4,415 ms, because all shared the same two worker threads
(issue 16). Here heavy questions take one of ``heavy_slots`` slots per process (waiting in a
queue of at most ``heavy_queue``; past it they answer 503 with Retry-After), and the worker
threads number ``workers + heavy_slots``, so that heavy questions never hold more than their
slots and the light ones (the summary, a country, the top recipients, one row, the explorer's
other pages) always find a thread. Settings: fmtr.settings.ServerSettings.

A download of every row a table stands for (``/api/v1/export``: a search's, a unit's, a course's
rows, up to all 253,925) is heavy too, but in slots of its own (``export_slots``, the same queue
bound): it holds its slot until its last byte is sent, which takes as long as its client reads
(at most ``export_seconds``), and a search must not wait behind a slow download, nor a
download behind searches. Paging never applies to it: it streams every row it stands for.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from fmtr.errors import Unavailable

HEAVY_PATHS = frozenset(
    {
        "/api/v1/search",
        "/api/v1/courses",
        "/api/v1/training",
        "/api/v1/units",
        "/search",
        "/units",
    }
)
_SOURCE_PAGE = re.compile(r"/training/[^/]+/source\.png")
EXPORT_PATHS = frozenset({"/api/v1/export"})


class Busy(Unavailable):
    """Too many heavy questions waiting already."""

    code = "busy"
    retry_after = 1


def is_heavy(scope: Scope) -> bool:
    """Whether the request is a question whose cost its asker chooses (module docstring)."""
    path: str = scope["path"]
    if path in HEAVY_PATHS or _SOURCE_PAGE.fullmatch(path):
        return True
    query = scope.get("query_string", b"")
    if b"offset=" not in query:
        return False
    return any(
        k == "offset" and v.strip() not in ("", "0")
        for k, v in parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    )


def is_export(scope: Scope) -> bool:
    """Whether the request downloads every row of a selection (module docstring)."""
    return scope["path"] in EXPORT_PATHS


class _Slots:
    """``slots`` at once, at most ``queue`` waiting; made on the event loop that serves (a test
    may start several, one after another)."""

    def __init__(self, slots: int, queue: int, what: str) -> None:
        self.slots, self.queue, self.what = slots, queue, what
        self.waiting = 0
        self._limiter: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = None

    def limiter(self) -> anyio.CapacityLimiter:
        loop = asyncio.get_running_loop()
        if self._limiter is None or self._limiter[0] is not loop:
            self._limiter = (loop, anyio.CapacityLimiter(self.slots))
            self.waiting = 0
        return self._limiter[1]


class HeavySlots:
    """ASGI middleware: heavy questions take a slot, or wait in a bounded queue for one;
    downloads of every row take one of their own slots (``exports``, as many as ``slots``
    unless given)."""

    def __init__(self, app: ASGIApp, slots: int, queue: int, exports: int | None = None) -> None:
        self.app = app
        self.heavy = _Slots(
            slots, queue, "open-ended questions (text search, listings, deep pages)"
        )
        self.exports = _Slots(
            slots if exports is None else exports, queue, "downloads of every row"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind = self.exports if is_export(scope) else self.heavy if is_heavy(scope) else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        limiter = kind.limiter()
        if limiter.available_tokens == 0 and kind.waiting >= kind.queue:
            from fmtr.web.errors import error_response

            busy = Busy(f"too many {kind.what} are being answered: try again in a moment")
            await error_response(Request(scope), busy)(scope, receive, send)
            return
        kind.waiting += 1
        try:
            await limiter.acquire()
        finally:
            kind.waiting -= 1
        try:
            await self.app(scope, receive, send)
        finally:
            limiter.release()


def thread_lifespan(workers: int, slots: int) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """A lifespan setting the worker threads to ``workers`` for the light questions plus the
    heavy questions' and the downloads' ``slots``."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = workers + slots
        yield

    return lifespan
