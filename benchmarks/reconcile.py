"""A worker's start-up reconciliation over 100,000 pending deadlines, against one SELECT of the
``firings`` read model it reads, in the same run (issue 4).

The store is built in bulk: schools with an open warning notice, a scheduled MSP meeting and
three open MSP actions (five deadlines each, with their reminders and passings), told through
the ``SchoolCaseFile`` aggregate's own commands in memory and written with
``app.events.put``; the read models are then rebuilt in one pass, as bootstrap wires them.
Every dated thing lies in the days after today, so at start-up nothing is due.

Each measurement runs in a child process (``python -m benchmarks.reconcile KIND URL``) so
that its peak memory is its own: ``startup`` starts a worker as ``scc worker`` does (without
notifications) and times it until it holds the scheduler, the deadline job set;
``select`` reads every row of the firings table once; ``downtime`` starts a worker with the
clock a day after the reminders of the first ``DOWNTIME_DUE`` schools came due, and times it
until they are recorded. ``python -m benchmarks.reconcile profile URL [--at ISO]`` profiles a
start-up on a store left by ``python -m benchmarks.reconcile build URL``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.support import (
    PostgresUnavailable,
    Row,
    case_files_on,
    peak_mb,
    postgres_database,
    progress,
)

NAME = "reconcile"
DEADLINES, QUICK_DEADLINES = 100_000, 10_000
DEADLINES_PER_SCHOOL = 5  # a warning notice's compliance date, an MSP meeting, three actions
DOWNTIME_DUE, QUICK_DOWNTIME_DUE = 1_000, 100
"""Schools with an action due soon: its five-working-day reminder is what comes due."""
MAX_RATIO = 5
MAX_SECONDS = 10
RUNS, QUICK_RUNS = 3, 1
FIRST_URN = 200_000
SCHOOLS_PER_PUT = 500
SEED = 4
ENGLAND = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parent.parent
BY = "Benchmark, School Improvement Adviser"


def run(quick: bool) -> list[Row]:
    deadlines = QUICK_DEADLINES if quick else DEADLINES
    due = QUICK_DOWNTIME_DUE if quick else DOWNTIME_DUE
    runs = QUICK_RUNS if quick else RUNS
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        rows = measure("sqlite", f"sqlite:///{Path(folder, 'scc.sqlite3')}", deadlines, due,
                       runs, targets=True)
    try:
        with postgres_database(NAME) as url:
            rows += measure("postgres", url, deadlines, due, runs, targets=False)
    except PostgresUnavailable as why:
        print(f"{NAME}: the PostgreSQL rows were skipped: {why}")
        rows += [Row(f"{NAME} postgres", None, note="PostgreSQL unavailable")]
    return rows


def measure(store: str, url: str, deadlines: int, due: int, runs: int, *,
            targets: bool) -> list[Row]:
    schools = deadlines // DEADLINES_PER_SCHOOL
    progress(f"{NAME} {store}: building {schools:,} schools' case files")
    built = build_store(url, schools, due)
    shape = (f"{built['deadlines']:,} deadlines, {built['firings']:,} firings, "
             f"{schools:,} schools")
    progress(f"{NAME} {store}: {shape}; built in {built['seconds']:.1f} s")
    selects, startups = [], []
    for n in range(1, runs + 1):  # alternated, so that neither has the warmer cache
        progress(f"{NAME} {store}: run {n} of {runs}: one SELECT, then a worker's start-up")
        selects.append(in_child("select", url))
        startups.append(in_child("startup", url))
    for startup in startups:
        if startup["fired"] or startup["jobs"] != ["next-deadlines"]:
            raise RuntimeError(f"the start-up fired or left unexpected jobs: {startup}")
    progress(f"{NAME} {store}: a worker's start-up after downtime, {due:,} firings due")
    downtime = in_child("downtime", url, "--at", built["downtime_at"])
    select_ms = statistics.median(s["ms"] for s in selects)
    startup_ms = statistics.median(s["ms"] for s in startups)
    reconcile_ms = statistics.median(s["reconcile_ms"] for s in startups)
    select_mb = max(s["peak_mb"] for s in selects)
    startup_mb = max(s["peak_mb"] for s in startups)
    each = f"median of {runs}" if runs > 1 else "one run"

    def spread(results: list[dict[str, Any]]) -> str:
        return " / ".join(f"{r['ms']:.0f}" for r in results) + " ms"

    name = f"{NAME} {store}"
    return [
        Row(f"{name} start-up vs one SELECT", startup_ms, select_ms,
            max_ratio=MAX_RATIO if targets else None,
            note=f"{shape}; Worker.start() until it schedules, {each} "
                 f"({spread(startups)}); baseline: SELECT * of the {selects[0]['rows']:,} "
                 f"firings rows, fetched ({spread(selects)}); each in a fresh process"),
        Row(f"{name} start-up", startup_ms, max_ms=MAX_SECONDS * 1000 if targets else None,
            note=f"the deadline job set for {startups[0]['next_run_time']}"),
        Row(f"{name} reconcile() again, warm", reconcile_ms, select_ms,
            note="DeadlineScheduler.reconcile() in the started worker, nothing due"),
        Row(f"{name} start-up peak memory", startup_mb, select_mb, unit="MB",
            note="peak RSS of the start-up process; baseline: of the SELECT process"),
        Row(f"{name} after downtime ({downtime['fired']:,} due)", downtime["ms"] / 1000,
            unit="s", note=f"start-up at {built['downtime_at']}: records "
                           f"{downtime['fired']:,} reminders; peak {downtime['peak_mb']:.0f} MB"),
        Row(f"{name} building the store ({shape})", built["seconds"], unit="s",
            note=f"{built['events']:,} events written, then every read model rebuilt "
                 f"({built['rebuild_seconds']:.1f} s)"),
    ]


# The store ------------------------------------------------------------------------------------

def build_store(url: str, schools: int, due: int) -> dict[str, Any]:
    """Writes ``schools`` case files with five pending deadlines each and rebuilds the read
    models; returns the counts and the moment the downtime run starts at."""
    from functools import partial

    from adapters.event_scan import scan_streams
    from adapters.read_models import SQLReadModels, read_model_engine
    from application.projections import PROJECTIONS, CaseFileProjections

    started = time.perf_counter()
    app = case_files_on(url)
    store = SQLReadModels(read_model_engine(url))
    try:
        now = datetime.now(UTC)
        today = now.astimezone(ENGLAND).date()
        soon = today + timedelta(days=14)
        rng = random.Random(SEED)
        batch: list[Any] = []
        events = 0
        for n in range(schools):
            case_file = _school(app, FIRST_URN + n, rng, now, today,
                                soon if n < due else None)
            batch += case_file.collect_events()
            if len(batch) >= SCHOOLS_PER_PUT * DEADLINES_PER_SCHOOL or n == schools - 1:
                app.events.put(batch)
                events += len(batch)
                batch = []
        rebuilding = time.perf_counter()
        projections = CaseFileProjections(app, store,
                                          scan=partial(scan_streams, app.recorder, app.mapper))
        projections.rebuild(PROJECTIONS)
        rebuild_seconds = time.perf_counter() - rebuilding
        deadlines = len(store.deadlines())
        firings = len(store.firings())
        reminder_day = app.working_days.working_days_before(soon, 5)
    finally:
        store.close()
        app.close()
    # The day after the early reminders' day, mid-morning: those are due, and nothing else.
    down = datetime.combine(reminder_day + timedelta(days=1), datetime.min.time(),
                            tzinfo=ENGLAND).replace(hour=10)
    return {"deadlines": deadlines, "firings": firings, "events": events,
            "rebuild_seconds": rebuild_seconds, "downtime_at": down.isoformat(),
            "seconds": time.perf_counter() - started}


def _school(app: Any, urn: int, rng: random.Random, now: datetime, today: date,
            soon: date | None) -> Any:
    """A maintained school given a warning notice, with an MSP group that met yesterday
    (three actions) and meets again; every due date three weeks to a year away, except an
    action due ``soon`` if given."""
    from domain.case_file import Entry, SchoolCaseFile

    def on(day: date) -> Entry:
        return Entry(day, BY, now)

    def later(least: int = 28) -> date:
        return today + timedelta(days=rng.randrange(least, 365))

    case_file = SchoolCaseFile.register(when=on(date(2010, 9, 1)), details={
        "urn": urn, "name": f"School {urn}", "phase": "Primary",
        "establishment_type": "Community school", "governance": "maintained",
        "la_code": "999", "pupils": 200})
    yesterday = today - timedelta(days=1)
    case_file.establish_msp_group(when=on(today - timedelta(days=30)),
                                  members=["LA adviser", "Headteacher"], cadence_weeks=6)
    case_file.issue_warning_notice(
        when=on(yesterday), working_days=app.working_days, grounds=["a"],
        matters="Low standards", required_actions="An improvement plan",
        minded_action="An IEB", compliance_period=rng.randrange(20, 60))
    dues = [soon or later(), later(), later()]
    case_file.hold_msp_meeting(
        when=on(yesterday), attendees=["LA adviser", "Headteacher"], minutes="Reviewed the plan",
        actions=[{"description": f"Action {n}", "owner": "Headteacher", "due": day}
                 for n, day in enumerate(dues, start=1)])
    case_file.schedule_msp_meeting(when=on(yesterday), meets_on=later())
    return case_file


# The children -------------------------------------------------------------------------------

def in_child(kind: str, url: str, *args: str) -> dict[str, Any]:
    """Runs one measurement in a child process, which reports its own peak RSS."""
    with tempfile.TemporaryFile() as out:
        code = subprocess.call([sys.executable, "-m", "benchmarks.reconcile", kind, url, *args],
                               stdout=out, cwd=ROOT)
        if code:
            raise RuntimeError(f"the {kind} process exited with {code}")
        out.seek(0)
        return json.loads(out.read())




def select_all(url: str) -> dict[str, Any]:
    """One SELECT of every row of the current firings table, fetched."""
    import sqlalchemy as sa

    from adapters.read_models import POSITIONS, read_model_engine

    engine = read_model_engine(url)
    try:
        with engine.connect() as conn:
            generation = conn.execute(sa.select(POSITIONS.c.generation).where(
                POSITIONS.c.name == "firings")).scalar_one()
        started = time.perf_counter()
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(f"SELECT * FROM firings_g{generation}").fetchall()
        ms = (time.perf_counter() - started) * 1000
    finally:
        engine.dispose()
    return {"ms": ms, "rows": len(rows)}


class _StoppedClock:
    """The clock at one moment (the downtime run's)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.astimezone(ENGLAND).date()


def start_worker(url: str, at: datetime | None = None) -> dict[str, Any]:
    """Builds a worker as ``scc worker`` does (without notifications), then times
    ``Worker.start()`` until it holds the scheduler with its deadline job set."""
    import sqlalchemy as sa

    from adapters.read_models import read_model_engine
    from scheduler.deadlines import JOBS_TABLE
    from scheduler.lock import scheduler_lock
    from scheduler.worker import Worker

    case_files = case_files_on(url)
    if at is not None:
        case_files.clock = _StoppedClock(at)
    engine = read_model_engine(url)
    projections = _projections(case_files, url)
    fired: list[Any] = []
    worker = Worker(case_files, projections, engine=engine, lock=scheduler_lock(url),
                    on_fired=fired.append)
    try:
        started = time.perf_counter()
        worker.start()
        while not worker.is_scheduling:
            time.sleep(0.0005)
        ms = (time.perf_counter() - started) * 1000
        recorded = len(fired)
        next_run = worker.deadlines.next_run_time()
        again = time.perf_counter()
        worker.deadlines.reconcile()
        reconcile_ms = (time.perf_counter() - again) * 1000
        with engine.connect() as conn:
            jobs = conn.execute(sa.text(f"SELECT id FROM {JOBS_TABLE}")).scalars().all()
    finally:
        worker.stop()
        projections.store.close()
        engine.dispose()
        case_files.close()
    return {"ms": ms, "reconcile_ms": reconcile_ms, "fired": recorded,
            "jobs": jobs, "next_run_time": next_run.isoformat() if next_run else None}


def _projections(case_files: Any, url: str) -> Any:
    """The read models as ``adapters.bootstrap.build_projections`` wires them."""
    from functools import partial

    from adapters.event_scan import scan_streams
    from adapters.read_models import SQLReadModels, read_model_engine
    from application.projections import CaseFileProjections

    return CaseFileProjections(case_files, SQLReadModels(read_model_engine(url)),
                               scan=partial(scan_streams, case_files.recorder, case_files.mapper))


def profile(url: str, at: datetime | None) -> None:
    """Starts a worker on ``url`` under cProfile; prints the costliest functions."""
    profiler = cProfile.Profile()
    result = profiler.runcall(start_worker, url, at)
    print(json.dumps(result))
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reconcile", description=__doc__)
    parser.add_argument("kind", choices=("build", "startup", "select", "downtime", "profile"))
    parser.add_argument("url", help="a store built by build_store() (build: an empty one)")
    parser.add_argument("--at", type=datetime.fromisoformat, help="the clock (downtime)")
    parser.add_argument("--deadlines", type=int, default=DEADLINES, help="build: how many")
    args = parser.parse_args(argv)
    if args.kind == "build":
        result = build_store(args.url, args.deadlines // DEADLINES_PER_SCHOOL, DOWNTIME_DUE)
    elif args.kind == "select":
        result = select_all(args.url)
    elif args.kind == "profile":
        profile(args.url, args.at)
        return 0
    else:
        result = start_worker(args.url, args.at if args.kind == "downtime" else None)
    print(json.dumps({**result, "peak_mb": peak_mb()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
