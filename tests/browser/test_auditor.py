"""The auditor's journey in a real browser: the difference between two dates with the entries
behind each change, the one-page briefing and its printed form, and the categories chart on a
desktop and a phone. Screenshots at 1280 and 390 px wide go to tests/browser/screenshots/."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect

from adapters.demo import FEATURED_URN
from tests.browser.conftest import SCREENSHOTS, screenshot, sign_in

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PRINTED = "window.__printed = false; window.print = () => { window.__printed = true }"
"""Chromium headless cannot show a print dialogue: the test sees that the button asked."""


def fill_date(page: Page, field: str, day: date) -> None:
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def both_widths(page: Page, name: str, part: str | None = None) -> None:
    """Screenshots at a desktop's and a phone's width (the whole page, which ``screenshot``
    takes at both, and the part of it asked for on its own, to look at closely); on the phone
    nothing scrolls sideways."""
    page.set_viewport_size(DESKTOP)
    screenshot(page, name)
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        if part is not None:
            page.locator(part).screenshot(path=str(SCREENSHOTS / f"{name}-part-{width}.png"))
    page.set_viewport_size(DESKTOP)


def test_an_auditor_sees_the_entries_behind_each_change_and_prints_a_briefing(page: Page):
    page.add_init_script(PRINTED)
    sign_in(page, "auditor")
    page.goto(f"/audit/schools/{FEATURED_URN}")

    # The difference between 1 January 2024 and 1 April 2025
    fill_date(page, "compare_from", date(2024, 1, 1))
    fill_date(page, "compare_to", date(2025, 4, 1))
    page.get_by_role("button", name="Show").click()

    # Check the category change cites the entry that made it, linked to the case file
    category = page.locator(".scc-difference[data-aspect='LA category']")
    expect(category.locator("[data-when=after]")).to_contain_text("4 (Inadequate)")
    cited = category.locator(".scc-cited li")
    expect(cited).to_have_count(1)
    expect(cited).to_contain_text("effective 23 September 2024")
    expect(cited).to_contain_text("LA category 3b → 4")
    link = cited.get_by_role("link")
    expect(link).to_have_attribute("href", re.compile(rf"/schools/{FEATURED_URN}/entries/\d+$"))
    # Check the warning notice cites the notice given and the failure to comply
    notice = page.locator(".scc-difference[data-aspect='Warning notice WN1'] .scc-cited li")
    expect(notice).to_have_count(2)
    expect(notice.first).to_contain_text("Warning notice WN1 (s60) given")
    expect(notice.last).to_contain_text("NOT complied with")
    both_widths(page, "auditor-difference", "#difference-table")

    # Check the print button works from the app's own script
    page.get_by_role("button", name="Print this page").click()
    assert page.evaluate("window.__printed")

    # The briefing, from the auditor page
    page.get_by_role("link", name="One-page briefing for a meeting").click()
    expect(page.locator("h1")).to_have_text("Sedgeholme St Felix Church of England Primary School")
    expect(page.locator("#briefing-category")).to_contain_text("3b")
    expect(page.locator("#briefing-deadlines")).to_contain_text("working days")
    expect(page.locator("#briefing-actions")).to_contain_text("Headteacher")
    both_widths(page, "auditor-briefing")
    page.get_by_role("button", name="Print this page").click()
    assert page.evaluate("window.__printed")

    # Printed: no navigation, no button, no back link; and all of it on one A4 page
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Menu")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
    expect(page.get_by_role("link", name="Back to the case file")).to_be_hidden()
    expect(page.locator("#briefing-next-steps")).to_be_visible()
    screenshot(page, "auditor-briefing-print")
    pdf = page.pdf(format="A4", print_background=False, prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    page.emulate_media(media="screen")


def test_the_printable_history_has_a_print_button(page: Page):
    page.add_init_script(PRINTED)
    sign_in(page, "auditor")

    page.goto(f"/audit/schools/{FEATURED_URN}/printable")
    page.get_by_role("button", name="Print this page").click()

    assert page.evaluate("window.__printed")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print this page")).to_be_hidden()


def test_the_categories_chart_is_whole_and_legible_on_a_desktop_and_a_phone(page: Page):
    sign_in(page, "head")
    page.goto("/reports/?by=la&phase=all&dates=31/08/2024,31/08/2025,23/11/2026")
    chart = page.locator("svg#category-chart")
    keys = chart.locator(".scc-chart__key")
    expect(keys.first).to_be_visible()

    for name, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        box = chart.bounding_box()
        assert box is not None and box["x"] + box["width"] <= viewport["width"], name
        # Check every legend entry lies inside the chart, none cut off at its edge
        for n in range(keys.count()):
            key = keys.nth(n).bounding_box()
            assert key is not None
            assert key["x"] + key["width"] <= box["x"] + box["width"] + 0.5, (name, n)
            assert key["y"] + key["height"] <= box["y"] + box["height"] + 0.5, (name, n)
        # Check the chart's text is drawn at 13 px or more
        size = page.evaluate("""svg => {
            const text = svg.querySelector('.scc-chart__key text');
            return text.getBoundingClientRect().height }""", chart.element_handle())
        assert size >= 13, (name, size)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, "reports-chart-whole")  # at 1280 and 390 px
    # Check the chart downloads as SVG
    with page.expect_download() as download:
        page.locator("#download-svg").click()
    assert download.value.suggested_filename == "categories-la-all.svg"
