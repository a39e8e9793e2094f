"""Each projection records the shape of its tables, so a changed shape is rebuilt.

Projections built before this revision have no shape recorded: ``scc migrate`` rebuilds them
from the log once, into a new generation, and records the shape.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projection_positions", sa.Column("shape", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("projection_positions") as batch:
        batch.drop_column("shape")
