"""The read models' PostgreSQL connections: a pooled connection that lay idle is checked
before use, so a server that dropped it (restarted, or the session killed) costs nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import adapters.read_models as read_models
from adapters.read_models import read_model_engine

pytestmark = pytest.mark.postgres


def backend(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def kill(postgres_database: str, pid: int) -> None:
    engine = sa.create_engine(postgres_database.replace("postgresql:", "postgresql+psycopg:"))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    engine.dispose()


def test_a_connection_dropped_while_idle_is_replaced_before_use(postgres_database,
                                                                monkeypatch):
    engine = read_model_engine(postgres_database)
    try:
        first = backend(engine)
        kill(postgres_database, first)
        monkeypatch.setattr(read_models, "IDLE_BEFORE_PING", 0.0)  # it has lain idle long enough

        # Check the next read works, on a new session
        assert backend(engine) != first
    finally:
        engine.dispose()


def test_a_connection_just_put_back_is_handed_out_unchecked(postgres_database, monkeypatch):
    # What the check saves: a busy server pays no round trip per query for it. (Killing the
    # session this quickly is the one case it misses; the query then fails and SQLAlchemy
    # replaces the pool's connections.)
    engine = read_model_engine(postgres_database)
    try:
        first = backend(engine)
        kill(postgres_database, first)
        monkeypatch.setattr(read_models, "IDLE_BEFORE_PING", 3600.0)

        with pytest.raises(sa.exc.OperationalError):
            backend(engine)
        assert backend(engine) != first
    finally:
        engine.dispose()
