"""Narrative scenarios through the application, on an SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from adapters.event_store import event_store_env
from application.case_files import ConcurrentChange, SchoolCaseFiles, SchoolNotFound
from domain.case_file import case_file_id
from domain.errors import CaseFileError
from tests.sign_off import approved

URN = 990101
HEAD = "Head of School Improvement"


def register(case_files: SchoolCaseFiles, urn: int = URN, **details) -> int:
    fields = {
        "urn": urn, "name": "Marsh Lane Primary", "phase": "Primary",
        "establishment_type": "Community school", "governance": "maintained",
        "la_code": "999", "pupils": 214, "opened_on": date(1974, 9, 1),
    }
    fields.update(details)
    return case_files.register_school(by=HEAD, effective=date(2019, 9, 2), **fields)


def reopen(case_files: SchoolCaseFiles, database_url: str) -> SchoolCaseFiles:
    """A second process on the same store: nothing shared but the database."""
    return SchoolCaseFiles(
        event_store_env(database_url), clock=case_files.clock,
        working_days=case_files.working_days, scheme=case_files.scheme,
        keyring=case_files.keyring,  # the key store beside the log, as bootstrap gives it
    )


def test_a_warning_notice_not_complied_with_leads_to_an_ieb(case_files, database_url):
    register(case_files)
    concern = case_files.raise_concern(
        URN, by=HEAD, effective=date(2025, 1, 13), ground="standards",
        description="Reading at KS2 has fallen three years running", evidence="KS2 data 2024",
    )
    for recipient in ("headteacher", "chair of governors"):
        case_files.communicate_concern(URN, by=HEAD, effective=date(2025, 1, 14),
                                       concern_id=concern, recipient=recipient)
    case_files.send_letter_of_concern(URN, by=HEAD, effective=date(2025, 1, 20),
                                      concern_ids=[concern], summary="Reading standards")

    # Check the compliance date counts working days: 10 from Mon 14 Apr 2025 skips
    # Good Friday (18 Apr) and Easter Monday (21 Apr).
    notice = approved(case_files, "issue_warning_notice",
        URN, by=HEAD, effective=date(2025, 4, 14), grounds=["a", "b"],
        matters="Standards unacceptably low; governors have not challenged",
        required_actions="Appoint a reading lead; governors' action plan",
        minded_action="Apply to replace the governing body with an IEB",
        compliance_period=10,
    )
    status = case_files.school(URN)
    assert status["warning_notices"][0]["compliance_date"] == date(2025, 4, 30)
    assert "warning notice WN1 open" in status["concern_reasons"]

    # Check failure to comply cannot be recorded while the period runs.
    with pytest.raises(CaseFileError, match="runs to 30 April 2025"):
        case_files.record_compliance(URN, by=HEAD, effective=date(2025, 4, 30),
                                     notice_id=notice, complied=False, evidence="None yet")
    case_files.record_compliance(URN, by=HEAD, effective=date(2025, 5, 1), notice_id=notice,
                                 complied=False, evidence="No action plan received")

    # Check eligibility needs the written notice of intervention (s60(1)(d)).
    with pytest.raises(CaseFileError, match="not eligible for intervention"):
        case_files.draft_ieb_application(URN, by=HEAD, effective=date(2025, 5, 2), rationale="x")
    approved(case_files, "give_intervention_notice", URN, by=HEAD, effective=date(2025, 5, 6),
             notice_id=notice, proposed_powers=["s65"],
             proposed_action="IEB under s65")
    assert [e["route"] for e in case_files.school(URN)["eligibility"]] == ["warning_notice"]

    application = case_files.draft_ieb_application(
        URN, by=HEAD, effective=date(2025, 5, 7), rationale="Governance has broken down")
    case_files.record_ieb_consultation(URN, by=HEAD, effective=date(2025, 5, 20),
                                       application_id=application, consultee="governing body",
                                       response="Opposed")
    approved(case_files, "submit_ieb_application", URN, by=HEAD, effective=date(2025, 6, 2),
             application_id=application)
    case_files.record_ieb_decision(URN, by=HEAD, effective=date(2025, 7, 1),
                                   application_id=application, consent=True)
    case_files.constitute_ieb(URN, by=HEAD, effective=date(2025, 9, 1),
                              application_id=application, members=["A. Khan", "B. Ortiz"],
                              term_ends_on=date(2027, 8, 31),
                              instrument_on=date(2025, 8, 29),
                              terms="Two years; expenses only")

    # Check another process reads the same case file back from the store.
    other = reopen(case_files, database_url)
    status = other.school(URN)
    assert status["ieb"]["members"] == ["A. Khan", "B. Ortiz"]
    assert status["ieb_applications"][0]["stage"] == "constituted"
    assert status["causing_concern"] is True
    events = [h["event"] for h in other.history(URN)]
    assert events == [
        "Registered", "ConcernRaised", "ConcernCommunicated", "ConcernCommunicated",
        # 2025: before the LA adopted sign-off, so each step went straight on the record
        "LetterOfConcernSent", "WarningNoticeIssued", "ComplianceRecorded",
        "InterventionNoticeGiven", "BecameEligible", "IEBApplicationDrafted",
        "IEBConsultationRecorded", "IEBApplicationSubmitted", "IEBConsentGiven",
        "IEBConstituted",
    ]
    other.close()


def test_as_at_a_date_and_as_known_at_a_time(case_files, clock):
    clock.move_to(datetime(2024, 9, 1, 10, tzinfo=UTC))
    register(case_files)
    clock.move_to(datetime(2024, 9, 10, 10, tzinfo=UTC))
    approved(case_files, "change_category", URN, by=HEAD, effective=date(2024, 9, 10), to="3a",
             reason="Autumn review")
    clock.move_to(datetime(2025, 1, 15, 10, tzinfo=UTC))
    approved(case_files, "change_category", URN, by=HEAD, effective=date(2025, 1, 15), to="4",
             reason="Safeguarding failures")
    before_correction = clock.now()
    clock.move_to(datetime(2025, 2, 3, 10, tzinfo=UTC))
    # Recorded late: the school had been 3b since December.
    approved(case_files, "change_category", URN, by=HEAD, effective=date(2024, 12, 2), to="3b",
             reason="December review, recorded late")

    # Check what was true on a date uses everything known now, in effective order.
    assert case_files.school(URN)["category"] == "4"
    assert case_files.school(URN, as_at=date(2024, 12, 20))["category"] == "3b"
    assert case_files.school(URN, as_at=date(2024, 10, 1))["category"] == "3a"
    # Check what the record said at a time leaves out what was recorded later.
    assert case_files.school(URN, as_at=date(2024, 12, 20),
                             as_known_at=before_correction)["category"] == "3a"
    assert len(case_files.history(URN, as_known_at=before_correction)) == 3
    assert [h["effective"] for h in case_files.history(URN, as_at=date(2024, 12, 31))] == [
        date(2019, 9, 2), date(2024, 9, 10), date(2024, 12, 2)]
    with pytest.raises(SchoolNotFound, match="had no case file on 1 January 2019"):
        case_files.school(URN, as_at=date(2019, 1, 1))


def test_the_overview_is_the_status_history_and_deadlines_read_together(case_files, clock):
    clock.move_to(datetime(2024, 9, 2, 10, tzinfo=UTC))
    register(case_files)
    approved(case_files, "issue_warning_notice", URN, by=HEAD, effective=date(2024, 9, 2), grounds=["a"],
             matters="Standards", required_actions="Plan",
             minded_action="IEB", compliance_period=15)
    case_files.raise_concern(URN, by=HEAD, effective=date(2024, 9, 2), ground="finance",
                             description="Deficit")
    case_files.retract_entry(URN, by=HEAD, version=3, reason="Raised against the wrong school")

    overview = case_files.overview(URN)

    assert overview.status == case_files.school(URN)
    assert overview.history == case_files.history(URN)
    assert overview.deadlines == case_files.deadlines(URN)
    assert overview.status["warning_notices"] and not overview.status["open_concerns"]
    assert [e["retracted"] for e in overview.history] == [False, False, True, False]
    with pytest.raises(SchoolNotFound):
        case_files.overview(URN + 1)


def test_the_overview_read_again_follows_each_new_entry_correction_and_day(
        case_files, clock, database_url):
    clock.move_to(datetime(2024, 9, 2, 10, tzinfo=UTC))
    register(case_files, closed_on=date(2024, 9, 3))
    first = case_files.overview(URN)
    assert case_files.overview(URN) == first  # read again, unchanged: the same page

    case_files.raise_concern(URN, by=HEAD, effective=date(2024, 9, 2), ground="finance",
                             description="Deficit")
    assert [e["event"] for e in case_files.overview(URN).history][-1] == "ConcernRaised"
    assert case_files.overview(URN).status["open_concerns"]

    case_files.retract_entry(URN, by=HEAD, version=2, reason="The wrong school")
    assert case_files.overview(URN).history[1]["retracted"]
    assert not case_files.overview(URN).status["open_concerns"]

    # Recorded by another process: read from the store on the next reading here
    other = reopen(case_files, database_url)
    try:
        other.record_visit(URN, by=HEAD, effective=date(2024, 9, 2), kind="monitoring",
                           notes="Met the head")
    finally:
        other.close()
    assert case_files.overview(URN).history[-1]["event"] == "VisitRecorded"

    # The school closes on 3 September: open today, closed the day after tomorrow
    assert case_files.overview(URN).status["is_open"]
    clock.move_to(datetime(2024, 9, 4, 10, tzinfo=UTC))
    overview = case_files.overview(URN)
    assert not overview.status["is_open"]
    assert overview.status == case_files.school(URN)
    assert overview.history == case_files.history(URN)
    assert overview.deadlines == case_files.deadlines(URN)


def test_bad_commands_say_why_and_record_nothing(case_files):
    register(case_files)
    register(case_files, urn=990102, name="Fen Academy", governance="academy")
    notice = approved(case_files, "issue_warning_notice",
        URN, by=HEAD, effective=date(2025, 3, 3), grounds=["c"], matters="Unsafe site",
        required_actions="Secure the site", minded_action="Suspend the budget",
        compliance_period=5)
    case_files.record_compliance(URN, by=HEAD, effective=date(2025, 3, 20), notice_id=notice,
                                 complied=True, evidence="Site secured")
    versions = {urn: case_files.version(urn) for urn in (URN, 990102)}

    refusals = [
        (lambda: case_files.raise_concern(123456, by=HEAD, ground="standards",
                                          description="x"), "No school with URN 123456"),
        (lambda: approved(case_files, "issue_warning_notice",
            990102, by=HEAD, grounds=["a"], matters="m", required_actions="r",
            minded_action="m", compliance_period=10), "is an academy"),
        (lambda: case_files.record_compliance(URN, by=HEAD, notice_id=notice, complied=True,
                                              evidence="again"), "already recorded"),
        (lambda: case_files.draft_ieb_application(URN, by=HEAD, rationale="x"),
         "not eligible for intervention"),
        (lambda: case_files.schedule_msp_meeting(URN, by=HEAD, meets_on=date(2026, 12, 1)),
         "has no MSP group"),
        (lambda: approved(case_files, "change_category", URN, by=HEAD, to="5", reason="x"),
         "not in the Peterborough scheme"),
        (lambda: case_files.raise_concern(URN, by=HEAD, effective=date(2027, 1, 1),
                                          ground="standards", description="x"), "in the future"),
    ]
    for command, message in refusals:
        with pytest.raises(CaseFileError, match=message):
            command()
    assert {urn: case_files.version(urn) for urn in versions} == versions


def test_a_stale_write_is_retried_against_the_fresh_case_file(case_files, database_url):
    register(case_files)
    other = reopen(case_files, database_url)
    case_files.school(URN)  # cache it
    interleaved = []

    def raise_concern_while_someone_else_writes(case_file, when):
        if not interleaved:
            interleaved.append(other.raise_concern(URN, by="Caseworker", ground="finance",
                                                   description="Deficit budget"))
        return case_file.raise_concern(when=when, ground="standards", description="Attendance")

    concern = case_files._change(URN, HEAD, None, raise_concern_while_someone_else_writes)

    # Check both entries were kept: the retry saw the other writer's concern first.
    assert (interleaved, concern) == (["C1"], "C2")
    assert [c["description"] for c in reopen(case_files, database_url).school(URN)[
        "open_concerns"]] == ["Deficit budget", "Attendance"]
    other.close()


def test_a_conflict_that_keeps_happening_is_reported_not_lost(case_files, database_url):
    register(case_files)
    other = reopen(case_files, database_url)

    def always_overtaken(case_file, when):
        other.raise_concern(URN, by="Caseworker", ground="finance", description="Deficit")
        return case_file.raise_concern(when=when, ground="standards", description="Attendance")

    with pytest.raises(ConcurrentChange, match="nothing was recorded"):
        case_files._change(URN, HEAD, None, always_overtaken)
    descriptions = [c["description"] for c in case_files.school(URN)["open_concerns"]]
    assert descriptions == ["Deficit"] * SchoolCaseFiles.attempts
    other.close()


def test_a_long_case_file_loads_the_same_from_a_snapshot(case_files, database_url):
    register(case_files)
    case_files.establish_msp_group(URN, by=HEAD, effective=date(2020, 1, 6),
                                   members=["Chair", "Adviser"], cadence_weeks=2)
    day = date(2020, 1, 13)
    for n in range(130):
        case_files.hold_msp_meeting(URN, by=HEAD, effective=day, attendees=["Chair"],
                                    minutes=f"Meeting {n}")
        day = date.fromordinal(day.toordinal() + 14)
    assert case_files.snapshots is not None
    assert [s.originator_version for s in case_files.snapshots.get(case_file_id(URN))] == [100]

    fresh = reopen(case_files, database_url)
    assert fresh.school(URN) == case_files.school(URN)
    assert fresh.school(URN)["msp"]["last_meeting"]["minutes"] == "Meeting 129"
    fresh.close()


def test_an_academy_conversion_keeps_both_urns_linked(case_files):
    register(case_files)
    case_files.raise_concern(URN, by=HEAD, effective=date(2023, 5, 2), ground="finance",
                             description="Deficit")
    case_files.convert_to_academy(URN, by=HEAD, effective=date(2024, 9, 1), new_urn=990555,
                                  name="Marsh Lane Academy")

    old, new = case_files.school(URN), case_files.school(990555)
    assert (old["successor_urn"], old["closed_on"]) == (990555, date(2024, 8, 31))
    assert (new["predecessor_urn"], new["governance"]) == (URN, "academy")
    # Check the old history stays reachable and the closed school takes no new entries.
    assert case_files.history(URN)[1]["event"] == "ConcernRaised"
    with pytest.raises(CaseFileError, match="closed on 31 August 2024"):
        case_files.raise_concern(URN, by=HEAD, ground="standards", description="x")
    with pytest.raises(CaseFileError, match="already has a case file"):
        case_files.convert_to_academy(990555, by=HEAD, effective=date(2024, 9, 2),
                                      new_urn=URN)
