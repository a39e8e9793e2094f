"""The outbox's SQLAlchemy tables, beside the read models: messages waiting, sent or failed.

Status moves queued -> sending (claimed by one worker) -> sent; a failed attempt goes back to
queued with a later ``next_attempt_at``, or to failed after the last attempt. Nothing is
deleted: failed messages stay listed, with the last error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from adapters.migrations import require_current
from application.notifications import Message

POSITION_NAME = "notifications"


class UTCDateTime(sa.TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (no time zones) as well."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("The outbox stores only timezone-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_metadata = sa.MetaData()
OUTBOX = sa.Table(
    "outbox", _metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("recipient", sa.String(320), nullable=False),
    sa.Column("recipient_name", sa.String(200), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("urn", sa.Integer),
    sa.Column("key", sa.String(80)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # queued, sending, sent, failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("claimed_at", UTCDateTime),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Index("outbox_due", "status", "next_attempt_at"),
)
# Messages are looked up by address as people type it (adapters/migrations/versions/0002).
sa.Index("outbox_recipient", sa.func.lower(OUTBOX.c.recipient), OUTBOX.c.created_at)
OUTBOX_POSITION = sa.Table(
    "outbox_position", _metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)


class SQLOutbox:
    """The outbox (application.notifications.Outbox) on SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        require_current(engine, dispose_if_refused=True)
        with engine.begin() as conn:
            conn.execute(self._insert_new(OUTBOX_POSITION, conn)
                         .values(name=POSITION_NAME, position=0))

    def close(self) -> None:
        self.engine.dispose()

    def position(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(OUTBOX_POSITION.c.position)
                                .where(OUTBOX_POSITION.c.name == POSITION_NAME)).scalar_one()

    def queue(self, messages: Sequence[Message], *,
              log_range: tuple[int, int] | None = None) -> int | None:
        with self.engine.begin() as conn:
            if log_range is not None:
                moved = conn.execute(
                    OUTBOX_POSITION.update()
                    .where(OUTBOX_POSITION.c.name == POSITION_NAME,
                           OUTBOX_POSITION.c.position == log_range[0])
                    .values(position=log_range[1]))
                if moved.rowcount != 1:
                    return None  # another worker queued these entries first
            added = 0
            for message in messages:
                row = asdict(message) | {"status": "queued",
                                         "next_attempt_at": message.created_at}
                insert = self._insert_new(OUTBOX, conn).values(**row).returning(OUTBOX.c.id)
                added += len(conn.execute(insert).all())  # none if it was there already
            return added

    def claim(self, now: datetime, *, abandoned_before: datetime) -> Message | None:
        due = sa.or_(
            sa.and_(OUTBOX.c.status == "queued", OUTBOX.c.next_attempt_at <= now),
            sa.and_(OUTBOX.c.status == "sending", OUTBOX.c.claimed_at < abandoned_before),
        )
        with self.engine.begin() as conn:
            abandoned_last = sa.case((OUTBOX.c.status == "sending", 1), else_=0)
            candidates = conn.execute(
                sa.select(OUTBOX.c.id, OUTBOX.c.status, OUTBOX.c.attempts).where(due)
                .order_by(abandoned_last, OUTBOX.c.next_attempt_at, OUTBOX.c.created_at,
                          OUTBOX.c.id)
                .limit(20)
            ).all()
            for candidate in candidates:
                # Compare and set: a worker that got there first changed status or attempts.
                won = conn.execute(
                    OUTBOX.update()
                    .where(OUTBOX.c.id == candidate.id, OUTBOX.c.status == candidate.status,
                           OUTBOX.c.attempts == candidate.attempts)
                    .values(status="sending", claimed_at=now, attempts=candidate.attempts + 1)
                ).rowcount == 1
                if won:
                    row = conn.execute(sa.select(OUTBOX).where(OUTBOX.c.id == candidate.id))
                    return _message(row.one()._mapping)
        return None

    def give_up_abandoned(self, abandoned_before: datetime, *, max_attempts: int) -> int:
        with self.engine.begin() as conn:
            return conn.execute(
                OUTBOX.update()
                .where(OUTBOX.c.status == "sending", OUTBOX.c.claimed_at < abandoned_before,
                       OUTBOX.c.attempts >= max_attempts)
                .values(status="failed", claimed_at=None, last_error=(
                    f"Given up after {max_attempts} attempts: the worker sending it the last "
                    "time stopped before it was sent, and never recorded why"))
            ).rowcount

    def mark_sent(self, message_id: str, *, at: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(OUTBOX.update()
                         .where(OUTBOX.c.id == message_id, OUTBOX.c.status != "sent")
                         .values(status="sent", sent_at=at, claimed_at=None))

    def mark_attempt_failed(self, message_id: str, *, attempts: int, error: str,
                            retry_at: datetime | None) -> None:
        values: dict[str, Any] = {"last_error": error[:2000], "claimed_at": None}
        if retry_at is None:
            values["status"] = "failed"
        else:
            values |= {"status": "queued", "next_attempt_at": retry_at}
        with self.engine.begin() as conn:
            conn.execute(OUTBOX.update()
                         .where(OUTBOX.c.id == message_id, OUTBOX.c.status == "sending",
                                OUTBOX.c.attempts == attempts)  # still this worker's claim
                         .values(**values))

    def waiting(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(OUTBOX).where(
                OUTBOX.c.status.in_(("queued", "sending")))).scalar_one()

    def delivery_state(self, *, failed_since: datetime) -> dict[str, Any]:
        waiting = OUTBOX.c.status.in_(("queued", "sending"))
        with self.engine.connect() as conn:
            count, oldest, tried = conn.execute(
                sa.select(sa.func.count(), sa.func.min(OUTBOX.c.created_at),
                          sa.func.count(OUTBOX.c.last_error)).where(waiting)).one()
            failed = conn.execute(sa.select(sa.func.count()).select_from(OUTBOX).where(
                OUTBOX.c.status == "failed", OUTBOX.c.created_at >= failed_since)).scalar_one()
            # The newest error: of a message still waiting (its next try is the latest), else
            # of one failed for good.
            last_error = conn.execute(
                sa.select(OUTBOX.c.last_error)
                .where(OUTBOX.c.last_error.is_not(None),
                       sa.or_(waiting, sa.and_(OUTBOX.c.status == "failed",
                                               OUTBOX.c.created_at >= failed_since)))
                .order_by(sa.case((waiting, 0), else_=1), OUTBOX.c.next_attempt_at.desc())
                .limit(1)).scalar_one_or_none()
        return {"waiting": count, "oldest_waiting": oldest, "waiting_tried": tried,
                "failed": failed, "last_error": last_error}

    def messages(self, *, recipient: str | None = None, limit: int = 50
                 ) -> list[dict[str, Any]]:
        query = (sa.select(OUTBOX).order_by(OUTBOX.c.created_at.desc(), OUTBOX.c.id)
                 .limit(limit))
        if recipient is not None:
            query = query.where(sa.func.lower(OUTBOX.c.recipient) == recipient.strip().lower())
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    @staticmethod
    def _insert_new(table: sa.Table, conn: Connection) -> Any:
        """An insert that does nothing if the row's key is there already."""
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        return dialect.insert(table).on_conflict_do_nothing()


def _message(row: Any) -> Message:
    return Message(**{name: row[name] for name in Message.__dataclass_fields__})
