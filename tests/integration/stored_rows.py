"""The event store's own tables, read and written straight, behind the application's back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit


def table(database_url: str, kind: str = "events") -> str:
    sqlite = database_url.startswith("sqlite")
    return {"events": "stored_events" if sqlite else "schoolcasefiles_events",
            "snapshots": "stored_snapshots" if sqlite else "schoolcasefiles_snapshots"}[kind]


@contextmanager
def database(database_url: str) -> Iterator[tuple[Any, str]]:
    """A connection straight to the store and its parameter style; commits at the end."""
    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        connection = sqlite3.connect(url.path[1:] if url.path.startswith("/") else url.path)
        try:
            yield connection, "?"
            connection.commit()
        finally:
            connection.close()
        return
    import psycopg

    schema = parse_qs(url.query).get("schema", ["public"])[0]
    with psycopg.connect(database_url.split("?")[0], autocommit=True) as connection:
        connection.execute(f"SET search_path TO {schema}")
        yield connection, "%s"


def rows(database_url: str, kind: str = "events") -> list[tuple[str, int, str, bytes]]:
    """Every stored row as (stream id, version, topic, state), by stream and version."""
    with database(database_url) as (db, _):
        found = db.execute(f"SELECT originator_id, originator_version, topic, state "
                           f"FROM {table(database_url, kind)} "
                           f"ORDER BY originator_id, originator_version").fetchall()
    return [(_stream(i), v, t, bytes(s)) for i, v, t, s in found]


def insert(database_url: str, stored: list[tuple[str, int, str, bytes]],
           kind: str = "events") -> None:
    """Writes rows as an older version of scc would have stored them."""
    sqlite = database_url.startswith("sqlite")
    with database(database_url) as (db, p):
        for stream_id, version, topic, state in stored:
            db.execute(f"INSERT INTO {table(database_url, kind)} "
                       f"(originator_id, originator_version, topic, state) "
                       f"VALUES ({p}, {p}, {p}, {p})",
                       (stream_id.replace("-", "") if sqlite else stream_id, version, topic,
                        state))


def _stream(stream_id: Any) -> str:
    text = str(stream_id).replace("-", "")
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
