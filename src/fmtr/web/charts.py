"""Bar charts over fiscal years as SVG geometry, drawn by the templates (no script, no network).

What a chart must give a reader without a mouse: each programme in its one look
(fmtr.web.palette), the value over each bar when the bars are wide enough to hold it, axis
ticks at round values ("0 50 100 150", never "0 0 0 1 1"), and a text alternative that states
the figures (``Chart.text``); the pages put the figures' table beside every chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fmtr.web.palette import Look, look, rank

# One chart to a row on a wide screen (about 900 px: the SVG's units are about pixels there).
WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 900, 280, 64, 28, 18, 8
# The width of a character of a bar's label (10 units high), with room between two labels:
# the bars carry their values only when every label fits its bar's slot (the table has them).
LABEL_CHAR = 6.2


@dataclass
class Segment:
    series: str
    value: float
    y: float
    height: float
    look: Look


@dataclass
class Bar:
    fy: int
    x: float
    width: float
    total: float
    label: str  # the total, short ("$1.2M", "1,234")
    segments: list[Segment] = field(default_factory=list)

    @property
    def centre(self) -> float:
        return self.x + self.width / 2

    @property
    def top_y(self) -> float:
        return min((s.y for s in self.segments), default=0.0)


@dataclass
class Point:
    fy: int
    x: float
    y: float
    value: float


@dataclass
class Line:
    """A measure drawn as a line over the bars, on the bars' scale (``css``: its look, one of
    the stylesheet's line classes; ``dashed``: told apart from the other line without colour)."""

    name: str
    css: str
    runs: list[list[Point]]  # unbroken stretches: a year without a value breaks the line
    dashed: bool = False


@dataclass
class EventPin:
    """A registry event drawn as a vertical line at its fiscal year, its sources on hover."""

    event_id: str
    kind: str
    fy: int  # the fiscal year the event took effect (may lie before the axis)
    x: float
    label: str
    title: str  # the hover text: label, authority and every source's citation and sentence
    clipped: bool  # took effect before the first year shown: drawn at the axis start


@dataclass
class SuspensionBand:
    """The fiscal years a suspension may be in force (``x``..``x + width``); the years it is
    surely in force for at least part of the year are drawn denser (``certain_*``)."""

    event_id: str
    x: float
    width: float
    certain_x: float
    certain_width: float  # 0: no year surely meets it on the axis
    first_fy: int
    last_fy: int | None  # None: still in force
    title: str


@dataclass
class Chart:
    title: str
    unit: str
    bars: list[Bar]
    gaps: list[tuple[int, float, float]]  # fiscal year, x, width: no training reported
    uncovered: list[tuple[int, float, float]]  # fiscal years no loaded edition covers
    legend: list[tuple[str, Look]]
    ticks: list[tuple[float, str]]
    years: list[tuple[int, float, bool]]  # fiscal year, x of its centre, labelled on the axis
    text: str = ""  # the text alternative: every figure the chart shows
    labelled: bool = False  # each bar carries its value
    lines: list[Line] = field(default_factory=list)
    axis_top: float = 1.0  # the value the top of the plot stands for
    gap_words: str = "none reported"  # what a shaded gap year means
    uncovered_words: str = "no loaded edition covers the year"
    events: list[EventPin] = field(default_factory=list)
    suspensions: list[SuspensionBand] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = BOTTOM
    top: int = TOP

    @property
    def looks(self) -> list[Look]:
        """Every look drawn (each pattern is defined once per chart)."""
        return list({x.slot: x for _, x in self.legend}.values())

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


# --- the value axis ------------------------------------------------------------------------


def nice_step(raw: float, *, integer: bool) -> float:
    """The round step at least ``raw``: 1, 2, 2.5 or 5 times a power of ten (``integer``: a
    whole number, 1, 2 or 5 below ten)."""
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    multiples = (1, 2, 5, 10) if integer and magnitude < 10 else (1, 2, 2.5, 5, 10)
    for m in multiples:
        step = m * magnitude
        if raw <= step * (1 + 1e-9):
            return max(step, 1.0) if integer else step
    return 10 * magnitude  # pragma: no cover - the loop always returns


def axis(maximum: float, *, integer: bool, ticks: int = 4) -> tuple[float, list[float]]:
    """(the axis's top, the tick values from 0): about ``ticks`` round steps covering
    ``maximum`` (1 when there is nothing to show)."""
    step = nice_step(max(maximum, 0) / ticks, integer=integer) if maximum > 0 else 1.0
    count = max(1, math.ceil(maximum / step - 1e-9)) if maximum > 0 else 1
    return step * count, [step * k for k in range(count + 1)]


def _decimals(step: float) -> int:
    """Decimals needed to write multiples of ``step`` exactly (at most 2)."""
    for d in range(3):
        if abs(step * 10**d - round(step * 10**d)) < 1e-6:
            return d
    return 2


def tick_label(value: float, unit: str) -> str:
    """A tick's label: exact (ticks are round, so at most two decimals of the unit shown) and
    short ("$250k", "$1.25M", "1,500"), so that no two ticks of an axis read alike."""
    if unit == "$":
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if value >= size:
                return f"${value / size:,.{_decimals(value / size)}f}{suffix}"
        return f"${value:,.{_decimals(value)}f}"
    return f"{value:,.{_decimals(value)}f}"


def short(value: float, unit: str) -> str:
    """A value in a few characters for a bar's label: "$1.2M", "$350k", "12k", "1,234"."""
    sign = "$" if unit == "$" else ""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size and (unit == "$" or value >= 10_000):
            scaled = value / size
            text = f"{scaled:.1f}" if scaled < 10 else f"{scaled:.0f}"
            return f"{sign}{text.removesuffix('.0')}{suffix}"
    return f"{sign}{value:,.0f}"


def full(value: float, unit: str) -> str:
    return f"${value:,.0f}" if unit == "$" else f"{value:,.0f}"


# --- charts --------------------------------------------------------------------------------


def runs(years: Iterable[int]) -> str:
    """Fiscal years as runs: [2003, 2004, 2005, 2009] -> "FY2003-FY2005, FY2009"."""
    out: list[list[int]] = []
    for fy in sorted(years):
        if out and fy == out[-1][1] + 1:
            out[-1][1] = fy
        else:
            out.append([fy, fy])
    return ", ".join(f"FY{a}" if a == b else f"FY{a}-FY{b}" for a, b in out)


def label_every(slot: float) -> int:
    """Label every n-th year (n of 1, 2, 5, 10, 20): a four-digit year needs about 34 units."""
    return next((n for n in (1, 2, 5, 10, 20) if n * slot >= 34), 25)


def stacked_bars(
    rows: list[dict[str, Any]],
    *,
    value: str,
    stack_by: str,
    years: list[int],
    covered: set[int],
    title: str,
    unit: str = "",
    scale: float = 1.0,
    top: float | None = None,
    looks: Callable[[str], Look] = look,
    order: Callable[[str], int] = rank,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """One bar per fiscal year with data, stacked by ``stack_by`` (a programme code: its look
    and its place in the stack are the same in every chart); years in ``years`` without data
    are gaps when an edition covers them, else 'not covered'. ``top``: the value the axis
    reaches at least (small multiples share one scale)."""
    per_year: dict[int, dict[str, float]] = {}
    totals: dict[str, float] = {}
    for r in rows:
        v = (r[value] or 0) * scale
        per_year.setdefault(r["fy"], {})[r[stack_by]] = v
        totals[r[stack_by]] = totals.get(r[stack_by], 0) + v
    ordered = sorted(totals, key=lambda s: (order(s), -totals[s], s))
    maximum = max((sum(v.values()) for v in per_year.values()), default=0)
    # Whole steps for both: no quarter of a trainee, no tick at $0.25.
    axis_top, tick_values = axis(max(maximum, top or 0), integer=True)
    plot_w = width - LEFT - RIGHT
    plot_h = height - BOTTOM - TOP
    slot = plot_w / max(len(years), 1)
    every = label_every(slot)
    bars: list[Bar] = []
    gaps: list[tuple[int, float, float]] = []
    uncovered: list[tuple[int, float, float]] = []
    year_marks: list[tuple[int, float, bool]] = []
    for i, fy in enumerate(years):
        x = LEFT + i * slot
        shown = (fy % every == 0) if every > 1 else True
        year_marks.append((fy, x + slot / 2, shown))
        if fy not in per_year:
            (gaps if fy in covered else uncovered).append((fy, x, slot))
            continue
        total = sum(per_year[fy].values())
        bar = Bar(fy, x + slot * 0.12, slot * 0.76, total, short(total, unit))
        y = float(TOP + plot_h)
        for s in ordered:
            v = per_year[fy].get(s)
            if v is None:
                continue
            h = plot_h * v / axis_top
            y -= h
            bar.segments.append(Segment(s, v, y, h, looks(s)))
        bars.append(bar)
    labelled = all(slot >= LABEL_CHAR * (len(b.label) + 1) for b in bars)
    ticks = [(TOP + plot_h * (1 - t / axis_top), tick_label(t, unit)) for t in tick_values]
    chart = Chart(
        title,
        unit,
        bars,
        gaps,
        uncovered,
        [(s, looks(s)) for s in ordered],
        ticks,
        year_marks,
        labelled=labelled,
        axis_top=axis_top,
        width=width,
        height=height,
    )
    chart.text = describe(chart)
    return chart


def describe(chart: Chart) -> str:
    """The chart in words, every figure it shows: what a screen reader reads for it."""
    parts = []
    for bar in chart.bars:
        words = f"FY{bar.fy} {full(bar.total, chart.unit)}"
        if len(bar.segments) > 1:
            words += (
                " ("
                + ", ".join(f"{s.series} {full(s.value, chart.unit)}" for s in bar.segments)
                + ")"
            )
        elif bar.segments:
            words += f" ({bar.segments[0].series})"
        parts.append(words)
    text = f"{chart.title}. " + ("; ".join(parts) if parts else "Nothing reported") + "."
    if chart.gaps:
        text += f" None reported in {runs(fy for fy, _, _ in chart.gaps)}."
    if chart.uncovered:
        text += f" No loaded edition covers {runs(fy for fy, _, _ in chart.uncovered)}."
    return text


def _slot(chart: Chart) -> tuple[dict[int, float], float]:
    slot = (chart.width - LEFT - RIGHT) / max(len(chart.years), 1)
    return {fy: x - slot / 2 for fy, x, _ in chart.years}, slot


def mark_history(chart: Chart, markers: list[Any], suspensions: list[Any]) -> Chart:
    """Add a timeline's events (fmtr.query.history.EventMarker) and suspension spans
    (SuspensionSpan) to a chart over fiscal years. An event before the first year shown is
    pinned to the axis start, marked as clipped; a span is cut to the years shown."""
    from fmtr.clean.events import fiscal_year_of

    starts, slot = _slot(chart)
    if not starts:
        return chart
    lo, hi = min(starts), max(starts)
    for m in markers:
        fy = min(max(m.fy, lo), hi)
        clipped = m.fy < lo
        at = starts[fy] + (slot * 0.06 if clipped else slot / 2)
        label = m.label + (f" (before FY{lo})" if clipped else "")
        title = "\n".join([label, m.authority, *m.sources])
        chart.events.append(EventPin(m.event_id, m.kind, m.fy, at, label, title, clipped))
    for s in suspensions:
        first = fiscal_year_of(s.possible_first)
        last = fiscal_year_of(s.possible_last) if s.possible_last is not None else hi
        a, b = max(first, lo), min(last, hi)
        if a > b:
            continue
        sure_first = fiscal_year_of(s.certain_first)
        sure_last = fiscal_year_of(s.certain_last) if s.certain_last is not None else hi
        ca, cb = max(sure_first, lo), min(sure_last, hi)
        certain_x, certain_w = (starts[ca], (cb - ca + 1) * slot) if ca <= cb else (starts[a], 0.0)
        end = (
            f"possibly to {s.possible_last}, surely to {s.certain_last}"
            if s.possible_last is not None
            else "still in force"
        )
        title = (
            f"{', '.join(s.programmes)} suspended ({s.event_id}): possibly from "
            f"{s.possible_first}, surely from {s.certain_first}; {end}"
            + (f" (ended by {s.ended_by})" if s.ended_by else "")
        )
        chart.suspensions.append(
            SuspensionBand(
                s.event_id,
                starts[a],
                (b - a + 1) * slot,
                certain_x,
                certain_w,
                first,
                last if s.possible_last is not None else None,
                title,
            )
        )
    if chart.events:
        chart.text += " Events: " + "; ".join(f"FY{e.fy}: {e.label}" for e in chart.events) + "."
    return chart


def money_chart(
    years: list[dict[str, Any]],
    *,
    title: str,
    bar_look: Look,
    bar_name: str,
) -> Chart:
    """Obligations over the long axis of a timeline (fmtr.query.answers.timeline's ``years``
    rows): a bar per fiscal year of the obligations in current dollars, a line of the same in
    constant 2020 dollars, and a dashed line of the course costs the reports list (from their
    first year): one dollar scale for the three. A year the Greenbook records nothing between
    years with obligations is a gap; a year no source covers is told apart from both."""
    axis_years = [r["fy"] for r in years]
    dollars = [
        ("obligated_cents", "obligations, current dollars"),
        ("obligated_2020_cents", "obligations, constant 2020 dollars"),
        ("cost_cents", "course costs the reports list"),
    ]
    rows = [
        {"fy": r["fy"], "series": bar_name, "value": max(r["obligated_cents"] or 0, 0)}
        for r in years
        if r["funding_status"] == "obligated"
    ]
    covered = {r["fy"] for r in years if r["funding_status"] != "not covered"}
    highest = max(
        ((r[k] or 0) / 100 for r in years for k, _ in dollars if r.get(k) is not None),
        default=0,
    )
    chart = stacked_bars(
        rows,
        value="value",
        stack_by="series",
        years=axis_years,
        covered=covered,
        title=title,
        unit="$",
        scale=0.01,
        top=highest,
        looks=lambda _: bar_look,
    )
    # Only the Greenbook's gaps between obligations are gaps here; the years before the first
    # and after the last obligation are plain.
    gap_years = {r["fy"] for r in years if r.get("funding_gap") == "gap"}
    chart.gaps = [g for g in chart.gaps if g[0] in gap_years]
    chart.gap_words = "no obligation recorded between years with obligations"
    chart.uncovered_words = "no source covers the year"
    top = chart.top + chart.plot_height
    scale = chart.plot_height / chart.axis_top
    centres = {fy: x for fy, x, _ in chart.years}
    for key, name, css, dashed in (
        ("obligated_2020_cents", dollars[1][1], "line-constant", False),
        ("cost_cents", dollars[2][1], "line-courses", True),
    ):
        runs: list[list[Point]] = [[]]
        for r in years:
            value = r.get(key)
            if value is None or (key == "cost_cents" and r.get("status") == "not covered"):
                if runs[-1]:
                    runs.append([])
                continue
            v = max(value, 0) / 100
            runs[-1].append(Point(r["fy"], centres[r["fy"]], top - v * scale, v))
        chart.lines.append(Line(name, css, [run for run in runs if run], dashed))
    chart.text = describe(chart)
    for line in chart.lines:
        points = [p for run in line.runs for p in run if p.value]
        if points:
            chart.text += (
                f" {line.name[0].upper()}{line.name[1:]}: "
                + "; ".join(f"FY{p.fy} {full(p.value, '$')}" for p in points)
                + "."
            )
    return chart
