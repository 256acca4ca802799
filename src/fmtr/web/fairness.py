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


class HeavySlots:
    """ASGI middleware: heavy questions take a slot, or wait in a bounded queue for one."""

    def __init__(self, app: ASGIApp, slots: int, queue: int) -> None:
        self.app = app
        self.slots = slots
        self.queue = queue
        self.waiting = 0
        # Made on the event loop that serves (a test may start several, one after another).
        self._limiter: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_heavy(scope):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        if self._limiter is None or self._limiter[0] is not loop:
            self._limiter = (loop, anyio.CapacityLimiter(self.slots))
            self.waiting = 0
        limiter = self._limiter[1]
        if limiter.available_tokens == 0 and self.waiting >= self.queue:
            from fmtr.web.errors import error_response

            busy = Busy(
                "too many open-ended questions (text search, listings, deep pages) are being "
                "answered: try again in a moment"
            )
            await error_response(Request(scope), busy)(scope, receive, send)
            return
        self.waiting += 1
        try:
            await limiter.acquire()
        finally:
            self.waiting -= 1
        try:
            await self.app(scope, receive, send)
        finally:
            limiter.release()


def thread_lifespan(workers: int, slots: int) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """A lifespan setting the worker threads to ``workers`` for the light questions plus the
    heavy questions' ``slots``."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = workers + slots
        yield

    return lifespan
