"""Eligibility for intervention (EIA 2006 s59-s60B) and the LA's powers (ss63-66)."""

from datetime import date

from application.views import summarise
from domain.areas.eligibility import add_months
from domain.areas.warning_notices import InterventionNoticeGiven
from domain.deadlines import DeadlinePolicy
from tests.unit.builders import (
    WORKING_DAYS,
    a_maintained_school,
    an_academy,
    day_after,
    eligible_by_warning_notice,
    event_names,
    give_intervention_notice,
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

    give_intervention_notice(school, after, notice_id)

    eligibility = school.state.eligibility["warning_notice"]
    assert eligibility.since == after
    assert notice_id in eligibility.basis
    assert event_names(school)[-2:] == ["InterventionNoticeGiven", "BecameEligible"]


def test_intervention_notice_needs_recorded_non_compliance():
    """s60(1)(c): the governing body must have failed to comply by the end of the period."""
    school = a_maintained_school()
    notice_id = issue_notice(school, date(2024, 1, 8))

    with refused(school, "Record that the school failed to comply"):
        give_intervention_notice(school, date(2024, 3, 1), notice_id)

    school.record_compliance(
        when=when(date(2024, 1, 20)), notice_id=notice_id, complied=True, evidence="Plan adopted"
    )
    with refused(school, "Record that the school failed to comply"):
        give_intervention_notice(school, date(2024, 3, 1), notice_id)


def test_intervention_notice_is_given_once_per_warning_notice():
    school = a_maintained_school()
    notice_id = eligible_by_warning_notice(school, date(2024, 1, 8))

    with refused(school, f"Notice of intervention after {notice_id} was already given"):
        give_intervention_notice(school, date(2024, 3, 1), notice_id)


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

    school.record_arrangements_consultation(
        when=when(date(2024, 3, 1)), consultee="governing body", response="Agrees to collaborate")
    school.exercise_power(when=when(last_day), power="s63", details="Collaboration with Oakdale")
    assert [p.power for p in school.state.powers] == ["s63"]


def test_s63_is_not_available_on_a_pay_and_conditions_notice_alone():
    """s63(1): the power is exercisable if the school is eligible "other than by virtue of
    section 60A"; a failed s60A notice opens ss64-66 only (s60A(1)(e))."""
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2024, 1, 8), section="s60A", grounds=[])

    with refused(school, "s60A"):
        school.exercise_power(when=when(date(2024, 2, 12)), power="s63", details="Federation")

    school.exercise_power(when=when(date(2024, 2, 13)), power="s64", details="Two governors")
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
        members=["Ann Chair", "Bob Finance"], instrument_on=date(2024, 3, 11),
        terms="Unpaid",
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


# s64(2): two months for additional governors after a warning notice ------------------------

def test_s64_window_only_within_two_months_after_the_compliance_period():
    """s64(2): where eligible by virtue of s60 or s60A, additional governors may be appointed
    only within two months following the end of the compliance period (ends Mon 5 Feb 2024;
    last day Fri 5 Apr 2024)."""
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2024, 1, 8))

    with refused(school, "could be appointed only until 5 April 2024"):
        school.exercise_power(when=when(date(2024, 4, 6)), power="s64", details="Two governors")

    school.exercise_power(when=when(date(2024, 4, 5)), power="s64", details="Two governors")
    assert [p.power for p in school.state.powers] == ["s64"]


def test_s64_window_applies_after_a_pay_and_conditions_notice_too():
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2024, 1, 8), section="s60A", grounds=[])

    with refused(school, "could be appointed only until 5 April 2024"):
        school.exercise_power(when=when(date(2024, 9, 2)), power="s64", details="Two governors")


def test_s64_window_from_the_31st_ends_on_the_last_day_of_february():
    """Comply by Tue 31 Dec 2024 (given Tue 17 Dec: 18-20, 23, 24, 27, 30, 31 Dec = 8
    working days): two months on there is no 31 February, so the last day is Fri 28 Feb 2025.
    Notice of intervention Thu 2 Jan 2025; powers from Thu 9 Jan (3, 6, 7, 8, 9 Jan)."""
    school = a_maintained_school()
    notice_id = issue_notice(school, date(2024, 12, 17), compliance_period=None,
                             compliance_date=date(2024, 12, 31))
    assert school.state.warning_notices[notice_id].compliance_period == 8
    school.record_compliance(when=when(date(2025, 1, 2)), notice_id=notice_id, complied=False,
                             evidence="No plan")
    give_intervention_notice(school, date(2025, 1, 2), notice_id)
    assert add_months(date(2024, 12, 31), 2) == date(2025, 2, 28)
    assert add_months(date(2023, 12, 31), 2) == date(2024, 2, 29)  # a leap year

    with refused(school, "could be appointed only until 28 February 2025"):
        school.exercise_power(when=when(date(2025, 3, 1)), power="s64", details="Governors")

    school.exercise_power(when=when(date(2025, 2, 28)), power="s64", details="Governors")


def test_s64_window_does_not_bind_when_the_school_is_also_in_special_measures():
    """s64(2) limits the power only where the school is eligible by virtue of the notice."""
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2024, 1, 8))
    in_special_measures(school, date(2024, 6, 3), inspected_on=date(2024, 5, 1))

    school.exercise_power(when=when(date(2024, 7, 1)), power="s64", details="Two governors")
    assert [p.power for p in school.state.powers] == ["s64"]


# s60(1)(d): the powers the notice of intervention proposed, after reasonable notice --------

def test_s60_1d_power_proposed_the_power_used_is_one_the_notice_proposed():
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2024, 1, 8), proposed_powers=["s64"])

    with refused(school, "did not propose to suspend the delegated budget (s66)"):
        school.exercise_power(when=when(date(2024, 2, 13)), power="s66", details="Budget")

    school.exercise_power(when=when(date(2024, 2, 13)), power="s64", details="Two governors")


def test_s60_1d_power_proposed_a_notice_of_intervention_must_choose_its_powers():
    school = a_maintained_school()
    notice_id = issue_notice(school, date(2024, 1, 8))
    school.record_compliance(when=when(date(2024, 2, 6)), notice_id=notice_id, complied=False,
                             evidence="No plan")

    with refused(school, "Choose the powers the notice says the authority proposes to use"):
        give_intervention_notice(school, date(2024, 2, 6), notice_id, [])
    with refused(school, "Proposed power must be one of"):
        give_intervention_notice(school, date(2024, 2, 6), notice_id, ["early_inspection"])


def test_s60_1d_power_proposed_is_not_checked_on_an_older_notice_without_a_list():
    """An InterventionNoticeGiven stored before the powers were a list is upcast with
    proposed_powers None ("not recorded"): any power, at any time after it."""
    school = a_maintained_school()
    notice_id = issue_notice(school, date(2024, 1, 8))
    school.record_compliance(when=when(date(2024, 2, 6)), notice_id=notice_id, complied=False,
                             evidence="No plan")
    old = {"notice_id": notice_id, "proposed_action": "Additional governors"}
    InterventionNoticeGiven.upcast_v1_v2(old)
    school._record(school.InterventionNoticeGiven, when=when(date(2024, 2, 6)), **old)
    school._record(school.BecameEligible, when=when(date(2024, 2, 6)), route="warning_notice",
                   basis="older entry")

    school.exercise_power(when=when(date(2024, 2, 6)), power="s66", details="Budget")
    assert "powers proposed not recorded" in summarise(school.pending_events[-3])


def test_s60_1d_reasonable_notice_before_a_proposed_power_is_used():
    """Notice of intervention Tue 6 Feb 2024; 5 working days (7, 8, 9, 12, 13 Feb): powers
    from Tue 13 Feb 2024; with a 10-day policy, from Tue 20 Feb 2024."""
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2024, 1, 8))
    assert school.state.warning_notices["WN1"].powers_from == date(2024, 2, 13)

    with refused(school, "the power can be used from 13 February 2024, after reasonable "
                         "notice"):
        school.exercise_power(when=when(date(2024, 2, 12)), power="s64", details="Governors")
    school.exercise_power(when=when(date(2024, 2, 13)), power="s64", details="Governors")

    patient = a_maintained_school()
    notice_id = issue_notice(patient, date(2024, 1, 8))
    patient.record_compliance(when=when(date(2024, 2, 6)), notice_id=notice_id,
                              complied=False, evidence="No plan")
    patient.give_intervention_notice(
        when=when(date(2024, 2, 6)), notice_id=notice_id, proposed_powers=["s64"],
        working_days=WORKING_DAYS, policy=DeadlinePolicy(reasonable_notice_working_days=10))
    assert patient.state.warning_notices[notice_id].powers_from == date(2024, 2, 20)
    assert ("proposes to appoint additional governors (s64), from 20 February 2024"
            in summarise(patient.pending_events[-2]))


def test_s60_1d_power_proposed_an_ieb_only_when_the_notice_of_intervention_proposed_one():
    """On eligibility by a warning notice alone, an IEB (s65) is prepared only if the notice
    of intervention (Tue 6 Feb 2024) proposed one."""
    school = a_maintained_school()
    eligible_by_warning_notice(school, date(2024, 1, 8), proposed_powers=["s64"])
    with refused(school, "did not propose to replace the governing body with an interim "
                         "executive board (s65)"):
        school.draft_ieb_application(when=when(date(2024, 2, 20)), rationale="Governance")

    proposing = a_maintained_school()
    eligible_by_warning_notice(proposing, date(2024, 1, 8), proposed_powers=["s64", "s65"])
    assert proposing.draft_ieb_application(when=when(date(2024, 2, 6)),
                                           rationale="Governance") == "IEB1"
