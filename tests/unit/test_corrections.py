"""Dates and corrections: the record is append-only; corrections are entries too."""

from datetime import UTC, date, datetime

import pytest

from domain.case_file import SchoolCaseFile
from domain.errors import CaseFileError
from tests.unit.builders import (
    a_maintained_school,
    eligible_by_warning_notice,
    event_names,
    issue_notice,
    refused,
    school_details,
    when,
)

MORNING = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)


def raise_concern(school, on=date(2024, 1, 8), **fields):
    fields = {"ground": "standards", "description": "Reading results fell by a third",
              "evidence": "KS2 2023", **fields}
    return school.raise_concern(when=when(on), **fields)


def test_effective_date_cannot_be_in_the_future():
    """Dates that depend on "now" enter as arguments: an entry records what has happened."""
    school = a_maintained_school()

    with refused(school, "The effective date 5 March 2024 is in the future"):
        school.raise_concern(
            when=when(date(2024, 3, 5), recorded_at=MORNING), ground="standards",
            description="Reading", evidence="",
        )
    with pytest.raises(CaseFileError, match="The effective date 5 March 2024 is in the future"):
        SchoolCaseFile.register(
            when=when(date(2024, 3, 5), recorded_at=MORNING), details=school_details()
        )


def test_no_entry_takes_effect_in_the_future():
    school = a_maintained_school()
    raise_concern(school)
    tomorrow = when(date(2024, 3, 5), recorded_at=MORNING)

    with refused(school, "is in the future"):
        school.change_details(when=tomorrow, changes={"pupils": 180})
    with refused(school, "is in the future"):
        school.link_successor(when=tomorrow, successor_urn=149001)
    with refused(school, "is in the future"):
        school.amend_entry(when=tomorrow, version=2, changes={"evidence": "KS2"}, reason="Typo")
    with refused(school, "is in the future"):
        school.retract_entry(when=tomorrow, version=2, reason="Wrong school")


def test_effective_date_cannot_precede_the_case_file():
    school = a_maintained_school(registered_on=date(2019, 9, 2))

    with refused(school, "is before the case file was opened (2 September 2019)"):
        raise_concern(school, on=date(2019, 8, 30))


def test_retracted_entry_drops_out_of_the_state_but_stays_in_the_log():
    school = a_maintained_school()
    concern = school.raise_concern(
        when=when(date(2024, 1, 8), recorded_at=datetime(2024, 1, 8, 10, tzinfo=UTC)),
        ground="standards", description="Reading results fell", evidence="",
    )

    school.retract_entry(
        when=when(date(2024, 1, 9), recorded_at=datetime(2024, 1, 9, 10, tzinfo=UTC)),
        version=2, reason="Wrong school",
    )

    assert concern not in school.state.concerns
    assert [type(e).__name__ for e in school.entries] == [
        "Registered", "ConcernRaised", "EntryRetracted"
    ]
    assert school.state.retracted == {2}
    assert concern in school.view(as_known_at=datetime(2024, 1, 8, 12, tzinfo=UTC)).concerns


def test_entry_is_retracted_once():
    school = a_maintained_school()
    raise_concern(school)
    school.retract_entry(when=when(date(2024, 1, 9)), version=2, reason="Wrong school")

    with refused(school, "Entry 2 was already retracted"):
        school.retract_entry(when=when(date(2024, 1, 10)), version=2, reason="Again")


def test_registration_and_corrections_cannot_be_corrected():
    school = a_maintained_school()
    raise_concern(school)
    school.retract_entry(when=when(date(2024, 1, 9)), version=2, reason="Wrong school")

    with refused(school, "The registration entry cannot be corrected"):
        school.retract_entry(when=when(date(2024, 1, 10)), version=1, reason="Wrong")
    with refused(school, "Entry 3 is itself a correction"):
        school.retract_entry(when=when(date(2024, 1, 10)), version=3, reason="Wrong")
    with refused(school, "There is no entry 9"):
        school.retract_entry(when=when(date(2024, 1, 10)), version=9, reason="Wrong")


def test_amendment_changes_wording_only():
    """What an entry decided stays as recorded; only its wording may be corrected."""
    school = a_maintained_school()
    concern = raise_concern(school)

    with refused(school, "ground cannot be amended on a ConcernRaised entry"):
        school.amend_entry(when=when(date(2024, 1, 9)), version=2,
                           changes={"ground": "finance"}, reason="Wrong ground")
    with refused(school, "Say what to change"):
        school.amend_entry(when=when(date(2024, 1, 9)), version=2, changes={}, reason="x")

    school.amend_entry(when=when(date(2024, 1, 9)), version=2,
                       changes={"description": "Reading results fell by a quarter"},
                       reason="Typo in the figure")

    assert school.state.concerns[concern].description == "Reading results fell by a quarter"
    assert school.state.concerns[concern].ground == "standards"
    assert school.entries[1].description == "Reading results fell by a third"


def test_retraction_refused_while_later_entries_rest_on_it():
    school = a_maintained_school()
    notice_id = issue_notice(school, date(2024, 1, 8))
    school.record_compliance(
        when=when(date(2024, 1, 20)), notice_id=notice_id, complied=True, evidence="Plan adopted"
    )

    with refused(school, "Entry 2 has later entries that rest on it (3); retract those first"):
        school.retract_entry(when=when(date(2024, 1, 22)), version=2, reason="Wrong school")

    school.retract_entry(when=when(date(2024, 1, 22)), version=3, reason="Recorded too soon")
    school.retract_entry(when=when(date(2024, 1, 22)), version=2, reason="Wrong school")
    assert school.state.warning_notices == {}


def test_msp_group_is_not_retracted_while_its_meetings_stand():
    school = a_maintained_school()
    school.establish_msp_group(when=when(date(2024, 1, 8)), members=["HSI"], cadence_weeks=6)
    school.hold_msp_meeting(when=when(date(2024, 2, 19)), attendees=["HSI"], minutes="Review")

    with refused(school, "Entry 2 has later entries that rest on it (3)"):
        school.retract_entry(when=when(date(2024, 2, 20)), version=2, reason="Wrong school")


def test_inspection_is_not_retracted_while_the_eligibility_it_gave_stands():
    school = a_maintained_school()
    school.record_inspection(when=when(date(2024, 2, 1)), inspected_on=date(2024, 1, 10),
                             overall=4, category="special measures")
    assert event_names(school)[-2:] == ["InspectionRecorded", "BecameEligible"]

    with refused(school, "Entry 2 has later entries that rest on it (3)"):
        school.retract_entry(when=when(date(2024, 2, 2)), version=2, reason="Other school's")

    school.retract_entry(when=when(date(2024, 2, 2)), version=3, reason="Other school's")
    school.retract_entry(when=when(date(2024, 2, 2)), version=2, reason="Other school's")
    assert school.state.inspections == [] and school.state.eligibility == {}


def test_as_known_at_leaves_out_later_recordings():
    """An auditor sees the file as it stood on a past day, before later (backdated) entries."""
    school = a_maintained_school()
    school.raise_concern(
        when=when(date(2024, 1, 8), recorded_at=datetime(2024, 1, 8, 10, tzinfo=UTC)),
        ground="standards", description="Reading", evidence="",
    )
    school.raise_concern(
        when=when(date(2024, 1, 5), recorded_at=datetime(2024, 2, 1, 10, tzinfo=UTC)),
        ground="safeguarding", description="Single central record gaps", evidence="",
    )

    known_in_january = school.view(as_known_at=datetime(2024, 1, 31, 17, tzinfo=UTC))
    assert [c.ground for c in known_in_january.concerns.values()] == ["standards"]
    assert [c.ground for c in school.state.concerns.values()] == ["safeguarding", "standards"]
    as_at_6th = school.view(as_at=date(2024, 1, 6))
    assert [c.ground for c in as_at_6th.concerns.values()] == ["safeguarding"]


def test_intervention_notice_is_not_retracted_while_the_eligibility_it_gave_stands():
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2024, 1, 8))
    assert event_names(school)[-2:] == ["InterventionNoticeGiven", "BecameEligible"]
    intervention, eligibility = len(school.entries) - 1, len(school.entries)

    with refused(school, f"Entry {intervention} has later entries that rest on it ({eligibility})"):
        school.retract_entry(when=when(date(2024, 2, 20)), version=intervention, reason="Early")


def test_secretary_of_state_notice_is_not_retracted_while_the_la_notice_stands_superseded():
    school = a_maintained_school()
    issue_notice(school, date(2024, 1, 8))
    issue_notice(school, date(2024, 1, 22), issuer="secretary of state")
    assert event_names(school)[-2:] == ["WarningNoticeIssued", "WarningNoticeSuperseded"]

    with refused(school, "Entry 3 has later entries that rest on it (4)"):
        school.retract_entry(when=when(date(2024, 1, 23)), version=3, reason="Wrong school")


def test_msp_meeting_is_not_retracted_while_its_actions_are_completed():
    school = a_maintained_school()
    school.establish_msp_group(when=when(date(2024, 1, 8)), members=["HSI"], cadence_weeks=6)
    school.hold_msp_meeting(
        when=when(date(2024, 2, 19)), attendees=["HSI"], minutes="Review",
        actions=[{"description": "Audit", "owner": "Head", "due": date(2024, 3, 1)}],
    )
    school.complete_msp_action(when=when(date(2024, 2, 28)), action_id="A1")

    with refused(school, "Entry 3 has later entries that rest on it (4)"):
        school.retract_entry(when=when(date(2024, 3, 4)), version=3, reason="Wrong school")


def test_ieb_is_not_retracted_while_entries_about_it_stand():
    school = a_maintained_school()
    school.record_inspection(when=when(date(2024, 2, 1)), inspected_on=date(2024, 1, 10),
                             overall=4, category="special measures")
    application = school.draft_ieb_application(when=when(date(2024, 2, 5)), rationale="SM")
    school.record_ieb_consultation(when=when(date(2024, 2, 6)), application_id=application,
                                   consultee="governing body", response="Opposed")
    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    school.record_ieb_decision(when=when(date(2024, 3, 4)), application_id=application,
                               consent=True)
    school.constitute_ieb(when=when(date(2024, 3, 11)), application_id=application,
                          members=["Ann Chair", "Bob Finance"],
                          instrument_on=date(2024, 3, 8), terms="Until 31 August 2025")
    constituted = len(school.entries)
    school.end_ieb(when=when(date(2025, 3, 11)), reason="New governing body in place")

    with refused(school, f"Entry {constituted} has later entries that rest on it "
                         f"({constituted + 1})"):
        school.retract_entry(when=when(date(2025, 3, 12)), version=constituted, reason="Error")


def test_concern_is_not_retracted_while_a_letter_cites_it():
    school = a_maintained_school()
    concern = raise_concern(school)
    school.send_letter_of_concern(when=when(date(2024, 1, 10)), concern_ids=[concern],
                                  summary="Reading standards")

    with refused(school, "Entry 2 has later entries that rest on it (3)"):
        school.retract_entry(when=when(date(2024, 1, 11)), version=2, reason="Wrong school")


def test_what_scc_recorded_itself_is_neither_retracted_nor_amended():
    """A reminder sent and a due date passing say what scc did (rule scc-own-entries): the
    web page offers no "Retract", and the API and command line are refused here."""
    from domain.areas.corrections import SCC_OWN_ENTRIES
    from tests.unit.builders import refused_by
    from tests.unit.test_deadlines import fire

    school = a_maintained_school()
    issue_notice(school, date(2026, 3, 2))
    fire(school, date(2026, 3, 23), "compliance:WN1", date(2026, 3, 30), days=5)
    fire(school, date(2026, 3, 31), "compliance:WN1", date(2026, 3, 30))
    reminder, passing = (e.originator_version for e in school.entries[-2:])
    assert event_names(school)[-2:] == ["ReminderSent", "DeadlinePassed"]

    # Check: both refused, naming the rule, and nothing recorded
    for version in (reminder, passing):
        with refused_by(school, SCC_OWN_ENTRIES, "recorded by scc itself"):
            school.retract_entry(when=when(date(2026, 4, 1)), version=version,
                                 reason="Sent in error")
        with refused_by(school, SCC_OWN_ENTRIES, "recorded by scc itself"):
            school.amend_entry(when=when(date(2026, 4, 1)), version=version,
                               changes={"due": "2026-04-01"}, reason="Wrong")
    # Check: the notice the reminders are about can still be corrected as before
    school.retract_entry(when=when(date(2026, 4, 1)), version=2, reason="Wrong school")
