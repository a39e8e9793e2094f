"""The forms that record on a case file: server-side checks, the domain's rules shown in the
error summary, the warning notice's confirmation step, one record per form sent, and roles."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from werkzeug.datastructures import MultiDict

from adapters.demo import FEATURED_URN
from tests.sign_off import APPROVING_HEAD, approved
from tests.web.conftest import csrf_token
from web.schools.commands import COMMANDS

CASE_FILE = f"/schools/{FEATURED_URN}"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


def form_token(page: str) -> str:
    match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)
    assert match, "the form has no one-time token"
    return match.group(1)


def send(client, url: str, data: dict, **kwargs):
    """Opens the form, then sends it with its CSRF and one-time tokens."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={**data, "csrf_token": csrf_token(page.text),
                                  "form_token": form_token(page.text)}, **kwargs)


def flashed(client) -> list[str]:
    """The messages flashed since the last call, taken as a page showing them would."""
    with client.session_transaction() as session:
        return [message for _, message in session.pop("_flashes", [])]


def error_summary(page: str) -> str:
    start = page.index('class="govuk-error-summary')
    return html.unescape(page[start:page.index("</ul>", start)])


def section_of(page: str, marker: str, end: str) -> str:
    start = page.index(marker)
    return html.unescape(page[start:page.index(end, start)])


def entries(services) -> int:
    return services.case_files.version(FEATURED_URN)


def test_the_warning_notice_form_offers_the_copies_s60_6_requires(client, actions):
    """s60(6)-(6B) (COPIES): for the featured Church of England voluntary aided school the
    form starts with the headteacher, Ofsted, the diocesan authority and the Secretary of
    State; the check page warns when the copies typed leave one out."""
    actions.sign_in("head")
    page = client.get(f"{CASE_FILE}/issue-warning-notice").text
    copies = section_of(page, 'name="copies_to"', "</textarea>")
    for recipient in ("headteacher", "Chief Inspector (Ofsted)", "diocesan authority",
                      "Secretary of State"):
        assert recipient in copies

    review = send(client, f"{CASE_FILE}/issue-warning-notice", {
        "effective": ["1", "4", "2026"], "section": "s60", "issuer": "local authority",
        "grounds": ["a"], "compliance_date": ["10", "4", "2026"], "matters": "Standards",
        "required_actions": "Adopt the plan", "minded_action": "IEB",
        "copies_to": "Ofsted\nHeadteacher"})

    assert review.status_code == 200
    text = html.unescape(review.text)
    assert "5 working days" in text
    assert ("Warning: no copy to the diocesan authority, the Secretary of State (s60(6))"
            in text)


CONCERN = {"effective": ["20", "11", "2026"], "ground": "safeguarding", "source": "school visit",
           "description": "Single central record incomplete at the visit"}


def test_issuing_a_warning_notice_shows_the_compliance_date_before_it_is_confirmed(
        actions, client, services):
    actions.sign_in("head")
    before = entries(services)
    notice = {
        "effective": ["1", "4", "2026"], "section": "s60", "issuer": "local authority",
        "grounds": ["a", "b"], "compliance_period": "5",
        "matters": "Standards remain unacceptably low", "required_actions": "Adopt the plan",
        "minded_action": "Appoint additional governors (s64)", "copies_to": "Ofsted\nDiocese",
    }

    review = send(client, f"{CASE_FILE}/issue-warning-notice", notice)

    # Check the confirmation page shows the compliance date, worked out by hand: given on
    # Wednesday 1 April 2026; working days after it: Thursday 2 April (1), Good Friday 3 April
    # and Easter Monday 6 April do not count, Tuesday 7 (2), Wednesday 8 (3), Thursday 9 (4),
    # Friday 10 April (5).
    assert review.status_code == 200
    row = review.text[review.text.index('id="compliance-date"'):]
    assert "10 April 2026" in row[:row.index("</div>")]
    assert "5 working days" in review.text
    # Check nothing is recorded until it is confirmed
    assert entries(services) == before

    echoed = [(name, html.unescape(value)) for name, value in HIDDEN.findall(review.text)]
    confirmed = client.post(f"{CASE_FILE}/issue-warning-notice",
                            data=MultiDict([*echoed, ("confirmed", "yes")]))

    assert confirmed.status_code == 303
    assert confirmed.headers["Location"].endswith(CASE_FILE)
    # Check the case file says it was given, and shows it straight away (read your writes)
    page = client.get(CASE_FILE).text
    banner = section_of(page, "govuk-notification-banner--success", "</div>\n</div>")
    assert "Warning notice WN2 given" in banner
    row = page[page.index('data-notice="WN2"'):]
    assert "10 April 2026" in row[:row.index("</tr>")]
    (notice_entry,) = [e for e in services.case_files.history(FEATURED_URN)[before:]
                       if e["event"] == "WarningNoticeIssued"]
    assert notice_entry["details"]["compliance_date"] == date(2026, 4, 10)
    assert notice_entry["by"] == "Helen Marsh"
    assert notice_entry["effective"] == date(2026, 4, 1)


def test_drafting_a_warning_notice_shows_the_compliance_date_before_it_goes_for_approval(
        actions, client, services):
    """Sign-off (rule ``sign-off``): a notice given from today is drafted, checked as if
    approved today, and nothing of the notice itself is recorded until a head approves it."""
    actions.sign_in("caseworker")
    before = entries(services)
    notice = {
        "effective": ["23", "11", "2026"], "section": "s60", "issuer": "local authority",
        "grounds": ["a", "b"], "compliance_period": "5",
        "matters": "Standards remain unacceptably low", "required_actions": "Adopt the plan",
        "minded_action": "Appoint additional governors (s64)", "copies_to": "Ofsted\nDiocese",
    }
    form = client.get(f"{CASE_FILE}/issue-warning-notice").text
    assert "Draft for approval" in form
    assert "A head must approve this before it takes effect" in form

    review = send(client, f"{CASE_FILE}/issue-warning-notice", notice)

    # Check the page shows the compliance date as if approved today, Monday 23 November
    # 2026: Tuesday 24 (1) to Monday 30 November (5).
    assert review.status_code == 200
    assert "Check your answers before the draft goes for approval" in review.text
    row = review.text[review.text.index('id="compliance-date"'):]
    assert "30 November 2026" in row[:row.index("</div>")]
    assert "On the day a head approves it" in review.text
    assert entries(services) == before

    echoed = [(name, html.unescape(value)) for name, value in HIDDEN.findall(review.text)]
    confirmed = client.post(f"{CASE_FILE}/issue-warning-notice",
                            data=MultiDict([*echoed, ("confirmed", "yes")]))

    assert confirmed.status_code == 303
    assert confirmed.headers["Location"].endswith(f"{CASE_FILE}/drafts/D1")
    recorded = [e["event"] for e in services.case_files.history(FEATURED_URN)[before:]]
    assert recorded == ["StepDrafted"]
    page = client.get(CASE_FILE).text
    drafts = section_of(page, 'id="draft-list"', "</ul>")
    assert "Warning notice (D1)" in drafts
    assert "Awaiting approval" in drafts
    assert 'data-notice="WN2"' not in page


def test_changing_a_warning_notice_from_its_confirmation_page_goes_back_to_the_form(
        actions, client, services):
    actions.sign_in("head")
    notice = {"effective": ["1", "4", "2026"], "section": "s60", "issuer": "local authority",
              "grounds": ["a"], "compliance_period": "5", "matters": "Low standards",
              "required_actions": "Adopt the plan", "minded_action": "IEB"}
    review = send(client, f"{CASE_FILE}/issue-warning-notice", notice)
    echoed = [(name, html.unescape(value)) for name, value in HIDDEN.findall(review.text)]

    back = client.post(f"{CASE_FILE}/issue-warning-notice",
                       data=MultiDict([*echoed, ("change", "yes")]))

    assert back.status_code == 200
    assert ">Low standards</textarea>" in back.text
    assert 'value="5"' in back.text


def test_a_warning_notice_without_a_compliance_period_shows_the_rule_before_confirming(
        actions, client, services):
    actions.sign_in("head")
    before = entries(services)

    page = send(client, f"{CASE_FILE}/issue-warning-notice", {
        "effective": ["1", "4", "2026"], "section": "s60", "issuer": "local authority",
        "grounds": ["a"], "matters": "Low", "required_actions": "Act", "minded_action": "IEB"})

    assert page.status_code == 422
    assert "Set the compliance period" in error_summary(page.text)
    assert entries(services) == before


def test_recording_non_compliance_too_early_shows_the_rule_and_records_nothing(
        actions, client, services):
    today = services.case_files.clock.today()
    notice_id = approved(services.case_files, "issue_warning_notice",
        FEATURED_URN, by="Helen Marsh", effective=today, grounds=["a"], matters="Low standards",
        required_actions="Adopt the plan", minded_action="IEB", compliance_period=20)
    actions.sign_in("caseworker")
    before = entries(services)

    page = send(client, f"{CASE_FILE}/record-compliance?notice_id={notice_id}", {
        "effective": [str(today.day), str(today.month), str(today.year)],
        "notice_id": notice_id, "complied": "no", "evidence": "Nothing done yet"})

    assert page.status_code == 422
    summary = error_summary(page.text)
    assert f"The compliance period of warning notice {notice_id} runs to" in summary
    assert "failure to comply can be recorded only after it ends" in summary
    assert entries(services) == before
    # Check what was typed is kept, so it can be corrected and sent again
    assert ">Nothing done yet</textarea>" in page.text


def test_sending_the_same_form_twice_records_once(actions, client, services):
    actions.sign_in("caseworker")
    before = entries(services)
    page = client.get(f"{CASE_FILE}/raise-concern")
    data = {**CONCERN, "csrf_token": csrf_token(page.text), "form_token": form_token(page.text)}

    first = client.post(f"{CASE_FILE}/raise-concern", data=data)
    second = client.post(f"{CASE_FILE}/raise-concern", data=data)

    assert first.status_code == second.status_code == 303
    assert entries(services) == before + 1
    assert flashed(client)[-1].startswith("That form was already sent")
    concerns = [c["description"] for c in services.case_files.school(FEATURED_URN)[
        "open_concerns"]]
    assert concerns.count(CONCERN["description"]) == 1
    assert services.case_files.history(FEATURED_URN)[-1]["details"]["source"] == "school visit"
    # Check the button also asks the browser to ignore a double click
    assert 'data-prevent-double-click="true"' in page.text


def test_a_token_spent_in_another_request_with_the_same_session_cookie_is_refused(
        actions, client, app, services):
    """A double click sends the second POST with the cookie the first has not yet replaced."""
    actions.sign_in("caseworker")
    before = entries(services)
    page = client.get(f"{CASE_FILE}/raise-concern")
    data = {**CONCERN, "csrf_token": csrf_token(page.text), "form_token": form_token(page.text)}
    cookie = client.get_cookie("scc_session").value
    twin = app.test_client()
    twin.set_cookie("scc_session", cookie)

    client.post(f"{CASE_FILE}/raise-concern", data=data)
    again = twin.post(f"{CASE_FILE}/raise-concern", data=data)

    assert again.status_code == 303
    assert entries(services) == before + 1


def test_a_post_without_a_csrf_token_is_refused(actions, client, services):
    actions.sign_in("caseworker")
    before = entries(services)
    token = form_token(client.get(f"{CASE_FILE}/raise-concern").text)

    response = client.post(f"{CASE_FILE}/raise-concern", data={**CONCERN, "form_token": token})

    assert response.status_code == 400
    assert entries(services) == before


def test_an_auditor_may_neither_open_nor_send_any_form(actions, client, services):
    actions.sign_in("auditor")
    before = entries(services)
    token = csrf_token(client.get("/sign-out").text)

    for command in COMMANDS:
        url = f"{CASE_FILE}/{command.slug}"
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={**CONCERN, "csrf_token": token}).status_code == 403, url

    assert entries(services) == before


def test_every_form_opens_for_the_head(actions, client, services):
    actions.sign_in("head")
    first_deadline = services.case_files.deadlines(FEATURED_URN)[0].key
    links = {"retract-entry": "?version=69", "amend-entry": "?version=69",
             "extend-deadline": f"?key={first_deadline}"}

    for command in COMMANDS:
        page = client.get(f"{CASE_FILE}/{command.slug}{links.get(command.slug, '')}")

        assert page.status_code == 200, command.slug
        assert f'<h1 class="govuk-heading-l">{command.title}</h1>' in html.unescape(page.text)
        assert 'name="form_token"' in page.text


def test_only_the_head_may_assign_a_caseworker(actions, client, services):
    actions.sign_in("caseworker")
    assert client.get(f"{CASE_FILE}/assign-caseworker").status_code == 403
    assert "assign-caseworker" not in client.get(CASE_FILE).text

    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/sign-out").text)})
    actions.sign_in("head")
    response = send(client, f"{CASE_FILE}/assign-caseworker", {
        "effective": ["23", "11", "2026"], "name": "Casey Worker",
        "email": "casey@fenmarsh.example"}, follow_redirects=True)

    assert response.status_code == 200
    assert services.case_files.school(FEATURED_URN)["caseworker"] == {
        "name": "Casey Worker", "email": "casey@fenmarsh.example"}


def test_dates_must_be_given_and_real(actions, client, services):
    actions.sign_in("caseworker")
    before = entries(services)

    missing = send(client, f"{CASE_FILE}/raise-concern", {**CONCERN, "effective": ["", "", ""]})
    unreal = send(client, f"{CASE_FILE}/raise-concern",
                  {**CONCERN, "effective": ["31", "2", "2026"]})
    partial = send(client, f"{CASE_FILE}/raise-concern",
                   {**CONCERN, "effective": ["12", "", "2026"]})

    assert missing.status_code == unreal.status_code == partial.status_code == 422
    assert "Enter the date the concern was raised" in error_summary(missing.text)
    assert 'href="#effective-day"' in missing.text
    assert "The date must be a real date" in error_summary(unreal.text)
    assert "The date must include a month" in error_summary(partial.text)
    assert entries(services) == before


def test_a_choice_must_be_made_and_text_entered(actions, client, services):
    actions.sign_in("caseworker")

    page = send(client, f"{CASE_FILE}/raise-concern", {"effective": ["20", "11", "2026"]})

    summary = error_summary(page.text)
    assert "Choose the ground for concern" in summary
    assert "Choose where the concern came from" in summary
    assert "Enter the description of the concern" in summary


def test_holding_a_meeting_records_its_minutes_and_actions(actions, client, services):
    actions.sign_in("caseworker")
    # The next meeting is arranged for a later date: this one was not scheduled beforehand
    fields = {"effective": ["23", "11", "2026"], "meeting_id": "",
              "attendees": "Helen Marsh\nDr Ruth Penhaligon", "minutes": "Attendance plan seen",
              "actions-0-description": "Publish the attendance plan",
              "actions-0-owner": "Headteacher", "actions-0-due": ["18", "12", "2026"],
              "actions-1-description": "Recruit two governors", "actions-1-owner": "IEB chair",
              "actions-1-due": ["29", "1", "2027"]}

    response = send(client, f"{CASE_FILE}/hold-msp-meeting", fields)

    assert response.status_code == 303
    assert [re.sub(r"M\d+", "M?", m) for m in flashed(client)] == ["MSP meeting M? recorded"]
    open_actions = services.case_files.school(FEATURED_URN)["msp"]["open_actions"]
    assert {"description": "Publish the attendance plan", "owner": "Headteacher",
            "due": date(2026, 12, 18)}.items() <= open_actions[-2].items()
    assert open_actions[-1]["due"] == date(2027, 1, 29)


def test_an_action_without_an_owner_is_refused(actions, client, services):
    actions.sign_in("caseworker")
    before = entries(services)

    page = send(client, f"{CASE_FILE}/hold-msp-meeting", {
        "effective": ["23", "11", "2026"], "attendees": "Helen Marsh", "minutes": "Met",
        "actions-2-description": "Publish the plan", "actions-2-due": ["18", "12", "2026"]})

    assert page.status_code == 422
    assert "Enter who owns the action" in error_summary(page.text)
    assert 'href="#actions-2-owner"' in page.text
    assert entries(services) == before


def test_retracting_an_entry_from_the_timeline_strikes_it_through(actions, client, services):
    actions.sign_in("caseworker")
    case_file = client.get(CASE_FILE).text
    version = services.case_files.version(FEATURED_URN)  # the newest entry: a correction
    newest_ordinary = next(e for e in reversed(services.case_files.history(FEATURED_URN))
                           if e["event"] == "MSPMeetingScheduled")
    link = f"{CASE_FILE}/retract-entry?version={newest_ordinary['version']}"
    assert link in html.unescape(case_file)
    assert f"retract-entry?version={version}" not in case_file

    response = send(client, link, {"version": str(newest_ordinary["version"]),
                                   "reason": "Entered twice"}, follow_redirects=True)

    entry = response.text[response.text.index(f'id="entry-{newest_ordinary["version"]}"'):]
    entry = entry[:entry.index("</li>")]
    assert '<s class="scc-timeline__retracted">' in entry
    assert "Entered twice" in entry


def test_amending_an_entry_records_the_new_wording(actions, client, services):
    actions.sign_in("caseworker")
    held = next(e for e in services.case_files.history(FEATURED_URN)
                if e["event"] == "MSPMeetingHeld")
    url = f"{CASE_FILE}/amend-entry?version={held['version']}"
    page = client.get(url).text
    assert held["details"]["minutes"] in page  # the wording being corrected is shown

    send(client, url, {"version": str(held["version"]), "field": "minutes",
                       "wording": "Group set up; terms of reference agreed and signed",
                       "reason": "Minutes approved at the next meeting"})

    (entry,) = [e for e in services.case_files.history(FEATURED_URN)
                if e["version"] == held["version"]]
    assert entry["corrections"][0]["changes"] == {
        "minutes": "Group set up; terms of reference agreed and signed"}


def test_suspending_a_deadline_from_the_deadlines_list(actions, client, services):
    actions.sign_in("caseworker")
    deadline = next(d for d in services.case_files.deadlines(FEATURED_URN)
                    if d.kind == "msp_action")
    url = f"{CASE_FILE}/suspend-deadline?key={deadline.key}"
    assert url in html.unescape(client.get(CASE_FILE).text)

    send(client, url, {"key": deadline.key, "reason": "With the Regional Director"})

    (after,) = [d for d in services.case_files.deadlines(FEATURED_URN) if d.key == deadline.key]
    assert after.suspended


def test_an_unknown_school_has_no_forms(actions, client):
    actions.sign_in("caseworker")

    assert client.get("/schools/999999/raise-concern").status_code == 404


def day(when: date) -> list[str]:
    return [str(when.day), str(when.month), str(when.year)]


def test_every_command_records_through_its_form(actions, client, services):
    """A school's year of intervention, each step through its own form."""
    urn = 990014  # an ordinary community primary school of the demo, in category 3a
    url = f"/schools/{urn}"
    case_files = services.case_files
    today = case_files.clock.today()
    actions.sign_in("head")
    done: list[str] = []

    def record(slug: str, data: dict, query: str = "") -> None:
        page = client.get(f"{url}/{slug}{query}")
        assert page.status_code == 200, slug
        fields = {"effective": day(today), **data, "csrf_token": csrf_token(page.text),
                  "form_token": form_token(page.text)}
        response = client.post(f"{url}/{slug}", data=fields)
        if response.status_code == 200 and 'id="review"' in response.text:  # confirm it
            echoed = [(n, html.unescape(v)) for n, v in HIDDEN.findall(response.text)]
            response = client.post(f"{url}/{slug}", data=MultiDict([*echoed,
                                                                    ("confirmed", "yes")]))
        assert response.status_code == 303, (slug, error_summary(response.text))
        (message,) = flashed(client)
        assert not message.startswith("That form"), slug
        if "/drafts/" in response.headers["Location"]:  # sign-off: another head approves it
            draft = response.headers["Location"].rsplit("/", 1)[1]
            case_files.approve_draft(urn, by=APPROVING_HEAD, role="head", draft_id=draft)
        done.append(slug)

    def status() -> dict:
        return case_files.school(urn)

    record("raise-concern", {"ground": "standards", "source": "performance data",
                             "description": "Phonics check 52%"})
    concern = status()["open_concerns"][-1]["concern_id"]
    record("communicate-concern", {"concern_id": concern, "recipient": "headteacher"})
    record("send-letter-of-concern", {"concern_ids": [concern], "recipient": "chair of governors",
                                      "summary": "Phonics plan by Easter"})
    record("resolve-concern", {"concern_id": concern, "outcome": "Merged into the category"})
    record("change-category", {"to": "4", "reason": "Leadership broke down"})
    record("review-category", {"reason": "No change since last month"})
    record("record-visit", {"kind": "monitoring", "notes": "Lessons seen in every class"})
    record("assign-caseworker", {"name": "Casey Worker", "email": "casey@fenmarsh.example"})

    record("establish-msp-group", {"members": "Helen Marsh\nHeadteacher", "cadence_weeks": "4"})
    record("schedule-msp-meeting", {"meets_on": day(today + timedelta(days=7))})
    meeting = status()["msp"]["next_meeting"]["meeting_id"]
    record("move-msp-meeting", {"meeting_id": meeting, "reason": "Brought forward to today",
                                "meets_on": day(today)})
    record("hold-msp-meeting", {"meeting_id": meeting, "attendees": "Helen Marsh",
                                "minutes": "Plan agreed", "actions-0-description": "Write plan",
                                "actions-0-owner": "Head",
                                "actions-0-due": day(today + timedelta(days=30))})
    action = status()["msp"]["open_actions"][0]["action_id"]
    record("complete-msp-action", {"action_id": action, "note": "Plan received"})
    record("schedule-msp-meeting", {"meets_on": day(today + timedelta(days=21))})
    meeting = status()["msp"]["next_meeting"]["meeting_id"]
    record("cancel-msp-meeting", {"meeting_id": meeting, "reason": "No longer needed"})

    notice_day = today - timedelta(days=60)
    record("issue-warning-notice", {
        "effective": day(notice_day), "section": "s60", "issuer": "local authority",
        "grounds": ["b"], "compliance_period": "5", "matters": "Governance broke down",
        "required_actions": "Fill vacancies", "minded_action": "IEB", "copies_to": "Ofsted"})
    notice = status()["warning_notices"][-1]["notice_id"]
    noticed = day(notice_day + timedelta(days=10))  # reasonable notice runs before the power
    record("record-compliance", {"notice_id": notice, "complied": "no", "effective": noticed,
                                 "evidence": "Vacancies unfilled"})
    record("give-intervention-notice", {"notice_id": notice, "effective": noticed,
                                        "proposed_powers": ["s63", "s64", "s65"],
                                        "proposed_action": "IEB"})
    record("exercise-power", {"power": "s64", "details": "Two governors appointed"})
    record("record-arrangements-consultation", {"consultee": "governing body",
                                                "response": "Agrees to collaborate"})
    record("exercise-power", {"power": "s63", "details": "Collaboration with Oakdale"})
    record("draft-ieb-application", {"rationale": "Governance broke down"})
    application = status()["ieb_applications"][-1]["application_id"]
    record("record-ieb-consultation", {"application_id": application,
                                       "consultee": "governing body", "response": "Opposed"})
    record("submit-ieb-application", {"application_id": application})
    record("record-ieb-decision", {"application_id": application, "consent": "yes"})
    record("constitute-ieb", {"application_id": application, "members": "Ann One\nBen Two",
                              "instrument_on": day(today), "terms": "Unpaid; one year",
                              "term_ends_on": day(today + timedelta(days=365))})
    record("change-ieb-members", {"members": "Ann One\nCat Three", "reason": "Ben resigned",
                                  "instrument_on": day(today), "terms": "Unpaid"})
    assert [(m["name"], m["terms"]) for m in status()["ieb"]["appointments"]] == [
        ("Ann One", "Unpaid; one year"), ("Cat Three", "Unpaid")]
    record("end-ieb", {"reason": "Governing body restored"})
    record("record-coasting", {"basis": "2025 and 2026 progress below the coasting floor",
                               "notified_on": day(today)})
    record("end-coasting", {"how": "notice", "reason": "The Secretary of State's letter"})
    record("record-coasting", {"basis": "Requires improvement twice",
                               "notified_on": day(today)})
    record("end-eligibility", {"route": "coasting", "reason": "Regulations revoked"})
    record("close-msp-group", {"reason": "Rapid progress"})

    record("record-inspection", {
        "inspected_on": day(today - timedelta(days=20)), "published_on": day(today),
        "category": "requires significant improvement", "safeguarding": "met",
        "received_on": day(today),
        "report_card": "achievement: urgent improvement\nleadership and governance: "
                       "needs attention"})
    inspection = status()["inspections"][-1]["inspection_id"]
    record("record-statement-of-action", {"inspection_id": inspection,
                                          "summary": "Support plan"})
    # After 29 June 2026 the order on a special-measures school is the Secretary of State's
    # power (Academies Act 2010 s4(1)(b))
    record("record-academy-order", {"basis": "power", "reference": "DfE letter"})
    record("revoke-academy-order", {"order_id": "AO1", "reason": "Made in error"})
    record("identify-for-rise", {"basis": "Stuck school"})
    record("assign-rise-adviser", {"adviser": "Priya Shah"})
    record("agree-rise-plan", {"summary": "Reading and governance"})
    record("record-rise-review", {"notes": "Plan started", "outcome": "Continue"})
    record("exit-rise", {"reason": "Moved to structural intervention"})
    record("extend-deadline", {"key": "visit:next", "reason": "Inspection week",
                               "to": day(today + timedelta(days=200))}, "?key=visit:next")
    record("suspend-deadline", {"key": "visit:next", "reason": "With the RD"})
    record("resume-deadline", {"key": "visit:next", "reason": "Back with us"})
    record("set-task", {"what": "Read the plan", "owner": "casey@fenmarsh.example",
                        "due": day(today + timedelta(days=3))})
    record("complete-task", {"task_id": status()["open_tasks"][-1]["task_id"]})
    record("issue-warning-notice", {
        "section": "s60", "issuer": "local authority", "grounds": ["a"],
        "compliance_period": "10", "matters": "Standards", "required_actions": "Act",
        "minded_action": "IEB"})
    record("withdraw-warning-notice", {"notice_id": status()["warning_notices"][-1]["notice_id"],
                                       "reason": "Issued in error"})
    record("issue-warning-notice", {  # a notice under the old rules, challenged before Ofsted
        "effective": day(date(2015, 3, 2)), "section": "s60", "issuer": "local authority",
        "grounds": ["a"], "matters": "Standards", "required_actions": "Act",
        "minded_action": "IEB", "copies_to": "Headteacher\nOfsted"})
    (old,) = [n["notice_id"] for n in status()["warning_notices"]
              if n["issued_on"] == date(2015, 3, 2)]
    record("record-representations", {"notice_id": old, "effective": day(date(2015, 3, 5)),
                                       "summary": "The data are a year out of date"})
    record("record-ofsted-decision", {"notice_id": old, "effective": day(date(2015, 3, 20)),
                                      "confirmed": "yes"})
    record("change-school-details", {"name": "Snipe Hill Primary School", "phase": "Primary",
                                     "establishment_type": "Community school",
                                     "la_code": "999", "pupils": "215"})
    visit = next(e for e in case_files.history(urn) if e["event"] == "VisitRecorded")
    record("amend-entry", {"version": str(visit["version"]), "field": "notes",
                           "wording": "Lessons seen in every class but one",
                           "reason": "Class 4 was on a trip"},
           f"?version={visit['version']}")
    review = next(e for e in case_files.history(urn) if e["event"] == "CategoryReviewed")
    record("retract-entry", {"version": str(review["version"]), "reason": "Not a review"},
           f"?version={review['version']}")
    record("convert-to-academy", {"new_urn": "999990", "name": "Snipe Hill Academy",
                                  "establishment_type": "Academy sponsor led"})

    # Check every command was recorded through its form, and the academy has its file
    assert sorted(set(done)) == sorted(c.slug for c in COMMANDS)
    assert case_files.school(999990)["predecessor_urn"] == urn
    assert status()["pupils"] == 215 and status()["caseworker"]["name"] == "Casey Worker"
