"""The schema of scc's own tables beside the event log, kept by alembic revisions in versions/.

Migrated here: the projections' registry (``projection_positions``), the outbox, the users,
failed sign-ins, sessions, password-reset links, API tokens and access log, and APScheduler's job store (``apscheduler_jobs``). The event
log's own tables belong to the eventsourcing library. The read models' generation tables are
not migrated: each projection records the shape its tables were made in, and a projection whose
shape changed is rebuilt from the log into a new generation (``scc migrate`` does it).

A store with none of these tables is set up at the newest revision by whatever opens it first;
a store at an older revision is refused, in words, until ``scc migrate`` upgrades it.
"""

from __future__ import annotations

import contextlib
import fcntl
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

VERSION_TABLE = "scc_schema_version"
"""Not alembic's default name: the store may share its database with other systems."""

TABLES = ("projection_positions", "outbox", "outbox_position", "users", "sign_in_failures",
          "access_log", "apscheduler_jobs", "sessions", "password_resets", "api_tokens",
          "user_administration", "calendar_feeds", "kept_files", "kept_file_parts",
          "data_protection_decisions", "sealed_files", "sealed_file_parts")
"""The tables the revisions keep: any of them present means the store is not new."""

LOCK_CLASS = 0x5CC6
"""The first key of the advisory lock held while migrating (the scheduler's is 0x5CC5)."""


class SchemaBehind(ValueError):
    """The store's tables are older than this version of scc."""


@dataclass(frozen=True)
class SchemaStatus:
    """Where a store's schema stands against this version of scc."""

    current: str | None  # the revision recorded in the store; None before any
    head: str
    pending: tuple[tuple[str, str], ...]  # (revision, what it does), oldest first
    new: bool  # none of scc's tables exist yet

    @property
    def up_to_date(self) -> bool:
        return not self.pending


def status(engine: Engine) -> SchemaStatus:
    with engine.connect() as conn:
        return _status(conn)


def upgrade(engine: Engine) -> list[tuple[str, str]]:
    """Applies every pending revision, one process at a time; returns what was applied."""
    with _migration_lock(engine), engine.begin() as conn:
        _lock_in_database(conn)
        pending = list(_status(conn).pending)
        if pending:
            config = _config()
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    return pending


def require_current(engine: Engine, *, dispose_if_refused: bool = False) -> None:
    """Sets up a new store at the newest revision; refuses a store whose schema is older
    (first disposing of the engine, if asked, for a caller that would otherwise own it)."""
    found = status(engine)
    if found.up_to_date:
        return
    # Another process may be setting up this store at this moment: its tables could be
    # seen without its revision (read a moment earlier). Look again holding the lock it
    # holds while it does.
    with _migration_lock(engine), engine.begin() as conn:
        _lock_in_database(conn)
        found = _status(conn)
    if found.up_to_date:
        return
    if found.new:
        upgrade(engine)
        return
    if dispose_if_refused:
        engine.dispose()
    raise SchemaBehind(
        f"The store's tables are at an older version of scc ({found.current or 'before migrations'}"
        f"; {len(found.pending)} upgrade{'s' if len(found.pending) != 1 else ''} to apply). "
        "Back up the log with scc export-log, then run scc migrate")


def _status(conn: Connection) -> SchemaStatus:
    script = ScriptDirectory.from_config(_config())
    head = script.get_current_head()
    assert head is not None
    current = MigrationContext.configure(
        conn, opts={"version_table": VERSION_TABLE}).get_current_revision()
    pending = [(r.revision, (r.doc or "").strip())
               for r in script.iterate_revisions(head, current)]
    existing = set(sa.inspect(conn).get_table_names())
    new = current is None and not existing.intersection(TABLES)
    return SchemaStatus(current, head, tuple(reversed(pending)), new)


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    return config


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """On SQLite an exclusive flock on a file beside the database, so that two processes
    opening a new store at once do not both create it (PostgreSQL locks in the transaction)."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        yield
        return
    path = Path(f"{engine.url.database}.migrate-lock")
    with open(path, "ab") as file:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file.fileno(), fcntl.LOCK_UN)


def _lock_in_database(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar() or "public"
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:a, :b)"),
                     {"a": LOCK_CLASS, "b": zlib.crc32(schema.encode()) - 2**31})
