"""Quantity cells: whole numbers, or None with a flag."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fmtr.clean.parsed import FAILURES
from fmtr.clean.quantity import parse_quantity

EXAMPLES = [
    ("49", 49, None),
    ("1", 1, None),
    ("0", 0, None),
    ("1,234", 1234, None),
    (" 30 ", 30, None),
    ("-2", -2, "negative"),
    (None, None, "blank"),
    ("", None, "blank"),
    ("-", None, "not_given"),
    ("N/A", None, "not_given"),
    ("1.5", None, "unparseable"),
    ("1,23", None, "unparseable"),
    ("1 Garmisch,", None, "unparseable"),  # a location glued on
    ("99 URUGUAY", None, "unparseable"),
    ("12 34", None, "unparseable"),
    ("1 12345-6789", None, "unparseable"),
    ("$5", None, "unparseable"),
    ("five", None, "unparseable"),
]


@pytest.mark.parametrize(("raw", "value", "flag"), EXAMPLES)
def test_examples(raw: str | None, value: int | None, flag: str | None) -> None:
    parsed = parse_quantity(raw)
    assert (parsed.raw, parsed.value, parsed.flag) == (raw, value, flag)


@given(st.integers(min_value=0, max_value=10**9))
def test_round_trip(n: int) -> None:
    assert parse_quantity(str(n)).value == n
    assert parse_quantity(f"{n:,}").value == n


@given(st.text(max_size=20))
def test_never_raises_and_garbage_is_not_zero(raw: str) -> None:
    parsed = parse_quantity(raw)
    if parsed.value is None:
        assert parsed.flag in FAILURES
    else:
        assert raw.strip().lstrip("-−").replace(",", "").isascii()
        assert int(raw.strip().replace("−", "-").replace(",", "")) == parsed.value
