"""The working-day calendar for England and Wales, under each counting convention."""

import enum
from bisect import bisect_left, bisect_right
from collections.abc import Container, Iterable
from datetime import MAXYEAR, MINYEAR, date, timedelta
from functools import cache

from domain.errors import CaseFileError

_ONE_WEEK_IN_DAYS = 7
_CHRISTMAS_DAY = (12, 25)


class BeyondTheCalendar(CaseFileError):
    """A count of working days that would run past the first or last year a date can have
    (1 to 9999). Commands keep the dates they accept far inside (domain.dates); an entry
    recorded before they did can still ask, and is refused rather than crashing."""


class Convention(enum.Enum):
    """Which days count as working days, named for the source that defines them.

    STATUTORY: not a Saturday, Sunday, Christmas Day, Good Friday or a bank holiday in
    England and Wales (Banking and Financial Dealings Act 1971).
    SCHOOL_INSPECTION: School Inspection Regulations 2005 (SI 2005/2038): as STATUTORY,
    and not any part of a school holiday longer than a week.
    """

    STATUTORY = "statutory"
    SCHOOL_INSPECTION = "school_inspection"


class WorkingDayCalendar:
    """Counts working days (SI 2005/2038; EIA 2006 s60 as enacted) given holidays."""

    def __init__(
        self,
        bank_holidays: Container[date],
        school_holidays: Iterable[tuple[date, date]] = (),
    ) -> None:
        # bank_holidays may be a `holidays` object that adds years lazily, so it is only
        # asked `in`; the answers are kept per year, so it must not change afterwards.
        self._bank_holidays = bank_holidays
        self._long_school_holiday_days = _days_of_long_holidays(school_holidays)
        self._working_days_by_year: dict[tuple[int, Convention], list[date]] = {}

    @property
    def knows_school_holidays(self) -> bool:
        """Whether the LA's term dates gave any school holiday longer than a week, without
        which the SI 2005/2038 convention cannot be told from the statutory one."""
        return bool(self._long_school_holiday_days)

    def is_working_day(
        self, day: date, convention: Convention = Convention.STATUTORY
    ) -> bool:
        """Whether `day` is a working day under `convention` (sources: Convention)."""
        # Christmas Day and Good Friday are common law holidays, not bank holidays, so
        # they are excluded even when the bank-holiday source leaves them out.
        if day.weekday() >= 5 or (day.month, day.day) == _CHRISTMAS_DAY:
            return False
        if day == _good_friday(day.year) or day in self._bank_holidays:
            return False
        if convention is Convention.SCHOOL_INSPECTION:
            return day not in self._long_school_holiday_days
        return True

    def add_working_days(
        self, start: date, days: int, convention: Convention = Convention.STATUTORY
    ) -> date:
        """The `days`-th working day after `start` (SI 2005/2038: a period "from" a date
        starts the next day; EIA 2006 s60(1)(b) as enacted: "the fifteenth working day
        following")."""
        if days < 1:
            raise ValueError(f"a period must be at least one working day, not {days}")
        year, remaining = start.year, days
        working = self._working_days(year, convention)
        index = bisect_right(working, start)  # working days up to `start` this year
        while index + remaining > len(working):
            remaining -= len(working) - index
            year, index = year + 1, 0
            working = self._working_days(year, convention)
        return working[index + remaining - 1]

    def working_days_before(
        self, end: date, days: int, convention: Convention = Convention.STATUTORY
    ) -> date:
        """The working day that is `days` working days before `end`: a reminder "5 working
        days before" a due date falls on it (local policy: reminders)."""
        if days < 1:
            raise ValueError(f"a period must be at least one working day, not {days}")
        year, remaining = end.year, days
        working = self._working_days(year, convention)
        index = bisect_left(working, end)  # working days before `end` this year
        while remaining > index:
            remaining -= index
            year -= 1
            working = self._working_days(year, convention)
            index = len(working)
        return working[index - remaining]

    def working_days_between(
        self, start: date, end: date, convention: Convention = Convention.STATUTORY
    ) -> int:
        """Working days after `start` up to and including `end`, 0 if `end` is not after
        `start`: the days left, counted as add_working_days counts (SI 2005/2038)."""
        if end <= start:
            return 0
        count = 0
        for year in range(start.year, end.year + 1):
            working = self._working_days(year, convention)
            count += bisect_right(working, end) - bisect_right(working, start)
        return count

    def _working_days(self, year: int, convention: Convention) -> list[date]:
        """The working days of `year` in order, worked out once per convention."""
        key = (year, convention)
        if key not in self._working_days_by_year:
            if not MINYEAR <= year <= MAXYEAR:
                raise BeyondTheCalendar(
                    f"Working days cannot be counted {'before' if year < MINYEAR else 'after'}"
                    f" the year {MINYEAR if year < MINYEAR else MAXYEAR}: a date on the "
                    "record is out of any sensible range"
                )
            first = date(year, 1, 1)
            length = (date(year, 12, 31) - first).days + 1
            every_day = (first + timedelta(n) for n in range(length))
            self._working_days_by_year[key] = [
                day for day in every_day if self.is_working_day(day, convention)
            ]
        return self._working_days_by_year[key]


def _days_of_long_holidays(periods: Iterable[tuple[date, date]]) -> frozenset[date]:
    """Every day of each school holiday longer than a week (SI 2005/2038)."""
    days: set[date] = set()
    for first_day, last_day in periods:
        if first_day > last_day:
            raise ValueError(
                f"a school holiday cannot start on {first_day}, after its last day "
                f"{last_day}"
            )
        length = (last_day - first_day).days + 1
        if length > _ONE_WEEK_IN_DAYS:
            days.update(first_day + timedelta(n) for n in range(length))
    return frozenset(days)


@cache
def _good_friday(year: int) -> date:
    """Good Friday, two days before Easter Sunday found by the anonymous Gregorian
    algorithm (the Meeus/Jones/Butcher computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    weekday_offset = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_offset) // 451
    month, day = divmod(h + weekday_offset - 7 * m + 114, 31)
    return date(year, month, day + 1) - timedelta(days=2)
