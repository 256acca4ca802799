"""Answers of the API kept in memory while the database is unchanged.

The server only reads, so an answer stays true until a build rewrites the database; the key
holds what a build changes (``file_stamp``: a SQLite file's, and its WAL's, size and
modification time; ``BuildStamp``: a PostgreSQL database's latest build run and index
refresh), so a rebuild empties the cache by itself.
How many bytes of answers a process keeps, and how large one may be, are the server's settings
(``cache_bytes``, ``cache_body_bytes``, fmtr.settings): a flood of distinct questions turns the
cache over without growing the process.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from threading import Lock

from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fmtr.query.memory import BoundedCache

# What a kept ASGI message costs besides its body and headers (its dict and their tuples).
_MESSAGE_BYTES = 400


def file_stamp(path: Path) -> tuple[int, ...]:
    out: list[int] = []
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            st = os.stat(p)
            out += [st.st_mtime_ns, st.st_size]
        except FileNotFoundError:
            out += [0, 0]
    return tuple(out)


class BuildStamp:
    """A database server's build stamp (fmtr.query.resolve.build_stamp), asked at most once a
    ``period`` of seconds: an answer may outlive the build that replaced it by that long."""

    def __init__(self, engine: Engine, period: float = 1.0) -> None:
        self.engine = engine
        self.period = period
        self.lock = Lock()
        self.asked = -float("inf")
        self.value: Hashable = None

    def __call__(self) -> Hashable:
        from fmtr.query.resolve import build_stamp

        with self.lock:
            now = time.monotonic()
            if now - self.asked >= self.period:
                with self.engine.connect() as conn:
                    self.value = build_stamp(conn)
                self.asked = now
            return self.value


# Downloads of every row: streamed, never held in memory.
UNCACHED = ("/api/v1/export",)


def answer_bytes(messages: list[Message]) -> int:
    """The memory an answer's messages hold, as the cache counts it."""
    size = 0
    for message in messages:
        size += _MESSAGE_BYTES + len(message.get("body", b""))
        size += sum(len(k) + len(v) + 100 for k, v in message.get("headers", ()))
    return size


class AnswerCache:
    """ASGI middleware caching successful GET answers under /api/v1, within ``max_bytes``."""

    def __init__(
        self, app: ASGIApp, stamp: Callable[[], Hashable], max_bytes: int, max_body: int
    ) -> None:
        self.app = app
        self.stamp = stamp
        self.max_body = max_body
        self.entries: BoundedCache[tuple[object, ...], list[Message]] = BoundedCache(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith("/api/v1/")
            or scope["path"].startswith(UNCACHED)
        ):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope["query_string"], self.stamp())
        hit = self.entries.get(key)
        if hit is not None:
            for message in hit:
                await send(message)
            return
        messages: list[Message] = []
        size = 0

        async def keep(message: Message) -> None:
            nonlocal size
            size += len(message.get("body", b""))
            if size <= self.max_body:  # past it the answer is not kept: nor its pieces
                messages.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        start = messages[0] if messages else {}
        if start.get("status") == 200 and size <= self.max_body:
            key_bytes = len(scope["path"]) + len(scope["query_string"]) + 200
            self.entries.put(key, messages, answer_bytes(messages) + key_bytes)
