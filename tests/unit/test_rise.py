"""RISE targeted intervention (DfE policy): identification, adviser, plan, reviews, exit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from domain.areas import rise
from domain.deadlines import DeadlinePolicy, pending_deadlines
from tests.unit.builders import (
    PETERBOROUGH,
    WORKING_DAYS,
    a_maintained_school,
    an_academy,
    refused_by,
    when,
)


def identified(school, on: date = date(2025, 9, 8)):
    school.identify_for_rise(when=when(on), basis="Requires significant improvement, 2025")
    return school


def test_rise_which_schools_maintained_or_academy_from_november_2024():
    assert identified(an_academy()).state.rise is not None
    unit = a_maintained_school(governance="pupil referral unit")
    with refused_by(unit, rise.RISE_SCHOOLS, "for maintained schools and academies"):
        identified(unit)
    school = a_maintained_school()
    with refused_by(school, rise.RISE_SCHOOLS, "1 November 2024"):
        identified(school, date(2024, 10, 31))
    assert identified(school, date(2024, 11, 1)).state.rise.identified_on == date(2024, 11, 1)


def test_rise_one_at_a_time():
    school = identified(a_maintained_school())
    with refused_by(school, rise.ONE_IDENTIFICATION, "record its exit first"):
        identified(school, date(2025, 10, 6))
    school.exit_rise(when=when(date(2026, 7, 13)), reason="Improvement secured")
    assert identified(school, date(2026, 9, 7)).state.rise.identified_on == date(2026, 9, 7)


def test_rise_while_identified():
    school = a_maintained_school()
    with refused_by(school, rise.WHILE_IDENTIFIED, "record its identification first"):
        school.assign_rise_adviser(when=when(date(2025, 9, 8)), adviser="Priya Shah")
    identified(school)
    school.assign_rise_adviser(when=when(date(2025, 9, 15)), adviser="Priya Shah")
    school.agree_rise_plan(when=when(date(2025, 10, 6)), summary="Reading and attendance")
    assert school.record_rise_review(when=when(date(2025, 11, 17)), notes="On track",
                                     outcome="Continue") == "RR1"
    spell = school.state.rise
    assert (spell.adviser, spell.plan_agreed_on, len(spell.reviews)) == (
        "Priya Shah", date(2025, 10, 6), 1)
    with refused_by(school, rise.WHILE_IDENTIFIED, "enter a date from then"):
        school.record_rise_review(when=when(date(2025, 9, 1)), notes="x", outcome="y")
    school.exit_rise(when=when(date(2026, 7, 13)), reason="Improvement secured")
    with refused_by(school, rise.WHILE_IDENTIFIED):
        school.record_rise_review(when=when(date(2026, 7, 20)), notes="x", outcome="y")


DEFAULT_POLICY = DeadlinePolicy()


def next_review(school, policy=DEFAULT_POLICY):
    found = [d for d in pending_deadlines(school.state, policy, WORKING_DAYS, PETERBOROUGH)
             if d.kind == "rise_review"]
    return found[0].due if found else None


def test_rise_review_cadence_six_weeks_unless_the_la_says_otherwise():
    school = identified(a_maintained_school())
    assert next_review(school) == date(2025, 10, 20)
    school.agree_rise_plan(when=when(date(2025, 10, 6)), summary="Reading")
    assert next_review(school) == date(2025, 11, 17)
    school.record_rise_review(when=when(date(2025, 11, 10)), notes="On track", outcome="Go on")
    assert next_review(school) == date(2025, 12, 22)
    assert next_review(school, replace(DeadlinePolicy(), rise_review_weeks=4)) == date(
        2025, 12, 8)
    school.exit_rise(when=when(date(2026, 1, 5)), reason="Exited")
    assert next_review(school) is None
