"""The monitoring (MSP) group: local policy (Peterborough 2013, category 4 schools)."""

from datetime import date

from domain.areas.msp import MEETING_DATES
from tests.unit.builders import a_maintained_school, refused, when


def a_school_with_an_msp_group():
    school = a_maintained_school()
    school.establish_msp_group(
        when=when(date(2024, 1, 8)), members=["HSI", "Chair of Governors", "Headteacher"],
        cadence_weeks=6,
    )
    return school


def test_msp_meeting_needs_a_group():
    school = a_maintained_school()

    with refused(school, "has no MSP group; establish one first"):
        school.schedule_msp_meeting(when=when(date(2024, 1, 8)), meets_on=date(2024, 2, 19))
    with refused(school, "has no MSP group; establish one first"):
        school.hold_msp_meeting(
            when=when(date(2024, 2, 19)), attendees=["HSI"], minutes="Reviewed the plan"
        )


def test_msp_group_needs_a_member_and_a_cadence_of_1_to_26_weeks():
    school = a_maintained_school()

    with refused(school, "needs at least one member"):
        school.establish_msp_group(when=when(date(2024, 1, 8)), members=[" "], cadence_weeks=6)
    with refused(school, "Meet every 1 to 26 weeks"):
        school.establish_msp_group(when=when(date(2024, 1, 8)), members=["HSI"], cadence_weeks=0)


def test_school_has_one_msp_group_at_a_time():
    school = a_school_with_an_msp_group()

    with refused(school, "already has an MSP group"):
        school.establish_msp_group(when=when(date(2024, 2, 8)), members=["HSI"], cadence_weeks=4)


def test_msp_actions_need_owner_and_due_date():
    school = a_school_with_an_msp_group()

    with refused(school, "Action 1 needs a description, an owner and a due date"):
        school.hold_msp_meeting(
            when=when(date(2024, 2, 19)), attendees=["HSI"], minutes="Reviewed the plan",
            actions=[{"description": "Phonics training", "owner": "", "due": date(2024, 3, 1)}],
        )
    with refused(school, "Action 2 needs a description, an owner and a due date"):
        school.hold_msp_meeting(
            when=when(date(2024, 2, 19)), attendees=["HSI"], minutes="Reviewed the plan",
            actions=[
                {"description": "Phonics training", "owner": "Head", "due": date(2024, 3, 1)},
                {"description": "Governor audit", "owner": "Chair", "due": "next month"},
            ],
        )

    school.hold_msp_meeting(
        when=when(date(2024, 2, 19)), attendees=["HSI"], minutes="Reviewed the plan",
        actions=[{"description": "Phonics training", "owner": "Head", "due": date(2024, 3, 1)}],
    )
    action = school.state.msp_actions["A1"]
    assert (action.owner, action.due) == ("Head", date(2024, 3, 1))


def test_msp_action_is_not_due_before_the_meeting():
    school = a_school_with_an_msp_group()

    with refused(school, "Action 1 is due before the meeting"):
        school.hold_msp_meeting(
            when=when(date(2024, 2, 19)), attendees=["HSI"], minutes="Reviewed the plan",
            actions=[{"description": "Audit", "owner": "Head", "due": date(2024, 2, 1)}],
        )


def test_msp_meeting_records_who_attended():
    school = a_school_with_an_msp_group()

    with refused(school, "Record who attended the meeting"):
        school.hold_msp_meeting(when=when(date(2024, 2, 19)), attendees=[], minutes="Minutes")


def test_scheduled_meeting_is_held_once():
    school = a_school_with_an_msp_group()
    meeting = school.schedule_msp_meeting(when=when(date(2024, 1, 8)), meets_on=date(2024, 2, 19))
    school.hold_msp_meeting(
        when=when(date(2024, 2, 19)), attendees=["HSI"], minutes="Reviewed", meeting_id=meeting
    )

    with refused(school, f"MSP meeting {meeting} was held"):
        school.hold_msp_meeting(
            when=when(date(2024, 2, 20)), attendees=["HSI"], minutes="Again", meeting_id=meeting
        )


def test_msp_action_is_completed_once():
    school = a_school_with_an_msp_group()
    school.hold_msp_meeting(
        when=when(date(2024, 2, 19)), attendees=["HSI"], minutes="Reviewed the plan",
        actions=[{"description": "Audit", "owner": "Head", "due": date(2024, 3, 1)}],
    )
    school.complete_msp_action(when=when(date(2024, 2, 28)), action_id="A1", note="Done")

    with refused(school, "Action A1 was completed on 28 February 2024"):
        school.complete_msp_action(when=when(date(2024, 3, 1)), action_id="A1")


def test_msp_meeting_is_not_recorded_as_held_before_the_date_it_was_arranged_for():
    school = a_school_with_an_msp_group()
    meeting = school.schedule_msp_meeting(when=when(date(2024, 2, 1)), meets_on=date(2024, 2, 15))

    # Check a meeting arranged for 15 February cannot be held on 7 February, and the refusal
    # names its rule and the date field, saying which date to enter
    with refused(school, "enter a date on or after 15 February 2024") as refusal:
        school.hold_msp_meeting(when=when(date(2024, 2, 7)), attendees=["HSI"],
                                minutes="Reviewed the plan", meeting_id=meeting)
    assert refusal.value.rule is MEETING_DATES
    assert refusal.value.field == "effective"

    # Check it is held on its day, or later
    school.hold_msp_meeting(when=when(date(2024, 2, 15)), attendees=["HSI"],
                            minutes="Reviewed the plan", meeting_id=meeting)
    assert school.state.msp.meetings[meeting].status == "held"


def test_msp_meeting_brought_forward_is_moved_first_and_never_into_the_past():
    school = a_school_with_an_msp_group()
    meeting = school.schedule_msp_meeting(when=when(date(2024, 2, 1)), meets_on=date(2024, 2, 15))

    with refused(school, "Enter a new date on or after 5 February 2024") as refusal:
        school.move_msp_meeting(when=when(date(2024, 2, 5)), meeting_id=meeting,
                                meets_on=date(2024, 2, 2), reason="Brought forward")
    assert refusal.value.field == "meets_on"
    with refused(school, "Enter a meeting date on or after 5 February 2024") as refusal:
        school.schedule_msp_meeting(when=when(date(2024, 2, 5)), meets_on=date(2024, 2, 2))
    assert refusal.value.field == "meets_on"

    school.move_msp_meeting(when=when(date(2024, 2, 5)), meeting_id=meeting,
                            meets_on=date(2024, 2, 7), reason="Brought forward")
    school.hold_msp_meeting(when=when(date(2024, 2, 7)), attendees=["HSI"],
                            minutes="Reviewed the plan", meeting_id=meeting)


def test_msp_action_due_before_the_meeting_names_its_row():
    school = a_school_with_an_msp_group()

    with refused(school, "Action 2 is due before the meeting") as refusal:
        school.hold_msp_meeting(
            when=when(date(2024, 2, 19)), attendees=["HSI"], minutes="Reviewed the plan",
            actions=[{"description": "Audit", "owner": "Head", "due": date(2024, 3, 1)},
                     {"description": "Visit", "owner": "HSI", "due": date(2024, 2, 1)}])
    assert refusal.value.field == "actions.1.due"
