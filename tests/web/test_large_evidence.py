"""Files of evidence larger than an ordinary form may be: the form carrying one is allowed up
to the LA's attachment limit before anything, CSRF protection included, reads it."""

from __future__ import annotations

import io
from datetime import date

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.web.conftest import csrf_token

URN = 990417
MEGABYTE = 1_000_000


def register_school(case_files) -> None:
    case_files.register_school(
        by="tests", effective=date(2015, 9, 1), urn=URN, name="Reedbed Primary",
        phase="Primary", establishment_type="Community school", governance="maintained",
        la_code="874", pupils=210, opened_on=date(1970, 9, 1))


def a_pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n% "
    return head + b"0" * (size - len(head) - 7) + b"\n%%EOF\n"


def attach(client, content: bytes, name: str, description: str):
    """Posts the evidence form as a browser does, the body built in memory (the test
    client would spool a large one to a temporary file it never closes)."""
    url = f"/schools/{URN}/evidence"
    boundary, body = encode_multipart({
        "csrf_token": csrf_token(client.get(url).text), "description": description,
        "file": FileStorage(io.BytesIO(content), name, content_type="application/pdf")})
    return client.post(url, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_a_file_of_evidence_over_the_forms_own_limit_is_attached(actions, client, services):
    register_school(services.case_files)
    actions.sign_in("caseworker")
    content = a_pdf(3 * MEGABYTE)  # over an ordinary form's 2 MiB, under the 20 MB limit

    answer = attach(client, content, "scanned minutes.pdf", "Scanned governors' minutes")

    assert answer.status_code == 303
    [kept] = services.documents.documents(URN)
    assert (kept["file"]["name"], kept["file"]["size"]) == ("scanned minutes.pdf", len(content))


def test_a_file_over_the_attachment_limit_is_refused_on_its_field(actions, client, services):
    register_school(services.case_files)
    actions.sign_in("caseworker")

    answer = attach(client, a_pdf(22 * MEGABYTE), "whole archive.pdf", "Everything")

    assert answer.status_code == 413
    assert "The file must be no larger than 20.0 MB" in answer.text
    assert services.documents.documents(URN) == []
