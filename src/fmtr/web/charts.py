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
class Chart:
    title: str
    unit: str
    bars: list[Bar]
    gaps: list[tuple[int, float, float]]  # fiscal year, x, width: no training reported
    uncovered: list[tuple[int, float, float]]  # fiscal years no loaded edition covers
    legend: list[tuple[str, str]]
    ticks: list[tuple[float, str]]
    years: list[tuple[int, float]]
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
