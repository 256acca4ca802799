"""A table's JSON is the same document however it is made: the server's fast paths (dollars
divided from the cents, scalar cells kept without a call) against the plain reading of each
rule, on generated tables."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fmtr.query.shapes import Table, jsonable, usd

cents = st.one_of(st.none(), st.integers(min_value=-(10**22), max_value=10**22))
cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.lists(st.text(max_size=4), max_size=3),
    st.frozensets(st.integers(), max_size=3),
    st.dictionaries(st.integers(), st.text(max_size=3), max_size=2),
)


# A shared machine may draw slowly: the draws, not the code under test.
SLOW_DRAWS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def plain(value: Any) -> Any:
    """What JSON holds, by the rules alone (one call per value)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [plain(v) for v in items]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@SLOW_DRAWS
@given(cents)
def test_dollars_in_json_are_the_exact_amount_read_as_a_number(amount: int | None) -> None:
    table = Table(["cost_cents"], [{"cost_cents": amount}])
    row = table.as_json()["rows"][0]
    expected = None if amount is None else float(usd(amount))
    assert row == {"cost_cents": amount, "cost_usd": expected}
    assert json.dumps(row) == json.dumps({"cost_cents": amount, "cost_usd": expected})


@SLOW_DRAWS
@given(
    st.lists(
        st.fixed_dictionaries({"name": cells, "trainees": cells, "cost_cents": cents}), max_size=5
    )
)
def test_a_table_is_jsonable_as_its_cells_are(rows: list[dict[str, Any]]) -> None:
    document = jsonable({"table": Table(["name", "trainees", "cost_cents"], rows), "n": 1})
    expected_rows = [
        {**plain(r), "cost_usd": None if r["cost_cents"] is None else float(usd(r["cost_cents"]))}
        for r in rows
    ]
    assert document["n"] == 1
    assert document["table"]["columns"] == ["name", "trainees", "cost_usd", "cost_cents"]
    # Same values, keys in the same order: the same bytes once dumped.
    assert json.dumps(document["table"]["rows"]) == json.dumps(expected_rows)


@SLOW_DRAWS
@given(cells)
def test_jsonable_of_any_cell_follows_the_rules(value: Any) -> None:
    assert json.dumps(jsonable([value, {"v": value}])) == json.dumps(
        [plain(value), {"v": plain(value)}]
    )
