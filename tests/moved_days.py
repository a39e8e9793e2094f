"""Runs the test suite with the clock moved: `make test-dates` (every day), CI (one day).

Libfaketime, preloaded into pytest, moves the clock of every process the tests start too: the
CLI, the worker, gunicorn, SQLite's own ``now``. Each day is an offset from the real clock,
so the clock still runs and every process reads the same time. Not moved: PostgreSQL's server
clock (scc never asks it the time) and files' modification times.

    python -m tests.moved_days                 # every day below, one after another
    python -m tests.moved_days --day leap-day  # one of them
    python -m tests.moved_days --rotate        # one, a different one each day (CI)
    python -m tests.moved_days -- -x tests/web # arguments after -- go to pytest

The whole suite runs as two processes at once (tests/in_parallel.py); with arguments, one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests import in_parallel

ENGLAND = ZoneInfo("Europe/London")


def _eighteen_months_on(today: date) -> datetime:
    month = today.month + 18
    year, month = today.year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, min(today.day, 28), 10, 30, tzinfo=ENGLAND)


def _next_christmas_eve(today: date) -> datetime:
    year = today.year if today < date(today.year, 12, 24) else today.year + 1
    return datetime(year, 12, 24, 16, 45, tzinfo=ENGLAND)


DAYS: dict[str, Callable[[date], datetime]] = {
    "eighteen-months-on": _eighteen_months_on,
    "leap-day": lambda today: datetime(2028, 2, 29, 8, 15, tzinfo=ENGLAND),
    "christmas-eve": _next_christmas_eve,
}
"""Where the clock goes, from today: a summer-time morning a year and a half on, the leap day
of 2028 (a Tuesday: working days around it count 29 February), and the afternoon of the next
Christmas Eve (the bank holidays follow)."""


def faketime_library() -> Path:
    """The libfaketime that PyPI's ``libfaketime`` carries (Debian's hangs Python's waits)."""
    import libfaketime

    path = Path(libfaketime.__file__).parent / "vendor/libfaketime/src/libfaketime.so.1"
    if not path.exists():
        raise SystemExit(f"libfaketime's library is missing: {path}")
    return path


def moved_environment(to: datetime) -> dict[str, str]:
    offset = round((to - datetime.now(UTC)).total_seconds())
    return {**os.environ, "LD_PRELOAD": str(faketime_library()),
            "FAKETIME": f"{offset:+d}", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}


def run(name: str, pytest_args: list[str]) -> int:
    to = DAYS[name](datetime.now(ENGLAND).date())
    print(f"\n=== The suite with the clock moved to {to:%A %d %B %Y %H:%M %Z} ({name}) ===",
          flush=True)
    started = time.monotonic()
    if pytest_args:  # a part of the suite, or options of one's own: one process, as asked
        status = subprocess.call([sys.executable, "-m", "pytest", *pytest_args],
                                 env=moved_environment(to))
    else:  # the whole suite, as two processes at once (tests/in_parallel.py)
        status = in_parallel.run([], env=moved_environment(to))
    print(f"=== {name}: exit status {status} after {time.monotonic() - started:.0f} s ===",
          flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    pytest_args = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python -m tests.moved_days", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--day", choices=sorted(DAYS), help="run on this day only")
    choice.add_argument("--rotate", action="store_true",
                        help="run on one day, taking each in turn day by day")
    args = parser.parse_args(own)
    if args.day:
        names = [args.day]
    elif args.rotate:
        names = [list(DAYS)[date.today().toordinal() % len(DAYS)]]
    else:
        names = list(DAYS)
    failed = [name for name in names if run(name, pytest_args) != 0]
    if failed:
        print(f"The suite failed with the clock moved to: {', '.join(failed)}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
