"""The category distribution as a stacked bar chart: the geometry an inline SVG draws."""

from __future__ import annotations

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

# GOV.UK colours: a ramp from the best grade (green) to the worst (red), spread over however
# many grades the scheme has; grey for schools not graded, blue for "no overall grade", purple
# and black for the Ofsted categories of schools given no grade, and others for categories of
# a scheme the LA used before.
RAMP = ("#00703c", "#85994b", "#ffdd00", "#f47738", "#d4351c")
UNGRADED = {NOT_CATEGORISED: "#b1b4b6", NOT_INSPECTED: "#b1b4b6", OFSTED_BUCKETS[None]: "#1d70b8",
            OFSTED_CATEGORY_BUCKETS["serious weaknesses"]: "#4c2c92",
            OFSTED_CATEGORY_BUCKETS["special measures"]: "#0b0c0c"}
OTHERS = ("#912b88", "#5694ca", "#6f72af", "#28a197", "#d53880")
DARK_TEXT = {"#ffdd00", "#85994b", "#f47738", "#b1b4b6", "#5694ca", "#28a197"}

LABEL_WIDTH = 140
PLOT_WIDTH = 560
BAR_HEIGHT = 32
BAR_GAP = 14
LEGEND_ROW = 24
TOP = 8


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
    y: int
    segments: list[Segment]
    total: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    plot_width: int
    bar_height: int
    bars: list[Bar]
    legend: list[tuple[str, str, int, int]]  # (text, colour, x, y)
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
            width = PLOT_WIDTH * row["schools"] / total
            colour = colours[row["category"]]
            segments.append(Segment(row["category"], name(row["category"]), round(x, 2),
                                    round(width, 2), colour,
                                    "#0b0c0c" if colour in DARK_TEXT else "#ffffff",
                                    row["schools"], row["schools_pct"]))
            x += width
        bars.append(Bar(long_date(day), TOP + n * (BAR_HEIGHT + BAR_GAP), segments, total))

    legend_top = TOP + len(bars) * (BAR_HEIGHT + BAR_GAP) + 8
    per_row = 3
    legend = [
        (f"{c} {labels[c]}" if labels.get(c) else c, colours[c],
         (i % per_row) * ((LABEL_WIDTH + PLOT_WIDTH) // per_row),
         legend_top + (i // per_row) * LEGEND_ROW)
        for i, c in enumerate(categories)
    ]
    height = legend_top + -(-len(categories) // per_row) * LEGEND_ROW + 8
    description = " ".join(
        f"{bar.label}: " + "; ".join(
            f"{s.name}, {s.schools} school{'' if s.schools == 1 else 's'} ({s.pct:.1f}%)"
            for s in bar.segments) + "."
        for bar in bars)
    return Chart(LABEL_WIDTH + PLOT_WIDTH, height, LABEL_WIDTH, PLOT_WIDTH, BAR_HEIGHT, bars,
                 legend, description)


def _colours(categories: list[str]) -> dict[str, str]:
    first_ungraded = next((n for n, c in enumerate(categories) if c in UNGRADED),
                          len(categories))
    graded = categories[:first_ungraded]
    colours = {c: RAMP[round(n * (len(RAMP) - 1) / max(len(graded) - 1, 1))]
               for n, c in enumerate(graded)}
    others = [c for c in categories[first_ungraded:] if c not in UNGRADED]
    colours |= {c: OTHERS[n % len(OTHERS)] for n, c in enumerate(others)}
    return colours | {c: UNGRADED[c] for c in categories if c in UNGRADED}
