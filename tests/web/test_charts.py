"""The charts' geometry and words: round ticks that never repeat a label, values on bars,
a text alternative that states every figure, and one look per programme in the stack."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fmtr.web import palette
from fmtr.web.charts import axis, describe, short, stacked_bars, tick_label


@given(st.integers(min_value=0, max_value=10**7))
def test_count_ticks_are_whole_round_and_distinct(maximum: int) -> None:
    top, ticks = axis(maximum, integer=True)
    labels = [tick_label(t, "") for t in ticks]
    assert ticks[0] == 0 and top == ticks[-1] >= maximum
    assert 2 <= len(ticks) <= 6
    assert all(t == int(t) for t in ticks)  # no quarter trainee
    assert len(set(labels)) == len(labels)  # never "0 0 0 1 1"
    step = ticks[1] - ticks[0]
    assert step >= 1 and str(int(step)).rstrip("0") in ("1", "2", "25", "5")


@given(st.floats(min_value=0, max_value=5e9, allow_nan=False))
def test_money_ticks_are_round_and_distinct(maximum: float) -> None:
    top, ticks = axis(maximum, integer=True)  # whole dollars: no tick at $0.25
    labels = [tick_label(t, "$") for t in ticks]
    assert top >= maximum and len(set(labels)) == len(labels)
    assert all(label.startswith("$") for label in labels)
    assert len(ticks) <= 6


def test_labels_read_as_people_write_them() -> None:
    assert [tick_label(t, "") for t in axis(1, integer=True)[1]] == ["0", "1"]
    assert [tick_label(t, "") for t in axis(3, integer=True)[1]] == ["0", "1", "2", "3"]
    assert [tick_label(t, "") for t in axis(1234, integer=True)[1]] == [
        "0", "500", "1,000", "1,500",
    ]  # fmt: skip
    assert [tick_label(t, "$") for t in axis(813_455, integer=True)[1]] == [
        "$0", "$250k", "$500k", "$750k", "$1M",
    ]  # fmt: skip
    assert [tick_label(t, "$") for t in axis(1_300_000, integer=True)[1]] == [
        "$0", "$500k", "$1M", "$1.5M",
    ]  # fmt: skip
    assert short(813_455, "$") == "$813k"
    assert short(2_400_000, "$") == "$2.4M"
    assert short(1234, "") == "1,234"
    assert short(12_345, "") == "12k"


ROWS = [
    {"fy": 2001, "programme_code": "FMF", "trainees": 2},
    {"fy": 2001, "programme_code": "IMET", "trainees": 5},
    {"fy": 2001, "programme_code": "GPOI", "trainees": 1},
    {"fy": 2004, "programme_code": "IMET", "trainees": 3},
]


def _chart() -> object:
    return stacked_bars(
        ROWS,
        value="trainees",
        stack_by="programme_code",
        years=[2001, 2002, 2003, 2004],
        covered={2001, 2002, 2004},
        title="Trainees",
    )


def test_the_stack_keeps_one_order_and_one_look_per_programme() -> None:
    chart = _chart()
    bar = chart.bars[0]  # type: ignore[attr-defined]
    # IMET at the bottom in every chart (the palette's order), whatever the values.
    assert [s.series for s in bar.segments] == ["IMET", "FMF", "GPOI"]
    assert [s.look for s in bar.segments] == [palette.look(c) for c in ("IMET", "FMF", "GPOI")]
    assert palette.look("GPOI").pattern == "stripes"
    assert bar.total == 8 and bar.label == "8"
    assert [fy for fy, _, _ in chart.gaps] == [2002]  # type: ignore[attr-defined]
    assert [fy for fy, _, _ in chart.uncovered] == [2003]  # type: ignore[attr-defined]
    assert chart.labelled  # type: ignore[attr-defined]


def test_the_text_alternative_states_the_figures() -> None:
    chart = _chart()
    text = describe(chart)  # type: ignore[arg-type]
    assert text == (
        "Trainees. FY2001 8 (IMET 5, FMF 2, GPOI 1); FY2004 3 (IMET). "
        "None reported in FY2002. No loaded edition covers FY2003."
    )
    assert chart.text == text  # type: ignore[attr-defined]


def test_a_shared_scale_reaches_the_highest_panel() -> None:
    low = stacked_bars(
        ROWS[-1:],
        value="trainees",
        stack_by="programme_code",
        years=[2004],
        covered={2004},
        title="t",
        top=40,
    )
    assert low.ticks[-1][1] == "40"
    assert low.bars[0].segments[0].height < low.plot_height / 10
