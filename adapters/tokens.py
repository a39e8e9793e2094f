"""API tokens' SHA-256 hashes in SQL, beside the users they belong to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.migrations import require_current
from adapters.outbox import UTCDateTime
from adapters.users import USERS

_metadata = sa.MetaData()
API_TOKENS = sa.Table(
    "api_tokens", _metadata,
    # SQLite numbers rows itself only for an INTEGER primary key.
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False, index=True),  # the user's, lower case
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime),
    sa.Column("expires_at", UTCDateTime),  # none only if made before tokens expired
    sa.Column("last_used_at", UTCDateTime),
)
_PUBLIC = (API_TOKENS.c.id, API_TOKENS.c.email, API_TOKENS.c.name, API_TOKENS.c.created_at,
           API_TOKENS.c.revoked_at, API_TOKENS.c.expires_at, API_TOKENS.c.last_used_at)


class SQLTokenStore:
    """The token store (application.tokens.TokenStore) on SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        require_current(engine)  # the table is made by the migrations

    def close(self) -> None:
        self.engine.dispose()

    def add(self, *, email: str, name: str, token_hash: str, created_at: datetime,
            expires_at: datetime) -> int:
        insert = API_TOKENS.insert().values(email=email, name=name, token_hash=token_hash,
                                            created_at=created_at, expires_at=expires_at)
        with self.engine.begin() as conn:
            return conn.execute(insert.returning(API_TOKENS.c.id)).scalar_one()

    def find(self, token_hash: str) -> dict[str, Any] | None:
        # One query with the user's row, since every API request asks.
        query = (sa.select(*_PUBLIC, USERS.c.name.label("user_name"), USERS.c.role,
                           USERS.c.disabled)
                 .select_from(API_TOKENS.outerjoin(USERS, USERS.c.email == API_TOKENS.c.email))
                 .where(API_TOKENS.c.token_hash == token_hash))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        found = dict(row._mapping)
        user_name, role, disabled = (found.pop(k) for k in ("user_name", "role", "disabled"))
        found["user"] = None if role is None else {
            "email": found["email"], "name": user_name, "role": role, "disabled": disabled}
        return found

    def list(self, email: str | None) -> list[dict[str, Any]]:
        query = sa.select(*_PUBLIC).order_by(API_TOKENS.c.id)
        if email is not None:
            query = query.where(API_TOKENS.c.email == email)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def revoke(self, token_id: int, at: datetime) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(
                API_TOKENS.update()
                .where(API_TOKENS.c.id == token_id, API_TOKENS.c.revoked_at.is_(None))
                .values(revoked_at=at)).rowcount == 1

    def used(self, token_id: int, at: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(API_TOKENS.update().where(API_TOKENS.c.id == token_id)
                         .values(last_used_at=at))
