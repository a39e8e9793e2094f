"""``python -m benchmarks.load`` (``make load``): locust against gunicorn and one ``scc worker``
on PostgreSQL with the England-scale log; prints throughput, p95 and errors.

It makes a throwaway database on the local PostgreSQL server (``SCC_BENCH_POSTGRES_URL``,
as the other benchmarks), copies the cached England log into it (``benchmarks.england``
generates it first if need be), rebuilds the read models, adds one caseworker per simulated
user, starts the topology, runs locust headless and writes the figures to
``benchmarks/results/load.json``; the processes' logs and locust's CSV files stay in
``benchmarks/results/load/``. ``--demo`` runs the same on the demo LA instead (quick).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.england import RESULTS, ensure_england
from benchmarks.load.run import prepare_store, report, run_locust, write_plan
from benchmarks.load.topology import Topology
from benchmarks.support import postgres_database, progress


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="concurrent users (50)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started a second")
    parser.add_argument("--time", default="5m", help="how long to run, e.g. 30s, 5m (5m)")
    parser.add_argument("--web-workers", type=int, default=(os.cpu_count() or 1) * 2 + 1,
                        help="gunicorn workers (2 x CPUs + 1)")
    parser.add_argument("--threads", type=int, default=4, help="threads per web worker (4)")
    parser.add_argument("--demo", action="store_true",
                        help="the demo LA's ~60 schools instead of England's 22,000")
    args = parser.parse_args()

    out = RESULTS / "load"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="scc-load-") as folder:
        log, size = _log(args.demo, Path(folder))
        with postgres_database("load") as database_url:
            started = datetime.now(UTC)
            emails = prepare_store(log, database_url, users=args.users, progress=progress)
            plan = write_plan(database_url, emails, out / "plan.json")
            progress(f"load: {len(plan['urns']):,} open maintained schools to record on; "
                     f"starting {args.web_workers} web workers x {args.threads} threads and "
                     "scc worker")
            with Topology(database_url, out, web_workers=args.web_workers,
                          threads=args.threads) as topology:
                topology.start_web()
                topology.start_worker()
                # Measure the steady state: the worker first records the reminders and
                # passings that fell due since the log was made (one entry each, a thousand
                # or so), and the read models take them in.
                topology.wait_for_log("worker", "This worker runs the scheduler", timeout=900)
                fired = topology.wait_for_quiet(
                    "worker", "Fired ", progress=lambda n: progress(
                        f"load: the worker has recorded {n:,} reminders and passings due "
                        "since the log was made"))
                topology.wait_for("/readyz", timeout=300)
                progress(f"load: {fired:,} recorded; the read models are up to date")
                progress(f"load: locust, {args.users} users (+{args.spawn_rate:g}/s) for "
                         f"{args.time} on {topology.url}")
                figures = run_locust(topology.url, out / "plan.json", users=args.users,
                                     spawn_rate=args.spawn_rate, run_time=args.time, out=out)
                _, ready = topology.get("/readyz")
                lag = ready.get("lag") if isinstance(ready, dict) else ready
                exits = topology.stop_all()
    setting = (f"Load: {size}; PostgreSQL; gunicorn {args.web_workers} workers x "
               f"{args.threads} threads + 1 scc worker; locust {args.users} users "
               f"(+{args.spawn_rate:g}/s, 1-3 s between actions) for {args.time}; "
               f"80% reads, 20% commands; {os.cpu_count()} CPUs")
    print(report(figures, setting))
    print(f"read models after the run: lag {lag}; exit statuses {exits}")
    (RESULTS / "load.json").write_text(json.dumps({
        "setting": setting, "started": started.isoformat(timespec="seconds"),
        **figures.as_dict(), "exit_statuses": exits, "lag_after": lag,
    }, indent=2) + "\n", encoding="utf-8")
    if figures.verdict != "met" or any(exits.values()):
        raise SystemExit(1)


def _log(demo: bool, folder: Path) -> tuple[Path, str]:
    """The SQLite log to load: the demo LA's, made here, or England's, cached."""
    if demo:
        from adapters.bootstrap import build_case_files
        from adapters.config import Settings
        from adapters.demo import load_demo

        path = folder / "demo.sqlite3"
        case_files = build_case_files(Settings(database_url=f"sqlite:///{path}"))
        load_demo(case_files)
        case_files.close()
        return path, "the demo LA"
    england = ensure_england(progress=lambda schools, events: progress(
        f"load: generating the England log: {schools:,} schools, {events:,} events"))
    return Path(england["path"]), f"{england['schools']:,} schools, {england['events']:,} events"


if __name__ == "__main__":
    main()
