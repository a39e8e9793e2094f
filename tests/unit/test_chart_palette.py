"""The categories chart's colours meet WCAG 2.2: segments against each other (1.4.11, 3:1, or
a line between them that contrasts 3:1 with both), against the page, and their numbers'
text against them (1.4.3, 4.5:1)."""

from __future__ import annotations

from datetime import date
from itertools import combinations

import pytest

from web.reports.chart import (
    PAGE,
    PALETTE,
    SEGMENT_TEXT,
    SEPARATOR,
    SEPARATOR_WIDTH,
    contrast,
    stacked_bars,
)

NON_TEXT = 3.0
TEXT = 4.5


def test_contrast_follows_the_wcag_definition():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    # GOV.UK's orange and red, the neighbours the chart used to draw: about 1.7:1
    assert contrast("#f47738", "#d4351c") == pytest.approx(1.7, abs=0.05)


@pytest.mark.parametrize("first, second", list(combinations(PALETTE, 2)))
def test_any_two_segments_that_can_meet_are_told_apart(first, second):
    # A category with no schools draws no segment: any two colours can end up side by side.
    assert contrast(first, second) >= NON_TEXT or (
        contrast(first, SEPARATOR) >= NON_TEXT and contrast(second, SEPARATOR) >= NON_TEXT
    ), f"{first} beside {second}"


@pytest.mark.parametrize("colour", PALETTE)
def test_each_segment_stands_out_from_the_page_and_carries_legible_numbers(colour):
    assert contrast(colour, PAGE) >= NON_TEXT
    assert contrast(colour, SEGMENT_TEXT) >= TEXT


def test_the_line_between_segments_is_drawn_wide_enough_to_see():
    assert SEPARATOR_WIDTH >= 2


def test_every_category_is_in_the_legend_in_full_however_long_its_name():
    long_name = "Requires Improvement - (vulnerable to inadequate, or recently out of inadequate)"
    rows = [{"date": day, "category": c, "schools": 3, "schools_pct": 50.0}
            for day in (date(2025, 8, 31), date(2026, 8, 31)) for c in ("3a", "3b")]
    labels = {"3a": "Requires Improvement + (close to good)", "3b": long_name}

    chart = stacked_bars(rows, labels)

    shown = [" ".join(entry.lines) for entry in chart.legend]
    assert shown == ["3a Requires Improvement + (close to good)", f"3b {long_name}"]
    # Check no line runs past the chart's width, at a generous 0.55 em a character
    assert all(22 + len(line) * 0.55 * chart.font_size <= chart.width
               for entry in chart.legend for line in entry.lines)
    # Check the legend entries do not overlap and the chart is tall enough to hold them
    tops = [entry.y for entry in chart.legend]
    assert tops[1] >= tops[0] + len(chart.legend[0].lines) * 19
    assert chart.height >= tops[-1] + len(chart.legend[-1].lines) * 19
