"""Consultation before s63 arrangements by the school's category (EIA 2006 s63(2)), and the
schools intervention is for (s59(1))."""

from datetime import date

import pytest

from domain.areas.core import MAINTAINED_SCHOOLS
from domain.areas.register import DIOCESAN_AUTHORITY, FOUNDATION_APPOINTER, GOVERNING_BODY
from domain.errors import CaseFileError
from domain.rules import rule_of
from tests.unit.builders import (
    a_church_school,
    a_maintained_school,
    eligible_by_warning_notice,
    in_special_measures,
    refused,
    when,
)


def test_s63_consultation_needs_the_governing_body_before_arrangements():
    school = a_maintained_school()
    in_special_measures(school, date(2024, 2, 1), inspected_on=date(2024, 1, 10))

    with refused(school, "Consult the governing body before requiring arrangements (s63(2)): "
                         "Fengate Primary School is a community school"):
        school.exercise_power(when=when(date(2024, 3, 4)), power="s63", details="Federation")

    school.record_arrangements_consultation(
        when=when(date(2024, 2, 19)), consultee=GOVERNING_BODY, response="Agrees")
    school.exercise_power(when=when(date(2024, 3, 4)), power="s63", details="Federation")
    assert [p.power for p in school.state.powers] == ["s63"]


def test_s63_consultation_cofe_school_needs_the_diocesan_authority_not_the_appointer():
    school = a_church_school()
    in_special_measures(school, date(2024, 2, 1), inspected_on=date(2024, 1, 10))
    school.record_arrangements_consultation(
        when=when(date(2024, 2, 19)), consultee=GOVERNING_BODY, response="Agrees")

    with refused(school, "not the foundation governors' appointer"):
        school.record_arrangements_consultation(
            when=when(date(2024, 2, 20)), consultee=FOUNDATION_APPOINTER, response="Agrees")
    with refused(school, "Consult the diocesan authority before requiring arrangements"):
        school.exercise_power(when=when(date(2024, 3, 4)), power="s63", details="Federation")

    school.record_arrangements_consultation(
        when=when(date(2024, 2, 20)), consultee=DIOCESAN_AUTHORITY, response="Supports it")
    school.exercise_power(when=when(date(2024, 3, 4)), power="s63", details="Federation")


def test_s63_consultation_counts_only_after_the_warning_notice_it_rests_on():
    """A response given before the warning notice the arrangements rest on, or after the day
    they are required, does not count."""
    school = a_maintained_school()
    school.record_arrangements_consultation(
        when=when(date(2023, 12, 1)), consultee=GOVERNING_BODY, response="An earlier matter")
    eligible_by_warning_notice(school, date(2024, 1, 8))

    with refused(school, "no response is recorded since 8 January 2024"):
        school.exercise_power(when=when(date(2024, 3, 4)), power="s63", details="Federation")
    school.record_arrangements_consultation(
        when=when(date(2024, 3, 5)), consultee=GOVERNING_BODY, response="Agrees")
    with refused(school, "Consult the governing body"):
        school.exercise_power(when=when(date(2024, 3, 4)), power="s63", details="Federation")

    school.exercise_power(when=when(date(2024, 3, 5)), power="s63", details="Federation")


def test_s59_maintained_schools_pupil_referral_unit_is_refused_as_one():
    """s59(1) does not list pupil referral units: the refusal says what the school is."""
    unit = a_maintained_school(name="Fengate Pupil Referral Service",
                               establishment_type="Pupil referral unit",
                               governance="pupil referral unit")

    with pytest.raises(CaseFileError) as refusal:
        unit.record_coasting(when=when(date(2024, 1, 8)), basis="Coasting data",
                              notified_on=date(2024, 1, 5))
    assert str(refusal.value) == ("Coasting eligibility is for maintained schools; Fengate "
                                  "Pupil Referral Service is a pupil referral unit")
    assert rule_of(refusal.value) is MAINTAINED_SCHOOLS
    with refused(unit, "is a pupil referral unit"):
        unit.record_arrangements_consultation(
            when=when(date(2024, 1, 8)), consultee=GOVERNING_BODY, response="Agrees")


def test_s59_maintained_schools_academy_is_refused_as_one():
    academy = a_maintained_school(name="Fengate Academy", establishment_type="Academy converter",
                                  governance="academy")

    with pytest.raises(CaseFileError, match="Fengate Academy is an academy") as refusal:
        academy.record_coasting(when=when(date(2024, 1, 8)), basis="Coasting data",
                                notified_on=date(2024, 1, 5))
    assert rule_of(refusal.value) is MAINTAINED_SCHOOLS
