"""Entries stored by an older version of scc read as the current version's, and still verify.

``fixtures/concern_v1_log.json`` holds the rows scc wrote before ConcernRaised gained its
``source`` (version 1 of that class): a school's entries and a snapshot taken part-way, made by
running that version of scc, not by this one.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from adapters.event_store import event_store_env
from adapters.read_models import SQLReadModels, read_model_engine
from application import audit
from application.case_files import SchoolCaseFiles
from application.projections import CaseFileProjections
from domain.case_file import SOURCE_NOT_RECORDED, SchoolCaseFile, case_file_id
from tests.fakes import FixedClock
from tests.integration import stored_rows

OLD_LOG = json.loads((Path(__file__).parent / "fixtures" / "concern_v1_log.json").read_text())
URN = OLD_LOG["urn"]


@pytest.fixture
def old_store(database_url, working_days, scheme):
    """A store holding the old version's rows, opened by the current version."""
    SchoolCaseFiles(event_store_env(database_url), clock=FixedClock(),
                    working_days=working_days, scheme=scheme).close()  # makes the tables
    for kind in ("events", "snapshots"):
        stored_rows.insert(database_url, [
            (r["originator_id"], r["originator_version"], r["topic"], r["state"].encode())
            for r in OLD_LOG["rows"] if r["kind"] == kind], kind)
    app = SchoolCaseFiles(event_store_env(database_url), clock=FixedClock(),
                          working_days=working_days, scheme=scheme)
    yield app
    app.close()


def test_old_concerns_read_with_their_source_not_recorded(old_store):
    state = old_store.repository.get(case_file_id(URN)).state

    # Check both concerns, one held in the snapshot and one after it, read in the new shape
    assert [(c.concern_id, c.source, c.resolved_on) for c in state.concerns.values()] == [
        ("C1", SOURCE_NOT_RECORDED, date(2025, 2, 24)), ("C2", SOURCE_NOT_RECORDED, None)]
    assert [c["source"] for c in old_store.school(URN)["open_concerns"]] == [SOURCE_NOT_RECORDED]
    history = old_store.history(URN)
    assert history[1]["details"]["source"] == SOURCE_NOT_RECORDED
    assert history[4]["summary"] == "Concern C2 raised (safeguarding): Single central record gaps"
    # Check the old snapshot was used: its upcast entries are found to be the stored ones
    assert old_store.snapshot_mismatch(URN) is None


def test_a_snapshot_taken_after_upcasting_loads_without_a_warning(old_store, database_url):
    old_store.take_snapshot(case_file_id(URN))  # holds the old entries in their new shape
    reopened = SchoolCaseFiles(event_store_env(database_url), clock=FixedClock(),
                               working_days=old_store.working_days, scheme=old_store.scheme)
    try:
        assert [c["source"] for c in reopened.school(URN)["open_concerns"]] == [
            SOURCE_NOT_RECORDED]
        assert reopened.snapshot_mismatch(URN) is None
    finally:
        reopened.close()


def test_the_old_snapshot_is_upcast_entry_by_entry(old_store):
    snapshot_rows = old_store.snapshots.recorder.select_events(case_file_id(URN))
    assert [r.originator_version for r in snapshot_rows] == [4]

    aggregate = old_store.mapper.to_domain_event(snapshot_rows[0]).mutate(None)

    assert aggregate.version == 4
    raised = [e for e in aggregate.entries if isinstance(e, SchoolCaseFile.ConcernRaised)]
    assert [(e.concern_id, e.source) for e in raised] == [("C1", SOURCE_NOT_RECORDED)]


def test_old_entries_still_verify_and_new_ones_chain_on_from_them(old_store, database_url):
    assert audit.verify(old_store)["ok"]

    old_store.raise_concern(URN, by="Priya Shah", effective=date(2025, 3, 3), ground="finance",
                            description="Deficit budget", source="financial monitoring")

    # Check the new entry is stored as version 2 and the whole chain, old and new, verifies
    newest = stored_rows.rows(database_url)[-1]
    assert newest[1] == 7 and b'"class_version":2' in newest[3]
    assert b'"source":"financial monitoring"' in newest[3]
    result = audit.verify(old_store)
    assert result["ok"], result["problems"]
    assert result["entries_checked"] == 7
    assert old_store.school(URN)["open_concerns"][-1]["source"] == "financial monitoring"
    assert old_store.history(URN)[-1]["summary"] == (
        "Concern C3 raised (finance, from financial monitoring): Deficit budget")


def test_an_old_entry_altered_in_the_store_is_still_found(old_store, database_url):
    stream = str(case_file_id(URN))
    with stored_rows.database(database_url) as (db, p):
        key = stream.replace("-", "") if database_url.startswith("sqlite") else UUID(stream)
        where = f"WHERE originator_id={p} AND originator_version={p}"
        table = stored_rows.table(database_url)
        (state,) = db.execute(f"SELECT state FROM {table} {where}", (key, 2)).fetchone()
        altered = bytes(state).replace(b"41%", b"61%")
        db.execute(f"UPDATE {table} SET state={p} {where}", (altered, key, 2))

    problems = audit.verify(old_store)["problems"]

    assert [(p["urn"], p["version"], p["problem"]) for p in problems] == [
        (URN, 2, audit.ALTERED)]


def test_read_models_project_the_old_entries(old_store, database_url):
    store = SQLReadModels(read_model_engine(database_url))
    try:
        CaseFileProjections(old_store, store).catch_up()
        (school,) = store.schools()
    finally:
        store.close()

    assert school["urn"] == URN and school["open_concerns"] == 1
    assert school["category"] == "3b"
