"""Stacked bar charts as SVG geometry, drawn by the templates (no script, no network)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Colour-blind-safe palette (Okabe-Ito), then greys for rarer programmes.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#999999",
    "#666666",
]

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 260, 64, 28, 10


@dataclass
class Segment:
    series: str
    value: float
    y: float
    height: float
    colour: str


@dataclass
class Bar:
    fy: int
    x: float
    width: float
    total: float
    segments: list[Segment] = field(default_factory=list)


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
    legend: list[tuple[str, str]]
    ticks: list[tuple[float, str]]
    years: list[tuple[int, float]]
    events: list[EventPin] = field(default_factory=list)
    suspensions: list[SuspensionBand] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = BOTTOM
    top: int = TOP


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def _label(value: float, unit: str) -> str:
    if unit == "$":
        if value >= 1e6:
            return f"${value / 1e6:g}M"
        if value >= 1e3:
            return f"${value / 1e3:g}k"
        return f"${value:g}"
    return f"{value:,.0f}"


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
) -> Chart:
    """One bar per fiscal year with data, stacked by ``stack_by``; years in ``years`` without
    data are gaps when an edition covers them, else 'not covered'."""
    series_order: dict[str, float] = {}
    per_year: dict[int, dict[str, float]] = {}
    for r in rows:
        v = (r[value] or 0) * scale
        per_year.setdefault(r["fy"], {})[r[stack_by]] = v
        series_order[r[stack_by]] = series_order.get(r[stack_by], 0) + v
    ordered = sorted(series_order, key=lambda s: -series_order[s])
    colours = {s: PALETTE[min(i, len(PALETTE) - 1)] for i, s in enumerate(ordered)}
    top = _nice_max(max((sum(v.values()) for v in per_year.values()), default=0))
    plot_w = WIDTH - LEFT - 8
    plot_h = HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(years), 1)
    bars: list[Bar] = []
    gaps: list[tuple[int, float, float]] = []
    uncovered: list[tuple[int, float, float]] = []
    year_labels: list[tuple[int, float]] = []
    for i, fy in enumerate(years):
        x = LEFT + i * slot
        year_labels.append((fy, x + slot / 2))
        if fy not in per_year:
            (gaps if fy in covered else uncovered).append((fy, x, slot))
            continue
        bar = Bar(fy, x + slot * 0.12, slot * 0.76, sum(per_year[fy].values()))
        y = float(TOP + plot_h)
        for s in ordered:
            v = per_year[fy].get(s)
            if v is None:
                continue
            h = plot_h * v / top
            y -= h
            bar.segments.append(Segment(s, v, y, h, colours[s]))
        bars.append(bar)
    ticks = [(TOP + plot_h * (1 - k / 4), _label(top * k / 4, unit)) for k in range(5)]
    return Chart(
        title,
        unit,
        bars,
        gaps,
        uncovered,
        [(s, colours[s]) for s in ordered],
        ticks,
        year_labels,
    )


def _slot(chart: Chart) -> tuple[dict[int, float], float]:
    xs = {fy: x for fy, x in chart.years}
    slot = (WIDTH - LEFT - 8) / max(len(chart.years), 1)
    return {fy: x - slot / 2 for fy, x in xs.items()}, slot


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
    return chart
