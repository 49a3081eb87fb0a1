"""The look every chart on the site shares: palette, fonts and the Vega-Lite ``config`` of each figure.

Palette: Okabe and Ito's eight colours for colour-blind readers (M. Okabe and K. Ito, *Color Universal
Design (CUD): how to make figures and presentations that are friendly to colorblind people*, 2002/2008,
https://jfly.uni-koeln.de/color/; the same eight in B. Wong, "Points of view: Color blindness",
*Nature Methods* 8, 441 (2011), doi:10.1038/nmeth.1618). They stay distinguishable under protanopia,
deuteranopia and tritanopia. Their order here puts the colours with the most contrast against a white
background first (blue 5.2:1, vermillion 3.9:1, bluish green 3.4:1), so a chart with few categories uses
the ones a low-vision reader sees best; yellow (1.3:1) comes last but one.

Two configs: :data:`CONFIG` (the default) and :data:`HIGH_CONTRAST_CONFIG`. They differ only in
``config``, never in data or encodings, so the page can switch a drawn chart to high contrast by
re-embedding the same spec with the other config (``Figure.page_spec(high_contrast=True)`` returns
exactly that). High contrast: black text and axes, larger type, thicker lines and a black outline
around every bar, point and area, so each mark is bounded by a 21:1 edge whatever its fill (WCAG 2.1
1.4.11, non-text contrast), and the palette reordered to put the colours that reach 3:1 on white first.

Readable at 360 px: the legend sits under the plot, one entry a line (a legend on the right takes a third
of a phone's width, and two columns of long department names do not fit one), with labels up to 260 px
before they are cut short; axis labels drop when they would overlap, and axes ask for few ticks.
"""

from __future__ import annotations

import copy
from typing import Any

# Okabe–Ito, by name (hex as published on the CUD page).
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
# Categorical order: most contrast against white first (see the module docstring); black last, so a
# target line (black, dashed) is rarely mistaken for a category.
PALETTE: list[str] = [
    OKABE_ITO[name]
    for name in ("blue", "orange", "bluish_green", "vermillion", "sky_blue", "reddish_purple", "yellow", "black")
]
# High contrast: the colours at 3:1 or more against white first (black 21, blue 5.2, vermillion 3.9, bluish
# green 3.4, reddish purple 3.1), then the rest, which the black outlines make legible.
HIGH_CONTRAST_PALETTE: list[str] = [
    OKABE_ITO[name]
    for name in ("black", "blue", "vermillion", "bluish_green", "reddish_purple", "orange", "sky_blue", "yellow")
]
# What a target or path line is drawn in (not a category colour).
TARGET_COLOUR = OKABE_ITO["black"]

# System fonts only: the site loads nothing from the network, and vl-convert renders with what is installed.
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif"
TEXT_COLOUR = "#222222"  # 15.9:1 on white

# Width of exported images (PNG and SVG), in CSS pixels; PNGs are drawn at EXPORT_SCALE for sharp print.
EXPORT_WIDTH = 720
EXPORT_SCALE = 2.0
# Heights: a full chart, and the sparkline of an overview card.
HEIGHT = 300
SMALL_HEIGHT = 80

CONFIG: dict[str, Any] = {
    "font": FONT,
    "background": "#ffffff",
    "padding": 5,
    "view": {"stroke": None},
    "range": {"category": PALETTE},
    "axis": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "titleFontWeight": "normal",
        "labelColor": TEXT_COLOUR,
        "titleColor": TEXT_COLOUR,
        "domainColor": "#767676",
        "tickColor": "#767676",
        "gridColor": "#e6e6e6",
        "labelOverlap": True,
        "labelSeparation": 8,  # labelOverlap hides a label that comes closer than this to its neighbour
        "labelLimit": 120,
    },
    "axisX": {"labelAngle": 0, "labelFlush": True},
    "axisY": {"tickCount": 5},
    "legend": {
        "orient": "bottom",
        "direction": "horizontal",
        "columns": 1,
        "labelFontSize": 12,
        "titleFontSize": 12,
        "labelColor": TEXT_COLOUR,
        "titleColor": TEXT_COLOUR,
        "labelLimit": 260,
        "symbolSize": 120,
    },
    "line": {"strokeWidth": 2},
    "point": {"size": 50},
    "bar": {"stroke": "#ffffff", "strokeWidth": 0.5},
    "text": {"font": FONT, "fontSize": 12, "color": TEXT_COLOUR},
}

HIGH_CONTRAST_CONFIG: dict[str, Any] = copy.deepcopy(CONFIG)
HIGH_CONTRAST_CONFIG.update(
    {
        "range": {"category": HIGH_CONTRAST_PALETTE},
        "line": {"strokeWidth": 3},
        "point": {"size": 80, "stroke": "#000000", "strokeWidth": 1.5},
        "bar": {"stroke": "#000000", "strokeWidth": 1},
        "area": {"stroke": "#000000", "strokeWidth": 1},
        "text": {"font": FONT, "fontSize": 14, "color": "#000000", "fontWeight": "bold"},
    }
)
HIGH_CONTRAST_CONFIG["axis"].update(
    {"labelFontSize": 14, "titleFontSize": 14, "labelColor": "#000000", "titleColor": "#000000", "domainColor": "#000000", "tickColor": "#000000", "gridColor": "#767676", "domainWidth": 1.5}
)
HIGH_CONTRAST_CONFIG["legend"].update({"labelFontSize": 14, "titleFontSize": 14, "labelColor": "#000000", "titleColor": "#000000"})


def config(high_contrast: bool = False) -> dict[str, Any]:
    """A fresh copy of the Vega-Lite ``config`` every figure carries (the high-contrast one on request)."""
    return copy.deepcopy(HIGH_CONTRAST_CONFIG if high_contrast else CONFIG)
