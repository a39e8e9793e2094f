"""Subject access (UK GDPR Article 15) on an SQLite file and on PostgreSQL: a governor named
in two schools' case files, and the officer who recorded them, each asked about; the exports
read back, and the refusals that write nothing."""

from __future__ import annotations

import io
import json
import stat
from datetime import date

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from adapters.bootstrap import build_users
from adapters.config import Settings
from adapters.document_store import FolderDocumentStore
from adapters.file_types import identify
from adapters.letters import LetterTemplates
from adapters.printable.subject_access import subject_access_json, subject_access_pdf
from application import recorders
from application.documents import Documents
from application.subject_access import NobodyFound, SeveralPeople, SubjectAccess
from domain.identity import Recorder
from domain.personal_data import Erasure
from tests.sign_off import approved

MARSH, FEN = 990701, 990702
GOVERNOR = "Gina Governor"
ANOTHER_GOVERNOR = "Regina Governor"  # holds "Gina Governor" inside her name
MEMBER = "Bob Other"
OFFICER_EMAIL = "olive.officer@fenmarsh.example"
PASSWORD = "correct horse battery staple"
DPO = Recorder("Dee Protection-Officer")
RETENTION = Erasure("retention-msp-6-years", date(2026, 11, 20))


def a_pdf(words: str) -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% " + words.encode()
            + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def users(database_url, clock):
    users = build_users(Settings(database_url=database_url), clock)
    yield users
    users.close()


@pytest.fixture
def scenario(case_files, users, tmp_path):
    """Two schools. Marsh Lane: an IEB with the governor and another member, a concern
    naming her, evidence attached to that concern and to the inspection. Fen Road: an MSP
    meeting she attended with another governor, minutes naming that other governor, a
    concern naming her (in lower case). The officer records it all through her account and
    views Marsh Lane's case file; the governor's key at Fen Road is then destroyed."""
    users.add(email=OFFICER_EMAIL, name="Olive Officer", role="caseworker", password=PASSWORD)
    users.add(email="casey@fenmarsh.example", name="Casey Worker", role="caseworker",
              password=PASSWORD)
    officer = recorders.account(users.get(OFFICER_EMAIL))
    for urn, name in ((MARSH, "Marsh Lane Primary"), (FEN, "Fen Road Primary")):
        case_files.register_school(
            by=officer, effective=date(2024, 9, 2), urn=urn, name=name, phase="Primary",
            establishment_type="Community school", governance="maintained", la_code="999",
            pupils=200, opened_on=date(1974, 9, 1))

    case_files.record_inspection(MARSH, by=officer, published_on=date(2025, 2, 7),
                                 inspected_on=date(2025, 1, 14), overall=None,
                                 category="special measures")
    application = case_files.draft_ieb_application(
        MARSH, by=officer, effective=date(2025, 3, 3), rationale="Governance has broken down")
    case_files.record_ieb_consultation(MARSH, by=officer, effective=date(2025, 3, 10),
                                       application_id=application,
                                       consultee="governing body", response="Opposed")
    approved(case_files, "submit_ieb_application", MARSH, by=officer,
             effective=date(2025, 3, 20), application_id=application)
    case_files.record_ieb_decision(MARSH, by=officer, effective=date(2025, 4, 1),
                                   application_id=application, consent=True)
    case_files.constitute_ieb(MARSH, by=officer, effective=date(2025, 5, 1),
                              application_id=application, members=[GOVERNOR, MEMBER],
                              instrument_on=date(2025, 4, 29),
                              terms={GOVERNOR: "Two years, chair", MEMBER: "One year"})
    case_files.raise_concern(MARSH, by=officer, effective=date(2025, 6, 2),
                             ground="leadership and governance",
                             description=f"{GOVERNOR} missed three IEB meetings running")
    concern = case_files.history(MARSH)[-1]["version"]
    inspection = next(e["version"] for e in case_files.history(MARSH)
                      if e["event"] == "InspectionRecorded")
    documents = Documents(case_files, FolderDocumentStore(tmp_path / "kept"),
                          identify=identify, letters=LetterTemplates())
    documents.attach_evidence(MARSH, by=officer, stream=io.BytesIO(a_pdf("attendance")),
                              filename="ieb-attendance.pdf", description="IEB attendance",
                              to_entry=concern)
    documents.attach_evidence(MARSH, by=officer, stream=io.BytesIO(a_pdf("report")),
                              filename="ofsted-report.pdf", description="The report",
                              to_entry=inspection)

    case_files.establish_msp_group(FEN, by=officer, effective=date(2025, 5, 5),
                                   members=["LA adviser"], cadence_weeks=4)
    case_files.hold_msp_meeting(FEN, by=officer, effective=date(2025, 6, 2),
                                attendees=[GOVERNOR, ANOTHER_GOVERNOR, MEMBER],
                                minutes=f"{ANOTHER_GOVERNOR} presented the reading plan")
    case_files.raise_concern(FEN, by=officer, effective=date(2025, 6, 9),
                             ground="leadership and governance",
                             description="The LA doubts gina governor's account of the "
                                         "budget")

    users.record_access(email=OFFICER_EMAIL, urn=MARSH, view="case file")
    users.record_access(email="casey@fenmarsh.example", urn=FEN, view="case file")

    keys = case_files.keyring.store
    (governor,) = [p for p in keys.people(GOVERNOR) if p["name"] == GOVERNOR]
    at_fen = [k.key_id for k in keys.key_records(person=governor["person"])
              if case_files.urn_of(k.case_file) == FEN]
    case_files.erase_personal_data(FEN, by=DPO, rule=RETENTION.rule, destruction="D1",
                                   keys=at_fen, what="the name of 1 person", erasure=RETENTION)
    return SubjectAccess(case_files, keys, accounts=users, access_log=users.store)


def mentions(answer) -> set[tuple]:
    return {(m["urn"], m["kind"], m["label"], m["value"] if isinstance(m["value"], str)
             else tuple(m["value"]), m["found"], m["erased"]) for m in answer["mentions"]}


def test_a_governor_named_in_two_schools_is_answered_with_every_mention_and_no_one_elses(
        scenario, clock):
    # Check "Gina Governor" also matches Regina Governor: the answer waits for a choice
    with pytest.raises(SeveralPeople) as several:
        scenario.answer(GOVERNOR, asked_by=DPO)
    assert {p["name"] for p in several.value.people} == {GOVERNOR, ANOTHER_GOVERNOR}
    assert "Say which one with their person id" in str(several.value)
    governor = next(p["person"] for p in several.value.people if p["name"] == GOVERNOR)

    answer = scenario.answer(GOVERNOR, person=governor, asked_by=DPO)

    # Check every mention: named under her keys (the one at Fen Road erased, with its note),
    # and her name in free text, in either case; her line of the IEB's terms, not Bob's
    erased = RETENTION.note
    assert mentions(answer) == {
        (MARSH, "IEBConstituted", "Members", GOVERNOR, "named", None),
        (MARSH, "IEBConstituted", "Terms of appointment", (f"{GOVERNOR}: Two years, chair",),
         "in free text", None),
        (MARSH, "ConcernRaised", "Description", f"{GOVERNOR} missed three IEB meetings running",
         "in free text", None),
        (FEN, "MSPMeetingHeld", "Attended", erased, "named", erased),
        (FEN, "ConcernRaised", "Description",
         "The LA doubts gina governor's account of the budget", "in free text", None),
    }
    assert {m["school"] for m in answer["mentions"]} == {"Marsh Lane Primary",
                                                         "Fen Road Primary"}
    ieb = next(m for m in answer["mentions"] if m["label"] == "Members")
    assert (ieb["entry"], ieb["area"], ieb["effective"]) == (
        "IEB constituted", "Interim executive boards", date(2025, 5, 1))

    # Check the kept file attached to the concern naming her is listed; the Ofsted report not
    assert [(f["urn"], f["file_name"], f["version"]) for f in answer["kept_files"]] == [
        (MARSH, "ieb-attendance.pdf", "evidence")]
    assert len(answer["kept_files"][0]["sha256"]) == 64
    assert answer["accounts"] == [] and answer["accesses"] == []

    # Check the header: who asked, when, the query and the counts
    header = answer["header"]
    assert header["asked_by"]["name"] == DPO.name
    assert header["asked_at"].date() == clock.today()
    assert (header["query"], header["person"]) == (GOVERNOR, governor)
    assert header["counts"] == {"mentions": 5, "named": 2, "in_free_text": 3, "erased": 1,
                                "schools": 2, "kept_files": 1, "accounts": 0, "accesses": 0}

    # Check the JSON says the same, and names nobody else (Bob, Regina, the officer)
    exported = subject_access_json(answer).decode()
    assert json.loads(exported)["header"]["counts"]["mentions"] == 5
    assert len(json.loads(exported)["mentions"]) == 5
    for someone_else in (MEMBER, ANOTHER_GOVERNOR, "Olive", OFFICER_EMAIL):
        assert someone_else not in exported

    # Check the PDF, read back, is headed for review and holds her mentions, school by school
    text = " ".join(page.extract_text() for page in PdfReader(
        io.BytesIO(subject_access_pdf(answer))).pages)
    text = " ".join(text.split())
    assert text.startswith("For review before disclosure")
    assert "Subject access: Gina Governor" in text
    assert text.index("Marsh Lane Primary (URN 990701)") < text.index(
        "Fen Road Primary (URN 990702)")
    assert "Entry 8: IEB constituted" in text
    assert f"{GOVERNOR} missed three IEB meetings running" in text
    assert erased in text and "ieb-attendance.pdf" in text
    for someone_else in (MEMBER, ANOTHER_GOVERNOR, "Olive"):
        assert someone_else not in text


def test_the_officer_who_recorded_the_entries_is_found_by_email_with_account_and_views(
        scenario, case_files):
    (answer,) = scenario.find(OFFICER_EMAIL)

    # Check she is found by the email her account recorded on her entries
    assert answer["person"]["name"] == "Olive Officer"
    assert OFFICER_EMAIL in answer["person"]["contacts"]

    # Check every entry she recorded is listed, by name and by account, in both schools
    recorded = {(urn, e["version"]) for urn in (MARSH, FEN)
                for e in case_files.history(urn)
                if e["by"] == "Olive Officer"}
    assert {(m["urn"], m["version"]) for m in answer["mentions"]} == recorded
    assert {m["label"] for m in answer["mentions"]} == {
        "Recorded by", "Recorded by (their account or login)"}
    assert {m["value"] for m in answer["mentions"] if m["field"] == "actor"} == {
        f"{OFFICER_EMAIL}, account {answer['accounts'][0]['account_id']}"}

    # Check her account and the case file she viewed; not Casey's view of Fen Road
    assert [(a["email"], a["matched_by"]) for a in answer["accounts"]] == [
        (OFFICER_EMAIL, "their email address")]
    assert [(a["urn"], a["email"], a["view"]) for a in answer["accesses"]] == [
        (MARSH, OFFICER_EMAIL, "case file")]

    # Check recording entries does not make the files on them hers
    assert answer["kept_files"] == []


def test_a_query_matching_nobody_is_refused_in_words(scenario):
    with pytest.raises(NobodyFound, match="Nobody named 'Zed Nobody'"):
        scenario.answer("Zed Nobody", asked_by=DPO)


# The command line -----------------------------------------------------------------------------

@pytest.fixture
def env(database_url, tmp_path) -> dict[str, str | None]:
    return {"SCC_DATABASE_URL": database_url, "SCC_CATEGORY_SCHEME": "peterborough",
            "SCC_TERM_DATES": None, "SCC_DATA_DIR": str(tmp_path / "data"),
            "SCC_READ_MODEL_URL": None, "SCC_KEY_STORE_URL": None}


def scc(env, *args: str):
    from cli.main import scc as command

    return CliRunner().invoke(command, list(args), env=env)


def test_people_find_lists_each_match_with_counts_then_the_mentions(scenario, env):
    found = scc(env, "people", "find", "governor")

    assert found.exit_code == 0, found.output
    lines = found.stdout.splitlines()
    assert lines[0].startswith(f"{GOVERNOR} (person ")
    assert lines[0].endswith("5 mentions in 2 case files (2 named, 3 in free text, 1 erased), "
                             "1 kept file, 0 user accounts, 0 access-log lines")
    assert lines[1].startswith(f"{ANOTHER_GOVERNOR} (person ")
    assert "      Members: Gina Governor (named)" in lines
    assert f"      Attended: {RETENTION.note} (named, erased)" in lines
    assert "Reading case files" in found.stderr


def test_people_export_writes_both_files_whole_and_private_or_refuses_writing_nothing(
        scenario, env, tmp_path):
    json_file, pdf_file = tmp_path / "out" / "sar.json", tmp_path / "out" / "sar.pdf"
    json_file.parent.mkdir()

    # Check a query matching nobody, or two people, is refused in words, writing nothing
    nobody = scc(env, "people", "export", "Zed Nobody", "--json", str(json_file),
                 "--pdf", str(pdf_file))
    assert nobody.exit_code == 2
    assert "Error: Nobody named 'Zed Nobody'" in nobody.stderr
    several = scc(env, "people", "export", "governor", "--json", str(json_file),
                  "--pdf", str(pdf_file))
    assert several.exit_code == 2
    assert "2 people match 'governor'" in several.stderr
    assert GOVERNOR in several.stderr and ANOTHER_GOVERNOR in several.stderr
    assert list(json_file.parent.iterdir()) == []

    # Check --person chooses; a PDF that cannot be written leaves the JSON unwritten too
    keys = scenario.keys
    (governor,) = [p["person"] for p in keys.people(GOVERNOR) if p["name"] == GOVERNOR]
    unwritable = scc(env, "people", "export", "governor", "--person", governor,
                     "--json", str(json_file), "--pdf", str(tmp_path / "no-such" / "sar.pdf"))
    assert unwritable.exit_code == 2
    assert f"Error: Nothing was written: {tmp_path / 'no-such' / 'sar.pdf'}: " \
        "No such file or directory" in unwritable.stderr
    assert list(json_file.parent.iterdir()) == []

    # Check both files are written, readable by their owner alone
    written = scc(env, "people", "export", "governor", "--person", governor,
                  "--json", str(json_file), "--pdf", str(pdf_file))
    assert written.exit_code == 0, written.output
    assert sorted(p.name for p in json_file.parent.iterdir()) == ["sar.json", "sar.pdf"]
    for path in (json_file, pdf_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(json_file.read_text(encoding="utf-8"))
    assert document["header"]["query"] == "governor"
    assert document["header"]["asked_by"]["identity"].startswith("scc people export, run by ")
    assert document["header"]["counts"]["mentions"] == 5
    assert {m["value"] for m in document["mentions"] if m["found"] == "named"} == {
        GOVERNOR, RETENTION.note}
    text = " ".join(PdfReader(io.BytesIO(pdf_file.read_bytes())).pages[0].extract_text().split())
    assert "For review before disclosure" in text and GOVERNOR in text
