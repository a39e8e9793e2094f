"""The access log's viewers sealed under a key for each month, so that the retention schedule
can erase who viewed what by destroying a month's key: each new row keeps the key's id, the
commitment its link covers and the sealed address, and no address in plain. Rows from before
keep theirs.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("access_log") as batch:
        batch.alter_column("email", existing_type=sa.String(320), nullable=True)
        batch.add_column(sa.Column("email_key", sa.String(32), nullable=True))
        batch.add_column(sa.Column("email_commitment", sa.String(64), nullable=True))
        batch.add_column(sa.Column("email_sealed", sa.Text, nullable=True))
    op.create_index("access_log_email_key", "access_log", ["email_key"])


def downgrade() -> None:
    sealed = op.get_bind().execute(
        sa.text("SELECT count(*) FROM access_log WHERE email IS NULL")).scalar()
    if sealed:
        raise RuntimeError(
            f"The access log has {sealed} rows whose viewers are sealed: an older version of "
            "scc cannot read or verify them, so the store cannot be taken back before 0011")
    op.drop_index("access_log_email_key", table_name="access_log")
    with op.batch_alter_table("access_log") as batch:
        batch.drop_column("email_sealed")
        batch.drop_column("email_commitment")
        batch.drop_column("email_key")
        batch.alter_column("email", existing_type=sa.String(320), nullable=False)
