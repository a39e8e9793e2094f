"""Rebuilding every read model from an England-scale log, against SQLite's raw insert rate.

The rebuild runs in a child process (``python -m benchmarks.rebuild URL``) on a copy of the
cached log, so that its peak memory is its own. ``python -m benchmarks.rebuild --profile``
runs it under cProfile instead (``--quick`` for the small log) and prints where time goes.
``--quick`` shares even the small log out among processes (too short for the app to share
out), so that the smoke test runs the processes too; its rates are not the app's.
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import json
import os
import pstats
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapters.rebuild_processes import default_processes
from benchmarks.england import RESULTS, copy_store, ensure_england
from benchmarks.support import Row, case_files_on, peak_mb, progress

NAME = "rebuild"
MIN_RATIO = 0.2
MAX_SECONDS = 120
MAX_MB = 500
BASELINE_RUNS = 3
"""The raw insert rate swings with the machine's disk and page cache (by as much as two to
one between runs): the fastest of a few runs is the baseline, the strictest reading."""
QUICK_LEAST_ENTRIES = 1
"""The shortest log shared out in a quick run: any, so that the processes run."""
ROOT = Path(__file__).resolve().parent.parent


def run(quick: bool) -> list[Row]:
    england = ensure_england(quick=quick, progress=every(10, lambda schools, events: progress(
        f"{NAME}: generating the log: {schools:,} schools, {events:,} events")))
    size = f"{england['schools']:,} schools, {england['events']:,} events"
    made = (f"cached {Path(england['path']).name}, generated {england.get('generated_at')}"
            if england["cached"] else "generated in this run")
    processes = default_processes()
    least_entries = QUICK_LEAST_ENTRIES if quick else None
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        events, state_width, topic_width = log_shape(Path(england["path"]))
        progress(f"{NAME}: baseline: {events:,} raw inserts of rows like the stored events "
                 f"(state {state_width} bytes, topic {topic_width}), best of {BASELINE_RUNS}")
        rates = [raw_insert_rate(Path(folder, f"raw{n}.sqlite3"), events, state_width, topic_width)
                 for n in range(BASELINE_RUNS)]
        raw = max(rates)
        progress(f"{NAME}: baseline {', '.join(f'{r:,.0f}' for r in rates)} rows/s")
        rebuilt = {}
        for count in sorted({1, processes}, reverse=True):
            work = Path(folder, f"england-{count}.sqlite3")
            progress(f"{NAME}: copying {Path(england['path']).name}; rebuilding every "
                     f"projection in {count} process{'es' if count > 1 else ''}")
            copy_store(england["path"], work)
            rebuilt[count] = rebuild_in_child(f"sqlite:///{work}", count, least_entries)
            work.unlink()
    shared = rebuilt[processes]
    parts_mb = ", ".join(f"{mb:.0f}" for mb in shared["parts_mb"])
    note = (f"{size}; baseline: raw sqlite3 executemany rows/s ({state_width}-byte state) in "
            f"one transaction, the best of {BASELINE_RUNS}")
    rows = [
        Row(f"{NAME} sqlite events/s", events / shared["seconds"], raw, min_ratio=MIN_RATIO,
            unit="events/s", note=f"{note}; rebuild by {shared['how']}"),
        Row(f"{NAME} sqlite whole rebuild", shared["seconds"], max_ms=MAX_SECONDS, unit="s"),
        Row(f"{NAME} sqlite peak memory", shared["peak_mb"], max_ms=MAX_MB, unit="MB",
            note="peak RSS of the rebuilding process" + (
                f" plus the peak of each of its processes ({parts_mb} MB)" if parts_mb else "")),
    ]
    if processes > 1:
        alone = rebuilt[1]
        rows.append(Row(f"{NAME} sqlite events/s, one process", events / alone["seconds"], raw,
                        unit="events/s", note=f"for comparison: {alone['seconds']:.1f} s, "
                                              f"peak {alone['peak_mb']:.0f} MB"))
    rows.append(Row(f"{NAME} generation ({size})", england["seconds"], unit="s", note=made))
    return rows


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

def rebuild_in_child(url: str, processes: int,
                     least_entries: int | None = None) -> dict[str, Any]:
    """Runs ``rebuild_everything`` in a child process, which reports its own peak RSS in MB
    (support.peak_mb: the parent's ``wait4`` would count the parent's peak too)."""
    shortest = [] if least_entries is None else ["--least-entries", str(least_entries)]
    child = subprocess.run([sys.executable, "-m", "benchmarks.rebuild", url,
                            "--processes", str(processes), *shortest],
                           stdout=subprocess.PIPE, cwd=ROOT, check=False)
    if child.returncode:
        raise RuntimeError(f"the rebuild process exited with {child.returncode}")
    return json.loads(child.stdout)


def rebuild_everything(url: str, processes: int,
                       least_entries: int | None = None) -> dict[str, Any]:
    """Builds the application and the read models on ``url`` and rebuilds every projection;
    times the whole of it. ``least_entries``: the shortest log shared out, if not the app's."""
    from functools import partial

    from adapters.event_scan import scan_streams
    from adapters.read_models import SQLReadModels, read_model_engine
    from adapters.rebuild_processes import SpawnedRebuildProcesses
    from application.projections import CaseFileProjections

    started = time.perf_counter()
    case_files = case_files_on(url)
    store = SQLReadModels(read_model_engine(url))
    shared = (SpawnedRebuildProcesses(case_files, url, processes, least_entries=least_entries)
              if processes > 1 else None)
    try:
        how = rebuild_all(CaseFileProjections(
            case_files, store, scan=partial(scan_streams, case_files.recorder, case_files.mapper),
            processes=shared))
        seconds = time.perf_counter() - started
        events = case_files.recorder.max_notification_id() or 0
    finally:
        store.close()
        case_files.close()
    # The peak of each process at once: an upper bound on what they held together. A log
    # too short to share out is rebuilt in this process alone.
    parts_mb = shared.peaks_mb if shared else []
    used = len(parts_mb) or 1
    return {"seconds": seconds, "events": events, "processes": used,
            "how": f"{how}, {used} process{'es' if used > 1 else ''}",
            "peak_mb": peak_mb() + sum(parts_mb), "parts_mb": parts_mb}


def rebuild_all(projections: Any) -> str:
    """Rebuilds every projection the way the code at hand allows: in one pass if it can."""
    from application.projections import PROJECTIONS

    report = every(5, lambda done, total: progress(f"{NAME}: rebuilt {done:,} of {total:,}"))
    if callable(getattr(projections, "rebuild_all", None)):
        projections.rebuild_all(progress=report)
        return "rebuild_all()"
    if next(iter(inspect.signature(projections.rebuild).parameters)) == "names":
        projections.rebuild(PROJECTIONS, progress=report)
        return "rebuild(PROJECTIONS): one pass"
    for name in PROJECTIONS:
        projections.rebuild(name, progress=report)
    return "rebuild(name) for each projection"


def every(seconds: float, report: Callable[[int, int], None]) -> Callable[[int, int], None]:
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
        copy_store(england["path"], work)
        profiler = cProfile.Profile()
        result = profiler.runcall(rebuild_everything, f"sqlite:///{work}", 1)
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
    parser.add_argument("--processes", type=int, default=1,
                        help="with a URL: share the rebuild out among this many processes")
    parser.add_argument("--least-entries", type=int,
                        help="with a URL: share out a log this long or longer (the app's "
                             "shortest if not given)")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.quick)
    elif args.url:
        print(json.dumps(rebuild_everything(args.url, args.processes, args.least_entries)))
    else:
        parser.error("give a store URL, or --profile")
    return 0


if __name__ == "__main__":
    sys.exit(main())
