"""The users' calendar feed addresses in SQL: the SHA-256 of each secret, by user."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.migrations import require_current
from adapters.outbox import UTCDateTime

_metadata = sa.MetaData()
CALENDAR_FEEDS = sa.Table(
    "calendar_feeds", _metadata,
    sa.Column("email", sa.String(320), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("issued_at", UTCDateTime, nullable=False),
)


class SQLCalendarFeedStore:
    """The feed store (application.calendar_feed.FeedStore) on SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        require_current(engine)  # the table is made by the migrations

    def close(self) -> None:
        self.engine.dispose()

    def replace(self, *, email: str, token_hash: str, issued_at: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(CALENDAR_FEEDS.delete().where(CALENDAR_FEEDS.c.email == email))
            conn.execute(CALENDAR_FEEDS.insert().values(
                email=email, token_hash=token_hash, issued_at=issued_at))

    def email_for(self, token_hash: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(CALENDAR_FEEDS.c.email).where(
                CALENDAR_FEEDS.c.token_hash == token_hash)).scalar_one_or_none()

    def issued_at(self, email: str) -> datetime | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(CALENDAR_FEEDS.c.issued_at).where(
                CALENDAR_FEEDS.c.email == email)).scalar_one_or_none()
