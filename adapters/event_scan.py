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

import orjson
from eventsourcing.persistence import ApplicationRecorder, Mapper
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from adapters.event_decoding import StoredEventDecoder

FETCH = 2000

Row = tuple[int, Any, int, str, bytes]
"""A stored event as scanned: position, stream id, version, topic, state."""

StreamRange = tuple[UUID | None, UUID | None]
"""The streams whose ids are from the first (if any) up to but not including the second (if
any)."""


def stream_ranges(parts: int) -> list[StreamRange]:
    """Every stream, in ``parts`` ranges of their ids. Ids are random, so each range holds
    about as many streams, and as many entries, as any other."""
    bounds = [None, *(UUID(int=(1 << 128) * n // parts) for n in range(1, parts)), None]
    return list(zip(bounds, bounds[1:], strict=False))


def scan_streams(recorder: ApplicationRecorder, mapper: Mapper[Any], upto: int,
                 within: StreamRange | None = None) -> Iterator[list[tuple[int, Any]]]:
    """Every stored entry with a position up to ``upto``, of every stream or of those
    ``within`` a range, a stream at a time: the stream's entries in version order, each
    decoded with its position."""
    lowest, beyond = within or (None, None)
    if isinstance(recorder, SQLiteApplicationRecorder):
        fetched = _scan_sqlite(recorder, upto, lowest, beyond)
    elif isinstance(recorder, PostgresApplicationRecorder):
        fetched = _scan_postgres(recorder, upto, lowest, beyond)
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


def _scan_sqlite(recorder: SQLiteApplicationRecorder, upto: int, lowest: UUID | None,
                 beyond: UUID | None) -> Iterator[list[Row]]:
    # A connection of its own, read-only: the scan is one long read that writers in WAL
    # mode do not wait for.
    db_name = recorder.datastore.pool.db_name
    uri = db_name if db_name.startswith("file:") else f"file:{db_name}?mode=ro"
    connection = sqlite3.connect(uri, uri=True)
    # The library keeps a stream's id as its 32 hex digits, which sort as the ids do.
    where, parameters = ["rowid <= ?"], [upto]
    if lowest is not None:
        where.append("originator_id >= ?")
        parameters.append(lowest.hex)
    if beyond is not None:
        where.append("originator_id < ?")
        parameters.append(beyond.hex)
    try:
        cursor = connection.execute(
            f"SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608
            f"FROM {recorder.events_table_name} WHERE {' AND '.join(where)} "
            f"ORDER BY originator_id, originator_version", parameters)
        while rows := cursor.fetchmany(FETCH):
            yield rows
    finally:
        connection.close()


def _scan_postgres(recorder: PostgresApplicationRecorder, upto: int, lowest: UUID | None,
                   beyond: UUID | None) -> Iterator[list[Row]]:
    from psycopg.rows import tuple_row
    from psycopg.sql import SQL, Identifier

    where, parameters = [SQL("notification_id <= %s")], [upto]
    if lowest is not None:
        where.append(SQL("originator_id >= %s"))
        parameters.append(lowest)
    if beyond is not None:
        where.append(SQL("originator_id < %s"))
        parameters.append(beyond)
    query = SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state "
        "FROM {schema}.{table} WHERE {where} "
        "ORDER BY originator_id, originator_version"
    ).format(schema=Identifier(recorder.datastore.schema),
             table=Identifier(recorder.events_table_name), where=SQL(" AND ").join(where))
    with recorder.datastore.get_connection() as connection, connection.transaction(), \
            connection.cursor(name="scc_rebuild_scan", row_factory=tuple_row) as cursor:
        cursor.execute(query, parameters)
        while rows := cursor.fetchmany(FETCH):
            yield [(position, originator_id, version, topic, bytes(state))
                   for position, originator_id, version, topic, state in rows]


def entries_of_kinds(recorder: ApplicationRecorder, mapper: Mapper[Any], topics: list[str],
                     ) -> Iterator[tuple[Any, int, str, dict[str, Any]]]:
    """Every stored entry of the kinds ``topics`` names, in the order recorded, as (stream
    id, version, topic, the entry's fields as plain JSON), as SchoolCaseFiles asks
    (EntriesOfKinds): the rows as the store gives them and orjson's reading of their state,
    rather than the library's notification objects and the json module's."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        fetched = _kinds_sqlite(recorder, topics)
    elif isinstance(recorder, PostgresApplicationRecorder):
        fetched = _kinds_postgres(recorder, topics)
    else:
        raise TypeError(f"No reading of entries by kind for {type(recorder).__name__}")
    cipher, compressor = mapper.cipher, mapper.compressor
    for rows in fetched:
        for originator_id, version, topic, state in rows:
            if cipher is not None:
                state = cipher.decrypt(state)
            if compressor is not None:
                state = compressor.decompress(state)
            yield originator_id, version, topic, orjson.loads(state)


def _kinds_sqlite(recorder: SQLiteApplicationRecorder, topics: list[str],
                  ) -> Iterator[list[tuple[Any, int, str, bytes]]]:
    # The store's own connection (an in-memory store has no other), in a read transaction.
    with recorder.datastore.transaction(commit=False) as transaction:
        cursor = transaction.sqlite_cursor
        cursor.execute(
            f"SELECT originator_id, originator_version, topic, state "  # noqa: S608
            f"FROM {recorder.events_table_name} "
            f"WHERE topic IN ({', '.join('?' * len(topics))}) ORDER BY rowid", topics)
        while rows := cursor.fetchmany(FETCH):
            yield rows


def _kinds_postgres(recorder: PostgresApplicationRecorder, topics: list[str],
                    ) -> Iterator[list[tuple[Any, int, str, bytes]]]:
    from psycopg.rows import tuple_row
    from psycopg.sql import SQL, Identifier

    query = SQL(
        "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
        "WHERE topic = ANY(%s) ORDER BY notification_id"
    ).format(schema=Identifier(recorder.datastore.schema),
             table=Identifier(recorder.events_table_name))
    with recorder.datastore.get_connection() as connection, connection.transaction(), \
            connection.cursor(name="scc_kinds_scan", row_factory=tuple_row) as cursor:
        cursor.execute(query, [topics])
        while rows := cursor.fetchmany(FETCH):
            yield [(stream, version, topic, bytes(state))
                   for stream, version, topic, state in rows]
