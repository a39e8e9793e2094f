"""Signed-in sessions and one-time password-reset links in SQL, beside the users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.migrations import require_current
from adapters.outbox import UTCDateTime

_metadata = sa.MetaData()
SESSIONS = sa.Table(
    "sessions", _metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("email", sa.String(320), nullable=False, index=True),  # lower case
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
)
PASSWORD_RESETS = sa.Table(
    "password_resets", _metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("email", sa.String(320), nullable=False, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("used_at", UTCDateTime),
)


class SQLSessionStore:
    """The session store (application.sessions.SessionStore) on SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        require_current(engine)

    def close(self) -> None:
        self.engine.dispose()

    def add(self, *, id_hash: str, email: str, at: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(SESSIONS.insert().values(id_hash=id_hash, email=email, started_at=at,
                                                  last_seen_at=at))

    def find(self, id_hash: str) -> dict[str, Any] | None:
        # Read on every request: one statement, outside a transaction.
        query = sa.select(SESSIONS.c.email, SESSIONS.c.started_at, SESSIONS.c.last_seen_at
                          ).where(SESSIONS.c.id_hash == id_hash)
        with self._reads.connect() as conn:
            row = conn.execute(query).first()
        return dict(row._mapping) if row else None

    def touch(self, id_hash: str, at: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(SESSIONS.update().where(SESSIONS.c.id_hash == id_hash)
                         .values(last_seen_at=at))

    def end(self, id_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(SESSIONS.delete().where(SESSIONS.c.id_hash == id_hash))

    def end_all(self, email: str, *, keep: str | None = None) -> int:
        delete = SESSIONS.delete().where(SESSIONS.c.email == email)
        if keep is not None:
            delete = delete.where(SESSIONS.c.id_hash != keep)
        with self.engine.begin() as conn:
            return conn.execute(delete).rowcount

    def forget_started_before(self, moment: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(SESSIONS.delete().where(SESSIONS.c.started_at < moment))


class SQLResetStore:
    """One-time password-reset links (application.users.ResetStore) on SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        require_current(engine)

    def close(self) -> None:
        self.engine.dispose()

    def add(self, *, token_hash: str, email: str, at: datetime, expires_at: datetime) -> None:
        with self.engine.begin() as conn:
            # A new link replaces any the user had not used.
            conn.execute(PASSWORD_RESETS.delete().where(PASSWORD_RESETS.c.email == email,
                                                        PASSWORD_RESETS.c.used_at.is_(None)))
            conn.execute(PASSWORD_RESETS.insert().values(
                token_hash=token_hash, email=email, created_at=at, expires_at=expires_at))

    def find(self, token_hash: str) -> dict[str, Any] | None:
        """{email, created_at, expires_at, used_at}, or None."""
        query = sa.select(PASSWORD_RESETS.c.email, PASSWORD_RESETS.c.created_at,
                          PASSWORD_RESETS.c.expires_at, PASSWORD_RESETS.c.used_at
                          ).where(PASSWORD_RESETS.c.token_hash == token_hash)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return dict(row._mapping) if row else None

    def use(self, token_hash: str, at: datetime) -> bool:
        """Marks the link used; False if it was used already (by another request too)."""
        with self.engine.begin() as conn:
            return conn.execute(
                PASSWORD_RESETS.update()
                .where(PASSWORD_RESETS.c.token_hash == token_hash,
                       PASSWORD_RESETS.c.used_at.is_(None))
                .values(used_at=at)).rowcount == 1
