"""Chooses the event store from a database URL (an SQLite file or PostgreSQL) and whether its
entries are encrypted at rest."""

from __future__ import annotations

import binascii
import contextlib
import json
import os
from base64 import b64decode, b64encode
from os import urandom
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from adapters.pools import PoolSize

CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"
"""The library's AES-GCM cipher, on the ``cryptography`` package: each entry's stored state is
encrypted and authenticated, so a wrong key or an altered row fails to decrypt."""

KEY_BYTES = (16, 24, 32)


class UnsupportedDatabase(ValueError):
    """A database URL scc cannot use."""


class UnusableCipherKey(ValueError):
    """SCC_CIPHER_KEY is not a key the cipher can use."""


def new_cipher_key() -> str:
    """A fresh 256-bit key, base64, for SCC_CIPHER_KEY."""
    return b64encode(urandom(32)).decode("ascii")


def event_store_env(database_url: str, cipher_key: str | None = None,
                    pool: PoolSize | None = None) -> dict[str, str]:
    """The eventsourcing library's settings for ``sqlite:///path`` or ``postgresql://...``,
    with every entry encrypted under ``cipher_key`` (base64, as SCC_CIPHER_KEY holds it)
    if one is given, and on PostgreSQL the library's pool of connections sized for ``pool``
    (else the library's own: 5 kept open, 15 at most): one kept open, the others opened as
    threads need them and closed once unused for ten minutes (psycopg_pool's ``max_idle``).

    A PostgreSQL URL may name a schema (``?schema=scc``) that already exists.
    """
    env = _store_env(database_url)
    if pool is not None and env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        env.update(POSTGRES_POOL_SIZE="1", POSTGRES_MAX_OVERFLOW=str(pool.most - 1))
    if cipher_key:
        env.update(CIPHER_TOPIC=CIPHER_TOPIC, CIPHER_KEY=_checked_key(cipher_key))
    return env


def _checked_key(cipher_key: str) -> str:
    key = cipher_key.strip()
    try:
        size = len(b64decode(key, validate=True))
    except (binascii.Error, ValueError):
        size = None
    if size not in KEY_BYTES:
        raise UnusableCipherKey(
            "SCC_CIPHER_KEY must be 16, 24 or 32 bytes in base64; make one with "
            "scc keys generate"
        )
    return key


def create_private(path: str | Path) -> None:
    """Creates an SQLite store's file readable and writable by its owner alone (0600), if it
    does not exist yet: it holds personal data and the users' password and token hashes.
    SQLite gives the journal and WAL files beside it the same mode. An existing file, and
    the directory, are left as they are."""
    if str(path) == ":memory:" or str(path).startswith("file:"):
        return
    # Already there, or no such directory (SQLite then says so in its own words).
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _store_env(database_url: str) -> dict[str, str]:
    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        path = unquote(url.path[1:] if url.path.startswith("/") else url.path)
        if not path:
            raise UnsupportedDatabase("An SQLite URL needs a file: sqlite:///data/scc.sqlite3")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        create_private(path)
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


class CipherKeyMismatch(ValueError):
    """The store's entries cannot be opened with the key given (or without one)."""


SAMPLE = 5
"""Entries tried: one entry altered in the store is the audit's finding, not a wrong key."""


def check_cipher_key(recorder: Any, cipher: Any | None) -> None:
    """Refuses, in words, a key that does not open the store's first entries, or a missing
    key for a store whose entries are encrypted, before anything reads or writes them."""
    rows = recorder.select_notifications(1, SAMPLE)
    if not rows:
        return
    if cipher is None:
        if not any(_plain_json(row.state) for row in rows):
            raise CipherKeyMismatch(
                "This store's entries are encrypted: set SCC_CIPHER_KEY to the key they were "
                "encrypted with")
        return
    for row in rows:
        try:
            cipher.decrypt(row.state)
        except Exception:  # noqa: BLE001 - the cipher says only that it failed
            continue
        return
    if any(_plain_json(row.state) for row in rows):
        raise CipherKeyMismatch(
            "This store's entries are not encrypted, but SCC_CIPHER_KEY is set: unset it, "
            "or move the log into an encrypted store with scc export-log and scc import-log")
    raise CipherKeyMismatch(
        "SCC_CIPHER_KEY does not open this store's entries: it is not the key they were "
        "encrypted with")


def _plain_json(state: bytes) -> bool:
    """Whether an entry's state is readable JSON, as the library stores it unencrypted. The
    whole state is parsed: one encrypted state in 256 begins with "{" by chance."""
    try:
        return isinstance(json.loads(bytes(state)), dict)
    except ValueError:  # not JSON, or not UTF-8
        return False
