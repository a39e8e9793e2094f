"""The scheduler lock: exactly one worker per store runs the scheduler (APScheduler's job store
must not be shared by two schedulers); the others stand by and take over when it goes.

PostgreSQL: a session-level advisory lock on a connection of the worker's own, so the lock
goes when the worker's session does, however the worker dies. SQLite: an exclusive
``flock`` on a file next to the database file, released by the kernel when the process dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import zlib
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

LOCK_CLASS = 0x5CC5
"""The first key of the advisory lock: says "the scc scheduler" (the second names the schema)."""


class SchedulerLock(Protocol):
    def acquire(self) -> bool:
        """Takes the lock if it is free; never waits."""

    def still_held(self) -> bool:
        """Whether the lock is still ours (a dropped connection loses it)."""

    def release(self) -> None: ...


class FileLock:
    """An exclusive ``flock`` on a file (SQLite stores)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = open(self.path, "ab")  # noqa: SIM115 - held open for the worker's life
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    def still_held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class AdvisoryLock:
    """A PostgreSQL session-level advisory lock, one per schema, on a dedicated connection."""

    def __init__(self, conninfo: str, schema: str) -> None:
        self.conninfo = conninfo
        self.keys = (LOCK_CLASS, _int4(zlib.crc32(schema.encode())))
        self._connection: Any = None

    def acquire(self) -> bool:
        import psycopg

        if self._connection is not None:
            return True
        connection = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5,
                                     application_name="scc scheduler lock")
        try:
            got = connection.execute("SELECT pg_try_advisory_lock(%s, %s)", self.keys
                                     ).fetchone()[0]
        except BaseException:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def still_held(self) -> bool:
        if self._connection is None:
            return False
        try:
            self._connection.execute("SELECT 1")
        except Exception:  # noqa: BLE001 - any failure means the session, and the lock, is gone
            return False
        return True

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # closing the session releases it anyway
                connection.execute("SELECT pg_advisory_unlock(%s, %s)", self.keys)
            connection.close()


def scheduler_lock(database_url: str) -> SchedulerLock:
    """The lock for the store at ``database_url`` (the URL scc is configured with)."""
    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        path = unquote(url.path[1:] if url.path.startswith("/") else url.path)
        if not path or path == ":memory:":
            raise ValueError("The worker needs an SQLite file: sqlite:///data/scc.sqlite3")
        return FileLock(Path(f"{path}.scheduler-lock"))
    if url.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        schema = parse_qs(url.query).get("schema", ["public"])[0]
        return AdvisoryLock(urlunsplit(("postgresql", url.netloc, url.path, "", "")), schema)
    raise ValueError(f"No scheduler lock for a database URL starting {url.scheme}:")


def _int4(value: int) -> int:
    """An unsigned 32-bit number as PostgreSQL's signed int4."""
    return value - (1 << 32) if value >= 1 << 31 else value

