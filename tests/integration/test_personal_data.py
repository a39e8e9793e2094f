"""Personal data in the append-only log: sealed under keys kept apart from it, kept as the
retention schedule says, held by legal holds, and erased, by two people's decision, by
destroying keys, with the hash chain still verifying."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.data_protection import SQLDecisionLog
from adapters.read_models import read_model_engine
from application.audit import verify
from application.data_protection import DataProtection
from application.entry_search import read_query
from application.recorders import operator
from domain.case_file import case_file_id
from domain.data_protection import DEFAULT_SCHEDULE, DataProtectionError
from domain.errors import CaseFileError
from domain.personal_data import erased
from tests.integration.test_projections import _close_stores, projections_on  # noqa: F401

CLOSING = 990301
STAYING = 990302
GOVERNOR = "Gwendolen Farraday-Price"
CHAIR = "Ravindra Okonkwo-Hale"
OFFICER = "Olu Adebayo-Marsh"


def school(case_files, urn: int, name: str) -> None:
    case_files.register_school(
        by=OFFICER, effective=date(2019, 9, 2), urn=urn, name=name, phase="Primary",
        establishment_type="Community school", governance="maintained", la_code="874")


@pytest.fixture
def recorded(case_files, clock):
    """Two schools naming the same governor; the first closes in August 2020."""
    clock.move_to(date(2020, 3, 2))
    school(case_files, CLOSING, "Fenwick Primary School")
    school(case_files, STAYING, "Aldgate Primary School")
    for urn in (CLOSING, STAYING):
        case_files.establish_msp_group(urn, by=OFFICER, effective=date(2020, 2, 3),
                                       members=[GOVERNOR, CHAIR], cadence_weeks=6)
        case_files.raise_concern(
            urn, by=OFFICER, effective=date(2020, 2, 10), ground="leadership and governance",
            description=f"Minutes show {GOVERNOR} challenged the budget alone",
            evidence="Governing body minutes, January 2020")
    case_files.set_task(CLOSING, by=OFFICER, effective=date(2020, 2, 11),
                        what="Meet the chair", owner_name=OFFICER,
                        owner_email="olu.adebayo-marsh@la.example", due=date(2020, 3, 31))
    clock.move_to(date(2020, 9, 1))
    case_files.change_school_details(CLOSING, by=OFFICER, effective=date(2020, 9, 1),
                                     closed_on=date(2020, 8, 31))
    return case_files


@pytest.fixture
def dp(recorded, database_url, clock) -> Iterator[DataProtection]:
    """The data protection decisions beside the case files, as bootstrap wires them."""
    engine = read_model_engine(database_url)
    yield DataProtection(recorded, SQLDecisionLog(engine), schedule=DEFAULT_SCHEDULE,
                         clock=clock)
    engine.dispose()


def stored_text(case_files) -> bytes:
    rows = case_files.recorder.select_notifications(1, 10_000)
    return b"".join(bytes(row.state) for row in rows)


def values(history: list[dict]) -> str:
    return repr([entry for entry in history])


def test_no_name_is_stored_in_the_log_and_each_reads_back_with_its_key(recorded):
    # Check the log's rows hold no name, free text or email, and the case file reads as said
    text = stored_text(recorded)
    for said in (GOVERNOR, CHAIR, OFFICER, "challenged the budget", "la.example"):
        assert said.encode() not in text
    assert GOVERNOR in values(recorded.history(STAYING))
    assert verify(recorded)["problems"] == []


def test_a_closed_schools_case_file_is_erased_six_years_on_except_a_held_person(
        recorded, dp, database_url, clock):
    backup = recorded.recorder.select_notifications(1, 10_000)  # a copy of the log, kept
    read_models = projections_on(recorded, database_url)
    read_models.catch_up()
    assert read_models.store.matching_entries(read_query(GOVERNOR.split()[0]), newest=10)

    # Check nothing is due while the school is within its six years (the other school is
    # still visited: its case file is not dormant)
    clock.move_to(date(2026, 8, 30))
    recorded.record_visit(STAYING, by=OFFICER, effective=date(2026, 7, 1),
                          kind="monitoring", notes="Governance much improved")
    assert dp.report() == []
    with pytest.raises(DataProtectionError, match="Nothing is due"):
        dp.propose(by=operator("Dee Protection", via="test"))

    # Check a hold placed meanwhile on the chair, found in the key store by name
    chair = recorded.keyring.store.people(CHAIR)
    assert [p["name"] for p in chair] == [CHAIR]
    hold = dp.place_hold(scope="person", target=chair[0]["person"],
                         reason="Inquiry into Fenwick governance, ref FG/2026/1",
                         by=operator("Dee Protection", via="test"))

    clock.move_to(date(2026, 9, 1))  # six years after the school closed
    (due,) = dp.report()
    assert (due.item.urn, due.item.rule, due.item.due) == (CLOSING, "closed-school",
                                                         date(2026, 8, 31))
    assert "1 person is held" in due.status
    destruction = dp.propose(by=operator("Dee Protection", via="test"))
    governors_key = next(
        material for record in recorded.keyring.store.key_records(case_file=case_file_id(CLOSING))
        if record.person == recorded.keyring.store.people(GOVERNOR)[0]["person"]
        for material in [recorded.keyring.store.keys([record.key_id])[record.key_id]])

    # Check the proposer cannot approve their own proposal
    with pytest.raises(CaseFileError, match="another person must approve it"):
        dp.approve(destruction, by=operator("dee  protection", via="test"))
    done = dp.approve(destruction, by=operator("Sam Approver", via="test"))
    assert done["case_files"] == 1 and done["people_kept"] == 1

    # Check the key's bytes are gone from the key store's files, not only unlinked
    if database_url.startswith("sqlite"):
        folder = Path(database_url.removeprefix("sqlite:///")).parent
        kept = b"".join(f.read_bytes() for f in folder.glob("scc-keys.sqlite3*"))
        assert kept and governors_key not in kept

    # Check the chain still verifies, and the erasure is on the record
    assert verify(recorded)["problems"] == []
    history = recorded.history(CLOSING)
    assert "Personal data erased under retention rule closed-school" in history[-1]["summary"]
    shown = values(history)
    assert GOVERNOR not in shown and OFFICER not in shown and "challenged" not in shown
    assert "[erased under retention rule closed-school (6 years after the school closed) " \
           "on 2026-09-01]" in shown
    assert CHAIR in shown  # under the hold: kept
    # Check the other school, naming the same governor, is untouched
    assert GOVERNOR in values(recorded.history(STAYING))

    # Check the search forgets the erased name on the next catch-up, for that school only
    read_models.catch_up()
    found = read_models.store.matching_entries(read_query(GOVERNOR.split()[0]), newest=10)
    assert {row["urn"] for row in found} == {STAYING}
    feed = [row for row in read_models.store.activity(limit=100) if row["urn"] == CLOSING]
    assert feed and not [row for row in feed if OFFICER in repr(row)]  # the activity feed too

    # Check the copy of the log taken before no longer reveals the names once the keys are gone
    entries = [recorded.mapper.to_domain_event(row) for row in backup]
    msp = next(e for e in entries if type(e).__name__ == "MSPGroupEstablished"
               and e.originator_id == entries[0].originator_id)
    assert [erased(m) is not None for m in msp.members] == [True, False]
    assert msp.members[1] == CHAIR

    # Check the decisions log is a chain, and what it recorded
    assert dp.problems() == []
    assert [d["action"] for d in dp.log()][:3] == [
        "records destroyed", "destruction approved", "destruction proposed"]
    assert dp.decisions().holds[hold].lifted_on is None

    # Check the school is not due again while the chair is held; once the hold is lifted, it
    # is, and the chair's part alone is erased (the first erasure's own record is kept)
    assert dp.report() == []
    dp.lift_hold(hold, reason="Inquiry reported", by=operator("Dee Protection", via="test"))
    (again,) = dp.report()
    assert again.item.urn == CLOSING
    second = dp.propose(by=operator("Dee Protection", via="test"))
    assert dp.approve(second, by=operator("Sam Approver", via="test"))["keys"] == 1
    history = recorded.history(CLOSING)
    assert CHAIR not in values(history) and "Sam Approver" in values(history)
    assert verify(recorded)["problems"] == [] and dp.report() == []


def test_a_hold_on_the_school_blocks_its_destruction_until_lifted(recorded, dp, clock):
    clock.move_to(date(2026, 12, 1))
    recorded.record_visit(STAYING, by=OFFICER, effective=date(2026, 12, 1),
                          kind="monitoring", notes="Governance much improved")
    hold = dp.place_hold(scope="school", target=CLOSING, reason="Claim 2026/77",
                         by=operator("Dee Protection", via="test"))
    clock.move_to(date(2027, 1, 4))
    (due,) = dp.report()
    assert due.status.startswith("held: legal hold H1 on school 990301 (Claim 2026/77)")
    with pytest.raises(DataProtectionError, match="Nothing is due"):
        dp.propose(by=operator("Dee Protection", via="test"))
    with pytest.raises(CaseFileError, match="under a legal hold H1"):
        dp.propose(by=operator("Dee Protection", via="test"), urns=[CLOSING])

    dp.lift_hold(hold, reason="Claim settled", by=operator("Dee Protection", via="test"))
    destruction = dp.propose(by=operator("Dee Protection", via="test"), urns=[CLOSING])
    # Check a hold placed after the proposal stops the approval
    dp.place_hold(scope="everything", reason="Public inquiry: do not destroy",
                  by=operator("Dee Protection", via="test"))
    with pytest.raises(CaseFileError, match="came under a legal hold H2 on everything"):
        dp.approve(destruction, by=operator("Sam Approver", via="test"))
    assert GOVERNOR in values(recorded.history(CLOSING))


def test_an_altered_decision_is_named(dp):
    dp.place_hold(scope="everything", reason="Inquiry", by=operator("Dee", via="test"))
    dp.place_hold(scope="school", target=STAYING, reason="Claim", by=operator("Dee", via="test"))
    with dp.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE data_protection_decisions SET details = "
                             "replace(details, 'Inquiry', 'Nothing') WHERE number = 1"))
    assert dp.problems() == ["data protection decision 1 was altered after it was recorded"]


def test_a_case_file_read_afresh_asks_the_key_store_once_for_all_its_keys(
        recorded, database_url, clock, working_days, scheme):
    # Check a reader that has no key yet fetches the case file's keys (its people's and its
    # free text's) in one query, then opens every value without asking again
    from adapters.event_store import event_store_env
    from adapters.key_store import SQLKeyStore, key_store_url
    from application.case_files import SchoolCaseFiles
    from application.personal_keys import Keyring

    class Counting(SQLKeyStore):
        asked: list[str] = []

        def keys(self, key_ids):
            self.asked.append("keys")
            return super().keys(key_ids)

        def case_file_keys(self, key_id):
            self.asked.append("case_file_keys")
            return super().case_file_keys(key_id)

    store = Counting(key_store_url(database_url, None), clock=clock)
    reader = SchoolCaseFiles(event_store_env(database_url), clock=clock,
                             working_days=working_days, scheme=scheme, keyring=Keyring(store))
    try:
        history = reader.history(CLOSING)
        assert GOVERNOR in values(history) and "olu.adebayo-marsh@la.example" in values(history)
        assert store.asked == ["case_file_keys"]
        reader.history(STAYING)
        assert store.asked == ["case_file_keys", "case_file_keys"]
    finally:
        reader.close()
        store.close()


def test_a_key_store_refusing_connections_is_a_store_failure_not_a_missing_school(
        recorded, database_url, clock, working_days, scheme):
    # Check a case file read while the key store's database cannot be reached fails as the
    # store does (the pages answer 503), not as "no school with this URN" (404)
    from eventsourcing.persistence import PersistenceError

    from adapters.event_store import event_store_env
    from adapters.key_store import SQLKeyStore, key_store_url
    from application.case_files import SchoolCaseFiles, SchoolNotFound
    from application.personal_keys import Keyring

    unreachable = SQLKeyStore(key_store_url(database_url, None), clock=clock)
    keyring = Keyring(unreachable, recheck=3600)  # the failure comes as entries are decoded
    reader = SchoolCaseFiles(event_store_env(database_url), clock=clock,
                             working_days=working_days, scheme=scheme, keyring=keyring)
    unreachable.engine.dispose()
    unreachable.engine = sa.create_engine("postgresql+psycopg://scc@127.0.0.1:1/keys")
    try:
        with pytest.raises(PersistenceError) as failed:
            reader.school(CLOSING)
        assert not isinstance(failed.value, SchoolNotFound)
        assert "key store could not be read" in str(failed.value)
    finally:
        reader.close()
        unreachable.close()
