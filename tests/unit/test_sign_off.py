"""Sign-off (the LA's policy): steps drafted, returned, redrafted, withdrawn and approved."""

from datetime import UTC, date, datetime
from typing import Any

from domain.areas.core import MAINTAINED_SCHOOLS
from domain.areas.sign_off import (
    APPROVER,
    DRAFT_STAGES,
    RETURN_REASON,
    SIGN_OFF,
    needs_sign_off,
)
from domain.deadlines import DeadlinePolicy, pending_deadlines
from tests.unit.builders import (
    PETERBOROUGH,
    WORKING_DAYS,
    a_maintained_school,
    event_names,
    refused,
    refused_by,
    when,
)

POLICY = DeadlinePolicy()
CASEWORKER = "Casey Worker"
HEAD = "Helen Marsh"
OTHER_HEAD = "David Okoro"
DRAFTED_ON = date(2026, 11, 23)
NOTICE = {"grounds": ["a"], "matters": "Key stage 2 results in the bottom 5%",
          "required_actions": "Adopt the LA's plan", "minded_action": "Appoint an IEB",
          "compliance_period": 20}


def drafted(case_file: Any, by: str = CASEWORKER, on: date = DRAFTED_ON,
            **arguments: Any) -> str:
    return case_file.draft_step(when=when(on, by), step="issue_warning_notice",
                                arguments={**NOTICE, **arguments}, reason="Results again",
                                policy=POLICY, scheme=PETERBOROUGH)


def issue(case_file: Any) -> Any:
    def take_step(entry: Any, step: str, arguments: dict[str, Any]) -> Any:
        assert step == "issue_warning_notice"
        return case_file.issue_warning_notice(when=entry, working_days=WORKING_DAYS,
                                              **arguments)
    return take_step


def approve(case_file: Any, draft: str, by: str = HEAD, role: str = "head",
            on: date = DRAFTED_ON) -> Any:
    return case_file.approve_draft(when=when(on, by), draft_id=draft, role=role,
                                   take_step=issue(case_file))


def test_a_step_the_policy_names_needs_sign_off_from_the_day_the_la_adopted_it():
    adopted = POLICY.sign_off_from

    assert needs_sign_off(POLICY, "issue_warning_notice", NOTICE, adopted, PETERBOROUGH)
    assert not needs_sign_off(POLICY, "issue_warning_notice", NOTICE,
                              date.fromordinal(adopted.toordinal() - 1), PETERBOROUGH)
    assert not needs_sign_off(POLICY, "record_visit", {}, adopted, PETERBOROUGH)
    without = DeadlinePolicy(sign_off_steps=("IEB application",))
    assert not needs_sign_off(without, "issue_warning_notice", NOTICE, adopted, PETERBOROUGH)
    assert needs_sign_off(without, "submit_ieb_application", {}, adopted, PETERBOROUGH)


def test_only_a_move_into_a_category_causing_concern_needs_sign_off():
    """Peterborough 2013: 3b and 4 cause concern; 3a "may", which is not enough."""
    for to, needs in (("4", True), ("3b", True), ("3a", False), ("2", False), ("9", False)):
        assert needs_sign_off(POLICY, "change_category", {"to": to}, DRAFTED_ON,
                              PETERBOROUGH) is needs, to


def test_a_step_that_needs_sign_off_is_refused_if_recorded_directly_naming_the_rule():
    school = a_maintained_school()

    with refused_by(school, SIGN_OFF, "needs a head's approval"):
        school.require_no_sign_off(when=when(DRAFTED_ON, HEAD), step="issue_warning_notice",
                                   arguments=NOTICE, policy=POLICY, scheme=PETERBOROUGH)
    # Check a step recorded before the LA adopted sign-off went straight on the record.
    before = datetime(2026, 8, 28, 9, tzinfo=UTC)
    school.require_no_sign_off(when=when(date(2026, 8, 28), HEAD, recorded_at=before),
                               step="issue_warning_notice", arguments=NOTICE, policy=POLICY,
                               scheme=PETERBOROUGH)


def test_a_draft_awaits_a_heads_approval_as_a_deadline():
    school = a_maintained_school()

    draft = drafted(school)

    assert draft == "D1"
    assert event_names(school)[-1] == "StepDrafted"
    assert school.state.sign_off_drafts["D1"].status == "awaiting approval"
    (deadline,) = [d for d in pending_deadlines(school.state, POLICY, WORKING_DAYS, PETERBOROUGH)
                   if d.kind == "sign_off"]
    assert deadline.key == "sign_off:D1"
    assert deadline.due == date(2026, 11, 25)  # two working days after Monday 23 November
    assert deadline.what == ("Approve or return the draft warning notice for Fengate Primary "
                             "School")


def test_only_a_head_who_did_not_draft_it_approves_or_returns_a_draft():
    school = a_maintained_school()
    draft = drafted(school, by=HEAD)

    with refused_by(school, APPROVER, "Only a head can approve"):
        approve(school, draft, by=CASEWORKER, role="caseworker")
    with refused_by(school, APPROVER, "You drafted this warning notice"):
        approve(school, draft, by=HEAD)
    with refused_by(school, APPROVER, "You drafted this warning notice"):
        school.return_draft(when=when(DRAFTED_ON, HEAD), draft_id=draft, role="head",
                            reason="Tighten the matters")


def test_approval_records_the_step_with_it_effective_on_the_approvals_day():
    school = a_maintained_school()
    draft = drafted(school, on=date(2026, 11, 16))

    notice = approve(school, draft, on=date(2026, 11, 23))

    assert notice == "WN1"
    assert event_names(school)[-2:] == ["WarningNoticeIssued", "DraftApproved"]
    issued = school.state.warning_notices["WN1"]
    assert issued.issued_on == date(2026, 11, 23)
    assert school.state.sign_off_drafts[draft].status == "approved"
    assert school.state.sign_off_drafts[draft].made == "WN1"
    assert not [d for d in pending_deadlines(school.state, POLICY, WORKING_DAYS, PETERBOROUGH)
                if d.kind.startswith("sign_off")]


def test_an_approval_the_steps_rules_now_refuse_is_refused_with_that_rule_and_records_nothing():
    school = a_maintained_school()
    draft = drafted(school)
    school.change_details(when=when(DRAFTED_ON), changes={
        "governance": "academy", "establishment_type": "Academy converter"})

    with refused_by(school, MAINTAINED_SCHOOLS, "Warning notices are for maintained schools"):
        approve(school, draft)
    assert school.state.sign_off_drafts[draft].status == "awaiting approval"


def test_a_return_says_why_and_the_draft_is_then_redrafted_by_anyone_who_may_record():
    school = a_maintained_school()
    draft = drafted(school)

    with refused_by(school, RETURN_REASON, "Enter why you are returning the draft"):
        school.return_draft(when=when(DRAFTED_ON, HEAD), draft_id=draft, role="head",
                            reason="  ")
    school.return_draft(when=when(DRAFTED_ON, HEAD), draft_id=draft, role="head",
                        reason="Say which results")
    assert school.state.sign_off_drafts[draft].returned_reason == "Say which results"
    (deadline,) = [d for d in pending_deadlines(school.state, POLICY, WORKING_DAYS, PETERBOROUGH)
                   if d.kind.startswith("sign_off")]
    assert (deadline.key, deadline.what) == (
        "sign_off_redraft:D1",
        "Redraft or withdraw the returned draft warning notice for Fengate Primary School")
    with refused_by(school, DRAFT_STAGES, "only a draft awaiting approval can be approved"):
        approve(school, draft)

    school.redraft_step(when=when(DRAFTED_ON, OTHER_HEAD), draft_id=draft,
                        arguments={**NOTICE, "matters": "KS2 reading 41% in 2024, 2025, 2026"})

    assert school.state.sign_off_drafts[draft].status == "awaiting approval"
    with refused_by(school, APPROVER, "You drafted this warning notice"):
        approve(school, draft, by=OTHER_HEAD)
    approve(school, draft)
    assert school.state.warning_notices["WN1"].matters == "KS2 reading 41% in 2024, 2025, 2026"


def test_only_a_returned_draft_is_redrafted_and_a_decided_one_cannot_be_withdrawn():
    school = a_maintained_school()
    draft = drafted(school)

    with refused_by(school, DRAFT_STAGES, "only a returned draft is redrafted"):
        school.redraft_step(when=when(DRAFTED_ON), draft_id=draft, arguments=NOTICE)
    approve(school, draft)
    with refused_by(school, DRAFT_STAGES, "it cannot be withdrawn"):
        school.withdraw_draft(when=when(DRAFTED_ON), draft_id=draft, reason="Not needed")


def test_a_draft_can_be_withdrawn_with_a_reason():
    school = a_maintained_school()
    draft = drafted(school)

    with refused(school, "Enter the reason for withdrawing the draft"):
        school.withdraw_draft(when=when(DRAFTED_ON), draft_id=draft, reason="")
    school.withdraw_draft(when=when(DRAFTED_ON), draft_id=draft,
                          reason="The governors adopted the plan")

    assert school.state.sign_off_drafts[draft].status == "withdrawn"
    assert not [d for d in pending_deadlines(school.state, POLICY, WORKING_DAYS, PETERBOROUGH)
                if d.kind.startswith("sign_off")]


def test_a_step_that_needs_no_sign_off_is_not_drafted():
    school = a_maintained_school()

    with refused(school, "needs no approval: record it directly"):
        school.draft_step(when=when(DRAFTED_ON), step="change_category",
                          arguments={"to": "3a", "reason": "Autumn review"}, reason="",
                          policy=POLICY, scheme=PETERBOROUGH)


def test_a_draft_of_a_step_already_taken_names_the_day_it_took_effect():
    school = a_maintained_school()
    taken = date(2026, 10, 5)

    draft = school.draft_step(when=when(DRAFTED_ON, CASEWORKER), step="issue_warning_notice",
                              arguments=NOTICE, reason="Given at the governors' meeting",
                              policy=POLICY, scheme=PETERBOROUGH, takes_effect=taken)
    approve(school, draft)

    assert school.state.warning_notices["WN1"].issued_on == taken
    with refused(school, "is in the future: a draft names a day only for a step already taken"):
        school.draft_step(when=when(DRAFTED_ON, CASEWORKER), step="issue_warning_notice",
                          arguments=NOTICE, reason="", policy=POLICY, scheme=PETERBOROUGH,
                          takes_effect=date(2026, 11, 30))


def test_the_command_line_names_the_sign_off_rule_when_it_refuses():
    from cli.main import refusal

    school = a_maintained_school()
    try:
        school.require_no_sign_off(when=when(DRAFTED_ON, HEAD), step="issue_warning_notice",
                                   arguments=NOTICE, policy=POLICY, scheme=PETERBOROUGH)
    except Exception as error:  # noqa: BLE001 - the refusal is what is read
        words = refusal(error)
    assert "needs a head's approval" in words
    assert "Rule sign-off: A second person approves a statutory step" in words
