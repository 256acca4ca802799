"""Date cells to ``datetime.date``.

The reports print dates as month/day/year: "10/19/2015", "8/9/2006", and in the older editions
with a two-digit year, "3/7/03". A two-digit year is resolved by the edition: it goes to the
century that puts it nearest the edition's first fiscal year (edition FY2003-2004 -> 2003, so
"99" is 1999 and "03" is 2003), and the result carries the ``two_digit_year`` flag.
"""

from __future__ import annotations

import re
from datetime import date

from fmtr.clean.parsed import (
    FAR_FROM_EDITION,
    IMPOSSIBLE,
    START_AFTER_END,
    TWO_DIGIT_YEAR,
    UNPARSEABLE,
    Parsed,
    empty_flag,
)

_DATE = re.compile(
    r"(?P<m>[0-9]{1,2})(?P<sep>[/-])(?P<d>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4}|[0-9]{2})"
)
_EDITION = re.compile(r"FY\s*(?P<first>[0-9]{4})\s*-\s*[0-9]{4}")

# A training line belongs to the edition's fiscal year(s); courses start up to a year before
# (a fiscal year begins on 1 October) and long courses end a few years after. Dates outside
# this window are kept but flagged.
_YEARS_BEFORE, _YEARS_AFTER = 2, 4


def first_fiscal_year(edition: str) -> int:
    """The first fiscal year an edition is named after: "FY2003-2004" -> 2003."""
    m = _EDITION.fullmatch(edition.strip())
    if m is None:
        raise ValueError(f"not an edition name: {edition!r}")
    return int(m.group("first"))


def resolve_two_digit_year(yy: int, edition_first_year: int) -> int:
    """The four-digit year nearest the edition whose last two digits are ``yy``."""
    base = edition_first_year - edition_first_year % 100 + yy
    return min((base - 100, base, base + 100), key=lambda y: (abs(y - edition_first_year), y))


def parse_date(raw: str | None, edition_first_year: int) -> Parsed[date]:
    """The date a start/end date cell holds, or None with a flag (see fmtr.clean.parsed)."""
    empty = empty_flag(raw)
    if empty is not None or raw is None:
        return Parsed(raw, None, empty)
    m = _DATE.fullmatch(raw.strip())
    if m is None:
        return Parsed(raw, None, UNPARSEABLE)
    year = int(m.group("y"))
    flag = None
    if len(m.group("y")) == 2:
        year, flag = resolve_two_digit_year(year, edition_first_year), TWO_DIGIT_YEAR
    try:
        value = date(year, int(m.group("m")), int(m.group("d")))
    except ValueError:
        return Parsed(raw, None, IMPOSSIBLE)
    if flag is None and not (
        edition_first_year - _YEARS_BEFORE <= year <= edition_first_year + _YEARS_AFTER
    ):
        flag = FAR_FROM_EDITION
    return Parsed(raw, value, flag)


def check_order(start: date | None, end: date | None) -> str | None:
    """``start_after_end`` when both dates are known and the start is later, else None."""
    if start is not None and end is not None and start > end:
        return START_AFTER_END
    return None
