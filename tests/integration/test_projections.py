"""The read models: incremental, exactly once, resumable, rebuildable while serving."""

from __future__ import annotations

import sqlite3
import tempfile
import threading
import time
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.event_scan import scan_streams
from adapters.event_store import event_store_env
from adapters.read_models import SQLReadModels, read_model_engine
from application.case_files import SchoolCaseFiles
from application.projections import PROJECTIONS, CaseFileProjections
from domain.errors import CaseFileError
from tests.fakes import FixedClock
from tests.sign_off import approved

HEAD = "Head of School Improvement"


def register(case_files, urn, name="Fen Primary", **details):
    fields = {"urn": urn, "name": name, "phase": "Primary",
              "establishment_type": "Community school", "governance": "maintained",
              "la_code": "999", "pupils": 200}
    fields.update(details)
    case_files.register_school(by=HEAD, effective=date(2010, 9, 1), **fields)


_open_stores: list[SQLReadModels] = []


def projections_on(case_files, database_url, *, scan: bool = False) -> CaseFileProjections:
    """The read models on ``database_url``; with ``scan``, rebuilt in one ordered scan of the
    log, as adapters.bootstrap wires them."""
    store = SQLReadModels(read_model_engine(database_url))
    _open_stores.append(store)
    return CaseFileProjections(
        case_files, store,
        scan=partial(scan_streams, case_files.recorder, case_files.mapper) if scan else None)


@pytest.fixture(autouse=True)
def _close_stores():
    yield
    while _open_stores:
        _open_stores.pop().close()


def everything(store) -> dict[str, list]:
    """Every read model's rows, in an order that does not depend on how they were written."""
    return {
        "schools": store.schools(),
        "spells": sorted(store.spells(), key=lambda r: (r["urn"], r["kind"], r["starts_on"])),
        "deadlines": sorted(store.deadlines(), key=lambda r: (r["urn"], r["key"])),
        "firings": sorted(store.firings(), key=lambda r: (r["urn"], r["key"], r["fire_on"])),
        "activity": sorted(store.activity(limit=10**6), key=lambda r: r["notification_id"]),
        "search": store.search_rows(),
    }


class Crash(Exception):
    """The process dies in the middle of writing a batch."""


def test_status_rows_follow_the_case_files(case_files, database_url):
    register(case_files, 990301)
    register(case_files, 990302, name="Marsh Academy", governance="academy")
    notice = approved(case_files, "issue_warning_notice",
        990301, by=HEAD, effective=date(2025, 3, 3), grounds=["a"], matters="Low standards",
        required_actions="A plan", minded_action="An IEB", compliance_period=10)
    approved(case_files, "change_category", 990301, by=HEAD, effective=date(2025, 1, 6), to="4",
             reason="Results")
    read_models = projections_on(case_files, database_url)

    assert read_models.catch_up() == 4 * len(PROJECTIONS)  # four entries, each projection
    (row,) = [s for s in read_models.store.schools() if s["urn"] == 990301]
    assert (row["category"], row["warning_notice"], row["compliance_date"]) == (
        "4", notice, date(2025, 3, 17))
    assert row["causing_concern"] and "LA category 4" in row["concern_reasons"]
    assert row["next_deadline_what"] == "Warning notice WN1: compliance period ends"
    compliance = [d for d in read_models.store.deadlines() if d["kind"] == "compliance"]
    assert [(d["key"], d["source_version"]) for d in compliance] == [("compliance:WN1", 2)]
    # Check the firings depend on the log alone: the reminders stay listed until the
    # passing is recorded (the scheduler asks the case file, which drops late reminders).
    assert [(f["working_days_before"], f["fire_on"]) for f in read_models.store.firings()
            if f["key"] == "compliance:WN1"] == [
        (5, date(2025, 3, 10)), (1, date(2025, 3, 14)), (0, date(2025, 3, 18))]

    # Check a later command shows once the projections catch up (read your writes).
    case_files.record_compliance(990301, by=HEAD, effective=date(2025, 3, 10),
                                 notice_id=notice, complied=True, evidence="Plan agreed")
    read_models.catch_up()
    assert [d["kind"] for d in read_models.store.deadlines()] == ["visit", "category_review"] or [
        d["kind"] for d in read_models.store.deadlines()] == ["category_review", "visit"]
    assert not [f for f in read_models.store.firings() if f["key"] == "compliance:WN1"]
    assert [s["warning_notice"] for s in read_models.store.schools()] == [None, None]
    assert [p["lag"] for p in read_models.status()] == [0] * len(PROJECTIONS)


def test_a_crash_mid_batch_loses_nothing_and_counts_nothing_twice(
        case_files, database_url, monkeypatch):
    for n in range(5):
        register(case_files, 990310 + n)
        case_files.raise_concern(990310 + n, by=HEAD, effective=date(2024, 1, 8),
                                 ground="finance", description=f"Deficit {n}")
    read_models = projections_on(case_files, database_url)
    read_models.catch_up(["activity"], limit=3)

    real_write = SQLReadModels._write

    def dies_after_writing(conn, batch, generation):
        real_write(conn, batch, generation)
        raise Crash

    monkeypatch.setattr(SQLReadModels, "_write", staticmethod(dies_after_writing))
    with pytest.raises(Crash):
        read_models.catch_up(["activity"])
    monkeypatch.undo()

    # Check the dead batch left neither rows nor a moved position behind.
    assert read_models.store.position("activity") == 3
    assert len(read_models.store.activity(limit=100)) == 3
    # A second process resumes from the same position; no entry is counted twice.
    resumed = projections_on(case_files, database_url)
    assert resumed.catch_up(["activity"]) == 7
    assert [a["notification_id"] for a in reversed(resumed.store.activity(limit=100))] == list(
        range(1, 11))


def _overtaken(case_files, database_url, names):
    """Two processes' read models, and the batches the first made for ``names`` from where it
    stood before the second caught its activity feed up."""
    first, second = projections_on(case_files, database_url), projections_on(
        case_files, database_url)
    stale = first.store.position(names[0])
    second.catch_up(["activity"])
    return first, stale, first._batches(
        names, stale, case_files.recorder.select_notifications(stale + 1, 10))


def test_two_processes_catching_up_together_write_each_batch_once(case_files, database_url):
    for n in range(4):
        register(case_files, 990320 + n)
    first, _, batches = _overtaken(case_files, database_url, ["activity"])

    # Check the slower process's batch is refused, not written again.
    assert first.store.commit_together(batches) is False
    assert len(first.store.activity(limit=100)) == 4


def test_projections_advanced_together_write_all_or_nothing(case_files, database_url):
    for n in range(3):
        register(case_files, 990330 + n)
    # Of the two, activity moves on meanwhile.
    first, stale, batches = _overtaken(case_files, database_url, ["school_status", "activity"])

    # Check nothing is written for either, though school_status had not moved.
    assert first.store.commit_together(batches) is False
    assert first.store.position("school_status") == stale
    assert first.store.schools() == []
    # Check the next catch-up carries each on from where it stands.
    assert first.catch_up() == 3 * (len(PROJECTIONS) - 1)
    assert [s["urn"] for s in first.store.schools()] == [990330, 990331, 990332]
    assert len(first.store.activity(limit=100)) == 3


def test_rebuild_serves_the_old_model_until_the_new_one_is_complete(case_files, database_url):
    for n in range(3):
        register(case_files, 990330 + n)
    read_models = projections_on(case_files, database_url)
    read_models.catch_up()
    before = everything(read_models.store)
    seen_during = []

    def progress(done, total):
        seen_during.append(len(read_models.store.schools()))

    approved(case_files, "change_category", 990330, by=HEAD, effective=date(2023, 9, 4), to="3b",
             reason="Autumn review")
    assert read_models.rebuild(["school_status"], progress) == 4

    assert seen_during == [3]  # the old rows kept serving while the new ones were written
    after = everything(read_models.store)
    assert after["schools"][0]["category"] == "3b"
    assert after["activity"] == before["activity"]
    with pytest.raises(ValueError, match="No projection 'nonsense'"):
        read_models.rebuild(["nonsense"])


def test_a_rebuild_in_one_scan_of_the_log_equals_catching_up_entry_by_entry(
        case_files, database_url):
    """What a school's case file can hold that a rebuild might read wrongly: corrections, a
    conversion to an academy (a second stream), dates inside lists and dicts, an Ofsted
    report card, deadlines extended and suspended."""
    register(case_files, 990360)
    register(case_files, 990361, name="Dyke Infant School")
    notice = approved(case_files, "issue_warning_notice",
        990360, by=HEAD, effective=date(2024, 1, 8), grounds=["a", "b"], matters="Results",
        required_actions="A plan", minded_action="An IEB", compliance_period=20)
    case_files.amend_entry(990360, by=HEAD, version=2, changes={"matters": "KS2 results"},
                           reason="Clearer")
    case_files.raise_concern(990361, by=HEAD, effective=date(2024, 2, 5), ground="finance",
                             description="Deficit")
    case_files.retract_entry(990361, by=HEAD, version=2, reason="Wrong school")
    case_files.establish_msp_group(990360, by=HEAD, effective=date(2024, 3, 4),
                                   members=["Chair", "Adviser"], cadence_weeks=6)
    case_files.hold_msp_meeting(
        990360, by=HEAD, effective=date(2024, 4, 15), attendees=["Chair"], minutes="Agreed",
        actions=[{"description": "Phonics plan", "owner": "Head", "due": date(2024, 5, 20)}])
    case_files.record_inspection(
        990361, by=HEAD, published_on=date(2025, 12, 1), inspected_on=date(2025, 11, 18),
        overall=None, report_card={"leadership and governance": "strong standard"},
        safeguarding="met")
    case_files.extend_deadline(990360, by=HEAD, key=f"compliance:{notice}",
                               to=date(2024, 3, 1), reason="Head on leave")
    case_files.suspend_deadline(990360, by=HEAD, key="msp_action:A1", reason="Paused")
    case_files.convert_to_academy(990361, by=HEAD, effective=date(2026, 1, 1), new_urn=990362)
    incremental = projections_on(case_files, database_url)
    incremental.catch_up()
    # Read now: the rebuild below replaces these tables, which both stores read.
    caught_up = everything(incremental.store)

    scanned = projections_on(case_files, database_url, scan=True)
    assert scanned.rebuild(PROJECTIONS) == case_files.recorder.max_notification_id()

    # Check the rebuild read every entry as the incremental projection did.
    rebuilt = everything(scanned.store)
    assert rebuilt == caught_up
    assert [s["urn"] for s in rebuilt["schools"]] == [990360, 990361, 990362]
    assert {(d["key"], d["due"], d["suspended"]) for d in rebuilt["deadlines"]} >= {
        (f"compliance:{notice}", date(2024, 3, 1), False),
        ("msp_action:A1", date(2024, 5, 20), True)}
    assert [p["lag"] for p in scanned.status()] == [0] * len(PROJECTIONS)


def test_read_models_on_sqlite_hold_dates_as_sqlite3_itself_writes_them(case_files, tmp_path):
    """The store turns dates and times into text itself, in bulk: the text must be what
    sqlite3 made of them before, or rows written since would compare and sort apart from
    those already in a store."""
    url = f"sqlite:///{tmp_path / 'scc.sqlite3'}"
    register(case_files, 990370)
    approved(case_files, "change_category", 990370, by=HEAD, effective=date(2024, 9, 2), to="3b",
             reason="Autumn review")
    read_models = projections_on(case_files, url)
    read_models.catch_up()

    with sqlite3.connect(tmp_path / "scc.sqlite3") as db:
        stored = db.execute("SELECT effective, recorded_at FROM activity_g1 "
                            "ORDER BY notification_id").fetchall()
        spells = db.execute("SELECT starts_on, ends_on FROM school_spells_g1").fetchall()
        entries = case_files.recorder.select_notifications(1, 10)
        events = [case_files.mapper.to_domain_event(n) for n in entries]
        adapted = db.execute(
            "SELECT " + ", ".join(["?"] * 2 * len(events)),
            [v for e in events for v in (e.effective, e.timestamp)]).fetchone()
    db.close()
    assert [v for row in stored for v in row] == list(adapted)
    assert spells == [("2024-09-02", None)]
    assert read_models.store.activity()[0]["recorded_at"] == events[-1].timestamp


def test_following_the_log_brings_new_entries_into_the_read_models(case_files, database_url):
    """PostgreSQL wakes the follower through the log's subscription; SQLite is polled."""
    register(case_files, 990350)
    read_models = projections_on(case_files, database_url)
    stop = threading.Event()
    follower = threading.Thread(target=read_models.follow, args=(stop, 0.05))
    follower.start()
    try:
        approved(case_files, "change_category", 990350, by=HEAD, effective=date(2024, 9, 2), to="3b",
                 reason="Autumn review")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if [s["category"] for s in read_models.store.schools()] == ["3b"]:
                break
            time.sleep(0.05)
        assert [s["category"] for s in read_models.store.schools()] == ["3b"]
    finally:
        stop.set()
        follower.join(timeout=10)
    assert not follower.is_alive()


# The property: any interleaving of commands, partial catch-ups and crashes ends where a
# full rebuild from the log ends.

commands = st.lists(
    st.tuples(
        st.sampled_from(["category", "concern", "resolve", "notice", "msp", "catch_up",
                         "crash"]),
        st.integers(0, 2),          # which school
        st.integers(1, 7),          # a batch size for catch_up
    ),
    min_size=5, max_size=25,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=commands)
def test_incremental_read_models_in_random_batches_equal_a_full_rebuild(steps):
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'scc.sqlite3'}"
        clock = FixedClock()
        from adapters.calendars import england_and_wales_calendar
        from adapters.schemes import load_scheme

        case_files = SchoolCaseFiles(event_store_env(url), clock=clock,
                                     working_days=england_and_wales_calendar(),
                                     scheme=load_scheme("peterborough"))
        read_models = projections_on(case_files, url)
        urns = [990340, 990341, 990342]
        for urn in urns:
            register(case_files, urn)
        day = date(2020, 1, 6)
        for kind, school, size in steps:
            urn = urns[school]
            day = date.fromordinal(day.toordinal() + 7)
            try:
                if kind == "category":
                    approved(case_files, "change_category", urn, by=HEAD, effective=day,
                             to=["2", "3a", "3b", "4"][size % 4], reason="r")
                elif kind == "concern":
                    case_files.raise_concern(urn, by=HEAD, effective=day, ground="standards",
                                             description="d")
                elif kind == "resolve":
                    concern = case_files.school(urn)["open_concerns"]
                    if concern:
                        case_files.resolve_concern(urn, by=HEAD, effective=day,
                                                   concern_id=concern[0]["concern_id"],
                                                   outcome="o")
                elif kind == "notice":
                    approved(case_files, "issue_warning_notice",
                        urn, by=HEAD, effective=day, grounds=["b"], matters="m",
                        required_actions="r", minded_action="a", compliance_period=size)
                elif kind == "msp":
                    case_files.establish_msp_group(urn, by=HEAD, effective=day,
                                                   members=["Chair"], cadence_weeks=size)
                elif kind == "catch_up":
                    read_models.catch_up(limit=size)
                else:
                    _crash_once(read_models, size)
            except CaseFileError:
                pass  # a refused command records nothing
        read_models.catch_up()

        rebuilt = projections_on(case_files, f"sqlite:///{Path(folder) / 'rebuilt.sqlite3'}")
        rebuilt.rebuild(PROJECTIONS)
        assert everything(read_models.store) == everything(rebuilt.store)
        scanned = projections_on(case_files, f"sqlite:///{Path(folder) / 'scanned.sqlite3'}",
                                 scan=True)
        scanned.rebuild(PROJECTIONS)
        assert everything(read_models.store) == everything(scanned.store)
        case_files.close()


def _crash_once(read_models, size):
    store = read_models.store
    real_write = store._write

    def dies(conn, batch, generation):
        real_write(conn, batch, generation)
        raise Crash

    store._write = dies
    try:
        read_models.catch_up(limit=size)
    except Crash:
        pass
    finally:
        del store._write


def record_as_an_older_version_did(case_files, urn, event_name, **fields):
    """Stores an entry no command accepts now, exactly as an older version of scc recorded
    it (hash-linked like any other): the read models must cope with what the log holds."""
    def write(case_file, when):
        case_file._record(getattr(case_file, event_name), when=when, **fields)

    case_files._change(urn, HEAD, date(2025, 1, 6), write)
    return case_files.version(urn)


def test_an_entry_no_projection_can_apply_sets_its_school_aside_and_the_others_advance(
        case_files, database_url):
    for urn in (990401, 990402):
        register(case_files, urn)
        case_files.establish_msp_group(urn, by=HEAD, effective=date(2025, 1, 6),
                                       members=["LA adviser"], cadence_weeks=6)
    read_models = projections_on(case_files, database_url)
    read_models.catch_up()
    before = [s for s in read_models.store.schools() if s["urn"] == 990401]
    # An MSP meeting in year 9999, as the web form and the API took before the dates were
    # bounded: its reminder falls after the last day a date can have.
    poisoned = record_as_an_older_version_did(case_files, 990401, "MSPMeetingScheduled",
                                              meeting_id="M1", meets_on=date(9999, 12, 31))
    case_files.schedule_msp_meeting(990402, by=HEAD, effective=date(2025, 1, 6),
                                    meets_on=date(2025, 2, 3))

    read_models.catch_up()

    # Check the other school's read models advanced, and every projection reached the head
    (other,) = [s for s in read_models.store.schools() if s["urn"] == 990402]
    assert other["msp_next_meeting"] == date(2025, 2, 3)
    assert any(d["urn"] == 990402 and d["key"] == "msp_meeting:M1"
               for d in read_models.store.deadlines())
    assert [p["lag"] for p in read_models.status()] == [0] * len(PROJECTIONS)
    # Check the school is set aside, with why, its rows as they were before the entry
    (aside,) = read_models.set_aside()
    assert (aside["urn"], aside["name"]) == (990401, "Fen Primary")
    assert aside["reason"].startswith("OverflowError: date value out of range")
    assert [s for s in read_models.store.schools() if s["urn"] == 990401] == before
    # Check a rebuild sets it aside again rather than failing
    read_models.rebuild()
    assert [s["urn"] for s in read_models.set_aside()] == [990401]
    assert any(s["urn"] == 990402 for s in read_models.store.schools())

    # Check retracting the entry brings the school back
    case_files.retract_entry(990401, by=HEAD, version=poisoned, reason="Year typed wrongly")
    read_models.catch_up()
    assert read_models.set_aside() == []
    assert [s["urn"] for s in read_models.store.schools()] == [990401, 990402]


def test_an_entry_that_cannot_be_read_sets_its_school_aside_and_the_others_advance(
        case_files, database_url):
    from eventsourcing.persistence import StoredEvent

    from domain.case_file import case_file_id

    for urn in (990411, 990412):
        register(case_files, urn)
    read_models = projections_on(case_files, database_url)
    read_models.catch_up()
    # An entry of a kind this version does not know, stored beside the school's others
    (last,) = case_files.recorder.select_events(case_file_id(990411), desc=True, limit=1)
    case_files.recorder.insert_events([StoredEvent(
        originator_id=last.originator_id, originator_version=last.originator_version + 1,
        topic="domain.case_file:SchoolCaseFile.KindNoLongerKnown", state=last.state)])
    case_files.record_visit(990412, by=HEAD, effective=date(2025, 1, 7), kind="monitoring",
                            notes="Termly visit")
    fresh = SchoolCaseFiles(event_store_env(database_url), clock=FixedClock(),
                            working_days=case_files.working_days, scheme=case_files.scheme,
                            keyring=case_files.keyring)
    try:
        read_models = projections_on(fresh, database_url)
        read_models.catch_up()

        assert [p["lag"] for p in read_models.status()] == [0] * len(PROJECTIONS)
        assert [s["urn"] for s in read_models.set_aside()] == [990411]
        assert "KindNoLongerKnown" in read_models.set_aside()[0]["reason"]
        newest = read_models.store.recent_activity(1)[0]
        assert (newest["urn"], newest["event"]) == (990412, "VisitRecorded")
    finally:
        fresh.close()
