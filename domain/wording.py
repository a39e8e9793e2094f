"""Dates and times as the LA writes them in letters and on screen."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

ENGLAND = ZoneInfo("Europe/London")


def long_date(day: date) -> str:
    """4 March 2025."""
    if type(day) is date:  # not a datetime: a moment is rarely written twice
        return _long_date(day)
    return f"{day.day} {day:%B %Y}"


@lru_cache(maxsize=16384)
def _long_date(day: date) -> str:
    # Remembered: a rebuild writes the same few thousand days (twenty years of them) hundreds
    # of thousands of times.
    return f"{day.day} {day:%B %Y}"


def local_time(moment: datetime) -> str:
    """4 March 2025 17:05, in England's time."""
    moment = moment.astimezone(ENGLAND)
    return f"{long_date(moment)} {moment:%H:%M}"
