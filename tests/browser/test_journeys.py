"""The users' journeys in a real browser: signing in, the dashboard, recording on a case file
through its forms, and the auditor's replay and exports.

The demo LA is shared by the whole session with today fixed at Monday 23 November 2026; each
journey that records picks a school no other journey reads, so they pass in any order.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

from playwright.sync_api import Locator, Page, expect

from adapters.demo import FEATURED_URN, SPECIAL_MEASURES_URN
from tests.browser.conftest import PASSWORD, USERS, screenshot, sign_in
from tests.sign_off import APPROVING_HEAD, approved

MAINTAINED_FOR_NOTICE = 990014  # Snipe Hill Primary School: category 3a, no notices
MAINTAINED_FOR_NON_COMPLIANCE = 990022  # Stowfen CE Primary School: category 3a, no notices
MAINTAINED_FOR_CATEGORY = 990016  # Gaultby Community Primary School: category 2
MAINTAINED_FOR_CSRF = 990002  # Saltmarsh Primary School


def fill_date(page: Page, field: str, day: date) -> None:
    """Types a date into a GOV.UK date input (three boxes: day, month, year)."""
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def open_case_file(page: Page, urn: int) -> None:
    page.goto(f"/schools/{urn}")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".govuk-caption-l").first).to_have_text(f"URN {urn}")


def summary_value(summary_list: Locator, key: str) -> Locator:
    """The value beside ``key`` in a GOV.UK summary list."""
    row = summary_list.locator(".govuk-summary-list__row").filter(
        has=summary_list.page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$")))
    return row.locator("dd")


def expect_error_summary(page: Page, *messages: str) -> None:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    for message in messages:
        expect(summary).to_contain_text(message)


def expect_success_banner(page: Page, text: str) -> None:
    """The notification banner a page shows after something is recorded (base.html)."""
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


# Signing in -----------------------------------------------------------------------------

def test_signing_in_with_a_wrong_password_shows_the_error_then_lands_where_asked(page: Page):
    email, name = USERS["caseworker"]

    page.goto(f"/schools/{FEATURED_URN}")

    # Check someone signed out is sent to sign in first
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()

    # Check the error summary says so, without saying which of the two was wrong
    expect_error_summary(page, "Enter a correct email address and password")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.get_by_label("Email address")).to_have_value(email)

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Check they land on the page they asked for, signed in under their own name and role
    expect(page).to_have_url(re.compile(rf"/schools/{FEATURED_URN}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sedgeholme St Felix Church of England Primary School")
    expect(page.get_by_role("link", name=f"Sign out ({name}, caseworker)")).to_be_visible()


def test_a_copy_of_the_session_cookie_is_refused_after_signing_out(page: Page, browser,
                                                                  live_server):
    """Finding #2: a cookie copied before signing out still opened case files after it."""
    sign_in(page, "auditor")
    copied = [c for c in page.context.cookies() if c["name"] == "scc_session"]
    assert copied

    page.get_by_role("link", name=re.compile(r"^Sign out \(")).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect_success_banner(page, "You have signed out.")

    # Check another browser holding the copy is sent to sign in
    other = browser.new_context(base_url=live_server.url)
    try:
        other.add_cookies(copied)
        replay = other.new_page()
        replay.goto(f"/schools/{FEATURED_URN}")
        expect(replay).to_have_url(re.compile(r"/sign-in\?next="))
    finally:
        other.close()


def test_changing_ones_password_on_your_account(page: Page, live_server):
    """Finding #8: there was no way to change a password."""
    live_server.services.users.add(email="pat@fenmarsh.example", name="Pat Change",
                                   role="caseworker", password=PASSWORD)
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("pat@fenmarsh.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Your account").click()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("            ")
    page.get_by_role("button", name="Change password").click()

    # Check a password of spaces is refused, linked from the summary to the field
    expect_error_summary(page, "Enter a password that is not only spaces")
    page.get_by_role("link", name="Enter a password that is not only spaces").click()
    expect(page.get_by_label("New password")).to_be_focused()

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("marsh heron lantern")
    page.get_by_role("button", name="Change password").click()

    # Check it is changed, and they stay signed in here
    expect_success_banner(page, "Your password has been changed")
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert live_server.services.users.authenticate("pat@fenmarsh.example",
                                                   "marsh heron lantern", source_ip=None)


# The dashboard and the schools list ----------------------------------------------------------

def test_the_dashboard_shows_schools_causing_concern_and_overdue_deadlines(page: Page):
    sign_in(page, "head")

    # Check the head lands on My work, and the dashboard is a link away, dated today
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator(".govuk-caption-l")).to_have_text("23 November 2026")

    # Check the schools causing concern include the featured school and the one in special
    # measures, each linked to its case file
    concern = page.locator("#causing-concern")
    featured = concern.locator(f'tr[data-urn="{FEATURED_URN}"]')
    expect(featured).to_contain_text("Sedgeholme St Felix Church of England Primary School")
    expect(featured).to_contain_text("3b")
    expect(concern.locator(f'tr[data-urn="{SPECIAL_MEASURES_URN}"]')).to_contain_text(
        "Eelbrook Community Primary School")
    expect(concern.locator(f'tr[data-urn="{SPECIAL_MEASURES_URN}"]')).to_contain_text("4")

    # Check the overdue deadlines list the featured school's MSP action, missed on 23 October
    overdue = page.locator("#overdue")
    expect(overdue.locator("caption")).to_contain_text("Overdue")
    missed = overdue.locator(f'tr[data-urn="{FEATURED_URN}"][data-key="msp_action:A8"]')
    expect(missed).to_contain_text("23 October 2026")
    expect(missed).to_contain_text("Publish an analysis of the 2026 KS2 results")
    expect(page.locator("#count-overdue .govuk-heading-xl")).not_to_have_text("0")
    screenshot(page, "dashboard")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Schools").click()

    # Check the schools list shows the LA's schools, and search finds one by name
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools")
    expect(page.locator("#schools tbody tr").first).to_be_visible()
    screenshot(page, "schools-list")
    page.get_by_label("Search by school name or URN").fill("Sedgeholme")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result-count")).to_have_text("1 school")
    page.locator("#schools").get_by_role(
        "link", name="Sedgeholme St Felix Church of England Primary School").click()

    # Check the case file opens with its status, open items and timeline
    expect(page).to_have_url(re.compile(rf"/schools/{FEATURED_URN}$"))
    expect(page.locator("#status-category")).to_contain_text("3b")
    expect(page.locator('#warning-notices tr[data-notice="WN1"]')).to_contain_text(
        "not complied with")
    expect(page.locator("#ieb")).to_contain_text("IEB in place")
    expect(page.locator(".scc-timeline__item").first).to_be_visible()
    screenshot(page, "case-file")


def test_the_categories_report_draws_its_chart(page: Page):
    sign_in(page, "caseworker")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()

    # Check the report shows the chart with a bar for each date, and a table for each date
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools by LA category over time")
    chart = page.locator("svg#category-chart")
    expect(chart).to_be_visible()
    bars = page.locator("svg#category-chart .scc-chart__bar")
    expect(bars.first).to_be_visible()
    expect(page.locator("table.scc-distribution")).to_have_count(bars.count())
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100, box
    screenshot(page, "reports-chart")


# Recording on a case file ------------------------------------------------------------------

def test_issuing_a_warning_notice_shows_its_compliance_date_before_and_after(page: Page,
                                                                            live_server):
    sign_in(page, "head")
    open_case_file(page, MAINTAINED_FOR_NOTICE)
    expect(page.locator("#open-items ~ p").first).to_have_text("No warning notices.")

    page.get_by_role("link", name="Issue a warning notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Issue a warning notice")
    page.get_by_role("button", name="Draft for approval").click()

    # Check a form sent without what it needs shows an error summary linked to the fields
    expect_error_summary(page, "Enter the matters relied on", "Enter the action required",
                         "Enter the action the authority is minded to take")
    expect(page).to_have_title(re.compile(r"^Error: Issue a warning notice"))
    screenshot(page, "form-with-errors")

    # Given today, Monday 23 November 2026, with a compliance period of 25 working days
    page.get_by_label("(a) standards of performance are unacceptably low").check()
    page.get_by_label("The matters the notice is based on").fill(
        "KS2 reading, writing and maths combined 41% in 2026 against 62% nationally")
    page.get_by_label("The action required").fill("Adopt the LA's reading plan in every class")
    page.get_by_label("Compliance period in working days").fill("25")
    page.get_by_label("The action the authority is minded to take").fill(
        "Appoint additional governors (s64)")
    page.get_by_role("button", name="Draft for approval").click()

    # Check the confirmation page shows the compliance date before anything is recorded.
    # By hand: counting working days after Monday 23 November 2026, 24 November is 1 and
    # Monday 21 December is 20; 22, 23 and 24 December are 21 to 23; Christmas Day (Friday
    # 25), the weekend and Monday 28 December (Boxing Day falls on a Saturday, so its bank
    # holiday is the Monday) do not count; Tuesday 29 is 24 and Wednesday 30 December 2026
    # is the 25th.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before the draft goes for approval")
    expect(page.locator("#compliance-date dd")).to_have_text("30 December 2026")
    review = page.locator("#review")
    expect(review).to_contain_text("Given on")
    expect(review).to_contain_text("23 November 2026")
    expect(review).to_contain_text("25 working days")
    expect(review).to_contain_text("(a) standards of performance are unacceptably low")
    screenshot(page, "warning-notice-confirmation")

    page.get_by_role("button", name="Submit the draft for approval").click()

    # Sign-off (tests/browser/test_sign_off.py walks it): another head approves the draft,
    # which gives the notice today. Check the case file then shows it, open, with the same
    # compliance date.
    expect(page).to_have_url(re.compile(rf"/schools/{MAINTAINED_FOR_NOTICE}/drafts/D1$"))
    live_server.services.case_files.approve_draft(
        MAINTAINED_FOR_NOTICE, by=APPROVING_HEAD, role="head", draft_id="D1")
    open_case_file(page, MAINTAINED_FOR_NOTICE)
    notice = page.locator('#warning-notices tr[data-notice="WN1"]')
    expect(notice).to_contain_text("given 23 November 2026")
    expect(notice).to_contain_text("30 December 2026")
    expect(notice).to_contain_text("25 working days")
    expect(notice).to_contain_text("open")
    expect(page.locator(".scc-timeline__item").first).to_contain_text("WN1")
    expect(page.locator(".scc-timeline__item").first).to_contain_text("Draft D1 approved")


def test_recording_non_compliance_waits_for_the_compliance_period_to_end(page: Page,
                                                                        live_server):
    # A notice given on Thursday 1 October 2026 with 10 working days to comply: Friday 2
    # October is the first and Thursday 15 October 2026 the tenth, so it has ended by today.
    notice_id = approved(live_server.services.case_files, "issue_warning_notice",
        MAINTAINED_FOR_NON_COMPLIANCE, by="Helen Marsh", effective=date(2026, 10, 1),
        grounds=["a"], matters="KS2 outcomes have fallen for three years",
        required_actions="Adopt the LA's reading plan", compliance_period=10,
        minded_action="Appoint additional governors (s64)")
    sign_in(page, "caseworker")
    open_case_file(page, MAINTAINED_FOR_NON_COMPLIANCE)
    notice = page.locator(f'#warning-notices tr[data-notice="{notice_id}"]')
    expect(notice).to_contain_text("15 October 2026")
    expect(notice).to_contain_text("Overdue")

    notice.get_by_role("link", name=f"Record compliance with {notice_id}").click()
    expect(page.get_by_label("Warning notice")).to_have_value(notice_id)
    fill_date(page, "effective", date(2026, 10, 15))
    page.get_by_label("No, it did not comply").check()
    page.get_by_label("Evidence").fill("The reading plan was not adopted; no governor met")
    page.get_by_role("button", name="Record compliance").click()

    # Check the rule's message: on the last day of the period it is too early
    expect_error_summary(
        page, f"The compliance period of warning notice {notice_id} runs to 15 October 2026; "
              "failure to comply can be recorded only after it ends")
    # Check what was typed is kept, to correct and send again
    expect(page.get_by_label("Evidence")).to_have_value(
        "The reading plan was not adopted; no governor met")
    expect(page.get_by_label("No, it did not comply")).to_be_checked()

    fill_date(page, "effective", date(2026, 10, 16))
    page.get_by_role("button", name="Record compliance").click()

    # Check the case file shows the notice not complied with, and the next step offered
    expect(page).to_have_url(re.compile(rf"/schools/{MAINTAINED_FOR_NON_COMPLIANCE}$"))
    expect(notice).to_contain_text("not complied with")
    expect(notice.get_by_role("link", name=f"Give notice of intervention after {notice_id}")
           ).to_be_visible()
    expect(page.locator(".scc-timeline__item").first).to_contain_text("16 October 2026")
    # Check the success banner says what was recorded
    expect_success_banner(page, f"Compliance with warning notice {notice_id} recorded")


def test_starting_an_ieb_application_for_a_school_in_special_measures(page: Page):
    sign_in(page, "head")
    open_case_file(page, SPECIAL_MEASURES_URN)
    expect(page.locator("#ieb")).to_have_text("None.")

    page.get_by_role("link", name="Draft an IEB application").click()
    page.get_by_label("Why an interim executive board").fill(
        "Special measures since March 2026; the governing body has not secured improvement")
    page.get_by_role("button", name="Draft the application").click()

    # Check the case file shows the application drafted today
    expect(page).to_have_url(re.compile(rf"/schools/{SPECIAL_MEASURES_URN}$"))
    ieb = page.locator("#ieb")
    expect(ieb).to_contain_text("IEB application drafted")
    expect(ieb).to_contain_text("Application IEB1, drafted 23 November 2026")
    expect(page.locator(".scc-timeline__item").first).to_contain_text(
        "IEB application IEB1 drafted")
    # Check the success banner says what was recorded
    expect_success_banner(page, "IEB application IEB1 drafted")


def test_holding_an_msp_meeting_with_minutes_and_an_action(page: Page):
    sign_in(page, "caseworker")
    open_case_file(page, FEATURED_URN)
    page.get_by_role("link", name="Record an MSP meeting held").click()
    expect(page.get_by_label("Attendees")).to_contain_text("Helen Marsh (LA, chair)")

    # An extra meeting, not the one arranged for 15 December
    page.get_by_label("Meeting", exact=True).select_option(label="Not scheduled beforehand")
    page.locator("#actions-0-description").fill("Send the attendance plan to the group")
    fill_date(page, "actions-0-due", date(2026, 12, 18))
    page.get_by_role("button", name="Record the meeting").click()

    # Check the missing minutes and the action without an owner are both shown
    expect_error_summary(page, "Enter the minutes", "Enter who owns the action")

    page.get_by_label("Minutes").fill("Attendance plan discussed; persistent absence now 24%")
    page.locator("#actions-0-owner").fill("Headteacher")
    page.get_by_role("button", name="Record the meeting").click()

    # Check the open actions show the new action with its owner and due date
    expect(page).to_have_url(re.compile(rf"/schools/{FEATURED_URN}$"))
    action = page.locator("#msp-actions tr", has_text="Send the attendance plan to the group")
    expect(action).to_contain_text("Headteacher")
    expect(action).to_contain_text("18 December 2026")
    expect(page.locator(".scc-timeline__item").first).to_contain_text("1 action agreed")
    # Check the success banner says what was recorded
    expect_success_banner(page, "MSP meeting")


def test_changing_the_category_shows_on_the_case_file(page: Page):
    sign_in(page, "caseworker")
    open_case_file(page, MAINTAINED_FOR_CATEGORY)
    expect(page.locator("#status-category")).to_contain_text("2: Good")

    page.get_by_role("link", name="Change the LA category").click()
    page.get_by_label("3a: Requires Improvement + (close to good)").check()
    page.get_by_label("Reason").fill("2026 KS2 results well below the LA average")
    page.get_by_role("button", name="Change the category").click()

    # Check the status and the timeline show the new category from today
    expect(page).to_have_url(re.compile(rf"/schools/{MAINTAINED_FOR_CATEGORY}$"))
    expect(page.locator("#status-category")).to_contain_text(
        "3a: Requires Improvement + (close to good), since 23 November 2026")
    expect(page.locator(".scc-timeline__item").first).to_contain_text("LA category 2 → 3a")
    expect(page.locator(".scc-timeline__item").first).to_contain_text("by Casey Worker")
    # Check the success banner says what was recorded
    expect_success_banner(page, "LA category changed to 3a")


# The auditor ---------------------------------------------------------------------------

def test_an_auditor_replays_a_school_at_a_past_date_and_exports_it(page: Page):
    sign_in(page, "auditor")
    open_case_file(page, FEATURED_URN)

    # Check an auditor is offered no forms, only the audit page
    expect(page.locator("#actions")).to_have_count(0)
    page.get_by_role("link", name="Replay, compare and export this case file").click()
    expect(page.locator("#verification")).to_be_visible()
    expect(page.locator(".govuk-panel--confirmation")).to_contain_text("The record is intact")

    fill_date(page, "as_at", date(2024, 6, 1))
    page.get_by_role("button", name="Show").click()

    # Check the status is as it stood on 1 June 2024: category 3b, before any warning notice
    # or MSP group
    expect(page.locator("#replayed-status")).to_have_text("Status as at 1 June 2024")
    summary = page.locator("#replay-summary")
    expect(summary_value(summary, "LA category")).to_have_text(
        "3b: Requires Improvement - (vulnerable to inadequate, or recently out of inadequate), "
        "since 22 September 2023")
    expect(summary_value(summary, "Warning notices")).to_have_text("0 given")
    expect(summary_value(summary, "MSP group")).to_have_text("None")
    shown = page.locator("#history-table tbody tr").count()
    assert shown > 10, shown
    screenshot(page, "auditor-view")

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="History as at 1 June 2024 as CSV").click()
    with page.expect_download() as json_download:
        page.get_by_role("link", name="History as at 1 June 2024 as JSON").click()

    # Check the CSV holds the same entries as the page, none effective after 1 June 2024
    assert csv_download.value.suggested_filename == f"urn-{FEATURED_URN}-history.csv"
    rows = list(csv.DictReader(io.StringIO(
        csv_download.value.path().read_text(encoding="utf-8"), newline="")))
    assert len(rows) == shown
    assert all(date.fromisoformat(r["effective"]) <= date(2024, 6, 1) for r in rows)
    assert [int(r["version"]) for r in rows] == sorted(int(r["version"]) for r in rows)
    assert rows[0]["event"] == "Registered", rows[0]
    assert any(r["event"] == "ConcernRaised" for r in rows)
    assert not any(r["event"] == "WarningNoticeIssued" for r in rows)
    # Check the JSON says what it is and holds the same entries
    assert json_download.value.suggested_filename == f"urn-{FEATURED_URN}-history.json"
    document = json.loads(json_download.value.path().read_text(encoding="utf-8"))
    assert document["urn"] == FEATURED_URN
    assert document["as_at"] == "2024-06-01"
    assert document["exported_by"] == USERS["auditor"][0]
    assert [e["version"] for e in document["history"]] == [int(r["version"]) for r in rows]

    # Check the access log on the audit page now records the exports
    page.reload()
    access = page.locator("#access-table")
    expect(access).to_contain_text("export CSV")
    expect(access).to_contain_text("export JSON")


def test_an_auditor_is_refused_a_form(page: Page):
    sign_in(page, "auditor")

    response = page.goto(f"/schools/{FEATURED_URN}/raise-concern")

    # Check the form is refused with the 403 page, not shown
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to do that")
    expect(page.locator("form textarea")).to_have_count(0)


def test_a_post_without_a_csrf_token_is_refused(page: Page, live_server):
    sign_in(page, "caseworker")
    case_files = live_server.services.case_files
    before = case_files.version(MAINTAINED_FOR_CSRF)
    page.goto(f"/schools/{MAINTAINED_FOR_CSRF}/raise-concern")
    form_token = page.locator('input[name="form_token"]').input_value()

    # The browser's own session cookie, a live one-time form token, and no CSRF token
    response = page.request.post(f"/schools/{MAINTAINED_FOR_CSRF}/raise-concern", form={
        "form_token": form_token, "effective": "23", "ground": "safeguarding",
        "description": "Single central record incomplete"}, max_redirects=0)

    # Check it is refused with the 400 page and nothing is recorded
    assert response.status == 400, response.status
    assert "Sorry, there is a problem with that request" in response.text()
    assert "CSRF token is missing" in response.text()
    assert case_files.version(MAINTAINED_FOR_CSRF) == before


# The Content-Security-Policy ----------------------------------------------------------------

def test_the_apps_own_pages_run_under_its_content_security_policy_without_a_violation(
        page: Page):
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "console.error('Content Security Policy violation: ' "
                         "+ e.violatedDirective + ' ' + e.blockedURI))")
    sign_in(page, "head")

    for path in ("/", f"/schools/{FEATURED_URN}", f"/schools/{FEATURED_URN}/record-visit",
                 "/reports/", "/rules", f"/audit/schools/{FEATURED_URN}", "/api/v1/docs",
                 f"/audit/schools/{FEATURED_URN}/printable"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        if path.endswith("/printable"):  # a document of its own: its styles, no script
            expect(page.locator("h1")).to_have_css("font-size", "24px")
            continue
        # Check GOV.UK's inline script ran by its nonce, and GOV.UK Frontend from its file
        expect(page.locator("body.js-enabled.govuk-frontend-supported")).to_have_count(1)
        expect(page.locator("[data-govuk-service-navigation-init]")).to_have_count(1)

    # Check a script put into a page other than by the app is refused
    page.goto("/")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.injected = true';
                             document.body.appendChild(s); }""")
    assert page.evaluate("window.injected === undefined")
    injected = [v for v in violations if "script-src" in v]
    assert injected and violations == injected, violations


MAINTAINED_FOR_RULE = 990018  # Pondersby Primary School: no notices


def test_a_refusal_names_its_rule_and_the_rulebook_explains_it(page: Page, live_server):
    # A notice given on Thursday 1 October 2026 with 10 working days: the period runs to
    # Thursday 15 October 2026, so failure cannot be recorded as at that day.
    notice_id = approved(live_server.services.case_files, "issue_warning_notice",
        MAINTAINED_FOR_RULE, by="Helen Marsh", effective=date(2026, 10, 1),
        grounds=["b"], matters="The governing body has not met since June",
        required_actions="Meet and agree a recovery plan", compliance_period=10,
        minded_action="Appoint additional governors (s64)")
    sign_in(page, "caseworker")
    page.goto(f"/schools/{MAINTAINED_FOR_RULE}/record-compliance?notice_id={notice_id}")
    fill_date(page, "effective", date(2026, 10, 15))
    page.get_by_label("No, it did not comply").check()
    page.get_by_label("Evidence").fill("No meeting was held")
    page.get_by_role("button", name="Record compliance").click()

    # Check the refusal says why, names the rule it rests on and links to it
    expect_error_summary(page, "failure to comply can be recorded only after it ends")
    rule_link = page.locator(".govuk-error-summary").get_by_role(
        "link", name="Failure to comply only after the period")
    expect(rule_link).to_have_attribute("href", re.compile(r"/rules#failure-after-period$"))
    rule_link.click()

    # Check the rulebook shows that rule: what it says, its source, that it is statute
    expect(page).to_have_url(re.compile(r"/rules#failure-after-period$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Rules"))
    rule = page.locator("#failure-after-period")
    expect(rule).to_be_in_viewport()
    expect(rule).to_contain_text("only after the compliance period has ended")
    expect(rule).to_contain_text("Education and Inspections Act 2006 s60(1)(b)-(c)")
    expect(rule).to_contain_text("Statute")
    screenshot(page, "rules-page")  # at 1280 and 390 px
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the rules page scrolls sideways on a phone ({width} px)"
