"""Sessions kept on the server, one-time password-reset links, and API tokens that expire.

``sessions`` holds each signed-in browser's session by the SHA-256 of its random id (the
cookie carries the id itself), so that signing out, disabling a user, changing their role or
password end it on the server. ``password_resets`` holds the hashes of the one-time links an
administrator gives a user to set a new password. ``api_tokens`` (made by scc itself before
this revision, where missing it is made here) gains an expiry and the time it was last used;
tokens made before this revision expire 90 days after it is applied.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)
OLD_TOKENS_EXPIRE_AFTER = timedelta(days=90)


def upgrade() -> None:
    bind = op.get_bind()
    metadata = sa.MetaData()
    sessions = sa.Table(
        "sessions", metadata,
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, index=True),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("last_seen_at", _WHEN, nullable=False),
    )
    resets = sa.Table(
        "password_resets", metadata,
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, index=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("used_at", _WHEN),
    )
    tokens = sa.Table(
        "api_tokens", metadata,
        sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("revoked_at", _WHEN),
        sa.Column("expires_at", _WHEN),
        sa.Column("last_used_at", _WHEN),
    )
    sessions.create(bind, checkfirst=True)
    resets.create(bind, checkfirst=True)
    if not sa.inspect(bind).has_table("api_tokens"):
        tokens.create(bind)
        return
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", _WHEN))
        batch.add_column(sa.Column("last_used_at", _WHEN))
    expires = datetime.now(UTC) + OLD_TOKENS_EXPIRE_AFTER
    if bind.dialect.name == "sqlite":
        expires = expires.replace(tzinfo=None)  # as scc's UTC times are kept there
    bind.execute(sa.text("UPDATE api_tokens SET expires_at = :expires WHERE expires_at IS NULL"),
                 {"expires": expires})


def downgrade() -> None:
    op.drop_table("password_resets")
    op.drop_table("sessions")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
