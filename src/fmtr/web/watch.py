"""The served database file, watched: while it is missing or unreadable the server answers 503
with the reason, and says so once in its log.

`fmtr build` replaces the file whole (fmtr.store.swap) and the pool follows it; but a file
removed, or replaced by hand with something that is not an fmtr database, used to give a bare
500 and a traceback per request (1,561 in 5 s, issue 16). ``DatabaseWatch`` looks at the
file's identity before each request (one ``stat``); when it changed, it checks the file once
(readable, an fmtr database of this schema version) and logs one line when the verdict
changes: one line per event, not per request. Static files are served whatever the database.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from fmtr.errors import DatabaseUnavailable
from fmtr.store.db import check_readable, read_only_engine

log = logging.getLogger("fmtr.web")

Identity = tuple[int, int, int, int] | None


def _identity(path: Path) -> Identity:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class Watch:
    """The verdict on the served file: None while it is readable, else the reason it is not,
    checked again whenever the file's identity (device, inode, size, time) changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen = _identity(path)  # the app checked the file as it started
        self._reason: str | None = None
        self._lock = threading.Lock()

    def reason(self) -> str | None:
        now = _identity(self.path)
        if now == self._seen:
            return self._reason
        with self._lock:
            now = _identity(self.path)
            if now != self._seen:
                reason = self._check(now)
                self._report(reason)
                self._seen, self._reason = now, reason
        return self._reason

    def _check(self, now: Identity) -> str | None:
        if now is None:
            return (
                f"the database {self.path} was removed while the server ran: it answers 503 "
                "until a database is there again (`fmtr build`)"
            )
        try:
            engine = read_only_engine(str(self.path))
        except DatabaseUnavailable as error:
            return str(error)
        try:
            check_readable(engine, str(self.path))
        except DatabaseUnavailable as error:
            return f"the database file was replaced by one the server cannot read: {error}"
        finally:
            engine.dispose()
        return None

    def _report(self, reason: str | None) -> None:
        if reason is not None and reason != self._reason:
            log.warning("%s", reason)
        elif reason is None and self._reason is not None:
            log.warning("the database %s is readable again: serving it", self.path)
        elif reason is None:
            log.info("the database %s was replaced (a build): serving the new file", self.path)


class DatabaseWatch:
    """ASGI middleware answering 503 with the watch's reason while the database is unusable."""

    def __init__(self, app: ASGIApp, watch: Watch) -> None:
        self.app = app
        self.watch = watch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/static/"):
            reason = self.watch.reason()
            if reason is not None:
                from fmtr.web.errors import error_response

                response = error_response(Request(scope), DatabaseUnavailable(reason))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
