"""The pages people use most, on a phone 320 px wide (WCAG 1.4.10 reflow): nothing scrolls
sideways, the tables become cards with every column on screen, and the chart stays legible."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from adapters.demo import FEATURED_URN
from tests.browser.conftest import screenshot, sign_in

NARROWEST = 320  # WCAG 1.4.10: content reflows at 320 CSS pixels wide

# (screenshot name, address, a table's cells that must be on screen: the table, its columns)
PAGES = [
    ("phone-dashboard", "/", "#causing-concern", ["School", "Next deadline", "Caseworker"]),
    ("phone-schools-list", "/schools/", "#schools", ["School", "Next deadline"]),
    ("phone-calendar", "/reports/deadlines", "#month-deadlines", ["Due", "School", "What"]),
    ("phone-case-file", f"/schools/{FEATURED_URN}", "#deadlines", ["What", "Due", "Left"]),
    ("phone-auditor", f"/audit/schools/{FEATURED_URN}", "#history-table",
     ["Entry", "Effective", "By", "What"]),
]


def expect_no_sideways_scrolling(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROWEST, f"{page.url} scrolls sideways at {NARROWEST} px ({width} px wide)"


@pytest.mark.parametrize(("name", "path", "table", "columns"), PAGES,
                         ids=[name for name, *_ in PAGES])
def test_a_page_reflows_on_a_phone_with_its_key_columns_on_screen(page: Page, name, path,
                                                                    table, columns):
    sign_in(page, "head")
    page.set_viewport_size({"width": NARROWEST, "height": 800})
    page.goto(path)

    # Check nothing is off to the side, and each key column of the first row is on screen,
    # named as its column
    expect_no_sideways_scrolling(page)
    row = page.locator(f"{table} tbody tr").first
    for column in columns:
        cell = row.locator(f'td[data-label="{column}"]')
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= NARROWEST, (column, box)
        label = cell.evaluate("cell => getComputedStyle(cell, '::before').content")
        assert label == f'"{column}"', label
    screenshot(page, name)


def test_the_calendar_lists_the_days_with_something_due_on_a_phone(page: Page):
    sign_in(page, "caseworker")
    page.set_viewport_size({"width": NARROWEST, "height": 800})
    page.goto("/reports/deadlines")

    # Check a day with deadlines shows, headed by its weekday; an empty day is left out
    expect_no_sideways_scrolling(page)
    busy = page.locator("#calendar td[data-day]:has(li)").first
    expect(busy).to_be_visible()
    assert busy.evaluate("cell => getComputedStyle(cell, '::before').content") in {
        f'"{day}"' for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
    box = busy.bounding_box()
    assert box and box["x"] + box["width"] <= NARROWEST, box
    expect(page.locator("#calendar td[data-day]:not(:has(li)):not([aria-current])").first
           ).to_be_hidden()


def test_the_categories_chart_stays_legible_on_a_phone(page: Page):
    sign_in(page, "head")
    page.set_viewport_size({"width": NARROWEST, "height": 800})
    page.goto("/reports/")

    # Check the page does not scroll sideways; the chart's text is drawn at 11 px or more
    # (14 px in the chart's own size), the chart scrolling inside its frame
    expect_no_sideways_scrolling(page)
    chart = page.locator("#category-chart")
    expect(chart).to_be_visible()
    drawn = chart.evaluate("svg => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width")
    assert 14 * drawn >= 11, f"the chart's text is drawn at {14 * drawn:.1f} px"
    screenshot(page, "phone-categories-chart")
