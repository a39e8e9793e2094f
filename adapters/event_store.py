"""Chooses the event store from a database URL: an SQLite file or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class UnsupportedDatabase(ValueError):
    """A database URL scc cannot use."""


def event_store_env(database_url: str) -> dict[str, str]:
    """The eventsourcing library's settings for ``sqlite:///path`` or ``postgresql://...``.

    A PostgreSQL URL may name a schema (``?schema=scc``) that already exists.
    """
    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        path = unquote(url.path[1:] if url.path.startswith("/") else url.path)
        if not path:
            raise UnsupportedDatabase("An SQLite URL needs a file: sqlite:///data/scc.sqlite3")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    if url.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        if not url.path.strip("/"):
            raise UnsupportedDatabase("A PostgreSQL URL needs a database name")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(url.path.strip("/")),
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_SCHEMA": parse_qs(url.query).get("schema", ["public"])[0],
        }
    raise UnsupportedDatabase(
        f"SCC_DATABASE_URL must start sqlite:/// or postgresql://, not {database_url!r}"
    )
