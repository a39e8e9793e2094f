"""What a load balancer asks (/healthz, /readyz) and what each request leaves in the log."""

from __future__ import annotations

import logging
import uuid
from datetime import date

import pytest

from adapters.demo import FEATURED_URN
from web import config, create_app


def test_healthz_says_the_process_is_alive_to_anyone(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_each_read_model_caught_up_with_the_log(client, actions):
    actions.sign_in("head")  # where each stands in the log is for signed-in users
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json
    assert (body["status"], body["database"], body["lag"], body["max_lag"]) == (
        "ready", "reachable", 0, 1000)
    assert set(body["projections"]) == {"school_status", "category_history", "deadlines",
                                        "firings", "activity", "search"}
    assert all(p["lag"] == 0 and p["position"] > 0 for p in body["projections"].values())


def test_readyz_is_unready_while_the_read_models_lag_more_than_the_bound(services):
    client = create_app(config.TestConfig(READY_MAX_LAG=1), services=services).test_client()
    for day in (2, 3):  # recorded, and nobody catches the read models up
        services.case_files.record_visit(FEATURED_URN, kind="monitoring", notes="Termly visit",
                                         effective=date(2026, 11, day), by="Casey Worker")

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json
    assert (body["status"], body["lag"], body["max_lag"]) == ("lagging", 2, 1)
    assert "more than 1 entries behind the log" in body["problem"]
    assert "scc worker" in body["problem"]
    services.projections.catch_up()
    assert client.get("/readyz").status_code == 200


@pytest.mark.postgres
def test_readyz_is_unready_when_the_database_does_not_answer(postgres_database):
    import psycopg

    from adapters.bootstrap import build_web_services
    from adapters.config import Settings

    admin_url = postgres_database.rsplit("/", 1)[0] + "/postgres"
    name = f"scc_ready_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    services = build_web_services(Settings(database_url=f"{admin_url[:-9]}/{name}"))
    try:
        client = create_app(config.TestConfig(READY_TIMEOUT=1), services=services).test_client()
        assert client.get("/readyz").status_code == 200

        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        response = client.get("/readyz")
    finally:
        services.close()

    assert response.status_code == 503
    assert (response.json["status"], response.json["database"]) == ("unavailable",
                                                                     "unreachable")
    # Check a probe is not told the database's own error (its name, host, user): the log is
    assert response.json["problem"].startswith("The database did not answer")
    assert name not in response.text and "127.0.0.1" not in response.text
    assert client.get("/healthz").status_code == 200  # alive, though not ready


def test_every_request_is_logged_with_its_id_method_path_status_and_duration(
        client, actions, caplog):
    actions.sign_in("caseworker")
    caplog.set_level(logging.DEBUG, logger="scc.requests")

    response = client.get(f"/schools/{FEATURED_URN}")
    given = client.get("/schools", headers={"X-Request-Id": "proxy-id-42"})
    client.get("/healthz")

    records = [r for r in caplog.records if r.name == "scc.requests"]
    case_file, schools, health = records
    assert (case_file.method, case_file.path, case_file.status) == (
        "GET", f"/schools/{FEATURED_URN}", 200)
    assert case_file.request_id == response.headers["X-Request-Id"]
    assert len(case_file.request_id) == 32 and case_file.duration_ms >= 0
    assert case_file.user == "casey@fenmarsh.example"
    assert case_file.levelno == logging.INFO
    # Check an id the proxy gave is kept, so that its log and ours join up
    assert schools.request_id == given.headers["X-Request-Id"] == "proxy-id-42"
    # Check the probes, every few seconds, stay out of the log at INFO
    assert health.path == "/healthz" and health.levelno == logging.DEBUG


def test_a_request_id_that_is_not_a_plain_token_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-Id": "<script>alert(1)</script>"})

    assert "<" not in response.headers["X-Request-Id"]
    assert len(response.headers["X-Request-Id"]) == 32
