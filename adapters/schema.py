"""Creating tables when several processes start on a new store at once."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

T = TypeVar("T")


def create_once(create: Callable[[], None], attempts: int = 3) -> None:
    """Runs ``create``; if another process created the same tables at the same moment
    ("already exists", a duplicate key), looks again, since ``create`` checks first."""
    for attempt in range(1, attempts + 1):
        try:
            create()
            return
        except (sa.exc.IntegrityError, sa.exc.OperationalError, sa.exc.ProgrammingError):
            if attempt == attempts:
                raise


def open_once(open_store: Callable[[], T], attempts: int = 3) -> T:
    """Opens an eventsourcing application, which creates its tables if they are missing
    each time it is opened; if another process was doing the same at that moment ("tuple
    concurrently updated", a duplicate key), opens it again, a moment later."""
    from eventsourcing.persistence import IntegrityError, InternalError

    for attempt in range(1, attempts + 1):
        try:
            return open_store()
        except (IntegrityError, InternalError):
            if attempt == attempts:
                raise
            time.sleep(0.1 * attempt)
    raise AssertionError("unreachable")
