"""One look per programme, the same in every chart: a colour and a fill pattern.

Eight colours, each at least 3:1 against the page's white (WCAG 1.4.11, non-text contrast),
chosen so that every pair stays apart for the three common colour-vision deficiencies:
Okabe-Ito's blue, vermillion, bluish green, reddish purple and black (their orange, sky blue
and yellow fall below 3:1 on white), with Paul Tol's indigo and wine and a brown. Simulated
with Machado et al. (2009) at full severity, the closest pair is 15.7 apart in CIELAB
(tests/web/test_palette.py computes both figures). There are more programmes than colours that
stay apart, so a programme's look is a colour and a pattern: the eight programmes that print
the most rows get the eight plain colours, the next eight the same colours striped, then
dotted, and so on. The charts also name every segment in their table and text alternative,
so that colour is never the only way to read them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

BACKGROUND = "#ffffff"

COLOURS = (
    "#0072B2",  # blue (Okabe-Ito)
    "#D55E00",  # vermillion (Okabe-Ito)
    "#009E73",  # bluish green (Okabe-Ito)
    "#CC79A7",  # reddish purple (Okabe-Ito)
    "#000000",  # black (Okabe-Ito)
    "#332288",  # indigo (Tol)
    "#882255",  # wine (Tol)
    "#B15928",  # brown
)

# Drawn in white over the colour; "solid" draws nothing. The SVG of each is in macros.jinja.
PATTERNS = ("solid", "stripes", "dots", "crosshatch", "backstripes", "horizontal", "vertical")

# Programmes by training rows printed over the whole corpus (full build, 2026-12), most first:
# the most often seen get the plain colours. Then every other code fmtr knows
# (clean/programmes.tsv), so that each keeps one look wherever it appears.
ORDER = (
    "IMET", "FMF", "RC", "CTFP", "SEC1004", "PKO", "INCLE", "USCG",
    "GPOI", "SEC333", "CTIWFP", "MISC-NONSA", "ACAD", "ALP", "ASFF", "NONSA-UC",
    "MSI", "SEC1206", "CTPF", "EXCH", "PME", "SEC2282", "APCSS", "ACSS",
    "JCET", "CHDS", "SCSI", "GCMC", "EIPC", "NESA", "HMA", "USAI",
    "PCCF", "SEC506", "GSCF", "NADR", "ERI", "ACOTA", "CRSP", "FHA",
    "CAMRI", "SEC1203", "ACRI", "SEC1207", "MAP", "X-UNSTATED", "CTEF", "USAID",
    "FMS", "SEC1033", "X-NONE",
)  # fmt: skip


@dataclass(frozen=True)
class Look:
    """How one series is drawn: ``colour`` (hex) under ``pattern`` (one of PATTERNS)."""

    colour: str
    pattern: str

    @property
    def slot(self) -> str:
        """A name for the pair, usable in an SVG id: "c3-dots"."""
        return f"c{COLOURS.index(self.colour)}-{self.pattern}"


def _look(index: int) -> Look:
    colour = COLOURS[index % len(COLOURS)]
    pattern = PATTERNS[(index // len(COLOURS)) % len(PATTERNS)]
    return Look(colour, pattern)


_BY_CODE = {code: _look(i) for i, code in enumerate(ORDER)}


def look(code: str) -> Look:
    """The look of programme ``code``; a code fmtr does not know yet gets one from its name
    (the same every time), among the patterned looks."""
    found = _BY_CODE.get(code)
    if found is not None:
        return found
    digest = int(hashlib.sha256(code.encode()).hexdigest(), 16)
    return _look(len(COLOURS) + digest % (len(COLOURS) * (len(PATTERNS) - 1)))


def rank(code: str) -> int:
    """Where ``code`` is stacked: the same order in every chart (most printed first, lowest)."""
    try:
        return ORDER.index(code)
    except ValueError:
        return len(ORDER)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of a "#rrggbb" colour."""
    r, g, b = (_linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
