"""Reading the record in a real browser: a warning notice's entry opened in full on the
featured school's timeline, and the timeline filtered to the MSP group's entries, on a desktop
and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from adapters.demo import FEATURED_URN
from tests.browser.conftest import SCREENSHOTS, TIMEOUT_MS, sign_in

WIDTHS = {"desktop": 1280, "phone": 390}


def screenshot_at_this_width(page: Page, name: str) -> None:
    """The whole page at the width the test runs at, as <name>-<width>.png: the test runs at
    each width in turn, so ``screenshot`` (both widths each time) would take each twice."""
    width = page.viewport_size["width"]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True,
                    timeout=6 * TIMEOUT_MS)


def filter_timeline(page: Page, *areas: str) -> None:
    """Opens "Filter the timeline", ticks only ``areas`` (by their titles) and shows them."""
    form = page.locator("#timeline-filter")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    for box in form.locator("input[name=area]").all():
        box.set_checked(False)
    for area in areas:
        form.get_by_label(area, exact=True).check()
    form.get_by_role("button", name="Show entries").click()


@pytest.mark.parametrize("device", WIDTHS)
def test_a_caseworker_reads_a_warning_notice_in_full_and_filters_to_the_msp_group(
        page: Page, device: str):
    width = WIDTHS[device]
    sign_in(page, "caseworker")  # on a desktop: a phone folds the header's links in a menu
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/schools/{FEATURED_URN}")

    # A run of routine entries is one line, opened like any details
    run = page.locator("li[data-routine]").first
    if run.count() == 0:  # the newest 50 rows hold none: the next page does
        page.locator(".govuk-pagination__next a").click()
    expect(run.locator("summary")).to_contain_text(
        re.compile(r"^\s*\d+ routine entries: categories reviewed and kept\s*$"))
    reviewed = run.locator("li[data-event=CategoryReviewed]").first
    expect(reviewed).to_be_hidden()
    run.locator("summary").click()
    expect(reviewed).to_be_visible()
    expect(reviewed).to_contain_text("Category kept")

    # The notice: its entry's fields are folded behind "The entry in full"
    filter_timeline(page, "Warning notices")
    notice = page.locator("li[data-event=WarningNoticeIssued]")
    expect(notice).to_have_count(1)
    matters = notice.get_by_text("Matters the notice is based on")
    expect(matters).to_be_hidden()
    notice.locator("summary", has_text="The entry in full").click()
    expect(matters).to_be_visible()
    expect(notice.get_by_text("Action required")).to_be_visible()
    expect(notice).to_contain_text("Commission and act on an external review of governance")
    expect(notice).to_contain_text("the governing body has been inquorate")
    # Check: only the warning notices area is listed
    events = set(page.locator("ol.scc-timeline [data-event]").evaluate_all(
        "items => items.map(i => i.dataset.event)"))
    assert events <= {"WarningNoticeIssued", "ComplianceRecorded", "InterventionNoticeGiven"}
    notice.scroll_into_view_if_needed()
    screenshot_at_this_width(page, "record-warning-notice")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # The MSP group's entries only, the filter kept in the address
    filter_timeline(page, "MSP groups")
    assert re.search(r"[?&]area=msp(&|$)", page.url)
    expect(page.locator("#timeline-shown")).to_contain_text("matching the filter")
    events = page.locator("ol.scc-timeline [data-event]").evaluate_all(
        "items => items.map(i => i.dataset.event)")
    assert events and all(event.startswith("MSP") for event in events), set(events)
    held = page.locator("li[data-event=MSPMeetingHeld]").first
    expect(held).to_contain_text("Minutes")
    screenshot_at_this_width(page, "record-msp-filter")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
