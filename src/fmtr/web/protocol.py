"""The HTTP connection as `fmtr serve` runs it: uvicorn's httptools protocol with the limits
uvicorn lacks, so that idle or trickling clients cannot hold the server (issue 16).

uvicorn times out a kept-alive connection between requests, but nothing else: a connection that
never sends a request, or sends its headers a byte a second, is kept for ever (20,400 of them
exhausted the file descriptors), and a request's headers may be of any size (a 100 MB header
was read for 17 s while other clients waited). ``GuardedProtocol`` adds, per connection:

- a deadline for the request's line and headers (``header_seconds``), from the connection's
  opening, or from the first byte of a later request on a kept-alive connection: past it the
  connection is closed (with 408 when part of a request came);
- a size limit for the line and headers (``max_header_bytes``: 431) and for the path and query
  (``max_url_bytes``: 414), checked as the bytes arrive, so no more than one read past the
  limit is ever held;
- a request with a body (no route reads one) closes its connection once answered, so that a
  body trickled a byte at a time holds nothing;

and per process a ceiling of open connections (``max_connections``): a connection over it
closes the connection that has waited longest without sending a whole request (an idle one, or
a trickling one; a kept-alive connection between two requests only when there is none), so that
a flood of idle connections cannot lock real clients out; when every connection is busy with a
request, the new one is answered 503 and closed. The ceiling stays
below the file-descriptor budget (``open_files``, ``raise_open_files``) so that accepting never
fails for want of descriptors.

Refusals are answered with a short response, then the connection stops reading after a brief
linger (``LINGER_SECONDS``) so that the client reads the answer rather than a reset. Its body is
the app's own error shapes when the path is known (``refusal``): the JSON error document under
/api/, a small page of the explorer elsewhere (issue 13: every error a page); plain text when
no path came (a connection refused on arrival, or closed before its request line ended).
"""

from __future__ import annotations

import asyncio
import functools
import html
import json
import logging
import sys
import weakref
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from fmtr.settings import ServerSettings
from fmtr.web.security import POLICY

log = logging.getLogger("fmtr.web")

# Descriptors kept for what is not a connection: the database, the log, the listening socket,
# the corpus's files and Python's own.
RESERVED_FILES = 256
LINGER_SECONDS = 2.0

_REASONS = {
    408: "Request Timeout",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class Limits:
    """What a connection may take (fmtr.settings.ServerSettings names them)."""

    header_seconds: float = ServerSettings.header_seconds
    max_header_bytes: int = ServerSettings.max_header_bytes
    max_url_bytes: int = ServerSettings.max_url_bytes
    max_connections: int = ServerSettings.max_connections
    root_path: str = ""  # the path the app is served under (its links in a refusal's page)

    @classmethod
    def of(cls, settings: ServerSettings, open_files: int | None = None) -> Limits:
        """The limits of ``settings``; the connection ceiling kept RESERVED_FILES below
        ``open_files`` (the process's descriptor limit) when given."""
        ceiling = settings.max_connections
        if open_files is not None:
            ceiling = max(1, min(ceiling, open_files - RESERVED_FILES))
        root = settings.root_path.strip("/")
        return cls(
            settings.header_seconds,
            settings.max_header_bytes,
            settings.max_url_bytes,
            ceiling,
            "/" + root if root else "",
        )


def open_files() -> int | None:
    """This process's descriptor limit; None on Windows, which has none to read (its sockets
    are handles, not entries of a descriptor table)."""
    if sys.platform == "win32":
        return None
    import resource

    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def raise_open_files(wanted: int) -> int | None:
    """Set this process's descriptor limit to ``wanted`` (within the hard limit, which only
    root may raise); the limit now in force (None on Windows: see ``open_files``)."""
    if sys.platform == "win32":
        return None
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as error:
            log.warning("cannot set the open-files limit to %d: %s", target, error)
            return soft
    return target


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Waiting:
    """A server's connections waiting for a request's head, oldest first: ``fresh`` ones have
    not sent a whole request yet (idle since they opened, or trickling), ``kept`` ones have
    been answered and are kept alive. Past the ceiling a fresh one gives way first, so that a
    flood of idle connections never closes the kept-alive connection of a client at work."""

    def __init__(self) -> None:
        self.fresh: dict[GuardedProtocol, None] = {}
        self.kept: dict[GuardedProtocol, None] = {}

    def add(self, connection: GuardedProtocol, *, kept: bool) -> None:
        self.discard(connection)
        (self.kept if kept else self.fresh)[connection] = None  # the newest last in line

    def discard(self, connection: GuardedProtocol) -> None:
        self.fresh.pop(connection, None)
        self.kept.pop(connection, None)

    def oldest(self) -> GuardedProtocol | None:
        return next(iter(self.fresh), None) or next(iter(self.kept), None)


# Per server (one per process).
_WAITING: weakref.WeakKeyDictionary[ServerState, _Waiting] = weakref.WeakKeyDictionary()


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a head deadline, head and URL size limits and a
    ceiling of connections (module docstring). ``limits`` are the class's unless given:
    ``guarded(limits)`` makes a class with its own."""

    limits: Limits = Limits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes: int | None = 0  # bytes of the head being read; None: not reading one
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False
        self._waiting = _WAITING.setdefault(self.server_state, _Waiting())

    # -- the connection's life ------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            oldest = self._waiting.oldest()
            if oldest is None:
                self._refuse(503, "too many connections: try again shortly")
                return
            oldest._close_waiting()
        self._waiting.add(self, kept=False)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._waiting.discard(self)
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # lingering after a refusal: what comes is dropped
        # As uvicorn's own, with the head counted and the refusals raised by the callbacks.
        self._unset_keepalive_if_required()
        if self._head_bytes is not None:
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as error:
            if isinstance(error.__context__, _Refused):
                self._refuse(error.__context__.status, str(error.__context__))
            else:
                self._bad_request()
            return
        except httptools.HttpParserError:
            self._bad_request()
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if self._head_bytes is not None and self._head_bytes > self.limits.max_header_bytes:
            self._refuse(431, self._headers_too_large())

    def _headers_too_large(self) -> str:
        return (
            f"request headers too large: this server takes {self.limits.max_header_bytes:,} "
            "bytes of request line and headers at most"
        )

    def _bad_request(self) -> None:
        self.logger.warning("Invalid HTTP request received.")
        self.send_400_response("Invalid HTTP request received.")

    # -- parser callbacks -----------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.limits.max_url_bytes:
            raise _Refused(
                414,
                f"request URL too long: this server takes {self.limits.max_url_bytes:,} bytes "
                "of path and query at most",
            )

    def on_headers_complete(self) -> None:
        # The head came whole in one read: its size from what the parser found.
        size = len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)
        if size > self.limits.max_header_bytes:
            raise _Refused(431, self._headers_too_large())
        self._head_bytes = None
        self._waiting.discard(self)
        self._cancel_head_timer()
        super().on_headers_complete()
        if self.cycle is not None and _has_body(self.headers):
            # No route reads a body: the connection closes once answered, rather than wait
            # for a body a client may trickle for ever.
            self.cycle.keep_alive = False

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_bytes = 0  # what comes next is the next request's head

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.timeout_keep_alive_task is not None:  # idle until the next request
            self._waiting.add(self, kept=True)

    # -- waiting for a request ------------------------------------------------------------

    def _arm_head_timer(self) -> None:
        if self._head_timer is None and not self._refused:
            self._head_timer = self.loop.call_later(
                self.limits.header_seconds, self._head_timed_out
            )

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False  # answering: close once answered
            return
        if self._head_bytes:
            self._refuse(408, "request headers not received in time")
        else:
            self._close_waiting()

    def _close_waiting(self) -> None:
        """Close a connection that has no request in progress."""
        self._waiting.discard(self)
        self._cancel_head_timer()
        if not self.transport.is_closing():
            self.transport.close()

    # -- refusing -------------------------------------------------------------------------

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with ``message`` and close, reading (and dropping) what the client
        still sends for a moment, so that it sees the answer rather than a reset."""
        self._refused = True
        self._waiting.discard(self)
        self._cancel_head_timer()
        self._unset_keepalive_if_required()
        if self.transport.is_closing():
            return
        root = self.limits.root_path
        asked = asked_for(getattr(self, "url", b""), root)
        content_type, body = refusal(status, message, asked, root)
        head = [f"HTTP/1.1 {status} {_REASONS[status]}".encode("ascii")]
        head += [name + b": " + value for name, value in self.server_state.default_headers]
        head += [
            b"content-type: " + content_type,
            b"content-length: " + str(len(body)).encode("ascii"),
            b"x-content-type-options: nosniff",
            b"content-security-policy: " + POLICY.encode("ascii"),
            b"connection: close",
        ]
        if status == 503:
            head.append(b"retry-after: 1")
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        try:
            self.transport.write_eof()
        except (NotImplementedError, RuntimeError, OSError):
            self.transport.close()
            return
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


_HEADINGS = {
    408: "Too slow",
    414: "Address too long",
    431: "Request too large",
    503: "Cannot answer now",
}
_CODES = {
    408: "request_timeout",
    414: "url_too_long",
    431: "headers_too_large",
    503: "too_many_connections",
}


def asked_for(url: bytes, root: str) -> str:
    """What a refused request asked for, from as much of its URL as came: "api" (a path under
    /api/, below ``root``), "page" (another path) or "" (none came)."""
    path = url[: len(root) + 5].split(b"?", 1)[0].decode("latin-1")
    if not path.startswith("/"):
        return ""
    local = path[len(root) :] if root and path.startswith(root + "/") else path
    return "api" if local.startswith("/api/") else "page"


@functools.lru_cache(maxsize=64)
def refusal(status: int, message: str, asked: str, root: str) -> tuple[bytes, bytes]:
    """The content type and body refusing a request that ``asked`` for what ``asked_for``
    says: as the app answers an error (fmtr.web.errors), without the app, which never sees the
    request. The explorer's page has the site's stylesheet and its way back, never the address
    refused (it may be megabytes)."""
    if asked == "":
        return b"text/plain; charset=utf-8", message.encode("ascii") + b"\n"
    if asked == "api":
        error = {"status": status, "code": _CODES[status], "message": message, "suggestion": None}
        return b"application/json", json.dumps({"error": error}).encode("ascii")
    heading = _HEADINGS[status]
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Error {status}: {heading} · Foreign Military Training data</title>
<link rel="icon" href="{root}/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{root}/static/fmtr.css">
</head>
<body>
<header class="site"><nav aria-label="Main"><a class="brand" href="{root}/">fmtr</a></nav></header>
<main id="main">
<h1>{heading} <span class="code">(error {status})</span></h1>
<p class="error" role="alert">{html.escape(message)}.</p>
<h2>Or start from</h2>
<ul class="links">
  <li><a href="{root}/">the home page</a></li>
  <li><a href="{root}/countries">every country</a></li>
  <li><a href="{root}/programmes">every programme</a></li>
</ul>
</main>
</body>
</html>
"""
    return b"text/html; charset=utf-8", page.encode("utf-8")


def _has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


def guarded(limits: Limits) -> type[GuardedProtocol]:
    """A GuardedProtocol class with these ``limits`` (uvicorn's ``http`` option)."""
    return type("GuardedProtocol", (GuardedProtocol,), {"limits": limits})
