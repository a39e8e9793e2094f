"""The log anchored outside the store (security review §4, finding #3): each way an insider
with write access to the database can alter the record, tried on a real SQLite store against a
signed checkpoint taken before, and found, naming the school and the entry."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.signed_note import Signer
from application import anchor, audit
from application.case_files import SchoolCaseFiles
from domain import chain
from domain.case_file import case_file_id
from tests.fakes import TEST_NOW, FixedClock
from tests.integration.test_audit import (
    HARTLEY,
    MOSS_LANE,
    NORTHGATE,
    _build,
    _database,
    _delete_row,
    _edit_row,
    _renumber_row,
    _replace,
    _rewrite_chain,
    _table,
)

FORGED_URN = 990777


@pytest.fixture
def database_url(tmp_path) -> str:
    """SQLite only here (the rows are moved by their rowid, the log's order); a few of these
    attacks are run on PostgreSQL too, in test_tamper_evidence_postgres."""
    return f"sqlite:///{tmp_path / 'scc.sqlite3'}"


@pytest.fixture
def signer() -> Signer:
    return Signer.generate("scc.fenmarsh.example/case-files")


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "checkpoints"


def anchored(case_files, signer, folder) -> dict[str, int]:
    """The three schools, then a checkpoint signed over them: the state the LA keeps."""
    lengths = _build(case_files)
    taken = anchor.take_checkpoint(case_files, signer, folder)
    assert taken["written"] is not None
    return lengths


def check(case_files, signer, folder, *, leaves: bool = True) -> dict[str, Any]:
    """What scc verify --checkpoint FOLDER checks: every chain and snapshot, then the log
    against every signed checkpoint in the folder."""
    chains = audit.verify(case_files)
    against = anchor.verify_against(
        case_files, anchor.read_checkpoints([folder]), signer.verifier,
        folder / anchor.LEAVES if leaves else None)
    return {"problems": chains["problems"] + against["problems"], "since": against["since"],
            "anchored": against["anchored"]}


def found(result: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [(p["urn"], p["version"]) for p in result["problems"]]


def log_positions(database_url: str) -> list[tuple[int, str, int]]:
    with _database(database_url) as (db, _, _stream):
        return db.execute(f"SELECT rowid, originator_id, originator_version FROM "
                          f"{_table(database_url, 'events')} ORDER BY rowid").fetchall()


def forged(case_files, urn: int, recorded_at: datetime, **changes: Any) -> Any:
    """A copy of the school's last entry, as the next one, re-linked and dated as given."""
    (last,) = case_files.recorder.select_events(case_file_id(urn), desc=True, limit=1)
    event = copy.copy(case_files.mapper.to_domain_event(last))
    event.__dict__.update(originator_version=event.originator_version + 1,
                          timestamp=recorded_at, **changes)
    event.__dict__["link"] = chain.entry_link(event.link, event)
    return case_files.mapper.to_stored_event(event)


# The signed checkpoint itself ---------------------------------------------------------------

def test_an_untouched_log_verifies_against_its_checkpoint(case_files, signer, folder):
    lengths = anchored(case_files, signer, folder)

    result = check(case_files, signer, folder)

    assert result["problems"] == []
    assert result["anchored"] == sum(lengths.values())
    assert result["since"] == {"entries": 0, "schools": {}}


def test_the_checkpoint_is_a_c2sp_signed_note(case_files, signer, folder):
    lengths = anchored(case_files, signer, folder)
    (file,) = folder.glob("*.checkpoint")
    text, signatures = file.read_text(encoding="utf-8").split("\n\n")

    origin, size, root = text.split("\n")
    assert (origin, int(size)) == ("scc.fenmarsh.example/case-files", sum(lengths.values()))
    assert len(__import__("base64").b64decode(root)) == 32
    assert signatures.startswith("\u2014 scc.fenmarsh.example/case-files ")
    assert signer.verifier.verifies(file.read_text(encoding="utf-8"))


def test_entries_appended_since_are_said_to_be_not_vouched_for(case_files, signer, folder):
    anchored(case_files, signer, folder)
    case_files.raise_concern(MOSS_LANE, by="Priya Shah", effective=date(2025, 3, 3),
                             ground="standards", description="Reading")

    result = check(case_files, signer, folder)

    assert result["problems"] == []
    assert result["since"] == {"entries": 1, "schools": {f"URN {MOSS_LANE}": 1}}


def test_a_second_checkpoint_covers_what_was_appended_and_nothing_is_signed_twice(
        case_files, signer, folder):
    anchored(case_files, signer, folder)
    assert anchor.take_checkpoint(case_files, signer, folder)["written"] is None
    case_files.raise_concern(MOSS_LANE, by="Priya Shah", effective=date(2025, 3, 3),
                             ground="standards", description="Reading")

    taken = anchor.take_checkpoint(case_files, signer, folder)

    assert taken["written"] is not None and len(list(folder.glob("*.checkpoint"))) == 2
    assert check(case_files, signer, folder)["since"]["entries"] == 0


# The attacks (security review §4.1), each against a checkpoint taken before it --------------

def test_entries_deleted_from_a_schools_end_are_named(case_files, database_url, signer, folder):
    lengths = anchored(case_files, signer, folder)
    _delete_row(database_url, HARTLEY, lengths[HARTLEY])
    _delete_row(database_url, HARTLEY, lengths[HARTLEY] - 1)

    result = check(case_files, signer, folder)

    assert found(result) == [(HARTLEY, lengths[HARTLEY] - 1)]
    assert "the log no longer holds it as the 6th entry" in result["problems"][0]["problem"]


def test_a_deleted_school_is_named(case_files, database_url, signer, folder):
    anchored(case_files, signer, folder)
    _delete_row(database_url, NORTHGATE, 1)

    result = check(case_files, signer, folder)

    assert found(result) == [(NORTHGATE, 1)]
    assert result["problems"][0]["school"] == f"URN {NORTHGATE}"
    assert (result["anchored"], result["since"]) == (0, None)  # nothing vouched for now


def test_a_whole_chain_rewritten_and_its_snapshots_dropped_is_named_where_it_was_edited(
        case_files, database_url, signer, folder):
    anchored(case_files, signer, folder)
    _rewrite_chain(case_files, database_url, HARTLEY, 3, description="Phonics check at 71%")
    with _database(database_url) as (db, _, _stream):
        db.execute(f"DELETE FROM {_table(database_url, 'snapshots')}")
    assert audit.verify(case_files)["ok"] is True  # the forger's chain holds on its own

    result = check(case_files, signer, folder)

    assert found(result) == [(HARTLEY, 3)]


def test_an_entry_deleted_mid_chain_then_renumbered_is_named_not_the_last(
        case_files, database_url, signer, folder):
    lengths = anchored(case_files, signer, folder)
    _delete_row(database_url, HARTLEY, 3)
    for version in range(4, lengths[HARTLEY] + 1):
        _renumber_row(database_url, HARTLEY, version, version - 1)
    _rewrite_chain(case_files, database_url, HARTLEY, 3)
    assert audit.verify(case_files)["ok"] is True  # renumbered and re-linked: a clean chain

    result = check(case_files, signer, folder)

    assert found(result) == [(HARTLEY, 3)]
    assert "it was deleted, altered, renumbered or moved" in result["problems"][0]["problem"]


def test_a_forged_append_with_a_backdated_time_is_named(case_files, signer, folder):
    lengths = anchored(case_files, signer, folder)
    case_files.recorder.insert_events([
        forged(case_files, HARTLEY, datetime(2024, 3, 1, 9, tzinfo=TEST_NOW.tzinfo),
               by="Helen Marsh, Head of School Improvement")])
    assert audit.verify(case_files)["ok"] is True  # re-linked: its chain holds

    result = check(case_files, signer, folder)

    assert found(result) == [(HARTLEY, lengths[HARTLEY] + 1)]
    assert "recorded at 1 March 2024 09:00" in result["problems"][0]["problem"]


def test_a_forged_school_backdated_is_named_and_a_new_one_is_not_vouched_for(
        case_files, database_url, signer, folder, working_days, scheme):
    from adapters.event_store import event_store_env

    anchored(case_files, signer, folder)
    # Check the insider runs scc's own code on the store, with their clock set back a year
    forger = SchoolCaseFiles(event_store_env(database_url),
                             clock=FixedClock(TEST_NOW - timedelta(days=365)),
                             working_days=working_days, scheme=scheme,
                             keyring=case_files.keyring)
    forger.register_school(by="Amir Khan", effective=date(2024, 9, 2), urn=FORGED_URN,
                           name="Forged School", phase="Primary",
                           establishment_type="Community school", la_code="999",
                           governance="maintained")

    result = check(case_files, signer, folder)

    assert found(result) == [(FORGED_URN, 1)]
    assert result["since"] == {"entries": 1, "schools": {f"URN {FORGED_URN}": 1}}


def test_a_checkpoint_re_signed_with_another_key_is_refused(case_files, database_url, signer,
                                                            folder):
    anchored(case_files, signer, folder)
    _rewrite_chain(case_files, database_url, HARTLEY, 3, description="Phonics check at 71%")
    # Check the forger signs the rewritten log with a key of their own, under the LA's name
    (file,) = folder.glob("*.checkpoint")
    file.unlink()
    (folder / anchor.LEAVES).unlink()
    anchor.take_checkpoint(case_files, Signer.generate(signer.name), folder)

    result = check(case_files, signer, folder)

    assert result["problems"][0]["school"].startswith("The checkpoint ")
    assert "signature does not verify with the public key" in result["problems"][0]["problem"]
    assert result["anchored"] == 0


def test_a_checkpoint_whose_root_was_recomputed_is_refused(case_files, database_url, signer,
                                                           folder):
    import base64

    anchored(case_files, signer, folder)
    _rewrite_chain(case_files, database_url, HARTLEY, 3, description="Phonics check at 71%")
    scan = anchor._Scan(case_files, set(), None, extend=False)
    scan.run(None)
    (file,) = folder.glob("*.checkpoint")
    origin, size, _root = file.read_text(encoding="utf-8").split("\n\n")[0].split("\n")
    signature = file.read_text(encoding="utf-8").split("\n\n")[1]
    file.write_text(f"{origin}\n{size}\n{base64.b64encode(scan.root()).decode()}\n\n{signature}",
                    encoding="utf-8")

    result = check(case_files, signer, folder)

    assert "signature does not verify" in result["problems"][0]["problem"]


def test_swapped_versions_are_named(case_files, database_url, signer, folder):
    anchored(case_files, signer, folder)
    _renumber_row(database_url, HARTLEY, 3, 99)
    _renumber_row(database_url, HARTLEY, 4, 3)
    _renumber_row(database_url, HARTLEY, 99, 4)

    result = check(case_files, signer, folder)

    assert (HARTLEY, 3) in found(result)


def test_an_edited_timestamp_is_named(case_files, database_url, signer, folder):
    anchored(case_files, signer, folder)
    _edit_row(database_url, HARTLEY, 2, _replace("2026-11-23", "2026-11-20"))

    result = check(case_files, signer, folder)

    assert (HARTLEY, 2) in found(result)
    assert all(v == 2 for u, v in found(result) if u == HARTLEY)


def test_an_edited_snapshot_is_named(case_files, database_url, signer, folder):
    _build(case_files)
    case_files.take_snapshot(case_file_id(HARTLEY))
    anchor.take_checkpoint(case_files, signer, folder)
    _edit_row(database_url, HARTLEY, case_files.version(HARTLEY),
              _replace('"ground":"standards"', '"ground":"finance"'), kind="snapshots")

    result = check(case_files, signer, folder)

    assert found(result) == [(HARTLEY, 3)]  # snapshots are a cache: the chain check finds it


def test_the_notification_log_cut_short_is_named_where_it_was_cut(
        case_files, database_url, signer, folder):
    lengths = anchored(case_files, signer, folder)
    positions = log_positions(database_url)
    with _database(database_url) as (db, _, _stream):
        db.execute(f"DELETE FROM {_table(database_url, 'events')} WHERE rowid >= ?",
                   (positions[-2][0],))

    result = check(case_files, signer, folder)

    # the last two entries logged: Hartley's category change, then Moss Lane's concern
    assert found(result) == [(HARTLEY, lengths[HARTLEY])]
    assert "it is missing, with every entry after it" in result["problems"][0]["problem"]


def test_an_entry_inserted_into_the_log_is_found_where_it_went_in(
        case_files, database_url, signer, folder):
    anchored(case_files, signer, folder)
    positions = log_positions(database_url)
    forged_row = forged(case_files, MOSS_LANE, TEST_NOW)
    at = positions[3][0]
    with _database(database_url) as (db, _, stream):
        table = _table(database_url, "events")
        db.execute(f"UPDATE {table} SET rowid = rowid + 1000 WHERE rowid >= ?", (at,))
        db.execute(f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state)"
                   " VALUES (?, ?, ?, ?, ?)",
                   (at, stream(forged_row.originator_id), forged_row.originator_version,
                    forged_row.topic, forged_row.state))

    result = check(case_files, signer, folder)

    # the 4th entry logged was Hartley's second; a forged one now stands in its place
    assert positions[3][1:] == (case_file_id(HARTLEY).hex, 2)
    assert found(result)[0] == (HARTLEY, 2)
    assert "or another entry was inserted before it" in result["problems"][0]["problem"]


def test_entries_reordered_in_the_log_are_found(case_files, database_url, signer, folder):
    anchored(case_files, signer, folder)
    positions = log_positions(database_url)
    (a, *_), (b, *_) = positions[1], positions[2]  # Moss Lane's and Northgate's registrations
    with _database(database_url) as (db, _, _stream):
        table = _table(database_url, "events")
        db.execute(f"UPDATE {table} SET rowid = -1 WHERE rowid = ?", (a,))
        db.execute(f"UPDATE {table} SET rowid = ? WHERE rowid = ?", (a, b))
        db.execute(f"UPDATE {table} SET rowid = ? WHERE rowid = -1", (b,))

    result = check(case_files, signer, folder)

    assert found(result) == [(MOSS_LANE, 1)]


def test_without_the_leaves_file_an_altered_log_is_still_found(
        case_files, database_url, signer, folder):
    anchored(case_files, signer, folder)
    _delete_row(database_url, NORTHGATE, 1)

    result = check(case_files, signer, folder, leaves=False)

    assert result["problems"][0]["school"] == "The log"
    assert "entries were deleted" in result["problems"][0]["problem"]


def test_no_new_checkpoint_is_signed_over_an_altered_log(case_files, database_url, signer,
                                                         folder):
    anchored(case_files, signer, folder)
    _rewrite_chain(case_files, database_url, HARTLEY, 3, description="Phonics check at 71%")

    with pytest.raises(anchor.CheckpointRefused, match=rf"URN {HARTLEY}, entry 3"):
        anchor.take_checkpoint(case_files, signer, folder)

    assert len(list(folder.glob("*.checkpoint"))) == 1
