"""Users, failed sign-ins and the access log in SQL beside the read models; Argon2 hashes."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import argon2
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from adapters.administration import SQLAdministrationLog
from adapters.migrations import require_current
from adapters.outbox import UTCDateTime
from application import access_log
from domain import chain

# SQLite numbers rows itself only for an INTEGER primary key.
_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_metadata = sa.MetaData()
USERS = sa.Table(
    "users", _metadata,
    sa.Column("email", sa.String(320), primary_key=True),  # lower case
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # What entries record of who made them; never changes, never given to another account.
    sa.Column("account_id", sa.String(36), unique=True),
)
SIGN_IN_FAILURES = sa.Table(
    "sign_in_failures", _metadata,
    sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("source_ip", sa.String(45)),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("sign_in_failures_email", "email", "at"),
    sa.Index("sign_in_failures_source_ip", "source_ip", "at"),
)
ACCESS_LOG = sa.Table(
    "access_log", _metadata,
    sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
    sa.Column("email", sa.String(320), nullable=True),  # in plain: rows from before 0011
    sa.Column("urn", sa.Integer, nullable=False),
    sa.Column("view", sa.String(40), nullable=False),
    # The hash chain (application.access_log): the id of the row before, and this row's link.
    sa.Column("follows", _ROW_ID),
    sa.Column("link", sa.String(64)),
    # The viewer sealed under their month's key (application.access_log.sealed_viewer): the
    # key's id, the commitment the link covers, and the sealed address (base64).
    sa.Column("email_key", sa.String(32), nullable=True),
    sa.Column("email_commitment", sa.String(64), nullable=True),
    sa.Column("email_sealed", sa.Text, nullable=True),
    sa.Index("access_log_urn", "urn", "at"),
    sa.Index("access_log_follows", "follows", unique=True),  # one row follows each
    sa.Index("access_log_email_key", "email_key"),
)
_SEALED = "s"
"""The shape of a sealed text value in its stored form (application.personal_keys)."""
_ACCESS_WRITES = threading.Lock()
"""Held by the request adding this process's waiting rows to the access log."""


@dataclass
class _Waiting:
    """Rows of one request waiting to be added to the access log, and how that went."""

    rows: list[dict[str, Any]]
    written: bool = False
    error: BaseException | None = None

ACCESS_LOCK_CLASS = 0x5CC7
"""The first key of the advisory lock a PostgreSQL store holds while adding to the access log
(migrations hold 0x5CC6, the scheduler 0x5CC5)."""


class SQLUserStore:
    """The user store (application.users.UserStore) on SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._waiting: list[_Waiting] = []
        """Access-log rows of this process's requests, waiting for the write lock."""
        self._waiting_lock = threading.Lock()
        require_current(engine, dispose_if_refused=True)
        self.administration = SQLAdministrationLog(engine)

    def close(self) -> None:
        self.engine.dispose()

    def add(self, user: dict[str, Any], password_hash: str, created_at: datetime) -> bool:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(USERS).on_conflict_do_nothing().values(
            **user, password_hash=password_hash, disabled=False, created_at=created_at,
            account_id=str(uuid.uuid4()),
        ).returning(USERS.c.email)
        with self.engine.begin() as conn:
            return len(conn.execute(insert).all()) == 1  # none if the address was taken

    def get(self, email: str) -> dict[str, Any] | None:
        # Read on every request: one statement, outside a transaction.
        with self._reads.connect() as conn:
            row = conn.execute(sa.select(USERS).where(USERS.c.email == email)).first()
        return dict(row._mapping) if row else None

    def list(self) -> list[dict[str, Any]]:
        query = sa.select(USERS.c.email, USERS.c.name, USERS.c.role, USERS.c.disabled,
                          USERS.c.account_id).order_by(USERS.c.email)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def set_disabled(self, email: str, disabled: bool) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(USERS.update().where(USERS.c.email == email)
                                .values(disabled=disabled)).rowcount == 1

    def set_password_hash(self, email: str, password_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(USERS.update().where(USERS.c.email == email)
                         .values(password_hash=password_hash))

    def set_role(self, email: str, role: str) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(USERS.update().where(USERS.c.email == email)
                                .values(role=role)).rowcount == 1

    def record_failure(self, *, email: str, source_ip: str | None, at: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(SIGN_IN_FAILURES.insert().values(email=email, source_ip=source_ip,
                                                          at=at))

    def failures_since(self, since: datetime, *, email: str | None = None,
                       source_ip: str | None = None) -> list[datetime]:
        query = sa.select(SIGN_IN_FAILURES.c.at).where(SIGN_IN_FAILURES.c.at >= since)
        if email is not None:
            query = query.where(SIGN_IN_FAILURES.c.email == email)
        if source_ip is not None:
            query = query.where(SIGN_IN_FAILURES.c.source_ip == source_ip)
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def clear_failures(self, email: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(SIGN_IN_FAILURES.delete().where(SIGN_IN_FAILURES.c.email == email))

    def forget_failures_before(self, moment: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(SIGN_IN_FAILURES.delete().where(SIGN_IN_FAILURES.c.at < moment))

    def record_access(self, *, at: datetime, email: Any, urn: int, view: str) -> None:
        """Adds a row at the head of the chain, and returns once it is committed. ``email``
        is the viewer sealed (``application.access_log.sealed_viewer``), or an address in
        plain as rows were before viewers were sealed.

        Rows are added under one write lock (this process's, then SQLite's BEGIN IMMEDIATE
        or, on PostgreSQL, an advisory lock held to the commit), so that requests recording
        at once queue for a moment rather than clash and retry. Whoever takes the lock adds
        every row waiting for it, each following the one before, in one transaction: with
        eight readers at once, a commit each made the queue (and the page's tail) eight
        commits long. A failed transaction fails every request whose row it held, and
        leaves none of them. The unique ``follows`` still refuses a fork, should a writer
        ever skip the lock."""
        self.record_accesses(at=at, email=email, urns=[urn], view=view)

    def record_accesses(self, *, at: datetime, email: Any, urns: list[int], view: str
                        ) -> None:
        """Adds a row for each school at the head of the chain, one after another in the
        same transaction, queued and written as ``record_access`` says."""
        mine = _Waiting([{"at": at, "email": email, "urn": urn, "view": view}
                         for urn in urns])
        with self._waiting_lock:
            self._waiting.append(mine)
        with _ACCESS_WRITES:
            if not mine.written:
                with self._waiting_lock:
                    rows, self._waiting = self._waiting, []
                try:
                    self._append_rows([row for w in rows for row in w.rows])
                except BaseException as error:
                    for waiting in rows:
                        waiting.error = error
                for waiting in rows:
                    waiting.written = True
        if mine.error is not None:
            raise mine.error

    def _append_rows(self, rows: list[dict[str, Any]]) -> None:
        if self.engine.dialect.name == "sqlite":
            # SQLite makes a writer that finds the file locked (by another process) sleep and
            # look again, up to 100 ms a time. Autocommit to the driver, so that this
            # transaction's BEGIN is the one sent here.
            with self._reads.connect() as conn:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                try:
                    self._append_access(conn, rows)
                except BaseException:
                    conn.exec_driver_sql("ROLLBACK")
                    raise
                conn.exec_driver_sql("COMMIT")
            return
        with self.engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:a, :b)"),
                         {"a": ACCESS_LOCK_CLASS, "b": 0})
            self._append_access(conn, rows)

    @staticmethod
    def _append_access(conn: Any, rows: list[dict[str, Any]]) -> None:
        """Chains the rows after the head, each following the one before (whose id the
        database gives as it is inserted)."""
        head = conn.execute(sa.select(ACCESS_LOG.c.id, ACCESS_LOG.c.link)
                            .order_by(ACCESS_LOG.c.id.desc()).limit(1)).first()
        follows, link = (head.id, head.link) if head else (access_log.FIRST, chain.GENESIS)
        insert = ACCESS_LOG.insert().returning(ACCESS_LOG.c.id)  # compiled once, for all
        for row in rows:
            row = {**row, "follows": follows}
            link = access_log.access_link(link, row)
            follows = conn.execute(insert, {**row, **_viewer_columns(row["email"]),
                                            "link": link}).scalar_one()

    def access_rows(self, *, after: int, limit: int) -> list[dict[str, Any]]:
        query = (sa.select(ACCESS_LOG.c.id, ACCESS_LOG.c.follows, ACCESS_LOG.c.link,
                           ACCESS_LOG.c.at, ACCESS_LOG.c.urn, ACCESS_LOG.c.view, *_VIEWER)
                 .where(ACCESS_LOG.c.id > after).order_by(ACCESS_LOG.c.id).limit(limit))
        with self.engine.connect() as conn:
            return [_with_viewer(r) for r in conn.execute(query)]

    def access_log(self, *, urn: int | None, limit: int) -> list[dict[str, Any]]:
        query = (sa.select(ACCESS_LOG.c.at, ACCESS_LOG.c.urn, ACCESS_LOG.c.view, *_VIEWER)
                 .order_by(ACCESS_LOG.c.at.desc(), ACCESS_LOG.c.id.desc()).limit(limit))
        if urn is not None:
            query = query.where(ACCESS_LOG.c.urn == urn)
        with self.engine.connect() as conn:
            return [_with_viewer(r) for r in conn.execute(query)]

    def access_log_keys(self) -> list[dict[str, Any]]:
        query = (sa.select(ACCESS_LOG.c.email_key, sa.func.min(ACCESS_LOG.c.at).label("first"),
                           sa.func.count().label("rows"))
                 .where(ACCESS_LOG.c.email_key.is_not(None))
                 .group_by(ACCESS_LOG.c.email_key))
        with self.engine.connect() as conn:
            return [{"key_id": r.email_key, "first": r.first, "rows": r.rows}
                    for r in conn.execute(query)]


_VIEWER = (ACCESS_LOG.c.email, ACCESS_LOG.c.email_key, ACCESS_LOG.c.email_commitment,
           ACCESS_LOG.c.email_sealed)


def _viewer_columns(email: Any) -> dict[str, Any]:
    """A row's viewer as its columns: the sealed form's parts, or the address in plain."""
    if not hasattr(email, "linked"):  # an address in plain, as rows were before
        return {"email": email, "email_key": None, "email_commitment": None,
                "email_sealed": None}
    if email.sealed is None:  # its link covers a commitment: never store it in plain
        raise ValueError("A viewer to be logged sealed was not sealed")
    sealed = email.sealed
    key_id, commitment, content, _ = sealed
    return {"email": None, "email_key": key_id, "email_commitment": commitment,
            "email_sealed": content}


def _with_viewer(row: Any) -> dict[str, Any]:
    """A row as the application reads it: ``sealed_email`` the viewer's stored form."""
    found = dict(row._mapping)
    key_id, commitment, content = (found.pop("email_key"), found.pop("email_commitment"),
                                   found.pop("email_sealed"))
    found["sealed_email"] = None if key_id is None else [key_id, commitment, content, _SEALED]
    return found


class Argon2Hasher:
    """Argon2id hashes (application.users.PasswordHasher).

    The default cost is OWASP's Password Storage Cheat Sheet's Argon2id setting of 19 MiB,
    two passes, one lane: argon2-cffi's own default (64 MiB, four lanes) takes a quarter of
    a second of both cores of a small server per sign-in, which hands anyone who posts the
    sign-in form in a loop an easy way to stall the web workers. Hashes made with other
    settings are rehashed at the next sign-in."""

    def __init__(self, hasher: argon2.PasswordHasher | None = None) -> None:
        self._hasher = hasher or argon2.PasswordHasher(
            time_cost=2, memory_cost=19 * 1024, parallelism=1, type=argon2.Type.ID)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except argon2.exceptions.InvalidHashError:
            return True
