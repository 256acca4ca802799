"""Reading and cleaning Greenbook-shaped workbooks made in code: the layout, every kind of bad
cell (each a one-line error naming the row), the transition quarter, the vocabulary."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from workbooks import GOOD_ROWS, IMET, IMET_ACCOUNT, SHEET, TITLE, write_workbook

from fmtr.clean.funding import (
    account_mappings,
    clean_greenbook,
    parse_dollars,
    parse_period,
    recipient_code,
)
from fmtr.extract.greenbook import COLUMNS, GreenbookError, read_greenbook

FIRST_DATA_ROW = len(TITLE) + 3  # title lines, a blank row, the header


def _read(path: Path):  # type: ignore[no-untyped-def]
    return clean_greenbook(read_greenbook(path, SHEET))


def _error(path: Path) -> str:
    with pytest.raises(GreenbookError) as info:
        _read(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_good_workbook_reads_every_row_with_its_sheet_row(tmp_path: Path) -> None:
    clean = _read(write_workbook(tmp_path / "g.xlsx"))
    assert (clean.first_fy, clean.last_fy) == (1946, 2020)
    assert clean.prepared == "Prepared by USAID Data Services on August 9, 2022"
    assert len(clean.obligations) == len(GOOD_ROWS)
    assert [o.row for o in clean.obligations] == list(
        range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(GOOD_ROWS))
    )
    assert [o.current_dollars for o in clean.obligations] == [r[7] for r in GOOD_ROWS]
    assert [o.constant_dollars for o in clean.obligations] == [r[8] for r in GOOD_ROWS]
    assert not clean.unmapped_countries


def test_the_transition_quarter_is_a_period_of_its_own(tmp_path: Path) -> None:
    clean = _read(write_workbook(tmp_path / "g.xlsx"))
    labels = [o.period.label for o in clean.obligations if o.country == "Pakistan"]
    assert labels[:3] == ["FY1976", "TQ1976", "FY1977"]
    tq = clean.obligations[1].period
    assert tq.fy is None and tq.transition_quarter and tq.fiscal_year == "1976.9"


def test_recipients_and_accounts_take_fmtr_codes(tmp_path: Path) -> None:
    clean = _read(write_workbook(tmp_path / "g.xlsx"))
    codes = {(o.country, o.period.label): o.country_code for o in clean.obligations}
    assert codes[("Pakistan", "FY2003")] == "PAK"
    assert codes[("World (not specified)", "FY2003")] == "X-WORLD"
    # One Greenbook name, Yugoslavia then Serbia and Montenegro, as the reports code them.
    assert codes[("Serbia and Montenegro, Former", "FY1995")] == "YUG"
    assert codes[("Serbia and Montenegro, Former", "FY2004")] == "SCG"
    programmes = {o.account: o.programme_code for o in clean.obligations}
    assert programmes[IMET_ACCOUNT] == "IMET"
    assert programmes["Cooperative Threat Reduction Account, Defense"] is None


def test_leading_blank_rows_keep_the_true_row_numbers(tmp_path: Path) -> None:
    sheet = read_greenbook(write_workbook(tmp_path / "g.xlsx", blank_rows_before=3), SHEET)
    assert sheet.header_row == len(TITLE) + 5
    assert next(iter(sheet.rows()))[0] == FIRST_DATA_ROW + 3


def test_a_changed_header_names_its_row_and_column(tmp_path: Path) -> None:
    header = list(COLUMNS)
    header[7] = "Obligations (Current Dollars)"
    message = _error(write_workbook(tmp_path / "g.xlsx", header=header))
    assert f"row {len(TITLE) + 2}" in message
    assert "column H is 'Obligations (Current Dollars)'" in message


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    header = [c for c in COLUMNS if c != "Funding Agency"]
    rows = [r[:5] + r[6:] for r in GOOD_ROWS]
    message = _error(write_workbook(tmp_path / "g.xlsx", rows, header=header))
    assert "no column 'Funding Agency'" in message and f"row {len(TITLE) + 2}" in message


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        (7, "n/a", "H{row} (Obligations (Historical Dollars)) is not a number: 'n/a'"),
        (8, None, "I{row} (Obligations (Constant Dollars)) is empty"),
        (7, 12.5, "H{row} (Obligations (Historical Dollars)) has cents: 12.5"),
        (0, 1977.5, "A{row} (Fiscal Year) is 1977.5: not a fiscal year of FY1946-FY2020"),
        (0, 2045, "A{row} (Fiscal Year) is 2045: not a fiscal year"),
        (0, "FY77", "A{row} (Fiscal Year) is 'FY77': not a fiscal year"),
        (2, "", "C{row} (Country) is empty"),
        (3, "Humanitarian", "D{row} (Assistance Category) is 'Humanitarian'"),
    ],
)
def test_a_bad_cell_is_a_one_line_error_naming_the_row(
    tmp_path: Path, column: int, value: object, says: str
) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[4][column] = value
    row = FIRST_DATA_ROW + 4
    message = _error(write_workbook(tmp_path / "g.xlsx", rows))
    assert message.startswith(f"g.xlsx, row {row}: ")
    assert says.format(row=row) in message


def test_a_repeated_key_names_both_rows(tmp_path: Path) -> None:
    rows = [*GOOD_ROWS, GOOD_ROWS[4]]
    message = _error(write_workbook(tmp_path / "g.xlsx", rows))
    assert message.startswith(f"g.xlsx, row {FIRST_DATA_ROW + len(GOOD_ROWS)}: repeats row")
    assert f"repeats row {FIRST_DATA_ROW + 4}" in message


def test_the_title_must_give_the_span_of_fiscal_years(tmp_path: Path) -> None:
    title = ("Some other workbook", *TITLE[1:])
    assert "no span of fiscal years" in _error(write_workbook(tmp_path / "g.xlsx", title=title))


def test_a_cell_beyond_the_last_column_is_refused(tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[2].append("stray")
    message = _error(write_workbook(tmp_path / "g.xlsx", rows))
    assert f"cell J{FIRST_DATA_ROW + 2} lies beyond" in message


def test_an_unknown_recipient_is_collected_not_guessed(tmp_path: Path) -> None:
    rows = [*GOOD_ROWS, (2003, "Asia", "Atlantis", *IMET, IMET_ACCOUNT, 5, 6)]
    clean = _read(write_workbook(tmp_path / "g.xlsx", rows))
    assert clean.unmapped_countries == {"Atlantis"}


def test_not_a_workbook_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "g.xlsx"
    path.write_bytes(b"not a zip file")
    assert "not a readable workbook" in _error(path)
    with pytest.raises(GreenbookError, match="no sheet 'Other'"):
        read_greenbook(write_workbook(tmp_path / "h.xlsx"), "Other")


def test_every_account_mapping_names_known_programmes() -> None:
    mappings = account_mappings()
    assert mappings[IMET_ACCOUNT].programme == "IMET"
    assert mappings["Peace Keeping Operations"].pays_for[0] == "PKO"
    assert mappings["Pakistan Counterinsurgency Fund"].programme is None
    assert all(m.why for m in mappings.values())


def test_recipient_code_by_year() -> None:
    for fy, code in ((1946, "YUG"), (2002, "YUG"), (2003, "SCG"), (2006, "SCG"), (None, "YUG")):
        found = recipient_code("Serbia and Montenegro, Former", fy)
        assert found is not None and found.code == code
    greenbook_names = {
        "Burma (Myanmar)": "MMR",
        "Congo (Kinshasa)": "COD",
        "China (Taiwan)": "TWN",
        "Korea, North": "PRK",
        "Turkey": "TUR",
        "West Bank/Gaza": "PSE",
        "Asia (not specified)": "X-ASIA",
        "Latin America & Caribbean (not specified)": "X-LAC",
    }
    for name, code in greenbook_names.items():
        found = recipient_code(name, 2000)
        assert found is not None and found.code == code, name


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_whole_dollars_read_exactly_as_numbers_and_as_text(n: int) -> None:
    assert parse_dollars(float(n)) == n
    assert parse_dollars(n) == n
    assert parse_dollars(str(n)) == n


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_an_amount_with_cents_is_never_rounded(d: Decimal) -> None:
    if d != d.to_integral_value():
        assert parse_dollars(str(d)) is None
    else:
        assert parse_dollars(str(d)) == int(d)


@given(st.integers(min_value=1900, max_value=2100))
def test_fiscal_years_inside_the_span_only(year: int) -> None:
    period = parse_period(float(year), 1946, 2020)
    if 1946 <= year <= 2020:
        assert period is not None and period.fy == year and period.label == f"FY{year}"
    else:
        assert period is None
    assert parse_period(1976.9, 1946, 2020) is not None
    assert parse_period(1976.9, 1980, 2020) is None  # not a period of that span
    assert parse_period(True, 1946, 2020) is None
