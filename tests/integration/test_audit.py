"""The auditor's tools on a real store: rows altered behind the application's back are found."""

from __future__ import annotations

import copy
import json
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from adapters.demo import FEATURED_URN
from adapters.key_store import copy_sqlite_store
from adapters.printable import render_history
from application import audit
from domain import chain
from domain.case_file import case_file_id
from domain.errors import CaseFileError
from domain.identity import Recorder
from tests.sign_off import approved

HARTLEY, MOSS_LANE, NORTHGATE = 990101, 990102, 990103


def _build(case_files) -> dict[int, int]:
    """Three schools, one with a longer story; returns each school's number of entries."""
    for urn, name in ((HARTLEY, "Hartley Primary School"), (MOSS_LANE, "Moss Lane Infants"),
                      (NORTHGATE, "Northgate Academy")):
        case_files.register_school(
            by="Amir Khan", effective=date(2024, 9, 2), urn=urn, name=name, phase="Primary",
            establishment_type="Community school", la_code="999",
            governance="academy" if urn == NORTHGATE else "maintained",
        )
    approved(case_files, "change_category", HARTLEY, by="Margaret Fell", effective=date(2024, 10, 1),
             to="3a", reason="Outcomes below national")
    concern = case_files.raise_concern(HARTLEY, by="Priya Shah", effective=date(2024, 11, 4),
                                       ground="standards", description="Phonics check at 41%")
    case_files.communicate_concern(HARTLEY, by="Priya Shah", effective=date(2024, 11, 5),
                                   concern_id=concern, recipient="headteacher")
    approved(case_files, "change_category", HARTLEY, by="Margaret Fell", effective=date(2025, 1, 20),
             to="3b", reason="No improvement by January")
    case_files.raise_concern(MOSS_LANE, by="Priya Shah", effective=date(2025, 2, 3),
                             ground="safeguarding", description="Single central record gaps")
    return {urn: case_files.version(urn) for urn in (HARTLEY, MOSS_LANE, NORTHGATE)}


# Changing the store behind the application's back -------------------------------------------

@contextmanager
def _database(database_url: str) -> Iterator[tuple[Any, str, Callable[[Any], Any]]]:
    """A connection straight to the store, its parameter style and how it names a stream."""
    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        connection = sqlite3.connect(url.path[1:] if url.path.startswith("/") else url.path)
        try:
            yield connection, "?", lambda stream_id: stream_id.hex
            connection.commit()
        finally:
            connection.close()
        return
    import psycopg

    schema = parse_qs(url.query)["schema"][0]
    with psycopg.connect(database_url.split("?")[0], autocommit=True) as connection:
        connection.execute(f"SET search_path TO {schema}")
        yield connection, "%s", lambda stream_id: stream_id


def _table(database_url: str, kind: str) -> str:
    sqlite = database_url.startswith("sqlite")
    return {"events": "stored_events" if sqlite else "schoolcasefiles_events",
            "snapshots": "stored_snapshots" if sqlite else "schoolcasefiles_snapshots"}[kind]


def _edit_row(database_url: str, urn: int, version: int, change: Callable[[bytes], bytes],
              kind: str = "events") -> None:
    table = _table(database_url, kind)
    with _database(database_url) as (db, p, stream):
        where = f"WHERE originator_id={p} AND originator_version={p}"
        key = (stream(case_file_id(urn)), version)
        (state,) = db.execute(f"SELECT state FROM {table} {where}", key).fetchone()
        db.execute(f"UPDATE {table} SET state={p} {where}", (change(bytes(state)), *key))


def _stored_state(database_url: str, urn: int, version: int) -> bytes:
    with _database(database_url) as (db, p, stream):
        (state,) = db.execute(
            f"SELECT state FROM {_table(database_url, 'events')} "
            f"WHERE originator_id={p} AND originator_version={p}",
            (stream(case_file_id(urn)), version)).fetchone()
    return bytes(state)


def _delete_row(database_url: str, urn: int, version: int) -> None:
    with _database(database_url) as (db, p, stream):
        db.execute(f"DELETE FROM {_table(database_url, 'events')} "
                   f"WHERE originator_id={p} AND originator_version={p}",
                   (stream(case_file_id(urn)), version))


def _renumber_row(database_url: str, urn: int, version: int, to: int) -> None:
    with _database(database_url) as (db, p, stream):
        db.execute(f"UPDATE {_table(database_url, 'events')} SET originator_version={p} "
                   f"WHERE originator_id={p} AND originator_version={p}",
                   (to, stream(case_file_id(urn)), version))


def _rewrite_chain(case_files, database_url: str, urn: int, version: int,
                   **changes: Any) -> None:
    """What a careful forger does: edit an entry, then recompute every link after it."""
    rows = case_files.recorder.select_events(case_file_id(urn))
    events = [case_files.mapper.to_domain_event(row) for row in rows]
    previous = chain.GENESIS
    with _database(database_url) as (db, p, stream):
        for event in events:
            if event.originator_version >= version:
                event = copy.copy(event)
                if event.originator_version == version:
                    event.__dict__.update(changes)
                event.__dict__["link"] = chain.entry_link(previous, event)
                db.execute(
                    f"UPDATE {_table(database_url, 'events')} SET state={p} "
                    f"WHERE originator_id={p} AND originator_version={p}",
                    (case_files.mapper.to_stored_event(event).state,
                     stream(case_file_id(urn)), event.originator_version),
                )
            previous = event.link


def _replace(old: str, new: str) -> Callable[[bytes], bytes]:
    def change(state: bytes) -> bytes:
        assert old.encode() in state
        return state.replace(old.encode(), new.encode())
    return change


def _found(result: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [(p["urn"], p["version"]) for p in result["problems"]]


# The store's own chains ------------------------------------------------------------------------

def test_an_untouched_store_verifies_clean(case_files):
    lengths = _build(case_files)

    result = audit.verify(case_files)

    assert result["ok"] is True and result["problems"] == []
    assert result["schools_checked"] == 3
    assert result["entries_checked"] == sum(lengths.values())
    assert result["verified_at"].date() == date(2026, 11, 23)


def test_an_entry_edited_in_the_store_is_reported_at_its_version(case_files, database_url):
    _build(case_files)
    # Check the concern raised at entry 3 had its ground changed in the table itself (its
    # wording is sealed: see test_a_sealed_value_swapped_or_edited_is_reported)
    _edit_row(database_url, HARTLEY, 3, _replace('"ground":"standards"', '"ground":"finance"'))

    result = audit.verify(case_files)

    assert result["ok"] is False
    assert result["problems"] == [{
        "urn": HARTLEY, "school": f"URN {HARTLEY}", "version": 3,
        "problem": "its content was altered after it was recorded",
    }]
    # Check one school can be verified on its own
    assert _found(audit.verify(case_files, urn=HARTLEY)) == [(HARTLEY, 3)]
    assert audit.verify(case_files, urn=MOSS_LANE)["ok"] is True


def test_who_recorded_an_entry_is_inside_its_hashed_content(case_files, database_url):
    # Security review #4: the account (and token) an entry was recorded by cannot be changed
    # to another's, nor taken out, without verify naming the entry
    _build(case_files)
    recorder = Recorder.account("Priya Shah", account_id="0b0e5c4e-1111-4c1c-9f5e-000000000001",
                                email="priya@la.example", token_id=7)
    case_files.record_visit(HARTLEY, by=recorder, effective=date(2025, 3, 3), kind="monitoring",
                            notes="Phonics lessons seen")
    version = case_files.version(HARTLEY)
    assert case_files.history(HARTLEY)[-1]["actor"] == recorder.identity
    assert audit.verify(case_files)["ok"] is True

    stored = _stored_state(database_url, HARTLEY, version)
    assert b"priya@la.example" not in stored  # sealed with the recorder's key
    commitment = json.loads(stored)["actor"]["_data_"][1]
    for old, new in ((commitment, "0" * 64), ('"actor":{', '"actor_was":{')):
        _edit_row(database_url, HARTLEY, version, _replace(old, new))
        assert _found(audit.verify(case_files)) == [(HARTLEY, version)], new
        _edit_row(database_url, HARTLEY, version, _replace(new, old))
        assert audit.verify(case_files)["ok"] is True


def test_a_sealed_value_swapped_or_edited_is_reported(case_files, database_url):
    # An insider with the key store can seal any words under a person's key: the commitment
    # the entry's link covers is what stops them being passed off as the record
    _build(case_files)
    moss = json.loads(_stored_state(database_url, MOSS_LANE, 2))["description"]
    hartley = json.loads(_stored_state(database_url, HARTLEY, 3))["description"]
    assert moss["_data_"][0] != hartley["_data_"][0]  # each case file's text has its own key

    # Check a sealed description swapped in whole from another entry is named
    _edit_row(database_url, HARTLEY, 3, lambda state: state.replace(
        json.dumps(hartley, separators=(",", ":")).encode(),
        json.dumps(moss, separators=(",", ":")).encode()))
    assert _found(audit.verify(case_files)) == [(HARTLEY, 3)]
    _edit_row(database_url, HARTLEY, 3, lambda state: state.replace(
        json.dumps(moss, separators=(",", ":")).encode(),
        json.dumps(hartley, separators=(",", ":")).encode()))
    assert audit.verify(case_files)["ok"] is True

    # Check a sealed value whose bytes were changed can no longer be read, and is named
    sealed = hartley["_data_"][2]
    _edit_row(database_url, HARTLEY, 3, _replace(sealed, sealed[:-8] + "AAAAAAA="))
    assert audit.verify(case_files)["problems"] == [{
        "urn": HARTLEY, "school": f"URN {HARTLEY}", "version": 3,
        "problem": "it can no longer be read: its stored form was altered"}]


def test_an_entry_that_no_longer_decodes_is_reported(case_files, database_url):
    _build(case_files)
    _edit_row(database_url, MOSS_LANE, 2, lambda state: state[:-5])

    result = audit.verify(case_files)

    assert _found(result) == [(MOSS_LANE, 2)]
    assert result["problems"][0]["problem"] == (
        "it can no longer be read: its stored form was altered")


def test_a_deleted_entry_is_reported_at_its_version(case_files, database_url):
    lengths = _build(case_files)
    _delete_row(database_url, HARTLEY, 4)

    result = audit.verify(case_files)

    assert _found(result) == [(HARTLEY, 4)]
    assert result["problems"][0]["problem"] == (
        "it is missing: it was deleted or moved after it was recorded")
    assert result["entries_checked"] == sum(lengths.values()) - 1


def test_entries_swapped_in_the_store_are_reported_where_the_order_breaks(
        case_files, database_url):
    _build(case_files)
    _renumber_row(database_url, HARTLEY, 3, 0)
    _renumber_row(database_url, HARTLEY, 4, 3)
    _renumber_row(database_url, HARTLEY, 0, 4)

    result = audit.verify(case_files)

    assert _found(result) == [(HARTLEY, 3)]
    assert result["problems"][0]["problem"] == (
        "it does not follow on from the entry before it: entries were removed, moved or "
        "renumbered here")


def test_a_deleted_middle_entry_is_not_also_blamed_on_the_checkpoint(case_files, database_url):
    _build(case_files)
    before = audit.checkpoint(case_files)
    _delete_row(database_url, HARTLEY, 2)

    result = audit.verify(case_files, checkpoint=before)

    assert _found(result) == [(HARTLEY, 2)]


def test_a_deleted_registration_is_still_found_from_the_log(case_files, database_url):
    _build(case_files)
    before = audit.checkpoint(case_files)
    _delete_row(database_url, MOSS_LANE, 1)

    result = audit.verify(case_files)

    # Check the stream is found although the school list (registrations) no longer has it
    assert MOSS_LANE not in case_files.urns()
    assert result["problems"] == [{
        "urn": None, "school": f"case file {case_file_id(MOSS_LANE)}", "version": 1,
        "problem": "it is missing: it was deleted or moved after it was recorded",
    }]
    # Check a checkpoint that knew the school names it by its URN
    assert _found(audit.verify(case_files, checkpoint=before)) == [(MOSS_LANE, 1)]


def test_a_consistent_rewrite_passes_verify_but_not_a_checkpoint_taken_before(
        case_files, database_url):
    lengths = _build(case_files)
    before = audit.checkpoint(case_files)
    _rewrite_chain(case_files, database_url, HARTLEY, 3, description="Phonics check at 71%")

    # Check the forger's chain holds together on its own...
    assert audit.verify(case_files)["ok"] is True
    (stored,) = case_files.recorder.select_events(case_file_id(HARTLEY), gt=2, lte=3)
    assert case_files.mapper.to_domain_event(stored).description == "Phonics check at 71%"
    # ...but not against the checkpoint, which still knows the old head
    result = audit.verify(case_files, checkpoint=before)

    assert _found(result) == [(HARTLEY, lengths[HARTLEY])]
    assert "differs from the checkpoint of 23 November 2026 09:00: it was rewritten after" in (
        result["problems"][0]["problem"])


def test_entries_deleted_from_the_end_are_found_against_a_checkpoint(case_files, database_url):
    lengths = _build(case_files)
    before = audit.checkpoint(case_files)
    _delete_row(database_url, HARTLEY, lengths[HARTLEY])
    for version in range(lengths[MOSS_LANE], 0, -1):
        _delete_row(database_url, MOSS_LANE, version)

    assert audit.verify(case_files)["ok"] is True  # nothing left to contradict it
    result = audit.verify(case_files, checkpoint=before)

    assert {(p["urn"], p["version"]): p["problem"] for p in result["problems"]} == {
        (HARTLEY, lengths[HARTLEY]): f"entry {lengths[HARTLEY]} is missing: the checkpoint of "
                                     f"23 November 2026 09:00 recorded {lengths[HARTLEY]} "
                                     "entries",
        (MOSS_LANE, None): "its case file is missing: the checkpoint of 23 November 2026 09:00 "
                           f"recorded it with {lengths[MOSS_LANE]} entries",
    }


def test_a_checkpoint_is_plain_data_that_survives_json(case_files):
    lengths = _build(case_files)

    made = audit.checkpoint(case_files)
    kept = json.loads(json.dumps(made))

    assert set(made) == {"created_at", "schools", "digest"}
    assert made["schools"][str(HARTLEY)]["version"] == lengths[HARTLEY]
    assert re.fullmatch(r"[0-9a-f]{64}", made["digest"])
    assert audit.verify(case_files, checkpoint=kept)["ok"] is True


def test_an_edited_checkpoint_is_detected(case_files):
    _build(case_files)
    kept = json.loads(json.dumps(audit.checkpoint(case_files)))
    # Check someone lowered a school's entry count to cover a deletion
    kept["schools"][str(HARTLEY)]["version"] -= 1

    result = audit.verify(case_files, checkpoint=kept)

    assert result["ok"] is False
    assert result["problems"][0] == {
        "urn": None, "school": "The checkpoint", "version": None,
        "problem": "the checkpoint file was altered after it was made: its digest does not "
                   "match its contents",
    }


@pytest.mark.parametrize("kept", [{}, {"created_at": "yesterday", "schools": {}, "digest": ""},
                                  {"created_at": "2026-01-01T00:00:00+00:00", "digest": "",
                                   "schools": {"990101": {"version": "many"}}}])
def test_a_file_that_is_not_a_checkpoint_is_refused(case_files, kept):
    with pytest.raises(audit.CheckpointUnreadable, match="not a checkpoint made by scc"):
        audit.verify(case_files, checkpoint=kept)


def test_a_tampered_snapshot_is_reported(case_files, database_url):
    _build(case_files)
    case_files.take_snapshot(case_file_id(HARTLEY))
    assert audit.verify(case_files)["ok"] is True
    # Check the saved copy the app loads from says something the record does not
    _edit_row(database_url, HARTLEY, case_files.version(HARTLEY),
              _replace('"ground":"standards"', '"ground":"finance"'), kind="snapshots")

    result = audit.verify(case_files)

    assert result["problems"] == [{
        "urn": HARTLEY, "school": f"URN {HARTLEY}", "version": 3,
        "problem": f"the snapshot taken at entry {case_files.version(HARTLEY)} does not match "
                   "the record: its copy of this entry was altered",
    }]


SAID = "standards: Phonics check at 41%"
"""The concern as the record has it (its ground as the history words it)."""


def _reopened(case_files, database_url):
    """Another process on the same store: nothing of the case files cached."""
    from adapters.event_store import event_store_env

    return type(case_files)(event_store_env(database_url), clock=case_files.clock,
                            working_days=case_files.working_days, scheme=case_files.scheme,
                            keyring=case_files.keyring)


def _descriptions(case_files, urn: int) -> list[str]:
    return [f"{e['details'].get('ground')}: {e['details'].get('description')}"
            for e in case_files.history(urn) if e["event"] == "ConcernRaised"]


def test_a_case_file_is_not_loaded_from_an_altered_snapshot(case_files, database_url):
    _build(case_files)
    case_files.take_snapshot(case_file_id(HARTLEY))
    taken_at = case_files.version(HARTLEY)
    _edit_row(database_url, HARTLEY, taken_at,
              _replace('"ground":"standards"', '"ground":"finance"'), kind="snapshots")
    reopened = _reopened(case_files, database_url)
    try:
        # Check what is read, and what the status says, is the record, not the altered copy
        assert _descriptions(reopened, HARTLEY) == [SAID]
        overview = reopened.overview(HARTLEY)
        assert [c["ground"] for c in overview.status["open_concerns"]] == ["standards"]
        # Check the mismatch is said, in the audit's words, for the pages to show
        assert overview.snapshot_mismatch.startswith(
            f"The snapshot taken at entry {taken_at} does not match the record")
        assert reopened.snapshot_mismatch(MOSS_LANE) is None
        # Check commands still record on the record, after the entries the snapshot holds
        reopened.record_visit(HARTLEY, by="Priya Shah", kind="monitoring", notes="Visited")
        assert reopened.version(HARTLEY) == taken_at + 1
    finally:
        reopened.close()


def test_a_snapshot_relinked_by_a_forger_is_not_loaded_either(case_files, database_url):
    _build(case_files)
    case_files.take_snapshot(case_file_id(HARTLEY))
    taken_at = case_files.version(HARTLEY)
    snapshot = case_files.snapshots.recorder.select_events(case_file_id(HARTLEY))[-1]
    state = case_files.mapper.to_domain_event(snapshot).state
    # A careful forger: the entry edited and every link after it recomputed in the copy
    previous = chain.GENESIS
    for name, fields in state["_entries"]:
        if fields.get("ground") == "standards":
            fields["ground"] = "finance"
        content = {k: v for k, v in fields.items()
                   if k not in ("link", "originator_topic", "class_version")}
        fields["link"] = previous = chain.link(
            previous, f"SchoolCaseFile.{name}",
            {**content, "originator_id": case_file_id(HARTLEY)})
    forged = type(case_files.mapper.to_domain_event(snapshot))(
        originator_id=snapshot.originator_id, originator_version=taken_at,
        timestamp=case_files.mapper.to_domain_event(snapshot).timestamp,
        topic=case_files.mapper.to_domain_event(snapshot).topic, state=state)
    _edit_row(database_url, HARTLEY, taken_at,
              lambda _: case_files.mapper.to_stored_event(forged).state, kind="snapshots")
    reopened = _reopened(case_files, database_url)
    try:
        assert _descriptions(reopened, HARTLEY) == [SAID]
        assert "does not match the record" in reopened.snapshot_mismatch(HARTLEY)
    finally:
        reopened.close()


def test_an_untouched_snapshot_is_loaded_without_a_warning(case_files, database_url):
    _build(case_files)
    case_files.take_snapshot(case_file_id(HARTLEY))
    reopened = _reopened(case_files, database_url)
    try:
        assert _descriptions(reopened, HARTLEY) == [SAID]
        assert reopened.overview(HARTLEY).snapshot_mismatch is None
    finally:
        reopened.close()


def test_the_snapshot_a_hundredth_entry_takes_is_the_record_as_read_back(
        case_files, database_url):
    # Check the snapshot a command takes as it records the 100th entry (from the case file
    # it has just changed) holds what reading the record gives, and passes the audit
    _build(case_files)
    while case_files.version(HARTLEY) < 100:
        case_files.record_visit(HARTLEY, by="Priya Shah", effective=date(2025, 3, 3),
                                kind="monitoring", notes=f"Visit {case_files.version(HARTLEY)}")
    taken = case_files.snapshots.recorder.select_events(case_file_id(HARTLEY))
    assert [row.originator_version for row in taken] == [100]
    from_snapshot = _reopened(case_files, database_url)
    try:
        assert from_snapshot.history(HARTLEY) == case_files.history(HARTLEY)
        assert from_snapshot.school(HARTLEY) == case_files.school(HARTLEY)
        assert from_snapshot.overview(HARTLEY).snapshot_mismatch is None
        assert audit.verify(case_files, urn=HARTLEY)["ok"]
    finally:
        from_snapshot.close()


def test_verify_reports_progress_school_by_school(case_files):
    _build(case_files)
    calls: list[tuple[int, int]] = []

    audit.verify(case_files, progress=lambda done, total: calls.append((done, total)))

    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_verifying_an_unknown_urn_is_a_mistake(case_files):
    _build(case_files)

    with pytest.raises(CaseFileError, match="No school with URN 990999 has a case file"):
        audit.verify(case_files, urn=990999)


# The printable history ---------------------------------------------------------------------------

class _Text(HTMLParser):
    """The document's text, and the version of each entry row."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.rows: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        row = dict(attrs).get("id") or ""
        if tag == "tr" and row.startswith("entry-"):
            self.rows.append(int(row.removeprefix("entry-")))

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def _parse(document: str) -> _Text:
    parsed = _Text()
    parsed.feed(document)
    return parsed


def test_the_printable_history_escapes_what_was_recorded(case_files):
    _build(case_files)
    case_files.raise_concern(NORTHGATE, by="Priya <b>Shah</b>", effective=date(2025, 3, 3),
                             ground="other", description="Trust letter: <script>x()</script>")
    now = case_files.clock.now()

    document = render_history(case_files.school(NORTHGATE), case_files.history(NORTHGATE),
                              audit.verify(case_files, urn=NORTHGATE), now)

    assert "<script>x()" not in document and "&lt;script&gt;x()&lt;/script&gt;" in document
    assert "Priya &lt;b&gt;Shah&lt;/b&gt;" in document
    parsed = _parse(document)
    assert parsed.rows == [1, 2]
    assert "Verified 23 November 2026 09:00 (UK time): no alterations found." in parsed.text
    assert "@media print" in document and "display: table-header-group" in document


# The command line ---------------------------------------------------------------------------

def _env(path, data_dir=None) -> dict[str, str | None]:
    return {"SCC_DATABASE_URL": f"sqlite:///{path}", "SCC_CATEGORY_SCHEME": "peterborough",
            "SCC_TERM_DATES": None, "SCC_DATA_DIR": str(data_dir) if data_dir else None}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """The demo, loaded once; tests that tamper with it work on a copy."""
    path = tmp_path_factory.mktemp("audit") / "demo.sqlite3"
    result = CliRunner().invoke(_scc(), ["demo"], env=_env(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def store(demo_store, tmp_path):
    path = tmp_path / "scc.sqlite3"
    copy_sqlite_store(demo_store, path)  # with its key store
    # the kept files (the featured school's letters and evidence) beside it
    shutil.copytree(demo_store.parent / "documents", tmp_path / "documents")
    return path


def _scc():
    from cli.main import scc

    return scc


def _run(path, *args: str, data_dir=None):
    return CliRunner().invoke(_scc(), list(args), env=_env(path, data_dir))


def test_scc_verify_says_an_untouched_store_is_intact(store):
    result = _run(store, "verify")

    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Verified 61 schools, \d+ entries, 3 kept files, 4 administration entries, \d+ "
                        r"access-log rows?: "
                        r"no alterations found\n", result.stdout)
    assert "Verifying 61 of 61 schools" in result.stderr  # progress, when not on a terminal


def _who_recorded_it_altered(state: bytes) -> bytes:
    """The entry's recorder's commitment replaced: who recorded it is sealed, and its
    commitment is what the entry's link covers."""
    fields = json.loads(state)
    fields["by"]["_data_"][1] = "0" * 64
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()


def test_scc_verify_names_the_altered_entry_and_exits_1(store):
    _edit_row(f"sqlite:///{store}", FEATURED_URN, 12, _who_recorded_it_altered)

    result = _run(store, "verify")

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"URN {FEATURED_URN}, entry 12: its content was altered after it was recorded")
    # (the featured school's files come after the broken entry: not vouched for, not counted)
    assert re.fullmatch(r"Checked 61 schools, \d+ entries, 0 kept files, 4 administration entries, \d+ "
                        r"access-log rows?: "
                        r"1 problem found", lines[1])
    assert _run(store, "verify", "--urn", "990001").exit_code == 0


def test_scc_history_reads_the_record_not_an_altered_snapshot_and_says_so(store):
    with sqlite3.connect(store) as db:
        version, state = db.execute(
            "SELECT originator_version, state FROM stored_snapshots WHERE originator_id=? "
            "ORDER BY originator_version DESC LIMIT 1", (case_file_id(FEATURED_URN).hex,)
        ).fetchone()
    name = json.loads(state)["state"]["_entries"][0][1]["name"]
    _edit_row(f"sqlite:///{store}", FEATURED_URN, version,
              _replace(name, "ALTERED IN SNAPSHOT ONLY"), kind="snapshots")

    exported = _run(store, "history", str(FEATURED_URN), "--format", "csv")

    assert exported.exit_code == 0
    assert "ALTERED IN SNAPSHOT ONLY" not in exported.stdout and name in exported.stdout
    assert exported.stderr.startswith(
        f"Warning: The snapshot taken at entry {version} does not match the record")


def _views(path, count: int) -> list[int]:
    """Case files viewed ``count`` times, as the web app and the API log them; their row ids."""
    from adapters.bootstrap import build_users
    from adapters.config import Settings
    from tests.fakes import FixedClock

    users = build_users(Settings(database_url=f"sqlite:///{path}"), FixedClock())
    try:
        for n in range(count):
            users.record_access(email="audrey@la.example", urn=FEATURED_URN,
                                view=f"export CSV {n}")
    finally:
        users.close()
    with sqlite3.connect(path) as db:
        return [row_id for (row_id,) in db.execute("SELECT id FROM access_log ORDER BY id")]


def test_scc_verify_checks_the_access_log(store):
    _views(store, 4)

    result = _run(store, "verify")

    assert result.exit_code == 0, result.output
    assert ", 4 access-log rows: no alterations found" in result.stdout


def test_scc_verify_names_an_access_log_row_deleted_from_the_middle(store):
    ids = _views(store, 4)
    with sqlite3.connect(store) as db:  # an insider erasing one of their own reads
        db.execute("DELETE FROM access_log WHERE id=?", (ids[1],))

    result = _run(store, "verify")

    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"The access log: row {ids[1]} is missing: it was deleted (row {ids[2]} follows it)")


def test_scc_verify_names_an_access_log_row_edited_in_place(store):
    ids = _views(store, 3)
    with sqlite3.connect(store) as db:
        db.execute("UPDATE access_log SET email='someone.else@la.example' WHERE id=?",
                   (ids[0],))

    result = _run(store, "verify")

    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"The access log: row {ids[0]} was altered after it was recorded: its sealed viewer "
        "is not the one sealed when it was")
    # Check a row added by hand, with no link, is caught too
    with sqlite3.connect(store) as db:
        db.execute("UPDATE access_log SET email=NULL WHERE id=?", (ids[0],))
        db.execute("INSERT INTO access_log (at, email, urn, view, follows) VALUES "
                   "('2026-11-23 09:00:00', 'x@la.example', 990001, 'case file', ?)", (ids[-1],))
    assert "not recorded by scc" in _run(store, "verify").stdout


def test_scc_checkpoint_then_verify_against_it(store, tmp_path):
    written = _run(store, "checkpoint", "--out", str(tmp_path / "kept.json"))

    assert written.exit_code == 0, written.output
    assert f"Checkpoint of 61 schools written to {tmp_path / 'kept.json'}" in written.stdout
    checked = _run(store, "verify", "--checkpoint", str(tmp_path / "kept.json"))
    assert checked.exit_code == 0
    assert "against the checkpoint of " in checked.stdout and "no alterations found" in (
        checked.stdout)
    # Check a deletion from the end of the featured school is caught against it
    kept = json.loads((tmp_path / "kept.json").read_text())
    last = kept["schools"][str(FEATURED_URN)]["version"]
    _delete_row(f"sqlite:///{store}", FEATURED_URN, last)
    after = _run(store, "verify", "--checkpoint", str(tmp_path / "kept.json"))
    assert after.exit_code == 1
    assert f"URN {FEATURED_URN}, entry {last}: entry {last} is missing" in after.stdout


def test_scc_checkpoint_writes_to_the_data_directory_or_stdout(store, tmp_path):
    to_dir = _run(store, "checkpoint", data_dir=tmp_path / "kept")
    to_stdout = _run(store, "checkpoint", "--out", "-")

    assert to_dir.exit_code == 0 and to_stdout.exit_code == 0
    (written,) = (tmp_path / "kept").glob("checkpoint-*.json")
    assert re.fullmatch(r"checkpoint-\d{8}T\d{6}Z\.json", written.name)
    assert str(written) in to_dir.stdout
    assert json.loads(to_stdout.stdout)["schools"].keys() == json.loads(
        written.read_text())["schools"].keys()


def test_scc_verify_finds_an_edited_checkpoint(store, tmp_path):
    _run(store, "checkpoint", "--out", str(tmp_path / "kept.json"))
    kept = json.loads((tmp_path / "kept.json").read_text())
    del kept["schools"][str(FEATURED_URN)]
    (tmp_path / "kept.json").write_text(json.dumps(kept))

    result = _run(store, "verify", "--checkpoint", str(tmp_path / "kept.json"))

    assert result.exit_code == 1
    assert "The checkpoint: the checkpoint file was altered after it was made" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["verify", "--urn", "abc"], "'abc' is not a URN"),
    (["verify", "--urn", "990999"], "No school with URN 990999 has a case file"),
    (["verify", "--checkpoint", "/nonexistent/kept.json"],
     "Cannot read the checkpoint /nonexistent/kept.json"),
])
def test_scc_verify_mistakes_exit_2(store, args, message):
    result = _run(store, *args)

    assert result.exit_code == 2
    assert f"Error: {message}" in result.stderr


def test_scc_verify_refuses_a_file_that_is_not_a_checkpoint(store, tmp_path):
    (tmp_path / "notes.json").write_text("not json")
    (tmp_path / "list.json").write_text("[1, 2]")

    for name, message in (("notes.json", "is not a checkpoint: it is not JSON"),
                          ("list.json", "That is not a checkpoint made by scc checkpoint")):
        result = _run(store, "verify", "--checkpoint", str(tmp_path / name))
        assert result.exit_code == 2
        assert message in result.stderr


def test_scc_history_html_prints_every_entry_and_the_verification(store):
    json_history = json.loads(_run(store, "history", str(FEATURED_URN), "--format", "json").stdout)

    result = _run(store, "history", str(FEATURED_URN), "--format", "html")

    assert result.exit_code == 0
    parsed = _parse(result.stdout)
    assert parsed.rows == [e["version"] for e in json_history]
    assert json_history[0]["summary"] in parsed.text
    assert re.search(r"Verified \d+ \w+ \d{4} \d\d:\d\d \(UK time\): no alterations found",
                     parsed.text)
    assert "Retracted by entry" in parsed.text and "Amended by entry" in parsed.text


def test_scc_history_html_shows_what_verification_found(store):
    _edit_row(f"sqlite:///{store}", FEATURED_URN, 12, _who_recorded_it_altered)

    result = _run(store, "history", str(FEATURED_URN), "--format", "html")

    assert result.exit_code == 0
    text = _parse(result.stdout).text
    assert "1 problem found" in text
    assert f"URN {FEATURED_URN}, entry 12: its content was altered after it was recorded" in text
    assert 'id="entry-12" class=" altered"' in result.stdout
