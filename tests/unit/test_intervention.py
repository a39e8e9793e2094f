"""Eligibility for intervention (EIA 2006 s59-s60B) and the LA's powers (ss63-66)."""

from datetime import date

from domain.areas.eligibility import add_months
from tests.unit.builders import (
    a_maintained_school,
    an_academy,
    day_after,
    eligible_by_warning_notice,
    event_names,
    in_special_measures,
    issue_notice,
    refused,
    when,
)


def test_written_notice_of_intervention_makes_school_eligible():
    """s60(1)(a)-(d): notice given, period expired, failure to comply, and reasonable written
    notice that the authority proposes to use its powers."""
    school = a_maintained_school()
    notice_id = issue_notice(school, date(2024, 1, 8))
    after = day_after(school.state.warning_notices[notice_id].compliance_date)
    school.record_compliance(
        when=when(after), notice_id=notice_id, complied=False, evidence="No plan adopted"
    )
    assert "warning_notice" not in school.state.eligibility

    school.give_intervention_notice(
        when=when(after), notice_id=notice_id, proposed_action="Appoint additional governors"
    )

    eligibility = school.state.eligibility["warning_notice"]
    assert eligibility.since == after
    assert notice_id in eligibility.basis
    assert event_names(school)[-2:] == ["InterventionNoticeGiven", "BecameEligible"]


def test_intervention_notice_needs_recorded_non_compliance():
    """s60(1)(c): the governing body must have failed to comply by the end of the period."""
    school = a_maintained_school()
    notice_id = issue_notice(school, date(2024, 1, 8))

    with refused(school, "Record that the school failed to comply"):
        school.give_intervention_notice(
            when=when(date(2024, 3, 1)), notice_id=notice_id, proposed_action="Additional governors"
        )

    school.record_compliance(
        when=when(date(2024, 1, 20)), notice_id=notice_id, complied=True, evidence="Plan adopted"
    )
    with refused(school, "Record that the school failed to comply"):
        school.give_intervention_notice(
            when=when(date(2024, 3, 1)), notice_id=notice_id, proposed_action="Additional governors"
        )


def test_intervention_notice_is_given_once_per_warning_notice():
    school = a_maintained_school()
    notice_id = eligible_by_warning_notice(school, date(2024, 1, 8))

    with refused(school, f"Notice of intervention after {notice_id} was already given"):
        school.give_intervention_notice(
            when=when(date(2024, 3, 1)), notice_id=notice_id, proposed_action="Budget suspension"
        )


def test_coasting_school_is_eligible_for_intervention():
    """s60B: a school the regulations define as coasting, once the Secretary of State has
    notified its governing body, is eligible for intervention."""
    school = a_maintained_school()

    school.record_coasting(when=when(date(2024, 1, 8)), basis="Coasting regulations 2022",
                           notified_on=date(2024, 1, 5))

    assert "coasting" in school.state.eligibility
    with refused(school, "already recorded as coasting"):
        school.record_coasting(when=when(date(2024, 2, 8)), basis="Again",
                               notified_on=date(2024, 2, 8))


def test_s63_only_within_two_months_after_compliance_period():
    """s63(3): where eligible by virtue of s60, arrangements may be required only within two
    months following the end of the compliance period."""
    school = a_maintained_school()
    notice_id = eligible_by_warning_notice(school, date(2024, 1, 8))
    compliance_ends = school.state.warning_notices[notice_id].compliance_date
    last_day = add_months(compliance_ends, 2)
    assert (compliance_ends, last_day) == (date(2024, 2, 5), date(2024, 4, 5))

    with refused(school, "could be required only until 5 April 2024"):
        school.exercise_power(
            when=when(day_after(last_day)), power="s63", details="Collaboration with Oakdale"
        )

    school.exercise_power(when=when(last_day), power="s63", details="Collaboration with Oakdale")
    assert [p.power for p in school.state.powers] == ["s63"]


def test_s63_is_not_available_on_a_pay_and_conditions_notice_alone():
    """s63(1): the power is exercisable if the school is eligible "other than by virtue of
    section 60A"; a failed s60A notice opens ss64-66 only (s60A(1)(e))."""
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2024, 1, 8), section="s60A", grounds=[])

    with refused(school, "s60A"):
        school.exercise_power(when=when(date(2024, 2, 12)), power="s63", details="Federation")

    school.exercise_power(when=when(date(2024, 2, 12)), power="s64", details="Two governors")
    assert [p.power for p in school.state.powers] == ["s64"]


def test_s64_not_while_ieb_in_place():
    """s64: additional governors cannot be appointed while an interim executive board is in
    place (the IEB replaces the governing body, s65)."""
    school = a_maintained_school()
    in_special_measures(school, date(2024, 2, 1), inspected_on=date(2024, 1, 10))
    application = school.draft_ieb_application(when=when(date(2024, 2, 5)), rationale="SM")
    school.record_ieb_consultation(
        when=when(date(2024, 2, 6)), application_id=application, consultee="governing body",
        response="Opposed",
    )
    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    school.record_ieb_decision(
        when=when(date(2024, 3, 4)), application_id=application, consent=True
    )
    school.constitute_ieb(
        when=when(date(2024, 3, 11)), application_id=application,
        members=["Ann Chair", "Bob Finance"],
    )

    with refused(school, "while an interim executive board is in place (s64)"):
        school.exercise_power(when=when(date(2024, 4, 1)), power="s64", details="Two governors")


def test_la_powers_only_for_maintained_schools():
    """s59(1): Part 4 applies to maintained schools; academies answer to the Secretary of State."""
    academy = an_academy()

    with refused(academy, "Intervention powers are for maintained schools"):
        academy.exercise_power(when=when(date(2024, 4, 1)), power="s66", details="Budget")


def test_powers_need_eligibility():
    """s59(2), ss63-66: the LA's powers are exercisable only when the school is eligible."""
    school = a_maintained_school()

    with refused(school, "is not eligible for intervention (s59)"):
        school.exercise_power(when=when(date(2024, 4, 1)), power="s66", details="Budget")


def test_early_inspection_request_needs_a_concern_or_eligibility():
    """Local practice (Peterborough 2013): an early inspection is asked for on a concern."""
    school = a_maintained_school()

    with refused(school, "needs an open concern or eligibility"):
        school.exercise_power(when=when(date(2024, 4, 1)), power="early_inspection", details="x")

    school.raise_concern(
        when=when(date(2024, 4, 1)), ground="standards", description="Phonics check 40%",
        evidence="",
    )
    school.exercise_power(when=when(date(2024, 4, 2)), power="early_inspection", details="HMI")
    assert [p.power for p in school.state.powers] == ["early_inspection"]


def test_power_must_be_one_the_la_has():
    school = a_maintained_school()

    with refused(school, "Power must be one of"):
        school.exercise_power(when=when(date(2024, 4, 1)), power="s68", details="Closure")
