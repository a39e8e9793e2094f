"""Read models projected from the case files' event log: what they hold and how they advance.

Each projection keeps its rows and its position in the notification log in one store
transaction, so after a crash it resumes where the last committed batch ended: nothing lost,
nothing counted twice. A school's rows are rebuilt from its case file's own fold, so
backdated entries and corrections mean exactly what they mean in the domain.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from threading import Event, Thread
from typing import Any, Protocol

from eventsourcing.persistence import PersistenceError
from eventsourcing.utils import get_topic

from application.case_files import SchoolCaseFiles
from application.entry_search import SEARCH_COLUMNS, EntryQuery, search_row, stream_rows
from application.school_search import SchoolSearch
from application.views import concern_reasons, summarise
from domain.case_file import SchoolCaseFile
from domain.categories import CategoryScheme
from domain.deadlines import Deadline, pending_deadlines, pending_firings
from domain.ofsted import framework_on
from domain.status import CaseFileState, fold

PROJECTIONS = ("school_status", "category_history", "deadlines", "firings", "activity",
               "search")
"""Every projection, by name; all but activity and search hold rows per school, those two one
per entry."""
PER_ENTRY = ("activity", "search")

STORE_FAILURES = (PersistenceError, OSError, MemoryError)
"""Failures of the store or the machine, not of an entry: they stop the batch, which is tried
again as a whole, rather than set a school aside whose entries would then be passed over."""

BATCH = 500
REBUILD_BATCH = 10_000
"""Entries a rebuild reads between writes: large enough that the writes go in big
transactions, small enough that the rows waiting for them take a few tens of MB."""


ACTIVITY_COLUMNS = ("notification_id", "urn", "version", "event", "summary", "effective",
                    "recorded_at", "recorded_by")
"""What an activity row holds, in the order of its values."""


@dataclass(frozen=True)
class Batch:
    """What one step of a projection writes: rows replacing those of the schools touched,
    rows added (tuples of the values named by ``columns``: the activity feed adds a row for
    every entry, and a tuple costs less to make and to write than a dict), and the position
    it advances from and to."""

    projection: str
    from_position: int
    to_position: int
    schools: dict[int, list[dict[str, Any]]]
    added: list[tuple[Any, ...]]
    columns: tuple[str, ...] = ()
    set_aside: dict[int, str] = field(default_factory=dict)
    """Schools whose rows could not be built from their case files, with why (school_status
    records them; see CaseFileProjections.set_aside). A school in ``schools`` is no longer set
    aside."""
    replaced: list[tuple[Any, ...]] = field(default_factory=list)
    """Rows (of ``columns``) whose values replace those of the row written earlier for the
    same entry (the same ``urn`` and ``version``), all but its position in the log: the
    search rows of entries that a correction in this batch retracts or amends."""


class NewGeneration(Protocol):
    """A rebuild's new tables for some projections, filled before they are made current."""

    numbers: dict[str, int]
    """Each projection's new generation."""

    def write(self, batches: Iterable[list[Batch]]) -> None:
        """Writes each group of batches (one per projection) in a transaction."""


class RebuildFailed(RuntimeError):
    """One of the processes a rebuild was shared out among failed or died; nothing was made
    current."""


class RebuildProcesses(Protocol):
    """Processes that rebuild parts of the log at once (adapters.rebuild_processes), each
    with ``CaseFileProjections.fill`` over its part."""

    def take(self, entries: int) -> bool:
        """Whether a rebuild of a log this long is worth sharing out."""

    def fill(self, names: list[str], position: int, generation: NewGeneration,
             report: Callable[[int], None]) -> None:
        """Fills ``generation`` with the projections ``names`` of the log up to
        ``position``, reporting entries read as the parts go."""


class ReadModelStore(Protocol):
    """Where projections keep their rows (adapters.read_models implements it)."""

    def position(self, projection: str) -> int: ...

    def positions(self) -> dict[str, tuple[int, int]]:
        """Every projection's (generation, position): what its tables hold, in one read.
        A rebuild starts a new generation, so the pair changes whenever what a query would
        find changes."""
        ...

    def consistent(self) -> AbstractContextManager[dict[str, tuple[int, int]]]:
        """A block whose reads (this thread's) all see the read models as they stood at its
        start; it yields ``positions()`` as of then."""

    def commit_together(self, batches: list[Batch]) -> bool:
        """Writes the batches and moves their projections' positions in one transaction,
        if each position is still its batch's ``from_position``; if another process moved
        any of them first, writes nothing and returns False."""

    def rebuild(self, projections: list[str], position: int,
                fill: Callable[[NewGeneration], None]) -> None:
        """Makes fresh tables, has ``fill`` fill them and swaps them all in, with the
        position, in one transaction; readers keep the old tables until then."""

    def schools(self) -> list[dict[str, Any]]:
        """Every school's status row."""

    def spells(self) -> list[dict[str, Any]]:
        """Every LA category and Ofsted judgement interval."""

    def deadlines(self) -> list[dict[str, Any]]:
        """Every pending deadline, soonest first."""

    def firings(self, *, due_by: date | None = None) -> list[dict[str, Any]]:
        """Pending reminders and passings, soonest first."""

    def next_firing_on(self) -> date | None:
        """The day the next reminder or passing is due."""

    def set_aside(self) -> list[dict[str, Any]]:
        """The schools whose read models stand still because an entry could not be
        applied: {urn, name (None if never shown), reason, position}, by URN."""

    def activity(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest entries across all schools."""

    # Counted, filtered and limited by the store, so that a page reads only what it shows.
    # ``caseworkers``: only the schools whose caseworker has one of these email addresses,
    # spelt as assigned (see caseworker_emails).

    def caseworker_emails(self) -> list[str]:
        """Every caseworker's email address on a school's status row, as assigned."""

    def category_counts(self, kind: str, day: date, *, phase_group: str | None = None,
                        caseworkers: Collection[str] | None = None) -> list[dict[str, Any]]:
        """The schools open on ``day`` and their pupils on roll, counted by the grade of
        their ``kind`` ("la" or "ofsted") spell that covers the day: {grade, judged,
        schools, pupils}, ``judged`` False for those no spell covers; only schools of the
        phase group if given."""

    def current_category_counts(self, kind: str, day: date, *,
                                phase_group: str | None = None,
                                caseworkers: Collection[str] | None = None
                                ) -> list[dict[str, Any]]:
        """The same as ``category_counts`` on ``day``, for the day the read models are
        caught up to (today), read from the schools' current status."""

    def current_summary(self, day: date, *, caseworkers: Collection[str] | None = None
                        ) -> list[dict[str, Any]]:
        """The schools and their pupils counted in one pass by LA category, Ofsted grade,
        whether open on ``day`` and whether causing concern: {la_grade, la_judged,
        ofsted_grade, ofsted_judged, is_open, causing_concern, schools, pupils}. Summed over
        the open, each kind's counts are ``current_category_counts``'s."""

    def find_schools(self, search: SchoolSearch, *, limit: int | None = None,
                     offset: int = 0) -> list[dict[str, Any]]:
        """The status rows ``search`` finds, in its order; at most ``limit`` of them, from
        ``offset``."""

    def count_schools(self, search: SchoolSearch) -> int:
        """How many status rows ``search`` finds."""

    def causing_concern(self, *, caseworkers: Collection[str] | None = None,
                        limit: int | None = None) -> list[dict[str, Any]]:
        """The status rows of the schools causing concern, by URN; with a ``limit``, those
        with the soonest next deadlines."""

    def count_causing_concern(self, *, caseworkers: Collection[str] | None = None) -> int:
        """How many schools are causing concern."""

    def academy_orders_expected(self, *, caseworkers: Collection[str] | None = None
                                ) -> list[dict[str, Any]]:
        """The status rows of the schools whose academy order is expected, by URN."""

    def in_rise(self, *, caseworkers: Collection[str] | None = None) -> list[dict[str, Any]]:
        """The status rows of the schools in RISE targeted intervention, by URN."""

    def deadlines_due(self, *, due_from: date | None = None, due_to: date | None = None,
                      kind: str | None = None, caseworkers: Collection[str] | None = None,
                      latest_first: bool = False, limit: int | None = None
                      ) -> list[dict[str, Any]]:
        """Pending deadlines due from ``due_from`` to ``due_to`` (both included; either
        open), of one kind if given, each with its school's ``name``; soonest first (latest
        first if asked), then by URN and key; at most ``limit``."""

    def count_deadlines_due(self, *, due_from: date | None = None, due_to: date | None = None,
                            kind: str | None = None,
                            caseworkers: Collection[str] | None = None) -> int:
        """How many deadlines ``deadlines_due`` would list without a limit."""

    def owned_deadlines(self, owner: str, *, due_to: date | None = None
                        ) -> list[dict[str, Any]]:
        """The pending deadlines this email address owns (any case), due by ``due_to`` if
        given, each with its school's ``name``; soonest first, then by URN and key."""

    def caseworker_names(self) -> dict[str, str]:
        """Each caseworker's name by their email address in lower case, as assigned."""

    def load_by_owner(self, today: date, week_ends: date, *, kinds_left_out: Collection[str] = ()
                      ) -> list[dict[str, Any]]:
        """Each owner's pending deadlines counted: {owner, overdue (before ``today``),
        this_week (``today`` to ``week_ends``), open (all, suspended ones too)}, by owner;
        deadlines of ``kinds_left_out`` not counted."""

    def recent_activity(self, limit: int = 50, *, caseworkers: Collection[str] | None = None
                        ) -> list[dict[str, Any]]:
        """The newest entries, each with its school's ``name``."""

    def matching_entries(self, query: EntryQuery, *, newest: int) -> list[dict[str, Any]]:
        """The ``newest`` most recently recorded entries the query finds, newest first:
        each search row (SEARCH_COLUMNS) with its school's ``name``."""

    def close(self) -> None: ...


class CaseFileProjections:
    """Advances the read models from the event log, incrementally or by a full rebuild."""

    def __init__(
        self, case_files: SchoolCaseFiles, store: ReadModelStore,
        scan: Callable[..., Iterator[list[tuple[int, Any]]]] | None = None,
        processes: RebuildProcesses | None = None,
    ) -> None:
        """``scan(upto, within=None)`` reads the log up to a position a stream at a time,
        each stream's entries decoded with their positions (adapters.event_scan), which makes
        a rebuild one pass; ``within`` names a part of the streams, as ``processes`` share
        them out. Without a scan a rebuild reads each school's stream in turn; with
        ``processes`` as well, a long log's rebuild is shared out among them."""
        self.case_files = case_files
        self.store = store
        self.scan = scan
        self.processes = processes

    @property
    def scheme(self) -> CategoryScheme:
        return self.case_files.scheme

    def status(self) -> list[dict[str, Any]]:
        """Each projection's position and how far it lags the log."""
        head = self.case_files.recorder.max_notification_id() or 0
        return [
            {"projection": name, "position": (p := self.store.position(name)), "lag": head - p}
            for name in PROJECTIONS
        ]

    def set_aside(self) -> list[dict[str, Any]]:
        """The schools set aside: their rows stay as they were before the entry that could
        not be applied, while every other school's advance (see ``_rows_by_projection``)."""
        return self.store.set_aside()

    def catch_up(self, names: Iterable[str] = PROJECTIONS, *, limit: int | None = None) -> int:
        """Processes what is new in the log for each projection; returns entries processed
        (an entry counts once for each projection it advances), stopping once ``limit`` is
        reached if given.

        Projections usually stand at one position (after a command, one entry behind), so
        those that do advance together: each school the new entries touch is loaded once
        for all of them, and their rows and positions are written in one transaction."""
        names = list(dict.fromkeys(names))
        processed = 0
        # Read once: with nothing new, a catch-up costs this and one read of the positions.
        head = self.case_files.recorder.max_notification_id() or 0
        stand = self.store.positions()
        positions = {name: stand[name][1] for name in names}
        while limit is None or processed < limit:
            behind = {name: p for name, p in positions.items() if p < head}
            if not behind:
                break
            position = min(behind.values())
            together = [name for name, p in behind.items() if p == position]
            size = BATCH if limit is None else max(
                1, min(BATCH, (limit - processed) // len(together)))
            notifications = self.case_files.recorder.select_notifications(position + 1, size)
            if not notifications:
                break
            if self.store.commit_together(self._batches(together, position, notifications)):
                processed += len(notifications) * len(together)
                positions.update(dict.fromkeys(together, notifications[-1].id))
            else:  # another process moved some first: carry on from where they are now
                now = self.store.positions()
                positions = {name: now[name][1] for name in names}
        return processed

    def follow(self, stop: Event, poll_seconds: float = 1.0) -> None:
        """Keeps the read models up to date until ``stop`` is set. Where the store can
        notify (PostgreSQL's subscriptions) a new entry wakes it; elsewhere (SQLite) it polls.
        """
        self.catch_up()
        try:
            subscription = self.case_files.recorder.subscribe(
                gt=min(self.store.position(name) for name in PROJECTIONS))
        except NotImplementedError:
            while not stop.wait(poll_seconds):
                self.catch_up()
            return
        Thread(target=lambda: (stop.wait(), subscription.stop()), daemon=True).start()
        with subscription:
            caught_up_to = 0
            for notification in subscription:
                if notification.id > caught_up_to:  # one catch-up serves a burst of entries
                    self.catch_up()
                    caught_up_to = min(self.store.position(name) for name in PROJECTIONS)

    def rebuild(
        self, names: Iterable[str] = PROJECTIONS,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Rebuilds projections from the whole log: the per-school ones in one pass over the
        case files, the activity feed in one pass over the log. Returns the entries read."""
        names = list(dict.fromkeys(names))
        for name in names:
            if name not in PROJECTIONS:
                raise ValueError(f"No projection {name!r}: there are {', '.join(PROJECTIONS)}")
        position = self.case_files.recorder.max_notification_id() or 0
        per_school = [n for n in names if n not in PER_ENTRY]
        per_entry = [n for n in names if n in PER_ENTRY]
        passes = bool(per_school) + bool(per_entry)
        read = 0

        def report(done: int) -> None:
            nonlocal read
            read += done
            if progress:
                progress(read, position * passes)

        if self.scan is not None:  # one ordered pass serves every projection
            passes = 1
            if self.processes is not None and self.processes.take(position):
                self.store.rebuild(names, position, lambda generation: self.processes.fill(
                    names, position, generation, report))
            else:
                self.store.rebuild(names, position, lambda generation: self.fill(
                    names, position, generation, report))
            return read
        if per_school:
            self.store.rebuild(per_school, position, lambda generation: generation.write(
                self._school_batches(per_school, position, report)))
        if per_entry:
            self.store.rebuild(per_entry, position, lambda generation: generation.write(
                self._entry_batches(per_entry, position, report)))
        return read

    def fill(self, names: list[str], position: int, generation: NewGeneration,
             report: Callable[[int], None], within: Any = None) -> None:
        """Writes the rows of projections ``names`` for the log up to ``position`` into a
        rebuild's new tables, from one scan of the log: of all of it, or of the part of its
        streams ``within`` names (what each of several rebuilding processes does)."""
        with _collecting_less_often():
            generation.write(self._scanned_batches(names, position, report, within))

    def _scanned_batches(self, names: list[str], position: int,
                         report: Callable[[int], None], within: Any = None
                         ) -> Iterator[list[Batch]]:
        """Batches from one scan of the log in stream order: each entry decoded once, each
        school folded once, constant memory."""
        per_school = [n for n in names if n not in PER_ENTRY]
        states: dict[int, CaseFileState] = {}
        set_aside: dict[int, str] = {}
        activity: list[tuple[Any, ...]] = []
        search: list[tuple[Any, ...]] = []
        read = 0

        def batch() -> list[Batch]:
            nonlocal states, set_aside, activity, search, read
            rows = self._rows_by_projection(per_school, states, set_aside)
            done = [Batch(name, 0, position, rows[name], [], set_aside=set_aside)
                    for name in per_school]
            if "activity" in names:
                done.append(Batch("activity", 0, position, {}, activity, ACTIVITY_COLUMNS))
            if "search" in names:
                done.append(Batch("search", 0, position, {}, search, SEARCH_COLUMNS))
            report(read)
            states, set_aside, activity, search, read = {}, {}, [], [], 0
            return done

        for stream in self.scan(position, within):
            first = stream[0][1]
            urn = getattr(first, "urn", None) if first.originator_version == 1 else None
            if urn is None:  # a stream with no registration: nothing to show for it
                continue
            self.case_files.remember_stream(first.originator_id, urn)
            if per_school:
                try:
                    states[urn] = fold(event for _, event in stream)
                except STORE_FAILURES:
                    raise
                except Exception as error:  # noqa: BLE001 - one school's, set aside
                    set_aside[urn] = _why(error, stream[-1][0])
            if "activity" in names:
                activity += [row for n, event in stream
                             if (row := _activity_row_or_none(n, event, urn)) is not None]
            if "search" in names:
                search += _stream_search_rows(stream, urn)
            read += len(stream)
            if read >= REBUILD_BATCH:
                yield batch()
        yield batch()

    def _school_batches(self, names: list[str], position: int,
                        report: Callable[[int], None]) -> Iterator[list[Batch]]:
        urns = self.case_files.urns()
        for first in range(0, len(urns), BATCH):
            chunk = urns[first:first + BATCH]
            states, set_aside = self._states(chunk, position)
            rows = self._rows_by_projection(names, states, set_aside)
            yield [Batch(name, 0, position, rows[name], [], set_aside=set_aside)
                   for name in names]
            report(sum(self.case_files.version(urn) for urn in chunk))

    def _entry_batches(self, names: list[str], position: int,
                       report: Callable[[int], None]) -> Iterator[list[Batch]]:
        """The per-entry projections' batches, from the log in its order (without a scan)."""
        start = 1
        while start <= position:
            page = self.case_files.recorder.select_notifications(start, BATCH, stop=position)
            if not page:
                return
            yield [batch for batch in self._batches(names, 0, page) if batch.projection in names]
            report(len(page))
            start = page[-1].id + 1

    # Building rows ---------------------------------------------------------------------

    def _batches(self, names: list[str], position: int,
                 notifications: list[Any]) -> list[Batch]:
        """Each projection's batch for these entries, from ``position``."""
        to_position = notifications[-1].id
        batches = []
        if any(n.topic == ERASED_TOPIC for n in notifications):
            # Keys were destroyed: what this process read with them is not to be used again
            self.case_files.keyring.current(now=True)
        if per_school := [name for name in names if name not in PER_ENTRY]:
            touched = sorted({urn for n in notifications
                              if (urn := self._urn_or_none(n.originator_id)) is not None})
            states, set_aside = self._states(touched, to_position)
            rows = self._rows_by_projection(per_school, states, set_aside)
            batches += [Batch(name, position, to_position, rows[name], [], set_aside=set_aside)
                        for name in per_school]
        if "activity" in names:
            batches.append(Batch("activity", position, to_position, {},
                                 self._activity(notifications), ACTIVITY_COLUMNS,
                                 replaced=self._activity_erased(notifications)))
        if "search" in names:
            added, replaced = self._search(notifications)
            batches.append(Batch("search", position, to_position, {}, added, SEARCH_COLUMNS,
                                 replaced=replaced))
        return batches

    def _urn_or_none(self, stream_id: Any) -> int | None:
        """The URN of a stream, or None if its registration cannot be read: such a stream
        has nothing to show, as a rebuild finds (``_scanned_batches``)."""
        try:
            return self.case_files.urn_of(stream_id)
        except STORE_FAILURES:
            raise
        except Exception:  # noqa: BLE001
            return None

    def _states(self, urns: Iterable[int], position: int
                ) -> tuple[dict[int, CaseFileState], dict[int, str]]:
        """These schools' states, and those that could not be loaded, with why."""
        states: dict[int, CaseFileState] = {}
        set_aside: dict[int, str] = {}
        for urn in urns:
            try:
                states[urn] = self.case_files.state_of(urn)
            except STORE_FAILURES:
                raise
            except Exception as error:  # noqa: BLE001 - one school's, set aside
                set_aside[urn] = _why(error, position)
        return states, set_aside

    def _rows_by_projection(self, names: list[str], states: dict[int, CaseFileState],
                            set_aside: dict[int, str]
                            ) -> dict[str, dict[int, list[dict[str, Any]]]]:
        """Each per-school projection's rows for these schools: a school's pending deadlines
        are worked out once for all of them.

        A school whose rows cannot be built (an entry recorded before a rule refused it, such
        as a meeting in year 9999, or a bug) gets none: it is added to ``set_aside`` with
        why, its rows stay as they were, and every other school's advance. One school's entry
        must not stop the read models, the reminders and the pages of all the others."""
        rows: dict[str, dict[int, list[dict[str, Any]]]] = {name: {} for name in names}
        today = self.case_files.clock.today()
        for urn, state in states.items():
            try:
                built = self._school_rows(names, urn, state, today)
            except Exception as error:  # noqa: BLE001 - one school's, set aside
                set_aside[urn] = _why(error, None)
                continue
            for name in names:
                rows[name][urn] = built[name]
        return rows

    def _school_rows(self, names: list[str], urn: int, state: CaseFileState, today: date
                     ) -> dict[str, list[dict[str, Any]]]:
        """One school's rows in each per-school projection."""
        app = self.case_files
        deadlines = (pending_deadlines(state, app.policy, app.working_days, self.scheme)
                     if any(name != "category_history" for name in names) else [])
        rows: dict[str, list[dict[str, Any]]] = {}
        for name in names:
            if name == "category_history":
                rows[name] = category_spells(state) + ofsted_spells(state)
            elif name == "school_status":
                rows[name] = [status_row(state, self.scheme, today, deadlines)]
            elif name == "deadlines":
                rows[name] = [
                    {"kind": d.kind, "key": d.key, "due": d.due, "what": d.what,
                     "source_version": d.source_version, "suspended": d.suspended,
                     "owner": d.owner.strip().lower() if d.owner else None}
                    for d in deadlines
                ]
            else:
                rows[name] = [
                    {"key": f.key, "due": f.due,
                     "working_days_before": f.working_days_before, "fire_on": f.on}
                    for f in pending_firings(urn, state, deadlines)  # the log alone decides
                ]
        return rows

    def _search(self, notifications: list[Any]
                ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The search rows of these entries, and the rows replacing those of the earlier
        entries their corrections retract or amend (read again with every correction of
        theirs from the school's stream, which holds them all)."""
        decode = self.case_files.mapper.to_domain_event
        added: dict[int, tuple[Any, ...]] = {}
        corrected: dict[Any, tuple[int, set[int]]] = {}  # stream: its URN, versions corrected
        for notification in notifications:
            try:
                event = decode(notification)
                urn = self.case_files.urn_of(event.originator_id)
                row = search_row(notification.id, event, urn)
            except STORE_FAILURES:
                raise
            except Exception:  # noqa: BLE001, S112 - its school is set aside by the others
                continue
            added[notification.id] = row
            if type(event).__name__ in ("EntryRetracted", "EntryAmended"):
                corrected.setdefault(event.originator_id, (urn, set()))[1].add(event.version)
            elif type(event).__name__ == "PersonalDataErased":  # every entry reads anew
                corrected.setdefault(event.originator_id, (urn, set()))[1].update(
                    range(1, event.originator_version))
        in_batch = {(row[1], row[2]): n for n, row in added.items()}
        replaced = []
        for stream_id, (urn, versions) in corrected.items():
            stream = [(0, event) for event in self.case_files.events.get(stream_id)]
            for row in stream_rows(stream, urn):
                if row[2] not in versions:
                    continue
                if (n := in_batch.get((urn, row[2]))) is not None:
                    added[n] = (n, *row[1:])  # recorded in this batch too: written corrected
                else:
                    replaced.append(row)
        return list(added.values()), replaced

    def _activity_erased(self, notifications: list[Any]) -> list[tuple[Any, ...]]:
        """The activity rows of the entries of a case file whose personal data was erased
        in this batch, as they read now (the erasure's notes where names were)."""
        rows: list[tuple[Any, ...]] = []
        erased = {n.originator_id: n.originator_version for n in notifications
                  if n.topic == ERASED_TOPIC}
        for stream_id, version in erased.items():
            urn = self.case_files.urn_of(stream_id)
            for event in self.case_files.events.get(stream_id, lte=version - 1):
                if (row := _activity_row_or_none(0, event, urn)) is not None:
                    rows.append(row)
        return rows

    def _activity(self, notifications: list[Any]) -> list[tuple[Any, ...]]:
        decode = self.case_files.mapper.to_domain_event
        rows = []
        for notification in notifications:
            try:
                event = decode(notification)
                urn = self.case_files.urn_of(event.originator_id)
            except STORE_FAILURES:
                raise
            except Exception:  # noqa: BLE001, S112 - its school is set aside by the others
                continue
            if (row := _activity_row_or_none(notification.id, event, urn)) is not None:
                rows.append(row)
        return rows


@contextmanager
def _collecting_less_often() -> Iterator[None]:
    """Python's cycle collector runs less often meanwhile. A rebuild makes millions of
    short-lived objects while it holds a batch of long-lived ones (case file states), and at
    the usual pace the collector walks those again and again: a sixth of a rebuild's time.
    The rebuild leaves next to no cyclic garbage, so its memory does not grow for this."""
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _why(error: Exception, position: int | None) -> str:
    """Why a school was set aside, in one line: the error, and the entry if known."""
    words = " ".join(str(error).split())[:300]
    at = f" (at log position {position})" if position is not None else ""
    return f"{type(error).__name__}: {words}{at}" if words else f"{type(error).__name__}{at}"


def _stream_search_rows(stream: list[tuple[int, Any]], urn: int) -> list[tuple[Any, ...]]:
    """A stream's search rows, or none if one of its entries cannot be summarised: its
    school is then set aside by the per-school projections."""
    try:
        return stream_rows(stream, urn)
    except Exception:  # noqa: BLE001
        return []


ERASED_TOPIC = get_topic(SchoolCaseFile.PersonalDataErased)


def _activity_row_or_none(notification_id: int, event: Any, urn: int
                          ) -> tuple[Any, ...] | None:
    """The entry's activity row, or None if it cannot be summarised: the feed leaves it
    out, and its school is set aside by the per-school projections."""
    try:
        return _activity_row(notification_id, event, urn)
    except Exception:  # noqa: BLE001
        return None


def _activity_row(notification_id: int, event: Any, urn: int) -> tuple[Any, ...]:
    """An entry's row in the activity feed, its values in the order of ACTIVITY_COLUMNS."""
    return (notification_id, urn, event.originator_version, type(event).__name__,
            summarise(event), event.effective, event.timestamp, event.by)


PHASE_GROUPS = {
    "nursery": "primary", "primary": "primary", "middle deemed primary": "primary",
    "secondary": "secondary", "middle deemed secondary": "secondary", "16 plus": "secondary",
    "all-through": "secondary",
}
"""GIAS phases by the group a report counts them under. Nursery schools count as primary and
all-through schools as secondary (the pages say so); "Not applicable" (pupil referral units,
most special schools) is "other" unless the type is special."""


def phase_group(phase: str, establishment_type: str) -> str:
    """The phase a report counts a school under: primary, secondary, special or other.

    GIAS puts maintained special schools in their own group with phase "Not applicable", and
    has written all-through as "All through", "All Through" and "All-through" over the years.
    """
    if "special" in establishment_type.casefold():
        return "special"
    return PHASE_GROUPS.get(" ".join(phase.casefold().split()).replace("all through",
                                                                        "all-through"), "other")


def status_row(state: CaseFileState, scheme: CategoryScheme, today: date,
               deadlines: list[Deadline]) -> dict[str, Any]:
    """A school's line on the dashboard."""
    school = state.school
    assert school is not None
    category, inspection, msp = state.category, state.inspection, state.msp
    open_notices = state.open_warning_notices
    live = [d for d in deadlines if not d.suspended]
    application = state.ieb_application_in_progress
    return {
        "urn": school.urn,
        "name": school.name,
        "phase": school.phase,
        "phase_group": phase_group(school.phase, school.establishment_type),
        "establishment_type": school.establishment_type,
        "governance": school.governance,
        "la_code": school.la_code,
        "pupils": school.pupils,
        "opened_on": school.opened_on,
        "closed_on": school.closed_on,
        "category": category.category if category else None,
        "category_since": category.since if category else None,
        "ofsted_overall": inspection.overall if inspection else None,
        "ofsted_label": _ofsted_label(inspection),
        "ofsted_category": inspection.category if inspection else None,
        "ofsted_published_on": inspection.published_on if inspection else None,
        "causing_concern": bool(reasons := concern_reasons(state, scheme, today)),
        "concern_reasons": "; ".join(reasons),
        "open_concerns": len(state.open_concerns),
        "warning_notice": open_notices[0].notice_id if open_notices else None,
        "compliance_date": open_notices[0].compliance_date if open_notices else None,
        "eligible": ", ".join(sorted(state.eligibility)) or None,
        "ieb_stage": "in place" if state.ieb else (application.stage if application else None),
        "academy_order": academy_order_words(state, today),
        "rise_adviser": state.rise.adviser if state.rise else None,
        "rise_since": state.rise.identified_on if state.rise else None,
        "msp_next_meeting": msp.next_meeting.meets_on if msp and msp.next_meeting else None,
        "next_deadline": live[0].due if live else None,
        "next_deadline_what": live[0].what if live else None,
        "caseworker": state.caseworker[0] if state.caseworker else None,
        "caseworker_email": state.caseworker[1] if state.caseworker else None,
    }


def academy_order_words(state: CaseFileState, today: date) -> str | None:
    """"expected" while the former duty's order is not recorded (domain.areas.academy_orders
    ORDER_EXPECTED), else the latest order's status, if the school has one."""
    if state.academy_order_expected(today):
        return "expected"
    order = state.academy_order
    return None if order is None else state.academy_order_status(order)


def category_spells(state: CaseFileState) -> list[dict[str, Any]]:
    """The school's LA categories as intervals, for reports at past dates."""
    spells = state.categories
    return [
        {"kind": "la", "grade": s.category, "label": s.scheme, "starts_on": s.since,
         "ends_on": spells[i + 1].since if i + 1 < len(spells) else None}
        for i, s in enumerate(spells)
    ]


def ofsted_spells(state: CaseFileState) -> list[dict[str, Any]]:
    """The school's Ofsted judgements as intervals from each publication date."""
    judged = sorted(state.inspections, key=lambda i: i.published_on)
    return [
        {"kind": "ofsted", "grade": None if i.overall is None else str(i.overall),
         "label": i.category or "", "starts_on": i.published_on,
         "ends_on": judged[n + 1].published_on if n + 1 < len(judged) else None}
        for n, i in enumerate(judged)
    ]


def _ofsted_label(inspection: Any) -> str | None:
    if inspection is None:
        return None
    label = framework_on(inspection.inspected_on).describe(inspection.overall)
    if label is None:
        label = "Report card" if inspection.report_card else "No overall grade"
    return f"{label} ({inspection.category})" if inspection.category else label

