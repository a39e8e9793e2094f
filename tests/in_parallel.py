"""Runs the whole suite as two pytest processes at once: `make test` and the moved-clock pass.

One process takes the tests that mostly wait (on Chromium, on scc processes they start and
kill, on a server over HTTP); the other the rest, which mostly compute. On a 2-core machine
the pair ends in about half the time of one process, and no test is left out: the second
process runs everything under tests/ but the first one's directories. Each test is isolated
as before: its own temporary directory, database or schema, port and mount (the temporary
directories in memory: see ``_in_memory``). Each process's lines come out as they are
written, prefixed with its name; any failure fails the run.

    python -m tests.in_parallel                # the whole suite
    python -m tests.in_parallel -- -x -m "not postgres"  # arguments for both processes
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).resolve().parent
WAITING = ("browser", "faults", "e2e", "api")
"""The directories of the first process: together they take about as long as the rest."""


def groups() -> dict[str, list[str]]:
    first = [str(TESTS / name) for name in WAITING]
    missing = [path for path in first if not Path(path).is_dir()]
    if missing:
        raise SystemExit(f"tests.in_parallel: no such directory: {', '.join(missing)}")
    return {"waiting": first,
            "computing": [str(TESTS), *(f"--ignore={path}" for path in first)]}


def _relay(name: str, process: subprocess.Popen[str], lock: threading.Lock, started: float,
           statuses: dict[str, int]) -> None:
    """The process's lines as they come, then its exit status and when it ended."""
    for line in process.stdout:
        with lock:
            sys.stdout.write(f"[{name}] {line}")
            sys.stdout.flush()
    statuses[name] = process.wait()
    with lock:
        print(f"=== {name}: exit status {statuses[name]} after "
              f"{time.monotonic() - started:.0f} s ===", flush=True)


def run(pytest_args: list[str], env: dict[str, str] | None = None) -> int:
    """Both processes, to the end of both; 0 if both passed."""
    with _in_memory(dict(os.environ if env is None else env)) as env:
        return _run(pytest_args, env)


@contextlib.contextmanager
def _in_memory(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """The tests' temporary files (their SQLite stores, key stores, uploads) in a folder of
    the machine's memory file system, unless TMPDIR says otherwise: a store commits at every
    command, and on a disk each commit waits for the disk (some 3 ms here), which was most of
    the time of the tests that record a whole demo LA. The stores are the same SQLite files."""
    if "TMPDIR" in env or not os.access(MEMORY, os.W_OK):
        yield env
        return
    folder = tempfile.mkdtemp(prefix="scc-tests-", dir=MEMORY)
    os.chmod(folder, 0o1777)  # as /tmp is: the fault tests' PostgreSQL runs as another user
    try:
        yield {**env, "TMPDIR": folder}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


MEMORY = "/dev/shm"


def _run(pytest_args: list[str], env: dict[str, str]) -> int:
    lock = threading.Lock()
    started = time.monotonic()
    statuses: dict[str, int] = {}
    relays = []
    for name, paths in groups().items():
        # Each its own cache, so the two never write one file at once.
        command = [sys.executable, "-m", "pytest", "-o", f"cache_dir=.pytest_cache/{name}",
                   *pytest_args, *paths]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, errors="replace",
                                   bufsize=1)
        relay = threading.Thread(target=_relay, args=(name, process, lock, started, statuses))
        relay.start()
        relays.append(relay)
    for relay in relays:
        relay.join()
    failed = [name for name in groups() if statuses.get(name) != 0]
    if failed:
        print(f"Failed: {', '.join(failed)}", flush=True)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--":
        argv = argv[1:]
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
