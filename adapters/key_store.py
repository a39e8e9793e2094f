"""The keys of the entries' personal values, in SQL apart from the log
(``application.personal_keys.KeyStore``).

One key per person in each case file, and one for each case file's free text. A destroyed key's
material is overwritten with NULL and the reason kept; on SQLite the file is opened with
``secure_delete``, so the freed bytes are zeroed rather than left in the file, and its
write-ahead log is emptied after each destruction. The person
records (the name a person was first recorded under, and their contacts) are blanked once the
last of their keys is destroyed.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import OperationalError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from adapters.event_store import create_private
from adapters.read_models import read_model_engine
from application.personal_keys import KeyRecord, new_key, new_key_id
from domain.personal_data import Erasure, person_key

_metadata = sa.MetaData()
PEOPLE = sa.Table(
    "scc_people", _metadata,
    sa.Column("person_id", sa.String(32), primary_key=True),
    sa.Column("name_key", sa.String(400), nullable=True, unique=True),
    sa.Column("name", sa.String(400), nullable=True),
    sa.Column("contacts", sa.Text, nullable=False, default="[]"),
    sa.Column("erased_on", sa.Date, nullable=True),
)
KEYS = sa.Table(
    "scc_personal_keys", _metadata,
    sa.Column("key_id", sa.String(32), primary_key=True),
    sa.Column("case_file", sa.String(36), nullable=False, index=True),
    sa.Column("person_id", sa.String(32), nullable=True, index=True),
    sa.Column("key", sa.LargeBinary, nullable=True),
    sa.Column("created_on", sa.Date, nullable=True),
    sa.Column("erased_rule", sa.String(200), nullable=True),
    sa.Column("erased_on", sa.Date, nullable=True),
    sa.Column("erased_by", sa.String(400), nullable=True),
    # One live key per person (or for the free text) in a case file
    sa.Index("scc_personal_keys_live", "case_file", "person_id", unique=True,
             sqlite_where=sa.text("key IS NOT NULL AND person_id IS NOT NULL"),
             postgresql_where=sa.text("key IS NOT NULL AND person_id IS NOT NULL")),
    sa.Index("scc_personal_keys_live_text", "case_file", unique=True,
             sqlite_where=sa.text("key IS NOT NULL AND person_id IS NULL"),
             postgresql_where=sa.text("key IS NOT NULL AND person_id IS NULL")),
)
STATE = sa.Table(
    "scc_key_store", _metadata,
    sa.Column("one", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("generation", sa.Integer, nullable=False),
)
TABLES = ("scc_people", "scc_personal_keys", "scc_key_store")


def key_store_url(database_url: str, configured: str | None) -> str:
    """SCC_KEY_STORE_URL, or beside the store: an SQLite store's keys in a file of their own
    next to it (``scc.sqlite3`` → ``scc-keys.sqlite3``), a PostgreSQL store's in its database
    (point SCC_KEY_STORE_URL at another database to keep them out of the log's backups)."""
    if configured:
        return configured
    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        path = unquote(url.path[1:] if url.path.startswith("/") else url.path)
        stem, dot, suffix = path.rpartition(".")
        keys = f"{stem}-keys.{suffix}" if dot and "/" not in suffix else f"{path}-keys"
        return f"sqlite:///{keys}"
    return database_url


def copy_sqlite_store(source: str | Path, target: str | Path) -> None:
    """Copies an SQLite store and the key store beside it, if there is one: the log's
    personal values cannot be read without their keys (tests and benchmarks copy stores).
    The key store is copied through SQLite's backup, write-ahead log included."""
    shutil.copyfile(source, target)
    keys = _beside(source)
    if keys.exists():
        with closing(sqlite3.connect(keys)) as read, closing(
                sqlite3.connect(_beside(target))) as written:
            read.backup(written)


def copy_keys(source_url: str, target_url: str) -> int:
    """Copies every person record and key of one key store into another, empty one (a log
    copied into another database takes its keys with it); returns the keys copied."""
    source, target = SQLKeyStore(source_url), SQLKeyStore(target_url)
    try:
        with source.engine.connect() as read, target.engine.begin() as write:
            if write.execute(sa.select(sa.func.count()).select_from(KEYS)).scalar_one():
                raise ValueError(f"The key store at {target_url} already holds keys")
            for table in (PEOPLE, KEYS):
                rows = [dict(row._mapping) for row in read.execute(sa.select(table))]
                if rows:
                    write.execute(table.insert(), rows)
            generation = read.execute(sa.select(STATE.c.generation)).scalar_one()
            write.execute(STATE.update().values(generation=generation))
            return write.execute(sa.select(sa.func.count()).select_from(KEYS)).scalar_one()
    finally:
        source.close()
        target.close()


def _beside(store: str | Path) -> Path:
    return Path(key_store_url(f"sqlite:///{store}", None).removeprefix("sqlite:///"))


class AESGCMCipher:
    """AES-GCM under one key, written as the eventsourcing library's cipher writes it (nonce,
    tag, ciphertext), its key set up once rather than at every call."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def encrypt(self, plain: bytes) -> bytes:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plain, None)
        return nonce + sealed[-16:] + sealed[:-16]

    def decrypt(self, data: bytes) -> bytes:
        return self._aead.decrypt(data[:12], data[28:] + data[12:28], None)


class SQLKeyStore:
    """The key store on an SQL database; its tables are made on first use."""

    cipher = AESGCMCipher

    def __init__(self, url: str, *, clock: Any = None,
                 server_engine: Callable[[str], Engine] = read_model_engine) -> None:
        """``server_engine`` makes the engine for a PostgreSQL URL: the wiring passes one that
        shares the pool of the stores in the same database. An SQLite file's keys have an
        engine of their own."""
        self.url = url
        self.clock = clock
        self.engine: Engine = _engine(url, server_engine)
        try:
            with contextlib.suppress(IntegrityError, sa.exc.ProgrammingError,
                                     sa.exc.OperationalError):
                _metadata.create_all(self.engine, checkfirst=True)
            with contextlib.suppress(IntegrityError), self.engine.begin() as conn:
                if conn.execute(sa.select(STATE.c.one)).first() is None:
                    conn.execute(STATE.insert().values(one=1, generation=0))
        except BaseException:  # a role without rights on the tables, say: nothing left open
            self.engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    def _today(self) -> date | None:
        return self.clock.today() if self.clock is not None else None

    def key_for(self, case_file: UUID, subject: str | None, name: str | None
                ) -> tuple[str, bytes]:
        return self.keys_for([(case_file, subject, name)])[0]

    def keys_for(self, wanted: list[tuple[UUID, str | None, str | None]]
                 ) -> list[tuple[str, bytes]]:
        for _ in range(5):  # another process may make the same key or person meanwhile
            try:
                with self.engine.begin() as conn:
                    return [self._key(conn, *one) for one in wanted]
            except IntegrityError:
                continue
        raise RuntimeError("Could not make a key: the key store kept changing meanwhile")

    def _key(self, conn: Any, case_file: UUID, subject: str | None, name: str | None
             ) -> tuple[str, bytes]:
        person = None if subject is None else self._person(conn, subject, name)
        query = sa.select(KEYS.c.key_id, KEYS.c.key).where(
            KEYS.c.case_file == str(case_file), KEYS.c.key.is_not(None),
            KEYS.c.person_id.is_(None) if person is None else KEYS.c.person_id == person)
        if (row := conn.execute(query).first()) is not None:
            return row.key_id, bytes(row.key)
        key_id, key = new_key_id(), new_key()
        conn.execute(KEYS.insert().values(key_id=key_id, case_file=str(case_file),
                                          person_id=person, key=key, created_on=self._today()))
        return key_id, key

    def _person(self, conn: Any, subject: str, name: str | None) -> str:
        found = conn.execute(sa.select(PEOPLE.c.person_id)
                             .where(PEOPLE.c.name_key == subject)).first()
        if found is not None:
            return found.person_id
        person_id = secrets.token_hex(8)
        conn.execute(PEOPLE.insert().values(person_id=person_id, name_key=subject,
                                            name=name or subject, contacts="[]"))
        return person_id

    def keys(self, key_ids: Iterable[str]) -> dict[str, bytes | Erasure]:
        wanted = list(key_ids)
        found: dict[str, bytes | Erasure] = {}
        with _failing_as_the_store(), self.engine.connect() as conn:
            for first in range(0, len(wanted), 500):
                query = sa.select(KEYS.c.key_id, KEYS.c.key, KEYS.c.erased_rule,
                                  KEYS.c.erased_on).where(
                    KEYS.c.key_id.in_(wanted[first:first + 500]))
                found.update((row.key_id, _material(row)) for row in conn.execute(query))
        return found

    def all_keys(self) -> dict[str, bytes | Erasure]:
        query = sa.select(KEYS.c.key_id, KEYS.c.key, KEYS.c.erased_rule, KEYS.c.erased_on)
        with _failing_as_the_store(), self.engine.connect() as conn:
            return {row.key_id: _material(row) for row in conn.execute(query)}

    def case_file_keys(self, key_id: str) -> dict[str, bytes | Erasure]:
        its_case_file = sa.select(KEYS.c.case_file).where(KEYS.c.key_id == key_id)
        query = sa.select(KEYS.c.key_id, KEYS.c.key, KEYS.c.erased_rule, KEYS.c.erased_on).where(
            KEYS.c.case_file == its_case_file.scalar_subquery())
        with _failing_as_the_store(), self.engine.connect() as conn:
            return {row.key_id: _material(row) for row in conn.execute(query)}

    def generation(self) -> int:
        with _failing_as_the_store(), self.engine.connect() as conn:
            return int(conn.execute(sa.select(STATE.c.generation)).scalar_one())

    def destroy(self, key_ids: Iterable[str], erasure: Erasure, by: str) -> int:
        wanted = list(key_ids)
        with self.engine.begin() as conn:
            destroyed = 0
            people: set[str] = set()
            for first in range(0, len(wanted), 500):
                chunk = wanted[first:first + 500]
                people.update(row.person_id for row in conn.execute(
                    sa.select(KEYS.c.person_id).where(KEYS.c.key_id.in_(chunk),
                                                      KEYS.c.person_id.is_not(None))))
                destroyed += conn.execute(
                    KEYS.update().where(KEYS.c.key_id.in_(chunk), KEYS.c.key.is_not(None))
                    .values(key=None, erased_rule=erasure.rule, erased_on=erasure.on,
                            erased_by=by)).rowcount
            for person in people:  # a person with no key left is forgotten by name too
                live = conn.execute(sa.select(sa.func.count()).select_from(KEYS).where(
                    KEYS.c.person_id == person, KEYS.c.key.is_not(None))).scalar_one()
                if not live:
                    conn.execute(PEOPLE.update().where(PEOPLE.c.person_id == person).values(
                        name=None, name_key=None, contacts="[]", erased_on=erasure.on))
            conn.execute(STATE.update().values(generation=STATE.c.generation + 1))
        if self.engine.dialect.name == "sqlite":  # the replaced pages out of the WAL file
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return destroyed

    def key_records(self, *, case_file: UUID | None = None, person: str | None = None
                    ) -> list[KeyRecord]:
        query = sa.select(KEYS)
        if case_file is not None:
            query = query.where(KEYS.c.case_file == str(case_file))
        if person is not None:
            query = query.where(KEYS.c.person_id == person)
        with self.engine.connect() as conn:
            return [KeyRecord(row.key_id, UUID(row.case_file), row.person_id, row.created_on,
                              None if row.key is not None else _erasure(row))
                    for row in conn.execute(query.order_by(KEYS.c.key_id))]

    def people(self, query: str) -> list[dict[str, Any]]:
        folded = person_key(query)
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(PEOPLE).where(PEOPLE.c.name.is_not(None))).all()
        return [_person_record(row) for row in rows
                if folded in row.name_key or any(folded in c.casefold()
                                                 for c in json.loads(row.contacts))]

    def person(self, person_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(PEOPLE).where(PEOPLE.c.person_id == person_id)).first()
        return None if row is None else _person_record(row)

    def add_contact(self, subject: str, contact: str) -> None:
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(PEOPLE.c.person_id, PEOPLE.c.contacts)
                               .where(PEOPLE.c.name_key == subject)).first()
            if row is None:
                return
            contacts = json.loads(row.contacts)
            if contact not in contacts:
                conn.execute(PEOPLE.update().where(PEOPLE.c.person_id == row.person_id)
                             .values(contacts=json.dumps([*contacts, contact])))


@contextlib.contextmanager
def _failing_as_the_store() -> Any:
    """The key store's database failing under a reading (refusing connections, say) fails it
    as the event store's own failures do: the keys are read while entries are decoded, and
    the library would otherwise report any failure there as an entry it cannot read."""
    try:
        yield
    except DBAPIError as error:
        raise OperationalError(f"The key store could not be read: {error}") from error


def _material(row: Any) -> bytes | Erasure:
    return bytes(row.key) if row.key is not None else _erasure(row)


def _erasure(row: Any) -> Erasure:
    return Erasure(row.erased_rule or "an unrecorded rule", row.erased_on or date.min)


def _person_record(row: Any) -> dict[str, Any]:
    return {"person": row.person_id, "name": row.name, "contacts": json.loads(row.contacts),
            "erased_on": row.erased_on}


def _engine(url: str, server_engine: Callable[[str], Engine]) -> Engine:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            create_private(path)
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _zeroed(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.execute("PRAGMA secure_delete=ON")
            # As durable as the log's own commits; a destruction checkpoints the write-ahead
            # log at once (``destroy``), so the pages holding a destroyed key do not linger
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        return engine
    return server_engine(url)
