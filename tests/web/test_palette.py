"""Charts people can read: each programme one look everywhere, every colour at least 3:1 on the
page's white, every pair of colours apart for the three common colour-vision deficiencies, the
focus ring and the text at their contrast; computed here, not taken on trust."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path
from typing import Any

import pytest

from fmtr.web import palette

CSS = Path(palette.__file__).parent / "static" / "fmtr.css"

# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
CVD = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}


def _linear(colour: str) -> list[float]:
    out = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        out.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return out


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _seen(colour: str, matrix: list[list[float]] | None) -> tuple[float, float, float]:
    rgb = _linear(colour)
    if matrix is not None:
        rgb = [
            min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in matrix
        ]
    return _lab(rgb)


def test_contrast_is_wcag_s() -> None:
    assert palette.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert palette.contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert palette.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    # Okabe-Ito's orange, sky blue and yellow: why they are not in the palette.
    for weak in ("#E69F00", "#56B4E9", "#F0E442"):
        assert palette.contrast(weak, "#ffffff") < 3


@pytest.mark.parametrize("colour", palette.COLOURS)
def test_every_colour_stands_out_from_the_page(colour: str) -> None:
    assert palette.contrast(colour, palette.BACKGROUND) >= 3.0


@pytest.mark.parametrize("deficiency", [None, *CVD])
def test_every_pair_of_colours_stays_apart(deficiency: str | None) -> None:
    matrix = CVD[deficiency] if deficiency else None
    closest = min(
        math.dist(_seen(a, matrix), _seen(b, matrix))
        for a, b in itertools.combinations(palette.COLOURS, 2)
    )
    # CIELAB distance: about 2 is a just-noticeable difference; 15 is plainly another colour.
    assert closest >= 15, (deficiency, closest)


def test_each_programme_has_a_look_of_its_own() -> None:
    from fmtr.clean.programmes import programmes

    codes = [p.code for p in programmes()]
    looks = {code: palette.look(code) for code in codes}
    assert set(codes) <= set(palette.ORDER)
    assert len(set(looks.values())) == len(codes)  # no two programmes alike
    # The programmes most printed get plain colours (IMET first), the rest a pattern too.
    assert palette.look("IMET") == palette.Look(palette.COLOURS[0], "solid")
    plain = [c for c in palette.ORDER if palette.look(c).pattern == "solid"]
    assert plain == list(palette.ORDER[: len(palette.COLOURS)])
    # A code fmtr does not know yet gets a look, always the same, never a plain one.
    assert palette.look("NEW-PROG") == palette.look("NEW-PROG")
    assert palette.look("NEW-PROG").pattern != "solid"


def _css_var(name: str) -> str:
    found = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS.read_text())
    assert found, name
    return found.group(1)


def test_focus_ring_and_text_have_their_contrast() -> None:
    focus = _css_var("focus")
    for background in (_css_var("bg"), _css_var("panel")):
        assert palette.contrast(focus, background) >= 3.0
        assert palette.contrast(_css_var("muted"), background) >= 4.5
        assert palette.contrast(_css_var("fg"), background) >= 4.5
        assert palette.contrast(_css_var("accent"), background) >= 4.5  # links
    assert re.search(r":focus-visible \{ outline: 3px solid var\(--focus\)", CSS.read_text())


def _fills(html: str) -> dict[str, set[str]]:
    """Each programme's fill on a page (a colour, or a pattern named after its look)."""
    out: dict[str, set[str]] = {}
    for series, fill in re.findall(r'data-series="([^"]+)"[^>]*fill="([^"]+)"', html):
        out.setdefault(series, set()).add(re.sub(r"url\(#[a-z0-9-]+?-(c\d+-\w+)\)", r"\1", fill))
    return out


def test_a_programme_looks_the_same_in_every_chart(client: Any) -> None:
    pages = [
        "/country/PAK",
        "/country/COL",
        "/compare?country=PAK&country=COL&country=JOR",
        "/programme/IMET",
        "/programme/FMF",
    ]
    seen: dict[str, set[str]] = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        for series, fills in _fills(response.text).items():
            seen.setdefault(series, set()).update(fills)
    assert {"IMET", "FMF", "CTFP"} <= set(seen)
    for series, fills in seen.items():
        # A programme's obligations ("IMET obligated, current dollars") in its own look too.
        expected = palette.look(series.split(" obligated")[0])
        wanted = expected.colour if expected.pattern == "solid" else expected.slot
        assert fills == {wanted}, series
