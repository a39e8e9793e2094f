"""The read models' SQLAlchemy tables, in the event store's own database by default.

Each projection's tables carry a generation number: a rebuild fills the next generation while
readers keep using the current one, then moves the pointer and the position in one
transaction. Each projection also records the shape its tables were made in: when this version
of scc defines them differently, the read models are refused until a rebuild (``scc migrate``)
makes a generation in the new shape.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from itertools import chain
from operator import itemgetter
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import CreateIndex, CreateTable

from adapters.event_store import create_private
from adapters.migrations import require_current
from adapters.pools import PoolSize
from adapters.schema import create_once
from application.entry_search import EntryQuery
from application.projections import PROJECTIONS, Batch
from application.school_search import SchoolSearch

IDLE_BEFORE_PING = 1.0
"""Seconds a pooled PostgreSQL connection may lie unused before it is checked on the way out
of the pool: one that was just put back is fine, so a busy server does not pay a round trip
per query for the check."""

_positions_metadata = sa.MetaData()
POSITIONS = sa.Table(
    "projection_positions", _positions_metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("rebuilt_at", sa.DateTime(timezone=True)),
    sa.Column("shape", sa.String(64)),  # shape(name) when its tables were made
)


class ReadModelsOutOfShape(ValueError):
    """Read models made by an older version of scc, in tables of another shape."""


@cache
def tables(projection: str, generation: int) -> list[sa.Table]:
    """The tables of one generation of a projection.

    A column or index changed here reaches a store's tables when a rebuild creates the next
    generation (``scc projections rebuild``); the current generation keeps its own until then.
    """
    metadata = sa.MetaData()
    g = f"_g{generation}"
    if projection == "school_status":
        status = sa.Table(
            f"school_status{g}", metadata,
            sa.Column("urn", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(200), nullable=False),
            # The name as the schools list searches and sorts it (str.casefold), kept here
            # because SQL's lower() folds only ASCII on SQLite and follows the locale on
            # PostgreSQL. Not part of a status row: the store adds it as it writes.
            sa.Column("name_folded", sa.String(200), nullable=False),
            sa.Column("phase", sa.String(60)),
            sa.Column("phase_group", sa.String(20), index=True),
            sa.Column("establishment_type", sa.String(100)),
            sa.Column("governance", sa.String(20)),
            sa.Column("la_code", sa.String(10)),
            sa.Column("pupils", sa.Integer),
            sa.Column("opened_on", sa.Date),
            sa.Column("closed_on", sa.Date),
            sa.Column("category", sa.String(10), index=True),
            sa.Column("category_since", sa.Date),
            sa.Column("ofsted_overall", sa.Integer),
            sa.Column("ofsted_label", sa.String(80)),
            sa.Column("ofsted_category", sa.String(40)),
            sa.Column("ofsted_published_on", sa.Date),
            sa.Column("causing_concern", sa.Boolean, nullable=False),
            sa.Column("concern_reasons", sa.Text),
            sa.Column("open_concerns", sa.Integer, nullable=False),
            sa.Column("warning_notice", sa.String(10)),
            sa.Column("compliance_date", sa.Date),
            sa.Column("eligible", sa.String(80)),
            sa.Column("ieb_stage", sa.String(20)),
            sa.Column("academy_order", sa.String(60)),
            sa.Column("rise_adviser", sa.String(200)),
            sa.Column("rise_since", sa.Date),
            sa.Column("msp_next_meeting", sa.Date),
            sa.Column("next_deadline", sa.Date),
            sa.Column("next_deadline_what", sa.Text),
            sa.Column("caseworker", sa.String(200)),
            sa.Column("caseworker_email", sa.String(320), index=True),
        )
        # The schools causing concern, soonest deadline first (the dashboard's list), and
        # their count: a few thousand of England's 22,000 schools.
        concern = status.c.causing_concern
        sa.Index(f"ix_school_status{g}_concern_soonest", status.c.next_deadline, status.c.urn,
                 postgresql_where=concern, sqlite_where=concern)
        # The schools whose rows could not be built: their status rows stay as they were.
        set_aside = sa.Table(
            f"school_set_aside{g}", metadata,
            sa.Column("urn", sa.Integer, primary_key=True),
            sa.Column("reason", sa.Text, nullable=False),
            sa.Column("position", sa.BigInteger, nullable=False),
        )
        return [status, set_aside]
    if projection == "category_history":
        return [sa.Table(
            f"school_spells{g}", metadata,
            sa.Column("urn", sa.Integer, nullable=False),
            sa.Column("kind", sa.String(10), nullable=False),
            sa.Column("grade", sa.String(10)),
            sa.Column("label", sa.String(60)),
            sa.Column("starts_on", sa.Date, nullable=False),
            sa.Column("ends_on", sa.Date),
            # Covers category_counts' lookup of each school's spell on a day, and the
            # deletes by URN.
            sa.Index(f"ix_school_spells{g}_urn_kind", "urn", "kind", "starts_on", "ends_on",
                     "grade"),
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
            # Who must see to it, as an email address folded to lower case: My work and the
            # calendar feed read one person's deadlines by it.
            sa.Column("owner", sa.String(320)),
            sa.Index(f"ix_deadlines{g}_kind_due", "kind", "due"),
            sa.Index(f"ix_deadlines{g}_owner_due", "owner", "due"),
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
            # Unique by an index rather than a primary key, so that a rebuild, which writes
            # the entries school by school (out of this order), builds it once at the end.
            sa.Column("notification_id", sa.BigInteger, nullable=False),
            sa.Column("urn", sa.Integer, nullable=False, index=True),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("event", sa.String(40), nullable=False),
            sa.Column("summary", sa.Text, nullable=False),
            sa.Column("effective", sa.Date, nullable=False),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("recorded_by", sa.String(200), nullable=False),
            sa.Index(f"ux_activity{g}_notification_id", "notification_id", unique=True),
        )]
    if projection == "search":
        return [sa.Table(
            f"entry_search{g}", metadata,
            # Unique by an index, as the activity feed's; the full-text index (see
            # ``full_text``) finds its rows by it.
            sa.Column("notification_id", sa.BigInteger, nullable=False),
            sa.Column("urn", sa.Integer, nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("event", sa.String(40), nullable=False),
            sa.Column("summary", sa.Text, nullable=False),
            sa.Column("body", sa.Text, nullable=False),
            sa.Column("effective", sa.Date, nullable=False),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("recorded_by", sa.String(200), nullable=False),
            sa.Column("correction", sa.String(10), nullable=False),
            sa.Index(f"ux_entry_search{g}_notification_id", "notification_id", unique=True),
            # A correction finds the row of the entry it corrects by these.
            sa.Index(f"ix_entry_search{g}_urn_version", "urn", "version"),
        )]
    raise ValueError(f"No projection {projection!r}")


SEARCH_CONFIG = "english"
"""PostgreSQL's text search configuration for entries and queries: English stemming and stop
words ("meetings" finds "meeting"). It keeps accents, where SQLite's tokenizer folds them."""


def full_text(dialect: str, projection: str, generation: int) -> list[str]:
    """The statements that give a filled table of the search projection its full-text index:
    on SQLite an FTS5 table over it (external content, kept by triggers); on PostgreSQL a
    stored tsvector column and a GIN index on it. None for the other projections."""
    if projection != "search":
        return []
    table = tables(projection, generation)[0].name
    if dialect == "postgresql":
        document = (f"setweight(to_tsvector('{SEARCH_CONFIG}', summary), 'A') || "
                    f"setweight(to_tsvector('{SEARCH_CONFIG}', body), 'B')")
        return [f"ALTER TABLE {table} ADD COLUMN document tsvector "
                f"GENERATED ALWAYS AS ({document}) STORED",
                f"CREATE INDEX ix_{table}_document ON {table} USING gin (document)"]
    fts = f"{table}_fts"
    new = "new.notification_id, new.summary, new.body"
    old = "'delete', old.notification_id, old.summary, old.body"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(summary, body, content='{table}', "
        "content_rowid='notification_id', tokenize='porter unicode61')",
        f"INSERT INTO {fts}({fts}) VALUES('rebuild')",
        f"CREATE TRIGGER {table}_added AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, summary, body) VALUES ({new}); END",
        f"CREATE TRIGGER {table}_changed AFTER UPDATE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, summary, body) VALUES ({old}); "
        f"INSERT INTO {fts}(rowid, summary, body) VALUES ({new}); END",
    ]


def _drop_full_text(conn: Connection, projection: str, generation: int) -> None:
    """Drops what ``full_text`` made beside the tables (on PostgreSQL, nothing: the column
    and index go with the table; SQLite's triggers go with theirs, its FTS5 table does not)."""
    if projection == "search" and conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            f"DROP TABLE IF EXISTS {tables(projection, generation)[0].name}_fts")


@cache
def shape(projection: str) -> str:
    """A digest of the projection's table definitions (columns, types, keys, indexes, and
    the full-text index on either database): it changes whenever they do."""
    dialect = sqlite.dialect()
    ddl = []
    for table in tables(projection, 0):
        ddl.append(str(CreateTable(table).compile(dialect=dialect)))
        ddl += sorted(str(CreateIndex(i).compile(dialect=dialect)) for i in table.indexes)
    ddl += full_text("sqlite", projection, 0) + full_text("postgresql", projection, 0)
    return hashlib.sha256("\n".join(ddl).encode()).hexdigest()[:16]


def projections_to_rebuild(engine: Engine) -> list[str]:
    """The projections a store holds whose tables are not of this version's shape: those
    recorded before shapes were (revision 0003), and those whose shape changed since."""
    inspector = sa.inspect(engine)
    if not inspector.has_table(POSITIONS.name):
        return []
    with_shape = "shape" in {c["name"] for c in inspector.get_columns(POSITIONS.name)}
    columns = [POSITIONS.c.name, POSITIONS.c.shape if with_shape else sa.null()]
    with engine.connect() as conn:
        recorded = dict(conn.execute(sa.select(*columns).select_from(POSITIONS)).all())
    # A projection new to this version (none recorded in a store that has others) is built
    # by the rebuild too, rather than entry by entry as the read models catch up.
    return [name for name in PROJECTIONS
            if recorded and recorded.get(name, "new") != shape(name)]


def read_model_engine(database_url: str, pool: PoolSize | None = None) -> Engine:
    """An engine on the same database as the event store (same file, or same schema); on
    PostgreSQL with a pool sized for ``pool`` (else SQLAlchemy's own: 5 kept, 15 at most).
    An SQLite file's engine keeps SQLAlchemy's pool whatever ``pool`` says.

    SQLAlchemy's pool opens a connection when a thread first needs it and keeps up to
    ``pool_size`` of them; any more are closed as they come back. It keeps one for each
    thread, not fewer: a PostgreSQL connection costs a server process and about 10 ms to
    open, and with one kept four busy threads opened one for every sixth use."""
    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        if path := unquote(url.path[1:]):
            create_private(path)
        engine = sa.create_engine(database_url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _wal(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        return engine
    schema = parse_qs(url.query).get("schema", [None])[0]
    plain = urlunsplit(("postgresql+psycopg", url.netloc, url.path, "", ""))
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    sized = {} if pool is None else {"pool_size": pool.threads,
                                     "max_overflow": pool.most - pool.threads}
    engine = sa.create_engine(plain, connect_args=connect_args, **sized)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Checks a pooled connection that has lain unused for ``IDLE_BEFORE_PING`` before
    handing it out, and replaces it if the server has gone (restarted, say): SQLAlchemy's
    ``pool_pre_ping`` without its round trip on every checkout."""

    @sa.event.listens_for(engine, "checkin")
    def _put_back(_: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < IDLE_BEFORE_PING:
            return
        dialect = engine.dialect
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise sa.exc.DisconnectionError(str(error)) from error  # the pool reconnects
            raise
        if not alive:
            raise sa.exc.DisconnectionError("the server closed the connection")


class SQLReadModels:
    """The read-model store (application.projections.ReadModelStore) on SQLAlchemy."""

    def __init__(self, engine: Engine, *, out_of_shape_ok: bool = False) -> None:
        """Refuses read models whose tables are of an older shape, unless ``out_of_shape_ok``
        (to rebuild them)."""
        self.engine = engine
        # A query that stands alone reads outside a transaction: no BEGIN and ROLLBACK
        # around it.
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._held = threading.local()  # a thread's snapshot (see ``consistent``)
        require_current(engine, dispose_if_refused=True)
        create_once(self._create)
        out_of_shape = self.out_of_shape()
        if out_of_shape and not out_of_shape_ok:
            engine.dispose()
            raise ReadModelsOutOfShape(
                f"The read models {', '.join(out_of_shape)} were made by another version of "
                "scc: run scc migrate to rebuild them from the log")

    def _create(self) -> None:
        with self.engine.begin() as conn:
            known = {r.name for r in conn.execute(sa.select(POSITIONS.c.name))}
            for name in PROJECTIONS:
                if name not in known:
                    conn.execute(POSITIONS.insert().values(
                        name=name, position=0, generation=1, shape=shape(name)))
                    for table in tables(name, 1):
                        table.create(conn, checkfirst=True)
                    for statement in full_text(conn.dialect.name, name, 1):
                        conn.exec_driver_sql(statement)

    def out_of_shape(self) -> list[str]:
        """The projections whose tables are not of the shape this version of scc makes."""
        with self.engine.connect() as conn:
            recorded = dict(conn.execute(sa.select(POSITIONS.c.name, POSITIONS.c.shape)).all())
        return [name for name in PROJECTIONS if recorded.get(name) != shape(name)]

    def close(self) -> None:
        self.engine.dispose()

    # The store port --------------------------------------------------------------------

    def position(self, projection: str) -> int:
        with self._reads.connect() as conn:
            return conn.execute(
                sa.select(POSITIONS.c.position).where(POSITIONS.c.name == projection)
            ).scalar_one()

    def positions(self) -> dict[str, tuple[int, int]]:
        with self._reads.connect() as conn:
            return self._positions(conn)

    @contextmanager
    def consistent(self) -> Iterator[dict[str, tuple[int, int]]]:
        """Reads made by this thread within the block share one connection and see the read
        models as they stood at its start (PostgreSQL: one repeatable-read transaction), so
        that counts read one after the other agree; yields every projection's (generation,
        position) at that moment."""
        if (held := getattr(self._held, "snapshot", None)) is not None:
            yield held[1]  # already within one: the outer block's
            return
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                positions = self._positions(conn)
                self._held.snapshot = (conn, positions)
                try:
                    yield positions
                finally:
                    self._held.snapshot = None

    @staticmethod
    def _positions(conn: Connection) -> dict[str, tuple[int, int]]:
        return {name: (generation, position) for name, generation, position in conn.execute(
            sa.select(POSITIONS.c.name, POSITIONS.c.generation, POSITIONS.c.position))}

    def commit_together(self, batches: list[Batch]) -> bool:
        with self.engine.connect() as conn, conn.begin() as transaction:
            for batch in batches:
                moved = conn.execute(
                    POSITIONS.update()
                    .where(POSITIONS.c.name == batch.projection,
                           POSITIONS.c.position == batch.from_position)
                    .values(position=batch.to_position)
                    .returning(POSITIONS.c.generation)
                ).scalar_one_or_none()
                if moved is None:  # another process got there first; these are theirs
                    transaction.rollback()
                    return False
                self._write(conn, batch, moved)
        return True

    def rebuild(self, projections: list[str], position: int,
                fill: Callable[[Generation], None]) -> None:
        """Makes a new generation of these projections' tables, has ``fill`` fill it, builds
        its indexes and makes it current at ``position``; readers use the old one until
        then."""
        with self.engine.connect() as conn:
            current = {name: self._generation(conn, name) for name in projections}
        numbers = {name: current[name] + 1 for name in projections}
        with self.engine.begin() as conn:
            for name in projections:
                _drop_full_text(conn, name, numbers[name])
                for table in tables(name, numbers[name]):
                    table.drop(conn, checkfirst=True)  # left by a rebuild that died
                    # The table alone: its indexes are built once it is full, which costs a
                    # fraction of keeping them up to date row by row.
                    conn.execute(CreateTable(table))
        fill(self.generation(numbers))
        with _bulk_loading(self.engine) as conn, conn.begin():
            for name in projections:
                for table in tables(name, numbers[name]):
                    for index in sorted(table.indexes, key=lambda i: i.name):
                        index.create(conn)
                for statement in full_text(conn.dialect.name, name, numbers[name]):
                    conn.exec_driver_sql(statement)
        with self.engine.begin() as conn:  # the swap: readers move to the new tables at once
            for name in projections:
                conn.execute(
                    POSITIONS.update().where(POSITIONS.c.name == name).values(
                        position=position, generation=numbers[name],
                        rebuilt_at=datetime.now(UTC), shape=shape(name))
                )
        with self.engine.begin() as conn:
            for name in projections:
                _drop_full_text(conn, name, current[name])
                for table in tables(name, current[name]):
                    table.drop(conn, checkfirst=True)

    def generation(self, numbers: dict[str, int], *, lock: Any = None) -> Generation:
        """The tables of these generations, to fill (see ``Generation``)."""
        return Generation(self.engine, numbers, lock)

    # Reading ----------------------------------------------------------------------------

    @contextmanager
    def reading(self, projection: str) -> Iterator[tuple[Connection, sa.Table]]:
        """A connection and the projection's current table, consistent for one query."""
        with self.reading_all(projection) as (conn, found):
            yield conn, found[projection]

    @contextmanager
    def reading_all(self, *projections: str
                    ) -> Iterator[tuple[Connection, dict[str, sa.Table]]]:
        """A connection and the current tables of these projections, for one query that
        joins them (within ``consistent``, its connection and tables)."""
        with self._reading_generations(*projections) as (conn, generations):
            yield conn, {name: tables(name, generations[name])[0] for name in projections}

    @contextmanager
    def _reading_generations(self, *projections: str
                             ) -> Iterator[tuple[Connection, dict[str, int]]]:
        """A connection and the current generation of these projections; within
        ``consistent``, its connection and generations, so that a read there takes no second
        connection from the pool (a thread holds one at a time)."""
        if (held := getattr(self._held, "snapshot", None)) is not None:
            conn, positions = held
            yield conn, {name: positions[name][0] for name in projections}
            return
        with self._reads.connect() as conn:
            yield conn, dict(conn.execute(
                sa.select(POSITIONS.c.name, POSITIONS.c.generation)
                .where(POSITIONS.c.name.in_(projections))).all())

    def schools(self) -> list[dict[str, Any]]:
        with self.reading("school_status") as (conn, status):
            return _dicts(conn, sa.select(*_status_columns(status)).order_by(status.c.urn))

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
            return _dicts(conn, query)

    def set_aside(self) -> list[dict[str, Any]]:
        with self._reading_generations("school_status") as (conn, generations):
            status, set_aside = tables("school_status", generations["school_status"])
            return _dicts(conn, sa.select(set_aside.c.urn, status.c.name, set_aside.c.reason,
                                          set_aside.c.position)
                          .select_from(set_aside.outerjoin(status, status.c.urn == set_aside.c.urn))
                          .order_by(set_aside.c.urn))

    def next_firing_on(self) -> date | None:
        with self.reading("firings") as (conn, table):
            return conn.execute(sa.select(sa.func.min(table.c.fire_on))).scalar()

    def activity(self, limit: int = 50) -> list[dict[str, Any]]:
        return self._rows("activity", order_by=lambda t: [t.c.notification_id.desc()],
                          limit=limit)

    # Reading for the dashboard and reports: counted, filtered and limited in SQL ---------

    def caseworker_emails(self) -> list[str]:
        with self.reading("school_status") as (conn, status):
            email = status.c.caseworker_email
            return list(conn.execute(
                sa.select(email).where(email.is_not(None)).distinct().order_by(email)
            ).scalars())

    def category_counts(self, kind: str, day: date, *, phase_group: str | None = None,
                        caseworkers: Collection[str] | None = None) -> list[dict[str, Any]]:
        """A school counts while open on ``day`` as a ``SchoolSearch`` for open schools does:
        from its opening date to its close date, both included. A school's spells of one
        kind never overlap (each ends where the next starts), so the join finds at most one
        spell per school."""
        with self.reading_all("school_status", "category_history") as (conn, found):
            status, spells = found["school_status"], found["category_history"]
            judged = spells.c.urn.is_not(None).label("judged")
            grade = spells.c.grade
            if kind == "ofsted":  # no overall grade: the category, as the reports count it
                grade = sa.func.coalesce(grade, sa.func.nullif(spells.c.label, ""))
            query = (
                sa.select(grade.label("grade"), judged, sa.func.count().label("schools"),
                          sa.func.coalesce(sa.func.sum(status.c.pupils), 0).label("pupils"))
                .select_from(status.outerjoin(spells, sa.and_(
                    spells.c.urn == status.c.urn, spells.c.kind == kind,
                    spells.c.starts_on <= day,
                    sa.or_(spells.c.ends_on.is_(None), spells.c.ends_on > day))))
                .where(sa.or_(status.c.opened_on.is_(None), status.c.opened_on <= day),
                       sa.or_(status.c.closed_on.is_(None), status.c.closed_on >= day),
                       *_of_schools(status, phase_group=phase_group, caseworkers=caseworkers))
                .group_by(grade, judged)
                .order_by(judged, grade)
            )
            return [{**row, "judged": bool(row["judged"])} for row in _dicts(conn, query)]

    def current_category_counts(self, kind: str, day: date, *,
                                phase_group: str | None = None,
                                caseworkers: Collection[str] | None = None
                                ) -> list[dict[str, Any]]:
        """``category_counts`` on ``day``, the day the read models were last caught up
        (the dashboard's today), read from each school's current status alone: no entry
        takes effect after the day it is recorded, so a school's current category and
        latest judgement are the spells that cover today, and no join is needed."""
        with self.reading("school_status") as (conn, status):
            if kind == "la":
                grade = status.c.category
                judged = grade.is_not(None)
            else:
                grade = _ofsted_grade(status)
                judged = status.c.ofsted_published_on.is_not(None)
            query = (
                sa.select(grade.label("grade"), judged.label("judged"),
                          sa.func.count().label("schools"),
                          sa.func.coalesce(sa.func.sum(status.c.pupils), 0).label("pupils"))
                .where(sa.or_(status.c.opened_on.is_(None), status.c.opened_on <= day),
                       sa.or_(status.c.closed_on.is_(None), status.c.closed_on >= day),
                       *_of_schools(status, phase_group=phase_group, caseworkers=caseworkers))
                .group_by(grade, judged)
                .order_by(judged, grade)
            )
            return [{**row, "judged": bool(row["judged"])} for row in _dicts(conn, query)]

    def current_summary(self, day: date, *, caseworkers: Collection[str] | None = None
                        ) -> list[dict[str, Any]]:
        """The schools and their pupils counted by LA category, Ofsted grade, whether open
        on ``day`` and whether causing concern, in one pass over their status rows: each
        kind's counts as ``current_category_counts`` finds them, summed over the open."""
        with self.reading("school_status") as (conn, status):
            la_grade, of_grade = status.c.category, _ofsted_grade(status)
            la_judged = la_grade.is_not(None)
            of_judged = status.c.ofsted_published_on.is_not(None)
            is_open = sa.and_(
                sa.or_(status.c.opened_on.is_(None), status.c.opened_on <= day),
                sa.or_(status.c.closed_on.is_(None), status.c.closed_on >= day))
            keys = [la_grade, la_judged, of_grade, of_judged, is_open, status.c.causing_concern]
            query = (
                sa.select(la_grade.label("la_grade"), la_judged.label("la_judged"),
                          of_grade.label("ofsted_grade"), of_judged.label("ofsted_judged"),
                          is_open.label("is_open"), status.c.causing_concern,
                          sa.func.count().label("schools"),
                          sa.func.coalesce(sa.func.sum(status.c.pupils), 0).label("pupils"))
                .where(*_of_schools(status, caseworkers=caseworkers))
                .group_by(*keys)
            )
            flags = ("la_judged", "ofsted_judged", "is_open", "causing_concern")
            return [{**row, **{flag: bool(row[flag]) for flag in flags}}
                    for row in _dicts(conn, query)]

    def find_schools(self, search: SchoolSearch, *, limit: int | None = None,
                     offset: int = 0) -> list[dict[str, Any]]:
        """The status rows ``search`` finds, in its order; at most ``limit`` from
        ``offset``."""
        with self.reading("school_status") as (conn, status):
            conditions = _searched(conn, status, search)
            query = (sa.select(*_status_columns(status)).where(*conditions)
                     .order_by(*_search_order(conn, status, search)).offset(offset))
            return _dicts(conn, query if limit is None else query.limit(limit))

    def count_schools(self, search: SchoolSearch) -> int:
        with self.reading("school_status") as (conn, status):
            return conn.execute(sa.select(sa.func.count()).select_from(status).where(
                *_searched(conn, status, search))).scalar_one()

    def causing_concern(self, *, caseworkers: Collection[str] | None = None,
                        limit: int | None = None, by_urn: bool | None = None,
                        offset: int = 0) -> list[dict[str, Any]]:
        """By URN (a page of them from ``offset`` if ``by_urn`` and a ``limit`` are given);
        otherwise with a ``limit``, the soonest next deadlines first (undated last)."""
        with self.reading("school_status") as (conn, status):
            query = sa.select(*_status_columns(status)).where(
                status.c.causing_concern, *_of_schools(status, caseworkers=caseworkers))
            if limit is None or by_urn:
                query = query.order_by(status.c.urn).offset(offset)
                return _dicts(conn, query if limit is None else query.limit(limit))
            soonest = [status.c.next_deadline.asc().nulls_last(), status.c.urn]
            return _dicts(conn, query.order_by(*soonest).limit(limit))

    def count_causing_concern(self, *, caseworkers: Collection[str] | None = None) -> int:
        with self.reading("school_status") as (conn, status):
            return conn.execute(sa.select(sa.func.count()).select_from(status).where(
                status.c.causing_concern, *_of_schools(status, caseworkers=caseworkers)
            )).scalar_one()

    def academy_orders_expected(self, *, caseworkers: Collection[str] | None = None
                                ) -> list[dict[str, Any]]:
        with self.reading("school_status") as (conn, status):
            return _dicts(conn, sa.select(*_status_columns(status)).where(
                status.c.academy_order == "expected",
                *_of_schools(status, caseworkers=caseworkers)).order_by(status.c.urn))

    def in_rise(self, *, caseworkers: Collection[str] | None = None) -> list[dict[str, Any]]:
        with self.reading("school_status") as (conn, status):
            return _dicts(conn, sa.select(*_status_columns(status)).where(
                status.c.rise_since.is_not(None),
                *_of_schools(status, caseworkers=caseworkers)).order_by(status.c.urn))

    def deadlines_due(self, *, due_from: date | None = None, due_to: date | None = None,
                      kind: str | None = None, caseworkers: Collection[str] | None = None,
                      latest_first: bool = False, limit: int | None = None,
                      offset: int = 0) -> list[dict[str, Any]]:
        with self.reading_all("deadlines", "school_status") as (conn, found):
            deadlines, status = found["deadlines"], found["school_status"]
            order = [deadlines.c.due, deadlines.c.urn]
            if latest_first:
                order = [column.desc() for column in order]
            query = (
                sa.select(deadlines, status.c.name)
                .select_from(deadlines.outerjoin(status, status.c.urn == deadlines.c.urn))
                .where(*_deadlines(deadlines, status, due_from, due_to, kind, caseworkers))
                .order_by(*order, deadlines.c.key)
            )
            return _dicts(conn, (query if limit is None else query.limit(limit)).offset(offset))

    def count_deadlines_due(self, *, due_from: date | None = None, due_to: date | None = None,
                            kind: str | None = None,
                            caseworkers: Collection[str] | None = None) -> int:
        with self.reading_all("deadlines", "school_status") as (conn, found):
            deadlines, status = found["deadlines"], found["school_status"]
            query = sa.select(sa.func.count()).select_from(deadlines)
            if caseworkers is not None:
                query = query.join(status, status.c.urn == deadlines.c.urn)
            return conn.execute(query.where(
                *_deadlines(deadlines, status, due_from, due_to, kind, caseworkers))
            ).scalar_one()

    def owned_deadlines(self, owner: str, *, due_to: date | None = None
                        ) -> list[dict[str, Any]]:
        with self.reading_all("deadlines", "school_status") as (conn, found):
            deadlines, status = found["deadlines"], found["school_status"]
            query = (
                sa.select(deadlines, status.c.name)
                .select_from(deadlines.outerjoin(status, status.c.urn == deadlines.c.urn))
                .where(deadlines.c.owner == owner.strip().lower(),
                       *([deadlines.c.due <= due_to] if due_to is not None else []))
                .order_by(deadlines.c.due, deadlines.c.urn, deadlines.c.key)
            )
            return _dicts(conn, query)

    def caseworker_names(self) -> dict[str, str]:
        with self.reading("school_status") as (conn, status):
            email = sa.func.lower(status.c.caseworker_email)
            return dict(conn.execute(
                sa.select(email, sa.func.max(status.c.caseworker))
                .where(status.c.caseworker_email.is_not(None)).group_by(email)).all())

    def load_by_owner(self, today: date, week_ends: date, *, kinds_left_out: Collection[str] = ()
                      ) -> list[dict[str, Any]]:
        with self.reading("deadlines") as (conn, deadlines):
            live = sa.not_(deadlines.c.suspended)
            query = (
                sa.select(
                    deadlines.c.owner,
                    sa.func.sum(sa.case((live & (deadlines.c.due < today), 1), else_=0))
                    .label("overdue"),
                    sa.func.sum(sa.case((live & (deadlines.c.due >= today)
                                         & (deadlines.c.due <= week_ends), 1), else_=0))
                    .label("this_week"),
                    sa.func.count().label("open"),
                )
                .where(deadlines.c.owner.is_not(None),
                       deadlines.c.kind.not_in(list(kinds_left_out)))
                .group_by(deadlines.c.owner).order_by(deadlines.c.owner)
            )
            return _dicts(conn, query)

    def recent_activity(self, limit: int = 50, *, caseworkers: Collection[str] | None = None
                        ) -> list[dict[str, Any]]:
        with self.reading_all("activity", "school_status") as (conn, found):
            activity, status = found["activity"], found["school_status"]
            query = (sa.select(activity, status.c.name)
                     .select_from(activity.outerjoin(status, status.c.urn == activity.c.urn))
                     .order_by(activity.c.notification_id.desc()).limit(limit))
            if caseworkers is not None:
                # The caseworker's schools first (a few), then their entries by URN.
                query = query.where(activity.c.urn.in_(
                    sa.select(status.c.urn).where(*_of_schools(status, caseworkers=caseworkers))))
            return _dicts(conn, query)

    def search_rows(self) -> list[dict[str, Any]]:
        """Every entry's search row, by its position in the log (to compare stores)."""
        with self.reading("search") as (conn, entries):
            return _dicts(conn, sa.select(*[c for c in entries.c if c.name != "document"])
                          .order_by(entries.c.notification_id))

    def matching_entries(self, query: EntryQuery, *, newest: int) -> list[dict[str, Any]]:
        """The ``newest`` most recently recorded entries ``query`` finds, newest first:
        each search row with its school's ``name``. The full-text index lists an entry's
        matches in the order they were recorded, so the newest are read first and the rest
        not at all: a word that a million entries hold costs what a rare one does."""
        with self.reading_all("search", "school_status") as (conn, found):
            entries, status = found["search"], found["school_status"]
            if conn.dialect.name == "postgresql":
                newest_ids = (sa.select(entries.c.notification_id.label("id"))
                              .where(_postgres_matched(entries, _tsquery(query))))
                position = entries.c.notification_id
            else:
                fts, matched = _sqlite_matched(entries, query)
                newest_ids = sa.select(fts.c.rowid.label("id")).select_from(fts).where(matched)
                position = fts.c.rowid
            recent = newest_ids.order_by(position.desc()).limit(newest).subquery()
            columns = [c for c in entries.c if c.name != "document"]
            return _dicts(conn, (
                sa.select(*columns, status.c.name)
                .select_from(recent.join(entries, entries.c.notification_id == recent.c.id)
                             .outerjoin(status, status.c.urn == entries.c.urn))
                .order_by(entries.c.notification_id.desc())))

    def _rows(self, projection: str, *, order_by: Any, limit: int | None = None
              ) -> list[dict[str, Any]]:
        with self.reading(projection) as (conn, table):
            query = sa.select(table).order_by(*order_by(table))
            if limit is not None:
                query = query.limit(limit)
            return _dicts(conn, query)

    # Internals --------------------------------------------------------------------------

    @staticmethod
    def _generation(conn: Connection, projection: str) -> int:
        return conn.execute(
            sa.select(POSITIONS.c.generation).where(POSITIONS.c.name == projection)
        ).scalar_one()

    @staticmethod
    def _write(conn: Connection, batch: Batch, generation: int) -> None:
        _run(conn, _prepared(conn.dialect, batch, generation))


@dataclass(frozen=True)
class Generation:
    """A new generation of some projections' tables, being filled by a rebuild
    (application.projections.NewGeneration), from this process or from several at once.

    ``lock``, shared by processes filling one SQLite store together, is held for each
    transaction's writes alone: SQLite takes one writer at a time, and a process waiting on
    the lock is woken as soon as it is free, where SQLite's own wait polls. The rows are made
    ready for the driver before it is taken, so that the processes do that work at once."""

    engine: Engine
    numbers: dict[str, int]
    """Each projection's new generation."""
    lock: Any = None

    def write(self, batches: Iterable[list[Batch]]) -> None:
        """Writes each group of batches in one transaction. Each school comes once, into
        empty tables: nothing to replace."""
        with _bulk_loading(self.engine) as conn:
            for group in batches:
                ready = [step for batch in group
                         for step in _prepared(conn.dialect, batch, self.numbers[batch.projection],
                                               fresh=True)]
                with self.lock or nullcontext(), conn.begin():
                    _run(conn, ready)


@contextmanager
def _bulk_loading(engine: Engine) -> Iterator[Connection]:
    """A connection for filling a new generation's tables.

    On SQLite it commits without waiting for the disk (synchronous=NORMAL rather than
    FULL). That is safe here: in WAL mode a transaction is still atomic, the log stays in
    order and a checkpoint still syncs, so a power cut can only lose the newest transactions
    not yet on disk, and those of this connection are rows of the new generation, which no
    reader sees until the swap and which the next rebuild drops (SQLReadModels.rebuild).
    Everyone else's commits, the event store's and the swap's (on an ordinary connection),
    still sync, and with them whatever came before. The setting is the connection's own and
    is put back before it returns to the pool. (A larger page cache made no difference to
    the time of an England-scale rebuild, and cost 100 MB.)"""
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            yield conn
            return
        before = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
        conn.commit()
        try:
            yield conn
        finally:
            if conn.in_transaction():
                conn.rollback()
            conn.exec_driver_sql(f"PRAGMA synchronous={int(before)}")
            conn.commit()


def _dicts(conn: Connection, query: sa.Select) -> list[dict[str, Any]]:
    """The rows as dicts, made from plain tuples: a Row's ``_mapping`` costs more than the
    fetch itself when a query returns thousands of rows."""
    result = conn.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def _sqlite_matched(entries: sa.Table, query: EntryQuery) -> tuple[Any, Any]:
    """FTS5: the full-text table (its rowid the entry's position in the log) and the match."""
    fts = sa.table(f"{entries.name}_fts", sa.column("rowid"))
    return fts, sa.literal_column(fts.name).op("MATCH")(query.fts5())


def _tsquery(query: EntryQuery) -> Any:
    """PostgreSQL: the query's terms, every one needed: each phrase read by
    websearch_to_tsquery (which never fails on what it is given), a prefix by to_tsquery
    with ``:*`` over letters and digits only (read_query keeps nothing else)."""
    config = sa.literal_column(f"'{SEARCH_CONFIG}'::regconfig")
    parts = []
    for term in query.terms:
        if term.prefix:
            *whole, start = term.words
            parts += [sa.func.websearch_to_tsquery(config, word) for word in whole]
            parts.append(sa.func.to_tsquery(config, start + ":*"))
        else:
            parts.append(sa.func.websearch_to_tsquery(config, '"' + " ".join(term.words) + '"'))
    tsquery = parts[0]
    for part in parts[1:]:
        tsquery = tsquery.op("&&")(part)
    return tsquery


def _postgres_matched(entries: sa.Table, tsquery: Any) -> Any:
    return sa.literal_column(f"{entries.name}.document").op("@@")(tsquery)


def _status_columns(status: sa.Table) -> list[sa.Column[Any]]:
    """A status row's columns: all but the store's own search key."""
    return [column for column in status.c if column.name != "name_folded"]


def _searched(conn: Connection, status: sa.Table, search: SchoolSearch
              ) -> list[sa.ColumnElement[bool]]:
    """Conditions for ``search`` (application.reports.SchoolSearch says what each means)."""
    conditions = _of_schools(status, phase_group=search.phase_group)
    if "\x00" in search.folded_text:
        # SQLite's LIKE stops reading at a NUL, so the search would match every school;
        # a name with one cannot be found by typing it, so it finds none.
        conditions.append(sa.false())
    elif text := search.folded_text:
        conditions.append(sa.or_(
            status.c.name_folded.contains(text, autoescape=True),
            sa.cast(status.c.urn, sa.String).startswith(text, autoescape=True)))
    if search.category is not None:
        # The category as recorded, whatever its case: which spellings are the one asked
        # for is decided in Python over the few distinct values, so that it folds case
        # exactly as the search does.
        wanted = [c for c in _categories(conn, status) if search.is_category(c)]
        named = status.c.category.in_([c for c in wanted if c is not None])
        conditions.append(sa.or_(named, status.c.category.is_(None)) if None in wanted
                          else named)
    if search.causing_concern is not None:
        conditions.append(status.c.causing_concern == search.causing_concern)
    if search.governance is not None:
        conditions.append(status.c.governance == search.governance)
    if search.is_open is not None:
        day = search.on
        open_on = sa.and_(sa.or_(status.c.opened_on.is_(None), status.c.opened_on <= day),
                          sa.or_(status.c.closed_on.is_(None), status.c.closed_on >= day))
        conditions.append(open_on if search.is_open else sa.not_(open_on))
    return conditions


def _search_order(conn: Connection, status: sa.Table, search: SchoolSearch
                  ) -> list[sa.ColumnElement[Any]]:
    """ORDER BY for ``search``: schools with nothing to sort by last, by URN, either way;
    the others by the sort's keys, then URN, all in the order asked. Text compares by code
    point, as Python's does (PostgreSQL's "C" collation; SQLite's default)."""
    def ordered(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        return column.desc() if search.descending else column.asc()

    def by_code_point(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        return sa.collate(column, "C") if conn.dialect.name == "postgresql" else column

    urn = status.c.urn
    if search.sort == "urn":
        return [ordered(urn)]
    if search.sort == "name":
        return [ordered(by_code_point(status.c.name_folded)), ordered(urn)]
    field = status.c[search.sort]
    if search.sort == "category":
        ranks = {c: search.category_rank(c) for c in _categories(conn, status) if c is not None}
        keys = [sa.case(ranks, value=field, else_=len(search.scheme_codes)) if ranks
                else sa.literal(0), by_code_point(field)]
    else:
        keys = [field]
    missing = field.is_(None)
    return [missing, *(ordered(key) for key in keys),
            sa.case((missing, urn)), ordered(urn)]  # the missing by URN, ascending


def _categories(conn: Connection, status: sa.Table) -> list[str | None]:
    """The distinct LA categories recorded (a handful; read from the category index)."""
    return list(conn.execute(sa.select(status.c.category).distinct()).scalars())


def _ofsted_grade(status: sa.Table) -> sa.ColumnElement:
    """The latest overall grade ("1" to "4"), or for a school given none the category its
    inspection put it in (application.reports counts it there), or null."""
    return sa.func.coalesce(sa.cast(status.c.ofsted_overall, sa.String(10)),
                            status.c.ofsted_category)


def _of_schools(status: sa.Table, *, phase_group: str | None = None,
                caseworkers: Collection[str] | None = None) -> list[sa.ColumnElement[bool]]:
    """Conditions on school_status: schools of a phase group, of one of these caseworkers'
    email addresses (as assigned)."""
    conditions = []
    if phase_group is not None:
        conditions.append(status.c.phase_group == phase_group)
    if caseworkers is not None:
        # No caseworker is a constant false, which the database sees before reading a row
        # (an empty IN would be read row by row).
        conditions.append(status.c.caseworker_email.in_(list(caseworkers)) if caseworkers
                          else sa.false())
    return conditions


def _deadlines(deadlines: sa.Table, status: sa.Table, due_from: date | None,
               due_to: date | None, kind: str | None, caseworkers: Collection[str] | None
               ) -> list[sa.ColumnElement[bool]]:
    conditions = _of_schools(status, caseworkers=caseworkers)
    if due_from is not None:
        conditions.append(deadlines.c.due >= due_from)
    if due_to is not None:
        conditions.append(deadlines.c.due <= due_to)
    if kind is not None:
        conditions.append(deadlines.c.kind == kind)
    return conditions


Step = tuple[Any, Any]
"""One statement of a write and its parameters: a SQLAlchemy statement and None, or the
driver's SQL text and its rows of parameters."""


def _prepared(dialect: sa.Dialect, batch: Batch, generation: int, *, fresh: bool = False
              ) -> list[Step]:
    """The statements that write a batch into a generation's table, ready to run: rows
    replacing the schools' own (into empty tables, with ``fresh``, nothing to replace) and
    rows added."""
    table, *others = tables(batch.projection, generation)
    steps: list[Step] = []
    if batch.projection == "school_status":
        steps += _set_aside_steps(dialect, others[0], batch, fresh=fresh)
    if batch.schools and not fresh:
        urns = list(batch.schools)
        steps += [(table.delete().where(table.c.urn.in_(urns[first:first + 500])), None)
                  for first in range(0, len(urns), 500)]
    if rows := [row for rs in batch.schools.values() for row in rs]:
        keys = list(rows[0])
        columns = dict(zip(keys, zip(*_picked(rows, keys), strict=True), strict=True))
        columns["urn"] = [urn for urn, rs in batch.schools.items() for _ in rs]
        if batch.projection == "school_status":
            columns["name_folded"] = [name.casefold() for name in columns["name"]]
        steps += _inserts(dialect, table, columns)
    if batch.added:
        steps += _inserts(dialect, table, dict(zip(
            batch.columns, zip(*batch.added, strict=True), strict=True)))
    for row in batch.replaced:  # a few: the entries corrected in this batch
        values = dict(zip(batch.columns, row, strict=True))
        key = (values.pop("notification_id"), values.pop("urn"), values.pop("version"))
        steps.append((table.update().where(table.c.urn == key[1], table.c.version == key[2])
                      .values(**values), None))
    return steps


def _set_aside_steps(dialect: sa.Dialect, set_aside: sa.Table, batch: Batch, *, fresh: bool
                     ) -> list[Step]:
    """The statements that record the batch's schools set aside, with why, and clear those
    the batch writes rows for."""
    steps: list[Step] = []
    if not fresh:
        urns = [*batch.schools, *batch.set_aside]
        steps += [(set_aside.delete().where(set_aside.c.urn.in_(urns[first:first + 500])), None)
                  for first in range(0, len(urns), 500)]
    if batch.set_aside:
        steps += _inserts(dialect, set_aside, {
            "urn": list(batch.set_aside), "reason": list(batch.set_aside.values()),
            "position": [batch.to_position] * len(batch.set_aside)})
    return steps


def _run(conn: Connection, steps: list[Step]) -> None:
    for statement, parameters in steps:
        if parameters is None:
            conn.execute(statement)
        else:
            conn.exec_driver_sql(statement, parameters)


def _inserts(dialect: sa.Dialect, table: sa.Table, columns: dict[str, Sequence[Any]]
             ) -> list[Step]:
    """``INSERT`` of many rows, given a column at a time (each column's values, in the
    rows' order), for the driver's executemany, with each column's own SQLAlchemy type
    conversion but without SQLAlchemy's per-row parameter handling, which costs more than
    the insert itself in a rebuild. Values are converted a column at a time (see
    ``_column_converter``)."""
    compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
    order = list(compiled.positiontup) if dialect.positional else list(columns)
    values = [columns[name] if (convert := _column_converter(table.c[name].type, dialect))
              is None else convert(columns[name]) for name in order]
    rows = list(zip(*values, strict=True))  # made in C
    if dialect.name == "sqlite":
        return _in_groups(str(compiled), rows)
    if dialect.positional:
        return [(str(compiled), rows)]
    return [(str(compiled), [dict(zip(order, v, strict=True)) for v in rows])]


def _picked(rows: Iterable[Any], keys: list[Any]) -> list[tuple[Any, ...]]:
    """Each row's values at ``keys`` (dict keys or tuple positions), as a tuple."""
    if len(keys) == 1:
        (key,) = keys
        return [(row[key],) for row in rows]
    return list(map(itemgetter(*keys), rows))  # made in C


def _column_converter(column_type: sa.types.TypeEngine[Any], dialect: sa.Dialect
                      ) -> Callable[[Sequence[Any]], list[Any]] | None:
    """What turns a column's values into what the driver is given, or None if they go as
    they are: the type's bind processor where it has one. On SQLite, dates and times have
    none and the sqlite3 module adapts them itself, through a Python function called for
    each value (``date.isoformat()``, ``datetime.isoformat(" ")``): the same text is made
    here, in one pass over the column, and anything else is left to the module."""
    process = column_type.bind_processor(dialect)
    if process is not None:
        return lambda values: [v if v is None else process(v) for v in values]
    if dialect.name == "sqlite" and isinstance(column_type, (sa.Date, sa.DateTime)):
        return _sqlite_date_text
    return None


def _sqlite_date_text(values: Sequence[Any]) -> list[Any]:
    """sqlite3's own adaptation of dates and datetimes (its default adapters), made for less:
    isoformat formats each field with C's printf, which in a rebuild costs more than the
    insert. A day's text is remembered (a log spans a few thousand days), and so is a time
    of day's; a UTC time, as every entry's is, is put together from the two (the same text
    as isoformat's); a time in any other zone is left to isoformat."""
    days, times = _DAY_TEXTS, _TIME_TEXTS
    if len(days) > 50_000:  # a long-running process writes ever more days
        days.clear()
    converted = []
    for v in values:
        kind = type(v)
        if kind is date:
            text = days.get(v)
            if text is None:
                text = days[v] = v.isoformat()
            converted.append(text)
        elif kind is datetime and v.tzinfo is UTC:
            day = days.get(on := v.date())
            if day is None:
                day = days[on] = on.isoformat()
            at = times.get(second := (v.hour * 60 + v.minute) * 60 + v.second)
            if at is None:
                at = times[second] = f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
            converted.append(f"{day} {at}.{v.microsecond:06d}+00:00" if v.microsecond
                             else f"{day} {at}+00:00")
        elif kind is datetime:
            converted.append(v.isoformat(" "))
        else:
            converted.append(v)
    return converted


_DAY_TEXTS: dict[date, str] = {}
_TIME_TEXTS: dict[int, str] = {}  # by the second of the day


ROWS_PER_INSERT = 50
"""Rows in each of SQLite's INSERTs: one statement of many rows costs less per row than the
same statement run once a row."""
SQLITE_PARAMETERS = 999
"""The fewest parameters a statement may have in any SQLite build (32,766 since 3.32)."""


def _in_groups(insert: str, values: list[tuple[Any, ...]]) -> list[Step]:
    """SQLite: the single-row ``INSERT ... VALUES (?, ...)`` widened to several rows for
    all but the last few rows."""
    head, found, one = insert.rpartition(" VALUES ")
    per = min(ROWS_PER_INSERT, SQLITE_PARAMETERS // len(values[0]))
    whole = len(values) - len(values) % per
    if not found or one.count("?") != len(values[0]) or per < 2 or not whole:
        return [(insert, values)]
    many = f"{head} VALUES {', '.join([one] * per)}"
    flat = tuple(chain.from_iterable(values[:whole]))  # then ``per`` rows to a slice
    step = per * len(values[0])
    steps: list[Step] = [(many, [flat[i:i + step] for i in range(0, len(flat), step)])]
    if whole < len(values):
        steps.append((insert, values[whole:]))
    return steps
