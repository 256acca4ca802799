"""The result of cleaning one verbatim cell: the value, the verbatim text, and a flag.

Cleaning never guesses: a cell that is not exactly one value of the expected kind gives
``value=None`` and a flag saying why, and the verbatim text always travels with the value so
that every cleaned figure can be checked against the page.

Flag vocabulary (``Parsed.flag``); ``None`` means the cell parsed cleanly.

Value is None:
- ``blank``: the cell is empty (None, "" or only whitespace).
- ``not_given``: the cell holds a placeholder that says "no value" ("-", "N/A", "TBD", a bare
  "$"). Never read as 0.
- ``unparseable``: anything else that is not exactly one value (two amounts glued together, a
  date glued onto an amount, words, misplaced thousands separators, ...).
- ``impossible``: dates only: looks like a date but is not one (2/30/2016, month 13).

Value is set (warnings, the value is exact but worth a look):
- ``negative``: a negative amount or quantity ("($1,234)", "-1,234").
- ``sub_cent``: money with more than two decimals ("$12,345.678"); the Decimal is kept exact.
- ``two_digit_year``: a date printed with a two-digit year, resolved by the edition.
- ``far_from_edition``: a date more than a few years away from the edition's fiscal years.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

BLANK = "blank"
NOT_GIVEN = "not_given"
UNPARSEABLE = "unparseable"
IMPOSSIBLE = "impossible"
NEGATIVE = "negative"
SUB_CENT = "sub_cent"
TWO_DIGIT_YEAR = "two_digit_year"
FAR_FROM_EDITION = "far_from_edition"
START_AFTER_END = "start_after_end"

# Flags that come with value None.
FAILURES = frozenset({BLANK, NOT_GIVEN, UNPARSEABLE, IMPOSSIBLE})
# Flags that come with a value.
WARNINGS = frozenset({NEGATIVE, SUB_CENT, TWO_DIGIT_YEAR, FAR_FROM_EDITION})
FLAGS = FAILURES | WARNINGS | {START_AFTER_END}

# Placeholders printed where a value is absent; compared after casefold and space removal.
_PLACEHOLDERS = frozenset(
    {"-", "--", "---", "–", "—", "n/a", "na", "n.a.", "tbd", "none", "$", "$-", "$--", "$–", "$—"}
)


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """One cleaned cell. ``raw`` is the verbatim cell, ``value`` the exact value or None."""

    raw: str | None
    value: T | None
    flag: str | None = None

    @property
    def ok(self) -> bool:
        """True when the value is present (possibly with a warning flag)."""
        return self.value is not None


def empty_flag(raw: str | None) -> str | None:
    """``blank`` or ``not_given`` when the cell holds no value, else None."""
    if raw is None or not raw.strip():
        return BLANK
    if "".join(raw.split()).casefold() in _PLACEHOLDERS:
        return NOT_GIVEN
    return None
