"""Sign-off in a browser: a caseworker drafts a warning notice, the head returns it with a
reason, the caseworker redrafts it, the head approves it and it is on the case file."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, screenshot, sign_in

SCHOOL = 990026  # a maintained school of the demo that no other browser test records on


def as_user(page: Page, role: str) -> None:
    page.context.clear_cookies()
    sign_in(page, role)


def shoot(page: Page, name: str) -> None:
    """The page at 1280 and at 390 pixels wide (a phone): ``screenshot`` takes both."""
    screenshot(page, name)


def test_a_warning_notice_drafted_returned_redrafted_and_approved(page: Page):
    as_user(page, "caseworker")
    page.goto(f"/schools/{SCHOOL}")
    page.get_by_role("link", name="Issue a warning notice").click()
    expect(page.locator("#sign-off")).to_contain_text(
        "A head must approve this before it takes effect")

    # Given today, Monday 23 November 2026, with 10 working days: Tuesday 24 November is
    # the first, Friday 27 the fourth, Monday 30 the fifth and Monday 7 December the tenth.
    page.get_by_label("(a) standards of performance are unacceptably low").check()
    page.get_by_label("The matters the notice is based on").fill("Results are too low")
    page.get_by_label("The action required").fill("Adopt the LA's reading plan")
    page.get_by_label("Compliance period in working days").fill("10")
    page.get_by_label("The action the authority is minded to take").fill(
        "Appoint additional governors (s64)")
    page.get_by_role("button", name="Draft for approval").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before the draft goes for approval")
    expect(page.locator("#compliance-date dd")).to_have_text("7 December 2026")
    expect(page.locator("#takes-effect")).to_contain_text("On the day a head approves it")
    shoot(page, "sign-off-check-answers")
    page.get_by_role("button", name="Submit the draft for approval").click()

    expect(page).to_have_url(re.compile(rf"/schools/{SCHOOL}/drafts/D1$"))
    expect(page.locator("h1 .govuk-tag")).to_have_text("Awaiting approval")
    expect(page.locator("#waiting")).to_have_text(
        "A head who did not draft it must approve or return it.")
    expect(page.get_by_role("button", name="Approve: it takes effect today")).to_have_count(0)

    # The head returns it, first forgetting to say why.
    as_user(page, "head")
    page.goto(f"/schools/{SCHOOL}")
    drafts = page.locator("#draft-list")
    expect(drafts.locator('[data-draft="D1"]')).to_contain_text("Awaiting approval")
    shoot(page, "sign-off-case-file-awaiting")
    drafts.get_by_role("link", name="Warning notice (D1)").click()
    page.get_by_role("button", name="Return it to be redrafted").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why you are returning the draft")
    expect(page.locator("#reason-error")).to_contain_text("Enter why you are returning")
    summary.get_by_role("link").first.click()
    expect(page.locator("#reason")).to_be_focused()
    shoot(page, "sign-off-return-error")
    page.get_by_label("Why are you returning it?").fill(
        "Say which results: the years and the subjects")
    page.get_by_role("button", name="Return it to be redrafted").click()
    expect(page.locator("h1 .govuk-tag")).to_have_text("Returned")
    expect(page.locator("#returned")).to_contain_text("Say which results")

    # The caseworker redrafts it from the form, which shows what the draft said.
    as_user(page, "caseworker")
    page.goto(f"/schools/{SCHOOL}/drafts/D1")
    page.get_by_role("link", name="Redraft the warning notice").click()
    expect(page.locator("#sign-off")).to_contain_text("You are redrafting draft D1")
    matters = page.get_by_label("The matters the notice is based on")
    expect(matters).to_have_value("Results are too low")
    matters.fill("KS2 reading, writing and maths combined 41% in 2024, 2025 and 2026")
    page.get_by_role("button", name="Draft for approval").click()
    page.get_by_role("button", name="Submit the draft for approval").click()
    expect(page.locator("h1 .govuk-tag")).to_have_text("Awaiting approval")

    # The head approves it: the notice is given today, with its compliance date.
    as_user(page, "head")
    page.goto(f"/schools/{SCHOOL}/drafts/D1")
    expect(page.locator("#draft-says")).to_contain_text("41% in 2024, 2025 and 2026")
    shoot(page, "sign-off-approve")
    page.get_by_role("button", name="Approve: it takes effect today").click()

    expect(page).to_have_url(re.compile(rf"/schools/{SCHOOL}$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Draft D1 approved: WN1 is on the record")
    notice = page.locator('#warning-notices tr[data-notice="WN1"]')
    expect(notice).to_contain_text("given 23 November 2026")
    expect(notice).to_contain_text("7 December 2026")
    expect(page.locator('#draft-list [data-draft="D1"]')).to_contain_text("Approved")
    timeline = page.locator(".scc-timeline")
    expect(timeline).to_contain_text("Draft D1 approved: WN1 takes effect")
    expect(timeline).to_contain_text("Draft D1 returned to be redrafted: Say which results")
    shoot(page, "sign-off-approved-case-file")
    # The case file is long: its open items alone, at both widths, for a person to look at.
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#open-items").locator("xpath=..").screenshot(
            path=str(SCREENSHOTS / f"sign-off-open-items-{width}.png"))
