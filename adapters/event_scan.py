"""Reads the whole event log stream by stream in one ordered scan, for rebuilding read models.

The library's recorder reads a stream at a time (a query per school) or the log in the order
it was recorded (schools interleaved). A rebuild wants each school's entries together and
every entry read once, so it scans the events table in primary-key order and decodes each
entry once (adapters.event_decoding).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from adapters.event_decoding import StoredEventDecoder

FETCH = 2000

Row = tuple[int, Any, int, str, bytes]
"""A stored event as scanned: position, stream id, version, topic, state."""


def scan_streams(recorder: ApplicationRecorder, mapper: Mapper[Any], upto: int
                 ) -> Iterator[list[tuple[int, Any]]]:
    """Every stored entry with a position up to ``upto``, a stream at a time: the stream's
    entries in version order, each decoded with its position."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        fetched = _scan_sqlite(recorder, upto)
    elif isinstance(recorder, PostgresApplicationRecorder):
        fetched = _scan_postgres(recorder, upto)
    else:
        raise TypeError(f"No ordered scan for {type(recorder).__name__}")
    decode = StoredEventDecoder(mapper).decode
    stream: list[tuple[int, Any]] = []
    current, stream_id = None, None
    for rows in fetched:
        for position, originator_id, version, topic, state in rows:
            if originator_id != current:
                if stream:
                    yield stream
                    stream = []
                current = originator_id
                # One UUID per stream, not per entry.
                stream_id = (originator_id if isinstance(originator_id, UUID)
                             else UUID(originator_id))
            stream.append((position, decode(stream_id, version, topic, state)))
    if stream:
        yield stream


def _scan_sqlite(recorder: SQLiteApplicationRecorder, upto: int) -> Iterator[list[Row]]:
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
            yield rows
    finally:
        connection.close()


def _scan_postgres(recorder: PostgresApplicationRecorder, upto: int) -> Iterator[list[Row]]:
    from psycopg.rows import tuple_row
    from psycopg.sql import SQL, Identifier

    query = SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state "
        "FROM {schema}.{table} WHERE notification_id <= %s "
        "ORDER BY originator_id, originator_version"
    ).format(schema=Identifier(recorder.datastore.schema),
             table=Identifier(recorder.events_table_name))
    with recorder.datastore.get_connection() as connection, connection.transaction(), \
            connection.cursor(name="scc_rebuild_scan", row_factory=tuple_row) as cursor:
        cursor.execute(query, (upto,))
        while rows := cursor.fetchmany(FETCH):
            yield [(position, originator_id, version, topic, bytes(state))
                   for position, originator_id, version, topic, state in rows]
