"""Loading a 1,000-event school as at mid-history (and its history), cold and warm.

Targets (p95 of the cold loads): the school as at a date within 15 ms on SQLite and 25 ms on
PostgreSQL, its history within 25 ms on both. Beside the timings, where a cold load's time goes
(the share of each stage, from a profile of the same loads) and the garbage collector's pauses
during the cold loads with CPython's default settings, against the settings a server process
takes once started (``adapters.memory``), which the timings use.
"""

from __future__ import annotations

import cProfile
import gc
import pstats
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from application.case_files import SchoolCaseFiles
from benchmarks.school_history import build_school
from benchmarks.support import (
    PostgresUnavailable,
    Row,
    as_a_server,
    case_files_on,
    p50,
    p95,
    postgres_database,
    progress,
    timed,
)

NAME = "as_at_load"
EVENTS = 1000
URN = 400001
TARGETS_MS = {("sqlite", "school"): 15.0, ("postgres", "school"): 25.0,
              ("sqlite", "history"): 25.0, ("postgres", "history"): 25.0}
"""The cold p95 each query must reach on each store."""
STAGES = (
    ("reading rows", "select_events"),
    ("decoding (snapshot and entries)", "to_domain_event"),
    ("checking the snapshot against the chain", "_why_not_the_record"),
    ("folding", "fold"),
)
"""The stages of a cold load, each the cumulative time of the function named (the first
match): what is left is building the view and the rest."""

Query = Callable[[SchoolCaseFiles], object]


def run(quick: bool) -> list[Row]:
    runs = 10 if quick else 30
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        rows = measure("sqlite", f"sqlite:///{Path(folder, 'scc.sqlite3')}", runs)
    try:
        with postgres_database(NAME) as url:
            rows += measure("postgres", url, runs)
    except PostgresUnavailable as why:
        print(f"{NAME}: the PostgreSQL rows were skipped: {why}")
        rows += [Row(f"{NAME} postgres", None, note="PostgreSQL unavailable")]
    return rows


def measure(store: str, url: str, runs: int) -> list[Row]:
    progress(f"{NAME} {store}: recording a school of {EVENTS} events")
    case_files = case_files_on(url)
    try:
        middle = build_school(case_files, URN, EVENTS)[EVENTS // 2]
    finally:
        case_files.close()

    def school(app: SchoolCaseFiles) -> object:
        return app.school(URN, as_at=middle)

    def history(app: SchoolCaseFiles) -> object:
        return app.history(URN)

    progress(f"{NAME} {store}: timing school(as_at={middle}) and history(), {runs} runs each")
    queries = (("school(as_at=middle)", school, TARGETS_MS[store, "school"],
                f"; middle = {middle}, the date of entry {EVENTS // 2 + 1} of {EVENTS}"),
               ("history()", history, TARGETS_MS[store, "history"], ""))
    rows = []
    for label, query, target, about in queries:
        with as_a_server():
            cold, warm = cold_samples(url, query, runs), warm_samples(url, query, runs)
        rows += [
            Row(f"{NAME} {store} {label} cold p50", p50(cold),
                note=f"{runs} runs, each on a fresh instance{about}"),
            Row(f"{NAME} {store} {label} cold p95", p95(cold), max_ms=target),
            Row(f"{NAME} {store} {label} warm p50", p50(warm)),
            Row(f"{NAME} {store} {label} warm p95", p95(warm)),
        ]
    progress(f"{NAME} {store}: profiling {runs} cold loads as at {middle}; the collector's "
             "pauses with its default settings and a server's")
    rows += stage_rows(store, url, school, runs) + pause_rows(store, url, school, runs)
    return rows


def stage_rows(store: str, url: str, query: Query, runs: int) -> list[Row]:
    """Each stage's share of a cold load, from cProfile over ``runs`` of them."""
    profile = cProfile.Profile()
    for _ in range(runs):
        app = case_files_on(url)
        try:
            profile.runcall(query, app)
        finally:
            app.close()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = max(cumulative for _, _, _, cumulative, _ in stats.values())
    rows = []
    for stage, function in STAGES:
        spent = max((cumulative for (_, _, name), (_, _, _, cumulative, _) in stats.items()
                     if name == function), default=0.0)
        rows.append(Row(f"{NAME} {store} cold share: {stage}", 100 * spent / total, unit="%",
                        note=f"cumulative time in {function}() over {runs} profiled cold "
                             "loads, against the whole load"))
    return rows


def pause_rows(store: str, url: str, query: Query, runs: int) -> list[Row]:
    """The collector's pauses during cold loads (each load's time, with its pauses inside),
    with CPython's default settings and then as a server sets them."""
    rows = []
    for setting in ("default collector", "server's collector"):
        pauses: list[float] = []
        started = [0.0]

        def note(phase: str, _: dict[str, int], pauses: list[float] = pauses,
                 started: list[float] = started) -> None:
            if phase == "start":
                started[0] = time.perf_counter()
            else:
                pauses.append((time.perf_counter() - started[0]) * 1000)

        gc.callbacks.append(note)
        try:
            if setting == "default collector":
                cold_samples(url, query, runs)
            else:
                with as_a_server():
                    cold_samples(url, query, runs)
        finally:
            gc.callbacks.remove(note)
        rows.append(Row(f"{NAME} {store} cold, {setting}: longest pause", max(pauses, default=0.0),
                        note=f"{len(pauses)} collections in {runs} cold loads, "
                             f"{sum(pauses):.1f} ms in all"))
    return rows


def cold_samples(url: str, query: Query, runs: int) -> list[float]:
    """A user's first request: nothing cached, so the snapshot and later events are read and
    the entries folded. Building the instance is not timed (a server does it once), nor is
    closing it; the garbage collector is set as a server's is (``as_a_server``)."""
    samples = []
    for _ in range(runs):
        app = case_files_on(url)
        try:
            samples.append(timed(lambda app=app: query(app)))
        finally:
            app.close()
    return samples


def warm_samples(url: str, query: Query, runs: int) -> list[float]:
    """Later requests: the case file is cached and only fast-forwarded from the store."""
    app = case_files_on(url)
    try:
        query(app)
        return [timed(lambda: query(app)) for _ in range(runs)]
    finally:
        app.close()
