"""Several processes writing at once: two on the same school lose no entry, and writers that
find an SQLite file locked by another process wait their turn instead of failing."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.faults.conftest import (
    FULL,
    HEAD,
    eventually,
    finish,
    open_case_files,
    register,
    run_scc,
    scc_env,
    start_writer,
)
from tests.faults.writer import concern_text
from tests.sign_off import approved

pytestmark = pytest.mark.faults

URN = 990301
COMMANDS = 300 if FULL else 40


def concerns(case_files, urn: int) -> Counter[str]:
    """How many times each concern's description is in the school's history."""
    return Counter(e["details"]["description"] for e in case_files.history(urn)
                   if e["event"] == "ConcernRaised")


def outcomes(output: str) -> Counter[str]:
    """How many commands a writer saw succeed (``ok``), clash and be sent again, or fail."""
    return Counter(line.split(" ", 1)[0] for line in output.splitlines() if line.strip())


def test_two_processes_writing_the_same_school_at_once_lose_no_entry(database_url, tmp_path):
    case_files = open_case_files(database_url)
    register(case_files, URN)
    env = scc_env(database_url, tmp_path)

    writers = {tag: start_writer(env, URN, tag, COMMANDS, pause=0.005) for tag in ("a", "b")}
    outputs = {tag: finish(writer) for tag, writer in writers.items()}

    # Check every command returned success (a clash with the other writer is sent again,
    # as its message asks), and nothing went to stderr.
    for tag, (out, err) in outputs.items():
        assert writers[tag].returncode == 0, err
        assert outcomes(out)["ok"] == COMMANDS, out
        assert "failed" not in out and err == ""
    # Check the case file holds each writer's every concern exactly once, on versions with
    # no gap, and that its hash chain verifies.
    expected = Counter(concern_text(tag, n) for tag in "ab" for n in range(1, COMMANDS + 1))
    case_files.close()
    case_files = open_case_files(database_url)
    assert concerns(case_files, URN) == expected
    assert [e["version"] for e in case_files.history(URN)] == list(range(1, 2 * COMMANDS + 2))
    case_files.close()
    verified = run_scc(env, "verify", "--urn", str(URN))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "no alterations found" in verified.stdout


def _sqlite_store(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "scc.sqlite3"
    return f"sqlite:///{path}", path


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's open write transaction: no one else may write until it ends."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_sqlite_writers_wait_for_a_lock_another_process_holds_and_all_succeed(tmp_path):
    database_url, path = _sqlite_store(tmp_path)
    case_files = open_case_files(database_url)
    schools = [URN, URN + 1]
    for urn in schools:
        register(case_files, urn)
    env = scc_env(database_url, tmp_path)
    count = COMMANDS

    # Four writer processes on two schools of one file; meanwhile another process takes the
    # file's write lock and keeps it for a second and a half.
    writers = [start_writer(env, schools[n % 2], f"w{n}", count, pause=0.04) for n in range(4)]
    eventually(lambda: len(concerns(case_files, URN)) >= 5, timeout=30)
    holder = _hold_write_lock(path)
    held_at = len(case_files.history(URN)) + len(case_files.history(URN + 1))
    assert all(writer.poll() is None for writer in writers)  # still writing
    time.sleep(1.5)
    # Check nobody wrote while the lock was held ...
    assert len(case_files.history(URN)) + len(case_files.history(URN + 1)) == held_at
    holder.execute("ROLLBACK")
    holder.close()
    results = [finish(writer) for writer in writers]

    # ... and every command of every writer then went in, once: none failed on the lock.
    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert outcomes(out)["ok"] == count, out
        assert "database is locked" not in out + err
    for n in range(4):
        urn = schools[n % 2]
        assert {d: c for d, c in concerns(case_files, urn).items()
                if d.endswith(f"writer w{n}")} == {concern_text(f"w{n}", i): 1
                                                   for i in range(1, count + 1)}
    case_files.close()


def test_an_sqlite_lock_held_too_long_refuses_the_command_clearly_and_records_nothing(
        tmp_path):
    database_url, path = _sqlite_store(tmp_path)
    case_files = open_case_files(database_url)
    register(case_files, URN)
    approved(case_files, "issue_warning_notice",
        URN, by=HEAD, grounds=["a"], matters="Low standards", required_actions="A plan",
        minded_action="An IEB", compliance_period=20)
    before = case_files.history(URN)
    case_files.close()
    # The store's lock timeout, shortened from its 10 seconds so the test need not wait.
    env = scc_env(database_url, tmp_path, SCHOOLCASEFILES_SQLITE_LOCK_TIMEOUT="1")

    holder = _hold_write_lock(path)
    try:
        suspended = run_scc(env, "deadline", "suspend", str(URN), "compliance:WN1",
                            "--reason", "Awaiting the governors' plan", "--by", HEAD)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    # Check the command said what happened and what to do, without a traceback ...
    assert suspended.returncode == 1, suspended.stderr
    assert suspended.stderr == (
        "Error: The case-file store was kept busy by another process for too long: nothing "
        "was recorded. Try again in a moment.\n")
    # ... recorded nothing, and goes in once the lock is free.
    case_files = open_case_files(database_url)
    assert case_files.history(URN) == before
    case_files.close()
    again = run_scc(env, "deadline", "suspend", str(URN), "compliance:WN1",
                    "--reason", "Awaiting the governors' plan", "--by", HEAD)
    assert again.returncode == 0, again.stderr
