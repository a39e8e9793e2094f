"""The read models' SQLAlchemy tables, in the event store's own database by default.

Each projection's tables carry a generation number: a rebuild fills the next generation while
readers keep using the current one, then moves the pointer and the position in one
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from application.projections import PROJECTIONS, Batch

_positions_metadata = sa.MetaData()
POSITIONS = sa.Table(
    "projection_positions", _positions_metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("rebuilt_at", sa.DateTime(timezone=True)),
)


@cache
def tables(projection: str, generation: int) -> list[sa.Table]:
    """The tables of one generation of a projection."""
    metadata = sa.MetaData()
    g = f"_g{generation}"
    if projection == "school_status":
        return [sa.Table(
            f"school_status{g}", metadata,
            sa.Column("urn", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("phase", sa.String(60)),
            sa.Column("phase_group", sa.String(20), index=True),
            sa.Column("establishment_type", sa.String(100)),
            sa.Column("governance", sa.String(20)),
            sa.Column("la_code", sa.String(10)),
            sa.Column("pupils", sa.Integer),
            sa.Column("opened_on", sa.Date),
            sa.Column("closed_on", sa.Date),
            sa.Column("category", sa.String(10)),
            sa.Column("category_since", sa.Date),
            sa.Column("ofsted_overall", sa.Integer),
            sa.Column("ofsted_label", sa.String(80)),
            sa.Column("ofsted_category", sa.String(40)),
            sa.Column("ofsted_published_on", sa.Date),
            sa.Column("causing_concern", sa.Boolean, nullable=False, index=True),
            sa.Column("concern_reasons", sa.Text),
            sa.Column("open_concerns", sa.Integer, nullable=False),
            sa.Column("warning_notice", sa.String(10)),
            sa.Column("compliance_date", sa.Date),
            sa.Column("eligible", sa.String(80)),
            sa.Column("ieb_stage", sa.String(20)),
            sa.Column("msp_next_meeting", sa.Date),
            sa.Column("next_deadline", sa.Date),
            sa.Column("next_deadline_what", sa.Text),
            sa.Column("caseworker", sa.String(200)),
            sa.Column("caseworker_email", sa.String(320)),
        )]
    if projection == "category_history":
        return [sa.Table(
            f"school_spells{g}", metadata,
            sa.Column("urn", sa.Integer, nullable=False, index=True),
            sa.Column("kind", sa.String(10), nullable=False),
            sa.Column("grade", sa.String(10)),
            sa.Column("label", sa.String(60)),
            sa.Column("starts_on", sa.Date, nullable=False),
            sa.Column("ends_on", sa.Date),
        )]
    if projection == "deadlines":
        return [sa.Table(
            f"deadlines{g}", metadata,
            sa.Column("urn", sa.Integer, nullable=False, index=True),
            sa.Column("key", sa.String(40), nullable=False),
            sa.Column("kind", sa.String(30), nullable=False),
            sa.Column("due", sa.Date, nullable=False, index=True),
            sa.Column("what", sa.Text, nullable=False),
            sa.Column("source_version", sa.Integer, nullable=False),
            sa.Column("suspended", sa.Boolean, nullable=False),
        )]
    if projection == "firings":
        return [sa.Table(
            f"firings{g}", metadata,
            sa.Column("urn", sa.Integer, nullable=False, index=True),
            sa.Column("key", sa.String(40), nullable=False),
            sa.Column("due", sa.Date, nullable=False),
            sa.Column("working_days_before", sa.Integer, nullable=False),
            sa.Column("fire_on", sa.Date, nullable=False, index=True),
        )]
    if projection == "activity":
        return [sa.Table(
            f"activity{g}", metadata,
            sa.Column("notification_id", sa.BigInteger, primary_key=True),
            sa.Column("urn", sa.Integer, nullable=False, index=True),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("event", sa.String(40), nullable=False),
            sa.Column("summary", sa.Text, nullable=False),
            sa.Column("effective", sa.Date, nullable=False),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("recorded_by", sa.String(200), nullable=False),
        )]
    raise ValueError(f"No projection {projection!r}")


def read_model_engine(database_url: str) -> Engine:
    """An engine on the same database as the event store (same file, or same schema)."""
    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        engine = sa.create_engine(database_url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _wal(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        return engine
    schema = parse_qs(url.query).get("schema", [None])[0]
    plain = urlunsplit(("postgresql+psycopg", url.netloc, url.path, "", ""))
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    return sa.create_engine(plain, connect_args=connect_args, pool_pre_ping=True)


class SQLReadModels:
    """The read-model store (application.projections.ReadModelStore) on SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        for attempt in (1, 2, 3):
            try:
                self._create()
                break
            except (sa.exc.IntegrityError, sa.exc.OperationalError, sa.exc.ProgrammingError):
                # Another process created the same tables at the same moment: look again.
                if attempt == 3:
                    raise

    def _create(self) -> None:
        _positions_metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            known = {r.name for r in conn.execute(sa.select(POSITIONS.c.name))}
            for name in PROJECTIONS:
                if name not in known:
                    conn.execute(POSITIONS.insert().values(name=name, position=0, generation=1))
                    for table in tables(name, 1):
                        table.create(conn, checkfirst=True)

    def close(self) -> None:
        self.engine.dispose()

    # The store port --------------------------------------------------------------------

    def position(self, projection: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(POSITIONS.c.position).where(POSITIONS.c.name == projection)
            ).scalar_one()

    def commit(self, batch: Batch) -> bool:
        with self.engine.begin() as conn:
            moved = conn.execute(
                POSITIONS.update()
                .where(POSITIONS.c.name == batch.projection,
                       POSITIONS.c.position == batch.from_position)
                .values(position=batch.to_position)
            )
            if moved.rowcount != 1:
                return False  # another process got there first; this batch is theirs
            self._write(conn, batch, self._generation(conn, batch.projection))
        return True

    def rebuild(self, projections: list[str], batches: Iterable[list[Batch]],
                position: int) -> None:
        with self.engine.connect() as conn:
            current = {name: self._generation(conn, name) for name in projections}
        with self.engine.begin() as conn:
            for name in projections:
                for table in tables(name, current[name] + 1):
                    table.drop(conn, checkfirst=True)  # left by a rebuild that died
                    table.create(conn)
        for group in batches:
            with self.engine.begin() as conn:
                for batch in group:
                    self._write(conn, batch, current[batch.projection] + 1)
        with self.engine.begin() as conn:  # the swap: readers move to the new tables at once
            for name in projections:
                conn.execute(
                    POSITIONS.update().where(POSITIONS.c.name == name).values(
                        position=position, generation=current[name] + 1,
                        rebuilt_at=datetime.now(UTC))
                )
        with self.engine.begin() as conn:
            for name in projections:
                for table in tables(name, current[name]):
                    table.drop(conn, checkfirst=True)

    # Reading ----------------------------------------------------------------------------

    @contextmanager
    def reading(self, projection: str) -> Iterator[tuple[Connection, sa.Table]]:
        """A connection and the projection's current table, consistent for one query."""
        with self.engine.connect() as conn:
            yield conn, tables(projection, self._generation(conn, projection))[0]

    def schools(self) -> list[dict[str, Any]]:
        return self._rows("school_status", order_by=lambda t: [t.c.urn])

    def spells(self) -> list[dict[str, Any]]:
        return self._rows("category_history", order_by=lambda t: [t.c.urn, t.c.starts_on])

    def deadlines(self) -> list[dict[str, Any]]:
        return self._rows("deadlines", order_by=lambda t: [t.c.due, t.c.urn])

    def firings(self, *, due_by: date | None = None) -> list[dict[str, Any]]:
        """Pending reminders and passings, soonest first; only those due by a day if given."""
        with self.reading("firings") as (conn, table):
            query = sa.select(table).order_by(table.c.fire_on, table.c.urn, table.c.key)
            if due_by is not None:
                query = query.where(table.c.fire_on <= due_by)
            return [dict(r._mapping) for r in conn.execute(query)]

    def next_firing_on(self) -> date | None:
        with self.reading("firings") as (conn, table):
            return conn.execute(sa.select(sa.func.min(table.c.fire_on))).scalar()

    def activity(self, limit: int = 50) -> list[dict[str, Any]]:
        return self._rows("activity", order_by=lambda t: [t.c.notification_id.desc()],
                          limit=limit)

    def activity_of(self, urns: Iterable[int], limit: int = 50) -> list[dict[str, Any]]:
        urns = list(urns)
        if not urns:
            return []
        with self.reading("activity") as (conn, table):
            query = (sa.select(table).where(table.c.urn.in_(urns))
                     .order_by(table.c.notification_id.desc()).limit(limit))
            return [dict(r._mapping) for r in conn.execute(query)]

    def _rows(self, projection: str, *, order_by: Any, limit: int | None = None
              ) -> list[dict[str, Any]]:
        with self.reading(projection) as (conn, table):
            query = sa.select(table).order_by(*order_by(table))
            if limit is not None:
                query = query.limit(limit)
            return [dict(r._mapping) for r in conn.execute(query)]

    # Internals --------------------------------------------------------------------------

    @staticmethod
    def _generation(conn: Connection, projection: str) -> int:
        return conn.execute(
            sa.select(POSITIONS.c.generation).where(POSITIONS.c.name == projection)
        ).scalar_one()

    @staticmethod
    def _write(conn: Connection, batch: Batch, generation: int) -> None:
        (table,) = tables(batch.projection, generation)
        if batch.schools:
            urns = list(batch.schools)
            for first in range(0, len(urns), 500):
                conn.execute(table.delete().where(table.c.urn.in_(urns[first:first + 500])))
            rows = [{"urn": urn, **row} for urn, rs in batch.schools.items() for row in rs]
            if rows:
                _insert_many(conn, table, rows)
        if batch.added:
            _insert_many(conn, table, batch.added)


def _insert_many(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """``INSERT`` of many rows through the driver's executemany, with each column's own
    SQLAlchemy type conversion but without SQLAlchemy's per-row parameter handling, which
    costs more than the insert itself in a rebuild."""
    dialect = conn.dialect
    compiled = table.insert().compile(dialect=dialect, column_keys=list(rows[0]))
    order = list(compiled.positiontup) if dialect.positional else list(rows[0])
    pairs = [(name, table.c[name].type.bind_processor(dialect)) for name in order]
    values = [[row[n] if f is None or row[n] is None else f(row[n]) for n, f in pairs]
              for row in rows]
    if dialect.positional:
        conn.exec_driver_sql(str(compiled), [tuple(v) for v in values])
    else:
        conn.exec_driver_sql(str(compiled), [dict(zip(order, v, strict=True)) for v in values])
