"""Dates and times as the LA writes them in letters and on screen."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

ENGLAND = ZoneInfo("Europe/London")


def long_date(day: date) -> str:
    """4 March 2025."""
    if type(day) is not date:  # a datetime: a moment is rarely written twice
        return f"{day.day} {day:%B %Y}"
    # Remembered: a rebuild writes the same few thousand days (twenty years of them)
    # hundreds of thousands of times, and strftime is slow.
    text = _LONG_DATES.get(day)
    if text is None:
        if len(_LONG_DATES) > 50_000:  # a long-running process writes ever more days
            _LONG_DATES.clear()
        text = _LONG_DATES[day] = f"{day.day} {day:%B %Y}"
    return text


_LONG_DATES: dict[date, str] = {}


def local_time(moment: datetime) -> str:
    """4 March 2025 17:05, in England's time."""
    moment = moment.astimezone(ENGLAND)
    return f"{long_date(moment)} {moment:%H:%M}"
