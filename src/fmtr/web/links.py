"""Which addresses the explorer renders as links.

Apart from ``fmtr.web.security`` (which answers refusals with the error pages, themselves
rendered with this test) so that the pages and the security layer do not import each other.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def is_web_link(url: object) -> bool:
    """Whether ``url`` may be a link's target: an http(s) address (a `javascript:` or `data:`
    URL, which a manifest might hold, is shown as text)."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
