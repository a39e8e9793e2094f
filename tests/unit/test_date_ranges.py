"""Every date a command accepts lies in a range that makes sense for its kind (domain.dates),
and the working-day calendar refuses, rather than overflows, at the ends of the years."""

from datetime import date

import pytest

from domain.areas.register import check_school_details
from domain.calendar import BeyondTheCalendar, WorkingDayCalendar
from domain.case_file import SchoolCaseFile
from domain.errors import CaseFileError
from tests.unit.builders import (
    a_maintained_school,
    refused,
    school_details,
    when,
)
from tests.unit.test_deadlines import (
    a_school_awaiting_ieb_consent,
    in_special_measures_from_8_december_2025,
    open_deadlines,
)
from tests.unit.test_msp import a_school_with_an_msp_group

TODAY = date(2026, 11, 23)  # the day builders.RECORDED_AT records on


def test_msp_meeting_in_year_9999_is_refused_with_the_latest_date_allowed():
    school = a_school_with_an_msp_group()

    with refused(school, "The meeting date, 31 December 9999, is more than 5 years after "
                         "19 February 2024: enter a date up to 19 February 2029"):
        school.schedule_msp_meeting(when=when(date(2024, 2, 19)), meets_on=date(9999, 12, 31))
    school.schedule_msp_meeting(when=when(date(2024, 2, 19)), meets_on=date(2029, 2, 19))


def test_moving_an_msp_meeting_to_year_9999_is_refused():
    school = a_school_with_an_msp_group()
    meeting = school.schedule_msp_meeting(when=when(date(2024, 2, 1)), meets_on=date(2024, 3, 1))

    with refused(school, "enter a date up to 19 February 2029"):
        school.move_msp_meeting(when=when(date(2024, 2, 19)), meeting_id=meeting,
                                meets_on=date(9999, 12, 25), reason="Slip")


def test_msp_action_due_in_year_9999_is_refused():
    school = a_school_with_an_msp_group()

    with refused(school, "The due date of action 1, 31 December 9999, is more than 5 years"):
        school.hold_msp_meeting(
            when=when(date(2024, 2, 19)), attendees=["HSI"], minutes="Reviewed the plan",
            actions=[{"description": "Phonics", "owner": "Head", "due": date(9999, 12, 31)}],
        )


def test_deadline_extended_to_year_9999_is_refused():
    school = a_maintained_school()
    inspection = in_special_measures_from_8_december_2025(school)

    with refused(school, "The extended deadline, 31 December 9999, is more than 5 years after "
                         "10 December 2025: enter a date up to 10 December 2030"):
        school.extend_deadline(when=when(date(2025, 12, 10)), deadlines=open_deadlines(school),
                               key=f"statement_of_action:{inspection}", to=date(9999, 12, 31),
                               reason="Slip")


def test_ieb_term_ending_in_year_9999_is_refused():
    school = a_school_awaiting_ieb_consent()
    school.record_ieb_decision(when=when(date(2026, 4, 14)), application_id="IEB1", consent=True)

    with refused(school, "The end of the IEB's term, 31 December 9999, is more than 5 years"):
        school.constitute_ieb(when=when(date(2026, 4, 20)), application_id="IEB1",
                              members=["A Chair", "B Member"], term_ends_on=date(9999, 12, 31),
                              instrument_on=date(2026, 4, 20), terms="Unpaid")


@pytest.mark.parametrize(("field", "day"), [
    ("opened_on", date(1, 1, 1)), ("closed_on", date(9999, 12, 31)),
    ("opened_on", date(1799, 12, 31)), ("closed_on", date(2031, 11, 24)),
])
def test_school_opening_or_closing_outside_1800_to_five_years_ahead_is_refused(field, day):
    with pytest.raises(CaseFileError, match="enter a date from 1 January 1800 to "
                                            "23 November 2031"):
        SchoolCaseFile.register(when=when(date(2019, 9, 2)),
                                details=school_details(**{field: day}))


def test_school_dates_at_the_ends_of_the_range_are_accepted():
    fields = check_school_details(
        school_details(opened_on=date(1800, 1, 1), closed_on=date(2031, 11, 23)),
        required=True, today=TODAY)

    assert (fields["opened_on"], fields["closed_on"]) == (date(1800, 1, 1), date(2031, 11, 23))


def test_changing_a_school_to_close_in_year_9999_is_refused():
    school = a_maintained_school()

    with refused(school, "The closing date, 31 December 9999, is not a date a school could have"):
        school.change_details(when=when(date(2024, 1, 8)),
                              changes={"closed_on": date(9999, 12, 31)})


def test_a_case_file_cannot_open_before_1800():
    with pytest.raises(CaseFileError, match="before any school's record: enter a date from "
                                            "1 January 1800"):
        SchoolCaseFile.register(when=when(date(1, 1, 1)), details=school_details(opened_on=None))


def test_a_link_made_in_year_1_is_refused():
    school = a_maintained_school()

    with refused(school, "The link date, 1 January 1, is not a date a school could have"):
        school.link_school(when=when(date(2024, 1, 8)), link_urn=110002,
                           link_name="Fengate Infants", link_type="Predecessor",
                           established_on=date(1, 1, 1))


def test_calendar_counts_working_days_in_year_9999():
    """The last year's working days are found without asking for 1 January 10000: from
    Friday 31 December back over Christmas Day (a Saturday) to Friday 24 December."""
    calendar = WorkingDayCalendar(bank_holidays=set())

    assert calendar.working_days_before(date(9999, 12, 31), 5) == date(9999, 12, 24)
    assert calendar.add_working_days(date(9999, 12, 24), 5) == date(9999, 12, 31)


@pytest.mark.parametrize(("count", "start"), [
    ("add_working_days", date(9999, 12, 30)), ("working_days_before", date(1, 1, 3)),
])
def test_calendar_refuses_to_count_past_the_first_or_last_year(count, start):
    calendar = WorkingDayCalendar(bank_holidays=set())

    with pytest.raises(BeyondTheCalendar, match="Working days cannot be counted"):
        getattr(calendar, count)(start, 5)
