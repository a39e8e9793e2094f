"""Search in the browser: a word from an MSP meeting's minutes in the demo LA finds the
meeting, and the result opens that meeting's entry on the school's case file."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, screenshot, sign_in

MINUTES_WORD = "handover"
"""From the featured school's MSP minutes: "Handover to the IEB planned for 1 September"."""


def screenshot_in_view(page: Page, name: str) -> None:
    """What the person sees on landing (the whole case file is thousands of pixels tall)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def no_sideways_scrolling(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_word_in_msp_minutes_finds_the_meeting_and_opens_its_entry(page: Page):
    sign_in(page, "caseworker")
    page.get_by_role("link", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="Search", exact=True)).to_be_visible()

    page.get_by_label("Search every school’s case file").fill(MINUTES_WORD)
    page.get_by_role("button", name="Search").click()

    # Check the meeting is found, its word highlighted, with its school and date.
    expect(page.get_by_role("heading", name=re.compile(r"\d+ entr(y|ies) found"))).to_be_visible()
    result = page.locator("#matching-entries li").filter(has_text="MSP meeting").first
    expect(result).to_be_visible()
    expect(result.locator("mark")).to_have_text(re.compile(MINUTES_WORD, re.IGNORECASE))
    version = result.get_attribute("data-version")
    urn = result.get_attribute("data-urn")
    screenshot(page, "search-results")  # at 1280 and 390 px
    page.set_viewport_size({"width": 390, "height": 844})
    assert no_sideways_scrolling(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    result.get_by_role("link", name=re.compile("MSP meeting")).click()

    # Check we land on that school's case file, at that meeting's entry.
    expect(page).to_have_url(re.compile(rf"/schools/{urn}(\?page=\d+)?#entry-{version}$"))
    entry = page.locator(f"#entry-{version}")
    expect(entry).to_contain_text("MSP meeting")
    expect(entry).to_be_in_viewport()
    screenshot_in_view(page, "search-opened-entry-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.url)  # lands at the entry again at this width
    expect(page.locator(f"#entry-{version}")).to_be_in_viewport()
    screenshot_in_view(page, "search-opened-entry-390")


def test_a_query_of_only_punctuation_gets_a_message_on_the_field(page: Page):
    sign_in(page, "auditor")
    page.goto("/search")
    page.get_by_label("Search every school’s case file").fill('"*()')
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a word or number to search for")
    page.get_by_role("link", name="Enter a word or number to search for").click()
    expect(page.get_by_label("Search every school’s case file")).to_be_focused()
    page.set_viewport_size({"width": 390, "height": 844})
    assert no_sideways_scrolling(page)
    screenshot(page, "search-bad-query-390")
