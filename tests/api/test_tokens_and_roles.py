"""Who may call the API: a user's bearer token, with that user's role; never a session cookie."""

from __future__ import annotations

import re

from tests.api.conftest import PASSWORD, SCHOOLS, USERS

URN = SCHOOLS[0]
CONCERN = {"ground": "standards", "description": "Phonics results fell"}


def test_without_a_valid_token_nothing_is_read_or_recorded(local, client):
    version = local.services.case_files.version(URN)

    for headers in ({}, {"Authorization": "Bearer scc_not-a-token"},
                    {"Authorization": f"Basic {local.tokens['head']}"}):
        answer = client.post(f"/api/v1/schools/{URN}/concerns", json=CONCERN, headers=headers)
        assert answer.status_code == 401
        assert answer.content_type == "application/problem+json"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert answer.json["type"].endswith("#problem-unauthorized")
        assert client.get(f"/api/v1/schools/{URN}", headers=headers).status_code == 401

    assert local.services.case_files.version(URN) == version


def test_a_revoked_token_and_a_disabled_users_token_are_refused(local, client):
    services = local.services
    spare = services.tokens.create(USERS["caseworker"][0], name="spare")
    assert client.get("/api/v1/schools", headers={
        "Authorization": f"Bearer {spare['token']}"}).status_code == 200

    services.tokens.revoke(spare["id"])
    assert client.get("/api/v1/schools", headers={
        "Authorization": f"Bearer {spare['token']}"}).status_code == 401
    assert client.get("/api/v1/schools", headers=local.headers("caseworker")).status_code == 200

    services.users.disable(USERS["caseworker"][0])
    assert client.get("/api/v1/schools", headers=local.headers("caseworker")).status_code == 401
    services.users.enable(USERS["caseworker"][0])
    assert client.get("/api/v1/schools", headers=local.headers("caseworker")).status_code == 200


def test_a_new_role_applies_to_the_users_token_at_once(local, client):
    caseworker = local.headers("caseworker")
    assert client.post(f"/api/v1/schools/{URN}/concerns", json=CONCERN,
                       headers=caseworker).status_code == 201

    local.services.users.set_role(USERS["caseworker"][0], "auditor")

    refused = client.post(f"/api/v1/schools/{URN}/concerns", json=CONCERN, headers=caseworker)
    assert refused.status_code == 403 and "auditor" in refused.json["detail"]

def test_roles_are_those_of_the_web_app(client, local):
    school = f"/api/v1/schools/{URN}"

    # Check an auditor reads and replays but records nothing; an admin reads no case files
    assert client.post(f"{school}/concerns", json=CONCERN,
                       headers=local.headers("auditor")).status_code == 403
    assert client.get(f"{school}?as_at=2020-01-01", headers=local.headers("auditor")
                      ).status_code == 200
    assert client.get(school, headers=local.headers("admin")).status_code == 403

    # Check a caseworker records, but neither replays, verifies, nor assigns caseworkers
    caseworker = local.headers("caseworker")
    assert client.post(f"{school}/concerns", json=CONCERN, headers=caseworker).status_code == 201
    refused = client.get(f"{school}/events?as_known_at=2020-01-01T12:00:00Z",
                         headers=caseworker)
    assert refused.status_code == 403 and "caseworker" in refused.json["detail"]
    assert client.get(f"{school}/verification", headers=caseworker).status_code == 403
    assigned = {"name": "Casey Worker", "email": "casey@fenmarsh.example"}
    assert client.post(f"{school}/caseworker", json=assigned,
                       headers=caseworker).status_code == 403
    assert client.post(f"{school}/caseworker", json=assigned,
                       headers=local.headers("head")).status_code == 201


def test_a_signed_in_browser_cannot_record_through_the_api(local, client):
    page = client.get("/sign-in")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)[1]
    signed_in = client.post("/sign-in", data={"email": USERS["head"][0], "password": PASSWORD,
                                              "csrf_token": token})
    assert signed_in.status_code == 302
    assert client.get("/").status_code == 200  # the session works for the web pages
    version = local.services.case_files.version(URN)

    answer = client.post(f"/api/v1/schools/{URN}/concerns", json=CONCERN)

    assert answer.status_code == 401
    assert local.services.case_files.version(URN) == version


def test_entries_are_recorded_in_the_tokens_users_name(local, client):
    client.post(f"/api/v1/schools/{URN}/concerns", json=CONCERN,
                headers=local.headers("caseworker"))

    entries = client.get(f"/api/v1/schools/{URN}/events",
                         headers=local.headers("head")).json["items"]
    assert entries[-1]["event"] == "ConcernRaised"
    assert entries[-1]["by"] == USERS["caseworker"][1]


def test_an_expired_token_is_refused_with_a_problem_saying_so(local, client):
    """Finding #16: tokens never expired."""
    from datetime import UTC, datetime, timedelta

    from tests.fakes import FixedClock

    tokens = local.services.tokens
    system_clock, tokens.clock = tokens.clock, FixedClock(datetime.now(UTC) - timedelta(days=2))
    try:
        old = tokens.create(USERS["caseworker"][0], name="old", expires_in=timedelta(days=1))
    finally:
        tokens.clock = system_clock

    answer = client.get("/api/v1/schools", headers={"Authorization": f"Bearer {old['token']}"})

    assert answer.status_code == 401
    assert answer.content_type == "application/problem+json"
    assert answer.json["detail"].startswith("The API token expired at ")
    assert "ask an administrator for a new one" in answer.json["detail"]
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    # Check a token made now works, for the configured 90 days
    assert client.get("/api/v1/schools", headers=local.headers("caseworker")).status_code == 200
    made = tokens.list(USERS["caseworker"][0])[0]
    assert made["expires_at"] - made["created_at"] == timedelta(days=90)


def test_an_entry_names_the_account_and_the_token_it_was_recorded_through(local, client):
    # Security review #4: a name is not who; the account's id and the token's are recorded
    caseworker = local.services.users.get(USERS["caseworker"][0])
    (token,) = local.services.tokens.list(caseworker["email"])
    client.post(f"/api/v1/schools/{URN}/concerns", json=CONCERN,
                headers=local.headers("caseworker"))

    entry = client.get(f"/api/v1/schools/{URN}/events",
                       headers=local.headers("head")).json["items"][-1]
    assert entry["by"] == caseworker["name"]
    assert entry["actor"] == {"account": caseworker["account_id"], "email": caseworker["email"],
                              "token": token["id"]}
    assert entry["by_identity"] == (f"{caseworker['email']}, account {caseworker['account_id']}"
                                    f", API token {token['id']}")
