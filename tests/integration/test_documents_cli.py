"""The command line's letters and evidence: produce, attach, list, export, and verification
naming the school, entry and file when a kept file is altered."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.sign_off import approved

URN = 100300
BY = "Priya Shah"


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'scc.sqlite3'}"


@pytest.fixture
def env(database_url, tmp_path) -> dict[str, str | None]:
    return {"SCC_DATABASE_URL": database_url, "SCC_CATEGORY_SCHEME": "peterborough",
            "SCC_TERM_DATES": None, "SCC_DATA_DIR": str(tmp_path / "data"),
            "SCC_DOCUMENT_STORE": None, "SCC_LETTER_SIGNING_KEY": None,
            "SCC_LETTER_SIGNING_CERTIFICATE": None, "SCC_ATTACHMENT_MAX_MB": None}


@pytest.fixture
def notice_entry(case_files) -> int:
    case_files.register_school(
        by=BY, effective=date(2024, 9, 2), urn=URN, name="Fen Drove Primary", phase="Primary",
        establishment_type="Community school", la_code="999", governance="maintained")
    approved(case_files, "issue_warning_notice", URN, by=BY, effective=date(2026, 11, 16),
             grounds=["a"], matters="Attendance fell to 88%", required_actions="A plan",
             minded_action="An IEB", compliance_period=15)
    return next(e["version"] for e in case_files.history(URN)
                if e["event"] == "WarningNoticeIssued")


def scc(env, *args: str):
    from cli.main import scc as command

    return CliRunner().invoke(command, list(args), env=env)


def test_a_letter_produced_attached_and_exported_from_the_command_line(env, notice_entry,
                                                                        tmp_path):
    listed = scc(env, "letter", "--list", str(URN))
    assert f"warning-notice-s60: Warning notice (s60): from entry {notice_entry}" in listed.output

    produced = scc(env, "letter", str(URN), "warning-notice-s60", "--from", str(notice_entry),
                   "--by", BY, "--out", str(tmp_path / "notice.pdf"))

    assert produced.exit_code == 0, produced.output
    written = (tmp_path / "notice.pdf").read_bytes()
    assert f"SHA-256 {hashlib.sha256(written).hexdigest()}" in produced.output
    minutes = tmp_path / "minutes.pdf"
    minutes.write_bytes(b"%PDF-1.4\n% governors' minutes\ntrailer<<>>\n%%EOF\n")
    attached = scc(env, "attach", str(URN), str(minutes), "--description", "Minutes",
                   "--to-entry", str(notice_entry), "--by", BY)
    assert attached.exit_code == 0, attached.output
    assert "as evidence E1" in attached.output
    listing = scc(env, "documents", str(URN), "--format", "json")
    assert [d["document_id"] for d in json.loads(listing.output)] == ["L1", "E1"]

    exported = scc(env, "export", str(URN), "--out", str(tmp_path / "case.zip"))

    assert exported.exit_code == 0, exported.output
    with zipfile.ZipFile(tmp_path / "case.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert {f["path"].split("/")[0] for f in manifest["files"]} == {
            "history.json", "history.csv", "documents"}
        for file in manifest["files"]:
            assert hashlib.sha256(archive.read(file["path"])).hexdigest() == file["sha256"]


def test_refusals_say_what_is_wrong_and_record_nothing(env, notice_entry, case_files, tmp_path):
    before = case_files.version(URN)
    disguised = tmp_path / "report.pdf"
    disguised.write_bytes(b"\x7fELF" + b"\0" * 100)

    no_step = scc(env, "letter", str(URN), "notice-of-intervention", "--from",
                  str(notice_entry), "--by", BY)
    program = scc(env, "attach", str(URN), str(disguised), "--description", "Report",
                  "--by", BY)

    assert no_step.exit_code == 2
    assert "records no notice of intervention" in no_step.output
    assert "Rule letter-from-the-record" in no_step.output
    assert program.exit_code == 2
    assert "report.pdf" in program.output and "Traceback" not in program.output
    assert case_files.version(URN) == before
    assert not any((tmp_path / "documents").glob("sealed/*/*"))


def test_verify_names_the_school_entry_and_file_of_an_altered_kept_file(env, notice_entry,
                                                                        case_files, tmp_path):
    scc(env, "letter", str(URN), "warning-notice-s60", "--from", str(notice_entry), "--by", BY)
    letter_entry = case_files.version(URN)
    assert "1 kept file," in scc(env, "verify").output
    [kept] = (tmp_path / "documents").glob("sealed/*/*")
    kept.chmod(0o644)
    kept.write_bytes(kept.read_bytes()[:-10])

    verified = scc(env, "verify")

    assert verified.exit_code == 1
    [line] = [line for line in verified.output.splitlines() if "altered" in line]
    assert line.startswith(f"URN {URN}, entry {letter_entry}: its file "
                           f"warning-notice-s60-{URN}-")
    assert "was altered after it was kept" in line
    assert Path(kept).exists()
