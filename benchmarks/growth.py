"""How cost grows as the work grows: the dashboard, a case file's page, a command and the
read models' rebuild as the schools grow in number, and a case file's page, a command and the
school's history as one school's history grows.

As the schools grow: England-shaped logs (``benchmarks.england``, cached) of ``SCHOOLS``
schools, as many entries a school as the England log has. Each is copied and its read models
rebuilt in one child process (``benchmarks.rebuild.rebuild_in_child``: one process at every
size, as a shared-out rebuild would use more processes for the larger logs only); a school of
``TIMED_ENTRIES`` entries is then recorded on it (``benchmarks.school_history.build_school``)
and, through Flask's test client signed in as the head of service, ``ROUNDS`` times (after one
untimed): ``raise_concern`` on that school through the app's own ``SchoolCaseFiles``, as a
caseworker's form would; the snapshot the command recording every 100th entry takes
(``take_snapshot`` at the version it left, as ``Application.save`` does); then
``GET /schools/<urn>`` and ``GET /``. Both pages are counted
afresh each round, as the entry just recorded changed them.

As one school's history grows: schools of ``ENTRIES`` entries on one empty store, the same
rounds without the dashboard, and ``SchoolCaseFiles.history``.

Everything is timed in CPU time (user and system), not wall time: the machine is shared, and
wall times swung two- to five-fold between runs as others' work came and went (the rebuild's
is its child process's). Each figure is the mean of its
rounds (the rebuild: one run; the median is shown beside it),
with its ratio to the smallest size's and to the size before's, each beside the size's ratio;
a cost ratio over ``SUPER_LINEAR`` times the size ratio is flagged. The mean, not the median:
the garbage collector's full collections (below) come every few rounds, so a median leaves
them out at one size and takes them in at the next; "full GCs" counts them (none for the
rebuild, which is not watched). The table is printed and written to ``results/growth.md``.

What it found (2 cores, quiet, 8 December 2026, CPU time, means): as the schools grow 22-fold,
the rebuild grows 15-fold (3.6 to 53.5 s), the dashboard, counted afresh after each change,
4-fold (23 to 93 ms), and a command, its snapshot and a case file's page not at all.

As one school's history grows 50-fold (100 to 5,000 entries), a command grows 2-fold (0.6 to
1.3 ms: numbering a concern, ``_count`` in ``domain/areas/core.py``, reads every entry), the
case file's page after a change 12-fold (it describes every entry,
``SchoolCaseFiles.overview``), and two things about as fast as their entries:

- The snapshot a command takes at every 100th entry, 3 ms to 150 ms (49x): a snapshot holds
  every entry. It had been 590 ms at 5,000 entries, and recording a long history quadratic,
  while the library read the case file back from the store to take it (decoding every entry,
  opening its personal values, checking the chain); it is now taken from the case file the
  command has just recorded (``SchoolCaseFiles.take_snapshot``).
- ``history()`` (0.8 to 57 ms, 72x; the median 31 ms) and the page's share of it: CPython's
  cyclic garbage collector, not the code. Profiled with the collector off, ``history()`` makes
  exactly ten times the calls at 10,000 entries as at 1,000, each costing the same, and takes
  3.5, 9, 29 and 60 ms at 1,000, 2,000, 5,000 and 10,000 entries. With it on, the objects
  describing a long history live long enough to be moved to the oldest generation, and once
  those moved since the last full collection pass a quarter of the objects there, a full
  collection runs (100 to 250 ms of CPU for this process's 160,000 to 340,000 objects). A
  short history's objects die young; the share moved grows with the history until nearly
  all are, between about 1,000 and 5,000 entries, and from there the cost grows with the
  entries. This benchmark runs with CPython's settings; a server's (``adapters.memory``)
  keeps what it made at start-up out of those collections.

``python -m benchmarks.growth profile ENTRIES [--without-gc]`` profiles rounds on a school of
that many entries (with the garbage collector off, if asked).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.england import EVENTS, RESULTS, copy_store, ensure_england
from benchmarks.england import SCHOOLS as ENGLAND_SCHOOLS
from benchmarks.rebuild import every, rebuild_in_child
from benchmarks.school_history import BY, build_school
from benchmarks.support import Row, case_files_on, progress
from benchmarks.web_latency import signed_in
from domain.areas.register import case_file_id
from domain.deadlines import SIGN_OFF_ADOPTED

NAME = "growth"
SCHOOLS, QUICK_SCHOOLS = (1_000, 5_500, 22_000), (250, 1_000, 2_200)
ENTRIES, QUICK_ENTRIES = (100, 1_000, 5_000), (100, 300, 1_000)
TIMED_ENTRIES = 100
"""The history of the school whose page and command are timed as the schools grow."""
ROUNDS, QUICK_ROUNDS = 25, 10
SUPER_LINEAR = 1.5
"""A cost growing more than this many times faster than its size is flagged."""
TABLE = RESULTS / "growth.md"
ENTRIES_A_CYCLE = 4
"""build_school records a fortnight's MSP meeting in four entries (scheduled, held, two
actions completed)."""


@dataclass(frozen=True)
class Figure:
    """One measure at one size."""

    measure: str
    grows: str
    """What grows: "schools" or "entries"."""
    size: int
    ms: float
    """The mean."""
    median_ms: float
    full_collections: int
    """The garbage collector's full collections during the measure's rounds."""
    about: str = ""
    """The size as the table shows it, when more than a number of ``grows``."""


def run(quick: bool) -> list[Row]:
    rounds = QUICK_ROUNDS if quick else ROUNDS
    figures = [*as_schools_grow(QUICK_SCHOOLS if quick else SCHOOLS, rounds),
               *as_history_grows(QUICK_ENTRIES if quick else ENTRIES, rounds)]
    table = growth_table(figures)
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text(table, encoding="utf-8")
    print(table)
    progress(f"{NAME}: wrote {TABLE}")
    return rows(figures)


# As the schools grow ---------------------------------------------------------------------------

def as_schools_grow(sizes: tuple[int, ...], rounds: int) -> list[Figure]:
    figures = []
    for schools in sizes:
        england = ensure_england(
            schools=schools, events=round(schools * EVENTS / ENGLAND_SCHOOLS),
            progress=every(10, lambda done, events: progress(
                f"{NAME}: generating the log: {done:,} schools, {events:,} events")))
        about = f"{schools:,} schools ({england['events']:,} events)"
        with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
            work = Path(folder, "england.sqlite3")
            progress(f"{NAME}: {about}: copying the log; rebuilding its read models")
            copy_store(england["path"], work)
            url = f"sqlite:///{work}"
            used = children_cpu_ms()
            rebuilt = rebuild_in_child(url, 1)
            took = children_cpu_ms() - used
            figures.append(Figure("read models' rebuild, one process", "schools", schools,
                                  took, took, 0, about))
            progress(f"{NAME}: {about}: rebuilt in {rebuilt['seconds']:.1f} s ({took / 1000:.1f} s "
                     f"of CPU); recording a school of {TIMED_ENTRIES} entries")
            case_files = case_files_on(url)
            try:
                urn = unused_urn(case_files.urns())
                build_school(case_files, urn, TIMED_ENTRIES, start=start_for(TIMED_ENTRIES))
            finally:
                case_files.close()
            progress(f"{NAME}: {about}: {rounds} rounds of a command and two pages")
            timings = timed_rounds(url, urn, rounds, dashboard=True)
        figures += [Figure(measure, "schools", schools, *taken, about)
                    for measure, taken in timings.items()]
    return figures


def children_cpu_ms() -> float:
    """The CPU time, user and system, of this process's children waited for so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (used.ru_utime + used.ru_stime) * 1000


def unused_urn(urns: list[int]) -> int:
    """The lowest six-digit URN that no school of the log has."""
    taken = set(urns)
    return next(urn for urn in range(100_000, 1_000_000) if urn not in taken)


# As one school's history grows -----------------------------------------------------------------

def as_history_grows(sizes: tuple[int, ...], rounds: int) -> list[Figure]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        url = f"sqlite:///{Path(folder, 'history.sqlite3')}"
        for urn, entries in enumerate(sizes, start=400_001):
            progress(f"{NAME}: recording a school of {entries:,} entries")
            case_files = case_files_on(url)
            try:
                build_school(case_files, urn, entries, start=start_for(entries))
            finally:
                case_files.close()
            progress(f"{NAME}: {entries:,} entries: {rounds} rounds")
            timings = timed_rounds(url, urn, rounds, history=True)
            figures += [Figure(measure, "entries", entries, *taken)
                        for measure, taken in timings.items()]
    return figures


def start_for(entries: int) -> date:
    """A start from which build_school's fortnightly cycles end before the LA adopted
    sign-off, after which its category changes would be drafts for approval."""
    return SIGN_OFF_ADOPTED - timedelta(weeks=2 * (entries // ENTRIES_A_CYCLE + 2))


# The rounds ------------------------------------------------------------------------------------

def timed_rounds(url: str, urn: int, rounds: int, *, dashboard: bool = False,
                 history: bool = False) -> dict[str, tuple[float, float, int]]:
    """The mean and median of each measure over ``rounds`` rounds, after one untimed, and
    how many full collections the garbage collector ran during its rounds; each size starts
    with none pending (``gc.collect``), so that none is owed by the size before."""
    samples: dict[str, list[float]] = {}
    full_collections: Counter[str] = Counter()
    running = [""]

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full_collections[running[0]] += 1

    with signed_in(url) as (services, client):
        steps = round_steps(services.case_files, client, urn, dashboard=dashboard,
                            history=history)
        gc.collect()
        gc.callbacks.append(count)
        try:
            for n in range(rounds + 1):
                for measure, step in steps.items():
                    running[0] = measure if n else ""
                    took = cpu_ms(step)
                    if n:
                        samples.setdefault(measure, []).append(took)
        finally:
            gc.callbacks.remove(count)
    return {measure: (statistics.mean(taken), statistics.median(taken),
                      full_collections[measure])
            for measure, taken in samples.items()}


def cpu_ms(call: Callable[[], object]) -> float:
    """This process's CPU time for one call, in milliseconds."""
    started = time.process_time()
    call()
    return (time.process_time() - started) * 1000


def round_steps(case_files: Any, client: Any, urn: int, *, dashboard: bool,
                history: bool) -> dict[str, Callable[[], object]]:
    """What a round does, in order: a command, then the pages it changed."""
    def command() -> None:
        case_files.raise_concern(urn, by=BY, ground="standards",
                                 description="Reading results fell again")

    def page(path: str) -> Callable[[], None]:
        def get() -> None:
            if (status := client.get(path).status_code) != 200:
                raise RuntimeError(f"GET {path} answered {status}")
        return get

    def snapshot() -> None:
        case_files.take_snapshot(case_file_id(urn), version=case_files.version(urn))

    steps: dict[str, Callable[[], object]] = {
        "command (raise_concern)": command, "snapshot (a 100th entry's command)": snapshot,
        "case file page": page(f"/schools/{urn}")}
    if dashboard:
        steps["dashboard"] = page("/")
    if history:
        steps["history()"] = lambda: case_files.history(urn)
    return steps


# The table -------------------------------------------------------------------------------------

def growth_table(figures: list[Figure]) -> str:
    """A markdown table: each figure with its cost and size ratios to its measure's first
    and to the one before."""
    lines = ["| what grows | measure | size | mean | median | full GCs | cost ratio "
             "| size ratio | growth | cost ratio to the size before | size ratio | growth |",
             "|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|"]
    for figure, first, before in with_first(figures):
        cost, size = figure.ms / first.ms, figure.size / first.size
        step, step_size = figure.ms / before.ms, figure.size / before.size
        lines.append(f"| {figure.grows} | {figure.measure} | "
                     f"{figure.about or f'{figure.size:,} {figure.grows}'} | "
                     f"{shown(figure.ms)} | {shown(figure.median_ms)} | "
                     f"{figure.full_collections} | "
                     f"{cost:.2f}x | {size:.1f}x | {growth(cost, size)} | "
                     f"{step:.2f}x | {step_size:.1f}x | {growth(step, step_size)} |")
    return "\n".join(lines) + "\n"


def shown(ms: float) -> str:
    return f"{ms / 1000:.1f} s" if ms >= 1_000 else f"{ms:.1f} ms"


def growth(cost: float, size: float) -> str:
    if size == 1:
        return "-"
    return "SUPER-LINEAR" if cost > SUPER_LINEAR * size else "linear or better"


def rows(figures: list[Figure]) -> list[Row]:
    """The runner's rows: each figure (the mean) against its measure's smallest size, the
    ratio allowed SUPER_LINEAR times the size's (a missed target is super-linear growth)."""
    return [Row(f"{NAME} {f.measure}, {f.about or f'{f.size:,} {f.grows}'}", f.ms, first.ms,
                max_ratio=SUPER_LINEAR * f.size / first.size,
                note=f"size ratio {f.size / first.size:.1f}x" if f is not first else "")
            for f, first, _ in with_first(figures)]


def with_first(figures: list[Figure]) -> Iterator[tuple[Figure, Figure, Figure]]:
    """Each figure with the first of its measure as the same thing grows, and the one
    before it (itself, for the first)."""
    first: dict[tuple[str, str], Figure] = {}
    last: dict[tuple[str, str], Figure] = {}
    for figure in figures:
        measure = (figure.grows, figure.measure)
        yield figure, first.setdefault(measure, figure), last.get(measure, figure)
        last[measure] = figure


# Profiling a round -----------------------------------------------------------------------------

def profile(entries: int, rounds: int, without_gc: bool = False) -> None:
    """Records a school of ``entries`` entries, then runs ``rounds`` rounds (after one
    untimed) under cProfile, the garbage collector off if ``without_gc``; prints the
    costliest functions."""
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        url = f"sqlite:///{Path(folder, 'history.sqlite3')}"
        case_files = case_files_on(url)
        try:
            build_school(case_files, 400_001, entries, start=start_for(entries))
        finally:
            case_files.close()
        with signed_in(url) as (services, client):
            steps = round_steps(services.case_files, client, 400_001, dashboard=False,
                                history=True)
            for step in steps.values():
                step()
            profiler = cProfile.Profile()
            if without_gc:
                gc.disable()
            profiler.enable()
            try:
                for _ in range(rounds):
                    for step in steps.values():
                        step()
            finally:
                profiler.disable()
                gc.enable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.growth", description=__doc__)
    parser.add_argument("what", choices=("profile",))
    parser.add_argument("entries", type=int, help="the school's entries")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--without-gc", action="store_true",
                        help="profile with the garbage collector off")
    args = parser.parse_args(argv)
    profile(args.entries, args.rounds, args.without_gc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
