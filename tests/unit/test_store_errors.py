"""A store's failures in the user's words: what each driver's error means, found however deep
the libraries wrapped it."""

from __future__ import annotations

import sqlite3

import psycopg.errors
import pytest
import sqlalchemy.exc
from eventsourcing.persistence import OperationalError

from adapters.store_errors import BUSY, FULL, READ_ONLY, UNREACHABLE, store_failure


def sqlite_error(message: str, name: str) -> sqlite3.Error:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorname = name
    return error


def wrapped(cause: BaseException) -> OperationalError:
    """As the event store raises it: its own error, raised from the driver's."""
    try:
        raise OperationalError(str(cause)) from cause
    except OperationalError as error:
        return error


@pytest.mark.parametrize(("error", "reason"), [
    (sqlite_error("database or disk is full", "SQLITE_FULL"), FULL),
    (sqlite_error("attempt to write a readonly database", "SQLITE_READONLY"), READ_ONLY),
    (sqlite_error("database is locked", "SQLITE_BUSY"), BUSY),
    (psycopg.errors.DiskFull("could not extend file"), FULL),
    (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only "
                                           "transaction"), READ_ONLY),
    (psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"), BUSY),
])
def test_each_store_failure_has_its_reason_and_nothing_was_recorded(error, reason):
    failure = store_failure(wrapped(error))

    assert failure is not None and failure.reason == reason
    assert failure.message.startswith(f"{reason}: nothing was recorded. ")


def test_a_server_gone_mid_command_may_have_recorded_it():
    error = psycopg.errors.AdminShutdown("terminating connection due to administrator command")

    failure = store_failure(sqlalchemy.exc.OperationalError("SELECT 1", {}, error))

    assert failure is not None and failure.reason.startswith(UNREACHABLE)
    assert "may or may not have been recorded" in failure.message


def test_errors_that_are_not_the_stores_are_left_alone():
    assert store_failure(ValueError("bad URN")) is None
    assert store_failure(wrapped(psycopg.errors.UniqueViolation("duplicate key"))) is None
    assert store_failure(sqlite_error("no such table: outbox", "SQLITE_ERROR")) is None
