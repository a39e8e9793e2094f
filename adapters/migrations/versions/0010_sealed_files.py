"""Kept files sealed under their case file's key, so that destroying the key erases them: each
file once per key and content, under the key's id and its SHA-256, a sealed megabyte a row,
listed in sealed_files once every part is in. Files kept before stay in kept_files, plain.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sealed_file_parts",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("part", sa.Integer, primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "sealed_files",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("parts", sa.Integer, nullable=False),
        sa.Column("kept_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("sealed_files_sha256", "sealed_files", ["sha256"])


def downgrade() -> None:
    op.drop_index("sealed_files_sha256", table_name="sealed_files")
    op.drop_table("sealed_files")
    op.drop_table("sealed_file_parts")
