"""Tasks the LA's staff set each other, who owns each deadline, and My work's ranking."""

from datetime import date, timedelta

from application.my_work import rank
from domain.areas.tasks import TASK_DONE_ONCE, TASK_OWNER
from domain.deadlines import DeadlinePolicy, pending_deadlines
from tests.unit.builders import (
    PETERBOROUGH,
    WORKING_DAYS,
    a_maintained_school,
    refused,
    refused_by,
    when,
)

SET_ON = date(2026, 11, 2)
PRIYA = ("Priya Shah", "priya.shah@la.example")


def owned(school) -> dict[str, str | None]:
    return {d.key: d.owner for d in pending_deadlines(school.state, DeadlinePolicy(),
                                                      WORKING_DAYS, PETERBOROUGH)}


def a_school_with_a_task():
    school = a_maintained_school()
    school.set_task(when=when(SET_ON), what="Read the governors' minutes",
                    owner_name=PRIYA[0], owner_email=PRIYA[1], due=date(2026, 11, 20))
    return school


def test_a_task_is_its_owners_deadline_until_it_is_done():
    school = a_school_with_a_task()
    school.assign_caseworker(when=when(SET_ON), name="Casey Worker",
                             email="casey@la.example")

    # Check the task is Priya's, whoever the school's caseworker is
    [task] = [d for d in pending_deadlines(school.state, DeadlinePolicy(), WORKING_DAYS,
                                           PETERBOROUGH) if d.kind == "task"]
    assert (task.key, task.due, task.owner) == ("task:T1", date(2026, 11, 20), PRIYA[1])
    assert task.what == "Task for Priya Shah: Read the governors' minutes"

    school.reassign_task(when=when(SET_ON + timedelta(days=1)), task_id="T1",
                         owner_name="Casey Worker", owner_email="casey@la.example")
    assert owned(school)["task:T1"] == "casey@la.example"

    school.complete_task(when=when(SET_ON + timedelta(days=2)), task_id="T1", note="Read")
    assert "task:T1" not in owned(school)


def test_a_task_needs_an_owner_and_a_due_date_not_before_it_is_set():
    school = a_maintained_school()

    with refused_by(school, TASK_OWNER, "Choose who owns the task"):
        school.set_task(when=when(SET_ON), what="Ring the head", owner_name=" ",
                        owner_email="priya.shah@la.example", due=date(2026, 11, 20))
    with refused_by(school, TASK_OWNER, "is not an email address"):
        school.set_task(when=when(SET_ON), what="Ring the head", owner_name="Priya Shah",
                        owner_email="Priya", due=date(2026, 11, 20))
    with refused_by(school, TASK_OWNER, "Enter the date the task is due"):
        school.set_task(when=when(SET_ON), what="Ring the head", owner_name="Priya Shah",
                        owner_email="priya.shah@la.example", due=None)
    with refused_by(school, TASK_OWNER, "Enter a due date on or after 2 November 2026"):
        school.set_task(when=when(SET_ON), what="Ring the head", owner_name="Priya Shah",
                        owner_email="priya.shah@la.example", due=date(2026, 11, 1))
    with refused(school, "Enter the task"):
        school.set_task(when=when(SET_ON), what="", owner_name="Priya Shah",
                        owner_email="priya.shah@la.example", due=date(2026, 11, 20))


def test_a_task_is_done_once():
    school = a_school_with_a_task()
    school.complete_task(when=when(SET_ON), task_id="T1")

    with refused_by(school, TASK_DONE_ONCE, "Task T1 was done on 2 November 2026"):
        school.complete_task(when=when(SET_ON), task_id="T1")
    with refused_by(school, TASK_DONE_ONCE, "Task T1 was done"):
        school.reassign_task(when=when(SET_ON), task_id="T1", owner_name="Casey Worker",
                             owner_email="casey@la.example")
    with refused(school, "There is no task T9"):
        school.complete_task(when=when(SET_ON), task_id="T9")


def test_deadlines_are_the_caseworkers_unless_an_msp_action_names_an_la_owner():
    school = a_maintained_school()
    school.establish_msp_group(when=when(SET_ON), members=["HSI"], cadence_weeks=6)
    school.hold_msp_meeting(when=when(SET_ON), attendees=["HSI"], minutes="Met", actions=[
        {"description": "Send the plan", "owner": "Priya Shah", "owner_email": PRIYA[1],
         "due": date(2026, 12, 1)},
        {"description": "Publish the plan", "owner": "Headteacher", "due": date(2026, 12, 2)}])
    assert set(owned(school).values()) == {PRIYA[1], None}  # no caseworker yet

    school.assign_caseworker(when=when(SET_ON), name="Casey Worker",
                             email="casey@la.example")
    owners = owned(school)
    assert owners["msp_action:A1"] == PRIYA[1]
    assert owners["msp_action:A2"] == "casey@la.example"  # the school's person: Casey chases
    assert owners["msp_meeting_due:next"] == "casey@la.example"
    # Check an action recorded as it always was (no owner_email) reads as before
    assert school.state.msp_actions["A2"].owner_email is None
    assert "owner_email" not in school.entries[-2].actions[1]


def test_an_msp_action_owner_email_must_be_an_address():
    school = a_maintained_school()
    school.establish_msp_group(when=when(SET_ON), members=["HSI"], cadence_weeks=6)
    with refused(school, "Action 1: 'Priya' is not an email address"):
        school.hold_msp_meeting(when=when(SET_ON), attendees=["HSI"], minutes="Met", actions=[
            {"description": "Send the plan", "owner": "Priya Shah", "owner_email": "Priya",
             "due": date(2026, 12, 1)}])


def row(key: str, due: date, kind: str = "visit", suspended: bool = False, urn: int = 1):
    return {"urn": urn, "name": "Fengate Primary School", "key": key, "kind": kind, "due": due,
            "what": key, "owner": "casey@la.example", "suspended": suspended}


def test_my_work_ranks_the_most_overdue_first_then_today_then_the_week():
    today = date(2026, 11, 23)
    work = rank([
        row("visit:next", today - timedelta(days=2)),
        row("msp_action:A8", today - timedelta(days=40)),
        row("task:T2", today + timedelta(days=7)),
        row("task:T3", today + timedelta(days=8)),  # beyond the week: not listed
        row("task:T1", today),
        row("compliance:WN1", today - timedelta(days=90), suspended=True),  # waits for no one
        row("decide_intervention:WN2", today + timedelta(days=30), kind="decide_intervention"),
        row("sign_off:D1", today, kind="sign_off"),  # the approvers', not the drafter's
    ], today, awaiting_approval=[row("sign_off:D2", today - timedelta(days=1), kind="sign_off")])

    assert [(i.key, i.days_late) for i in work.overdue] == [("msp_action:A8", 40),
                                                            ("visit:next", 2)]
    assert [i.key for i in work.due_today] == ["task:T1"]
    assert [i.key for i in work.this_week] == ["task:T2"]
    assert [i.key for i in work.decisions] == ["decide_intervention:WN2"]
    assert [(i.key, i.days_late) for i in work.approvals] == [("sign_off:D2", 1)]
