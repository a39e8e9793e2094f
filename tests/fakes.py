"""Fakes for the application's ports."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

TEST_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""The tests' moment unless a test moves it: the Monday of the demo's stories' week."""


class FixedClock:
    """A clock that stands still until a test moves it; each reading ticks a microsecond
    so that entries recorded one after another keep their order.

    Read and moved under a lock: a worker's thread reading it (tick: read, add, write) while
    the test moves it could otherwise write the old time back over the move, and a deadline
    job would then fire as if on the day before (seen once in eight runs of the scheduler's
    holiday walk with the clock moved)."""

    def __init__(self, now: datetime = TEST_NOW) -> None:
        self._now = now
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            self._now += timedelta(microseconds=1)
            return self._now

    def today(self) -> date:
        with self._lock:
            return self._now.date()

    def move_to(self, when: datetime | date) -> None:
        if not isinstance(when, datetime):
            when = datetime(when.year, when.month, when.day, 9, 0, tzinfo=UTC)
        with self._lock:
            self._now = when

    def advance(self, **delta: float) -> None:
        with self._lock:
            self._now += timedelta(**delta)
