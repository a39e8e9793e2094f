"""Creating tables when several processes start on a new store at once."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from eventsourcing import persistence

T = TypeVar("T")

CLASHES = (sa.exc.IntegrityError, sa.exc.OperationalError, sa.exc.ProgrammingError)
"""What SQLAlchemy raises when another process created the same tables at the same moment."""

STORE_CLASHES = (persistence.IntegrityError, persistence.InternalError,
                 persistence.OperationalError, persistence.ProgrammingError)
"""What the event store raises then: a duplicate key on a type it creates, or PostgreSQL's
"tuple concurrently updated" when two processes replace its functions together."""

T = TypeVar("T")


def create_once(create: Callable[[], T], attempts: int = 3,
                clashes: tuple[type[Exception], ...] = CLASHES) -> T:
    """Runs ``create``; if another process created the same tables at the same moment
    ("already exists", a duplicate key), looks again, since ``create`` checks first."""
    for attempt in range(1, attempts + 1):
        try:
            return create()
        except clashes:
            if attempt == attempts:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")
