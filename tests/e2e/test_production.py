"""The production topology on PostgreSQL: gunicorn's web workers and one ``scc worker``, as
real processes over HTTP; what /readyz says, what the logs hold, and stopping on SIGTERM."""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from adapters.config import Settings
from benchmarks.load.store import copy_log
from benchmarks.load.topology import SCC, Topology
from tests.e2e.conftest import WebClient, add_user

pytestmark = pytest.mark.postgres

GIAS = Path(__file__).parents[1] / "fixtures" / "edubasealldata20261120.csv"
SCHOOL = 110002  # Fenmarsh Community Special School, open, in the GIAS fixture
CASEWORKER = "casey.worker@fenmarsh.example"


def test_web_workers_and_one_worker_serve_the_store_and_stop_cleanly(postgres_url, tmp_path):
    with Topology(postgres_url, tmp_path / "logs", web_workers=3, threads=2,
                  env={"SCC_READY_MAX_LAG": "3"}) as topology:
        # Check they start together on an empty store, each process creating its tables
        topology.start_web()
        topology.start_worker("--poll", "0.2")
        assert topology.wait_for("/healthz") == {"status": "ok"}
        assert topology.wait_for("/readyz")["database"] == "reachable"

        subprocess.run([str(SCC), "import-schools", str(GIAS)], check=True,
                       capture_output=True, env={**os.environ, "SCC_DATABASE_URL": postgres_url})
        add_user(postgres_url, CASEWORKER)
        # Check the worker catches the read models up with the import
        ready = _caught_up(topology)
        # (a probe is told each read model's lag, not its position in the log)
        assert all(p == {"lag": 0} for p in ready["projections"].values())

        browser = WebClient(topology.url)
        assert "Sign out" in browser.sign_in(CASEWORKER).text
        form_path = f"/schools/{SCHOOL}/raise-concern"
        day, month, year = browser.get(form_path).fields("effective")
        page = browser.submit(form_path, [
            ("effective", day), ("effective", month), ("effective", year),
            ("ground", "safeguarding"), ("source", "school visit"),
            ("description", "Fire doors propped open at the visit")])
        # Check the command was recorded and its page, from whichever web worker served it,
        # shows it at once
        assert page.status == 200 and page.url.endswith(f"/schools/{SCHOOL}")
        assert "Concern C1 raised" in page.text
        assert "Fire doors propped open at the visit" in page.text
        assert "Fire doors propped open" in browser.get(f"/schools/{SCHOOL}").text

        # Check the worker stops on SIGTERM, and that the web workers do not follow the log
        # in its place: entries recorded elsewhere leave the read models behind, and /readyz
        # says so once they are more than SCC_READY_MAX_LAG behind
        assert topology.stop("worker") == 0
        _record_visits(postgres_url, SCHOOL, 4)
        lagging = topology.wait_for("/readyz", status=503, timeout=10)
        assert lagging["status"] == "lagging" and lagging["lag"] == 4
        assert "scc worker" in lagging["problem"]

        topology.start_worker("--poll", "0.2")
        _caught_up(topology)

        exits = topology.stop_all()

    assert exits == {"web": 0, "worker": 0}
    web_log = topology.log_records("web")  # every line is a JSON object
    posted = [r for r in web_log if r.get("method") == "POST" and r.get("path") == form_path]
    assert len(posted) == 1
    assert posted[0]["status"] == 303 and posted[0]["user"] == CASEWORKER
    assert posted[0]["request_id"] and posted[0]["duration_ms"] >= 0
    assert {r["level"] for r in web_log} <= {"INFO", "WARNING"}
    assert len({r["process"] for r in web_log if r["message"].startswith("Booting worker")}) == 3
    assert not any("scheduler" in r["message"] for r in web_log)
    worker_log = topology.log_records("worker", 2)
    assert any(r["message"].startswith("This worker runs the scheduler") for r in worker_log)
    assert worker_log[-1]["message"] == "Worker stopped"


def test_a_worker_told_to_stop_finishes_its_batch_and_leaves_nothing_half_done(
        postgres_url, demo_log, tmp_path):
    events = copy_log(demo_log, postgres_url)  # thousands of entries, no read model built
    with Topology(postgres_url, tmp_path / "logs") as topology:
        topology.start_worker()
        started = _positions(postgres_url)
        deadline = time.monotonic() + 60
        while not any(started.values()) and time.monotonic() < deadline:
            time.sleep(0.05)
            started = _positions(postgres_url)
        exit_status = topology.stop("worker")

    # Check it stopped at once, cleanly, between two batches of a backlog
    assert exit_status == 0
    messages = [r["message"] for r in topology.log_records("worker")]
    assert "Received SIGTERM; stopping" in messages and messages[-1] == "Worker stopped"
    stopped_at = _positions(postgres_url)
    assert max(stopped_at.values()) > 0 and min(stopped_at.values()) < events

    # Check what it committed is whole: catching up from there gives exactly what a rebuild
    # from the whole log gives, with no entry counted twice
    from adapters.bootstrap import build_case_files, build_projections

    settings = Settings(database_url=postgres_url)
    case_files = build_case_files(settings)
    projections = build_projections(settings, case_files)
    try:
        projections.catch_up()
        caught_up = _read_models(projections.store)
        projections.rebuild()
        assert _read_models(projections.store) == caught_up
    finally:
        projections.store.close()
        case_files.close()


def _caught_up(topology: Topology, timeout: float = 60.0) -> dict:
    """/readyz's answer once it reports no lag at all."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = topology.get("/readyz")
        if status == 200 and body["lag"] == 0:
            return body
        time.sleep(0.2)
    raise AssertionError(f"the read models did not catch up: {body}")


def _record_visits(database_url: str, urn: int, count: int) -> None:
    from adapters.bootstrap import build_case_files

    case_files = build_case_files(Settings(database_url=database_url))
    try:
        for n in range(count):
            case_files.record_visit(urn, kind="monitoring", notes=f"Visit {n + 1}",
                                    effective=date(2026, 11, 2 + n), by="Casey Worker")
    finally:
        case_files.close()


def _positions(database_url: str) -> dict[str, int]:
    from adapters.read_models import SQLReadModels, read_model_engine
    from application.projections import PROJECTIONS

    store = SQLReadModels(read_model_engine(database_url))
    try:
        return {name: store.position(name) for name in PROJECTIONS}
    finally:
        store.close()


def _read_models(store) -> dict[str, list[str]]:
    """Every row of every read model, as sorted JSON (rows that tie in a model's order may
    come back in either order)."""
    models = {"schools": store.schools(), "spells": store.spells(),
              "deadlines": store.deadlines(), "firings": store.firings(),
              "activity": store.activity(limit=100_000)}
    return {name: sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)
            for name, rows in models.items()}
