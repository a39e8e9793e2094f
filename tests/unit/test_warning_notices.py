"""Warning notices: EIA 2006 s60 (standards and safety) and s60A (pay and conditions)."""

from datetime import date

from application.views import summarise
from domain.areas.warning_notices import expected_copies
from domain.deadlines import DeadlinePolicy
from tests.unit.builders import (
    PETERBOROUGH,
    WORKING_DAYS,
    a_church_school,
    a_maintained_school,
    an_academy,
    day_after,
    eligible_by_warning_notice,
    event_names,
    give_intervention_notice,
    issue_notice,
    refused,
    when,
)


def test_warning_notice_cannot_be_given_to_an_academy():
    """s59(1): Part 4 powers are for maintained schools; an academy's notices are not the LA's."""
    academy = an_academy()

    with refused(academy, "Warning notices are for maintained schools"):
        issue_notice(academy, date(2024, 1, 8))


def test_s60_notice_rests_on_at_least_one_ground_of_s60_2():
    """s60(2)(a)-(c): low standards, breakdown in management or governance, safety."""
    school = a_maintained_school()

    with refused(school, "Choose at least one ground"):
        issue_notice(school, date(2024, 1, 8), grounds=[])
    with refused(school, "Ground must be one of: a, b, c"):
        issue_notice(school, date(2024, 1, 8), grounds=["d"])


def test_s60A_notice_takes_no_s60_grounds():
    """s60A(2): a pay and conditions notice rests on the pay order, not on s60(2)."""
    school = a_maintained_school()

    with refused(school, "An s60A notice rests on pay and conditions"):
        issue_notice(school, date(2024, 1, 8), section="s60A", grounds=["a"])

    notice_id = issue_notice(school, date(2024, 1, 8), section="s60A", grounds=[])
    assert school.state.warning_notices[notice_id].section == "s60A"


def test_s60A_notice_is_given_only_by_the_local_authority():
    """s60A(2) as amended by the Education and Adoption Act 2016: only a local authority may
    give a teachers' pay and conditions warning notice."""
    school = a_maintained_school()

    with refused(school, "Only the local authority may give an s60A"):
        issue_notice(
            school, date(2024, 1, 8), section="s60A", grounds=[], issuer="secretary of state"
        )


def test_notice_states_the_matters_the_action_required_and_the_action_minded():
    """s60(4): the notice sets out the matters, the action required and the action minded."""
    school = a_maintained_school()

    with refused(school, "Enter the matters relied on"):
        issue_notice(school, date(2024, 1, 8), matters=" ")
    with refused(school, "Enter the required action"):
        issue_notice(school, date(2024, 1, 8), required_actions="")
    with refused(school, "Enter the action the authority is minded to take"):
        issue_notice(school, date(2024, 1, 8), minded_action="")


def test_notice_before_18_april_2016_has_fixed_15_working_day_period():
    """s60(1)(b) as enacted: "the period beginning with the day on which the warning notice is
    given and ending with the fifteenth working day following that day" (until SI 2016/466).

    Given Thu 10 March 2016: Fri 11 (1), 14-18 March (2-6), 21-24 March (7-10), Good Friday
    25 and Easter Monday 28 March skipped, 29 March-1 April (11-14), Mon 4 April (15).
    """
    school = a_maintained_school(registered_on=date(2015, 9, 1))

    with refused(school, "fixed compliance period of 15 working days, not 20"):
        issue_notice(school, date(2016, 3, 10), compliance_period=20)

    notice_id = issue_notice(school, date(2016, 3, 10), compliance_period=None)
    notice = school.state.warning_notices[notice_id]
    assert notice.compliance_period == 15
    assert notice.compliance_date == date(2016, 4, 4)


def test_last_notice_under_the_old_rules_is_given_on_15_april_2016():
    """Fri 15 April 2016 is the last day before SI 2016/466 commenced on Mon 18 April 2016."""
    school = a_maintained_school(registered_on=date(2015, 9, 1))

    with refused(school, "fixed compliance period"):
        issue_notice(school, date(2016, 4, 15), compliance_period=30)


def test_notice_from_2016_uses_the_period_the_issuer_sets():
    """s60(4)(c) as amended by the Education and Adoption Act 2016, from 18 April 2016.

    Given Mon 18 April 2016, 30 working days: 19-22 April (1-4), 25-29 April (5-9), May Day
    Mon 2 May skipped, 3-6 May (10-13), 9-27 May (14-28), Spring bank holiday Mon 30 May
    skipped, Tue 31 May (29), Wed 1 June (30).
    """
    school = a_maintained_school(registered_on=date(2015, 9, 1))

    with refused(school, "Set the compliance period"):
        issue_notice(school, date(2016, 4, 18), compliance_period=None)
    with refused(school, "at least one working day"):
        issue_notice(school, date(2016, 4, 18), compliance_period=0)

    notice_id = issue_notice(school, date(2016, 4, 18), compliance_period=30)
    notice = school.state.warning_notices[notice_id]
    assert (notice.compliance_period, notice.compliance_date) == (30, date(2016, 6, 1))


def test_notice_is_copied_to_ofsted_unless_told_otherwise():
    """s60(6): copies go to the Chief Inspector (Ofsted)."""
    school = a_maintained_school()

    notice_id = issue_notice(school, date(2024, 1, 8))

    assert school.state.warning_notices[notice_id].copies_to == ["Ofsted"]


def test_non_compliance_only_after_the_compliance_period_ends():
    """s60(1)(b)-(c): failure to comply is judged once the compliance period has expired."""
    school = a_maintained_school()
    notice_id = issue_notice(school, date(2024, 1, 8))
    last_day = school.state.warning_notices[notice_id].compliance_date

    with refused(school, "failure to comply can be recorded only after it ends"):
        school.record_compliance(
            when=when(last_day), notice_id=notice_id, complied=False, evidence="No plan"
        )

    school.record_compliance(
        when=when(day_after(last_day)), notice_id=notice_id, complied=False, evidence="No plan"
    )
    assert school.state.warning_notices[notice_id].status == "not complied with"


def test_compliance_can_be_recorded_before_the_period_ends():
    school = a_maintained_school()
    notice_id = issue_notice(school, date(2024, 1, 8))

    school.record_compliance(
        when=when(date(2024, 1, 15)), notice_id=notice_id, complied=True,
        evidence="Plan adopted by the full governing body",
    )

    assert school.state.warning_notices[notice_id].status == "complied with"


def test_compliance_cannot_be_recorded_twice():
    school = a_maintained_school()
    notice_id = issue_notice(school, date(2024, 1, 8))
    school.record_compliance(
        when=when(date(2024, 1, 15)), notice_id=notice_id, complied=True, evidence="Plan adopted"
    )

    with refused(school, "was already recorded on 15 January 2024"):
        school.record_compliance(
            when=when(date(2024, 3, 1)), notice_id=notice_id, complied=False, evidence="Lapsed"
        )


def test_compliance_is_not_recorded_against_a_withdrawn_notice():
    school = a_maintained_school()
    notice_id = issue_notice(school, date(2024, 1, 8))
    school.withdraw_warning_notice(
        when=when(date(2024, 1, 10)), notice_id=notice_id, reason="Issued to the wrong school"
    )

    with refused(school, f"Warning notice {notice_id} is withdrawn"):
        school.record_compliance(
            when=when(date(2024, 1, 15)), notice_id=notice_id, complied=True, evidence="Plan"
        )


def test_secretary_of_state_notice_supersedes_open_la_notice():
    """s60(4B): an earlier LA warning notice ceases to have effect when the Secretary of
    State gives one."""
    school = a_maintained_school()
    la_notice = issue_notice(school, date(2024, 1, 8))

    sos_notice = issue_notice(school, date(2024, 1, 22), issuer="secretary of state")

    notices = school.state.warning_notices
    assert notices[la_notice].status == "superseded"
    assert notices[la_notice].superseded_by == sos_notice
    assert notices[sos_notice].status == "open"
    assert event_names(school)[-1] == "WarningNoticeSuperseded"


def test_secretary_of_state_notice_leaves_a_pay_and_conditions_notice_in_force():
    """s60(4B) speaks of s60 warning notices; an s60A notice is a different notice."""
    school = a_maintained_school()
    pay_notice = issue_notice(school, date(2024, 1, 8), section="s60A", grounds=[])

    issue_notice(school, date(2024, 1, 22), issuer="secretary of state")

    assert school.state.warning_notices[pay_notice].status == "open"


def test_la_needs_secretary_of_state_agreement_after_sos_notice():
    """s60(4A): once told the Secretary of State gave a warning notice, the LA may not give
    one unless or until the Secretary of State informs them that they may."""
    school = a_maintained_school()
    issue_notice(school, date(2024, 1, 8), issuer="secretary of state")

    with refused(school, "only with the Secretary of State's agreement"):
        issue_notice(school, date(2024, 2, 5))

    notice_id = issue_notice(school, date(2024, 2, 5), with_secretary_of_state_agreement=True)
    assert school.state.warning_notices[notice_id].issuer == "local authority"


def test_la_still_needs_agreement_after_the_sos_notice_is_complied_with():
    """s60(4A) bars the LA "unless or until" the Secretary of State agrees, not only while the
    Secretary of State's notice is open."""
    school = a_maintained_school()
    sos_notice = issue_notice(school, date(2024, 1, 8), issuer="secretary of state")
    school.record_compliance(
        when=when(date(2024, 1, 30)), notice_id=sos_notice, complied=True, evidence="Plan adopted"
    )

    with refused(school, "only with the Secretary of State's agreement"):
        issue_notice(school, date(2024, 6, 3))


def test_la_may_give_a_pay_and_conditions_notice_after_a_sos_notice():
    """s60(4A) restricts s60 notices; s60A notices are the LA's alone."""
    school = a_maintained_school()
    issue_notice(school, date(2024, 1, 8), issuer="secretary of state")

    notice_id = issue_notice(school, date(2024, 2, 5), section="s60A", grounds=[])

    assert school.state.warning_notices[notice_id].status == "open"


def test_compliance_period_skips_the_christmas_holidays():
    """The 15 working days of an old notice given Thu 11 Dec 2014 skip 25, 26 Dec and 1 Jan:
    12, 15-19, 22-24, 29-31 Dec (1-12), 2, 5, 6 Jan (13-15)."""
    school = a_maintained_school(registered_on=date(2014, 9, 1))

    notice_id = issue_notice(school, date(2014, 12, 11), compliance_period=None)

    assert school.state.warning_notices[notice_id].compliance_date == date(2015, 1, 6)


# s60(4B): the Secretary of State's notice ends every earlier LA notice --------------------

def test_s60_4B_supersedes_a_failed_la_notice_so_no_notice_of_intervention_follows_on_it():
    """s60(4B): "any earlier warning notice given ... by the local authority ceases to have
    effect", not only an open one. An LA notice already not complied with is superseded, and
    no notice of intervention (so no eligibility) can then rest on it."""
    school = a_maintained_school()
    la_notice = issue_notice(school, date(2024, 1, 8))  # period ends Mon 5 Feb 2024
    school.record_compliance(when=when(date(2024, 2, 6)), notice_id=la_notice, complied=False,
                             evidence="No plan")

    sos_notice = issue_notice(school, date(2024, 2, 12), issuer="secretary of state")

    assert school.state.warning_notices[la_notice].status == "superseded"
    assert school.state.warning_notices[la_notice].superseded_by == sos_notice
    with refused(school, f"ceased to have effect on 12 February 2024, when the Secretary of "
                         f"State gave {sos_notice}"):
        give_intervention_notice(school, date(2024, 2, 13), la_notice)
    assert "warning_notice" not in school.state.eligibility


def test_s60_4B_supersedes_a_complied_with_la_notice_too():
    school = a_maintained_school()
    la_notice = issue_notice(school, date(2024, 1, 8))
    school.record_compliance(when=when(date(2024, 1, 30)), notice_id=la_notice, complied=True,
                             evidence="Plan adopted")

    issue_notice(school, date(2024, 2, 12), issuer="secretary of state")

    assert school.state.warning_notices[la_notice].status == "superseded"


def test_s60_4B_leaves_eligibility_already_gained_on_the_la_notice_standing():
    """The rule's reading: s60(4B) makes the notice cease, it does not undo the eligibility a
    notice of intervention had already created (given Tue 6 Feb 2024)."""
    school = a_maintained_school()
    la_notice = eligible_by_warning_notice(school, date(2024, 1, 8))

    issue_notice(school, date(2024, 2, 12), issuer="secretary of state")

    assert school.state.warning_notices[la_notice].status == "superseded"
    assert "warning_notice" in school.state.eligibility
    school.exercise_power(when=when(date(2024, 2, 13)), power="s64", details="Two governors")


# Rules in force on the effective date ----------------------------------------------------

def test_s60_sos_notice_from_2016_secretary_of_state_notices_only_from_18_april_2016():
    """Education and Adoption Act 2016 s2, in force 18 April 2016 (SI 2016/466 reg 2)."""
    school = a_maintained_school(registered_on=date(2014, 9, 1))

    with refused(school, "could give an s60 warning notice only from 18 April 2016"):
        issue_notice(school, date(2016, 4, 15), issuer="secretary of state",
                     compliance_period=None)

    notice_id = issue_notice(school, date(2016, 4, 18), issuer="secretary of state")
    assert school.state.warning_notices[notice_id].issuer == "secretary of state"


def test_s60a_from_2010_pay_and_conditions_notices_only_from_12_january_2010():
    """s60A inserted by the Apprenticeships, Skills, Children and Learning Act 2009, in force
    12 January 2010 (SI 2009/3317)."""
    school = a_maintained_school(registered_on=date(2009, 9, 1))

    with refused(school, "could be given only from 12 January 2010"):
        issue_notice(school, date(2010, 1, 11), section="s60A", grounds=[],
                     compliance_period=None)

    notice_id = issue_notice(school, date(2010, 1, 12), section="s60A", grounds=[],
                             compliance_period=None)
    assert school.state.warning_notices[notice_id].section == "s60A"


# A compliance period given as a date ------------------------------------------------------

def test_compliance_by_date_records_the_working_days_to_the_date():
    """Given Mon 2 Mar 2026, comply by Fri 13 Mar 2026: 3-6 Mar (4), 9-13 Mar (9)."""
    school = a_maintained_school()

    notice_id = issue_notice(school, date(2026, 3, 2), compliance_period=None,
                             compliance_date=date(2026, 3, 13))

    notice = school.state.warning_notices[notice_id]
    assert (notice.compliance_period, notice.compliance_date) == (9, date(2026, 3, 13))
    assert notice.comply_by_date is True
    assert "comply by 13 March 2026 (9 working days)" in summarise(school.pending_events[-1])


def test_compliance_by_date_refuses_a_date_not_after_the_notice_or_not_a_working_day():
    school = a_maintained_school()

    with refused(school, "must be after the day the notice is given: enter a date after 2 March 2026"):
        issue_notice(school, date(2026, 3, 2), compliance_period=None,
                     compliance_date=date(2026, 3, 2))
    with refused(school, "14 March 2026 is not a working day"):  # a Saturday
        issue_notice(school, date(2026, 3, 2), compliance_period=None,
                     compliance_date=date(2026, 3, 14))
    with refused(school, "3 April 2026 is not a working day"):  # Good Friday
        issue_notice(school, date(2026, 3, 2), compliance_period=None,
                     compliance_date=date(2026, 4, 3))
    with refused(school, "either as working days or as a date, not both"):
        issue_notice(school, date(2026, 3, 2), compliance_date=date(2026, 3, 13))


def test_compliance_by_date_not_under_the_fixed_period_before_18_april_2016():
    school = a_maintained_school(registered_on=date(2014, 9, 1))

    with refused(school, "fixed compliance period of 15 working days"):
        issue_notice(school, date(2016, 4, 15), compliance_period=None,
                     compliance_date=date(2016, 5, 6))

    notice_id = issue_notice(school, date(2016, 4, 18), compliance_period=None,
                             compliance_date=date(2016, 5, 6))
    # 19-22 Apr (4), 25-29 Apr (9), Mon 2 May is May Day, 3-6 May (13)
    assert school.state.warning_notices[notice_id].compliance_period == 13


# s60(6)-(6B): copies ---------------------------------------------------------------------

def test_s60_copies_expected_by_the_school_s_category_and_the_date():
    """Headteacher and Chief Inspector always; the diocese for a CofE/RC foundation or
    voluntary school, the foundation governors' appointer for another; from 18 April 2016
    the other issuer."""
    community = a_maintained_school().state.school
    church = a_church_school().state.school
    foundation = a_maintained_school(establishment_type="Foundation school").state.school

    assert expected_copies(community, "local authority", date(2016, 4, 15)) == [
        "headteacher", "chief inspector"]
    assert expected_copies(community, "local authority", date(2016, 4, 18)) == [
        "headteacher", "chief inspector", "secretary of state"]
    assert expected_copies(community, "secretary of state", date(2024, 1, 8))[-1] == (
        "local authority")
    assert "diocesan authority" in expected_copies(church, "local authority", date(2024, 1, 8))
    assert expected_copies(foundation, "local authority", date(2024, 1, 8)) == [
        "headteacher", "chief inspector", "foundation governors' appointer",
        "secretary of state"]
    only_ofsted = DeadlinePolicy(warning_notice_copies=("chief inspector",))
    assert expected_copies(church, "local authority", date(2024, 1, 8), only_ofsted) == [
        "chief inspector"]


def test_s60_copies_a_notice_without_a_required_copy_is_recorded_with_a_warning():
    """The notice was given: it is recorded, and its timeline entry names the copies the
    record does not show."""
    school = a_church_school()

    issue_notice(school, date(2024, 1, 8), copies_to=["Ofsted", "Mrs Reed, headteacher"])

    notice = school.state.warning_notices["WN1"]
    assert notice.copies_missing == ["diocesan authority", "secretary of state"]
    assert ("WARNING: no copy recorded to the diocesan authority, the Secretary of State"
            in summarise(school.pending_events[-1]))

    issue_notice(school, date(2024, 1, 9), copies_to=[
        "Headteacher", "Ofsted", "Diocese of Ely", "DfE Regional Director"])
    assert school.state.warning_notices["WN2"].copies_missing == []
    assert "WARNING" not in summarise(school.pending_events[-1])


# Representations to Ofsted on a notice before 18 April 2016 -------------------------------

def test_s60_representations_to_ofsted_only_on_notices_before_18_april_2016():
    school = a_maintained_school(registered_on=date(2014, 9, 1))
    new_rules = issue_notice(school, date(2016, 4, 18), compliance_period=15)
    old_rules = issue_notice(school, date(2016, 4, 15), compliance_period=None)

    with refused(school, "representations to Ofsted were for notices given before 18 April "
                         "2016 only"):
        school.record_representations(when=when(date(2016, 4, 19)), notice_id=new_rules,
                                      summary="Unfair")

    school.record_representations(when=when(date(2016, 4, 19)), notice_id=old_rules,
                                  summary="Unfair")
    assert school.state.warning_notices[old_rules].awaiting_ofsted


def test_s60_representations_to_ofsted_only_within_the_initial_15_working_days():
    """Given Thu 11 Dec 2014: the initial period ends Tue 6 Jan 2015."""
    school = a_maintained_school(registered_on=date(2014, 9, 1))
    notice_id = issue_notice(school, date(2014, 12, 11), compliance_period=None)

    with refused(school, "only within its initial period, up to 6 January 2015"):
        school.record_representations(when=when(date(2015, 1, 7)), notice_id=notice_id,
                                      summary="Data out of date")

    school.record_representations(when=when(date(2015, 1, 6)), notice_id=notice_id,
                                  summary="Data out of date")


def test_a_2015_notice_with_representations_is_acted_on_once_ofsted_confirms_it():
    """Given Mon 2 Mar 2015, initial period to Mon 23 Mar 2015 (3-6, 9-13, 16-20, 23 Mar).
    Representations on 5 Mar; no failure while Ofsted decides; confirmed 27 Mar; then the
    failure, the notice of intervention (30 Mar) and, 5 working days on over Easter (31 Mar,
    1, 2, 7, 8 Apr), a power."""
    school = a_maintained_school(registered_on=date(2014, 9, 1))
    notice_id = issue_notice(school, date(2015, 3, 2), compliance_period=None)
    assert school.state.warning_notices[notice_id].compliance_date == date(2015, 3, 23)

    school.record_representations(when=when(date(2015, 3, 5)), notice_id=notice_id,
                                  summary="The governors dispute the 2014 data")
    # Check nothing can be acted on while Ofsted decides
    with refused(school, "record Ofsted's decision before you record a failure to comply"):
        school.record_compliance(when=when(date(2015, 3, 24)), notice_id=notice_id,
                                 complied=False, evidence="No plan")

    school.record_ofsted_decision(when=when(date(2015, 3, 27)), notice_id=notice_id,
                                  confirmed=True, details="The data stand")
    assert "Ofsted confirmed warning notice WN1" in summarise(school.pending_events[-1])

    # Check the failure, the notice of intervention and a power now follow
    school.record_compliance(when=when(date(2015, 3, 30)), notice_id=notice_id,
                             complied=False, evidence="No plan")
    give_intervention_notice(school, date(2015, 3, 30), notice_id, ["s64"])
    assert "warning_notice" in school.state.eligibility
    assert school.state.warning_notices[notice_id].powers_from == date(2015, 4, 8)
    school.exercise_power(when=when(date(2015, 4, 8)), power="s64", details="Two governors")


def test_a_2015_notice_ofsted_did_not_confirm_is_never_acted_on():
    school = a_maintained_school(registered_on=date(2014, 9, 1))
    notice_id = issue_notice(school, date(2015, 3, 2), compliance_period=None)
    school.record_representations(when=when(date(2015, 3, 5)), notice_id=notice_id,
                                  summary="The governors dispute the 2014 data")

    school.record_ofsted_decision(when=when(date(2015, 3, 27)), notice_id=notice_id,
                                  confirmed=False, details="Data superseded")

    notice = school.state.warning_notices[notice_id]
    assert notice.status == "not confirmed by Ofsted"
    assert "compliance:WN1" not in [f"{k}:{s}" for k, s, *_ in school.state.due_items(
        DeadlinePolicy(), WORKING_DAYS, PETERBOROUGH)]
    with refused(school, "Ofsted did not confirm warning notice WN1"):
        school.record_compliance(when=when(date(2015, 3, 30)), notice_id=notice_id,
                                 complied=False, evidence="No plan")
    with refused(school, "Ofsted did not confirm warning notice WN1"):
        give_intervention_notice(school, date(2015, 3, 30), notice_id)
