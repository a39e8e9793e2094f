"""What changed in a school's status between two dates (application.views.compare_status)."""

from datetime import date

from application.views import compare_status, describe_status
from domain.status import fold, replay
from tests.unit.builders import (
    PETERBOROUGH,
    a_maintained_school,
    eligible_by_warning_notice,
    in_special_measures,
    issue_notice,
    when,
)


def status_on(school, day: date) -> dict:
    return describe_status(school.view(as_at=day), PETERBOROUGH, day)


def test_the_same_status_has_no_differences():
    school = a_maintained_school()
    school.change_category(when=when(date(2023, 9, 22)), scheme=PETERBOROUGH, to="3b",
                           reason="Results fell")

    assert compare_status(status_on(school, date(2024, 1, 1)),
                          status_on(school, date(2024, 6, 1))) == []


def test_a_category_change_and_a_failed_warning_notice_are_listed_in_the_las_words():
    school = a_maintained_school()
    school.change_category(when=when(date(2023, 9, 22)), scheme=PETERBOROUGH, to="3b",
                           reason="Results fell")
    school.change_category(when=when(date(2024, 9, 23)), scheme=PETERBOROUGH, to="4",
                           reason="Governance broke down")
    # Given on Monday 13 January 2025 with 20 working days: due Monday 10 February 2025.
    eligible_by_warning_notice(school, date(2025, 1, 13))

    rows = compare_status(status_on(school, date(2024, 1, 1)),
                          status_on(school, date(2025, 3, 1)))

    # Check the rows name what changed, before and after
    by_aspect = {row["aspect"]: (row["before"], row["after"]) for row in rows}
    assert by_aspect["LA category"] == (
        "3b (Requires Improvement - (vulnerable to inadequate, or recently out of "
        "inadequate)) since 22 September 2023",
        "4 (Inadequate) since 23 September 2024",
    )
    assert by_aspect["Warning notice WN1"] == ("not given", "not complied with")
    assert by_aspect["Eligible for intervention"] == (
        "not eligible", "warning notice not complied with (s60)")
    assert "Ofsted" not in by_aspect and "MSP group" not in by_aspect
    # Check the order: category first, then concern, the notice, eligibility
    assert [row["aspect"] for row in rows] == [
        "LA category", "Causing concern", "Warning notice WN1", "Eligible for intervention"]


def test_an_open_notice_shows_its_compliance_date_and_notices_sort_by_number():
    school = a_maintained_school()
    mondays = (date(2024, 1, 8), date(2024, 2, 5), date(2024, 3, 4), date(2024, 4, 8),
               date(2024, 5, 6), date(2024, 6, 3), date(2024, 7, 1), date(2024, 9, 2),
               date(2024, 10, 7), date(2024, 11, 4))
    for monday in mondays:
        issue_notice(school, monday, compliance_period=5)

    rows = compare_status(status_on(school, date(2024, 1, 1)),
                          status_on(school, date(2024, 11, 4)))

    notices = [row for row in rows if row["aspect"].startswith("Warning notice")]
    assert [row["aspect"] for row in notices] == [f"Warning notice WN{n}" for n in range(1, 11)]
    # Monday 4 November 2024 plus 5 working days (no bank holiday): Monday 11 November 2024.
    assert notices[-1] == {"aspect": "Warning notice WN10", "before": "not given",
                           "after": "open, comply by 11 November 2024"}
    # Monday 7 October 2024 plus 5 working days: Monday 14 October, passed by 4 November.
    assert notices[-2]["after"] == "open, comply by 14 October 2024"


def test_an_academy_order_and_rise_are_listed_when_they_change():
    school = a_maintained_school()
    in_special_measures(school, date(2020, 2, 7), date(2020, 1, 14))
    school.record_academy_order(when=when(date(2020, 3, 20)), basis="duty",
                                reference="DfE ref")
    school.identify_for_rise(when=when(date(2025, 9, 8)), basis="Stuck")

    rows = compare_status(status_on(school, date(2020, 3, 1)),
                          status_on(school, date(2025, 10, 1)))

    by_aspect = {row["aspect"]: (row["before"], row["after"]) for row in rows}
    assert by_aspect["Academy order"] == (
        "expected under the former duty (s4(A1)), none recorded",
        "AO1 made 20 March 2020: in effect")
    assert by_aspect["RISE targeted intervention"] == ("no", "since 8 September 2025")


def test_replay_steps_from_one_date_to_another_through_the_entries_between():
    school = a_maintained_school()
    school.change_category(when=when(date(2023, 9, 22)), scheme=PETERBOROUGH, to="3b",
                           reason="Results fell")
    school.change_category(when=when(date(2024, 9, 23)), scheme=PETERBOROUGH, to="4",
                           reason="Governance broke down")
    school.change_category(when=when(date(2025, 9, 22)), scheme=PETERBOROUGH, to="3a",
                           reason="Recorded in error")
    school.retract_entry(when=when(date(2025, 9, 23)), version=school.version,
                         reason="Never decided")

    steps = [(entry and entry.originator_version, state.category.category)
             for entry, state in replay(school.entries, date(2024, 1, 1), date(2026, 1, 1))]

    # Check it starts as at the first date, takes the one entry between, and leaves out the
    # entry retracted (and the retraction itself)
    assert steps == [(None, "3b"), (3, "4")]
    assert fold(school.entries, as_at=date(2026, 1, 1)).category.category == "4"
