"""Ofsted's report cards and 2024-25 key judgements, the category a report card calls for,
the statement of action counted under SI 2005/2038, and visits for a school in an Ofsted
category (rules in domain.areas.inspections and domain.areas.oversight)."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.calendars import england_and_wales_calendar
from domain.areas.inspections import InspectionRecorded
from domain.deadlines import DeadlinePolicy, pending_deadlines
from domain.rules import Refused, rule_of
from tests.unit.builders import (
    PETERBOROUGH,
    WORKING_DAYS,
    a_maintained_school,
    refused,
    when,
)

CHRISTMAS_2025 = (date(2025, 12, 20), date(2026, 1, 4))
"""A school holiday longer than a week (SI 2005/2038 leaves it out of working days)."""
HALF_TERM = (date(2026, 2, 14), date(2026, 2, 22))
WITH_TERM_DATES = england_and_wales_calendar([CHRISTMAS_2025, HALF_TERM])

EXPECTED = "expected standard"
URGENT = "urgent improvement"


def a_report_card(**grades: str) -> dict[str, str]:
    """A primary school's report card: every area expected standard unless given."""
    card = dict.fromkeys(
        ("inclusion", "curriculum and teaching", "achievement", "attendance and behaviour",
         "personal development and wellbeing", "leadership and governance", "early years"),
        EXPECTED)
    card.update({area.replace("_", " "): grade for area, grade in grades.items()})
    return card


DEFAULT = DeadlinePolicy()


def deadlines(school, calendar=WORKING_DAYS, policy=DEFAULT):
    return {d.key: d for d in pending_deadlines(school.state, policy, calendar, PETERBOROUGH)}


# The vocabulary of each framework --------------------------------------------------------------

def test_ofsted_vocabulary_refuses_an_area_the_report_card_does_not_grade():
    """ofsted-vocabulary: report cards grade inclusion, curriculum and teaching, achievement,
    attendance and behaviour, personal development and wellbeing, leadership and governance,
    early years and post-16; any other area is refused, naming the rule."""
    school = a_maintained_school()

    with refused(school, "'banana' is not an area Ofsted graded on 10 November 2025"):
        school.record_inspection(when=when(date(2025, 12, 15)), inspected_on=date(2025, 11, 10),
                                 overall=None, report_card={"banana": "exceptional"},
                                 safeguarding="met")
    with pytest.raises(Refused) as refusal:  # a 2019 key judgement is not a report card's
        school.record_inspection(when=when(date(2025, 12, 15)), inspected_on=date(2025, 11, 10),
                                 overall=None, report_card={"quality of education": "good"})
    assert rule_of(refusal.value).key == "ofsted-vocabulary"

    school.record_inspection(
        when=when(date(2025, 12, 15)), inspected_on=date(2025, 11, 10), overall=None,
        report_card={"Personal development and well-being": "Strong standard",
                     "post-16": EXPECTED}, safeguarding="Met")
    assert school.state.inspection.report_card == {
        "personal development and wellbeing": "strong standard", "post-16 provision": EXPECTED}
    assert school.state.inspection.safeguarding == "met"


def test_ofsted_vocabulary_keeps_safeguarding_met_or_not_met_to_report_cards():
    """ofsted-vocabulary: safeguarding is judged met or not met only from 10 November 2025."""
    school = a_maintained_school()

    with refused(school, "Safeguarding was judged met or not met only on report cards, from "
                         "10 November 2025"):
        school.record_inspection(when=when(date(2025, 12, 1)), inspected_on=date(2025, 11, 9),
                                 overall=None, safeguarding="met")
    with refused(school, "Safeguarding was judged met or not met only on report cards"):
        school.record_inspection(when=when(date(2023, 6, 1)), inspected_on=date(2023, 5, 10),
                                 overall=2, safeguarding="not met")

    school.record_inspection(when=when(date(2025, 12, 1)), inspected_on=date(2025, 11, 10),
                             overall=None, safeguarding="met")
    assert school.state.inspection.safeguarding == "met"


def test_ofsted_vocabulary_records_the_key_judgements_from_1_september_2024():
    """ofsted-vocabulary: with no overall grade (September 2024 to November 2025) the key
    judgements are still graded outstanding to inadequate; before 1 September 2024 they are
    not recorded, and from 10 November 2025 the report card replaces them."""
    school = a_maintained_school()
    judgements = {"quality of education": "requires improvement",
                  "behaviour and attitudes": "good", "personal development": "good",
                  "leadership and management": "requires improvement",
                  "early years provision": "good"}

    with refused(school, "Ofsted graded no areas apart from overall effectiveness on 31 August "
                         "2024"):
        school.record_inspection(when=when(date(2024, 10, 1)), inspected_on=date(2024, 8, 31),
                                 overall=3, report_card=judgements)
    with refused(school, "'quality of education' is not an area Ofsted graded on 10 November "
                         "2025"):
        school.record_inspection(when=when(date(2025, 12, 1)), inspected_on=date(2025, 11, 10),
                                 overall=None, report_card=judgements)
    with refused(school, "sixth form provision: 'expected standard' is not a grade on 1 "
                         "September 2024"):
        school.record_inspection(when=when(date(2024, 10, 1)), inspected_on=date(2024, 9, 1),
                                 overall=None, report_card={"sixth form": EXPECTED})

    school.record_inspection(when=when(date(2024, 10, 1)), inspected_on=date(2024, 9, 1),
                             overall=None, report_card=judgements)
    assert school.state.inspection.report_card == judgements
    assert school.state.inspection.framework == (
        "No overall grade (September 2024 to November 2025)")


# The category a report card calls for ---------------------------------------------------------

def test_report_card_category_is_derived_when_none_is_given():
    """report-card-category: any area "urgent improvement" or safeguarding "not met" means
    the school requires significant improvement; with leadership and governance urgent as
    well, special measures; otherwise no category."""
    cases = [
        (a_report_card(achievement=URGENT), "met", "requires significant improvement"),
        (a_report_card(), "not met", "requires significant improvement"),
        (a_report_card(leadership_and_governance=URGENT), "met",
         "requires significant improvement"),
        (a_report_card(leadership_and_governance=URGENT, achievement=URGENT), "met",
         "special measures"),
        (a_report_card(leadership_and_governance=URGENT), "not met", "special measures"),
        (a_report_card(achievement="needs attention"), "met", None),
    ]
    for card, safeguarding, category in cases:
        school = a_maintained_school()
        school.record_inspection(when=when(date(2026, 1, 12)), inspected_on=date(2025, 11, 10),
                                 overall=None, report_card=card, safeguarding=safeguarding)
        assert school.state.inspection.category == category, (card, safeguarding)


def test_report_card_category_refuses_a_category_the_grades_contradict():
    """report-card-category: a category that contradicts the report card is refused, naming
    the rule; one of the same route under its old name (serious weaknesses) is not a
    contradiction."""
    school = a_maintained_school()

    with refused(school, "The report card calls for no category of concern, not special "
                         "measures"):
        school.record_inspection(when=when(date(2026, 1, 12)), inspected_on=date(2025, 11, 10),
                                 overall=None, report_card=a_report_card(), safeguarding="met",
                                 category="special measures")
    with refused(school, "The report card calls for special measures, not requires "
                         "significant improvement"):
        school.record_inspection(
            when=when(date(2026, 1, 12)), inspected_on=date(2025, 11, 10), overall=None,
            report_card=a_report_card(leadership_and_governance=URGENT, achievement=URGENT),
            category="requires significant improvement")
    with pytest.raises(Refused) as refusal:
        school.record_inspection(when=when(date(2026, 1, 12)), inspected_on=date(2025, 11, 10),
                                 overall=None, report_card=a_report_card(),
                                 category="special measures")
    assert rule_of(refusal.value).key == "report-card-category"

    school.record_inspection(when=when(date(2026, 1, 12)), inspected_on=date(2025, 11, 10),
                             overall=None, report_card=a_report_card(achievement=URGENT),
                             category="serious weaknesses")
    assert school.state.inspection.category == "serious weaknesses"


def test_report_card_category_may_differ_where_the_la_policy_allows_it():
    """report-card-category, setting report_card_category_may_differ: the LA's policy lets a
    recorded category stand against the grades (the mapping rests on secondary sources)."""
    school = a_maintained_school()

    school.record_inspection(when=when(date(2026, 1, 12)), inspected_on=date(2025, 11, 10),
                             overall=None, report_card=a_report_card(achievement=URGENT),
                             safeguarding="met", category="special measures",
                             category_may_differ=True)

    assert school.state.inspection.category == "special measures"
    assert "special_measures" in school.state.eligibility


def test_report_card_category_applies_from_10_november_2025():
    """report-card-category and s61-s62-category: before report cards a category is as
    recorded (graded areas cannot contradict it), and "requires significant improvement" is
    the category's name only from 10 November 2025."""
    school = a_maintained_school()

    with refused(school, "'requires significant improvement' was not an Ofsted category of "
                         "concern on 9 November 2025"):
        school.record_inspection(when=when(date(2025, 12, 1)), inspected_on=date(2025, 11, 9),
                                 overall=None, category="requires significant improvement")
    school.record_inspection(when=when(date(2025, 12, 1)), inspected_on=date(2025, 11, 9),
                             overall=None, category="serious weaknesses",
                             report_card={"quality of education": "good"})
    assert school.state.inspection.category == "serious weaknesses"


def test_s61_s62_category_requires_significant_improvement_makes_a_school_eligible_by_s61():
    """s61-s62-category: "requires significant improvement" (from 10 November 2025) is the s61
    route, as serious weaknesses was; a later report card without a category ends it."""
    school = a_maintained_school()

    school.record_inspection(when=when(date(2026, 1, 12)), inspected_on=date(2025, 11, 10),
                             overall=None, category="requires significant improvement")
    assert set(school.state.eligibility) == {"serious_weaknesses"}

    school.record_inspection(when=when(date(2026, 10, 5)), inspected_on=date(2026, 9, 14),
                             overall=None, report_card=a_report_card(), safeguarding="met")
    assert school.state.eligibility == {}


# The statement of action -----------------------------------------------------------------------

def a_category_report(school, *, received_on=None):
    """Inspected 18 November 2025; published Monday 15 December 2025; curriculum and teaching
    urgent improvement."""
    return school.record_inspection(
        when=when(date(2025, 12, 15)), inspected_on=date(2025, 11, 18), overall=None,
        report_card=a_report_card(curriculum_and_teaching=URGENT), safeguarding="met",
        received_on=received_on)


def test_statement_of_action_counts_from_receipt_leaving_out_long_school_holidays():
    """statement-of-action (SI 2005/2038 reg 2): received Mon 8 Dec 2025: 9-12 Dec (1-4),
    15-19 Dec (5-9); 20 Dec to 4 Jan is a school holiday longer than a week; Mon 5 Jan 2026
    (10). From publication (Mon 15 Dec): 16-19 Dec (1-4), 5-9 Jan (5-9), Mon 12 Jan (10)."""
    received = a_maintained_school()
    inspection = a_category_report(received, received_on=date(2025, 12, 8))
    published = a_maintained_school()
    a_category_report(published)

    statement = deadlines(received, WITH_TERM_DATES)[f"statement_of_action:{inspection}"]
    assert statement.due == date(2026, 1, 5)
    assert statement.what == ("Statement of action after Ofsted's requires significant "
                              "improvement judgement")
    assert deadlines(published, WITH_TERM_DATES)[
        f"statement_of_action:{inspection}"].due == date(2026, 1, 12)


def test_statement_of_action_says_when_term_dates_are_not_loaded():
    """statement-of-action: without the LA's term dates the school-holiday rule cannot apply;
    the deadline is counted in statutory working days and says so. Received Mon 8 Dec 2025:
    9-12 (1-4), 15-19 (5-9), Mon 22 Dec 2025 (10)."""
    school = a_maintained_school()
    inspection = a_category_report(school, received_on=date(2025, 12, 8))

    statement = deadlines(school)[f"statement_of_action:{inspection}"]
    assert statement.due == date(2025, 12, 22)
    assert statement.what.endswith(
        "(term dates not loaded: counted in statutory working days)")


def test_statement_of_action_period_is_the_la_policy():
    """statement-of-action, setting statement_of_action_working_days: 15 from Mon 8 Dec 2025
    with Christmas left out: 9-12 Dec (1-4), 15-19 Dec (5-9), 5-9 Jan (10-14), Mon 12 Jan
    (15)."""
    school = a_maintained_school()
    inspection = a_category_report(school, received_on=date(2025, 12, 8))

    due = deadlines(school, WITH_TERM_DATES, DeadlinePolicy(statement_of_action_working_days=15))
    assert due[f"statement_of_action:{inspection}"].due == date(2026, 1, 12)


def test_report_received_date_is_checked():
    school = a_maintained_school()

    with refused(school, "The LA receives the report on or after the inspection starts"):
        a_category_report(school, received_on=date(2025, 11, 17))
    with refused(school, "is in the future"):
        a_category_report(school, received_on=date(2026, 12, 1))


def test_an_inspection_recorded_before_received_dates_reads_as_received_on_publication():
    """InspectionRecorded version 1 had no received_on: it reads as None, and the statement of
    action counts from publication, as it did: Mon 15 Dec 2025, 16-19 (1-4), 22-24 (5-7),
    29-31 Dec (8-10) in statutory working days."""
    stored = {"inspection_id": "I1", "category": "special measures"}
    InspectionRecorded.upcast_v1_v2(stored)
    assert stored["received_on"] is None

    school = a_maintained_school()
    inspection = a_category_report(school)
    assert school.state.inspection.report_received_on == date(2025, 12, 15)
    assert deadlines(school)[f"statement_of_action:{inspection}"].due == date(2025, 12, 31)


def test_a_november_2025_report_card_with_urgent_improvement_becomes_a_category_of_concern():
    """The scenario: inspected 18 November 2025 under report cards; curriculum and teaching
    "urgent improvement", safeguarding met; the LA receives the report on Mon 8 December and
    Ofsted publishes on Mon 15 December. No category is typed in: the report card calls for
    "requires significant improvement", which makes the school eligible by s61, and the
    statement of action is due 10 working days after receipt with the Christmas holiday left
    out (Mon 5 January 2026)."""
    school = a_maintained_school()

    # Check the category follows from the report card and is recorded on the entry
    inspection = a_category_report(school, received_on=date(2025, 12, 8))
    recorded = school.pending_events[-2]
    assert type(recorded).__name__ == "InspectionRecorded"
    assert recorded.category == "requires significant improvement"
    assert recorded.received_on == date(2025, 12, 8)

    # Check it opened s61 eligibility
    assert set(school.state.eligibility) == {"serious_weaknesses"}
    assert school.state.eligibility["serious_weaknesses"].basis == (
        f"Ofsted inspection {inspection}: requires significant improvement")

    # Check the statement of action is counted from receipt with term dates
    due = deadlines(school, WITH_TERM_DATES)
    assert due[f"statement_of_action:{inspection}"].due == date(2026, 1, 5)

    # Check the statement can be sent after receipt, before publication
    school.record_statement_of_action(when=when(date(2025, 12, 12)), inspection_id=inspection,
                                      summary="Statement of action sent to Ofsted")
    assert f"statement_of_action:{inspection}" not in deadlines(school, WITH_TERM_DATES)


# Visits ----------------------------------------------------------------------------------------

def test_visit_cadence_is_termly_for_a_school_in_an_ofsted_category_without_an_la_category():
    """visit-cadence (Torbay 2011: termly for schools in an Ofsted category): report published
    Mon 15 Dec 2025 + 13 weeks = Mon 16 Mar 2026; a visit on Wed 4 Feb 2026 + 13 weeks =
    Wed 6 May 2026."""
    school = a_maintained_school()
    assert "visit:next" not in deadlines(school)

    a_category_report(school)
    visit = deadlines(school)["visit:next"]
    assert (visit.due, visit.what) == (date(2026, 3, 16), "Termly school improvement visit")

    school.record_visit(when=when(date(2026, 2, 4)), kind="monitoring", notes="Curriculum plan")
    assert deadlines(school)["visit:next"].due == date(2026, 5, 6)


def test_visit_cadence_is_termly_when_the_la_category_is_not_a_concern_but_ofsted_s_is():
    """visit-cadence: LA category 2 (good, annual visits) from 1 Sep 2025; an Ofsted category
    published Mon 15 Dec 2025 makes visits termly from then (Mon 16 Mar 2026); a later report
    card with no category makes them annual again."""
    school = a_maintained_school()
    school.change_category(when=when(date(2025, 9, 1)), scheme=PETERBOROUGH, to="2",
                           reason="Annual review")
    assert deadlines(school)["visit:next"].what == "Annual school improvement visit"

    a_category_report(school)
    assert deadlines(school)["visit:next"].due == date(2026, 3, 16)

    school.record_inspection(when=when(date(2026, 10, 5)), inspected_on=date(2026, 9, 14),
                             overall=None, report_card=a_report_card(), safeguarding="met")
    assert deadlines(school)["visit:next"].what == "Annual school improvement visit"
