"""Builds the working-day calendar from the `holidays` library and LA term dates."""

import csv
from collections.abc import Iterable
from datetime import date
from os import PathLike

import holidays

from domain.calendar import WorkingDayCalendar

TERM_DATES_COLUMNS = ("first_day", "last_day", "name")


def england_and_wales_calendar(
    school_holidays: Iterable[tuple[date, date]] = (),
) -> WorkingDayCalendar:
    """The calendar with the bank holidays in England and Wales (Banking and Financial
    Dealings Act 1971 and proclamations, as the `holidays` library keeps them)."""
    # England's bank holidays are Wales's too; the library adds a year on first lookup.
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG")
    return WorkingDayCalendar(bank_holidays, school_holidays)


def load_term_holidays(path: str | PathLike[str]) -> list[tuple[date, date]]:
    """School holidays, (first_day, last_day) inclusive, from the LA's term-dates CSV
    (local policy: header first_day,last_day,name; ISO dates)."""
    # utf-8-sig: the LA edits the file in spreadsheets, which may add a byte-order mark.
    with open(path, newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        header = reader.fieldnames or ()
        missing = [column for column in TERM_DATES_COLUMNS if column not in header]
        if missing:
            raise ValueError(
                f"{path}: the header must be {','.join(TERM_DATES_COLUMNS)}; "
                f"missing {', '.join(missing)}"
            )
        periods = []
        for row in reader:
            first_day = _iso_date(row, "first_day", path, reader.line_num)
            last_day = _iso_date(row, "last_day", path, reader.line_num)
            if first_day > last_day:
                raise ValueError(
                    f"{path}, line {reader.line_num}: first_day {first_day} is after "
                    f"last_day {last_day}"
                )
            periods.append((first_day, last_day))
    return periods


def _iso_date(row: dict[str, str], column: str, path: object, line: int) -> date:
    """One ISO date (YYYY-MM-DD) cell of the term-dates CSV."""
    text = (row.get(column) or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{path}, line {line}, column {column}: {text!r} is not a date "
            "written as YYYY-MM-DD"
        ) from None
