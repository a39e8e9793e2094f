"""The administrator's subject access page: a search by name, the mentions, the exports (each
in the access log); nobody else may use it."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from pypdf import PdfReader

from adapters.config import Settings
from tests.fakes import FixedClock
from tests.web.conftest import USERS, csrf_token

URN = 990801
PAGE = "/admin/subject-access"


@pytest.fixture
def settings(tmp_path) -> Settings:
    """A store of its own rather than the demo: one school whose MSP group names a
    governor and another member, and a concern naming her in its free text."""
    from adapters.bootstrap import build_case_files

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'scc.sqlite3'}")
    case_files = build_case_files(settings, FixedClock())
    try:
        case_files.register_school(
            by="Olive Officer", effective=date(2024, 9, 2), urn=URN, name="Drove End Primary",
            phase="Primary", establishment_type="Community school", governance="maintained",
            la_code="999", pupils=150, opened_on=date(1980, 9, 1))
        case_files.establish_msp_group(URN, by="Olive Officer", effective=date(2025, 5, 5),
                                       members=["Gina Governor", "Bob Other"],
                                       cadence_weeks=4)
        case_files.raise_concern(URN, by="Olive Officer", effective=date(2025, 6, 2),
                                 ground="leadership and governance",
                                 description="Gina Governor has not answered the LA's letters")
    finally:
        case_files.close()
        case_files.keyring.store.close()
    return settings


def search(client, actions, query: str, **more: str):
    return actions.submit(PAGE, {"query": query, **more})


def test_an_admin_finds_a_governor_and_downloads_the_exports_each_logged(client, actions,
                                                                         services):
    actions.sign_in("admin")
    admin = USERS["admin"][0]

    # Check the page is offered in the navigation and asks for a name
    page = client.get(PAGE)
    assert page.status_code == 200
    assert 'href="/admin/subject-access"' in page.text
    assert 'name="query"' in page.text

    # Check a search shows her mentions, named and in free text, and not Bob's
    found = search(client, actions, "gina")
    assert found.status_code == 200
    assert "Gina Governor" in found.text and "Drove End Primary (URN 990801)" in found.text
    assert "Entry 2: MSP group established" in found.text
    assert "Gina Governor has not answered the LA&#39;s letters" in found.text
    assert "Bob Other" not in found.text
    assert "Download JSON" in found.text and "Download PDF" in found.text
    assert [(a["email"], a["urn"], a["view"]) for a in services.users.access_log()] == [
        (admin, URN, "subject access search")]

    # Check the downloads: attachments, parsed back, each a line in the access log
    token = csrf_token(found.text)
    person = services.subject_access.people("gina")[0]["person"]
    asked = {"csrf_token": token, "query": "gina", "person": person}
    exported = client.post(f"{PAGE}/export.json", data=asked)
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"] == (
        f'attachment; filename="subject-access-{person}-2026-11-23.json"')
    document = json.loads(exported.data)
    assert document["header"]["asked_by"]["name"] == USERS["admin"][1]
    assert document["header"]["counts"]["mentions"] == 2
    assert {m["value"] for m in document["mentions"]} == {
        "Gina Governor", "Gina Governor has not answered the LA's letters"}

    printed = client.post(f"{PAGE}/export.pdf", data=asked)
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    assert printed.headers["Content-Disposition"].startswith("attachment; ")
    text = " ".join(PdfReader(io.BytesIO(printed.data)).pages[0].extract_text().split())
    assert text.startswith("For review before disclosure") and "Gina Governor" in text
    assert "Bob Other" not in text
    assert [a["view"] for a in services.users.access_log()] == [
        "subject access export PDF", "subject access export JSON", "subject access search"]


def test_a_search_matching_nobody_says_so_on_the_field(client, actions):
    actions.sign_in("admin")

    refused = search(client, actions, "Zed Nobody")

    assert refused.status_code == 422
    assert "There is a problem" in refused.text
    assert "Nobody named &#39;Zed Nobody&#39;" in refused.text
    assert 'href="#query"' in refused.text and "govuk-input--error" in refused.text
    assert "Download PDF" not in refused.text


@pytest.mark.parametrize("role", ["caseworker", "head", "auditor"])
def test_only_admins_may_use_subject_access(client, actions, services, role):
    actions.sign_in(role)
    token = csrf_token(client.get("/sign-out").text)

    assert client.get(PAGE).status_code == 403
    for path in (PAGE, f"{PAGE}/export.json", f"{PAGE}/export.pdf"):
        assert client.post(path, data={"csrf_token": token, "query": "gina"}).status_code == 403
    assert 'href="/admin/subject-access"' not in client.get("/account").text
    assert services.users.access_log() == []
