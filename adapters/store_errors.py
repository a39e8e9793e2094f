"""What a store's failure means to the person who ran the command: a full disk, a read-only
database, a lock held too long, a server that cannot be reached."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

FULL = "The case-file store's disk is full"
READ_ONLY = "The case-file store is read-only"
BUSY = "The case-file store was kept busy by another process for too long"
UNREACHABLE = "Cannot reach the case-file store"
UNWRITABLE = "The case-file store's disk could not be written"


@dataclass(frozen=True)
class StoreFailure:
    """Why the store failed, and what to do; ``certain`` when the store refused the write
    outright (so nothing of it was kept), not when the connection went mid-way."""

    reason: str
    advice: str
    certain: bool = True

    @property
    def message(self) -> str:
        """One paragraph for someone whose change did not go in."""
        if self.certain:
            return f"{self.reason}: nothing was recorded. {self.advice}"
        return (f"{self.reason}. {self.advice} A change sent just as it went may or may not "
                "have been recorded: look at the case file before sending it again.")


def store_failure(error: BaseException, database_url: str | None = None
                  ) -> StoreFailure | None:
    """The failure ``error`` stands for, if it is the store's (not a bug); ``database_url``
    lets an SQLite failure to open the file be told apart (read-only, or a full disk)."""
    for cause in _causes(error):
        if isinstance(cause, sqlite3.Error):
            return _sqlite(cause, database_url)
        sqlstate = getattr(cause, "sqlstate", None)
        if sqlstate is not None or type(cause).__module__.startswith("psycopg"):
            return _postgresql(cause, sqlstate)
        if isinstance(cause, OSError) and cause.errno in _OS_ERRORS:
            return _OS_ERRORS[cause.errno]
    return None


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, what it was raised from, and the driver's own error under a wrapper."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(inner, BaseException):
                stack.append(inner)


_FULL = StoreFailure(FULL, "Free some space on it, then try again.")
_READ_ONLY = StoreFailure(READ_ONLY, "Make it writable again (its file, its directory or its "
                          "disk), then try again.")
_BUSY = StoreFailure(BUSY, "Try again in a moment.")
_OS_ERRORS = {
    errno.ENOSPC: _FULL,
    errno.EDQUOT: _FULL,
    errno.EFBIG: _FULL,
    errno.EROFS: _READ_ONLY,
}


def _sqlite(error: sqlite3.Error, database_url: str | None) -> StoreFailure | None:
    name = getattr(error, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL":
        return _FULL
    if name.startswith("SQLITE_READONLY"):
        return _READ_ONLY
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return _BUSY
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")):
        # SQLite says only that it could not open or write a file (the database, its
        # write-ahead log or its shared-memory index): the file system says why.
        path = _sqlite_path(database_url)
        if path is not None:
            folder = path.parent if path.parent.exists() else Path(".")
            if not os.access(folder, os.W_OK) or (path.exists()
                                                  and not os.access(path, os.W_OK)):
                return _READ_ONLY
            if shutil.disk_usage(folder).free < 64 * 1024:
                return _FULL
        return StoreFailure(f"{UNWRITABLE} ({error})",
                            "Check the disk and the store's file, then try again.")
    return None


def _postgresql(error: BaseException, sqlstate: str | None) -> StoreFailure | None:
    if sqlstate == "53100":  # disk_full
        return _FULL
    if sqlstate == "25006":  # read_only_sql_transaction: a standby, or made read-only
        return _READ_ONLY
    if sqlstate in ("55P03", "40P01", "40001"):  # lock timeout, deadlock, serialization
        return _BUSY
    if sqlstate is None or sqlstate.startswith(("08", "57P")):
        # No connection, or the server shutting down or starting up: it may come back.
        reason = " ".join(str(error).split()) or type(error).__name__
        return StoreFailure(f"{UNREACHABLE} ({reason[:200]})",
                            "Try again once it is back.", certain=False)
    return None


def _sqlite_path(database_url: str | None) -> Path | None:
    if not database_url:
        return None
    url = urlsplit(database_url)
    if url.scheme != "sqlite" or not url.path:
        return None
    return Path(unquote(url.path[1:] if url.path.startswith("/") else url.path))
