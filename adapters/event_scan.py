"""Reads the whole event log stream by stream in one ordered scan, for rebuilding read models.

The library's recorder reads a stream at a time (a query per school) or the log in the order
it was recorded (schools interleaved). A rebuild wants each school's entries together and
every entry read once, so it scans the events table in primary-key order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

FETCH = 2000


def scan_streams(recorder: ApplicationRecorder, upto: int) -> Iterator[Notification]:
    """Every stored entry with a position up to ``upto``, ordered by stream then version."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        return _scan_sqlite(recorder, upto)
    if isinstance(recorder, PostgresApplicationRecorder):
        return _scan_postgres(recorder, upto)
    raise TypeError(f"No ordered scan for {type(recorder).__name__}")


def _scan_sqlite(recorder: SQLiteApplicationRecorder, upto: int) -> Iterator[Notification]:
    # A connection of its own, read-only: the scan is one long read that writers in WAL
    # mode do not wait for.
    db_name = recorder.datastore.pool.db_name
    uri = db_name if db_name.startswith("file:") else f"file:{db_name}?mode=ro"
    connection = sqlite3.connect(uri, uri=True)
    try:
        cursor = connection.execute(
            f"SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608
            f"FROM {recorder.events_table_name} WHERE rowid <= ? "
            f"ORDER BY originator_id, originator_version", (upto,))
        while rows := cursor.fetchmany(FETCH):
            for rowid, originator_id, version, topic, state in rows:
                yield Notification(id=rowid, originator_id=UUID(originator_id),
                                   originator_version=version, topic=topic, state=state)
    finally:
        connection.close()


def _scan_postgres(recorder: PostgresApplicationRecorder, upto: int) -> Iterator[Notification]:
    from psycopg.sql import SQL, Identifier

    query = SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state "
        "FROM {schema}.{table} WHERE notification_id <= %s "
        "ORDER BY originator_id, originator_version"
    ).format(schema=Identifier(recorder.datastore.schema),
             table=Identifier(recorder.events_table_name))
    with recorder.datastore.get_connection() as connection, connection.transaction(), \
            connection.cursor(name="scc_rebuild_scan") as cursor:
        cursor.itersize = FETCH
        cursor.execute(query, (upto,))
        for row in cursor:
            yield Notification(
                id=row["notification_id"], originator_id=row["originator_id"],
                originator_version=row["originator_version"], topic=row["topic"],
                state=bytes(row["state"]))
