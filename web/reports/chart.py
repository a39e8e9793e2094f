"""The category distribution as a stacked bar chart: the geometry an SVG draws, on the page
and as a download, and the palette's contrast (WCAG 2.2)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date
from typing import Any

from application.reports import (
    NOT_CATEGORISED,
    NOT_INSPECTED,
    OFSTED_BUCKETS,
    OFSTED_CATEGORY_BUCKETS,
)
from domain.wording import long_date

# A ramp from the best grade (green) to the worst (red), spread over however many grades the
# scheme has; grey for schools not graded, blue for "no overall grade", purple
# and black for the Ofsted categories of schools given no grade, and others for
# categories of a scheme the LA used before. Every colour is dark enough for white text
# (4.5:1) and for the white line drawn between segments (3:1, WCAG 1.4.11): neighbouring
# segments are told apart by that line, not by their colours' contrast with each other.
RAMP = ("#00703c", "#5f7a1f", "#8a6d00", "#b25200", "#942514")
UNGRADED = {NOT_CATEGORISED: "#505a5f", NOT_INSPECTED: "#505a5f", OFSTED_BUCKETS[None]: "#1d70b8",
            OFSTED_CATEGORY_BUCKETS["serious weaknesses"]: "#4c2c92",
            OFSTED_CATEGORY_BUCKETS["special measures"]: "#0b0c0c"}
OTHERS = ("#912b88", "#00665e", "#6b3a00", "#a71d5d", "#003078")
PALETTE = (*RAMP, *dict.fromkeys(UNGRADED.values()), *OTHERS)
SEGMENT_TEXT = "#ffffff"
SEPARATOR = "#ffffff"
"""The line between two segments, and around the bar: the page's own white."""
SEPARATOR_WIDTH = 2
PAGE = "#ffffff"

# Drawn to be read at a phone's width: 360 units across, so the 15-unit text is 15 px on a
# 390 px screen and grows only to 20 px where the page caps the chart at 480 px (scc.css).
WIDTH = 360
FONT_SIZE = 15
LABEL_HEIGHT = 20  # the date's line above its bar
BAR_HEIGHT = 30
BAR_GAP = 16
LEGEND_LINE = 19
LEGEND_GAP = 8
SWATCH = 14
LEGEND_CHARACTERS = 38
"""A legend line's characters at most: 15-unit text beside a swatch in 360 units."""
SEGMENT_LABEL_WIDTH = 28
"""A segment narrower than this shows no number (its title and the table still give it)."""
TOP = 4


@dataclass(frozen=True)
class Segment:
    category: str
    name: str
    x: float
    width: float
    colour: str
    text_colour: str
    schools: int
    pct: float

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class Bar:
    label: str
    y: int  # the top of the bar; its date is written on the line above
    segments: list[Segment]
    total: int


@dataclass(frozen=True)
class LegendEntry:
    lines: list[str]
    colour: str
    y: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bar_height: int
    font_size: int
    separator: str
    separator_width: int
    bars: list[Bar]
    legend: list[LegendEntry]
    description: str


def stacked_bars(rows: list[dict[str, Any]], labels: dict[str, str] | None = None) -> Chart:
    """One bar per date, each the whole of the schools open that day, split by category.
    ``labels`` are the LA categories' names by code (their codes are called "category 2")."""
    labels = labels or {}

    def name(category: str) -> str:
        return f"category {category}" if category in labels else category

    categories = list(dict.fromkeys(r["category"] for r in rows))
    colours = _colours(categories)
    days: dict[date, list[dict[str, Any]]] = {}
    for row in rows:
        days.setdefault(row["date"], []).append(row)

    bars = []
    for n, (day, day_rows) in enumerate(days.items()):
        total = sum(r["schools"] for r in day_rows)
        x = 0.0
        segments = []
        for row in day_rows:
            if not row["schools"]:
                continue
            width = WIDTH * row["schools"] / total
            segments.append(Segment(row["category"], name(row["category"]), round(x, 2),
                                    round(width, 2), colours[row["category"]], SEGMENT_TEXT,
                                    row["schools"], row["schools_pct"]))
            x += width
        top = TOP + n * (LABEL_HEIGHT + BAR_HEIGHT + BAR_GAP) + LABEL_HEIGHT
        bars.append(Bar(long_date(day), top, segments, total))

    # One entry a line, its words wrapped rather than cut: every category is named in full.
    y = TOP + len(bars) * (LABEL_HEIGHT + BAR_HEIGHT + BAR_GAP)
    legend = []
    for category in categories:
        text = f"{category} {labels[category]}" if labels.get(category) else category
        lines = textwrap.wrap(text, LEGEND_CHARACTERS) or [text]
        legend.append(LegendEntry(lines, colours[category], y))
        y += len(lines) * LEGEND_LINE + LEGEND_GAP
    description = " ".join(
        f"{bar.label}: " + "; ".join(
            f"{s.name}, {s.schools} school{'' if s.schools == 1 else 's'} ({s.pct:.1f}%)"
            for s in bar.segments) + "."
        for bar in bars)
    return Chart(WIDTH, y, BAR_HEIGHT, FONT_SIZE, SEPARATOR, SEPARATOR_WIDTH, bars, legend,
                 description)


def contrast(first: str, second: str) -> float:
    """The contrast ratio of two colours (#rrggbb), from 1 to 21 (WCAG 2.2's definition)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.2)."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def _colours(categories: list[str]) -> dict[str, str]:
    first_ungraded = next((n for n, c in enumerate(categories) if c in UNGRADED),
                          len(categories))
    graded = categories[:first_ungraded]
    colours = {c: RAMP[round(n * (len(RAMP) - 1) / max(len(graded) - 1, 1))]
               for n, c in enumerate(graded)}
    others = [c for c in categories[first_ungraded:] if c not in UNGRADED]
    colours |= {c: OTHERS[n % len(OTHERS)] for n, c in enumerate(others)}
    return colours | {c: UNGRADED[c] for c in categories if c in UNGRADED}
