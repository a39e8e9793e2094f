"""The data protection decisions log in SQL beside the users
(application.data_protection.DecisionStore)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from adapters.migrations import require_current
from adapters.outbox import UTCDateTime
from domain.data_protection import Decision

_metadata = sa.MetaData()
DECISIONS = sa.Table(
    "data_protection_decisions", _metadata,  # made by migration 0009
    sa.Column("number", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
              autoincrement=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(40), nullable=False),
    sa.Column("by", sa.String(200), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("link", sa.String(64), nullable=False),
)


class SQLDecisionLog:
    """Appends only: a decision's number is its primary key, so two appends of the same next
    number cannot both be stored (the second is told, and tries again after the first)."""

    def __init__(self, engine: Engine) -> None:
        require_current(engine, dispose_if_refused=True)  # a new store's tables are made
        self.engine = engine

    def close(self) -> None:
        self.engine.dispose()

    def last(self) -> Decision | None:
        query = sa.select(DECISIONS).order_by(DECISIONS.c.number.desc()).limit(1)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _decision(row)

    def append(self, decision: Decision) -> bool:
        row = {**vars(decision), "actor": _json(decision.actor),
               "details": _json(decision.details)}
        try:
            with self.engine.begin() as conn:
                conn.execute(DECISIONS.insert().values(**row))
        except IntegrityError:
            return False
        return True

    def decisions(self) -> list[Decision]:
        query = sa.select(DECISIONS).order_by(DECISIONS.c.number)
        with self.engine.connect() as conn:
            return [_decision(row) for row in conn.execute(query)]


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _decision(row: Any) -> Decision:
    fields = dict(row._mapping)
    fields["actor"], fields["details"] = json.loads(fields["actor"]), json.loads(fields["details"])
    return Decision(**fields)
