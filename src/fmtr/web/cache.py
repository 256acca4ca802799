"""Answers of the API kept in memory while the database file is unchanged.

The server only reads, so an answer stays true until a build rewrites the file; the key holds
the file's (and its WAL's) size and modification time, so a rebuild empties the cache by itself.
How many answers and how large are the server's settings (``cache_entries``,
``cache_body_bytes``, fmtr.settings).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from threading import Lock

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _stamp(path: Path) -> tuple[int, ...]:
    out: list[int] = []
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            st = os.stat(p)
            out += [st.st_mtime_ns, st.st_size]
        except FileNotFoundError:
            out += [0, 0]
    return tuple(out)


# Downloads of every row: streamed, never held in memory.
UNCACHED = ("/api/v1/export",)


class AnswerCache:
    """ASGI middleware caching successful GET answers under /api/v1."""

    def __init__(self, app: ASGIApp, db_path: Path, max_entries: int, max_body: int) -> None:
        self.app = app
        self.db_path = db_path
        self.max_entries = max_entries
        self.max_body = max_body
        self.entries: OrderedDict[tuple[object, ...], tuple[list[Message]]] = OrderedDict()
        self.lock = Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith("/api/v1/")
            or scope["path"].startswith(UNCACHED)
        ):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope["query_string"], _stamp(self.db_path))
        with self.lock:
            hit = self.entries.get(key)
            if hit is not None:
                self.entries.move_to_end(key)
        if hit is not None:
            for message in hit[0]:
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
            with self.lock:
                self.entries[key] = (messages,)
                while len(self.entries) > self.max_entries:
                    self.entries.popitem(last=False)
