"""Moves an SQLite case-file log into an empty PostgreSQL store in bulk, for the load test.

Writing a million entries through the application takes many minutes on PostgreSQL; the rows
of a log written once to SQLite (``benchmarks.england``) are the same rows, so they are
copied as they are: every event and snapshot with its notification id, then the id
sequence moved past them. Both stores must use the same settings (no cipher, no
compressor): the stored state is copied, not re-encoded. The read models are then rebuilt
from the copy (``scc projections rebuild``) or caught up by the worker.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.support import case_files_on

COLUMNS = ("originator_id", "originator_version", "topic", "state")
REPORT_EVERY = 100_000


def copy_log(sqlite_path: Path, database_url: str,
             progress: Callable[[int], None] | None = None) -> int:
    """Copies the events and snapshots of the SQLite store at ``sqlite_path`` into the
    PostgreSQL store at ``database_url`` (created if need be, and empty), keeping every
    notification id; returns the events copied. One transaction: all or nothing."""
    import psycopg
    from psycopg import sql

    from adapters.key_store import copy_keys, key_store_url

    app = case_files_on(database_url)  # creates the store's tables
    try:
        if app.recorder.max_notification_id():
            raise ValueError(f"{database_url} already holds events: copy_log fills an empty "
                             "store")
        schema = app.recorder.datastore.schema
        events_table = app.recorder.events_table_name
        snapshots_table = app.snapshots.recorder.events_table_name if app.snapshots else None
    finally:
        app.close()

    url = urlsplit(database_url)
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        with psycopg.connect(urlunsplit(url._replace(query=""))) as target:
            copied = _copy(source, "stored_events", target,
                           sql.Identifier(schema, events_table), with_ids=True,
                           progress=progress)
            if snapshots_table:
                _copy(source, "stored_snapshots", target,
                      sql.Identifier(schema, snapshots_table), with_ids=False)
            target.execute("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), "
                           "GREATEST(%s, 1), %s)",
                           (f'"{schema}"."{events_table}"', copied, copied > 0))
    finally:
        source.close()
    # The personal values' keys go with the log (adapters.key_store)
    copy_keys(key_store_url(f"sqlite:///{sqlite_path}", None), key_store_url(database_url, None))
    return copied


def _copy(source: sqlite3.Connection, source_table: str, target, target_table,
          *, with_ids: bool, progress: Callable[[int], None] | None = None) -> int:
    from psycopg import sql

    columns = ("notification_id", *COLUMNS) if with_ids else COLUMNS
    selected = ", ".join(("rowid", *COLUMNS) if with_ids else COLUMNS)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        target_table, sql.SQL(", ").join(map(sql.Identifier, columns)))
    # Events in log order, as the store wrote them; snapshots have no order of their own.
    query = f"SELECT {selected} FROM {source_table}" + (" ORDER BY rowid" if with_ids else "")
    rows = 0
    with target.cursor().copy(statement) as copy:
        for row in source.execute(query):
            copy.write_row(row)
            rows += 1
            if progress and rows % REPORT_EVERY == 0:
                progress(rows)
    return rows
