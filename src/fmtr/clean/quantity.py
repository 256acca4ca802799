"""Quantity (number of students) cells to int.

Accepted: one whole number, with US thousands separators in the right places or none ("49",
"1,234"). A leading "-" gives the value with the ``negative`` flag. Everything else (fractions,
words, two numbers, a number glued to a place name) is None with ``unparseable``; blank and
placeholder cells are ``blank`` / ``not_given`` (never 0).
"""

from __future__ import annotations

import re

from fmtr.clean.parsed import NEGATIVE, UNPARSEABLE, Parsed, empty_flag

_QUANTITY = re.compile(r"(?P<minus>[-−])?(?P<number>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)")


def parse_quantity(raw: str | None) -> Parsed[int]:
    """The whole number a quantity cell holds, or None with a flag."""
    empty = empty_flag(raw)
    if empty is not None or raw is None:
        return Parsed(raw, None, empty)
    m = _QUANTITY.fullmatch(raw.strip())
    if m is None:
        return Parsed(raw, None, UNPARSEABLE)
    value = int(m.group("number").replace(",", ""))
    if m.group("minus"):
        return Parsed(raw, -value, NEGATIVE if value else None)
    return Parsed(raw, value, None)
