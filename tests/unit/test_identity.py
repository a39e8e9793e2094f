"""Who recorded an entry, inside its hashed content; the user administration log's chain."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from domain import chain
from domain.administration import next_entry, problems
from domain.case_file import Entry, SchoolCaseFile
from domain.identity import Recorder
from tests.unit.builders import RECORDED_AT, school_details

CASEY = Recorder.account("Helen Marsh", account_id="7d1c6c1e-0000-4000-8000-000000000001",
                         email="notthehead@la.example")
HELEN = Recorder.account("Helen Marsh", account_id="7d1c6c1e-0000-4000-8000-000000000002",
                         email="helen@la.example")


def test_two_accounts_of_one_name_are_two_recorders_on_the_record():
    school = SchoolCaseFile.register(when=Entry(date(2019, 9, 2), HELEN, RECORDED_AT),
                                     details=school_details())
    school.record_visit(when=Entry(date(2026, 11, 20), CASEY, RECORDED_AT), kind="monitoring",
                        notes="Seen")

    registered, visited = school.entries
    assert registered.by == visited.by == "Helen Marsh"
    assert registered.actor["account"] != visited.actor["account"]
    assert visited.actor == {"account": "7d1c6c1e-0000-4000-8000-000000000001",
                             "email": "notthehead@la.example"}
    assert chain.first_broken_version(school.entries) is None

    # Check the link covers the actor: giving the visit to the head breaks it
    forged = _with(visited, actor=dict(registered.actor))
    assert chain.first_broken_version([registered, forged]) == 2


def test_an_entry_stored_before_identities_reads_and_links_as_stored():
    school = SchoolCaseFile.register(when=Entry(date(2019, 9, 2), "HSI", RECORDED_AT),
                                     details=school_details())
    (entry,) = school.entries
    old = {k: v for k, v in vars(entry).items() if k != "actor"}
    old["link"] = chain.link(chain.GENESIS, "SchoolCaseFile.Registered",
                             {k: v for k, v in old.items()
                              if k not in ("link", "originator_topic")})
    stored = object.__new__(type(entry))
    object.__setattr__(stored, "__dict__", old)  # as the event store reads an old row

    assert stored.actor is None and "actor" not in vars(stored)
    assert chain.first_broken_version([stored]) is None

    # Check a snapshot of it gives it back as stored, without an actor
    school._entries = [stored]
    snapshot = SchoolCaseFile.Snapshot.take(school)
    (restored,) = snapshot.mutate(None).entries
    assert vars(restored) == vars(stored)


def test_the_administration_log_names_an_edited_deleted_or_moved_entry():
    log, previous = [], None
    for n, action in enumerate(("user added", "user disabled", "user enabled")):
        previous = next_entry(previous, action=action, by="Adam Min",
                              subject={"account": "a1", "email": "casey@la.example"},
                              actor=HELEN.identity,
                              recorded_at=datetime(2026, 11, 23, 9, tzinfo=UTC)
                              + timedelta(minutes=n))
        log.append(previous)
    assert problems(log) == []

    edited = [log[0], dataclasses.replace(log[1], by="Someone Else"), log[2]]
    assert problems(edited) == ["administration entry 2 (user disabled): its content was "
                                "altered after it was recorded, or an entry before it was"]
    assert problems([log[0], log[2]]) == [
        "administration entry 2 is missing or out of order (found entry 3 in its place)"]
    assert problems([log[1], log[0], log[2]])[0].startswith("administration entry 1 is missing")


def _with(entry, **changes):
    copied = object.__new__(type(entry))
    object.__setattr__(copied, "__dict__", {**vars(entry), **changes})
    return copied
