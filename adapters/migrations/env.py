"""Alembic's environment for scc: runs the revisions on the connection scc hands it."""

from __future__ import annotations

from alembic import context

from adapters.migrations import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table=VERSION_TABLE,
                  transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
