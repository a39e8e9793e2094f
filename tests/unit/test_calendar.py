"""Working days in England and Wales: bank, common law and school holidays."""

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.calendars import england_and_wales_calendar
from domain.calendar import Convention, WorkingDayCalendar

# Every expected date was checked by hand against printed month calendars.
CALENDAR = england_and_wales_calendar()
SCHOOL = Convention.SCHOOL_INSPECTION


def test_period_from_a_date_starts_the_next_day():
    monday, tuesday = date(2024, 6, 3), date(2024, 6, 4)
    friday, next_monday = date(2024, 6, 7), date(2024, 6, 10)

    assert CALENDAR.add_working_days(monday, 1) == tuesday
    assert CALENDAR.add_working_days(friday, 1) == next_monday


def test_old_s60_period_ends_on_the_fifteenth_working_day_following_the_notice():
    # Given Mon 2 Oct 2023: Tue-Fri, two full weeks, then Mon 23 Oct.
    assert CALENDAR.add_working_days(date(2023, 10, 2), 15) == date(2023, 10, 23)


def test_notice_given_on_a_saturday_counts_from_the_monday():
    assert CALENDAR.add_working_days(date(2023, 10, 7), 15) == date(2023, 10, 27)


def test_fifteen_working_days_skip_christmas_and_new_year():
    # From Thu 12 Dec 2024, skipping Wed 25 and Thu 26 Dec and Wed 1 Jan 2025.
    assert CALENDAR.add_working_days(date(2024, 12, 12), 15) == date(2025, 1, 7)


def test_good_friday_and_easter_monday_are_not_working_days():
    maundy_thursday, tuesday_after = date(2024, 3, 28), date(2024, 4, 2)

    assert not CALENDAR.is_working_day(date(2024, 3, 29))
    assert not CALENDAR.is_working_day(date(2024, 4, 1))
    assert CALENDAR.add_working_days(maundy_thursday, 1) == tuesday_after


def test_christmas_day_is_excluded_even_with_no_bank_holidays():
    calendar = WorkingDayCalendar(bank_holidays=set())

    assert not calendar.is_working_day(date(2024, 12, 25))
    # Check Boxing Day, a bank holiday, counts when the bank holidays leave it out.
    assert calendar.add_working_days(date(2024, 12, 24), 1) == date(2024, 12, 26)


@pytest.mark.parametrize(
    "good_friday",
    [
        date(2008, 3, 21),
        date(2011, 4, 22),
        date(2016, 3, 25),
        date(2019, 4, 19),
        date(2038, 4, 23),
    ],
)
def test_good_friday_is_excluded_even_with_no_bank_holidays(good_friday):
    calendar = WorkingDayCalendar(bank_holidays=set())

    assert not calendar.is_working_day(good_friday)
    assert calendar.is_working_day(good_friday - timedelta(days=1))


def test_good_friday_falls_where_the_holidays_library_puts_it_from_1980_to_2100():
    library = holidays.country_holidays("GB", subdiv="ENG", years=range(1980, 2101))
    good_fridays = [day for day, name in library.items() if name == "Good Friday"]
    calendar = WorkingDayCalendar(bank_holidays=set())

    assert len(good_fridays) == 121
    assert not any(calendar.is_working_day(day) for day in good_fridays)


def test_29_february_2024_is_a_working_day():
    assert CALENDAR.is_working_day(date(2024, 2, 29))


def test_period_across_29_february_in_a_leap_year():
    assert CALENDAR.add_working_days(date(2024, 2, 28), 2) == date(2024, 3, 1)
    assert CALENDAR.add_working_days(date(2023, 2, 28), 1) == date(2023, 3, 1)


def test_period_across_the_year_end_skips_new_years_day():
    assert CALENDAR.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)


def test_substitute_days_for_christmas_holidays_on_a_weekend_are_skipped():
    # 2020: Boxing Day a Saturday, substitute Mon 28 Dec.
    assert CALENDAR.add_working_days(date(2020, 12, 24), 1) == date(2020, 12, 29)
    # 2022: Christmas Day a Sunday, substitute Tue 27 Dec.
    assert CALENDAR.add_working_days(date(2022, 12, 23), 1) == date(2022, 12, 28)
    # 2023: New Year's Day a Sunday, substitute Mon 2 Jan.
    assert CALENDAR.add_working_days(date(2022, 12, 30), 1) == date(2023, 1, 3)


def test_queens_funeral_on_19_september_2022_is_not_a_working_day():
    assert CALENDAR.add_working_days(date(2022, 9, 16), 1) == date(2022, 9, 20)


def test_platinum_jubilee_on_2_and_3_june_2022_is_not_working_days():
    assert CALENDAR.add_working_days(date(2022, 6, 1), 1) == date(2022, 6, 6)


def test_30_may_2022_is_a_working_day_as_the_spring_bank_holiday_moved_to_june():
    assert CALENDAR.is_working_day(date(2022, 5, 30))


def test_kings_coronation_on_8_may_2023_is_not_a_working_day():
    assert CALENDAR.add_working_days(date(2023, 5, 5), 1) == date(2023, 5, 9)


def test_school_holiday_longer_than_a_week_is_excluded_only_under_school_inspection():
    christmas_holiday = (date(2024, 12, 23), date(2025, 1, 3))
    calendar = england_and_wales_calendar(school_holidays=[christmas_holiday])
    last_day_of_term = date(2024, 12, 20)

    assert calendar.add_working_days(last_day_of_term, 1) == date(2024, 12, 23)
    assert calendar.add_working_days(last_day_of_term, 1, SCHOOL) == date(2025, 1, 6)


def test_five_day_half_term_is_not_excluded():
    half_term = (date(2024, 10, 28), date(2024, 11, 1))
    calendar = england_and_wales_calendar(school_holidays=[half_term])

    assert calendar.is_working_day(date(2024, 10, 28), SCHOOL)
    assert calendar.add_working_days(date(2024, 10, 25), 1, SCHOOL) == date(
        2024, 10, 28
    )


def test_school_holiday_of_exactly_a_week_is_not_longer_than_a_week():
    seven_days = WorkingDayCalendar(set(), [(date(2024, 10, 26), date(2024, 11, 1))])
    eight_days = WorkingDayCalendar(set(), [(date(2024, 10, 26), date(2024, 11, 2))])

    assert seven_days.is_working_day(date(2024, 10, 28), SCHOOL)
    assert not eight_days.is_working_day(date(2024, 10, 28), SCHOOL)


def test_school_holiday_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="cannot start on 2024-11-01"):
        WorkingDayCalendar(set(), [(date(2024, 11, 1), date(2024, 10, 28))])


@pytest.mark.parametrize("days", [0, -1])
def test_period_must_be_at_least_one_working_day(days):
    with pytest.raises(ValueError, match="at least one working day"):
        CALENDAR.add_working_days(date(2024, 6, 3), days)


def test_working_days_between_counts_after_start_up_to_and_including_end():
    friday, sunday, monday = date(2024, 12, 20), date(2024, 12, 22), date(2024, 12, 23)

    assert CALENDAR.working_days_between(date(2024, 12, 12), date(2025, 1, 7)) == 15
    assert CALENDAR.working_days_between(friday, monday) == 1
    assert CALENDAR.working_days_between(friday, sunday) == 0


def test_no_working_days_left_on_or_after_the_deadline():
    deadline = date(2025, 1, 7)

    assert CALENDAR.working_days_between(deadline, deadline) == 0
    assert CALENDAR.working_days_between(deadline + timedelta(days=1), deadline) == 0


def test_working_days_between_under_school_inspection_skips_the_long_holiday():
    calendar = england_and_wales_calendar([(date(2024, 12, 23), date(2025, 1, 3))])

    assert calendar.working_days_between(date(2024, 12, 20), date(2025, 1, 6)) == 8
    assert (
        calendar.working_days_between(date(2024, 12, 20), date(2025, 1, 6), SCHOOL) == 1
    )


SUMMER_HOLIDAYS = [(date(year, 7, 22), date(year, 8, 31)) for year in range(2000, 2042)]
WITH_SUMMER_HOLIDAYS = england_and_wales_calendar(SUMMER_HOLIDAYS)


@settings(deadline=None)  # the first lookup in a year works out that year's days
@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    days=st.integers(min_value=1, max_value=40),
    convention=st.sampled_from(Convention),
)
def test_adding_n_working_days_leaves_n_working_days_between(start, days, convention):
    end = WITH_SUMMER_HOLIDAYS.add_working_days(start, days, convention)

    assert WITH_SUMMER_HOLIDAYS.working_days_between(start, end, convention) == days
    assert WITH_SUMMER_HOLIDAYS.is_working_day(end, convention)


def test_working_days_before_a_due_date_skip_easter_and_weekends():
    calendar = england_and_wales_calendar()
    # Due Wed 23 Apr 2025: 1 working day before is Tue 22; 5 before skips Easter Monday
    # (21 Apr) and Good Friday (18 Apr): Tue 22, Thu 17, Wed 16, Tue 15, Mon 14.
    assert calendar.working_days_before(date(2025, 4, 23), 1) == date(2025, 4, 22)
    assert calendar.working_days_before(date(2025, 4, 23), 5) == date(2025, 4, 14)
    # Across the new year: 2 working days before Fri 2 Jan 2026 are Wed 31 and Tue 30 Dec.
    assert calendar.working_days_before(date(2026, 1, 2), 2) == date(2025, 12, 30)


@given(start=st.dates(date(2000, 1, 1), date(2040, 12, 31)), n=st.integers(1, 40))
@settings(deadline=None)
def test_counting_back_undoes_counting_forward(start, n):
    calendar = england_and_wales_calendar()
    end = calendar.add_working_days(start, n)
    back = calendar.working_days_before(end, n)
    # Counting back lands on `start` itself, or on the last working day before it.
    assert calendar.add_working_days(back, n) == end and calendar.is_working_day(back)
    assert back == start or (back < start and calendar.working_days_between(back, start) == 0)
