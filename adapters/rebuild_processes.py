"""A rebuild shared out among processes, each reading and writing its own part of the log.

A rebuild's work is mostly Python: decoding entries, folding case files, making rows. One
process uses one CPU, so a long log is split by stream id (adapters.event_scan) and each part
is rebuilt by a process of its own, started afresh (``spawn``: nothing of this process's
connections or threads is inherited). Each process opens the event store and the read models
itself and writes its rows into the new generation's tables; on SQLite the processes take
turns at the writes (read_models.Generation), on PostgreSQL they write at once. The new
tables are made current only once every part is written: if any part fails, the others are
stopped, nothing is swapped in and the old read models keep serving.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from adapters.event_scan import StreamRange, scan_streams, stream_ranges
from adapters.key_store import SQLKeyStore
from application.case_files import SchoolCaseFiles
from application.personal_keys import Keyring, MemoryKeyStore
from application.projections import CaseFileProjections, NewGeneration, RebuildFailed

LEAST_ENTRIES = 200_000
"""The shortest log shared out. Each process takes most of a second to start (its imports):
at 100,000 entries one process and two took the same time (1.6 s, SQLite, 2 CPUs), at a
million two took half as long."""
MOST_PROCESSES = 4
"""On SQLite the writes go one at a time, a fifth or so of a rebuild's work: beyond about
four processes they are what the others wait for."""
PARTS_PER_PROCESS = 8
"""The log is cut into this many parts for each process, and a process that is done with
one takes the next: parts of a size still differ in cost, and none is left running alone
for long at the end."""
WAIT_SECONDS = 1.0
"""How often the processes are checked on while none of them says anything."""


def default_processes() -> int:
    """The CPUs this process may use, up to ``MOST_PROCESSES``."""
    return max(1, min(MOST_PROCESSES, len(os.sched_getaffinity(0))))


class _Abandoned(Exception):
    """The process that started this one has gone: nobody will make its work current."""


@dataclass(frozen=True)
class _Work:
    """What a process needs to rebuild parts of the log, all of it sent to the process when
    it starts: the processes then take the parts (ranges of stream ids) in turn."""

    number: int
    parent: int
    """The process id of the process that started this one."""
    parts: list[StreamRange]
    env: dict[str, str]
    keys: tuple[str, Any]
    """Where the personal values' keys are: ("sql", its URL), or ("memory", the keys)."""
    read_model_url: str
    at: datetime
    on: date
    case_file_rules: dict[str, Any]
    names: list[str]
    position: int
    generations: dict[str, int]


class SpawnedRebuildProcesses:
    """Shares a long log's rebuild out among ``processes`` processes
    (application.projections.RebuildProcesses)."""

    def __init__(self, case_files: SchoolCaseFiles, read_model_url: str, processes: int, *,
                 least_entries: int | None = None) -> None:
        self.case_files = case_files
        self.read_model_url = read_model_url
        self.processes = processes
        self.least_entries = LEAST_ENTRIES if least_entries is None else least_entries
        self.peaks_mb: list[float] = []
        """The peak memory of each process in the last rebuild shared out."""

    def take(self, entries: int) -> bool:
        return (self.processes > 1 and entries >= self.least_entries
                and not _in_memory(self.read_model_url)
                and not _in_memory_db_name(self.case_files.env.get("SQLITE_DBNAME")))

    def fill(self, names: list[str], position: int, generation: NewGeneration,
             report: Callable[[int], None]) -> None:
        context = multiprocessing.get_context("spawn")
        said = context.Queue()
        # SQLite takes one writer at a time: the processes take turns, each for as long
        # as its transaction. PostgreSQL's writers need not wait for each other.
        lock = (context.Lock() if urlsplit(self.read_model_url).scheme.startswith("sqlite")
                else None)
        clock, case_files = self.case_files.clock, self.case_files
        rules = {"working_days": case_files.working_days, "scheme": case_files.scheme,
                 "policy": case_files.policy}
        taken = context.Value("i", 0)  # how many of the parts processes have taken
        parts = stream_ranges(self.processes * PARTS_PER_PROCESS)
        keys = keys_of(case_files)
        works = [_Work(number, os.getpid(), parts, dict(case_files.env), keys,
                       self.read_model_url,
                       clock.now(), clock.today(), rules, names, position,
                       dict(generation.numbers))
                 for number in range(1, self.processes + 1)]
        running = [context.Process(target=_rebuild_parts, args=(work, taken, lock, said),
                                   name=f"scc rebuild {work.number}", daemon=True)
                   for work in works]
        peaks: dict[int, float] = {}
        try:
            for process in running:
                process.start()
            while len(peaks) < len(works):
                _check_on(running)
                try:
                    what, number, value = said.get(timeout=WAIT_SECONDS)
                except queue.Empty:
                    continue
                if what == "read":
                    report(value)
                elif what == "done":
                    peaks[number] = value
                else:
                    raise RebuildFailed(f"Process {number} of {len(works)} rebuilding the read "
                                        f"models failed, so nothing was made current: {value}")
            for process in running:
                process.join()
        finally:
            for process in running:
                if process.is_alive():
                    process.terminate()
                    process.join()
            said.close()
        self.peaks_mb = [peaks[number] for number in sorted(peaks)]


def _check_on(running: list[Any]) -> None:
    """Raises if a process has died (killed, say). One that ends by itself has said how it
    went first, and that is read in turn."""
    for number, process in enumerate(running, start=1):
        if process.exitcode not in (None, 0):
            raise RebuildFailed(
                f"Process {number} of {len(running)} rebuilding the read models ended "
                f"without finishing (exit code {process.exitcode}), so nothing was made current")


def keys_of(case_files: SchoolCaseFiles) -> tuple[str, Any]:
    store = case_files.keyring.store
    if isinstance(store, SQLKeyStore):
        return "sql", store.url
    return "memory", store.all_keys()


def key_store_of(keys: tuple[str, Any]) -> Any:
    where, what = keys
    if where == "sql":
        return SQLKeyStore(what)
    store = MemoryKeyStore()
    store.preload(what)
    return store


def _rebuild_parts(work: _Work, taken: Any, lock: Any, said: Any) -> None:
    """In a process of its own: rebuilds parts of the log into the new generation, one
    after another, until there are none left.

    It stops by itself, between two writes, if the process that started it has gone (killed,
    say): left running, it would write into tables that the next rebuild makes afresh. A
    Ctrl-C is left to that process, which stops this one."""
    from adapters.clock import StoppedClock
    from adapters.read_models import SQLReadModels, read_model_engine

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def carry_on() -> None:
        if os.getppid() != work.parent:
            raise _Abandoned

    def reported(read: int) -> None:  # after each batch is made, before it is written
        carry_on()
        said.put(("read", work.number, read))

    def next_part() -> StreamRange | None:
        with taken.get_lock():
            if taken.value == len(work.parts):
                return None
            taken.value += 1
            return work.parts[taken.value - 1]

    try:
        # The store's tables are there (this process's parent opened it): the processes,
        # starting together, would otherwise all make sure of them at once, which
        # PostgreSQL can refuse ("tuple concurrently updated").
        case_files = SchoolCaseFiles({**work.env, "CREATE_TABLE": "no"},
                                     clock=StoppedClock(work.at, work.on),
                                     keyring=Keyring(key_store_of(work.keys)),
                                     **work.case_file_rules)
        try:
            store = SQLReadModels(read_model_engine(work.read_model_url), out_of_shape_ok=True)
            try:
                projections = CaseFileProjections(
                    case_files, store,
                    scan=partial(scan_streams, case_files.recorder, case_files.mapper))
                generation = store.generation(work.generations, lock=lock)
                while (within := next_part()) is not None:
                    carry_on()
                    projections.fill(work.names, work.position, generation, reported, within)
            finally:
                store.close()
        finally:
            case_files.close()
    except _Abandoned:
        return
    except Exception as error:  # the parent says which process failed, and stops the others
        said.put(("failed", work.number, f"{type(error).__name__}: {error}"))
    else:
        said.put(("done", work.number, peak_mb()))


def _in_memory(url: str) -> bool:
    """Whether a database URL names a SQLite database in one process's memory, out of other
    processes' reach."""
    parts = urlsplit(url)
    return parts.scheme.startswith("sqlite") and (
        parts.path in ("", "/", "/:memory:") or "mode=memory" in parts.query)


def in_memory_store(case_files: SchoolCaseFiles) -> bool:
    """Whether the case files' store is a SQLite database in this process's memory."""
    return _in_memory_db_name(case_files.env.get("SQLITE_DBNAME"))


def _in_memory_db_name(name: str | None) -> bool:
    """The same of the event store's SQLite database name, if it has one."""
    return name is not None and (name == ":memory:" or "mode=memory" in name)


def peak_mb() -> float:
    """This process's peak resident memory in MB (Linux; 0 elsewhere). Read from /proc,
    not from ``getrusage``: Linux starts a new process's ``ru_maxrss`` at its parent's RSS
    when it forks, even one that goes on to run another program."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
