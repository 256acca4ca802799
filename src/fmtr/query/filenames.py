"""File names that say what a download holds: ``fmtr-PAK-IMET-FY2003-FY2017-training.csv``.

The same name whichever way the table is fetched (the API's downloads, the pages' links,
``fmtr export``'s default): fmtr, the recipient's code, the programme's code, the span of fiscal
years, a few words of the text searched, then what the rows are. ASCII letters, digits and
hyphens only, so that it needs no quoting in a Content-Disposition header or a shell.
"""

from __future__ import annotations

import re
import unicodedata

_MAX_WORDS = 40  # characters of a text's words in a name


def slug(text: str) -> str:
    """ "Rapid Action Battalion" -> "rapid-action-battalion" (accents dropped, ASCII only)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[A-Za-z0-9]+", plain.lower())
    return "-".join(words)[:_MAX_WORDS].strip("-")


def _code(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", code)  # "X-NATO" -> "XNATO"


def export_name(
    what: str,
    country: str | None = None,
    text: str | None = None,
    programme: str | None = None,
    first_fy: int | None = None,
    last_fy: int | None = None,
) -> str:
    """The name (without extension) of a download of ``what`` (training, units, search...)
    filtered by the given recipient, programme, span of fiscal years and text."""
    parts = ["fmtr"]
    if country:
        parts.append(_code(country))
    if programme:
        parts.append(_code(programme))
    if first_fy is not None and last_fy is not None:
        parts.append(f"FY{first_fy}" if first_fy == last_fy else f"FY{first_fy}-FY{last_fy}")
    elif first_fy is not None:
        parts.append(f"from-FY{first_fy}")
    elif last_fy is not None:
        parts.append(f"to-FY{last_fy}")
    if text and (words := slug(text)):
        parts.append(words)
    parts.append(slug(what) or "table")
    return "-".join(p for p in parts if p)
