"""Dates and times as the LA writes them in letters and on screen."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

ENGLAND = ZoneInfo("Europe/London")


def long_date(day: date) -> str:
    """4 March 2025."""
    return f"{day.day} {day:%B %Y}"


def local_time(moment: datetime) -> str:
    """4 March 2025 17:05, in England's time."""
    moment = moment.astimezone(ENGLAND)
    return f"{long_date(moment)} {moment:%H:%M}"
