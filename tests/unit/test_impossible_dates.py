"""Dates that cannot be true together are refused by a named rule, naming the field to correct:
a report before its inspection, a concern acted on before it was raised, an entry on a notice
before the notice (MSP meeting dates: test_msp.py)."""

from datetime import date

from domain.areas.concerns import CONCERN_DATES
from domain.areas.inspections import REPORT_AFTER_INSPECTION
from tests.unit.builders import a_maintained_school, issue_notice, refused, when


def test_a_report_is_not_published_or_received_before_its_inspection():
    school = a_maintained_school()

    with refused(school, "enter a date on or after 13 November 2023") as refusal:
        school.record_inspection(when=when(date(2023, 11, 3)), inspected_on=date(2023, 11, 13),
                                 overall=3)
    assert (refusal.value.rule, refusal.value.field) == (REPORT_AFTER_INSPECTION, "effective")
    with refused(school, "The LA receives the report on or after the inspection starts") as r:
        school.record_inspection(when=when(date(2023, 12, 1)), inspected_on=date(2023, 11, 13),
                                 overall=3, received_on=date(2023, 11, 10))
    assert (r.value.rule, r.value.field) == (REPORT_AFTER_INSPECTION, "received_on")

    school.record_inspection(when=when(date(2023, 12, 1)), inspected_on=date(2023, 11, 13),
                             overall=3, received_on=date(2023, 11, 30))


def test_a_concern_is_not_communicated_or_resolved_before_it_was_raised():
    school = a_maintained_school()
    concern = school.raise_concern(when=when(date(2024, 3, 4)), ground="standards",
                                   description="Phonics results fell")

    with refused(school, "Concern C1 was raised on 4 March 2024: enter a date on or after "
                         "4 March 2024") as refusal:
        school.communicate_concern(when=when(date(2024, 3, 1)), concern_id=concern,
                                   recipient="headteacher")
    assert (refusal.value.rule, refusal.value.field) == (CONCERN_DATES, "effective")
    with refused(school, "enter a date on or after 4 March 2024"):
        school.resolve_concern(when=when(date(2024, 2, 28)), concern_id=concern,
                               outcome="Results recovered")

    school.resolve_concern(when=when(date(2024, 3, 4)), concern_id=concern,
                           outcome="Results recovered")


def test_compliance_is_not_recorded_before_the_notice_was_given():
    school = a_maintained_school()
    notice = issue_notice(school, date(2025, 12, 15), compliance_period=10)

    with refused(school, "was issued later, on 15 December 2025: enter a date on or after "
                         "it") as refusal:
        school.record_compliance(when=when(date(2025, 12, 12)), notice_id=notice,
                                 complied=True, evidence="Plan adopted")
    assert refusal.value.field == "effective"
