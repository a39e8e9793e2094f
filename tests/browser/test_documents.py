"""Letters and evidence in a browser: a caseworker produces the warning notice's letter from
the record, downloads it and attaches the copy that was sent; an auditor finds both, with
their hashes, and exports them; files too large or disguised are refused on the file field.

The demo LA is shared by the session, today fixed at Monday 23 November 2026, and the live
server keeps files up to 1 MB (conftest.ATTACHMENT_MAX_BYTES). These tests record only on
Moorhythe and Lyngfield Primary Schools, which no other browser test reads.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile

from playwright.sync_api import Page, expect
from pypdf import PdfReader, PdfWriter

from tests.browser.conftest import ATTACHMENT_MAX_BYTES, screenshot, sign_in
from tests.sign_off import approved

MOORHYTHE = 990027  # the warning notice and its letter
LYNGFIELD = 990028  # the files refused
HASH = re.compile(r"[0-9a-f]{64}")


def as_user(page: Page, role: str) -> None:
    page.context.clear_cookies()
    sign_in(page, role)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def downloaded(page: Page, link) -> tuple[str, bytes]:
    """Clicks a download link: the file's suggested name and its bytes."""
    with page.expect_download() as download:
        link.click()
    return download.value.suggested_filename, download.value.path().read_bytes()


def shown_hashes(locator) -> list[str]:
    return HASH.findall(locator.inner_text())


def signed_copy(letter: bytes) -> bytes:
    """The letter as it went out after the head signed it off: the same pages, other bytes."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(letter)))
    writer.add_metadata({"/Subject": "Signed off by Helen Marsh and posted on 23 November 2026"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_warning_notice_letter_produced_sent_and_audited(page: Page, live_server):
    # A caseworker drafted a warning notice and a head approved it (test_sign_off.py walks
    # that in the browser): it is entry `notice_entry` of Moorhythe's case file.
    case_files = live_server.services.case_files
    if not case_files.state_of(MOORHYTHE).warning_notices:
        approved(case_files, "issue_warning_notice", MOORHYTHE, by="Casey Worker",
                 grounds=["a"], matters="KS2 reading, writing and maths combined 38% in 2026",
                 required_actions="Adopt the LA's reading plan", compliance_period=10,
                 minded_action="Appoint additional governors (s64)")
    notice_entry = case_files.letter_sources(MOORHYTHE, "warning-notice-s60")[0]["version"]
    school = case_files.school(MOORHYTHE)["name"]

    as_user(page, "caseworker")
    page.goto(f"/schools/{MOORHYTHE}")
    expect(page.locator("#documents + p")).to_have_text(
        "No letters produced or files attached yet.")
    page.get_by_role("link", name="Produce a letter from the record").click()

    # Check the page offers the notice's letter from its entry, and none for steps not taken
    expect(page.get_by_role("heading", level=1)).to_have_text("Produce a letter from the record")
    notice_letter = page.locator("#letter-warning-notice-s60")
    expect(notice_letter).to_contain_text(f"From entry {notice_entry} (23 November 2026)")
    expect(page.locator("#letter-notice-of-intervention")).to_contain_text(
        "The case file records no step to produce this letter from yet.")
    screenshot(page, "documents-letters")
    expect(notice_letter.get_by_label("PDF")).to_be_checked()
    notice_letter.get_by_role(
        "button", name=f"Produce this letter for the Warning notice (s60) from entry "
                       f"{notice_entry}").click()

    # Check it is kept on the case file with its hash, and downloads as those very bytes
    expect(page).to_have_url(re.compile(rf"/schools/{MOORHYTHE}#documents$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Letter L1 produced as PDF and kept on the case file")
    letter_row = page.locator("#document-L1")
    expect(letter_row).to_contain_text("L1: Warning notice (s60)")
    [produced_hash] = shown_hashes(letter_row)
    screenshot(page, "documents-case-file-letter")
    name, letter = downloaded(page, letter_row.get_by_role("link", name=re.compile(r"\.pdf$")))
    assert name == f"warning-notice-s60-{MOORHYTHE}-2026-11-23.pdf"
    assert sha256(letter) == produced_hash
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter)).pages)
    assert school in " ".join(text.split()), text[:500]

    # The head signed it off on paper: the copy that was sent is attached beside it
    sent = signed_copy(letter)
    letter_row.get_by_role("link", name="Attach the version sent of letter L1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Attach the warning notice (s60) as it was sent")
    expect(page.locator(".scc-hash")).to_have_text(produced_hash)
    page.get_by_label("The letter as sent").set_input_files(files=[{
        "name": "warning-notice-signed.pdf", "mimeType": "application/pdf", "buffer": sent}])
    page.get_by_label("What changed (optional)").fill("Signed by Helen Marsh before posting")
    screenshot(page, "documents-attach-sent")
    page.get_by_role("button", name="Attach the letter as sent").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The version of letter L1 that was sent is attached")
    expect(letter_row).to_contain_text("As sent: warning-notice-signed.pdf")
    assert shown_hashes(letter_row) == [produced_hash, sha256(sent)]
    expect(letter_row.get_by_role("link", name="Attach the version sent of letter L1")
           ).to_have_count(0)

    # Check the timeline offers each file on the entry that recorded it
    produced_entry = page.locator('.scc-timeline__item[data-event="LetterProduced"]')
    sent_entry = page.locator('.scc-timeline__item[data-event="SentVersionAttached"]')
    expect(produced_entry.get_by_role("link", name=re.compile(
        r"^Download L1: Warning notice \(s60\) \(entry"))).to_have_count(1)
    expect(sent_entry.get_by_role("link", name=re.compile(
        r"^Download L1: Warning notice \(s60\) as sent"))).to_have_count(1)
    _, from_timeline = downloaded(page, sent_entry.get_by_role("link", name=re.compile(
        "^Download L1")))
    assert from_timeline == sent
    screenshot(page, "documents-case-file-sent")

    # An auditor finds both files, with their hashes, and exports them in a zip
    as_user(page, "auditor")
    page.goto(f"/audit/schools/{MOORHYTHE}")
    documents = page.locator("#audit-documents")
    expect(documents).to_contain_text("As sent (entry")
    assert shown_hashes(documents) == [produced_hash, sha256(sent)]
    screenshot(page, "documents-audit")
    _, as_produced = downloaded(page, documents.get_by_role(
        "link", name=f"warning-notice-s60-{MOORHYTHE}-2026-11-23.pdf"))
    _, as_sent = downloaded(page, documents.get_by_role("link", name="warning-notice-signed.pdf"))
    assert (as_produced, as_sent) == (letter, sent)

    name, export = downloaded(page, page.locator("#export-zip"))
    assert name == f"urn-{MOORHYTHE}-case-file.zip"
    with zipfile.ZipFile(io.BytesIO(export)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        files = {f["path"]: f for f in manifest["files"]}
        for path, listed in files.items():
            assert sha256(archive.read(path)) == listed["sha256"], path
    assert manifest["urn"] == MOORHYTHE
    assert {(f["document"], f["version"], f["sha256"]) for f in files.values()
            if "document" in f} == {("L1", "produced", produced_hash),
                                    ("L1", "sent", sha256(sent))}
    assert all(f["matches_record"] for f in files.values() if "document" in f)
    assert {"history.json", "history.csv"} <= set(files)


def test_files_too_large_or_disguised_are_refused_on_the_file_field(page: Page, live_server):
    case_files = live_server.services.case_files
    entries = case_files.version(LYNGFIELD)
    as_user(page, "caseworker")
    page.goto(f"/schools/{LYNGFIELD}")
    page.get_by_role("link", name="Attach evidence", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attach evidence")
    expect(page.get_by_text("no larger than 1.0 MB")).to_be_visible()

    def attach(name: str, content: bytes) -> None:
        page.get_by_label("File", exact=True).set_input_files(files=[{
            "name": name, "mimeType": "application/pdf", "buffer": content}])
        page.get_by_label("What is it?").fill("The governors' minutes of 3 November")
        page.get_by_role("button", name="Attach the file").click()

    def expect_refused(reason: str) -> None:
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text(reason)
        expect(page.locator("#file-error")).to_contain_text(reason)
        summary.get_by_role("link", name=reason).click()
        expect(page.locator("#file")).to_be_focused()

    # A file just over the limit reaches scc's own check, which names its size
    pdf = b"%PDF-1.7\n" + b"0" * ATTACHMENT_MAX_BYTES + b"\n%%EOF\n"
    attach("minutes.pdf", pdf)
    expect_refused("minutes.pdf is 1.0 MB; the largest file scc keeps is 1.0 MB")
    expect(page.get_by_label("What is it?")).to_have_value("The governors' minutes of 3 November")
    screenshot(page, "documents-evidence-over-the-limit")

    # One far over it is refused before it is read: the same page, not a dropped connection
    attach("minutes-scanned.pdf", b"%PDF-1.7\n" + b"0" * 5 * ATTACHMENT_MAX_BYTES)
    expect_refused("The file must be no larger than 1.0 MB: choose a smaller one, and enter what "
                   "it is again")
    screenshot(page, "documents-evidence-far-too-large")

    # A program, and a web page, each named as a PDF
    attach("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200))
    expect_refused("report.pdf is a program or script, which scc does not keep whatever its "
                   "name")
    attach("report.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
    expect_refused("report.pdf is a web page, SVG image or other markup, which can carry "
                   "scripts: print or save it as a PDF and upload that")
    screenshot(page, "documents-evidence-disguised")

    # Check nothing was added to the case file
    assert case_files.version(LYNGFIELD) == entries
    page.get_by_role("link", name="Back to the case file").click()
    expect(page.locator("#documents + p")).to_have_text(
        "No letters produced or files attached yet.")
