"""PostgreSQL restarted under load (a private cluster of the tests' own, never the machine's
server): the writers and the worker carry on by themselves once it is back, no command that
returned success is lost or doubled, and the read models catch up."""

from __future__ import annotations

import signal
import subprocess
import time
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa

from adapters.read_models import read_model_engine
from application.projections import PROJECTIONS
from tests.faults.conftest import (
    FULL,
    SCC,
    eventually,
    finish,
    open_case_files,
    register,
    run_scc,
    scc_env,
    start_writer,
)
from tests.faults.writer import concern_text

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

RESTARTS = 3 if FULL else 1
OUTAGE = 8.0 if FULL else 3.0
"""Seconds the server stays down: past the event store's own retries in the full run."""
WRITERS = ("a", "b")


def concerns(case_files, urns) -> Counter[str]:
    return Counter(e["details"]["description"] for urn in urns for e in case_files.history(urn)
                   if e["event"] == "ConcernRaised")


def read_model_concerns(database_url: str) -> int | None:
    """Open concerns on the schools' dashboard rows, as the read models have them now."""
    engine = read_model_engine(database_url)
    try:
        with engine.connect() as conn:
            generation = conn.execute(sa.text(
                "SELECT generation FROM projection_positions WHERE name = 'school_status'"
            )).scalar_one()
            return conn.execute(sa.text(
                f"SELECT sum(open_concerns) FROM school_status_g{generation}")).scalar()
    except sa.exc.DBAPIError:
        return None
    finally:
        engine.dispose()


def test_the_app_rides_out_a_postgresql_restart_and_loses_no_command_that_succeeded(
        private_postgres, tmp_path, request):
    database_url = private_postgres.create_database(f"scc_restart_{uuid.uuid4().hex[:8]}")
    urns = {tag: 990600 + n for n, tag in enumerate(WRITERS)}
    case_files = open_case_files(database_url)
    for urn in urns.values():
        register(case_files, urn)
    env = scc_env(database_url, tmp_path)
    log = tmp_path / "worker.log"
    with log.open("w") as stderr:
        worker = subprocess.Popen([str(SCC), "worker", "--poll", "0.1", "--lock-check", "0.2"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    request.addfinalizer(lambda: worker.poll() is None and (worker.kill(), worker.wait()))
    eventually(lambda: "This worker runs the scheduler" in log.read_text(), timeout=60)
    count = 150 * RESTARTS

    def total_concerns() -> int:
        return sum(concerns(case_files, urns.values()).values())

    # Paced (about 35 commands a second each) so that they are still writing well after the
    # server is back: they reconnect as soon as it listens, before pg_ctl says it has started.
    writers = {tag: start_writer(env, urn, tag, count, pause=0.05)
               for tag, urn in urns.items()}
    try:
        logged = 0
        for restart in range(RESTARTS):
            # Stopped while both writers are busy, once forty more of their commands are in.
            eventually(lambda n=logged: total_concerns() >= n + 40, timeout=60)
            assert all(writer.poll() is None for writer in writers.values())
            # Down for longer than the event store's own retries last (two seconds), so
            # commands wait or fail meanwhile; a fast shutdown ends every session, and an
            # immediate one (the full run's second) is a crash.
            private_postgres.stop("immediate" if restart % 2 else "fast")
            time.sleep(OUTAGE)
            private_postgres.start()
            logged = total_concerns()
            # Check the writers carry on by themselves once the server is back.
            eventually(lambda n=logged: total_concerns() > n + 20, timeout=60)
        outputs = {tag: finish(writer, timeout=180) for tag, writer in writers.items()}
    finally:
        for writer in writers.values():
            if writer.poll() is None:
                writer.kill()
                writer.wait()
            for file in writer.output_files:
                file.close()

    # Check every command that returned success is in the log exactly once; one that failed
    # while the server was away may or may not be (the writer could not know), never twice.
    logged = concerns(case_files, urns.values())
    for tag, (out, err) in outputs.items():
        assert writers[tag].returncode == 0, err
        succeeded = {int(line.split()[1]) for line in out.splitlines() if line.startswith("ok")}
        assert succeeded, out
        assert {n: logged[concern_text(tag, n)] for n in succeeded} == dict.fromkeys(succeeded, 1)
        assert max(succeeded) == count  # the last commands, after the restart, went in
    assert set(logged.values()) == {1}
    # Check the versions have no gap, and the chains verify.
    for urn in urns.values():
        assert [e["version"] for e in case_files.history(urn)] == list(
            range(1, len(case_files.history(urn)) + 1))
    verified = run_scc(env, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # Check the worker, which lost its connections too, brought the read models up to date
    # by itself, and still holds the scheduler (its lock went with its session).
    total = sum(logged.values())
    try:
        eventually(lambda: read_model_concerns(database_url) == total, timeout=60)
        status = run_scc(env, "projections", "status")
        assert status.returncode == 0, status.stderr
        assert [line.split()[-1] for line in status.stdout.splitlines()[2:]] == ["0"] * len(PROJECTIONS)
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, log.read_text()[-3000:]
    case_files.close()
    text = log.read_text()
    assert text.count("Lost the scheduler lock") == RESTARTS
    assert text.count("This worker runs the scheduler") == RESTARTS + 1
