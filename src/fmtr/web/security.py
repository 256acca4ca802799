"""What every response says about itself, and which hosts the server answers to.

- Security headers on every response: a Content-Security-Policy allowing only the app's own
  scripts, styles and images (the explorer has no inline script or style: a test holds the
  templates to it) and no framing; ``X-Content-Type-Options: nosniff``; ``X-Frame-Options``;
  ``Referrer-Policy``. The API's documentation page is no exception: its Swagger UI is served
  by the app (fmtr.web.api_docs) and started by a script file, so one policy holds for all.
- Allowed hosts (the ``allowed_hosts`` setting): a request naming another host answers 400.
- Redirects (the trailing-slash one) are sent as a path, never naming a host: the Host header
  a client sent is never reflected.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fmtr.errors import InputError

POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


def relative_location(location: str) -> str:
    """A redirect's target as a path (and query): a host is never named, and a path starting
    with several slashes or a backslash (which a browser reads as another host) keeps one
    slash."""
    parts = urlsplit(location)
    path = "/" + parts.path.lstrip("/\\")
    return path + (f"?{parts.query}" if parts.query else "")


class SecurityHeaders:
    """ASGI middleware: the headers above on every response; redirects as paths."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = _secure(message, POLICY)
            await send(message)

        await self.app(scope, receive, secured)


_RAW_HEADERS = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in HEADERS.items()]
_RAW_POLICY = POLICY.encode("latin-1")
_OURS = {b"content-security-policy", b"server", *(k for k, _ in _RAW_HEADERS)}


def _secure(start: Message, policy: str) -> Message:
    # On every response: raw header pairs, no parsing (a few microseconds count at 10,000
    # answers a second from the cache).
    given = start.get("headers") or []
    headers = [(k, v) for k, v in given if k.lower() not in _OURS]
    raw = _RAW_POLICY if policy is POLICY else policy.encode("latin-1")
    headers += [(b"content-security-policy", raw), *_RAW_HEADERS]
    if 300 <= start["status"] < 400:
        headers = [
            (k, relative_location(v.decode("latin-1")).encode("latin-1"))
            if k.lower() == b"location"
            else (k, v)
            for k, v in headers
        ]
    return {**start, "headers": headers}  # a copy: the answer cache may hold the original


def host_allowed(host: str, allowed: list[str]) -> bool:
    """Whether ``host`` (a Host header, port and all) is one of ``allowed`` ("*": any;
    "*.example.org": example.org and its subdomains)."""
    if "*" in allowed:
        return True
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]").rstrip(".").lower()
    for pattern in allowed:
        if pattern.startswith("*."):
            if name == pattern[2:] or name.endswith(pattern[1:]):
                return True
        elif name == pattern.strip("[]"):
            return True
    return False


def allowed_hosts(setting: str) -> list[str]:
    """The ``allowed_hosts`` setting as a list of lower-case names."""
    return [h.strip().lower() for h in setting.split(",") if h.strip()]


class AllowedHosts:
    """ASGI middleware: 400 for a request whose Host header is not among ``allowed``."""

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "*" not in self.allowed:
            host = Headers(scope=scope).get("host", "")
            if not host_allowed(host, self.allowed):
                from fmtr.web.errors import error_response

                refused = InputError(
                    "this server does not answer to that host name (its allowed_hosts setting)"
                )
                await error_response(Request(scope), refused)(scope, receive, send)
                return
        await self.app(scope, receive, send)
