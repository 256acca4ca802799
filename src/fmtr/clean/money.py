"""Money cells to exact Decimal dollars.

Accepted: one amount, optionally with "$" (spaces allowed after it), US thousands separators
in the right places or none at all, an optional fraction, and a sign given as a leading "-" or as
accounting parentheses: "$28,950", "45141", "12606.72", "$ 1,234", "($1,234)", "-$5". Everything
else is ``unparseable`` (never 0): two amounts glued together ("$1,234 $5,678"), a date glued on
("$1,234 10/19/2015"), words, "1,23,4".
"""

from __future__ import annotations

import re
from decimal import Decimal

from fmtr.clean.parsed import NEGATIVE, SUB_CENT, UNPARSEABLE, Parsed, empty_flag

# ASCII digits only: \d would accept other scripts' digits, which no report prints.
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_AMOUNT = re.compile(rf"(?P<minus>[-−])?\$?\s*(?P<minus2>[-−])?(?P<number>{_NUMBER})")
_PARENS = re.compile(r"\((?P<inner>[^()]*)\)")


def parse_cost(raw: str | None) -> Parsed[Decimal]:
    """The exact amount in dollars of a cost cell, or None with a flag (see fmtr.clean.parsed)."""
    empty = empty_flag(raw)
    if empty is not None or raw is None:
        return Parsed(raw, None, empty)
    text = raw.strip()
    negative = False
    parens = _PARENS.fullmatch(text)
    if parens:
        negative, text = True, parens.group("inner").strip()
    m = _AMOUNT.fullmatch(text)
    if m is None or (m.group("minus") and m.group("minus2")):
        return Parsed(raw, None, UNPARSEABLE)
    if m.group("minus") or m.group("minus2"):
        if negative:  # "(-$5)": a double negative is a typo, not a value
            return Parsed(raw, None, UNPARSEABLE)
        negative = True
    value = Decimal(m.group("number").replace(",", ""))
    if negative and value:  # "-0" is 0: no negative zero reaches the database
        value = -value
    flag = None
    if value < 0:
        flag = NEGATIVE
    elif "." in m.group("number") and len(m.group("number").split(".")[1]) > 2:
        flag = SUB_CENT
    return Parsed(raw, value, flag)


def format_cost(value: Decimal) -> str:
    """The report's own style: "$1,234" or "$1,234.56" (used by tests and displays)."""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,}"
