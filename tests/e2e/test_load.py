"""The load test, bounded: locust's caseworkers against gunicorn and ``scc worker`` on
PostgreSQL with the demo LA, for a few seconds. It checks behaviour under concurrency (no
errors, every command recorded exactly once), not speed: ``make load`` measures that."""

from __future__ import annotations

import psycopg
import pytest

from benchmarks.load.run import prepare_store, run_locust, write_plan
from benchmarks.load.topology import Topology

pytestmark = [pytest.mark.postgres, pytest.mark.load]

USERS = 10
COMMANDS = {"POST /schools/[urn]/record-visit": "VisitRecorded",
            "POST /schools/[urn]/raise-concern": "ConcernRaised"}


def test_caseworkers_reading_and_recording_at_once_meet_no_errors(
        postgres_url, demo_log, tmp_path):
    emails = prepare_store(demo_log, postgres_url, users=USERS)
    write_plan(postgres_url, emails, tmp_path / "plan.json")
    logged_before = _entries(postgres_url)

    with Topology(postgres_url, tmp_path / "logs", web_workers=2, threads=4) as topology:
        topology.start_web()
        topology.start_worker()
        topology.wait_for("/readyz")
        figures = run_locust(topology.url, tmp_path / "plan.json", users=USERS, spawn_rate=5,
                             run_time="20s", out=tmp_path)
        exits = topology.stop_all()

    assert figures.failures == 0, figures.failed
    assert exits == {"web": 0, "worker": 0}
    assert figures.sign_ins == USERS
    done = {row["name"]: row["requests"] for row in figures.by_name}
    assert done.get("GET /schools/[urn]", 0) > 0 and done.get("GET / (dashboard)", 0) > 0
    # Check every command the users sent was recorded, once
    recorded = {name: _entries(postgres_url, kind) - logged_before[kind]
                for name, kind in COMMANDS.items()}
    assert recorded == {name: done.get(name, 0) for name in COMMANDS}
    assert sum(recorded.values()) > 0


def _entries(database_url: str, kind: str | None = None):
    """How many entries of ``kind`` the log holds (of each command's kind, if None)."""
    if kind is None:
        return {k: _entries(database_url, k) for k in COMMANDS.values()}
    base, schema = database_url.split("?schema=")
    with psycopg.connect(base) as conn:
        return conn.execute(
            f'SELECT count(*) FROM "{schema}".schoolcasefiles_events WHERE topic = %s',
            (f"domain.case_file:SchoolCaseFile.{kind}",)).fetchone()[0]
