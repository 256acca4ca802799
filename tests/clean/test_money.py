"""Money cells: exact Decimal dollars, or None with a flag; never 0 for garbage."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fmtr.clean.money import format_cost, parse_cost
from fmtr.clean.parsed import FAILURES, FLAGS

EXAMPLES = [
    ("$28,950", Decimal("28950"), None),
    ("45141", Decimal("45141"), None),
    ("12606.72", Decimal("12606.72"), None),
    ("$0", Decimal("0"), None),
    ("0", Decimal("0"), None),
    ("$1,700,000", Decimal("1700000"), None),
    ("$ 1,234", Decimal("1234"), None),
    ("  $98,439 ", Decimal("98439"), None),
    ("($1,234)", Decimal("-1234"), "negative"),
    ("-$5", Decimal("-5"), "negative"),
    ("$-5", Decimal("-5"), "negative"),
    ("-0", Decimal("0"), None),
    ("$12,345.678", Decimal("12345.678"), "sub_cent"),
    ("$1,234.5", Decimal("1234.5"), None),
    (None, None, "blank"),
    ("", None, "blank"),
    ("   ", None, "blank"),
    ("-", None, "not_given"),
    ("N/A", None, "not_given"),
    ("n/a", None, "not_given"),
    ("$", None, "not_given"),
    ("$ -", None, "not_given"),
    ("TBD", None, "not_given"),
    ("$1,234 $5,678", None, "unparseable"),
    ("$1,234$5,678", None, "unparseable"),
    ("$1,234 10/19/2015", None, "unparseable"),
    ("1,23,4", None, "unparseable"),
    ("$1,2345", None, "unparseable"),
    ("12.34.56", None, "unparseable"),
    ("$1, 234", None, "unparseable"),
    ("Garmisch, Germany", None, "unparseable"),
    ("(-$5)", None, "unparseable"),
    ("--5", None, "unparseable"),
    ("１２３", None, "unparseable"),  # full-width digits are not printed by the reports
    ("$1e5", None, "unparseable"),
    ("NaN", None, "unparseable"),
    ("Infinity", None, "unparseable"),
]


@pytest.mark.parametrize(("raw", "value", "flag"), EXAMPLES)
def test_examples(raw: str | None, value: Decimal | None, flag: str | None) -> None:
    parsed = parse_cost(raw)
    assert parsed.raw == raw
    assert parsed.flag == flag
    if value is None:
        assert parsed.value is None
    else:
        assert parsed.value == value
        assert str(parsed.value) == str(value)  # exact, same exponent: no float on the way


cents = st.decimals(min_value=0, max_value=Decimal("10") ** 12, places=2, allow_nan=False)


@given(cents)
def test_dollars_and_cents_round_trip(value: Decimal) -> None:
    assert parse_cost(format_cost(value)).value == value
    assert parse_cost(f"{value}").value == value  # "12606.72": no "$", no separators


@given(st.integers(min_value=0, max_value=10**12))
def test_whole_dollars_round_trip(value: int) -> None:
    parsed = parse_cost(f"${value:,}")
    assert parsed.value == Decimal(value)
    assert parsed.flag is None


@given(cents.filter(lambda d: d > 0))
def test_accounting_negative(value: Decimal) -> None:
    parsed = parse_cost(f"({format_cost(value)})")
    assert parsed.value == -value
    assert parsed.flag == "negative"


@given(st.text(max_size=30))
def test_any_text_parses_or_flags_never_raises(raw: str) -> None:
    parsed = parse_cost(raw)
    assert parsed.raw == raw
    assert parsed.flag is None or parsed.flag in FLAGS
    if parsed.value is None:
        assert parsed.flag in FAILURES
    else:
        # A value only ever comes from digits the cell shows: garbage never becomes 0.
        assert any(c in "0123456789" for c in raw)
        if parsed.value == 0:
            assert "0" in raw


@given(cents, cents)
def test_two_amounts_glued_are_unparseable(a: Decimal, b: Decimal) -> None:
    for sep in (" ", "  ", ""):
        assert parse_cost(f"{format_cost(a)}{sep}{format_cost(b)}").flag == "unparseable"


@given(cents, st.dates())
def test_amount_with_date_glued_is_unparseable(a: Decimal, d: object) -> None:
    day = f"{d.month}/{d.day}/{d.year}"  # type: ignore[attr-defined]
    assert parse_cost(f"{format_cost(a)} {day}").flag == "unparseable"
