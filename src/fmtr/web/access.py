"""The access log: one line per request on the logger "fmtr.access" (client, method, path and
query, status, milliseconds). The library only logs; `fmtr serve` shows it (its ``access_log``
setting), and whoever embeds the app decides where it goes."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("fmtr.access")


class AccessLog:
    """ASGI middleware; costs one level check per request when the log is off."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what the client gets when the app fails before answering

        async def keep(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, keep)
        finally:
            client = scope.get("client")
            query = scope.get("query_string", b"").decode("latin-1")
            log.info(
                '%s "%s %s%s" %d %.1f ms',
                client[0] if client else "-",
                scope["method"],
                scope["path"],
                f"?{query}" if query else "",
                status,
                (time.perf_counter() - start) * 1000,
            )
