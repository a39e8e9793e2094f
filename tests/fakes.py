"""Fakes for the application's ports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

TEST_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""The tests' moment unless a test moves it: the Monday of the demo's stories' week."""


class FixedClock:
    """A clock that stands still until a test moves it; each reading ticks a microsecond
    so that entries recorded one after another keep their order."""

    def __init__(self, now: datetime = TEST_NOW) -> None:
        self._now = now

    def now(self) -> datetime:
        self._now += timedelta(microseconds=1)
        return self._now

    def today(self) -> date:
        return self._now.date()

    def move_to(self, when: datetime | date) -> None:
        if not isinstance(when, datetime):
            when = datetime(when.year, when.month, when.day, 9, 0, tzinfo=UTC)
        self._now = when

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)
