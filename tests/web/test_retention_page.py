"""The retention page: what is due, legal holds, and destruction decided by two administrators."""

from __future__ import annotations

from datetime import date

import pytest

from tests.web.conftest import USERS, Actions, csrf_token

HOLD = {"scope": "everything", "reason": "Public inquiry into school governance, ref PI/26/4"}


@pytest.mark.parametrize("role", ["caseworker", "head", "auditor"])
def test_only_administrators_decide_retention(actions, client, role):
    actions.sign_in(role)
    assert client.get("/admin/retention").status_code == 403
    assert "Retention" not in client.get("/rules").text


def test_an_administrator_places_and_lifts_a_legal_hold(actions, client):
    actions.sign_in("admin")
    page = client.get("/admin/retention")
    assert page.status_code == 200 and ">Retention<" in page.text
    assert "The LA's to confirm" in page.text.replace("&#39;", "'")  # unconfirmed defaults

    refused = client.post("/admin/retention/holds", data={
        "scope": "school", "target_school": "999999", "reason": "Claim",
        "csrf_token": csrf_token(page.text)})
    assert refused.status_code == 409
    assert "No school with URN 999999 has a case file" in refused.text
    blank = client.post("/admin/retention/holds", data={
        "scope": "everything", "reason": " ", "csrf_token": csrf_token(page.text)})
    assert "Say why the hold is placed" in blank.text

    placed = client.post("/admin/retention/holds", data={
        **HOLD, "csrf_token": csrf_token(page.text)}, follow_redirects=True)
    assert "Legal hold H1 placed." in placed.text
    assert "everything" in placed.text and "PI/26/4" in placed.text
    lifted = client.post("/admin/retention/holds/H1/lift", data={
        "reason": "Inquiry closed", "csrf_token": csrf_token(placed.text)},
        follow_redirects=True)
    assert "Legal hold H1 lifted." in lifted.text


def test_a_destruction_proposed_by_one_administrator_is_approved_by_another(
        services, app, actions, client):
    services.users.add(email="dee@fenmarsh.example", name="Dee Protection", role="admin",
                       password="correct horse battery staple")
    closed = services.case_files.urns()[0]
    services.case_files.change_school_details(closed, by="Helen Marsh",
                                              effective=date(2019, 9, 2),
                                              closed_on=date(2019, 8, 31))
    actions.sign_in("admin")
    page = client.get("/admin/retention")
    assert f"({closed})" in page.text
    proposed = client.post("/admin/retention/propose",
                           data={"csrf_token": csrf_token(page.text)}, follow_redirects=True)
    assert "Destruction D1 proposed" in proposed.text

    # Check the proposer cannot approve it
    own = client.post("/admin/retention/D1/approve", data={
        "csrf_token": csrf_token(proposed.text)})
    assert own.status_code == 409 and "another person must approve it" in own.text

    other = Actions(app.test_client())
    other.client.get("/sign-in")
    page = other.client.get("/sign-in")
    other.client.post("/sign-in", data={"email": "dee@fenmarsh.example",
                                        "password": "correct horse battery staple",
                                        "csrf_token": csrf_token(page.text)})
    page = other.client.get("/admin/retention")
    done = other.client.post("/admin/retention/D1/approve", data={
        "csrf_token": csrf_token(page.text)}, follow_redirects=True)
    assert "Destruction D1 approved and carried out." in done.text
    history = services.case_files.history(closed)
    assert history[-1]["event"] == "PersonalDataErased"
    assert "Adam Min" not in repr(history[:-1])  # the closed school's names are gone
    assert USERS["admin"][1] in repr(services.data_protection.log())
