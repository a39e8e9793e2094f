"""What the use cases need from the outside world, as abstract ports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the time; the domain never asks the system clock itself."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""

    def today(self) -> date:
        """Today's date in England."""
