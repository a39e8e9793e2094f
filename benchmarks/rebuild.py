"""Rebuilding every read model from an England-scale log, against SQLite's raw insert rate.

The rebuild runs in a child process (``python -m benchmarks.rebuild URL``) on a copy of the
cached log, so that its peak memory is its own. ``python -m benchmarks.rebuild --profile``
runs it under cProfile instead (``--quick`` for the small log) and prints where time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import json
import os
import pstats
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.england import RESULTS, ensure_england
from benchmarks.support import Row, case_files_on, peak_mb, progress

NAME = "rebuild"
MIN_RATIO = 0.2
MAX_SECONDS = 120
MAX_MB = 500
ROOT = Path(__file__).resolve().parent.parent


def run(quick: bool) -> list[Row]:
    england = ensure_england(quick=quick, progress=_every(10, lambda schools, events: progress(
        f"{NAME}: generating the log: {schools:,} schools, {events:,} events")))
    size = f"{england['schools']:,} schools, {england['events']:,} events"
    made = (f"cached {Path(england['path']).name}, generated {england.get('generated_at')}"
            if england["cached"] else "generated in this run")
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        work = Path(folder, "england.sqlite3")
        progress(f"{NAME}: copying {Path(england['path']).name} for the rebuild to write into")
        shutil.copyfile(england["path"], work)
        events, state_width, topic_width = log_shape(work)
        progress(f"{NAME}: baseline: {events:,} raw inserts of rows like the stored events "
                 f"(state {state_width} bytes, topic {topic_width})")
        raw = raw_insert_rate(Path(folder, "raw.sqlite3"), events, state_width, topic_width)
        progress(f"{NAME}: baseline {raw:,.0f} rows/s; rebuilding every projection")
        child = rebuild_in_child(f"sqlite:///{work}")
    rate = events / child["seconds"]
    return [
        Row(f"{NAME} sqlite events/s", rate, raw, min_ratio=MIN_RATIO, unit="events/s",
            note=f"{size}; rebuild by {child['how']}; baseline: raw sqlite3 executemany "
                 f"rows/s ({state_width}-byte state) in one transaction"),
        Row(f"{NAME} sqlite whole rebuild", child["seconds"], max_ms=MAX_SECONDS, unit="s"),
        Row(f"{NAME} sqlite peak memory", child["peak_mb"], max_ms=MAX_MB, unit="MB",
            note="peak RSS of the rebuilding process"),
        Row(f"{NAME} generation ({size})", england["seconds"], unit="s", note=made),
    ]


# The baseline -------------------------------------------------------------------------------

def log_shape(path: Path) -> tuple[int, int, int]:
    """How many events the log holds, and their average state and topic lengths."""
    with sqlite3.connect(path) as db:
        count, state, topic = db.execute(
            "SELECT count(*), avg(length(state)), avg(length(topic)) FROM stored_events"
        ).fetchone()
    db.close()
    return count, round(state), round(topic)


def raw_insert_rate(path: Path, rows: int, state_width: int, topic_width: int) -> float:
    """Rows per second for one executemany INSERT of ``rows`` event-shaped rows into a fresh
    table of a fresh file, in one transaction (WAL, as the event store uses)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
               "topic TEXT, state BLOB)")
    topic, state = "t" * topic_width, os.urandom(state_width)
    started = time.perf_counter()
    db.execute("BEGIN")
    db.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)",
                   ((f"{n // 40:032x}", n % 40 + 1, topic, state) for n in range(rows)))
    db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return rows / seconds


# The rebuild ------------------------------------------------------------------------------------

def rebuild_in_child(url: str) -> dict[str, Any]:
    """Runs ``rebuild_everything`` in a child process, which reports its own peak RSS in MB
    (support.peak_mb: the parent's ``wait4`` would count the parent's peak too)."""
    child = subprocess.run([sys.executable, "-m", "benchmarks.rebuild", url],
                           stdout=subprocess.PIPE, cwd=ROOT, check=False)
    if child.returncode:
        raise RuntimeError(f"the rebuild process exited with {child.returncode}")
    return json.loads(child.stdout)


def rebuild_everything(url: str) -> dict[str, Any]:
    """Builds the application and the read models on ``url`` and rebuilds every projection;
    times the whole of it."""
    from functools import partial

    from adapters.event_scan import scan_streams
    from adapters.read_models import SQLReadModels, read_model_engine
    from application.projections import CaseFileProjections

    started = time.perf_counter()
    case_files = case_files_on(url)
    store = SQLReadModels(read_model_engine(url))
    try:
        how = rebuild_all(CaseFileProjections(case_files, store,
                                              scan=partial(scan_streams, case_files.recorder, case_files.mapper)))
        seconds = time.perf_counter() - started
        events = case_files.recorder.max_notification_id() or 0
    finally:
        store.close()
        case_files.close()
    return {"seconds": seconds, "events": events, "how": how}


def rebuild_all(projections: Any) -> str:
    """Rebuilds every projection the way the code at hand allows: in one pass if it can."""
    from application.projections import PROJECTIONS

    report = _every(5, lambda done, total: progress(f"{NAME}: rebuilt {done:,} of {total:,}"))
    if callable(getattr(projections, "rebuild_all", None)):
        projections.rebuild_all(progress=report)
        return "rebuild_all()"
    if next(iter(inspect.signature(projections.rebuild).parameters)) == "names":
        projections.rebuild(PROJECTIONS, progress=report)
        return "rebuild(PROJECTIONS): one pass"
    for name in PROJECTIONS:
        projections.rebuild(name, progress=report)
    return "rebuild(name) for each projection"


def _every(seconds: float, report: Callable[[int, int], None]) -> Callable[[int, int], None]:
    """``report``, at most once every ``seconds``."""
    last = 0.0

    def throttled(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= seconds:
            last = time.monotonic()
            report(done, total)

    return throttled


def profile(quick: bool) -> None:
    """Rebuilds a copy of the log under cProfile; prints the costliest functions."""
    england = ensure_england(quick=quick)
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        work = Path(folder, "england.sqlite3")
        shutil.copyfile(england["path"], work)
        profiler = cProfile.Profile()
        result = profiler.runcall(rebuild_everything, f"sqlite:///{work}")
    RESULTS.mkdir(exist_ok=True)
    profiler.dump_stats(RESULTS / "rebuild.prof")
    print(f"{result['events']:,} events in {result['seconds']:.1f} s under the profiler; "
          f"stats in {RESULTS / 'rebuild.prof'}")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rebuild", description=__doc__)
    parser.add_argument("url", nargs="?", help="rebuild this store and print the result")
    parser.add_argument("--profile", action="store_true", help="profile a rebuild")
    parser.add_argument("--quick", action="store_true", help="with --profile: the small log")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.quick)
    elif args.url:
        print(json.dumps({**rebuild_everything(args.url), "peak_mb": peak_mb()}))
    else:
        parser.error("give a store URL, or --profile")
    return 0


if __name__ == "__main__":
    sys.exit(main())
