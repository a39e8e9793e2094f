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
caseworker's form would, then ``GET /schools/<urn>`` and ``GET /``. Both pages are counted
afresh each round, as the entry just recorded changed them.

As one school's history grows: schools of ``ENTRIES`` entries on one empty store, the same
rounds without the dashboard, and ``SchoolCaseFiles.history``.

Each row is the median of its rounds (the rebuild: one run), with its ratio to the smallest
size's beside the size's ratio; a cost ratio over ``SUPER_LINEAR`` times the size ratio is
flagged. The table is printed and written to ``results/growth.md``.

``python -m benchmarks.growth profile ENTRIES`` profiles a round on a school of that many
entries.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.england import EVENTS, RESULTS, copy_store, ensure_england
from benchmarks.england import SCHOOLS as ENGLAND_SCHOOLS
from benchmarks.rebuild import every, rebuild_in_child
from benchmarks.school_history import BY, build_school
from benchmarks.support import Row, case_files_on, progress, timed
from benchmarks.web_latency import signed_in
from domain.deadlines import SIGN_OFF_ADOPTED

NAME = "growth"
SCHOOLS, QUICK_SCHOOLS = (1_000, 5_500, 22_000), (250, 1_000, 2_200)
ENTRIES, QUICK_ENTRIES = (100, 1_000, 5_000), (100, 300, 1_000)
TIMED_ENTRIES = 100
"""The history of the school whose page and command are timed as the schools grow."""
ROUNDS, QUICK_ROUNDS = 15, 6
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
            rebuilt = rebuild_in_child(url, 1)
            figures.append(Figure("read models' rebuild, one process", "schools", schools,
                                  rebuilt["seconds"] * 1000, about))
            progress(f"{NAME}: {about}: rebuilt in {rebuilt['seconds']:.1f} s; recording a "
                     f"school of {TIMED_ENTRIES} entries")
            case_files = case_files_on(url)
            try:
                urn = unused_urn(case_files.urns())
                build_school(case_files, urn, TIMED_ENTRIES, start=start_for(TIMED_ENTRIES))
            finally:
                case_files.close()
            progress(f"{NAME}: {about}: {rounds} rounds of a command and two pages")
            timings = timed_rounds(url, urn, rounds, dashboard=True)
        figures += [Figure(measure, "schools", schools, ms, about)
                    for measure, ms in timings.items()]
    return figures


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
            figures += [Figure(measure, "entries", entries, ms)
                        for measure, ms in timings.items()]
    return figures


def start_for(entries: int) -> date:
    """A start from which build_school's fortnightly cycles end before the LA adopted
    sign-off, after which its category changes would be drafts for approval."""
    return SIGN_OFF_ADOPTED - timedelta(weeks=2 * (entries // ENTRIES_A_CYCLE + 2))


# The rounds ------------------------------------------------------------------------------------

def timed_rounds(url: str, urn: int, rounds: int, *, dashboard: bool = False,
                 history: bool = False) -> dict[str, float]:
    """The median of each measure over ``rounds`` rounds, after one untimed."""
    samples: dict[str, list[float]] = {}
    with signed_in(url) as (services, client):
        steps = round_steps(services.case_files, client, urn, dashboard=dashboard,
                            history=history)
        for n in range(rounds + 1):
            for measure, step in steps.items():
                took = timed(step)
                if n:
                    samples.setdefault(measure, []).append(took)
    return {measure: statistics.median(taken) for measure, taken in samples.items()}


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

    steps: dict[str, Callable[[], object]] = {
        "command (raise_concern)": command, "case file page": page(f"/schools/{urn}")}
    if dashboard:
        steps["dashboard"] = page("/")
    if history:
        steps["history()"] = lambda: case_files.history(urn)
    return steps


# The table -------------------------------------------------------------------------------------

def growth_table(figures: list[Figure]) -> str:
    """A markdown table: each figure with its cost and size ratios to its measure's first."""
    lines = ["| what grows | measure | size | median | cost ratio | size ratio | growth |",
             "|---|---|---|---:|---:|---:|---|"]
    for figure, first in with_first(figures):
        cost, size = figure.ms / first.ms, figure.size / first.size
        shown = (f"{figure.ms / 1000:.1f} s" if figure.ms >= 1_000
                 else f"{figure.ms:.1f} ms")
        lines.append(f"| {figure.grows} | {figure.measure} | "
                     f"{figure.about or f'{figure.size:,} {figure.grows}'} | {shown} | "
                     f"{cost:.2f}x | {size:.1f}x | {growth(cost, size)} |")
    return "\n".join(lines) + "\n"


def growth(cost: float, size: float) -> str:
    if size == 1:
        return "-"
    return "SUPER-LINEAR" if cost > SUPER_LINEAR * size else "linear or better"


def rows(figures: list[Figure]) -> list[Row]:
    """The runner's rows: each figure against its measure's smallest size, the ratio allowed
    SUPER_LINEAR times the size's (a missed target is super-linear growth)."""
    return [Row(f"{NAME} {f.measure}, {f.about or f'{f.size:,} {f.grows}'}", f.ms, first.ms,
                max_ratio=SUPER_LINEAR * f.size / first.size,
                note=f"size ratio {f.size / first.size:.1f}x" if f is not first else "")
            for f, first in with_first(figures)]


def with_first(figures: list[Figure]) -> Iterator[tuple[Figure, Figure]]:
    """Each figure with the first of its measure as the same thing grows."""
    first: dict[tuple[str, str], Figure] = {}
    for figure in figures:
        yield figure, first.setdefault((figure.grows, figure.measure), figure)


# Profiling a round -----------------------------------------------------------------------------

def profile(entries: int, rounds: int) -> None:
    """Records a school of ``entries`` entries, then runs ``rounds`` rounds (after one
    untimed) under cProfile; prints the costliest functions."""
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
            profiler.enable()
            for _ in range(rounds):
                for step in steps.values():
                    step()
            profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.growth", description=__doc__)
    parser.add_argument("what", choices=("profile",))
    parser.add_argument("entries", type=int, help="the school's entries")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    profile(args.entries, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
