"""Loading a 1,000-event school as at mid-history (and its history), against a 20 ms budget."""

from __future__ import annotations

import tempfile
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
BUDGET_MS = 20.0

Query = Callable[[SchoolCaseFiles], object]


def run(quick: bool) -> list[Row]:
    runs = 10 if quick else 30
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        rows = measure("sqlite", f"sqlite:///{Path(folder, 'scc.sqlite3')}", runs, BUDGET_MS)
    try:
        with postgres_database(NAME) as url:
            rows += measure("postgres", url, runs, None)
    except PostgresUnavailable as why:
        print(f"{NAME}: the PostgreSQL rows were skipped: {why}")
        rows += [Row(f"{NAME} postgres", None, note="PostgreSQL unavailable")]
    return rows


def measure(store: str, url: str, runs: int, budget_ms: float | None) -> list[Row]:
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
    queries = (("school(as_at=middle)", school, budget_ms,
                f"; middle = {middle}, the date of entry {EVENTS // 2 + 1} of {EVENTS}"),
               ("history()", history, None, ""))
    rows = []
    for label, query, target, about in queries:
        with as_a_server():
            cold, warm = cold_samples(url, query, runs), warm_samples(url, query, runs)
        rows += [
            Row(f"{NAME} {store} {label} cold p50", p50(cold), max_ms=target,
                note=f"{runs} runs, each on a fresh instance{about}"),
            Row(f"{NAME} {store} {label} cold p95", p95(cold), max_ms=target),
            Row(f"{NAME} {store} {label} warm p50", p50(warm)),
            Row(f"{NAME} {store} {label} warm p95", p95(warm)),
        ]
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
