"""Coasting schools (EIA 2006 s60B): the Secretary of State's notification, the regulations of
the day, nursery schools, and the end of coasting (rules in domain.areas.coasting)."""

from __future__ import annotations

from datetime import date

import pytest

from application.views import summarise
from domain.rules import Refused, rule_of
from tests.unit.builders import a_maintained_school, event_names, refused, when


def test_s60b_coasting_needs_the_secretary_of_state_s_notification():
    """s60b-coasting: coasting makes a school eligible only once the Secretary of State has
    notified the governing body; its date is recorded, and eligibility starts on or after it."""
    school = a_maintained_school()

    with pytest.raises(Refused) as refusal:
        school.record_coasting(when=when(date(2026, 1, 12)), basis="Requires improvement twice",
                               notified_on=None)
    assert rule_of(refusal.value).key == "s60b-coasting"
    assert "enter the date of that notification" in str(refusal.value)
    with refused(school, "Coasting eligibility starts on or after the notification (14 January "
                         "2026)"):
        school.record_coasting(when=when(date(2026, 1, 12)), basis="Requires improvement twice",
                               notified_on=date(2026, 1, 14))

    school.record_coasting(when=when(date(2026, 1, 12)), basis="Requires improvement twice",
                           notified_on=date(2026, 1, 9))

    assert event_names(school)[-2:] == ["CoastingNotified", "BecameEligible"]
    assert "coasting" in school.state.eligibility
    assert school.state.coasting.notified_on == date(2026, 1, 9)


def test_s60b_coasting_could_be_notified_only_from_18_april_2016():
    school = a_maintained_school(registered_on=date(2015, 9, 1))

    with refused(school, "the Secretary of State could notify a school only from 18 April 2016"):
        school.record_coasting(when=when(date(2016, 5, 3)), basis="Results",
                               notified_on=date(2016, 4, 17))
    school.record_coasting(when=when(date(2016, 5, 3)), basis="Results",
                           notified_on=date(2016, 4, 18))
    assert school.state.coasting.regulations == "coasting-2017"


def test_s60b_not_nursery_a_maintained_nursery_school_is_never_coasting():
    """s60b-not-nursery (SI 2022/720 reg 3): s60B does not apply to a maintained nursery
    school."""
    nursery = a_maintained_school(name="Fengate Nursery School", phase="Nursery",
                                  establishment_type="Local authority nursery school")

    with pytest.raises(Refused) as refusal:
        nursery.record_coasting(when=when(date(2026, 1, 12)), basis="Requires improvement",
                                notified_on=date(2026, 1, 9))
    assert rule_of(refusal.value).key == "s60b-not-nursery"
    assert nursery.state.eligibility == {}


def test_coasting_definitions_are_the_regulations_in_force_on_the_notification_date():
    """coasting-2017 to 31 August 2022; coasting-2022 (SI 2022/720) from 1 September 2022;
    coasting-2025 (SI 2025/1120) from 17 November 2025."""
    for notified_on, regulations in [
        (date(2022, 8, 31), "coasting-2017"), (date(2022, 9, 1), "coasting-2022"),
        (date(2025, 11, 16), "coasting-2022"), (date(2025, 11, 17), "coasting-2025"),
    ]:
        school = a_maintained_school(registered_on=date(2019, 9, 2))
        school.record_coasting(when=when(notified_on), basis="The test of the day",
                               notified_on=notified_on)
        assert school.state.coasting.regulations == regulations, notified_on
        assert school.pending_events[-2].regulations == regulations


def test_s60b_coasting_ends_with_the_exit_test_or_the_secretary_of_state_s_notice():
    """s60b-coasting-ends: the end of coasting ends eligibility as coasting; the school can be
    found coasting again later."""
    school = a_maintained_school()

    with refused(school, "The school is not recorded as coasting, so it cannot stop"):
        school.end_coasting(when=when(date(2026, 1, 12)), how="exit", reason="Good grades")
    school.record_coasting(when=when(date(2026, 1, 12)), basis="Requires improvement twice",
                           notified_on=date(2026, 1, 9))
    with refused(school, "How coasting ended must be one of: exit, notice"):
        school.end_coasting(when=when(date(2026, 7, 1)), how="forgotten", reason="?")

    school.end_coasting(when=when(date(2026, 7, 1)), how="exit",
                        reason="Quality of education good at the July inspection")

    assert event_names(school)[-2:] == ["CoastingEnded", "EligibilityCeased"]
    assert "coasting" not in school.state.eligibility
    assert school.state.coasting is None
    assert school.state.coasting_spells[-1].ended_on == date(2026, 7, 1)
    school.record_coasting(when=when(date(2026, 10, 5)), basis="Requires improvement again",
                           notified_on=date(2026, 10, 1))
    assert school.state.coasting.notified_on == date(2026, 10, 1)


def test_coasting_recorded_before_notifications_were_still_reads_as_coasting():
    """An entry BecameEligible(route="coasting") recorded before the notification was asked
    for still makes the school eligible as coasting, with no notification on record, and can
    be ended."""
    school = a_maintained_school(registered_on=date(2017, 9, 1))
    school._record(school.BecameEligible, when=when(date(2018, 1, 8)), route="coasting",
                   basis="Coasting regulations 2017 data")

    assert "coasting" in school.state.eligibility
    assert school.state.coasting is None
    with refused(school, "already recorded as coasting"):
        school.record_coasting(when=when(date(2018, 2, 8)), basis="Again",
                               notified_on=date(2018, 2, 1))

    school.end_coasting(when=when(date(2019, 10, 1)), how="notice", reason="Letter from the RD")
    assert school.state.eligibility == {}


def test_the_timeline_says_who_notified_coasting_when_and_under_which_regulations():
    school = a_maintained_school()
    school.record_coasting(when=when(date(2025, 11, 20)), basis="Requires improvement twice",
                           notified_on=date(2025, 11, 17))
    school.end_coasting(when=when(date(2026, 7, 1)), how="notice", reason="RD's letter")
    notified, _, ended, _ = school.pending_events[-4:]

    assert summarise(notified) == (
        "The Secretary of State notified the governing body on 17 November 2025 that the "
        "school is coasting (s60B); coasting as the 2025 amendments define it")
    assert summarise(ended) == ("No longer coasting: the Secretary of State notified the "
                                "governing body it is no longer coasting")
