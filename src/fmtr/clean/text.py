"""Normalised forms of free-text cells (locations, units, course titles) for grouping and search.

The verbatim cell is always kept beside the normalised form; the normalised form only decides
which cells are "the same": "Fort  Benning, GA" and "FORT BENNING, GA" group together. It is
not for display.

``norm_key``: Unicode NFKD with the accents dropped (full-width and compatibility forms to plain
ones, "Bénin" to "Benin", so that a name printed with and without its accents groups as one),
curly quotes and apostrophes to straight ones, every dash to "-", spaces around "-" and "/" and
before ",", "." removed or unified, runs of whitespace to one space, stripped, casefolded.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "\u00a0": " ",
        "\u00ad": "",  # soft hyphen: invisible on the page
    }
)
_SPACE = re.compile(r"\s+")
_AROUND = re.compile(r"\s*([-/])\s*")
_BEFORE = re.compile(r"\s+([,.;:)])")
_AFTER_OPEN = re.compile(r"\(\s+")


def collapse_space(text: str) -> str:
    """Runs of whitespace (including line breaks and no-break spaces) to one space, stripped."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def norm_key(text: str | None) -> str | None:
    """The grouping/search form of a cell (see module doc); None for a blank cell."""
    if text is None:
        return None
    # Accents dropped before and after casefolding: casefold() itself makes combining marks
    # of a few letters ("İ" to "i̇").
    s = text if text.isascii() else strip_accents(strip_accents(text).casefold())
    s = s.translate(_QUOTES)
    s = collapse_space(s)
    s = _AROUND.sub(r"\1", s)
    s = _BEFORE.sub(r"\1", s)
    s = _AFTER_OPEN.sub("(", s)
    s = s.casefold()
    return s or None


def strip_accents(text: str) -> str:
    """ "Côte d'Ivoire" -> "Cote d'Ivoire" (for matching names, never for display)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(text: str) -> str:
    """A looser key for matching names (countries, programmes): norm_key without accents,
    with "&" as "and", and punctuation other than parentheses dropped."""
    s = norm_key(strip_accents(text)) or ""
    s = s.replace("&", " and ")
    s = re.sub(r"[^\w()]+", " ", s)
    return collapse_space(s)
