"""The user administration log in SQL beside the users (application.administration.LogStore)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from adapters.outbox import UTCDateTime
from domain.administration import AdministrationEntry

_metadata = sa.MetaData()
USER_ADMINISTRATION = sa.Table(
    "user_administration", _metadata,  # made by migration 0004
    sa.Column("number", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
              autoincrement=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("by", sa.String(200), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("link", sa.String(64), nullable=False),
)


class SQLAdministrationLog:
    """Appends only: an entry's number is its primary key, so two appends of the same next
    number cannot both be stored (the second is told, and tries again after the first)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def last(self) -> AdministrationEntry | None:
        query = (sa.select(USER_ADMINISTRATION)
                 .order_by(USER_ADMINISTRATION.c.number.desc()).limit(1))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _entry(row)

    def append(self, entry: AdministrationEntry) -> bool:
        """False if an entry of that number was stored meanwhile."""
        row = {**entry.__dict__, **{k: _json(getattr(entry, k))
                                    for k in ("subject", "actor", "details")}}
        try:
            with self.engine.begin() as conn:
                conn.execute(USER_ADMINISTRATION.insert().values(**row))
        except IntegrityError:
            return False
        return True

    def entries(self) -> list[AdministrationEntry]:
        query = sa.select(USER_ADMINISTRATION).order_by(USER_ADMINISTRATION.c.number)
        with self.engine.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _entry(row: Any) -> AdministrationEntry:
    fields = dict(row._mapping)
    for key in ("subject", "actor", "details"):
        fields[key] = json.loads(fields[key])
    return AdministrationEntry(**fields)
