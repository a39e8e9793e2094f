"""Letters and evidence kept on a case file, on SQLite and PostgreSQL: what was produced and
sent is on the record with its hash, a refused file leaves nothing behind, and a kept file
altered afterwards is found by verification."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from adapters.document_store import FolderDocumentStore, SQLDocumentStore
from adapters.file_types import identify
from adapters.letters import LetterTemplates
from adapters.read_models import read_model_engine
from application.audit import verify
from application.documents import Documents
from application.kept_files import FileErased
from domain.case_file import case_file_id
from domain.errors import CaseFileError
from domain.personal_data import Erasure
from domain.rules import rule_of
from tests.sign_off import approved

URN = 100200
CASEWORKER = "Priya Shah"
NOTICE_ON = date(2026, 11, 16)


@pytest.fixture(params=["folder", "database"])
def documents(request, case_files, database_url, tmp_path):
    if request.param == "folder":
        store = FolderDocumentStore(tmp_path / "documents")
    else:
        store = SQLDocumentStore(read_model_engine(database_url))
    kept = Documents(case_files, store, identify=identify, letters=LetterTemplates(),
                     max_bytes=1_000_000)
    yield kept
    store.close()


@pytest.fixture
def school(case_files):
    case_files.register_school(
        by=CASEWORKER, effective=date(2024, 9, 2), urn=URN, name="Marsh Lane Primary",
        phase="Primary", establishment_type="Community school", la_code="999",
        governance="maintained")
    approved(case_files, "issue_warning_notice", URN, by=CASEWORKER, effective=NOTICE_ON,
             grounds=["a"], matters="Reading at key stage 2 fell for three years",
             required_actions="An action plan agreed with the LA", minded_action="An IEB",
             compliance_period=15, copies_to=["Ofsted", "Headteacher"])
    return URN


def notice_entry(case_files):
    return next(e["version"] for e in case_files.history(URN)
                if e["event"] == "WarningNoticeIssued")


def kept_count(documents) -> int:
    store = documents.store
    if isinstance(store, FolderDocumentStore):
        return sum(1 for p in store.root.glob("sealed/*/*"))
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM sealed_file_parts").scalar_one()


def stored_bytes(documents) -> bytes:
    """Every byte the store holds of the kept files, as a backup of it would."""
    store = documents.store
    if isinstance(store, FolderDocumentStore):
        return b"".join(p.read_bytes() for p in sorted(store.root.rglob("*")) if p.is_file())
    with store.engine.connect() as conn:
        return b"".join(bytes(c) for c in conn.exec_driver_sql(
            "SELECT content FROM sealed_file_parts").scalars())


def a_pdf(words: str) -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% " + words.encode()
            + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def test_a_warning_notice_letter_is_produced_kept_and_on_the_record(case_files, documents,
                                                                     school):
    version = notice_entry(case_files)

    letter = documents.produce_letter(URN, by=CASEWORKER, kind="warning-notice-s60",
                                      rests_on=version)

    # Check the entry names the kept file by its hash, its template and the entry it rests on
    entry = case_files.history(URN)[-1]
    assert entry["event"] == "LetterProduced"
    kept = documents.document(URN, letter)
    assert (kept["to_entry"], kept["letter_kind"]) == (version, "warning-notice-s60")
    assert kept["template"] == "warning-notice-s60.html" and len(kept["template_version"]) == 64
    file, content = documents.open_document(URN, letter)
    with content:
        pdf = content.read()
    assert hashlib.sha256(pdf).hexdigest() == file.sha256 == entry["details"]["sha256"]
    # Check the letter says what the notice says
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Marsh Lane Primary" in " ".join(text.split())
    assert "Reading at key stage 2 fell for three years" in " ".join(text.split())
    # Check verification reads the kept file back
    assert verify(case_files, urn=URN, documents=documents.store)["files_checked"] == 1


def test_a_letter_for_a_step_not_recorded_is_refused_and_nothing_is_kept(case_files,
                                                                          documents, school):
    with pytest.raises(CaseFileError) as refused:
        documents.produce_letter(URN, by=CASEWORKER, kind="notice-of-intervention",
                                 rests_on=notice_entry(case_files))

    assert "records no notice of intervention" in str(refused.value)
    assert rule_of(refused.value).key == "letter-from-the-record"
    assert kept_count(documents) == 0
    assert case_files.history(URN)[-1]["event"] == "DraftApproved"


def test_evidence_is_attached_to_an_entry_with_its_hash(case_files, documents, school):
    content = a_pdf("the governors' minutes of 3 November")

    evidence = documents.attach_evidence(
        URN, by=CASEWORKER, stream=io.BytesIO(content), filename="C:\\fakepath\\minutes.pdf",
        description="Governors' minutes", to_entry=notice_entry(case_files))

    kept = documents.document(URN, evidence)
    assert kept["file"] == {"sha256": hashlib.sha256(content).hexdigest(),
                            "name": "minutes.pdf", "media_type": "application/pdf",
                            "size": len(content)}
    assert kept["to_entry"] == notice_entry(case_files)


@pytest.mark.parametrize(("name", "content", "says"), [
    ("minutes.pdf", b"MZ\x90\x00" + b"\x00" * 200, "minutes.pdf"),
    ("minutes.pdf", b"<html><script>alert(1)</script></html>", "minutes.pdf"),
    ("big.pdf", b"%PDF-1.4\n" + b"0" * 1_000_001, "the largest file scc keeps is 1.0 MB"),
    ("empty.pdf", b"", "empty.pdf"),
])
def test_a_refused_file_is_refused_in_words_and_leaves_nothing_behind(
        case_files, documents, school, name, content, says):
    before = case_files.version(URN)

    with pytest.raises(CaseFileError) as refused:
        documents.attach_evidence(URN, by=CASEWORKER, stream=io.BytesIO(content),
                                  filename=name, description="Minutes")

    assert says in str(refused.value)
    assert case_files.version(URN) == before
    assert kept_count(documents) == 0


def test_a_file_refused_by_the_case_file_is_taken_out_of_the_store(case_files, documents,
                                                                   school):
    with pytest.raises(CaseFileError, match="There is no entry 99"):
        documents.attach_evidence(URN, by=CASEWORKER, stream=io.BytesIO(a_pdf("x")),
                                  filename="x.pdf", description="Minutes", to_entry=99)

    assert kept_count(documents) == 0


def test_the_letter_as_sent_keeps_both_hashes_once(case_files, documents, school):
    letter = documents.produce_letter(URN, by=CASEWORKER, kind="warning-notice-s60",
                                      rests_on=notice_entry(case_files), fmt="docx")
    produced = documents.document(URN, letter)["file"]["sha256"]
    signed_copy = a_pdf("signed by the Director of Children's Services")

    documents.attach_sent_version(URN, by=CASEWORKER, document_id=letter,
                                  stream=io.BytesIO(signed_copy), filename="notice-signed.pdf")

    entry = case_files.history(URN)[-1]["details"]
    assert entry["produced_sha256"] == produced
    assert entry["sha256"] == hashlib.sha256(signed_copy).hexdigest()
    with pytest.raises(CaseFileError) as again:
        documents.attach_sent_version(URN, by=CASEWORKER, document_id=letter,
                                      stream=io.BytesIO(a_pdf("another")), filename="b.pdf")
    assert rule_of(again.value).key == "sent-as-kept"


def test_a_kept_file_altered_behind_the_apps_back_fails_verification(case_files, tmp_path,
                                                                     school):
    documents = Documents(case_files, FolderDocumentStore(tmp_path / "kept"),
                          identify=identify, letters=LetterTemplates())
    letter = documents.produce_letter(URN, by=CASEWORKER, kind="warning-notice-s60",
                                      rests_on=notice_entry(case_files))
    file = documents.document(URN, letter)["file"]
    [path] = (tmp_path / "kept" / "sealed").glob(f"*/{file['sha256']}")
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"\n% a line added after it was kept\n")

    found = verify(case_files, urn=URN, documents=documents.store)

    assert not found["ok"]
    [problem] = found["problems"]
    assert problem["urn"] == URN
    assert problem["version"] == case_files.version(URN)
    assert problem["problem"].startswith(f"its file {file['name']} was altered")


def test_the_export_holds_the_history_and_every_kept_file_with_their_hashes(
        case_files, documents, school):
    letter = documents.produce_letter(URN, by=CASEWORKER, kind="warning-notice-s60",
                                      rests_on=notice_entry(case_files))
    documents.attach_evidence(URN, by=CASEWORKER, stream=io.BytesIO(a_pdf("minutes")),
                              filename="minutes.pdf", description="Minutes")
    out = io.BytesIO()

    manifest = documents.export(URN, out, history_json='{"history": []}', history_csv="a,b\n")

    with zipfile.ZipFile(out) as archive:
        written = json.loads(archive.read("manifest.json"))
        assert written == manifest
        for entry in written["files"]:
            assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
    paths = [f["path"] for f in written["files"]]
    assert any(p.startswith(f"documents/{letter}-produced-warning-notice-s60-{URN}-")
               and p.endswith(".pdf") for p in paths)
    assert "documents/E1-produced-minutes.pdf" in paths


def test_an_entry_a_letter_rests_on_is_retracted_only_after_the_letter(case_files, documents,
                                                                       school):
    version = notice_entry(case_files)
    documents.produce_letter(URN, by=CASEWORKER, kind="warning-notice-s60", rests_on=version)
    letter_entry = case_files.version(URN)

    with pytest.raises(CaseFileError, match=f"later entries that rest on it .*{letter_entry}"):
        case_files.retract_entry(URN, by=CASEWORKER, version=version, reason="Given in error")


def test_with_the_las_key_configured_letters_are_signed_and_the_record_says_by_whom(
        case_files, school, tmp_path):
    from adapters.bootstrap import build_documents
    from adapters.config import Settings
    from adapters.pdf_signing import signature_summary
    from tests.certificates import SIGNER, make_signing_identity

    key, certificate, root = make_signing_identity(tmp_path)
    settings = Settings.from_env({
        "SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
        "SCC_LETTER_SIGNING_KEY": str(key), "SCC_LETTER_SIGNING_CERTIFICATE": str(certificate)})
    documents = build_documents(settings, case_files)
    letter = documents.produce_letter(URN, by=CASEWORKER, kind="warning-notice-s60",
                                      rests_on=notice_entry(case_files))
    kept = documents.document(URN, letter)
    file, content = documents.open_document(URN, letter)
    with content:
        pdf = content.read()
    documents.close()

    # Check a school or a court can check it without scc: signed by the LA, intact, whole
    summary = signature_summary(pdf, trust_roots=[root])
    assert summary["signed"] and summary["intact"] and summary["covers_whole_file"]
    assert summary["trusted"] and summary["signer"] == SIGNER
    assert kept["signed_by"] == SIGNER
    assert hashlib.sha256(pdf).hexdigest() == file.sha256


def test_a_signing_key_that_cannot_be_used_stops_the_app_starting_with_the_reason(tmp_path,
                                                                                   case_files):
    from adapters.bootstrap import build_documents
    from adapters.config import Settings

    settings = Settings.from_env({
        "SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
        "SCC_LETTER_SIGNING_KEY": str(tmp_path / "missing.pem"),
        "SCC_LETTER_SIGNING_CERTIFICATE": str(tmp_path / "missing-certificate.pem")})

    with pytest.raises(ValueError, match="missing.pem"):
        build_documents(settings, case_files)


def test_the_printable_history_lists_every_kept_file_with_its_hash(case_files, documents,
                                                                   school):
    from datetime import UTC, datetime

    from adapters.printable import render_history

    letter = documents.produce_letter(URN, by=CASEWORKER, kind="warning-notice-s60",
                                      rests_on=notice_entry(case_files))
    file = documents.document(URN, letter)["file"]

    page = render_history(case_files.school(URN), case_files.history(URN),
                          verify(case_files, urn=URN, documents=documents.store),
                          datetime(2026, 12, 7, 12, tzinfo=UTC))

    assert "Kept files: 1" in page
    assert f'<td class="hash">{file["sha256"]}</td>' in page
    assert "read each file back and hashed it" in page


def test_the_letters_offered_say_which_were_produced_already(case_files, documents, school):
    version = notice_entry(case_files)
    letter = documents.produce_letter(URN, by=CASEWORKER, kind="warning-notice-s60",
                                      rests_on=version)

    choices = {c["kind"]: c for c in documents.letter_choices(URN)}

    [source] = choices["warning-notice-s60"]["sources"]
    assert source["version"] == version
    assert [d["document_id"] for d in source["produced"][None]] == [letter]
    assert choices["notice-of-intervention"]["sources"] == []


# Erasure ------------------------------------------------------------------------------------

RULE = "retention rule closed-school (6 years after the school closed)"
MINUTES = "Mrs Philippa Quennell-Adeyemi chaired the governors' meeting of 3 November"


def erase_case_file(case_files, urn: int) -> Erasure:
    """The case file's personal data erased as the retention schedule does it: the erasure
    recorded in the case file, then every key of the case file destroyed."""
    erasure = Erasure(RULE, case_files.clock.today())
    keys = [k.key_id for k in case_files.keyring.store.key_records(case_file=case_file_id(urn))
            if k.erasure is None]
    case_files.erase_personal_data(urn, by="Dee Protection", rule=RULE, destruction="D1",
                                   keys=keys, what="the free text and every name",
                                   erasure=erasure)
    return erasure


def test_erasing_a_case_file_erases_its_kept_files_and_verification_says_so(
        case_files, documents, school):
    letter = documents.produce_letter(URN, by=CASEWORKER, kind="warning-notice-s60",
                                      rests_on=notice_entry(case_files))
    minutes = a_pdf(MINUTES)
    evidence = documents.attach_evidence(URN, by=CASEWORKER, stream=io.BytesIO(minutes),
                                         filename="minutes.pdf", description="Minutes")
    kept = {d["document_id"]: (d["recorded_in"], d["file"]) for d in documents.documents(URN)}
    held = stored_bytes(documents)
    # Check the files were never in the store in plain
    assert b"Quennell-Adeyemi" not in held and minutes not in held

    erasure = erase_case_file(case_files, URN)

    # Check the store still holds what it held (as any backup does), and it reads as erased
    assert stored_bytes(documents) == held
    for document in (letter, evidence):
        with pytest.raises(FileErased) as erased:
            documents.open_document(URN, document)
        assert erased.value.erasure == erasure
    # Check verification passes, naming each file erased, its rule and its day
    found = verify(case_files, urn=URN, documents=documents.store)
    assert found["ok"] and found["problems"] == [] and found["files_checked"] == 2
    assert [(e["version"], e["erased"]) for e in found["erased"]] == [
        (version, f"its file (SHA-256 {file['sha256'][:12]}…) was erased under {RULE} on "
                  f"{erasure.on.isoformat()}")
        for version, file in (kept[letter], kept[evidence])]
    # Check the export says so for each, and holds no copy of either
    out = io.BytesIO()
    manifest = documents.export(URN, out, history_json="{}", history_csv="")
    assert [(f["document"], f["path"], f["erased"]) for f in manifest["files"][2:]] == [
        (letter, None, erasure.note), (evidence, None, erasure.note)]
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["history.json", "history.csv", "manifest.json"]


def test_a_file_altered_still_fails_verification_beside_an_erased_one(
        case_files, documents, school):
    documents.attach_evidence(URN, by=CASEWORKER, stream=io.BytesIO(a_pdf(MINUTES)),
                              filename="minutes.pdf", description="Minutes")
    erase_case_file(case_files, URN)
    # A file kept after the erasure is sealed under the case file's new key
    later = documents.attach_evidence(URN, by=CASEWORKER, stream=io.BytesIO(a_pdf("later")),
                                      filename="later.pdf", description="Later minutes")
    alter_kept_file(documents, documents.document(URN, later)["file"]["sha256"])

    found = verify(case_files, urn=URN, documents=documents.store)

    assert not found["ok"]
    [problem] = found["problems"]
    assert problem["version"] == case_files.version(URN)
    assert problem["problem"] == ("its file later.pdf was altered after it was kept: its "
                                  "sealed content no longer opens under its key")
    assert len(found["erased"]) == 1


def alter_kept_file(documents, sha256: str) -> None:
    """One byte of a kept file's sealed content changed in the store, behind scc's back."""
    store = documents.store
    if isinstance(store, FolderDocumentStore):
        [path] = store.root.glob(f"sealed/*/{sha256}")
        sealed = bytearray(path.read_bytes())
        sealed[-1] ^= 1
        path.chmod(0o644)
        path.write_bytes(bytes(sealed))
        return
    with store.engine.begin() as conn:
        content = conn.exec_driver_sql(
            f"SELECT content FROM sealed_file_parts WHERE sha256 = '{sha256}'").scalar_one()
        changed = bytearray(content)
        changed[-1] ^= 1
        conn.execute(sa.text("UPDATE sealed_file_parts SET content = :c WHERE sha256 = :s"),
                     {"c": bytes(changed), "s": sha256})


def test_the_same_file_in_two_schools_stays_with_the_school_not_erased(
        case_files, documents, school):
    other = 100201
    case_files.register_school(
        by=CASEWORKER, effective=date(2024, 9, 2), urn=other, name="Fen Lane Primary",
        phase="Primary", establishment_type="Community school", la_code="999",
        governance="maintained")
    minutes = a_pdf(MINUTES)  # the federation's minutes, evidence for both schools
    for urn in (URN, other):
        documents.attach_evidence(urn, by=CASEWORKER, stream=io.BytesIO(minutes),
                                  filename="minutes.pdf", description="Federation minutes")

    erase_case_file(case_files, URN)

    with pytest.raises(FileErased):
        documents.open_document(URN, "E1")
    file, content = documents.open_document(other, "E1")
    with content:
        assert content.read() == minutes
    assert verify(case_files, urn=other, documents=documents.store)["erased"] == []
