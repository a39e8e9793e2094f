"""The whole log's hash chains checked from one ordered scan, shared out among processes.

``application.audit`` checks a stream as the app reads it: a query or two a school, and each
entry decoded twice through the library's JSON decoder (as recorded, and upcast), some 70 µs
an entry on one CPU. Here (``LogChecks``, the audit's ``StreamChecks``):

- the events table is read in stream order, by ranges of stream ids, with the snapshots
  table beside it (``adapters.event_scan``): a few queries in all;
- each stored state is parsed once with orjson, and its link content is made from the parsed
  JSON as ``domain.chain`` makes it from the decoded entry: a date or time as its ISO text, a
  personal value as its commitment (the sealed value is still opened, by the transcoding the
  app reads it with, and checked against its commitment); it is hashed with orjson's sorted,
  compact encoding. A link that follows proves, by the hash, that this is the content that
  was linked;
- a snapshot is compared with the stored entries as stored JSON, entry by entry;
- the ranges are shared out among processes, the first of them this one.

A stream is taken as intact here only if every check passes. Anything this path does not
read exactly as the audit does (a kind of value it does not know, an entry stored in an older
shape, an encoding that differs) or finds wrong sends the stream to
``application.audit.check_stream``, so what is reported, and how, is the audit's own.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import hashlib
import multiprocessing
import os
import queue
import re
import signal
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from eventsourcing.utils import get_topic, resolve_topic

from adapters.event_decoding import TEXT_DECODERS
from adapters.event_scan import StreamRange, stream_ranges
from adapters.rebuild_processes import in_memory_store, key_store_of, keys_of, peak_mb
from application import audit
from application.audit import CheckedStream, Progress
from application.case_files import SchoolCaseFiles
from application.personal_keys import Keyring
from application.transcodings import plain_state
from domain import chain
from domain.areas.documents import (
    EvidenceAttached,
    LetterProduced,
    SentVersionAttached,
    kept_files,
)
from domain.case_file import SchoolCaseFile, case_file_id

FETCH = 2000
LEAST_ENTRIES = 150_000
"""The fewest entries to check that are shared out: a process takes about a second to start
(its imports), in which this one checks some 70,000 entries."""
PARTS_PER_PROCESS = 8
"""Ranges of streams per process; a process that is done with one takes the next."""
WAIT_SECONDS = 1.0

Row = tuple[int, Any, int, str, bytes]
"""A stored row as scanned: position in the log, stream id, version, topic, state."""

ENTRIES_WITH_FILES = (LetterProduced, SentVersionAttached, EvidenceAttached)
"""The kinds of entry ``kept_files`` finds a file in: only these are decoded whole."""
BATCH_ENTRIES = 5000
"""Entries whose keys are read at once."""
SEALED_UNDER = re.compile(rb'"_type_":"personal","_data_":\["([^"\\]+)"')
"""The key id a sealed value names, as the library's JSON encoder writes it."""
LINKED_APART = frozenset(("link", "originator_topic", "class_version"))
"""Stored keys the link does not cover (``chain.entry_link``, ``recorded_content``)."""


class LogChecks:
    """``application.audit.StreamChecks`` on a SQLite or PostgreSQL store."""

    def __init__(self, case_files: SchoolCaseFiles, processes: int = 1, *,
                 least_entries: int = LEAST_ENTRIES) -> None:
        self.case_files = case_files
        self.processes = processes
        self.least_entries = least_entries
        self.peaks_mb: list[float] = []
        """The peak memory of each other process in the last check shared out."""

    def check_all(self, known: Mapping[UUID, int], heads: Mapping[UUID, int],
                  progress: Progress | None) -> list[CheckedStream]:
        stored = stream_heads(self.case_files)
        parts = [_Part(within, None) for within in
                 stream_ranges(self._processes(sum(stored.values())) * PARTS_PER_PROCESS)]
        return self._run(parts, len(stored), known, heads, progress)

    def check_since(self, heads: Mapping[UUID, int], known: Mapping[UUID, int],
                    progress: Progress | None) -> list[CheckedStream]:
        stored = stream_heads(self.case_files)
        # From the entry before each head (where its link is), or the last entry a shortened
        # stream still has; a stream new since the checkpoint whole.
        wanted = {stream: min(max(heads[stream] - 1, 1), last) if stream in heads else 1
                  for stream, last in stored.items()}
        entries = sum(stored[stream] - version + 1 for stream, version in wanted.items())
        ranges = stream_ranges(self._processes(entries) * PARTS_PER_PROCESS)
        parts = [_Part(within, {}) for within in ranges]
        bounds = [lowest for lowest, _ in ranges[1:]]
        for stream, version in wanted.items():
            since = parts[bisect.bisect_right(bounds, stream)].since
            assert since is not None
            since[stream] = version
        return self._run(parts, len(stored), known, heads, progress)

    def _processes(self, entries: int) -> int:
        shared = (self.processes > 1 and entries >= self.least_entries
                  and not in_memory_store(self.case_files))
        return self.processes if shared else 1

    def _run(self, parts: list[_Part], streams: int, known: Mapping[UUID, int],
             links_kept: Mapping[UUID, int], progress: Progress | None) -> list[CheckedStream]:
        processes = len(parts) // PARTS_PER_PROCESS
        work = _Work(os.getpid(), parts, dict(known), dict(links_kept),
                     dict(self.case_files.env), keys_of(self.case_files),
                     {"working_days": self.case_files.working_days,
                      "scheme": self.case_files.scheme, "policy": self.case_files.policy})
        done: list[CheckedStream] = []

        def report(found: list[CheckedStream]) -> None:
            done.extend(found)
            if progress is not None and found:
                progress(len(done), max(streams, len(done)))

        with _without_collecting():
            if processes == 1:
                checker = _PartChecker(self.case_files, work)
                for part in parts:
                    report(checker.check(part))
            else:
                self.peaks_mb = _shared_out(self.case_files, work, processes, report)
        return sorted(done, key=lambda stream: stream.position)


@contextlib.contextmanager
def _without_collecting() -> Iterator[None]:
    """The garbage collector off: a stream's entries die with it, and the collector, set off
    by their allocations, would walk everything held (each pass of it the longer as the
    results grow) to find nothing."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def scannable(case_files: SchoolCaseFiles) -> bool:
    """Whether the store is one ``LogChecks`` can read (SQLite or PostgreSQL)."""
    recorder = case_files.recorder
    return isinstance(recorder, (SQLiteAggregateRecorder, PostgresAggregateRecorder))


@dataclass(frozen=True)
class _Part:
    within: StreamRange
    since: dict[UUID, int] | None
    """From which version each stream is read; None: every stream, whole, and its
    snapshots."""


@dataclass(frozen=True)
class _Work:
    """What every process needs, sent to it when it starts."""

    parent: int
    parts: list[_Part]
    known: dict[UUID, int]
    links_kept: dict[UUID, int]
    env: dict[str, str]
    keys: tuple[str, Any]
    case_file_rules: dict[str, Any]


# Sharing out -----------------------------------------------------------------------------

def _shared_out(case_files: SchoolCaseFiles, work: _Work, processes: int,
                report: Callable[[list[CheckedStream]], None]) -> list[float]:
    """This process and ``processes - 1`` others take the parts in turn; returns the others'
    peak memory."""
    context = multiprocessing.get_context("spawn")
    said = context.Queue()
    taken = context.Value("i", 0)
    others = [context.Process(target=_check_parts, args=(work, number, taken, said),
                              name=f"scc verify {number}", daemon=True)
              for number in range(2, processes + 1)]
    try:
        for process in others:
            process.start()
        checker = _PartChecker(case_files, work)
        peaks: list[float] = []
        while (part := _next_part(work, taken)) is not None:
            report(checker.check(part))
            _heard(said, report, peaks, wait=False)
        while len(peaks) < len(others):
            _heard(said, report, peaks, wait=True)
            for number, process in enumerate(others, start=2):
                if process.exitcode not in (None, 0):
                    raise RuntimeError(f"Process {number} of {processes} checking the log "
                                       f"ended without finishing (exit code {process.exitcode})")
        for process in others:
            process.join()
        return peaks
    finally:
        for process in others:
            if process.is_alive():
                process.terminate()
                process.join()
        said.close()


def _heard(said: Any, report: Callable[[list[CheckedStream]], None], peaks: list[float], *,
           wait: bool) -> None:
    """Takes what the other processes said; each that finished adds its peak memory."""
    while True:
        try:
            what, number, value = said.get(timeout=WAIT_SECONDS) if wait else said.get_nowait()
        except queue.Empty:
            return
        if what == "checked":
            report(value)
        elif what == "done":
            peaks.append(value)
        else:
            raise RuntimeError(f"Process {number} checking the log failed: {value}")
        wait = False  # then whatever else is already there


def _next_part(work: _Work, taken: Any) -> _Part | None:
    with taken.get_lock():
        if taken.value == len(work.parts):
            return None
        taken.value += 1
        return work.parts[taken.value - 1]


def _check_parts(work: _Work, number: int, taken: Any, said: Any) -> None:
    """In a process of its own: checks parts until none is left, or its parent is gone."""
    from adapters.clock import SystemClock

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the parent's to handle
    try:
        case_files = SchoolCaseFiles({**work.env, "CREATE_TABLE": "no"}, clock=SystemClock(),
                                     keyring=Keyring(key_store_of(work.keys)),
                                     **work.case_file_rules)
        try:
            checker = _PartChecker(case_files, work)
            with _without_collecting():
                while os.getppid() == work.parent and (part := _next_part(work, taken)):
                    said.put(("checked", number, checker.check(part)))
        finally:
            case_files.close()
    except Exception as error:  # the parent says which process failed
        said.put(("failed", number, f"{type(error).__name__}: {error}"))
    else:
        said.put(("done", number, peak_mb()))


# One part of the log -----------------------------------------------------------------------

class _PartChecker:
    """Checks the streams of a part: each by ``FastChain``, or else by the audit itself."""

    def __init__(self, case_files: SchoolCaseFiles, work: _Work) -> None:
        self.case_files = case_files
        self.work = work
        self.fast = FastChain(case_files)
        self.registered = get_topic(SchoolCaseFile.Registered)

    def check(self, part: _Part) -> list[CheckedStream]:
        found: list[CheckedStream] = []
        for batch in self._batches(_streams(self.case_files, part)):
            found += [self._checked(part, *stream) for stream in batch]
        return found

    def _batches(self, streams: Iterator[tuple[UUID, list[Row], list[Row]]],
                 ) -> Iterator[list[tuple[UUID, list[Row], list[Row]]]]:
        """The streams a few thousand entries at a time, with the keys their sealed values
        are under held (read at once) when the stored JSON names them in plain."""
        plain = self.case_files.mapper.cipher is None and self.case_files.mapper.compressor is None
        batch: list[tuple[UUID, list[Row], list[Row]]] = []
        entries = 0
        for stream in streams:
            batch.append(stream)
            entries += len(stream[1]) + len(stream[2])
            if entries >= BATCH_ENTRIES:
                yield self._held(batch, plain)
                batch, entries = [], 0
        if batch:
            yield self._held(batch, plain)

    def _held(self, batch: list[tuple[UUID, list[Row], list[Row]]],
              plain: bool) -> list[tuple[UUID, list[Row], list[Row]]]:
        if plain:
            self.case_files.keyring.hold({
                key_id.decode("ascii") for _, rows, snapshots in batch
                for row in (*rows, *snapshots) for key_id in SEALED_UNDER.findall(row[4])})
        return batch

    def _checked(self, part: _Part, stream_id: UUID, rows: list[Row],
                 snapshots: list[Row]) -> CheckedStream:
        """One stream, by ``FastChain`` or else by the audit itself."""
        since = None if part.since is None else self.work.links_kept.get(stream_id)
        checked = self.fast.check(stream_id, rows, snapshots, since, self._hint, self.work.known)
        if checked is None:
            checked = audit.check_stream(
                self.case_files, stream_id, [_stored(row) for row in rows],
                [_stored(row) for row in snapshots], self._hint(stream_id, rows),
                since=since)
        checked.position = min(row[0] for row in rows)
        version = self.work.links_kept.get(stream_id)
        kept = None if version is None else checked.link_at(version)
        checked.links, checked.first_version = [] if kept is None else [kept], version or 1
        return checked

    def _hint(self, stream_id: UUID, rows: Sequence[Row]) -> int | None:
        """The URN a registration in the stream names, as ``audit.find_streams`` finds it, or
        the one a checkpoint knew."""
        for row in rows:
            if row[3] == self.registered:
                urn = audit._urn_of(self.case_files, _stored(row))
                if urn is not None:
                    return urn
        return self.work.known.get(stream_id)


def _stored(row: Row) -> StoredEvent:
    _, stream_id, version, topic, state = row
    return StoredEvent(originator_id=stream_id, originator_version=version, topic=topic,
                       state=state)


class _Inexact(Exception):
    """Something this path does not read exactly as the audit does: the audit decides."""


class FastChain:
    """``check`` gives what ``audit.check_stream`` would of an intact stream, or None."""

    def __init__(self, case_files: SchoolCaseFiles) -> None:
        self.case_files = case_files
        self.mapper = case_files.mapper
        # Each transcoding's decoding, a date's or a time's without the method call.
        self.decoders = {name: TEXT_DECODERS.get(type(transcoding), transcoding.decode)
                         for name, transcoding in case_files.mapper.transcoder.names.items()}
        # A snapshot's envelope (all but its entries) is read as the app reads it, from its
        # stored JSON with the entries left out: already decrypted, so by a plain mapper.
        self.envelope_mapper = Mapper(transcoder=case_files.mapper.transcoder)
        self.kinds: dict[str, tuple[type, str, int]] = {}

    def check(self, stream_id: UUID, rows: Sequence[Row], snapshots: Sequence[Row],
              since: int | None, hint: Callable[[UUID, Sequence[Row]], int | None],
              known: Mapping[UUID, int]) -> CheckedStream | None:
        try:
            return self._check(stream_id, rows, snapshots, since, hint, known)
        except Exception:  # noqa: BLE001 - whatever it is, the audit's own check words it
            return None

    def _check(self, stream_id: UUID, rows: Sequence[Row], snapshots: Sequence[Row],
               since: int | None, hint: Callable[[UUID, Sequence[Row]], int | None],
               known: Mapping[UUID, int]) -> CheckedStream:
        first = since or 1
        stream_text = str(stream_id)
        previous = chain.GENESIS
        stored, kinds, links, named = [], [], [], []
        expected = first - 1 if first > 1 else 1
        for _, _, version, topic, state in rows:
            if version != expected:
                raise _Inexact
            fields = orjson.loads(plain_state(self.mapper, state))
            if type(fields) is not dict:
                raise _Inexact
            link = fields.get("link")
            if version < first:  # the entry before the head: only its link is taken
                if type(link) is not str:
                    raise _Inexact
                previous, expected = link, expected + 1
                continue
            kind, name, class_version = self._kind(topic)
            if fields.get("class_version", 1) != class_version:
                raise _Inexact
            content = self._content(name, fields, stream_text, version)  # opens every value
            if type(link) is not str or link != hashlib.sha256(
                    previous.encode("ascii")
                    + orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest():
                raise _Inexact
            links.append(link)
            if issubclass(kind, ENTRIES_WITH_FILES):
                event = self.mapper.to_domain_event(_stored(
                    (0, stream_id, version, topic, state)))
                named += [(version, file) for file in kept_files(event)]
            previous = link
            stored.append(fields)
            kinds.append(kind)
            expected += 1
        if not stored or (since is None and snapshots and not self._snapshots_match(
                stream_id, stored, kinds, snapshots)):
            raise _Inexact
        urn = self._urn(stream_id, kinds[0], stored[0], known.get(stream_id))
        if urn is None:
            urn = audit._name(self.case_files, stream_id, [], [_stored(r) for r in snapshots],
                              hint(stream_id, rows))
        return CheckedStream(stream_id, urn, rows=len(links), last_version=expected - 1,
                             first_version=first, links=links, named_files=named)

    def _kind(self, topic: str) -> tuple[type, str, int]:
        found = self.kinds.get(topic)
        if found is None:
            kind = resolve_topic(topic)
            found = self.kinds[topic] = (kind, getattr(kind, "entry_name", kind.__qualname__),
                                         getattr(kind, "class_version", 1))
        return found

    def _content(self, name: str, fields: dict[str, Any], stream_text: str,
                 version: int) -> dict[str, Any]:
        """What ``chain.entry_link`` hashes of the entry these stored fields decode to."""
        content: dict[str, Any] = {"event": name}
        for key, value in fields.items():
            kind = type(value)
            if kind is dict or kind is list:
                if key in LINKED_APART:
                    continue
                value = self._canonical(value)
            elif key in LINKED_APART:
                continue
            content[key] = value
        content["originator_id"] = stream_text
        content["originator_version"] = version
        return content

    def _canonical(self, value: Any) -> Any:
        """A stored value as ``chain.canonical`` has it once decoded (``chain.committed``)."""
        kind = type(value)
        if kind is list:
            return [self._canonical(item) for item in value]
        if kind is not dict:
            if kind is str or kind is int or value is None or kind is bool or kind is float:
                return value
            raise _Inexact
        if len(value) != 2 or "_type_" not in value or "_data_" not in value:
            return {key: self._canonical(item) for key, item in value.items()}
        data = value["_data_"]
        if type(data) is not str:
            if type(data) is not list:
                raise _Inexact
            for item in data:  # nested encodings: the library revives them inside out
                if type(item) is dict or type(item) is list:
                    raise _Inexact
        decoded = self.decoders[value["_type_"]](data)
        kind = type(decoded)
        if kind is date or kind is datetime:
            return decoded.isoformat()
        linked = getattr(decoded, "linked", None)
        if linked is not None:
            return linked()
        if kind is UUID:
            return str(decoded)
        raise _Inexact

    def _snapshots_match(self, stream_id: UUID, stored: list[dict[str, Any]],
                         kinds: list[type], snapshots: Sequence[Row]) -> bool:
        """Whether each snapshot holds the stored entries up to the one it was taken at, as
        stored (what ``audit._check_snapshots`` compares, decoded), and can be read."""
        for _, _, taken_at, topic, state in snapshots:
            envelope = orjson.loads(plain_state(self.mapper, state))
            entries = envelope["state"]["_entries"]
            if taken_at > len(stored) or len(entries) != taken_at:
                return False
            emptied = {**envelope, "state": {**envelope["state"], "_entries": []}}
            aggregate = type(self.envelope_mapper.to_domain_event(StoredEvent(
                originator_id=stream_id, originator_version=taken_at, topic=topic,
                state=orjson.dumps(emptied))).mutate(None))
            for version, (entry, fields, kind) in enumerate(zip(entries, stored, kinds,
                                                                strict=False), start=1):
                name, held = entry
                if (getattr(aggregate, name, None) is not kind
                        or held != {**fields, "originator_version": version}):
                    return False
        return True

    @staticmethod
    def _urn(stream_id: UUID, kind: type, fields: dict[str, Any],
             known: int | None) -> int | None:
        """The URN the stream's first entry names, as ``audit._name`` reads it (``known``: the
        URN a checkpoint knew the stream by, whose stream id is already worked out)."""
        urn = fields.get("urn") if issubclass(kind, SchoolCaseFile.Registered) else None
        if not isinstance(urn, int):
            return None
        return urn if (urn == known and type(urn) is int) or case_file_id(urn) == stream_id \
            else None


# Reading the store -------------------------------------------------------------------------

def stream_heads(case_files: SchoolCaseFiles) -> dict[UUID, int]:
    """Every stream in the log and its highest stored version (one pass over the key)."""
    recorder = case_files.recorder
    if isinstance(recorder, SQLiteAggregateRecorder):
        with _sqlite(recorder) as connection:
            return {UUID(stream): version for stream, version in connection.execute(
                f"SELECT originator_id, max(originator_version) "  # noqa: S608
                f"FROM {recorder.events_table_name} GROUP BY originator_id")}
    if isinstance(recorder, PostgresAggregateRecorder):
        from psycopg.rows import tuple_row
        from psycopg.sql import SQL, Identifier

        with recorder.datastore.get_connection() as connection, \
                connection.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(SQL(
                "SELECT originator_id, max(originator_version) FROM {schema}.{table} "
                "GROUP BY originator_id").format(
                    schema=Identifier(recorder.datastore.schema),
                    table=Identifier(recorder.events_table_name)))
            return dict(cursor.fetchall())
    raise TypeError(f"No ordered scan for {type(recorder).__name__}")


def _streams(case_files: SchoolCaseFiles, part: _Part,
             ) -> Iterator[tuple[UUID, list[Row], list[Row]]]:
    """Each stream of the part with rows: its rows, and its snapshots if the part is read
    whole."""
    snapshot_recorder = (None if part.since is not None or case_files.snapshots is None
                         else case_files.snapshots.recorder)
    events = _grouped(_rows(case_files.recorder, part.within, part.since))
    snapshots = _grouped(_rows(snapshot_recorder, part.within, None, positions=False)
                         if snapshot_recorder is not None else iter(()))
    held = next(snapshots, None)
    for stream_id, rows in events:
        while held is not None and held[0] < stream_id:
            held = next(snapshots, None)
        taken = held[1] if held is not None and held[0] == stream_id else []
        yield stream_id, rows, taken


def _grouped(rows: Iterator[Row]) -> Iterator[tuple[UUID, list[Row]]]:
    stream: list[Row] = []
    current = None
    for row in rows:
        if row[1] != current:
            if stream:
                yield stream[0][1], stream
            stream, current = [], row[1]
        stream.append(row)
    if stream:
        yield stream[0][1], stream


def _rows(recorder: Any, within: StreamRange, since: Mapping[UUID, int] | None, *,
          positions: bool = True) -> Iterator[Row]:
    """The rows of the streams ``within`` the range (from a version each, for ``since``), in
    stream and version order, each stream's id as a UUID; with their positions in the log,
    or 0 (the snapshots table has none)."""
    if isinstance(recorder, SQLiteAggregateRecorder):
        yield from _rows_sqlite(recorder, within, since, positions)
    elif isinstance(recorder, PostgresAggregateRecorder):
        yield from _rows_postgres(recorder, within, since, positions)
    else:
        raise TypeError(f"No ordered scan for {type(recorder).__name__}")


class _sqlite:  # noqa: N801 - a context manager, named as a function
    """A read-only connection of its own to the store's SQLite file."""

    def __init__(self, recorder: SQLiteAggregateRecorder) -> None:
        db_name = recorder.datastore.pool.db_name
        self.uri = db_name if db_name.startswith("file:") else f"file:{db_name}?mode=ro"

    def __enter__(self) -> sqlite3.Connection:
        self.connection = sqlite3.connect(self.uri, uri=True)
        return self.connection

    def __exit__(self, *_: object) -> None:
        self.connection.close()


def _rows_sqlite(recorder: SQLiteAggregateRecorder, within: StreamRange,
                 since: Mapping[UUID, int] | None, positions: bool) -> Iterator[Row]:
    table = recorder.events_table_name
    position = "rowid" if positions else "0"
    with _sqlite(recorder) as connection:
        if since is None:
            where, parameters = ["1"], []
            lowest, beyond = within
            if lowest is not None:
                where.append("originator_id >= ?")
                parameters.append(lowest.hex)
            if beyond is not None:
                where.append("originator_id < ?")
                parameters.append(beyond.hex)
            cursor = connection.execute(
                f"SELECT {position}, originator_id, originator_version, topic, state "  # noqa: S608
                f"FROM {table} WHERE {' AND '.join(where)} "
                "ORDER BY originator_id, originator_version", parameters)
        else:
            connection.execute("CREATE TEMP TABLE scc_wanted (originator_id TEXT PRIMARY KEY, "
                               "from_version INTEGER)")
            connection.executemany("INSERT INTO scc_wanted VALUES (?, ?)",
                                   ((stream.hex, version) for stream, version in since.items()))
            cursor = connection.execute(
                f"SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state "  # noqa: S608
                f"FROM scc_wanted w JOIN {table} e ON e.originator_id = w.originator_id "
                "AND e.originator_version >= w.from_version "
                "ORDER BY e.originator_id, e.originator_version")
        streams: dict[str, UUID] = {}
        while rows := cursor.fetchmany(FETCH):
            for position, stream, version, topic, state in rows:
                stream_id = streams.get(stream)
                if stream_id is None:
                    streams.clear()  # one stream at a time: the ids seen are not kept
                    stream_id = streams[stream] = UUID(stream)
                yield position, stream_id, version, topic, state


def _rows_postgres(recorder: PostgresAggregateRecorder, within: StreamRange,
                   since: Mapping[UUID, int] | None, positions: bool) -> Iterator[Row]:
    from psycopg.rows import tuple_row
    from psycopg.sql import SQL, Identifier

    table = Identifier(recorder.datastore.schema, recorder.events_table_name)
    position = SQL("e.notification_id" if positions else "0")
    if since is None:
        where, parameters = [SQL("TRUE")], []
        lowest, beyond = within
        if lowest is not None:
            where.append(SQL("e.originator_id >= %s"))
            parameters.append(lowest)
        if beyond is not None:
            where.append(SQL("e.originator_id < %s"))
            parameters.append(beyond)
        query = SQL(
            "SELECT {position}, e.originator_id, e.originator_version, e.topic, e.state "
            "FROM {table} e WHERE {where} ORDER BY e.originator_id, e.originator_version"
        ).format(position=position, table=table, where=SQL(" AND ").join(where))
    else:
        parameters = [list(since), list(since.values())]
        query = SQL(
            "SELECT {position}, e.originator_id, e.originator_version, e.topic, e.state "
            "FROM unnest(%s::uuid[], %s::int[]) AS w(originator_id, from_version) "
            "JOIN {table} e ON e.originator_id = w.originator_id "
            "AND e.originator_version >= w.from_version "
            "ORDER BY e.originator_id, e.originator_version"
        ).format(position=position, table=table)
    with recorder.datastore.get_connection() as connection, connection.transaction(), \
            connection.cursor(name="scc_verify_scan", row_factory=tuple_row) as cursor:
        cursor.execute(query, parameters)
        while rows := cursor.fetchmany(FETCH):
            for position_of, stream, version, topic, state in rows:
                yield position_of, stream, version, topic, bytes(state)
