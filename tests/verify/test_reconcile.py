from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fmtr.extract.model import PrintedTotal, ProgrammeBlock, TrainingRow
from fmtr.verify.reconcile import (
    MISMATCH,
    RECONCILED,
    SOURCE_ERROR,
    UNPARSEABLE,
    SourceError,
    reconcile,
)


def block(country: str, programme: str, fy: str, rows: list[tuple[str, str]]) -> ProgrammeBlock:
    b = ProgrammeBlock(f"{country}, {programme}, {fy}", None, country, programme, fy, None, 1, 1)
    b.rows = [TrainingRow(page=1, quantity=q, cost=c) for q, c in rows]
    return b


def total(kind: str, q: str, c: str, label: str = "Totals:") -> PrintedTotal:
    return PrintedTotal(kind, label, 1, q, c)


def test_fiscal_programme_and_country_totals_cover_their_runs() -> None:
    fy99 = block("Chad", "IMET", "FY 99", [("1", "$100"), ("2", "$1,000")])
    fy99.totals = [total("fiscal_year", "3", "$1,100")]
    fy00 = block("Chad", "IMET", "FY 00", [("4", "$10")])
    fy00.totals = [
        total("fiscal_year", "4", "$10"),
        total("programme", "7", "$1,110"),
    ]
    other = block("Chad", "ACSS", "FY 00", [("1", "$5")])
    other.totals = [total("fiscal_year", "1", "$5"), total("country", "8", "$1,115")]
    checks = reconcile([("f", i, b) for i, b in enumerate([fy99, fy00, other])])
    assert [c.status for c in checks] == [RECONCILED] * 5
    assert [c.rows for c in checks] == [2, 1, 3, 1, 4]


def test_a_block_split_across_files_is_one_block() -> None:
    head = block("Albania", "IMET", "FY 00", [("1", "$1")])
    tail = block("Albania", "IMET", "FY 00", [("2", "$2")])
    tail.totals = [total("fiscal_year", "3", "$3")]
    checks = reconcile([("a.pdf", 9, head), ("b.pdf", 0, tail)])
    assert [(c.file, c.block_seq, c.status) for c in checks] == [("b.pdf", 0, RECONCILED)]


def test_mismatch_unparseable_and_listed_source_error() -> None:
    b = block("Peru", "IMET", "2008", [("1", "$1"), ("2", "2 $3")])
    b.totals = [total("fiscal_year", "3", "$4")]
    assert reconcile([("f", 0, b)])[0].status == UNPARSEABLE

    b.rows[1].cost = "$2"
    assert reconcile([("f", 0, b)])[0].status == MISMATCH
    err = SourceError("f", 1, "Totals:", "3", "$4", "printed total is wrong")
    check = reconcile([("f", 0, b)], {err.key: err})[0]
    assert check.status == SOURCE_ERROR and check.detail == "printed total is wrong"


def test_whole_dollar_total_of_rows_with_cents() -> None:
    b = block("Peru", "IMET", "2006", [("1", "10.40"), ("1", "10.40")])
    b.totals = [total("fiscal_year", "2", "$21")]
    check = reconcile([("f", 0, b)])[0]
    assert check.status == RECONCILED and check.detail == "cost rounded to dollars"
    b.totals = [total("fiscal_year", "2", "$22")]
    assert reconcile([("f", 0, b)])[0].status == MISMATCH


@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.decimals(0, 10**7, places=0)), min_size=0, max_size=30
    )
)
def test_rows_always_reconcile_with_their_own_sum(rows: list[tuple[int, Decimal]]) -> None:
    b = block("Peru", "IMET", "2010", [(str(q), f"${c:,}") for q, c in rows])
    b.totals = [
        total("fiscal_year", f"{sum(q for q, _ in rows):,}", f"${sum(c for _, c in rows):,}")
    ]
    assert reconcile([("f", 0, b)])[0].status == RECONCILED
