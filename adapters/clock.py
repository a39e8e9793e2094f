"""The system clock, in England's time zone for "today"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ENGLAND = ZoneInfo("Europe/London")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(ENGLAND).date()


@dataclass(frozen=True)
class StoppedClock:
    """A clock stopped at one moment: a rebuild's processes all read the time of the process
    that started them, so that each part of the rebuild counts the same day as today."""

    at: datetime
    on: date

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.on
