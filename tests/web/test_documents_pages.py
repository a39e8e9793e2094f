"""The letters and evidence pages' server side: which letters are offered, a refusal in the
error summary, downloads as attachments that are logged, who may record, and forms too large.

On the demo LA, Moorhythe Primary School's case file records a letter of concern (entry 12)
and no warning notice."""

from __future__ import annotations

import dataclasses
import hashlib
import html as html_text
import re
import uuid

import pytest

from tests.web.conftest import csrf_token

MOORHYTHE = 990027
LETTER_OF_CONCERN_ENTRY = 12
LIMIT = 3_000_000
"""The largest file these tests' server keeps: above the app's own 2 MiB form limit, so a file
between the two must still reach scc's own check."""


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, attachment_max_bytes=LIMIT)


def pdf(size: int) -> bytes:
    return b"%PDF-1.7\n" + b"0" * (size - 16) + b"\n%%EOF\n"


def multipart(fields: dict[str, str], file: tuple[str, bytes]) -> dict:
    """A form with a file, as a browser sends it: the body is built here, in memory, so that
    a form refused before it is read leaves no temporary file of the test client's open."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    name, content = file
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                 + content + b"\r\n")
    return {"data": b"".join(parts) + f"--{boundary}--\r\n".encode(),
            "content_type": f"multipart/form-data; boundary={boundary}"}


def upload(client, form_url: str, fields: dict[str, str], file: tuple[str, bytes]):
    token = csrf_token(client.get(form_url).text)
    return client.post(form_url, **multipart({"csrf_token": token, **fields}, file))


def error_summary(html: str) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert match, "the page has no error summary"
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", match.group(0))).split())


def produce_letter_of_concern(actions) -> None:
    response = actions.submit(f"/schools/{MOORHYTHE}/letters", {
        "kind": "letter-of-concern", "rests_on": str(LETTER_OF_CONCERN_ENTRY), "format": "pdf"})
    assert response.status_code == 303, response.text
    assert response.headers["Location"].endswith(f"/schools/{MOORHYTHE}#documents")


def test_only_letters_whose_step_is_recorded_are_offered(actions, client):
    actions.sign_in("caseworker")
    page = client.get(f"/schools/{MOORHYTHE}/letters").text

    forms = re.findall(r'<input type="hidden" name="kind" value="([^"]+)">', page)
    assert set(forms) == {"letter-of-concern"}
    assert f'name="rests_on" value="{LETTER_OF_CONCERN_ENTRY}"' in page
    notice = page.split('id="letter-warning-notice-s60"')[1].split("</section>")[0]
    assert "The case file records no step to produce this letter from yet." in notice


def test_a_letter_for_a_step_not_recorded_is_refused_in_the_error_summary(actions, services):
    actions.sign_in("caseworker")
    entries = services.case_files.version(MOORHYTHE)

    response = actions.submit(f"/schools/{MOORHYTHE}/letters", {
        "kind": "warning-notice-s60", "rests_on": str(LETTER_OF_CONCERN_ENTRY),
        "format": "pdf"})

    assert response.status_code == 422
    assert "Moorhythe Primary School's case file records no warning notice (s60) to produce " \
           "a warning notice (s60) from: record the step first" in error_summary(response.text)
    assert response.text.count('<form method="post"') >= 1  # the letters are offered again
    assert services.case_files.version(MOORHYTHE) == entries
    assert services.documents.documents(MOORHYTHE) == []


def test_a_download_is_an_attachment_with_its_hash_and_is_logged(actions, client, services):
    actions.sign_in("caseworker")
    produce_letter_of_concern(actions)

    response = client.get(f"/schools/{MOORHYTHE}/documents/L1")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="letter-of-concern-{MOORHYTHE}-2026-11-23.pdf"')
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-SCC-SHA256"] == hashlib.sha256(response.data).hexdigest()
    assert response.headers["X-SCC-SHA256"] == services.documents.document(
        MOORHYTHE, "L1")["file"]["sha256"]
    # A file opened in the browser's tab could run nothing, even if it held a script
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    [logged] = [a for a in services.users.access_log(urn=MOORHYTHE)
                if a["view"].startswith("download")]
    assert logged["email"] == "casey@fenmarsh.example"
    assert logged["view"].startswith("download L1 letter-of-concern")

    # Check a letter with no version sent has no such download
    assert client.get(f"/schools/{MOORHYTHE}/documents/L1/sent").status_code == 404


def test_an_auditor_may_download_but_not_produce_or_attach(actions, client, app, services):
    actions.sign_in("caseworker")
    produce_letter_of_concern(actions)
    auditor = app.test_client()
    email = "audrey@fenmarsh.example"
    auditor.post("/sign-in", data={"email": email, "password": "correct horse battery staple",
                                   "csrf_token": csrf_token(auditor.get("/sign-in").text)})
    token = csrf_token(auditor.get("/account").text)

    for path in (f"/schools/{MOORHYTHE}/letters", f"/schools/{MOORHYTHE}/evidence",
                 f"/schools/{MOORHYTHE}/letters/L1/sent"):
        assert auditor.get(path).status_code == 403, path
        assert auditor.post(path, data={"csrf_token": token}).status_code == 403, path
    download = auditor.get(f"/schools/{MOORHYTHE}/documents/L1")
    assert download.status_code == 200
    assert any(a["email"] == email and a["view"].startswith("download L1")
               for a in services.users.access_log(urn=MOORHYTHE))


def test_a_file_larger_than_the_apps_form_limit_but_within_the_las_is_kept(actions, client,
                                                                           services):
    actions.sign_in("caseworker")

    response = upload(client, f"/schools/{MOORHYTHE}/evidence",
                      {"description": "The school's scanned action plan"},
                      ("action-plan.pdf", pdf(LIMIT - 100_000)))

    assert response.status_code == 303, error_summary(response.text)
    [kept] = services.documents.documents(MOORHYTHE)
    assert (kept["document_id"], kept["file"]["size"]) == ("E1", LIMIT - 100_000)


def test_a_form_far_over_the_limit_is_refused_on_the_file_field(actions, client, services):
    actions.sign_in("caseworker")
    entries = services.case_files.version(MOORHYTHE)

    response = upload(client, f"/schools/{MOORHYTHE}/evidence", {"description": "Minutes"},
                      ("minutes.pdf", pdf(LIMIT + 2_000_000)))

    assert response.status_code == 413
    message = ("The file must be no larger than 3.0 MB: choose a smaller one, and enter what "
               "it is again")
    assert message in error_summary(response.text)
    assert 'href="#file"' in response.text
    assert re.search(r'id="file-error"[^>]*>\s*<span[^>]*>Error:</span>\s*' + re.escape(message),
                     response.text)
    assert services.case_files.version(MOORHYTHE) == entries


def test_a_sent_version_far_over_the_limit_is_refused_on_the_file_field(actions, client):
    actions.sign_in("caseworker")
    produce_letter_of_concern(actions)

    response = upload(client, f"/schools/{MOORHYTHE}/letters/L1/sent", {"note": "Signed"},
                      ("signed.pdf", pdf(LIMIT + 2_000_000)))

    assert response.status_code == 413
    assert "The file must be no larger than 3.0 MB: choose a smaller one" in error_summary(
        response.text)
    assert "Attach the letter of concern as it was sent" in response.text


def test_a_file_whose_key_was_destroyed_is_gone_in_words_not_an_error(actions, client,
                                                                       services):
    from domain.case_file import case_file_id
    from domain.personal_data import Erasure

    actions.sign_in("caseworker")
    produce_letter_of_concern(actions)
    case_files = services.case_files
    erasure = Erasure("retention rule closed-school (6 years after the school closed)",
                      case_files.clock.today())
    case_files.erase_personal_data(
        MOORHYTHE, by="Dee Protection", rule=erasure.rule, destruction="D1",
        keys=[k.key_id for k in case_files.keyring.store.key_records(
            case_file=case_file_id(MOORHYTHE))], what="everything", erasure=erasure)

    response = client.get(f"/schools/{MOORHYTHE}/documents/L1")

    # Check the page says the file was erased, under which rule and when: 410, not a 500
    assert response.status_code == 410
    assert response.headers["Content-Type"].startswith("text/html")
    text = " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())
    assert "The file was erased" in text
    assert ("The file of L1 was erased under retention rule closed-school (6 years after the "
            "school closed) on 23 November 2026: the key it was sealed under was destroyed, "
            "so nobody can read it any more.") in text
    # Check the auditor's page still finds the record intact, naming the file erased
    actions.sign_in("auditor")
    audit = client.get(f"/audit/schools/{MOORHYTHE}").text
    assert "The record is intact" in audit
    erased = audit.split('id="erased-files"')[1].split("</ul>")[0]
    assert "was erased under retention rule closed-school" in erased
