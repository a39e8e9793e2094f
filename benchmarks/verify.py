"""scc verify at England scale: the whole log against reading and hashing its rows, and a
check since a checkpoint after 1,000 new entries.

On a copy of the cached England log (``benchmarks.england``):

- the floor: every stored row of the events table read and its state bytes SHA-256'd, in
  this process (the least any check of every entry must do), the best of ``FLOOR_RUNS``;
- the whole check, as ``scc verify`` runs it (``application.audit.verify`` with
  ``adapters.bootstrap.build_log_checks``: shared out among the CPUs), in a child process so
  that its peak memory is its own; its time against the floor's;
- a checkpoint taken, 1,000 entries recorded through ``SchoolCaseFiles`` (monitoring visits
  to open case files), and the check since the checkpoint timed.

PostgreSQL is left to the tests (tests/integration/test_audit_since.py): generating an
England log into it takes longer than the checks. ``python -m benchmarks.verify --profile
[--quick]`` shows where a whole check's time goes (one process).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.england import RESULTS, copy_store, ensure_england
from benchmarks.support import Row, case_files_on, peak_mb, progress
from domain.errors import CaseFileError

NAME = "verify"
MAX_RATIO = 3.0
SINCE_MAX_SECONDS = 1.0
APPENDED = 1_000
FLOOR_RUNS = 2
ROOT = Path(__file__).resolve().parent.parent


def run(quick: bool) -> list[Row]:
    england = ensure_england(quick=quick, progress=lambda schools, events: progress(
        f"{NAME}: generating the log: {schools:,} schools, {events:,} events"))
    size = f"{england['schools']:,} schools, {england['events']:,} entries"
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        work = Path(folder, "england.sqlite3")
        progress(f"{NAME}: copying {Path(england['path']).name}")
        copy_store(england["path"], work)
        url = f"sqlite:///{work}"
        progress(f"{NAME}: the floor: reading every stored row and hashing its state, "
                 f"best of {FLOOR_RUNS}")
        floor = min(sqlite_floor(work) for _ in range(FLOOR_RUNS))
        progress(f"{NAME}: the floor took {floor:.2f} s; verifying the whole log")
        whole = verify_in_child(url)
        since = since_checkpoint(url)
    rows = [
        Row(f"{NAME} sqlite whole log", whole["seconds"], floor, max_ratio=MAX_RATIO, unit="s",
            note=f"{size}; {whole['entries']:,} entries checked in {whole['processes']} "
                 f"process{'es' if whole['processes'] > 1 else ''}; baseline: every stored row "
                 "read and its state SHA-256'd, one process"),
        Row(f"{NAME} sqlite whole log peak memory", whole["peak_mb"], unit="MB",
            note="peak RSS of the verifying process plus the peak of each other process "
                 f"({', '.join(f'{mb:.0f}' for mb in whole['parts_mb']) or 'none'} MB)"),
        Row(f"{NAME} sqlite checkpoint", since["checkpoint_seconds"], unit="s",
            note="scc checkpoint of the whole log (each school's head)"),
        Row(f"{NAME} sqlite since the checkpoint", since["seconds"], max_ms=SINCE_MAX_SECONDS,
            unit="s", note=f"{APPENDED:,} entries recorded since it; {since['entries']:,} "
                           f"entries hashed ({since['schools']:,} schools' heads and the new "
                           "ones)"),
    ]
    return rows


# The floor and the whole check ----------------------------------------------------------------

def sqlite_floor(path: Path) -> float:
    """Seconds to read every stored row of the events table and SHA-256 its state."""
    started = time.perf_counter()
    db = sqlite3.connect(path)
    try:
        for (state,) in db.execute("SELECT state FROM stored_events"):
            hashlib.sha256(state).digest()
    finally:
        db.close()
    return time.perf_counter() - started


def verify_in_child(url: str) -> dict[str, Any]:
    """The whole check in a child process, which reports its own peak memory."""
    child = subprocess.run([sys.executable, "-m", "benchmarks.verify", url],
                           stdout=subprocess.PIPE, cwd=ROOT, check=False)
    if child.returncode:
        raise RuntimeError(f"the verifying process exited with {child.returncode}")
    return json.loads(child.stdout)


def verify_whole(url: str) -> dict[str, Any]:
    """``scc verify``'s check of every school, timed from opening the store."""
    from adapters.bootstrap import build_log_checks
    from application import audit

    started = time.perf_counter()
    case_files = case_files_on(url)
    try:
        checks = build_log_checks(case_files)
        result = audit.verify(case_files, streams=checks, progress=_every_tenth("verified"))
    finally:
        case_files.close()
    seconds = time.perf_counter() - started
    if not result["ok"]:
        raise RuntimeError(f"the log did not verify: {result['problems'][:3]}")
    parts_mb = checks.peaks_mb if checks is not None else []
    return {"seconds": seconds, "entries": result["entries_checked"],
            "processes": len(parts_mb) + 1, "peak_mb": peak_mb() + sum(parts_mb),
            "parts_mb": parts_mb}


def _every_tenth(what: str) -> Any:
    said = 0

    def report(done: int, total: int) -> None:
        nonlocal said
        if done - said >= total // 10 or done == total:
            said = done
            progress(f"{NAME}: {what} {done:,} of {total:,} schools")

    return report


# Since a checkpoint ----------------------------------------------------------------------------

def since_checkpoint(url: str) -> dict[str, Any]:
    """A checkpoint, ``APPENDED`` entries recorded through the application, and the check
    since the checkpoint timed (on the copy: it is changed)."""
    from adapters.bootstrap import build_log_checks
    from application import audit

    case_files = case_files_on(url)
    try:
        progress(f"{NAME}: taking a checkpoint")
        started = time.perf_counter()
        made = json.loads(json.dumps(audit.checkpoint(case_files)))
        checkpoint_seconds = time.perf_counter() - started
        progress(f"{NAME}: recording {APPENDED:,} monitoring visits")
        record_visits(case_files, APPENDED)
        progress(f"{NAME}: verifying since the checkpoint")
        started = time.perf_counter()
        result = audit.verify(case_files, checkpoint=made, since_checkpoint=True,
                              streams=build_log_checks(case_files))
        seconds = time.perf_counter() - started
    finally:
        case_files.close()
    if not result["ok"]:
        raise RuntimeError(f"the log did not verify since the checkpoint: "
                           f"{result['problems'][:3]}")
    return {"seconds": seconds, "checkpoint_seconds": checkpoint_seconds,
            "entries": result["entries_checked"], "schools": result["schools_checked"]}


def record_visits(case_files: Any, count: int) -> None:
    """``count`` monitoring visits, each to a school drawn at random whose case file is
    open (a closed one refuses it)."""
    rng = random.Random(2026)
    urns = sorted(case_files.urns())
    today = case_files.clock.today()
    recorded = 0
    while recorded < count:
        try:
            case_files.record_visit(rng.choice(urns), by="Benchmark Adviser", effective=today,
                                    kind="monitoring", notes="Phonics and early reading seen")
        except CaseFileError:
            continue
        recorded += 1


# Profile and the child ----------------------------------------------------------------------------

def profile(quick: bool) -> None:
    """The whole check of a copy of the log, in this process alone, under cProfile."""
    from adapters.log_check import LogChecks
    from application import audit

    england = ensure_england(quick=quick)
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        work = Path(folder, "england.sqlite3")
        copy_store(england["path"], work)
        case_files = case_files_on(f"sqlite:///{work}")
        profiler = cProfile.Profile()
        try:
            profiler.runcall(audit.verify, case_files, streams=LogChecks(case_files))
        finally:
            case_files.close()
    RESULTS.mkdir(exist_ok=True)
    profiler.dump_stats(RESULTS / "verify.prof")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.verify", description=__doc__)
    parser.add_argument("url", nargs="?", help="verify this store and print the result")
    parser.add_argument("--profile", action="store_true", help="profile a whole check")
    parser.add_argument("--quick", action="store_true", help="with --profile: the small log")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.quick)
    elif args.url:
        print(json.dumps(verify_whole(args.url)))
    else:
        parser.error("give a store URL, or --profile")
    return 0


if __name__ == "__main__":
    sys.exit(main())
