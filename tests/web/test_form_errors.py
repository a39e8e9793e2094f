"""A rule's refusal shown on the field it concerns (GOV.UK error message, the summary linking to
it), on several forms, and what was typed kept so it can be corrected."""

from __future__ import annotations

import html
import re

from adapters.demo import FEATURED_URN
from tests.sign_off import approved
from tests.web.test_forms import entries, error_summary, send

CASE_FILE = f"/schools/{FEATURED_URN}"


def field_error(page: str, field: str) -> str:
    """The error message shown on a field, checked to sit inside that field's form group, which
    is marked as in error."""
    match = re.search(rf'<p id="{re.escape(field)}-error" class="govuk-error-message">(.*?)</p>',
                      page, re.S)
    assert match, f"no error message on {field}: " + error_summary(page)
    group = page.rfind('<div class="govuk-form-group', 0, match.start())
    assert page.startswith('<div class="govuk-form-group govuk-form-group--error"', group), \
        f"the form group around {field} is not marked as in error"
    # Nothing closes that form group between its start and the message: the message is in it
    assert page.count("<div", group, match.start()) >= page.count("</div>", group, match.start())
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())
    return words.removeprefix("Error: ")  # the prefix only screen readers hear


def summary_links(page: str) -> dict[str, str]:
    """The error summary's links: where each goes, and its words."""
    summary = page[page.index('class="govuk-error-summary'):]
    summary = summary[:summary.index("</ul>")]
    return {href: " ".join(html.unescape(text).split())
            for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', summary, re.S)}


def test_an_msp_meeting_cannot_be_recorded_as_held_before_its_date(actions, client, services):
    actions.sign_in("caseworker")
    upcoming = services.case_files.school(FEATURED_URN)["msp"]["next_meeting"]
    meets_on = f"{upcoming['meets_on'].day} {upcoming['meets_on']:%B %Y}"
    before = entries(services)

    page = send(client, f"{CASE_FILE}/hold-msp-meeting", {
        "effective": ["23", "11", "2026"], "meeting_id": upcoming["meeting_id"],
        "attendees": "Helen Marsh", "minutes": "Early meeting"})

    assert page.status_code == 422
    assert entries(services) == before
    # Check the date field says what to do, and the summary links to its day box
    message = field_error(page.text, "effective")
    assert f"enter a date on or after {meets_on}" in message
    assert message in summary_links(page.text)["#effective-day"]
    # Check the rule it rests on is named above the list, with its link
    assert "An MSP meeting is held on or after the date it was arranged for" in \
        error_summary(page.text)
    assert 'href="/rules#msp-meeting-dates"' in page.text
    assert "Early meeting</textarea>" in page.text


def test_an_msp_meeting_date_before_the_day_it_is_arranged_is_shown_on_that_date(
        actions, client, services):
    actions.sign_in("caseworker")

    page = send(client, f"{CASE_FILE}/schedule-msp-meeting", {
        "effective": ["23", "11", "2026"], "meets_on": ["20", "11", "2026"]})

    assert page.status_code == 422
    message = field_error(page.text, "meets_on")
    assert message == ("Enter a meeting date on or after 23 November 2026, the day it is "
                       "arranged")
    assert summary_links(page.text)["#meets_on-day"] == message


def test_inspection_dates_the_wrong_way_round_are_shown_on_the_publication_date(
        actions, client, services):
    actions.sign_in("caseworker")
    before = entries(services)

    page = send(client, f"{CASE_FILE}/record-inspection", {
        "inspected_on": ["13", "11", "2023"], "published_on": ["3", "11", "2023"],
        "overall": "3"})

    assert page.status_code == 422
    assert field_error(page.text, "published_on") == (
        "A report is published on or after the inspection starts: enter a date on or after "
        "13 November 2023")
    assert "#published_on-day" in summary_links(page.text)
    assert entries(services) == before


def test_a_warning_notice_without_grounds_is_shown_on_the_grounds(actions, client, services):
    actions.sign_in("head")
    before = entries(services)

    page = send(client, f"{CASE_FILE}/issue-warning-notice", {
        "effective": ["23", "11", "2026"], "section": "s60", "issuer": "local authority",
        "matters": "Low", "required_actions": "Act", "minded_action": "IEB",
        "compliance_period": "15", "copies_to": "Ofsted\nHeadteacher", "confirmed": "yes"})

    assert page.status_code == 422
    assert field_error(page.text, "grounds") == \
        "Choose at least one ground: (a), (b) or (c) of s60(2)"
    assert "#grounds" in summary_links(page.text)
    assert entries(services) == before


def test_a_compliance_date_before_the_notice_is_shown_on_that_date(actions, client, services):
    actions.sign_in("head")

    page = send(client, f"{CASE_FILE}/issue-warning-notice", {
        "effective": ["23", "11", "2026"], "section": "s60", "issuer": "local authority",
        "grounds": ["a"], "matters": "Low", "required_actions": "Act", "minded_action": "IEB",
        "compliance_date": ["20", "11", "2026"], "copies_to": "Ofsted"})

    # Refused on the form, before the check page
    assert page.status_code == 422
    assert field_error(page.text, "compliance_date") == (
        "The compliance date must be after the day the notice is given: enter a date after "
        "23 November 2026")
    assert "#compliance_date-day" in summary_links(page.text)


def test_failure_to_comply_too_early_is_shown_on_the_date(actions, client, services):
    today = services.case_files.clock.today()
    notice_id = approved(
        services.case_files, "issue_warning_notice", FEATURED_URN, by="Helen Marsh",
        effective=today, grounds=["a"], matters="Low standards",
        required_actions="Adopt the plan", minded_action="IEB", compliance_period=20)
    actions.sign_in("caseworker")

    page = send(client, f"{CASE_FILE}/record-compliance?notice_id={notice_id}", {
        "effective": ["23", "11", "2026"], "notice_id": notice_id, "complied": "no",
        "evidence": "Nothing done yet"})

    assert page.status_code == 422
    message = field_error(page.text, "effective")
    assert message.startswith(f"The compliance period of warning notice {notice_id} runs to")
    assert re.search(r"enter a date after \d+ \w+ 20\d\d$", message), message
    assert summary_links(page.text)["#effective-day"] == message


def test_moving_a_school_into_the_category_it_is_in_is_shown_on_the_category(
        actions, client, services):
    current = services.case_files.school(FEATURED_URN)["category"]
    actions.sign_in("head")

    page = send(client, f"{CASE_FILE}/change-category", {
        "effective": ["23", "11", "2026"], "to": current, "reason": "Same as before"})

    assert page.status_code == 422
    message = field_error(page.text, "to")
    assert message.startswith(f"The school is already in category {current}")
    assert message.endswith("choose another category")
    assert "#to" in summary_links(page.text)

