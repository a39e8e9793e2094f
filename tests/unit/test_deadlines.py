"""When things fall due on a case file (domain/deadlines.py), and recording each firing once.

Working days are statutory working days (domain/calendar.py, Convention.STATUTORY): not a
Saturday, Sunday, Christmas Day, Good Friday or bank holiday in England and Wales. Every date
below was counted by hand on a printed calendar; the walk is in each docstring.
"""

from datetime import date, timedelta

from domain.case_file import SchoolCaseFile
from domain.deadlines import PASSED, Deadline, DeadlinePolicy, Firing, pending_deadlines
from domain.deadlines import pending_firings as _pending_firings
from tests.unit.builders import (
    PETERBOROUGH,
    URN,
    WORKING_DAYS,
    a_maintained_school,
    an_academy,
    eligible_by_warning_notice,
    event_names,
    issue_notice,
    refused,
    when,
)

DEFAULT = DeadlinePolicy()
REMINDERS = "scc reminders"


def deadlines(school: SchoolCaseFile, policy: DeadlinePolicy = DEFAULT) -> dict[str, Deadline]:
    return {d.key: d for d in pending_deadlines(school.state, policy, WORKING_DAYS, PETERBOROUGH)}


def open_deadlines(school: SchoolCaseFile) -> list[Deadline]:
    return list(deadlines(school).values())


def firings(school: SchoolCaseFile, today: date, key: str) -> list[tuple[date, int]]:
    """(day, working days before) of the firings still to record for one deadline."""
    found = _pending_firings(URN, school.state, open_deadlines(school), today)
    return [(f.on, f.working_days_before) for f in found if f.key == key]


def fire(school: SchoolCaseFile, today: date, key: str, due: date, days: int = PASSED) -> None:
    """Records, on ``today``, the firing a scheduler holds for that due date."""
    on = due + timedelta(days=1) if days == PASSED else WORKING_DAYS.working_days_before(due, days)
    school.record_firing(when=when(today, by=REMINDERS), deadlines=open_deadlines(school),
                         firing=Firing(on, URN, key, due, days))


def in_special_measures_from_8_december_2025(school: SchoolCaseFile) -> str:
    """Inspected 4 November 2025 (before report cards), published Monday 8 December 2025."""
    return school.record_inspection(when=when(date(2025, 12, 8)), inspected_on=date(2025, 11, 4),
                                    overall=None, category="special measures")


def in_category(school: SchoolCaseFile, on: date, code: str) -> None:
    school.change_category(when=when(on), scheme=PETERBOROUGH, to=code, reason="Termly review")


# Compliance with a warning notice, and the reminders ------------------------------------------

def test_compliance_deadline_is_the_notice_compliance_date_with_reminders_5_and_1_days_before():
    """s60(4)(c) and SI 2016/466: the notice sets the compliance period; local policy
    ``reminder_working_days`` (default 5 and 1).

    Given Mon 2 Feb 2026 for 20 working days: 3-6 Feb (1-4), 9-13 (5-9), 16-20 (10-14),
    23-27 (15-19), Mon 2 Mar (20). Back from 2 Mar: Fri 27 Feb (1), 26, 25, 24, Mon 23 Feb (5).
    """
    school = a_maintained_school()
    issue_notice(school, date(2026, 2, 2), compliance_period=20)

    compliance = deadlines(school)["compliance:WN1"]

    assert compliance.kind == "compliance"
    assert compliance.due == date(2026, 3, 2)
    assert compliance.reminders == ((date(2026, 2, 23), 5), (date(2026, 2, 27), 1))


def test_compliance_period_and_reminders_skip_christmas_day_and_boxing_day():
    """Banking and Financial Dealings Act 1971 and common law: 25 and 26 December 2025 (Thu,
    Fri) are not working days.

    Given Mon 15 Dec 2025 for 10 working days: 16-19 Dec (1-4), 22-24 (5-7), 29-31 (8-10): Wed
    31 Dec. Back: Tue 30 (1), Mon 29 (2), Wed 24 (3), Tue 23 (4), Mon 22 Dec (5).
    """
    school = a_maintained_school()
    issue_notice(school, date(2025, 12, 15), compliance_period=10)

    compliance = deadlines(school)["compliance:WN1"]

    assert compliance.due == date(2025, 12, 31)
    assert compliance.reminders == ((date(2025, 12, 22), 5), (date(2025, 12, 30), 1))


def test_reminders_count_back_over_new_years_day_and_the_year_end():
    """New Year's Day is a bank holiday (Thu 1 Jan 2026).

    Given Mon 22 Dec 2025 for 8 working days: 23, 24 Dec (1, 2), 29-31 Dec (3-5), Fri 2 Jan
    (6), Mon 5 (7), Tue 6 Jan 2026 (8). Back from 6 Jan: Mon 5 Jan (1), Fri 2 Jan (2), Wed 31
    Dec (3), Tue 30 (4), Mon 29 Dec 2025 (5).
    """
    school = a_maintained_school()
    issue_notice(school, date(2025, 12, 22), compliance_period=8)

    compliance = deadlines(school)["compliance:WN1"]

    assert compliance.due == date(2026, 1, 6)
    assert compliance.reminders == ((date(2025, 12, 29), 5), (date(2026, 1, 5), 1))


def test_compliance_period_and_reminders_skip_good_friday_and_easter_monday():
    """Good Friday (common law) and Easter Monday (bank holiday): 3 and 6 April 2026.

    Given Mon 23 Mar 2026 for 9 working days: 24-27 Mar (1-4), 30 Mar-2 Apr (5-8), Tue 7 Apr
    (9). Back from 7 Apr: Thu 2 Apr (1), Wed 1 (2), Tue 31 Mar (3), Mon 30 (4), Fri 27 Mar (5).
    """
    school = a_maintained_school()
    issue_notice(school, date(2026, 3, 23), compliance_period=9)

    compliance = deadlines(school)["compliance:WN1"]

    assert compliance.due == date(2026, 4, 7)
    assert compliance.reminders == ((date(2026, 3, 27), 5), (date(2026, 4, 2), 1))


def test_due_date_passing_fires_the_day_after_the_due_date():
    """domain/deadlines.pending_firings: the passing fires the calendar day after the due
    date, bank holiday or not (due Wed 31 Dec 2025; passes Thu 1 Jan 2026)."""
    school = a_maintained_school()
    issue_notice(school, date(2025, 12, 15), compliance_period=10)

    assert firings(school, date(2025, 12, 15), "compliance:WN1") == [
        (date(2025, 12, 22), 5), (date(2025, 12, 30), 1), (date(2026, 1, 1), PASSED),
    ]


def test_reminders_are_dropped_once_the_due_date_has_gone_by_but_the_passing_is_not():
    """domain/deadlines.pending_firings: after downtime a late reminder says less than the
    passing. On the due date itself the latest reminder still stands."""
    school = a_maintained_school()
    issue_notice(school, date(2025, 12, 15), compliance_period=10)  # due Wed 31 Dec 2025

    assert firings(school, date(2025, 12, 31), "compliance:WN1") == [
        (date(2025, 12, 30), 1), (date(2026, 1, 1), PASSED),
    ]
    assert firings(school, date(2026, 1, 5), "compliance:WN1") == [(date(2026, 1, 1), PASSED)]


def test_reminders_due_at_the_same_moment_give_one_the_latest():
    """REMINDERS: a deadline's 5- and 1-working-day reminders both due by today (after
    downtime, or a deadline set late) fire as one, the 1-day; the 5-day is not sent after it.
    Due Wed 31 Dec 2025: reminders Mon 22 Dec (5 days) and Tue 30 Dec (1 day)."""
    school = a_maintained_school()
    issue_notice(school, date(2025, 12, 15), compliance_period=10)

    # Check on the 5-day reminder's own day it alone is due, and the 1-day waits
    assert firings(school, date(2025, 12, 22), "compliance:WN1") == [
        (date(2025, 12, 22), 5), (date(2025, 12, 30), 1), (date(2026, 1, 1), PASSED),
    ]
    # Check back from downtime on 30 December only the 1-day reminder is due...
    assert firings(school, date(2025, 12, 30), "compliance:WN1") == [
        (date(2025, 12, 30), 1), (date(2026, 1, 1), PASSED),
    ]
    # ...the 5-day one is refused if a scheduler still holds it...
    with refused(school, "is no longer due"):
        fire(school, date(2025, 12, 30), "compliance:WN1", date(2025, 12, 31), days=5)
    # ...and once the 1-day reminder is recorded the log alone no longer lists the 5-day
    fire(school, date(2025, 12, 30), "compliance:WN1", date(2025, 12, 31), days=1)
    assert [(f.on, f.working_days_before) for f in _pending_firings(
        URN, school.state, open_deadlines(school)) if f.key == "compliance:WN1"] == [
        (date(2026, 1, 1), PASSED)]
    assert event_names(school).count("ReminderSent") == 1


# After the compliance period -------------------------------------------------------------------

def test_decision_on_intervention_falls_due_when_non_compliance_is_recorded():
    """s60(1)(c)-(d): after failure to comply the LA decides whether to give written notice of
    intervention; the decision is due the day after the compliance period (Mon 2 Mar 2026)
    ends, without reminders, and goes once the notice is given."""
    school = a_maintained_school()
    issue_notice(school, date(2026, 2, 2), compliance_period=20)
    assert "decide_intervention:WN1" not in deadlines(school)

    school.record_compliance(when=when(date(2026, 3, 4)), notice_id="WN1", complied=False,
                             evidence="Improvement plan not adopted")

    decide = deadlines(school)["decide_intervention:WN1"]
    assert (decide.due, decide.reminders) == (date(2026, 3, 3), ())
    assert "compliance:WN1" not in deadlines(school)

    school.give_intervention_notice(when=when(date(2026, 3, 5)), notice_id="WN1",
                                    proposed_action="Appoint an interim executive board",
                                    proposed_powers=["s65"], working_days=WORKING_DAYS)

    assert "decide_intervention:WN1" not in deadlines(school)


def test_decision_on_intervention_falls_due_when_the_period_passes_with_nothing_recorded():
    """s60(1)(b)-(c): the compliance period expired (its passing recorded on Tue 3 Mar 2026)
    and nobody recorded compliance: the LA must decide."""
    school = a_maintained_school()
    issue_notice(school, date(2026, 2, 2), compliance_period=20)  # due Mon 2 Mar 2026

    fire(school, date(2026, 3, 3), "compliance:WN1", date(2026, 3, 2))

    assert event_names(school)[-1] == "DeadlinePassed"
    assert deadlines(school)["decide_intervention:WN1"].due == date(2026, 3, 3)

    school.record_compliance(when=when(date(2026, 3, 4)), notice_id="WN1", complied=False,
                             evidence="Improvement plan not adopted")
    school.give_intervention_notice(when=when(date(2026, 3, 4)), notice_id="WN1",
                                    proposed_action="Appoint an interim executive board",
                                    proposed_powers=["s65"], working_days=WORKING_DAYS)

    assert "decide_intervention:WN1" not in deadlines(school)


def test_s63_window_closes_two_months_after_the_compliance_period_ends():
    """s63: after a warning notice the LA may require arrangements only within 2 months after
    the compliance period ends. Period ends Mon 2 Mar 2026; window to Sat 2 May 2026.
    Reminders back from Sat 2 May: Fri 1 May (1), 30, 29, 28 Apr, Mon 27 Apr (5)."""
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2026, 2, 2))  # notice of intervention 3 Mar 2026

    window = deadlines(school)["s63_window:WN1"]
    assert window.due == date(2026, 5, 2)
    assert window.reminders == ((date(2026, 4, 27), 5), (date(2026, 5, 1), 1))

    school.record_arrangements_consultation(
        when=when(date(2026, 3, 9)), consultee="governing body", response="Agrees")
    school.exercise_power(when=when(date(2026, 3, 16)), power="s63",
                          details="Collaboration with Orton Federation")

    assert "s63_window:WN1" not in deadlines(school)


def test_s63_window_goes_once_its_last_day_has_passed_or_an_ieb_replaces_the_governors():
    """s63 is an opportunity, not a duty: once the window's passing is recorded it is no
    longer open, and an interim executive board (s65) leaves no governing body to direct."""
    passed = a_maintained_school()
    eligible_by_warning_notice(passed, date(2026, 2, 2))
    fire(passed, date(2026, 5, 4), "s63_window:WN1", date(2026, 5, 2))

    assert "s63_window:WN1" not in deadlines(passed)

    boarded = a_maintained_school()
    eligible_by_warning_notice(boarded, date(2026, 2, 2))
    application = boarded.draft_ieb_application(when=when(date(2026, 3, 4)), rationale="r")
    boarded.record_ieb_consultation(when=when(date(2026, 3, 5)), application_id=application,
                                    consultee="governing body", response="Opposed")
    boarded.submit_ieb_application(when=when(date(2026, 3, 6)), application_id=application)
    boarded.record_ieb_decision(when=when(date(2026, 3, 9)), application_id=application,
                                consent=True)
    boarded.constitute_ieb(when=when(date(2026, 3, 10)), application_id=application,
                           members=["A. Khan", "B. Ortiz"], instrument_on=date(2026, 3, 10),
                           terms="Unpaid")

    assert "s63_window:WN1" not in deadlines(boarded)


def test_no_s63_window_after_a_pay_and_conditions_notice():
    """s60A opens ss64-66 only: arrangements under s63 cannot rest on it, so there is no
    window to remind anyone of."""
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2026, 2, 2), section="s60A", grounds=[])

    assert "s63_window:WN1" not in deadlines(school)


# Ofsted categories -----------------------------------------------------------------------------

def test_statement_of_action_is_due_10_working_days_after_a_category_report_is_published():
    """Education Act 2005 s15 (policy ``statement_of_action_working_days``, default 10).

    Published Mon 8 Dec 2025: 9-12 Dec (1-4), 15-19 (5-9), Mon 22 Dec (10). Back from 22 Dec:
    Fri 19 (1), 18, 17, 16, Mon 15 Dec (5).
    """
    school = a_maintained_school()
    inspection = in_special_measures_from_8_december_2025(school)

    statement = deadlines(school)[f"statement_of_action:{inspection}"]
    assert statement.due == date(2025, 12, 22)
    assert statement.reminders == ((date(2025, 12, 15), 5), (date(2025, 12, 19), 1))

    school.record_statement_of_action(when=when(date(2025, 12, 18)), inspection_id=inspection,
                                      summary="Statement of action sent to Ofsted")

    assert f"statement_of_action:{inspection}" not in deadlines(school)


def test_no_statement_of_action_is_due_from_the_la_for_an_academy():
    """Education Act 2005 s15 and EIA 2006 s59: the LA's statement is for maintained schools."""
    academy = an_academy()
    inspection = in_special_measures_from_8_december_2025(academy)

    assert f"statement_of_action:{inspection}" not in deadlines(academy)


# Monitoring group ------------------------------------------------------------------------------

def a_school_with_an_msp_group() -> SchoolCaseFile:
    """An MSP group from Mon 5 Jan 2026, meeting every 6 weeks."""
    school = a_maintained_school()
    school.establish_msp_group(when=when(date(2026, 1, 5)), members=["HSI", "Chair"],
                               cadence_weeks=6)
    return school


def test_scheduled_msp_meeting_is_due_on_its_date():
    """Peterborough 2013 (MSP group): a meeting on Mon 16 Feb 2026. Back: Fri 13 Feb (1), 12,
    11, 10, Mon 9 Feb (5)."""
    school = a_school_with_an_msp_group()
    school.schedule_msp_meeting(when=when(date(2026, 1, 12)), meets_on=date(2026, 2, 16))

    meeting = deadlines(school)["msp_meeting:M1"]
    assert meeting.due == date(2026, 2, 16)
    assert meeting.reminders == ((date(2026, 2, 9), 5), (date(2026, 2, 13), 1))
    assert "msp_meeting_due:next" not in deadlines(school)


def test_next_msp_meeting_is_due_a_cadence_after_the_last_when_none_is_scheduled():
    """Peterborough 2013 (MSP cadence, set on the group): 6 weeks after establishment, Mon 5
    Jan 2026 + 42 days = Mon 16 Feb; after a meeting on Wed 18 Feb, + 42 days = Wed 1 Apr."""
    school = a_school_with_an_msp_group()

    assert deadlines(school)["msp_meeting_due:next"].due == date(2026, 2, 16)

    school.hold_msp_meeting(when=when(date(2026, 2, 18)), attendees=["HSI"], minutes="Plan")

    assert deadlines(school)["msp_meeting_due:next"].due == date(2026, 4, 1)


def test_msp_action_stays_due_while_overdue_until_it_is_completed():
    """Peterborough 2013: the group's actions are followed up. Due Fri 6 Mar 2026 (back:
    Thu 5 Mar (1), 4, 3, 2 Mar, Fri 27 Feb (5)); passes Sat 7 Mar."""
    school = a_school_with_an_msp_group()
    school.hold_msp_meeting(
        when=when(date(2026, 2, 16)), attendees=["HSI"], minutes="Plan reviewed",
        actions=[{"description": "Phonics audit", "owner": "Head", "due": date(2026, 3, 6)}],
    )
    action = deadlines(school)["msp_action:A1"]
    assert action.reminders == ((date(2026, 2, 27), 5), (date(2026, 3, 5), 1))

    assert deadlines(school)["msp_action:A1"].due == date(2026, 3, 6)
    assert firings(school, date(2026, 3, 9), "msp_action:A1") == [(date(2026, 3, 7), PASSED)]

    school.complete_msp_action(when=when(date(2026, 3, 10)), action_id="A1")

    assert "msp_action:A1" not in deadlines(school)


# Interim executive board -----------------------------------------------------------------------

def a_school_awaiting_ieb_consent() -> SchoolCaseFile:
    """Eligible by warning notice (3 Mar 2026); IEB application submitted Mon 9 Mar 2026."""
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2026, 2, 2))
    application = school.draft_ieb_application(when=when(date(2026, 3, 4)), rationale="Weak")
    school.record_ieb_consultation(when=when(date(2026, 3, 5)), application_id=application,
                                   consultee="governing body", response="Opposed")
    school.submit_ieb_application(when=when(date(2026, 3, 9)), application_id=application)
    return school


def test_secretary_of_state_is_chased_6_weeks_after_an_ieb_application_waits():
    """Local policy ``ieb_chase_weeks`` (default 6) on s65 consent: Mon 9 Mar 2026 + 42 days =
    Mon 20 Apr. Back: Fri 17 Apr (1), 16, 15, 14, Mon 13 Apr (5). Goes with the decision."""
    school = a_school_awaiting_ieb_consent()

    chase = deadlines(school)["ieb_chase:IEB1"]
    assert chase.due == date(2026, 4, 20)
    assert chase.reminders == ((date(2026, 4, 13), 5), (date(2026, 4, 17), 1))

    school.record_ieb_decision(when=when(date(2026, 4, 14)), application_id="IEB1", consent=True)

    assert "ieb_chase:IEB1" not in deadlines(school)


def test_ieb_term_end_is_due_when_the_notice_sets_one():
    """s65 and Sch 6: the notice constituting the board may set its term. Ends Mon 31 Aug 2026
    (late summer bank holiday); back: Fri 28 Aug (1), 27, 26, 25, Mon 24 Aug (5)."""
    school = a_school_awaiting_ieb_consent()
    school.record_ieb_decision(when=when(date(2026, 4, 14)), application_id="IEB1", consent=True)
    school.constitute_ieb(when=when(date(2026, 4, 20)), application_id="IEB1",
                          members=["A Chair", "B Member"], term_ends_on=date(2026, 8, 31),
                          instrument_on=date(2026, 4, 20), terms="Unpaid")

    term = deadlines(school)["ieb_term_ends:IEB1"]
    assert term.due == date(2026, 8, 31)
    assert term.reminders == ((date(2026, 8, 24), 5), (date(2026, 8, 28), 1))

    school.end_ieb(when=when(date(2026, 7, 20)), reason="Governing body reconstituted")

    assert "ieb_term_ends:IEB1" not in deadlines(school)


# LA category: visits and reviews ---------------------------------------------------------------

def test_school_in_a_causing_concern_category_is_visited_termly():
    """Torbay 2011 (``visit_weeks_in_category``, default 13): from the later of the last visit
    and entering the category. Category 4 from Mon 5 Jan 2026 (a visit on 1 Dec 2025 was
    before): + 91 days = Mon 6 Apr (Easter Monday); back: Thu 2 Apr (1), 1, 31, 30 Mar, Fri
    27 Mar (5). After a visit on Wed 4 Feb: + 91 days = Wed 6 May 2026."""
    school = a_maintained_school()
    school.record_visit(when=when(date(2025, 12, 1)), kind="school improvement", notes="Spring")
    in_category(school, date(2026, 1, 5), "4")

    visit = deadlines(school)["visit:next"]
    assert visit.due == date(2026, 4, 6)
    assert visit.reminders == ((date(2026, 3, 27), 5), (date(2026, 4, 2), 1))

    school.record_visit(when=when(date(2026, 2, 4)), kind="monitoring", notes="Reading")

    assert deadlines(school)["visit:next"].due == date(2026, 5, 6)


def test_school_not_causing_concern_is_visited_annually():
    """Torbay 2011 (``visit_weeks_otherwise``, default 52): Peterborough 3a only *may* cause
    concern. From Mon 7 Sep 2026, + 364 days = Mon 6 Sep 2027; back: Fri 3 Sep (1), 2, 1 Sep,
    Tue 31 Aug (4), Mon 30 Aug a bank holiday, Fri 27 Aug 2027 (5)."""
    school = a_maintained_school()
    in_category(school, date(2026, 9, 7), "3a")

    visit = deadlines(school)["visit:next"]
    assert visit.due == date(2027, 9, 6)
    assert visit.reminders == ((date(2027, 8, 27), 5), (date(2027, 9, 3), 1))


def test_category_review_is_due_at_the_next_september_january_or_april():
    """Peterborough 2013 (``review_months`` 9, 1, 4): after a change on Wed 15 Oct 2025, Thu 1
    Jan 2026 (back: Wed 31 Dec (1), 30, 29, 24, Tue 23 Dec 2025 (5)); after a review on that
    April's first day, 1 Sep 2026; after a change on 22 Sep 2026, 1 Jan 2027."""
    school = a_maintained_school()
    in_category(school, date(2025, 10, 15), "3b")

    review = deadlines(school)["category_review:next"]
    assert review.due == date(2026, 1, 1)
    assert review.reminders == ((date(2025, 12, 23), 5), (date(2025, 12, 31), 1))

    school.review_category(when=when(date(2026, 4, 1)), reason="Still 3b")
    assert deadlines(school)["category_review:next"].due == date(2026, 9, 1)

    in_category(school, date(2026, 9, 22), "4")
    assert deadlines(school)["category_review:next"].due == date(2027, 1, 1)


# The LA's policy, and its overrides of single deadlines ------------------------------------------

def test_las_policy_changes_the_reminders_and_the_statement_of_action_period():
    """DeadlinePolicy: the LA may override any default. Statement of action in 15 working days
    from Mon 8 Dec 2025: 22 Dec (10), 23, 24, 29, 30, Wed 31 Dec 2025 (15). Reminders 10, 3, 1
    back: Tue 30 (1), Mon 29 (2), Wed 24 (3), 23, 22, 19, 18, 17, 16, Mon 15 Dec (10)."""
    school = a_maintained_school()
    inspection = in_special_measures_from_8_december_2025(school)
    policy = DeadlinePolicy(reminder_working_days=(10, 3, 1), statement_of_action_working_days=15)

    statement = deadlines(school, policy)[f"statement_of_action:{inspection}"]

    assert statement.due == date(2025, 12, 31)
    assert statement.reminders == (
        (date(2025, 12, 15), 10), (date(2025, 12, 24), 3), (date(2025, 12, 30), 1),
    )


def test_extension_moves_the_due_date_and_its_reminders():
    """Local override (DeadlineExtended, with its reason): due Mon 22 Dec 2025, extended to Fri
    9 Jan 2026. Back: Thu 8 Jan (1), 7, 6, 5, Fri 2 Jan 2026 (5)."""
    school = a_maintained_school()
    inspection = in_special_measures_from_8_december_2025(school)
    key = f"statement_of_action:{inspection}"

    school.extend_deadline(when=when(date(2025, 12, 10)), deadlines=open_deadlines(school),
                           key=key, to=date(2026, 1, 9), reason="Ofsted agreed a later date")

    extended = deadlines(school)[key]
    assert extended.due == date(2026, 1, 9)
    assert extended.reminders == ((date(2026, 1, 2), 5), (date(2026, 1, 8), 1))
    assert event_names(school)[-1] == "DeadlineExtended"
    assert school.pending_events[-1].reason == "Ofsted agreed a later date"


def test_extension_moves_a_deadline_later_and_gives_a_reason():
    """An extension that does not extend, or has no reason, is refused; so is one for a
    deadline the case file does not have."""
    school = a_maintained_school()
    inspection = in_special_measures_from_8_december_2025(school)
    key = f"statement_of_action:{inspection}"
    open_now = open_deadlines(school)

    with refused(school, "An extension moves the deadline later than 22 December 2025"):
        school.extend_deadline(when=when(date(2025, 12, 10)), deadlines=open_now, key=key,
                               to=date(2025, 12, 19), reason="Typo")
    with refused(school, "An extension moves the deadline later than 22 December 2025"):
        school.extend_deadline(when=when(date(2025, 12, 10)), deadlines=open_now, key=key,
                               to=date(2025, 12, 22), reason="Same day")
    with refused(school, "Enter the reason"):
        school.extend_deadline(when=when(date(2025, 12, 10)), deadlines=open_now, key=key,
                               to=date(2026, 1, 9), reason=" ")
    with refused(school, "There is no open deadline 'msp_meeting_due:next' on this case file"):
        school.extend_deadline(when=when(date(2025, 12, 10)), deadlines=open_now,
                               key="msp_meeting_due:next", to=date(2026, 1, 9),
                               reason="No monitoring group")


def test_extension_of_a_recurring_deadline_lasts_until_the_next_one_starts():
    """An extension is of one due date: the visit due Mon 6 Apr 2026, extended to Fri 24 Apr;
    after the visit on Wed 22 Apr the next is due 13 weeks on, Wed 22 Jul 2026."""
    school = a_maintained_school()
    in_category(school, date(2026, 1, 5), "4")
    school.extend_deadline(when=when(date(2026, 3, 2)), deadlines=open_deadlines(school),
                           key="visit:next", to=date(2026, 4, 24), reason="Head on leave")
    assert deadlines(school)["visit:next"].due == date(2026, 4, 24)

    school.record_visit(when=when(date(2026, 4, 22)), kind="monitoring", notes="Behaviour")

    assert deadlines(school)["visit:next"].due == date(2026, 7, 22)


def test_suspension_stops_firings_until_the_deadline_is_resumed():
    """Local override (DeadlineSuspended / DeadlineResumed, each with its reason): nothing
    fires while suspended; suspending twice, or resuming what is not suspended, is refused."""
    school = a_maintained_school()
    inspection = in_special_measures_from_8_december_2025(school)  # due Mon 22 Dec 2025
    key = f"statement_of_action:{inspection}"

    with refused(school, f"Deadline {key} is not suspended"):
        school.resume_deadline(when=when(date(2025, 12, 9)), deadlines=open_deadlines(school), key=key,
                               reason="Nothing to resume")
    with refused(school, "Enter the reason"):
        school.suspend_deadline(when=when(date(2025, 12, 9)), deadlines=open_deadlines(school), key=key,
                                reason="")
    school.suspend_deadline(when=when(date(2025, 12, 9)), deadlines=open_deadlines(school), key=key,
                            reason="Complaint about the report is with Ofsted")

    assert deadlines(school)[key].suspended
    assert firings(school, date(2025, 12, 9), key) == []
    with refused(school, "is no longer due"):
        fire(school, date(2025, 12, 15), key, date(2025, 12, 22), days=5)
    with refused(school, f"Deadline {key} is already suspended"):
        school.suspend_deadline(when=when(date(2025, 12, 10)), deadlines=open_deadlines(school), key=key,
                                reason="Again")

    school.resume_deadline(when=when(date(2025, 12, 12)), deadlines=open_deadlines(school), key=key,
                           reason="Ofsted upheld the report")

    assert not deadlines(school)[key].suspended
    assert firings(school, date(2025, 12, 12), key) == [
        (date(2025, 12, 15), 5), (date(2025, 12, 19), 1), (date(2025, 12, 23), PASSED),
    ]
    assert event_names(school)[-2:] == ["DeadlineSuspended", "DeadlineResumed"]
    assert school.pending_events[-2].reason == "Complaint about the report is with Ofsted"


def test_unknown_deadline_cannot_be_suspended_or_resumed():
    school = a_maintained_school()

    with refused(school, "There is no open deadline 'compliance:WN9' on this case file"):
        school.suspend_deadline(when=when(date(2025, 12, 9)), deadlines=[],
                                key="compliance:WN9", reason="Typo")
    with refused(school, "There is no open deadline 'compliance:WN9' on this case file"):
        school.resume_deadline(when=when(date(2025, 12, 9)), deadlines=[],
                               key="compliance:WN9", reason="Typo")


# Recording firings -----------------------------------------------------------------------------

def test_a_firing_is_recorded_once():
    """A second worker, or a restart, finds the reminder or passing already recorded."""
    school = a_maintained_school()
    inspection = in_special_measures_from_8_december_2025(school)  # due Mon 22 Dec 2025
    key = f"statement_of_action:{inspection}"

    fire(school, date(2025, 12, 15), key, date(2025, 12, 22), days=5)
    with refused(school, "already fired"):
        fire(school, date(2025, 12, 15), key, date(2025, 12, 22), days=5)
    fire(school, date(2025, 12, 23), key, date(2025, 12, 22))
    with refused(school, "already fired"):
        fire(school, date(2025, 12, 23), key, date(2025, 12, 22))

    assert event_names(school)[-2:] == ["ReminderSent", "DeadlinePassed"]
    assert firings(school, date(2025, 12, 23), key) == []


def test_a_firing_no_longer_due_is_refused():
    """FiringNotDue: the deadline moved, was met, or its reminder came after the due date
    (pending_firings drops such reminders; a scheduler back from downtime may still hold one)."""
    school = a_maintained_school()
    inspection = in_special_measures_from_8_december_2025(school)  # due Mon 22 Dec 2025
    key = f"statement_of_action:{inspection}"

    with refused(school, "is no longer due"):
        fire(school, date(2025, 12, 29), key, date(2025, 12, 22), days=1)

    school.extend_deadline(when=when(date(2025, 12, 29)), deadlines=open_deadlines(school),
                           key=key, to=date(2026, 1, 9), reason="Ofsted agreed a later date")
    with refused(school, "is no longer due"):
        fire(school, date(2025, 12, 29), key, date(2025, 12, 22))

    school.record_statement_of_action(when=when(date(2026, 1, 5)), inspection_id=inspection,
                                      summary="Sent")
    with refused(school, "is no longer due"):
        fire(school, date(2026, 1, 8), key, date(2026, 1, 9), days=1)


def test_closed_school_has_no_deadlines():
    """A closed school's case file is history: nothing falls due on it."""
    school = a_maintained_school()
    issue_notice(school, date(2026, 2, 2))
    in_category(school, date(2026, 2, 2), "4")
    assert deadlines(school)

    school.change_details(when=when(date(2026, 2, 27)), changes={"closed_on": date(2026, 2, 27)})

    assert deadlines(school) == {}


def test_s64_window_closes_two_months_after_the_compliance_period_ends():
    """s64(2): after a warning notice (s60 or s60A) additional governors may be appointed only
    within 2 months after the compliance period ends (Mon 2 Mar 2026): to Sat 2 May 2026. The
    deadline goes once s64 is used, once its passing is recorded, or under an IEB."""
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2026, 2, 2))  # notice of intervention 3 Mar 2026

    assert deadlines(school)["s64_window:WN1"].due == date(2026, 5, 2)
    school.exercise_power(when=when(date(2026, 3, 16)), power="s64", details="Two governors")
    assert "s64_window:WN1" not in deadlines(school)
    assert "s63_window:WN1" in deadlines(school)

    pay = a_maintained_school()
    eligible_by_warning_notice(pay, date(2026, 2, 2), section="s60A", grounds=[])
    assert deadlines(pay)["s64_window:WN1"].due == date(2026, 5, 2)
    assert "s63_window:WN1" not in deadlines(pay)
    fire(pay, date(2026, 5, 4), "s64_window:WN1", date(2026, 5, 2))
    assert "s64_window:WN1" not in deadlines(pay)


def test_s64_window_from_the_31st_of_december_ends_on_28_february():
    school = a_maintained_school()
    notice_id = issue_notice(school, date(2024, 12, 17), compliance_period=None,
                             compliance_date=date(2024, 12, 31))
    school.record_compliance(when=when(date(2025, 1, 2)), notice_id=notice_id, complied=False,
                             evidence="No plan")
    school.give_intervention_notice(when=when(date(2025, 1, 2)), notice_id=notice_id,
                                    proposed_powers=["s64"], working_days=WORKING_DAYS)

    assert deadlines(school)["s64_window:WN1"].due == date(2025, 2, 28)


def test_no_decision_on_intervention_falls_due_while_ofsted_decides_on_representations():
    school = a_maintained_school(registered_on=date(2014, 9, 1))
    issue_notice(school, date(2015, 3, 2), compliance_period=None)
    school.record_representations(when=when(date(2015, 3, 5)), notice_id="WN1",
                                  summary="The governors dispute the data")
    fire(school, date(2015, 3, 24), "compliance:WN1", date(2015, 3, 23))

    assert "decide_intervention:WN1" not in deadlines(school)

    school.record_ofsted_decision(when=when(date(2015, 3, 27)), notice_id="WN1",
                                  confirmed=True)
    assert "decide_intervention:WN1" in deadlines(school)
