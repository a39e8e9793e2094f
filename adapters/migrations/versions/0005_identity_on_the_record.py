"""Every account has a stable id, and user administration has its own hash-chained log.

``users.account_id`` is what entries record about who made them (beside the name, which may
change or be shared); existing users are given one here. ``user_administration`` holds one row
per change to a user (added, disabled, enabled, role or password changed), each linked to the
one before it (``domain.administration``), checked by ``scc verify``.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("account_id", sa.String(36)))
    users = sa.table("users", sa.column("email", sa.String), sa.column("account_id", sa.String))
    conn = op.get_bind()
    for email in conn.execute(sa.select(users.c.email)).scalars().all():
        conn.execute(users.update().where(users.c.email == email)
                     .values(account_id=str(uuid.uuid4())))
    op.create_index("users_account_id", "users", ["account_id"], unique=True)
    op.create_table(
        "user_administration",
        sa.Column("number", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  primary_key=True, autoincrement=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("link", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("user_administration")
    op.drop_index("users_account_id", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("account_id")
