"""The tables as scc made them before it had migrations (created where missing).

A store made by an earlier version already has some or all of them, as each part of scc
created its own on first use: those are kept as they are, and the rest are created.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def _tables() -> list[sa.Table]:
    """Frozen copies of the definitions of that time: later changes are later revisions."""
    metadata = sa.MetaData()
    return [
        sa.Table(
            "projection_positions", metadata,
            sa.Column("name", sa.String(40), primary_key=True),
            sa.Column("position", sa.BigInteger, nullable=False),
            sa.Column("generation", sa.Integer, nullable=False),
            sa.Column("rebuilt_at", _WHEN),
        ),
        sa.Table(
            "outbox", metadata,
            sa.Column("id", sa.String(64), primary_key=True),
            sa.Column("kind", sa.String(10), nullable=False),
            sa.Column("recipient", sa.String(320), nullable=False, index=True),
            sa.Column("recipient_name", sa.String(200), nullable=False),
            sa.Column("subject", sa.Text, nullable=False),
            sa.Column("body", sa.Text, nullable=False),
            sa.Column("urn", sa.Integer),
            sa.Column("key", sa.String(80)),
            sa.Column("created_at", _WHEN, nullable=False),
            sa.Column("status", sa.String(10), nullable=False),
            sa.Column("attempts", sa.Integer, nullable=False),
            sa.Column("next_attempt_at", _WHEN, nullable=False),
            sa.Column("claimed_at", _WHEN),
            sa.Column("sent_at", _WHEN),
            sa.Column("last_error", sa.Text),
            sa.Index("outbox_due", "status", "next_attempt_at"),
        ),
        sa.Table(
            "outbox_position", metadata,
            sa.Column("name", sa.String(40), primary_key=True),
            sa.Column("position", sa.BigInteger, nullable=False),
        ),
        sa.Table(
            "users", metadata,
            sa.Column("email", sa.String(320), primary_key=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("role", sa.String(20), nullable=False),
            sa.Column("password_hash", sa.Text, nullable=False),
            sa.Column("disabled", sa.Boolean, nullable=False),
            sa.Column("created_at", _WHEN, nullable=False),
        ),
        sa.Table(
            "sign_in_failures", metadata,
            sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
            sa.Column("email", sa.String(320), nullable=False),
            sa.Column("source_ip", sa.String(45)),
            sa.Column("at", _WHEN, nullable=False),
            sa.Index("sign_in_failures_email", "email", "at"),
            sa.Index("sign_in_failures_source_ip", "source_ip", "at"),
        ),
        sa.Table(
            "access_log", metadata,
            sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
            sa.Column("at", _WHEN, nullable=False, index=True),
            sa.Column("email", sa.String(320), nullable=False),
            sa.Column("urn", sa.Integer, nullable=False),
            sa.Column("view", sa.String(40), nullable=False),
            sa.Index("access_log_urn", "urn", "at"),
        ),
        # APScheduler 3's job store, as SQLAlchemyJobStore defines it.
        sa.Table(
            "apscheduler_jobs", metadata,
            sa.Column("id", sa.Unicode(191), primary_key=True),
            sa.Column("next_run_time", sa.Float(25), index=True),
            sa.Column("job_state", sa.LargeBinary, nullable=False),
        ),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    for table in _tables():
        table.create(bind, checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("The baseline is not undone: restore a backup instead")
