"""Sign-off in the web app: a warning notice drafted, returned, redrafted and approved."""

import html
import re
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from adapters.demo import COMPLIED_2014_URN, FEATURED_URN, WAITING_URN
from domain.rules import rule_of
from tests.web.conftest import csrf_token
from tests.web.test_forms import HIDDEN, entries, error_summary, flashed, send

CASE_FILE = f"/schools/{FEATURED_URN}"
NOTICE = {
    "effective": ["23", "11", "2026"], "section": "s60", "issuer": "local authority",
    "grounds": ["a"], "compliance_period": "10",
    "matters": "Standards remain unacceptably low", "required_actions": "Adopt the plan",
    "minded_action": "Appoint additional governors (s64)", "copies_to": "Ofsted",
}


def draft_notice(client, data: dict, query: str = "") -> str:
    """Sends the form, confirms its check page; the draft page's address."""
    review = send(client, f"{CASE_FILE}/issue-warning-notice{query}", data)
    assert review.status_code == 200, error_summary(review.text)
    echoed = [(name, html.unescape(value)) for name, value in HIDDEN.findall(review.text)]
    sent = client.post(f"{CASE_FILE}/issue-warning-notice",
                       data=MultiDict([*echoed, ("confirmed", "yes")]))
    assert sent.status_code == 303, error_summary(sent.text)
    return sent.headers["Location"]


def post_on(client, page_url: str, action: str, **fields: str):
    page = client.get(page_url)
    return client.post(f"{page_url}/{action}",
                       data={"csrf_token": csrf_token(page.text), **fields})


def test_a_warning_notice_is_drafted_returned_redrafted_and_approved(actions, client,
                                                                      services):
    actions.sign_in("caseworker")
    draft_url = draft_notice(client, NOTICE)
    assert draft_url.endswith(f"{CASE_FILE}/drafts/D1")
    flashed(client)

    # Check the drafter is not offered the decision, and is refused it naming the rule.
    page = client.get(draft_url).text
    assert "Awaiting approval" in page
    assert "Approve: it takes effect today" not in page
    assert "A head who did not draft it must approve or return it" in page
    refused = post_on(client, draft_url, "approve")
    assert refused.status_code == 422
    summary = error_summary(refused.text)
    assert "Only a head can approve a draft warning notice" in summary
    assert "A head approves or returns a draft, not its drafter" in summary
    assert "/rules#sign-off-approver" in refused.text

    # Check the head must say why they return it: the error is on the field.
    actions.sign_in("head")
    page = client.get(draft_url).text
    assert "Approve: it takes effect today" in page
    before = entries(services)
    no_reason = post_on(client, draft_url, "return", reason="  ")
    assert no_reason.status_code == 422
    assert 'href="#reason"' in no_reason.text
    assert 'id="reason-error"' in no_reason.text
    assert entries(services) == before
    returned = post_on(client, draft_url, "return",
                       reason="Name the results: which years and which subjects")
    assert returned.status_code == 303
    page = client.get(draft_url).text
    assert "Returned" in page
    assert "Name the results: which years and which subjects" in page
    case_file = client.get(CASE_FILE).text
    assert re.search(r'data-draft="D1".*?Returned', case_file, re.S)

    # Check anyone who may record redrafts it from the form, which shows what it said.
    actions.sign_in("caseworker")
    form = client.get(f"{CASE_FILE}/issue-warning-notice?draft=D1").text
    assert "You are redrafting draft D1" in html.unescape(form)
    assert "Standards remain unacceptably low</textarea>" in form
    draft_notice(client, {**NOTICE, "draft": "D1",
                          "matters": "KS2 reading 41% in 2024, 2025 and 2026"},
                 query="?draft=D1")
    assert services.case_files.school(FEATURED_URN)["sign_off_drafts"][0]["status"] == \
        "awaiting approval"

    # Check the head's approval records the notice, effective today, with its compliance date.
    actions.sign_in("head")
    approved = post_on(client, draft_url, "approve")
    assert approved.status_code == 303
    assert approved.headers["Location"].endswith(CASE_FILE)
    assert flashed(client)[-1] == "Draft D1 approved: WN2 is on the record"
    case_file = client.get(CASE_FILE).text
    row = case_file[case_file.index('data-notice="WN2"'):]
    assert "7 December 2026" in row[:row.index("</tr>")]  # 10 working days from 23 November
    assert re.search(r'data-draft="D1".*?Approved', case_file, re.S)
    timeline = html.unescape(case_file[case_file.index('id="timeline"'):])
    for words in ("Draft D1: warning notice drafted for approval",
                  "Draft D1 returned to be redrafted: Name the results",
                  "Draft D1 redrafted for approval", "Draft D1 approved: WN2 takes effect"):
        assert words in timeline
    notice = services.case_files.school(FEATURED_URN)["warning_notices"][-1]
    assert notice["matters"] == "KS2 reading 41% in 2024, 2025 and 2026"


def test_a_draft_can_be_withdrawn_with_a_reason(actions, client, services):
    actions.sign_in("caseworker")
    draft_url = draft_notice(client, NOTICE)

    no_reason = post_on(client, draft_url, "withdraw", withdraw_reason="")
    assert no_reason.status_code == 422
    assert 'id="withdraw_reason-error"' in no_reason.text
    withdrawn = post_on(client, draft_url, "withdraw",
                        withdraw_reason="The governors adopted the plan")

    assert withdrawn.status_code == 303
    assert "Withdrawn" in client.get(draft_url).text
    assert not [d for d in services.case_files.deadlines(FEATURED_URN)
                if d.kind.startswith("sign_off")]


def test_a_draft_waits_on_the_deadlines_for_a_heads_approval(actions, client, services):
    actions.sign_in("caseworker")
    draft_notice(client, NOTICE)

    (deadline,) = [d for d in services.case_files.deadlines(FEATURED_URN)
                   if d.kind == "sign_off"]
    assert deadline.key == "sign_off:D1"
    assert deadline.what.startswith("Approve or return the draft warning notice for ")


def test_a_step_that_needs_sign_off_is_refused_when_recorded_directly_naming_the_rule(
        services):
    with pytest.raises(Exception) as raised:
        services.case_files.issue_warning_notice(
            FEATURED_URN, by="Helen Marsh", grounds=["a"], matters="Low standards",
            required_actions="Adopt the plan", minded_action="IEB", compliance_period=20)

    assert rule_of(raised.value).key == "sign-off"
    assert "needs a head's approval" in str(raised.value)


def test_an_auditor_reads_a_draft_but_cannot_decide_it(actions, client):
    actions.sign_in("caseworker")
    draft_url = draft_notice(client, NOTICE)
    actions.sign_in("auditor")

    assert client.get(draft_url).status_code == 200
    token = csrf_token(client.get("/account").text)  # the draft's page has no form for them
    assert client.post(f"{draft_url}/approve", data={"csrf_token": token}).status_code == 403


def test_the_demo_records_drafts_and_approvals_for_steps_since_sign_off_was_adopted(services):
    """The demo's warning notice of 19 October 2026 (after 1 September 2026) was drafted by
    the school's adviser and approved by the head; its notice of 2014 went straight on."""
    history = services.case_files.history(WAITING_URN)
    events = [e["event"] for e in history]
    at = events.index("WarningNoticeIssued")
    assert events[at - 1:at + 2] == ["StepDrafted", "WarningNoticeIssued", "DraftApproved"]
    drafted, approval = history[at - 1], history[at + 1]
    assert drafted["by"].endswith("School Improvement Adviser")
    assert approval["by"] == "Helen Marsh, Head of School Improvement"
    assert history[at]["effective"] >= date(2026, 9, 1)
    old = [e["event"] for e in services.case_files.history(COMPLIED_2014_URN)]
    assert "WarningNoticeIssued" in old and "StepDrafted" not in old


def test_the_category_form_says_which_moves_are_drafted_for_approval(actions, client):
    """Peterborough 2013: 3b and 4 cause concern; a move into 3a is recorded at once."""
    actions.sign_in("caseworker")

    form = client.get(f"{CASE_FILE}/change-category").text

    assert "A move into 3b or 4 (causing concern) is drafted for a head" in html.unescape(form)
    assert "Change the category" in form
