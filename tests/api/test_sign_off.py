"""Sign-off through the API: a step the LA's policy names is drafted (202), and a head who did
not draft it approves or returns it."""

from __future__ import annotations

from datetime import date

from tests.api.conftest import SCHOOLS

SCHOOL = f"/api/v1/schools/{SCHOOLS[0]}"
NOTICE = {"grounds": ["a"], "compliance_period": 10, "matters": "Reading results fell",
          "required_actions": "A reading plan", "minded_action": "Appoint an IEB"}


def test_a_warning_notice_posted_is_drafted_and_a_head_approves_it(client, local):
    drafted = client.post(f"{SCHOOL}/warning-notices", json=NOTICE,
                          headers=local.headers("caseworker"))

    assert drafted.status_code == 202, drafted.json
    assert drafted.headers["Location"] == f"{SCHOOL}/drafts/D1"
    assert drafted.json["id"] == "D1"
    assert drafted.json["links"]["draft"] == f"{SCHOOL}/drafts/D1"
    assert client.get(f"{SCHOOL}", headers=local.headers("head")).json[
        "warning_notices"] == []
    draft = client.get(f"{SCHOOL}/drafts/D1", headers=local.headers("auditor"))
    assert draft.status_code == 200
    assert (draft.json["status"], draft.json["step"]) == ("awaiting approval",
                                                          "issue_warning_notice")
    assert draft.json["arguments"]["matters"] == "Reading results fell"

    # Check only a head's token approves: a caseworker's is forbidden.
    forbidden = client.post(f"{SCHOOL}/drafts/D1/approval", json={},
                            headers=local.headers("caseworker"))
    assert forbidden.status_code == 403

    approved = client.post(f"{SCHOOL}/drafts/D1/approval", json={},
                           headers=local.headers("head"))
    assert approved.status_code == 201, approved.json
    assert approved.json["id"] == "WN1"
    notices = client.get(SCHOOL, headers=local.headers("head")).json["warning_notices"]
    assert [n["notice_id"] for n in notices] == ["WN1"]
    again = client.post(f"{SCHOOL}/drafts/D1/approval", json={}, headers=local.headers("head"))
    assert again.status_code == 422
    assert again.json["rule"] == "sign-off-stages"


def test_a_head_returns_a_draft_with_a_reason(client, local):
    client.post(f"{SCHOOL}/warning-notices", json=NOTICE, headers=local.headers("caseworker"))

    blank = client.post(f"{SCHOOL}/drafts/D1/return", json={"reason": " "},
                        headers=local.headers("head"))
    assert blank.status_code == 422
    assert blank.json["rule"] == "sign-off-return-reason"
    returned = client.post(f"{SCHOOL}/drafts/D1/return", json={"reason": "Name the years"},
                           headers=local.headers("head"))

    assert returned.status_code == 201, returned.json
    draft = client.get(f"{SCHOOL}/drafts/D1", headers=local.headers("caseworker")).json
    assert (draft["status"], draft["returned_reason"]) == ("returned", "Name the years")


def test_the_drafter_cannot_approve_and_a_bad_draft_is_refused_at_once(client, local):
    client.post(f"{SCHOOL}/warning-notices", json=NOTICE, headers=local.headers("head"))

    own = client.post(f"{SCHOOL}/drafts/D1/approval", json={}, headers=local.headers("head"))
    assert own.status_code == 422
    assert own.json["rule"] == "sign-off-approver"
    bad = client.post(f"{SCHOOL}/warning-notices", json={**NOTICE, "grounds": []},
                      headers=local.headers("caseworker"))
    assert bad.status_code == 422
    assert bad.json["rule"] == "s60-grounds"
    missing = client.get(f"{SCHOOL}/drafts/D9", headers=local.headers("head"))
    assert missing.status_code == 404


def test_the_openapi_document_describes_drafts_and_their_decisions(client):
    document = client.get("/api/v1/openapi.json").json
    paths = document["paths"]

    assert "202" in paths["/api/v1/schools/{urn}/warning-notices"]["post"]["responses"]
    approval = paths["/api/v1/schools/{urn}/drafts/{draft_id}/approval"]["post"]
    assert approval["x-permission"] == "approve"
    assert "reason" in str(paths["/api/v1/schools/{urn}/drafts/{draft_id}/return"])
    assert "get" in paths["/api/v1/schools/{urn}/drafts/{draft_id}"]


def test_a_drafts_dates_read_back_as_iso_dates(client, local):
    comply_by = local.services.case_files.working_days.add_working_days(date.today(), 10)
    body = {**NOTICE, "compliance_period": None, "compliance_date": comply_by.isoformat()}
    drafted = client.post(f"{SCHOOL}/warning-notices", json=body,
                          headers=local.headers("caseworker"))
    assert drafted.status_code == 202, drafted.json

    draft = client.get(drafted.headers["Location"], headers=local.headers("head")).json

    assert draft["arguments"]["compliance_date"] == comply_by.isoformat()
    assert draft["drafted_on"] == date.today().isoformat()
    assert draft["takes_effect"] is None
