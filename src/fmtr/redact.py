"""Hiding secrets in text that is printed or logged: the password of a URL (``user:pw@host``).

``fmtr.store.db.display_url`` shows a database URL without its password; this catches the ones
that reach a message some other way (a driver's error, a log line), so that a password given in
``--db`` or $FMTR_DB is never printed.
"""

from __future__ import annotations

import re

# scheme://user:password@ -> scheme://user:***@ (the password may hold anything but @ and space).
_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)(?P<secret>[^\s@]+)@")


def redact(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``."""
    return _PASSWORD.sub(lambda m: f"{m['head']}***@", text)
