"""The page a request gets when the store fails under it (a full disk, a read-only database, a
server gone): what happened and what to do, with status 503, instead of a traceback."""

from __future__ import annotations

import sqlite3
from typing import Any

from eventsourcing.persistence import PersistenceError
from flask import Flask, render_template
from sqlalchemy.exc import DBAPIError

from adapters.store_errors import StoreFailure, store_failure

STORE_ERRORS = (PersistenceError, DBAPIError, sqlite3.Error)


def register(app: Flask) -> None:
    def unavailable(error: Exception) -> Any:
        failure = store_failure(error)
        if failure is None:
            raise error  # a fault of ours, not the store's: the usual 500
        app.logger.warning("The store failed under %s: %s", _where(), failure.reason)
        return render_template("errors/503.html", failure=failure), 503

    for kind in STORE_ERRORS:
        app.register_error_handler(kind, unavailable)


def failed_command(error: Exception) -> StoreFailure | None:
    """What a command's failure means, if it was the store's."""
    return store_failure(error) if isinstance(error, STORE_ERRORS) else None


def _where() -> str:
    from flask import request

    return f"{request.method} {request.path}"
