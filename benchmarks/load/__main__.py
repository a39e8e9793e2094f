"""``python -m benchmarks.load`` (``make load``): locust against gunicorn and one ``scc worker``
on PostgreSQL with the England-scale log; prints throughput, p95 (each route's too), errors and
the CPU a request costs, for one number of users or several in turn.

It makes a throwaway database on the local PostgreSQL server (``SCC_BENCH_POSTGRES_URL``,
as the other benchmarks), copies the cached England log into it (``benchmarks.england``
generates it first if need be), rebuilds the read models, adds one caseworker per simulated
user of the largest step, starts the topology once and runs locust headless once per step
(``--users 50,100,150``: each for ``--time``, with a pause between). Each step reports its
routes' p50 and p95, and the CPU seconds gunicorn's processes and the scc worker used over
the requests served (signing in included), beside PostgreSQL's, locust's and the machine's
(from /proc), so one sees whether the cores were saturated; a table of the steps then shows
where the curve bends. ``--profile`` samples the web workers with py-spy during the last
step and prints the busiest view's top functions. The figures go to
``benchmarks/results/load.json``; the processes' logs, locust's CSV files (one folder per
step) and the profile stay in ``benchmarks/results/load/``. ``--demo`` runs the same on the
demo LA instead (quick).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.england import RESULTS, ensure_england
from benchmarks.load import profile
from benchmarks.load.run import MAX_P95_MS, prepare_store, write_plan
from benchmarks.load.steps import run_steps, seconds, summary, users_list
from benchmarks.load.topology import Topology
from benchmarks.support import postgres_database, progress

EXIT_STATUS = f"""exit status:
  0  every step met the target (no errors, p95 <= {MAX_P95_MS:g} ms) and the web server and
     the worker stopped cleanly
  1  a step missed the target or a process exited badly; the figures are printed and
     written all the same"""


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__,
                                     epilog=EXIT_STATUS,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=_users, default=[50],
                        help="concurrent users, or one step per number in turn: 50,100,150 "
                             "(50)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started a second")
    parser.add_argument("--time", type=_run_time, default="5m",
                        help="how long each step runs, e.g. 30s, 5m (5m)")
    parser.add_argument("--web-workers", type=int, default=(os.cpu_count() or 1) * 2 + 1,
                        help="gunicorn workers (2 x CPUs + 1)")
    parser.add_argument("--threads", type=int, default=4, help="threads per web worker (4)")
    parser.add_argument("--profile", action="store_true",
                        help="sample the web workers with py-spy during the last step "
                             "(pip install -e '.[load]' has it)")
    parser.add_argument("--demo", action="store_true",
                        help="the demo LA's ~60 schools instead of England's 22,000")
    args = parser.parse_args()
    if args.profile:
        try:
            profile.py_spy()
        except profile.ProfileUnavailable as error:
            parser.error(str(error))

    out = RESULTS / "load"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    phases: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="scc-load-") as folder:
        clock = time.monotonic()
        log, size = _log(args.demo, Path(folder))
        phases["log"] = time.monotonic() - clock
        with postgres_database("load") as database_url:
            started = datetime.now(UTC)
            clock = time.monotonic()
            emails = prepare_store(log, database_url, users=max(args.users), progress=progress)
            plan = write_plan(database_url, emails, out / "plan.json")
            phases["store"] = time.monotonic() - clock
            progress(f"load: store ready in {phases['store']:.0f} s; "
                     f"{len(plan['urns']):,} open maintained schools to record on; "
                     f"starting {args.web_workers} web workers x {args.threads} threads and "
                     "scc worker")
            with Topology(database_url, out, web_workers=args.web_workers,
                          threads=args.threads) as topology:
                clock = time.monotonic()
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
                phases["start"] = time.monotonic() - clock
                progress(f"load: {fired:,} recorded; the read models are up to date")
                clock = time.monotonic()
                steps = run_steps(topology, out / "plan.json", out, users=args.users,
                                  spawn_rate=args.spawn_rate, run_time=args.time,
                                  profile_last=args.profile, progress=progress)
                phases["steps"] = time.monotonic() - clock
                _, ready = topology.get("/readyz")
                lag = ready.get("lag") if isinstance(ready, dict) else ready
                exits = topology.stop_all()
    setting = (f"Load: {size}; PostgreSQL; gunicorn {args.web_workers} workers x "
               f"{args.threads} threads + 1 scc worker; locust "
               f"{', '.join(map(str, args.users))} users (+{args.spawn_rate:g}/s, 1-3 s "
               f"between actions) for {args.time} each; 80% reads, 20% commands; "
               f"{os.cpu_count()} CPUs")
    print(setting)
    for step in steps:
        print(f"\n{step.report()}")
    print(f"\n{summary(steps)}")
    print(f"\nread models after the run: lag {lag}; exit statuses {exits}")
    print("phases: " + ", ".join(f"{name} {secs:.0f} s" for name, secs in phases.items()))
    (RESULTS / "load.json").write_text(json.dumps({
        "setting": setting, "started": started.isoformat(timespec="seconds"),
        "target": f"no errors, p95 <= {MAX_P95_MS:g} ms",
        "steps": [step.as_dict() for step in steps], "exit_statuses": exits,
        "lag_after": lag, "phases_s": {name: round(secs) for name, secs in phases.items()},
    }, indent=2) + "\n", encoding="utf-8")
    if any(step.figures.verdict != "met" for step in steps) or any(exits.values()):
        raise SystemExit(1)


def _users(text: str) -> list[int]:
    try:
        return users_list(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _run_time(text: str) -> str:
    try:
        seconds(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


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
