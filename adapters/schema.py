"""Creating the app's own tables when several processes start on a new store at once."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa


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
