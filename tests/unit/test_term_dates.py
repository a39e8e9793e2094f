"""Loading the LA's term-dates CSV into school holiday periods."""

from datetime import date

import pytest

from adapters.calendars import england_and_wales_calendar, load_term_holidays
from domain.calendar import Convention


def write_term_dates(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "term_dates.csv"
    path.write_text(text, encoding=encoding)
    return path


def test_holidays_are_read_as_inclusive_periods(tmp_path):
    path = write_term_dates(
        tmp_path,
        "first_day,last_day,name\n"
        "2024-10-28,2024-11-01,Autumn half-term\n"
        "2024-12-23,2025-01-03,Christmas\n",
    )

    assert load_term_holidays(path) == [
        (date(2024, 10, 28), date(2024, 11, 1)),
        (date(2024, 12, 23), date(2025, 1, 3)),
    ]


def test_file_saved_from_a_spreadsheet_with_a_byte_order_mark_is_read(tmp_path):
    path = write_term_dates(
        tmp_path,
        "first_day,last_day,name\n2024-12-23,2025-01-03,Christmas\n",
        "utf-8-sig",
    )

    assert load_term_holidays(path) == [(date(2024, 12, 23), date(2025, 1, 3))]


def test_blank_lines_are_ignored(tmp_path):
    path = write_term_dates(
        tmp_path, "first_day,last_day,name\n\n2024-12-23,2025-01-03,Christmas\n\n"
    )

    assert load_term_holidays(path) == [(date(2024, 12, 23), date(2025, 1, 3))]


def test_bad_date_is_reported_with_its_line_and_column(tmp_path):
    path = write_term_dates(
        tmp_path,
        "first_day,last_day,name\n"
        "2024-10-28,2024-11-01,Autumn half-term\n"
        "2024-12-23,03/01/2025,Christmas\n",
    )

    with pytest.raises(ValueError, match=r"line 3, column last_day: '03/01/2025'"):
        load_term_holidays(path)


def test_missing_date_is_reported_with_its_line_and_column(tmp_path):
    path = write_term_dates(tmp_path, "first_day,last_day,name\n2024-12-23\n")

    with pytest.raises(ValueError, match="line 2, column last_day: ''"):
        load_term_holidays(path)


def test_holiday_starting_after_it_ends_is_reported_with_its_line(tmp_path):
    path = write_term_dates(
        tmp_path, "first_day,last_day,name\n2025-01-03,2024-12-23,Christmas\n"
    )

    with pytest.raises(
        ValueError, match="line 2: first_day 2025-01-03 is after last_day 2024-12-23"
    ):
        load_term_holidays(path)


def test_wrong_header_is_reported(tmp_path):
    path = write_term_dates(
        tmp_path, "start,end,name\n2024-12-23,2025-01-03,Christmas\n"
    )

    with pytest.raises(ValueError, match="missing first_day, last_day"):
        load_term_holidays(path)


def test_loaded_holidays_exclude_days_under_school_inspection(tmp_path):
    path = write_term_dates(
        tmp_path, "first_day,last_day,name\n2024-12-23,2025-01-03,Christmas\n"
    )
    calendar = england_and_wales_calendar(load_term_holidays(path))

    # Check the first working day after the end of term is the first day of next term.
    assert calendar.add_working_days(
        date(2024, 12, 20), 1, Convention.SCHOOL_INSPECTION
    ) == date(2025, 1, 6)
