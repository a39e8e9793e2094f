"""Encryption at rest: with SCC_CIPHER_KEY set, the event log's rows hold no readable text."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from adapters.bootstrap import build_case_files, build_projections
from adapters.config import Settings
from adapters.event_store import (
    CipherKeyMismatch,
    UnusableCipherKey,
    event_store_env,
    new_cipher_key,
)
from application import audit
from cli.main import scc
from domain.case_file import case_file_id
from tests.fakes import FixedClock
from tests.integration import stored_rows

URN = 990201
NAME = "Wickham Fen Primary School"
CONCERN = "Fire doors in the annexe propped open"


def _record(settings: Settings) -> None:
    case_files = build_case_files(settings, FixedClock())
    try:
        case_files.register_school(
            by="Amir Khan", effective=date(2024, 9, 2), urn=URN, name=NAME, phase="Primary",
            establishment_type="Community school", la_code="999", governance="maintained")
        case_files.raise_concern(URN, by="Priya Shah", effective=date(2024, 11, 4),
                                 ground="safeguarding", description=CONCERN)
        case_files.take_snapshot(case_file_id(URN))
    finally:
        case_files.close()


def test_an_encrypted_log_holds_no_readable_text_and_reads_back(database_url):
    settings = Settings(database_url=database_url, cipher_key=new_cipher_key())

    _record(settings)

    # Check the stored entries and snapshots hold neither the school's name nor the concern
    stored = stored_rows.rows(database_url) + stored_rows.rows(database_url, "snapshots")
    assert len(stored) == 3
    for *_, state in stored:
        assert NAME.encode() not in state and CONCERN.encode() not in state
        assert b"Wickham" not in state and b"annexe" not in state
    # Check the app, the chain verification and a rebuild of the read models read them
    case_files = build_case_files(settings, FixedClock())
    try:
        assert case_files.school(URN)["name"] == NAME
        assert [e["summary"] for e in case_files.history(URN)][-1].endswith(CONCERN)
        assert audit.verify(case_files)["ok"]
        projections = build_projections(settings, case_files)
        projections.rebuild(["school_status"])
        assert [s["name"] for s in projections.store.schools()] == [NAME]
        projections.store.close()
    finally:
        case_files.close()


def test_without_a_key_the_entries_are_stored_as_json_their_personal_values_sealed(
        database_url):
    _record(Settings(database_url=database_url))

    states = [state for *_, state in stored_rows.rows(database_url)]
    assert any(b'"ground":"safeguarding"' in state for state in states)  # readable JSON
    assert not any(CONCERN.encode() in state for state in states)  # sealed with its key


def test_a_wrong_or_missing_key_is_refused_in_words_before_anything_is_read(database_url):
    _record(Settings(database_url=database_url, cipher_key=new_cipher_key()))

    with pytest.raises(CipherKeyMismatch, match="SCC_CIPHER_KEY does not open this store"):
        build_case_files(Settings(database_url=database_url, cipher_key=new_cipher_key()))
    with pytest.raises(CipherKeyMismatch, match="encrypted: set SCC_CIPHER_KEY"):
        build_case_files(Settings(database_url=database_url))


def test_a_key_on_a_store_that_is_not_encrypted_is_refused(database_url):
    _record(Settings(database_url=database_url))

    with pytest.raises(CipherKeyMismatch, match="not encrypted, but SCC_CIPHER_KEY is set"):
        build_case_files(Settings(database_url=database_url, cipher_key=new_cipher_key()))


def test_the_command_line_generates_keys_and_names_a_wrong_one_without_a_traceback(tmp_path):
    runner = CliRunner()
    key = runner.invoke(scc, ["keys", "generate"]).stdout.strip()
    other = runner.invoke(scc, ["keys", "generate"]).stdout.strip()
    assert key != other
    env = {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}", "SCC_CIPHER_KEY": key}
    _record(Settings.from_env(env))

    assert runner.invoke(scc, ["schools", "--format", "json"], env=env).exit_code == 0
    wrong = runner.invoke(scc, ["schools"], env={**env, "SCC_CIPHER_KEY": other})
    assert wrong.exit_code == 2
    assert "Error: SCC_CIPHER_KEY does not open this store's entries" in wrong.stderr
    assert "Traceback" not in wrong.output
    bad = runner.invoke(scc, ["schools"], env={**env, "SCC_CIPHER_KEY": "not-a-key"})
    assert bad.exit_code == 2
    assert "16, 24 or 32 bytes in base64" in bad.stderr


def test_a_key_of_the_wrong_size_is_refused(tmp_path):
    with pytest.raises(UnusableCipherKey, match="scc keys generate"):
        event_store_env(f"sqlite:///{tmp_path / 'x.sqlite3'}", "c2hvcnQ=")  # "short"


def test_an_encrypted_snapshot_altered_or_moved_is_not_loaded(database_url):
    settings = Settings(database_url=database_url, cipher_key=new_cipher_key())
    _record(settings)  # a snapshot at entry 2
    case_files = build_case_files(settings, FixedClock())
    try:
        case_files.raise_concern(URN, by="Priya Shah", effective=date(2024, 11, 5),
                                 ground="finance", description="Deficit budget")
        case_files.take_snapshot(case_file_id(URN))  # and at entry 3
    finally:
        case_files.close()
    (first, at_2), (_, at_3) = [(r[0], r[3]) for r in stored_rows.rows(database_url, "snapshots")]

    def loaded() -> tuple[list[str], str | None]:
        reopened = build_case_files(settings, FixedClock())
        try:
            return ([c["description"] for c in reopened.school(URN)["open_concerns"]],
                    reopened.snapshot_mismatch(URN))
        finally:
            reopened.close()

    # Check the snapshot taken at entry 2, put in the place of entry 3's, is set aside
    _replace_snapshot(database_url, first, 3, at_2)
    concerns, mismatch = loaded()
    assert concerns == [CONCERN, "Deficit budget"]
    assert mismatch.startswith("The snapshot taken at entry 3 does not match the record")
    # Check one whose bytes were altered cannot be read, and is set aside too
    _replace_snapshot(database_url, first, 3, at_3[:-1] + bytes([at_3[-1] ^ 1]))
    concerns, mismatch = loaded()
    assert concerns == [CONCERN, "Deficit budget"] and "can no longer be read" in mismatch


def _replace_snapshot(database_url: str, stream_id: str, version: int, state: bytes) -> None:
    sqlite = database_url.startswith("sqlite")
    with stored_rows.database(database_url) as (db, p):
        db.execute(f"UPDATE {stored_rows.table(database_url, 'snapshots')} SET state={p} "
                   f"WHERE originator_id={p} AND originator_version={p}",
                   (state, stream_id.replace("-", "") if sqlite else stream_id, version))
