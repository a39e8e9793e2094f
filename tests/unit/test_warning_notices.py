"""Warning notices: EIA 2006 s60 (standards and safety) and s60A (pay and conditions)."""

from datetime import date

from tests.unit.builders import (
    a_maintained_school,
    an_academy,
    day_after,
    event_names,
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

    with refused(school, "Give at least one ground"):
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
