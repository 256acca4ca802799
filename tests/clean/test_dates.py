"""Date cells: month/day/year to datetime.date, two-digit years resolved by the edition."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fmtr.clean.dates import (
    check_order,
    first_fiscal_year,
    parse_date,
    resolve_two_digit_year,
)
from fmtr.clean.parsed import FAILURES

EXAMPLES = [
    ("10/19/2015", 2016, date(2015, 10, 19), None),
    ("8/9/2006", 2006, date(2006, 8, 9), None),
    ("2/24/2003", 2003, date(2003, 2, 24), None),
    ("10/29/2002", 2002, date(2002, 10, 29), None),
    ("01/05/2004", 2003, date(2004, 1, 5), None),
    ("3/7/03", 2003, date(2003, 3, 7), "two_digit_year"),
    ("12/1/99", 2000, date(1999, 12, 1), "two_digit_year"),
    ("12/1/99", 2003, date(1999, 12, 1), "two_digit_year"),
    ("9/30/01", 2001, date(2001, 9, 30), "two_digit_year"),
    ("2/29/2016", 2016, date(2016, 2, 29), None),
    ("2/30/2016", 2016, None, "impossible"),
    ("2/29/2015", 2015, None, "impossible"),
    ("13/1/2016", 2016, None, "impossible"),
    ("0/1/2016", 2016, None, "impossible"),
    ("1/1/1900", 2016, date(1900, 1, 1), "far_from_edition"),
    ("6/1/2030", 2016, date(2030, 6, 1), "far_from_edition"),
    (None, 2016, None, "blank"),
    ("", 2016, None, "blank"),
    ("-", 2016, None, "not_given"),
    ("TBD", 2016, None, "not_given"),
    ("5/9/2016 5/14/2016", 2016, None, "unparseable"),  # start and end glued
    ("$9", 2016, None, "unparseable"),
    ("2016-05-09", 2016, None, "unparseable"),
    ("5/9", 2016, None, "unparseable"),
    ("5/9/216", 2016, None, "unparseable"),
    ("5/9-2016", 2016, None, "unparseable"),
]


@pytest.mark.parametrize(("raw", "first", "value", "flag"), EXAMPLES)
def test_examples(raw: str | None, first: int, value: date | None, flag: str | None) -> None:
    parsed = parse_date(raw, first)
    assert (parsed.raw, parsed.value, parsed.flag) == (raw, value, flag)


def test_first_fiscal_year() -> None:
    assert first_fiscal_year("FY2003-2004") == 2003
    assert first_fiscal_year("FY1999-2000") == 1999
    with pytest.raises(ValueError):
        first_fiscal_year("2003")


@pytest.mark.parametrize(
    ("yy", "first", "year"),
    [
        (3, 2003, 2003),
        (99, 2003, 1999),
        (99, 1999, 1999),
        (0, 1999, 2000),
        (52, 2003, 2052),
        (54, 2003, 1954),
        (10, 2095, 2110),
    ],
)
def test_two_digit_year_nearest_the_edition(yy: int, first: int, year: int) -> None:
    assert resolve_two_digit_year(yy, first) == year


valid_dates = st.dates(min_value=date(1995, 1, 1), max_value=date(2025, 12, 31))


@given(valid_dates, st.booleans())
def test_round_trip_four_digit_year(d: date, pad: bool) -> None:
    raw = f"{d.month:02}/{d.day:02}/{d.year}" if pad else f"{d.month}/{d.day}/{d.year}"
    parsed = parse_date(raw, d.year)
    assert parsed.value == d
    assert parsed.flag is None


@given(valid_dates, st.integers(min_value=-49, max_value=49))
def test_round_trip_two_digit_year(d: date, offset: int) -> None:
    # Any edition within 49 years of the date resolves its two-digit year to the right century.
    parsed = parse_date(f"{d.month}/{d.day}/{d.year % 100:02}", d.year + offset)
    assert parsed.value == d
    assert parsed.flag == "two_digit_year"


@given(st.text(max_size=25), st.integers(min_value=1999, max_value=2021))
def test_never_raises(raw: str, first: int) -> None:
    parsed = parse_date(raw, first)
    assert (parsed.value is None) == (parsed.flag in FAILURES)


def test_check_order() -> None:
    assert check_order(date(2016, 5, 14), date(2016, 5, 9)) == "start_after_end"
    assert check_order(date(2016, 5, 9), date(2016, 5, 14)) is None
    assert check_order(date(2016, 5, 9), date(2016, 5, 9)) is None
    assert check_order(None, date(2016, 5, 9)) is None
    assert check_order(date(2016, 5, 9), None) is None
