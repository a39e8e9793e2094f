"""The access log becomes a hash chain: each row names the row it follows and carries a link.

Rows already in the log are chained here, oldest first, so that from now on a row deleted or
edited in the store is found by ``scc verify`` (``application.access_log``).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    from adapters.users import ACCESS_LOG
    from application.access_log import FIRST, access_link
    from domain.chain import GENESIS

    op.add_column("access_log", sa.Column("follows", _ROW_ID))
    op.add_column("access_log", sa.Column("link", sa.String(64)))
    bind = op.get_bind()
    follows, previous = FIRST, GENESIS
    rows = bind.execute(sa.select(ACCESS_LOG.c.id, ACCESS_LOG.c.at, ACCESS_LOG.c.email,
                                  ACCESS_LOG.c.urn, ACCESS_LOG.c.view)
                        .order_by(ACCESS_LOG.c.id)).all()
    for row in rows:
        previous = access_link(previous, {**row._mapping, "follows": follows})
        bind.execute(ACCESS_LOG.update().where(ACCESS_LOG.c.id == row.id)
                     .values(follows=follows, link=previous))
        follows = row.id
    op.create_index("access_log_follows", "access_log", ["follows"], unique=True)


def downgrade() -> None:
    op.drop_index("access_log_follows", table_name="access_log")
    with op.batch_alter_table("access_log") as batch:
        batch.drop_column("link")
        batch.drop_column("follows")
