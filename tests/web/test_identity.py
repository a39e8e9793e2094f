"""Who recorded an entry, beyond a name (security review #4 and #16): two accounts of one name
told apart on the record, a name already in use refused, and user administration kept in a log
the admin reads and an altered entry of which is named."""

from __future__ import annotations

import csv
import html
import io

import pytest
import sqlalchemy as sa

from adapters.demo import FEATURED_URN
from tests.web.conftest import PASSWORD, USERS, csrf_token
from tests.web.test_forms import CONCERN, send

CASE_FILE = f"/schools/{FEATURED_URN}"
NAMESAKE = "notthehead@fenmarsh.example"


def sign_in(client, email: str) -> None:
    page = client.get("/sign-in")
    assert client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                         "csrf_token": csrf_token(page.text)}).status_code == 302


def test_a_caseworker_named_like_the_head_is_told_apart_on_the_record(app, services):
    # A store from before names had to differ may hold two accounts of one name
    head_email, head_name = USERS["head"]
    services.users.store.add({"email": NAMESAKE, "name": head_name, "role": "caseworker"},
                             services.users.hasher.hash(PASSWORD), services.users.clock.now())
    for email, description in ((NAMESAKE, "Raised by the namesake"),
                               (head_email, "Raised by the head")):
        client = app.test_client()
        sign_in(client, email)
        assert send(client, f"{CASE_FILE}/raise-concern",
                    {**CONCERN, "description": description}).status_code == 303

    # Check both entries carry the name, and each its own account, inside the hashed content
    namesake, head = services.case_files.history(FEATURED_URN)[-2:]
    assert namesake["by"] == head["by"] == head_name
    assert namesake["actor"] == {"account": services.users.get(NAMESAKE)["account_id"],
                                 "email": NAMESAKE}
    assert head["actor"] == {"account": services.users.get(head_email)["account_id"],
                             "email": head_email}
    assert namesake["actor"]["account"] != head["actor"]["account"]

    # Check the case file, the auditor's page and the export tell them apart
    auditor = app.test_client()
    sign_in(auditor, USERS["auditor"][0])
    for page in (auditor.get(f"{CASE_FILE}?timeline_page=1").text,
                 auditor.get(f"/audit/schools/{FEATURED_URN}").text,
                 auditor.get(f"/audit/schools/{FEATURED_URN}/printable").text):
        text = html.unescape(page)
        assert namesake["by_identity"] in text and head["by_identity"] in text
    rows = list(csv.DictReader(io.StringIO(
        auditor.get(f"/audit/schools/{FEATURED_URN}/history.csv").text)))
    assert [r["by_identity"] for r in rows[-2:]] == [namesake["by_identity"],
                                                      head["by_identity"]]
    exported = auditor.get(f"/audit/schools/{FEATURED_URN}/history.json").json["history"]
    assert [e["actor"] for e in exported[-2:]] == [namesake["actor"], head["actor"]]


def test_a_new_user_may_not_take_a_name_another_user_has(client, actions, services):
    actions.sign_in("admin")
    before = services.users.administration.entries()

    page = actions.submit("/admin/users/new", {
        "email": NAMESAKE, "name": "  helen   MARSH ", "role": "caseworker",
        "password": PASSWORD})

    assert page.status_code == 200
    assert "helen@fenmarsh.example is already called Helen Marsh" in html.unescape(page.text)
    assert services.users.get(NAMESAKE) is None
    assert services.users.administration.entries() == before


def test_disabling_a_user_leaves_an_entry_in_the_administration_log(client, actions, services):
    actions.sign_in("admin")
    admin = services.users.get(USERS["admin"][0])
    casey = services.users.get(USERS["caseworker"][0])
    users_page = client.get("/admin/users")
    assert client.post(f"/admin/users/{casey['email']}/disable",
                       data={"csrf_token": csrf_token(users_page.text)}).status_code == 302

    (entry, *_) = services.users.administration.entries()
    assert (entry["action"], entry["email"], entry["account"], entry["by"]) == (
        "user disabled", casey["email"], casey["account_id"], admin["name"])
    assert entry["by_identity"] == f"{admin['email']}, account {admin['account_id']}"
    page = html.unescape(client.get("/admin/users/log").text)
    assert f"{admin['name']} disabled {casey['email']}" in page
    assert entry["by_identity"] in page and "The administration log is intact" in page
    assert services.users.administration.problems() == []

    # Check an entry edited in the database is named on the page
    with services.users.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE user_administration SET by = 'Someone Else' "
                             "WHERE number = :n"), {"n": entry["number"]})
    page = html.unescape(client.get("/admin/users/log").text)
    assert "The administration log was altered" in page
    assert (f"administration entry {entry['number']} (user disabled): its content was "
            "altered after it was recorded") in page


@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("auditor", 200), ("head", 403), ("caseworker", 403)])
def test_admins_and_auditors_read_the_administration_log(client, actions, role, status):
    actions.sign_in(role)
    assert client.get("/admin/users/log").status_code == status
