"""The outbox found by recipient as people type it: an index on the lower-cased address.

``scc notifications --email`` and each user's notifications page look messages up by
``lower(recipient)``, newest first, which the plain index on ``recipient`` cannot serve.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_outbox_recipient", table_name="outbox")
    op.create_index("outbox_recipient", "outbox", [sa.text("lower(recipient)"), "created_at"])


def downgrade() -> None:
    op.drop_index("outbox_recipient", table_name="outbox")
    op.create_index("ix_outbox_recipient", "outbox", ["recipient"])
