"""A rule's refusal shown on the field it concerns, in the browser: an MSP meeting recorded as
held before the date it was arranged for is refused on the date, then corrected.

The demo LA is shared by the session, today fixed at Monday 23 November 2026; this test records
only on Bittern Drove Primary School, which no other browser test reads.
"""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

BITTERN_DROVE = 990043


def fill_date(page: Page, field: str, day: date) -> None:
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def test_a_meeting_recorded_as_held_before_its_date_is_refused_on_the_date(page: Page,
                                                                            live_server):
    case_files = live_server.services.case_files
    if case_files.school(BITTERN_DROVE)["msp"] is None:  # set up through the use case
        case_files.establish_msp_group(BITTERN_DROVE, by="Helen Marsh", effective=date(
            2026, 11, 9), members=["Helen Marsh (LA, chair)", "Headteacher"], cadence_weeks=6)
    sign_in(page, "caseworker")

    # Arrange a meeting (on 16 November) for today, 23 November
    page.goto(f"/schools/{BITTERN_DROVE}/schedule-msp-meeting")
    fill_date(page, "effective", date(2026, 11, 16))
    fill_date(page, "meets_on", date(2026, 11, 23))
    page.get_by_role("button", name="Arrange the meeting").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("arranged")

    # Record it as held on 20 November, before the date it was arranged for
    page.goto(f"/schools/{BITTERN_DROVE}/hold-msp-meeting")
    expect(page.get_by_label("Meeting", exact=True)).to_contain_text("23 November 2026")
    fill_date(page, "effective", date(2026, 11, 20))
    page.get_by_label("Minutes").fill("Phonics plan reviewed with the headteacher")
    page.get_by_role("button", name="Record the meeting").click()

    # Check the summary links to the date, and the date says what to enter, in its form group
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=re.compile("enter a date on or after 23 November"))
    expect(link).to_have_attribute("href", "#effective-day")
    group = page.locator(".govuk-form-group--error").filter(has=page.locator("#effective-day"))
    expect(group).to_have_count(1)
    expect(group.locator(".govuk-error-message")).to_contain_text(
        "enter a date on or after 23 November 2026")
    expect(summary.get_by_role("link", name="An MSP meeting is held on or after the date it "
                                             "was arranged for")).to_be_visible()
    # Check what was typed is kept
    expect(page.get_by_label("Minutes")).to_have_value("Phonics plan reviewed with the headteacher")
    screenshot(page, "form-error-on-field")  # at 1280 and 390 px
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    # Check following the summary's link puts the cursor in the day box
    link.click()
    expect(page.locator("#effective-day")).to_be_focused()

    # Correct the date: held today, the day it was arranged for
    fill_date(page, "effective", date(2026, 11, 23))
    page.get_by_role("button", name="Record the meeting").click()
    expect(page).to_have_url(re.compile(rf"/schools/{BITTERN_DROVE}$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        re.compile(r"MSP meeting M\d+ recorded"))
