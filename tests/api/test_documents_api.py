"""Letters and evidence through the API: a letter produced from the record, listed and
downloaded with its hash; evidence and the version sent attached as multipart/form-data; what
is refused, too large or forbidden records nothing; every download is in the access log."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest

from domain.case_file import case_file_id
from domain.personal_data import Erasure
from tests.api.conftest import SCHOOLS, USERS
from tests.api.test_problems import problem

URN = SCHOOLS[1]  # a warning notice WN1 (s60) issued by the LA
SCHOOL = f"/api/v1/schools/{URN}"
LIMIT = 100_000
"""The largest file the tests' LA keeps, small so that a body over it is quick to send."""


@pytest.fixture
def api(local):
    local.services.documents.max_bytes = LIMIT
    return local


def a_pdf(words: str) -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% " + words.encode()
            + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def version(api) -> int:
    return api.services.case_files.version(URN)


def notice_entry(client, api) -> int:
    """The entry a warning notice letter can be produced from, as the API offers it."""
    choices = client.get(f"{SCHOOL}/letters", headers=api.headers("caseworker"))
    assert choices.status_code == 200, choices.json
    (letter,) = [c for c in choices.json["letters"] if c["kind"] == "warning-notice-s60"]
    (source,) = letter["sources"]
    assert "WN1" in source["summary"] or "arning notice" in source["summary"]
    return source["version"]


def attach(client, api, content: bytes, name: str, role: str = "caseworker", **fields):
    return client.post(f"{SCHOOL}/attachments", headers=api.headers(role), data={
        "file": (io.BytesIO(content), name), "description": "Governors' minutes", **fields})


def test_a_warning_notice_letter_is_produced_listed_and_downloaded_with_its_hash(client, api):
    rests_on = notice_entry(client, api)
    before = version(api)

    made = client.post(f"{SCHOOL}/letters", json={"kind": "warning-notice-s60",
                                                  "rests_on": rests_on},
                       headers=api.headers("caseworker", **{"If-Match": f'"{before}"'}))

    assert made.status_code == 201, made.json
    letter = made.json
    assert (letter["id"], letter["kind"], letter["letter_kind"]) == (
        "L1", "letter", "warning-notice-s60")
    assert (letter["rests_on"], letter["recorded_in"], letter["version"]) == (
        rests_on, before + 1, before + 1)
    assert made.headers["ETag"] == f'"{before + 1}"'
    assert made.headers["Location"] == f"{SCHOOL}/documents/L1/content"
    assert letter["media_type"] == "application/pdf" and letter["sent"] is None
    assert letter["template"] == "warning-notice-s60.html"
    # Check the list says what the command answered
    listed = client.get(f"{SCHOOL}/documents", headers=api.headers("auditor"))
    assert listed.status_code == 200
    assert [(d["id"], d["sha256"], d["size"]) for d in listed.json["items"]] == [
        ("L1", letter["sha256"], letter["size"])]

    # Check the download is the file the entry names, by its hash, and is in the access log
    got = client.get(letter["links"]["content"], headers=api.headers("auditor"))

    assert got.status_code == 200
    assert got.content_type == "application/pdf"
    assert got.data.startswith(b"%PDF") and len(got.data) == letter["size"]
    assert hashlib.sha256(got.data).hexdigest() == letter["sha256"]
    digest = base64.b64encode(hashlib.sha256(got.data).digest()).decode()
    assert got.headers["Repr-Digest"] == f"sha-256=:{digest}:"
    assert got.headers["ETag"] == f'"{letter["sha256"]}"'
    assert got.headers["Content-Length"] == str(letter["size"])
    assert got.headers["Content-Disposition"].startswith(
        f'attachment; filename="{letter["file_name"]}"')
    views = [(a["email"], a["view"]) for a in api.services.users.access_log(urn=URN)]
    assert (USERS["auditor"][0], f"api download L1 {letter['file_name']}"[:40]) in views
    unchanged = client.get(letter["links"]["content"], headers=api.headers(
        "auditor", **{"If-None-Match": got.headers["ETag"]}))
    assert unchanged.status_code == 304 and unchanged.data == b""


def test_a_letter_for_a_step_not_recorded_is_refused_naming_the_rule(client, api):
    rests_on = notice_entry(client, api)
    before = version(api)

    body = problem(client.post(f"{SCHOOL}/letters", headers=api.headers("caseworker"), json={
        "kind": "notice-of-intervention", "rests_on": rests_on}), 422, "refused")

    assert body["rule"] == "letter-from-the-record"
    assert "records no notice of intervention" in body["detail"]
    wrong = problem(client.post(f"{SCHOOL}/letters", headers=api.headers("caseworker"), json={
        "kind": "warning-notice-s60", "rests_on": 1}), 422, "refused")
    assert [(e["location"], e["field"]) for e in wrong["errors"]] == [("body", "rests_on")]
    assert f"produced from entry {rests_on}" in wrong["detail"]
    assert version(api) == before
    assert client.get(f"{SCHOOL}/documents", headers=api.headers("caseworker")).json[
        "items"] == []


def test_evidence_is_attached_listed_and_read_back(client, api):
    content = a_pdf("the governors' minutes of 3 November")

    made = attach(client, api, content, "minutes.pdf", to_entry="2")

    assert made.status_code == 201, made.json
    assert (made.json["id"], made.json["kind"], made.json["to_entry"]) == ("E1", "evidence", 2)
    assert made.json["title"] == "Governors' minutes"
    assert made.json["sha256"] == hashlib.sha256(content).hexdigest()
    listed = client.get(f"{SCHOOL}/documents", headers=api.headers("head")).json["items"]
    assert [(d["id"], d["file_name"], d["media_type"]) for d in listed] == [
        ("E1", "minutes.pdf", "application/pdf")]
    got = client.get(made.headers["Location"], headers=api.headers("head"))
    assert got.data == content


@pytest.mark.parametrize("disguised", [b"\x7fELF\x02\x01\x01" + b"\x00" * 200,
                                       b"MZ\x90\x00" + b"\x00" * 200])
def test_a_program_named_as_a_pdf_is_refused_on_the_file_and_nothing_is_recorded(
        client, api, disguised):
    before = version(api)

    body = problem(attach(client, api, disguised, "minutes.pdf"), 422, "refused")

    assert [(e["location"], e["field"]) for e in body["errors"]] == [("body", "file")]
    assert "minutes.pdf" in body["detail"]
    assert version(api) == before
    assert client.get(f"{SCHOOL}/documents", headers=api.headers("head")).json["items"] == []


def test_a_file_over_the_limit_is_refused_and_a_body_far_over_it_is_413(client, api):
    before = version(api)

    over = problem(attach(client, api, a_pdf("x" * LIMIT), "big.pdf"), 422, "refused")
    assert "the largest file scc keeps is 0.1 MB" in over["detail"]
    assert over["rule"] == "evidence-files"
    far_over = problem(attach(client, api, a_pdf("x" * 250_000), "big.pdf"), 413, "too-large")

    assert far_over["detail"].startswith("The file must be no larger than ")
    assert [e["field"] for e in far_over["errors"]] == ["file"]
    # Check a body sent in chunks, its length not said before, is stopped as it is read
    # (a field, not a file: werkzeug leaves a file it stops reading for the collector to close)
    form = (b'--B\r\nContent-Disposition: form-data; name="description"\r\n\r\n'
            + b"x" * 250_000 + b"\r\n--B--\r\n")
    chunked = client.post(f"{SCHOOL}/attachments", input_stream=io.BytesIO(form),
                          environ_overrides={"wsgi.input_terminated": True},
                          headers=api.headers("caseworker", **{
                              "Transfer-Encoding": "chunked",
                              "Content-Type": "multipart/form-data; boundary=B"}))
    assert problem(chunked, 413, "too-large")["detail"] == (
        "The file must be no larger than 100 KB")
    assert version(api) == before


def test_a_body_without_a_file_names_the_fields_at_fault(client, api):
    body = problem(client.post(f"{SCHOOL}/attachments", headers=api.headers("caseworker"),
                               data={"file": "not a file", "colour": "blue"}),
                   422, "invalid-request")

    assert {(e["location"], e["field"]) for e in body["errors"]} == {
        ("body", "file"), ("body", "description"), ("body", "colour")}


def test_an_auditor_lists_and_downloads_but_produces_and_attaches_nothing(client, api):
    made = attach(client, api, a_pdf("minutes"), "minutes.pdf")
    assert made.status_code == 201
    before = version(api)
    auditor = api.headers("auditor")

    assert client.get(f"{SCHOOL}/documents", headers=auditor).status_code == 200
    assert client.get(f"{SCHOOL}/documents/E1/content", headers=auditor).status_code == 200
    problem(client.post(f"{SCHOOL}/letters", headers=auditor, json={
        "kind": "warning-notice-s60", "rests_on": 4}), 403, "forbidden")
    problem(attach(client, api, a_pdf("more"), "more.pdf", role="auditor"), 403, "forbidden")
    problem(client.post(f"{SCHOOL}/documents/E1/sent", headers=auditor, data={
        "file": (io.BytesIO(a_pdf("sent")), "sent.pdf")}), 403, "forbidden")
    problem(client.get(f"{SCHOOL}/documents", headers=api.headers("admin")), 403, "forbidden")
    assert version(api) == before


def test_the_letter_as_sent_is_attached_once_and_downloaded(client, api):
    rests_on = notice_entry(client, api)
    letter = client.post(f"{SCHOOL}/letters", headers=api.headers("caseworker"), json={
        "kind": "warning-notice-s60", "rests_on": rests_on, "format": "docx"}).json
    assert letter["file_name"].endswith(".docx")
    signed = a_pdf("signed by the Director of Children's Services")

    sent = client.post(f"{SCHOOL}/documents/L1/sent", headers=api.headers("caseworker"), data={
        "file": (io.BytesIO(signed), "notice-signed.pdf"), "note": "Signed in ink"})

    assert sent.status_code == 201, sent.json
    assert sent.headers["Location"] == f"{SCHOOL}/documents/L1/sent/content"
    assert sent.json["sha256"] == letter["sha256"]  # the letter as produced stays
    assert sent.json["sent"] == {"file_name": "notice-signed.pdf",
                                 "media_type": "application/pdf", "size": len(signed),
                                 "sha256": hashlib.sha256(signed).hexdigest(),
                                 "recorded_in": sent.json["version"]}
    got = client.get(sent.headers["Location"], headers=api.headers("auditor"))
    assert got.data == signed
    assert got.headers["ETag"] == f'"{hashlib.sha256(signed).hexdigest()}"'
    views = [a["view"] for a in api.services.users.access_log(urn=URN)]
    assert "api download L1 as sent notice-signed.pdf"[:40] in views  # the column's width
    # Check a second version as sent is refused by its rule, and evidence has none
    again = problem(client.post(f"{SCHOOL}/documents/L1/sent", headers=api.headers("head"),
                                data={"file": (io.BytesIO(a_pdf("other")), "other.pdf")}),
                    422, "refused")
    assert again["rule"] == "sent-as-kept"
    attach(client, api, a_pdf("minutes"), "minutes.pdf")
    problem(client.post(f"{SCHOOL}/documents/E1/sent", headers=api.headers("head"),
                        data={"file": (io.BytesIO(a_pdf("x")), "x.pdf")}), 404, "not-found")


def test_no_such_document_is_404_and_a_file_gone_from_the_store_is_409(client, api):
    head = api.headers("head")
    made = attach(client, api, a_pdf("minutes"), "minutes.pdf").json

    problem(client.get(f"{SCHOOL}/documents/E9/content", headers=head), 404, "not-found")
    problem(client.get(f"{SCHOOL}/documents/E1/sent/content", headers=head), 404, "not-found")
    problem(client.get("/api/v1/schools/999999/documents/E1/content", headers=head),
            404, "not-found")
    documents = api.services.documents
    [key] = documents.store.sealed_under(made["sha256"], [
        k.key_id for k in documents.kept.keys.key_records(case_file=case_file_id(URN))])
    documents.store.forget(made["sha256"], key)
    missing = problem(client.get(f"{SCHOOL}/documents/E1/content", headers=head),
                      409, "file-missing")
    assert "missing from the store" in missing["detail"]


def test_a_file_whose_key_was_destroyed_is_410_file_erased(client, api):
    attach(client, api, a_pdf("minutes"), "minutes.pdf")
    case_files = api.services.case_files
    erasure = Erasure("retention rule closed-school", case_files.clock.today())
    case_files.erase_personal_data(
        URN, by="Dee Protection", rule=erasure.rule, destruction="D1",
        keys=[k.key_id for k in case_files.keyring.store.key_records(
            case_file=case_file_id(URN))], what="everything", erasure=erasure)

    erased = problem(client.get(f"{SCHOOL}/documents/E1/content",
                                headers=api.headers("head")), 410, "file-erased")

    assert erased["detail"] == (
        f"The file of E1 was erased under retention rule closed-school on "
        f"{erasure.on.isoformat()}: the key it was sealed under was destroyed. Its entry and "
        "its SHA-256 stay on the record.")


def test_the_openapi_document_describes_files_in_and_out(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]

    attachments = paths["/api/v1/schools/{urn}/attachments"]["post"]
    form = attachments["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["$ref"].endswith("/AttachEvidence")
    assert {"413", "422", "403"} <= set(attachments["responses"])
    content = paths["/api/v1/schools/{urn}/documents/{document_id}/content"]["get"]
    ok = content["responses"]["200"]
    assert ok["content"]["application/pdf"]["schema"] == {"type": "string",
                                                          "format": "binary"}
    assert {"Repr-Digest", "ETag", "Content-Disposition"} <= set(ok["headers"])
    assert paths["/api/v1/schools/{urn}/letters"]["post"]["x-permission"] == "record"
    assert "/api/v1/schools/{urn}/documents/{document_id}/sent/content" in paths
