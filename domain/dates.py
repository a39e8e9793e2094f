"""The range of dates the record accepts, by kind of date, and the refusals that say it.

Every date a command accepts is either an effective date (never in the future, never before
the case file opened), a date on the register or a date an entry plans ahead. Each kind has a
range here, so that no entry can hold a date nothing real falls on, and so that every date the
working-day calendar is asked about lies well inside the years it can count (an MSP meeting
dated 31 December 9999 once made the calendar count into year 10000 and stopped the read
models of every school).
"""

from __future__ import annotations

from datetime import date, datetime

from domain.errors import CaseFileError
from domain.wording import long_date

EARLIEST_SCHOOL_DATE = date(1800, 1, 1)
"""The earliest date on a school's record: opened, closed, linked, or the day its case file
opens (local policy). Schools on the register (GIAS) with an open date were founded in the
nineteenth century at the earliest; a year before that is a typing slip."""

REGISTER_YEARS_AHEAD = 5
"""How far after today a register date may lie (local policy): GIAS lists a school proposed
to open or close with its planned date, a year or two ahead; five years allows for the
longest reorganisation and refuses a slip of the century."""

PLANNED_YEARS_AHEAD = 5
"""How far after an entry's effective date the dates it plans may lie (local policy): an MSP
meeting, an MSP action's due date, a deadline's extension and an IEB's term. Monitoring
meets every few weeks, actions and extensions run for months, and an IEB serves until a
governing body is restored, usually within two years (DfE, "Schools causing concern",
interim executive boards); five years covers the longest and refuses a slip of the century."""


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for 29 February), or the last day the
    calendar holds."""
    if day.year + years > date.max.year:
        return date.max
    if (day.month, day.day) == (2, 29):
        day = day.replace(day=28)
    return day.replace(year=day.year + years)


def require_register_date(what: str, day: date, today: date) -> None:
    """A school's opened, closed, link or extract date, from 1800 to five years after
    today (EARLIEST_SCHOOL_DATE, REGISTER_YEARS_AHEAD)."""
    latest = years_after(today, REGISTER_YEARS_AHEAD)
    if not EARLIEST_SCHOOL_DATE <= day <= latest:
        raise CaseFileError(
            f"The {what}, {long_date(day)}, is not a date a school could have: enter a date "
            f"from {long_date(EARLIEST_SCHOOL_DATE)} to {long_date(latest)}"
        )


def require_opening_date(effective: date) -> None:
    """The day a case file opens is not before 1800 (EARLIEST_SCHOOL_DATE)."""
    if effective < EARLIEST_SCHOOL_DATE:
        raise CaseFileError(
            f"The effective date {long_date(effective)} is before any school's record: "
            f"enter a date from {long_date(EARLIEST_SCHOOL_DATE)}"
        )


def require_planned_date(what: str, day: date, effective: date) -> None:
    """A date an entry plans is at most five years after its effective date
    (PLANNED_YEARS_AHEAD)."""
    latest = years_after(effective, PLANNED_YEARS_AHEAD)
    if day > latest:
        raise CaseFileError(
            f"The {what}, {long_date(day)}, is more than {PLANNED_YEARS_AHEAD} years after "
            f"{long_date(effective)}: enter a date up to {long_date(latest)}"
        )


EARLIEST_KNOWN_AT = datetime(1800, 1, 1)
LATEST_KNOWN_AT = datetime(9999, 12, 30)
"""The range of moments a record can be read "as known at", as written with their offsets:
nothing was recorded before a school's record could begin (EARLIEST_SCHOOL_DATE), and a
moment a day short of the calendar's end can still be turned into any time zone's time."""


def require_known_at(moment: datetime) -> None:
    """A moment to read the record as known at lies from 1800 to 30 December 9999."""
    if not EARLIEST_KNOWN_AT <= moment.replace(tzinfo=None) <= LATEST_KNOWN_AT:
        raise CaseFileError(
            f"The record cannot be read as known at {moment.isoformat()}: enter a time from "
            f"{long_date(EARLIEST_KNOWN_AT.date())} to {long_date(LATEST_KNOWN_AT.date())}"
        )
