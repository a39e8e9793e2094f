"""Academy orders (Academies Act 2010 s4, s5D; Children's Wellbeing and Schools Act 2026 s58):
the Secretary of State's, recorded by the LA, on the basis the law then gave."""

from __future__ import annotations

from datetime import date

from domain.areas import academy_orders as ao
from domain.areas.eligibility import ACADEMY_ORDER_NOT_LA_POWER
from tests.unit.builders import (
    a_maintained_school,
    an_academy,
    eligible_by_warning_notice,
    in_special_measures,
    refused_by,
    when,
)

REFERENCE = "DfE letter of 20 March 2020"


def special_measures_school(published_on: date, registered_on: date = date(2015, 9, 1)):
    """Special measures on an Ofsted report published on ``published_on`` (a report card
    with leadership and governance at urgent improvement from November 2025)."""
    school = a_maintained_school(registered_on)
    inspected_on = date.fromordinal(published_on.toordinal() - 28)
    if inspected_on < date(2025, 11, 10):
        in_special_measures(school, published_on, inspected_on)
    else:
        school.record_inspection(
            when=when(published_on), inspected_on=inspected_on, overall=None,
            category="special measures", safeguarding="met",
            report_card={"achievement": "urgent improvement",
                         "leadership and governance": "urgent improvement"})
    return school


def order(school, on: date, basis: str) -> str:
    return school.record_academy_order(when=when(on), basis=basis, reference=REFERENCE)


# ORDER_UNDER_DUTY: 18 April 2016 to 28 June 2026, for special measures or RSI ---------------

def test_academy_order_duty_from_18_april_2016():
    school = special_measures_school(date(2016, 3, 1))
    with refused_by(school, ao.ORDER_UNDER_DUTY, "only from 18 April 2016 to 28 June 2026"):
        order(school, date(2016, 4, 17), "duty")

    assert order(school, date(2016, 4, 18), "duty") == "AO1"
    assert school.state.academy_order.basis == "duty"


def test_academy_order_duty_until_28_june_2026():
    school = special_measures_school(date(2026, 3, 3))
    assert order(school, date(2026, 6, 28), "duty") == "AO1"

    later = special_measures_school(date(2026, 3, 3))
    with refused_by(later, ao.ORDER_UNDER_DUTY, "record an order made on 29 June 2026 on the "
                                                "power"):
        order(later, date(2026, 6, 29), "duty")


def test_academy_order_duty_only_for_special_measures_or_significant_improvement():
    school = a_maintained_school(date(2015, 9, 1))
    eligible_by_warning_notice(school, date(2020, 1, 6))
    with refused_by(school, ao.ORDER_UNDER_DUTY, "did not require special measures"):
        order(school, date(2020, 6, 1), "duty")


def test_academy_order_duty_judged_on_the_eligibility_of_the_day_it_was_made():
    school = special_measures_school(date(2020, 1, 10))
    # Backdated before the school went into special measures: the duty did not yet apply
    with refused_by(school, ao.ORDER_UNDER_DUTY, "did not require special measures"):
        order(school, date(2019, 12, 2), "duty")


# ORDER_UNDER_POWER: eligibility; special measures and RSI only from 29 June 2026 -------------

def test_academy_order_power_for_special_measures_only_from_29_june_2026():
    school = special_measures_school(date(2026, 3, 3))
    with refused_by(school, ao.ORDER_UNDER_POWER, "record it on the duty basis"):
        order(school, date(2026, 6, 28), "power")

    assert order(school, date(2026, 6, 29), "power") == "AO1"


def test_academy_order_power_needs_eligibility_for_intervention():
    school = a_maintained_school()
    with refused_by(school, ao.ORDER_UNDER_POWER, "not eligible for intervention"):
        order(school, date(2026, 7, 1), "power")


def test_academy_order_power_for_a_warning_notice_school_before_the_repeal():
    """s4(1)(b) as it stood from 2016: eligible other than by s61 or s62."""
    school = a_maintained_school(date(2015, 9, 1))
    eligible_by_warning_notice(school, date(2020, 1, 6))
    assert order(school, date(2020, 6, 1), "power") == "AO1"


def test_academy_order_power_for_a_special_measures_school_before_18_april_2016():
    school = special_measures_school(date(2016, 3, 1))
    assert order(school, date(2016, 4, 17), "power") == "AO1"


# ORDER_ON_APPLICATION, ORDER_FOR_MAINTAINED, ONE_LIVE_ORDER, REVOCATION -----------------------

def test_academy_order_application_needs_no_eligibility():
    school = a_maintained_school()
    assert order(school, date(2025, 3, 3), "application") == "AO1"
    assert not school.state.eligibility


def test_academy_order_maintained_school_only():
    academy = an_academy()
    with refused_by(academy, ao.ORDER_FOR_MAINTAINED, "is an academy"):
        order(academy, date(2025, 3, 3), "application")


def test_academy_order_one_at_a_time():
    school = special_measures_school(date(2020, 1, 10))
    order(school, date(2020, 3, 20), "duty")
    with refused_by(school, ao.ONE_LIVE_ORDER, "AO1 of 20 March 2020 is still in effect"):
        order(school, date(2021, 3, 1), "duty")

    school.revoke_academy_order(when=when(date(2021, 2, 1)), order_id="AO1",
                                reason="Sponsor withdrew; to be made afresh")
    assert order(school, date(2021, 3, 1), "duty") == "AO2"


def test_academy_order_revocation_of_an_order_in_effect_only():
    school = special_measures_school(date(2020, 1, 10))
    order(school, date(2020, 3, 20), "duty")
    school.revoke_academy_order(when=when(date(2021, 2, 1)), order_id="AO1", reason="Improved")
    assert school.state.academy_order_status(school.state.academy_order) == "revoked"
    with refused_by(school, ao.REVOCATION, "AO1 was revoked"):
        school.revoke_academy_order(when=when(date(2021, 3, 1)), order_id="AO1", reason="Again")

    converted = special_measures_school(date(2020, 1, 10))
    order(converted, date(2020, 3, 20), "duty")
    converted.link_successor(when=when(date(2021, 9, 1)), successor_urn=149001)
    assert converted.state.academy_order_status(converted.state.academy_order) == (
        "carried out by conversion to URN 149001")
    with refused_by(converted, ao.REVOCATION, "carried out by conversion to URN 149001"):
        converted.revoke_academy_order(when=when(date(2021, 9, 1)), order_id="AO1",
                                       reason="Too late")


def test_academy_order_duty_repealed_orders_already_made_are_saved():
    school = special_measures_school(date(2026, 3, 3))
    order(school, date(2026, 5, 11), "duty")
    state = school.state
    assert state.academy_order_status(state.academy_order) == "made"
    assert "stays in effect: s58(9)" in ao.order_words(state, state.academy_order,
                                                        date(2026, 6, 29))
    assert "s58(9)" not in ao.order_words(state, state.academy_order, date(2026, 6, 28))


# ORDER_EXPECTED: the former duty's order, not recorded ----------------------------------------

def test_academy_order_expected_for_special_measures_under_the_duty_until_recorded():
    school = special_measures_school(date(2020, 1, 10))
    assert school.state.academy_order_expected(date(2026, 12, 7))

    order(school, date(2020, 3, 20), "duty")
    assert not school.state.academy_order_expected(date(2026, 12, 7))


def test_academy_order_expected_boundaries_28_and_29_june_2026():
    on_28_june = special_measures_school(date(2026, 6, 28))
    on_29_june = special_measures_school(date(2026, 6, 29))
    assert on_28_june.state.academy_order_expected(date(2026, 12, 7))
    assert not on_29_june.state.academy_order_expected(date(2026, 12, 7))


def test_academy_order_expected_from_18_april_2016_for_a_school_already_in_special_measures():
    """The reading: s4(A1) covered a school that *was* eligible by s61/s62 on any day of the
    duty, so one in special measures since before 18 April 2016 came under it that day."""
    school = special_measures_school(date(2016, 3, 1))
    assert not school.view(as_at=date(2016, 4, 17)).academy_order_expected(date(2016, 4, 17))
    assert school.view(as_at=date(2016, 4, 18)).academy_order_expected(date(2016, 4, 18))


def test_academy_order_expected_only_while_the_category_lasts_and_not_for_other_routes():
    school = a_maintained_school(date(2015, 9, 1))
    eligible_by_warning_notice(school, date(2020, 1, 6))
    assert not school.state.academy_order_expected(date(2026, 12, 7))

    left = special_measures_school(date(2020, 1, 10))
    left.record_inspection(when=when(date(2022, 2, 1)), inspected_on=date(2022, 1, 11),
                           overall=3)
    assert not left.state.academy_order_expected(date(2026, 12, 7))


# ACADEMY_ORDER_NOT_LA_POWER -----------------------------------------------------------------

def test_academy_order_not_la_power():
    school = special_measures_school(date(2020, 1, 10))
    with refused_by(school, ACADEMY_ORDER_NOT_LA_POWER, "not a local authority power"):
        school.exercise_power(when=when(date(2020, 3, 2)), power="academy_route",
                              details="Seek a sponsor")


def test_a_notice_that_proposed_seeking_a_sponsored_academy_still_reads():
    """A notice of intervention recorded while "academy_route" was offered keeps its words."""
    from application.views import summarise

    class InterventionNoticeGiven:  # the stored entry's fields, as the timeline reads them
        notice_id, powers_from, proposed_action = "WN1", None, ""
        proposed_powers = ["s64", "academy_route"]

    assert summarise(InterventionNoticeGiven()) == (
        "Written notice of proposed intervention after WN1: proposes to appoint additional "
        "governors (s64); seek a sponsored academy (proposed before scc recorded academy "
        "orders)")
