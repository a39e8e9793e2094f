"""The LA's own categories (local policy) and Ofsted judgements (EIA 2006 ss61-62)."""

from datetime import date

from tests.unit.builders import (
    PETERBOROUGH,
    TORBAY,
    a_maintained_school,
    an_academy,
    event_names,
    in_special_measures,
    refused,
    when,
)


def test_category_must_be_in_the_scheme():
    """Local policy key category_scheme: Peterborough 2013 has 1, 2, 3a, 3b, 4; Torbay 2011
    has 1-4 with no 3a."""
    school = a_maintained_school()

    with refused(school, "Category '5' is not in the Peterborough scheme"):
        school.change_category(
            when=when(date(2024, 1, 8)), scheme=PETERBOROUGH, to="5", reason="Autumn review"
        )
    with refused(school, "Category '3a' is not in the Torbay scheme"):
        school.change_category(
            when=when(date(2024, 1, 8)), scheme=TORBAY, to="3a", reason="Autumn review"
        )

    school.change_category(
        when=when(date(2024, 1, 8)), scheme=PETERBOROUGH, to="3B", reason="Autumn review"
    )
    assert school.state.category.category == "3b"
    assert PETERBOROUGH.is_causing_concern(school.state.category.category)


def test_category_change_to_the_same_category_is_refused():
    school = a_maintained_school()
    school.change_category(
        when=when(date(2024, 1, 8)), scheme=PETERBOROUGH, to="4", reason="Autumn review"
    )

    with refused(school, "already in category 4 (since 8 January 2024)"):
        school.change_category(
            when=when(date(2024, 4, 15)), scheme=PETERBOROUGH, to="4", reason="Spring review"
        )


def test_category_change_needs_a_reason():
    school = a_maintained_school()

    with refused(school, "Enter the reason"):
        school.change_category(when=when(date(2024, 1, 8)), scheme=PETERBOROUGH, to="4",
                               reason="")


def test_backdated_category_change_lands_in_its_place():
    """Categories change in year on new evidence; an entry recorded late takes its own date."""
    school = a_maintained_school()
    school.change_category(
        when=when(date(2024, 4, 15)), scheme=PETERBOROUGH, to="3b", reason="Spring review"
    )

    school.change_category(
        when=when(date(2024, 1, 8)), scheme=PETERBOROUGH, to="4", reason="Autumn review, late"
    )

    assert school.state.category.category == "3b"
    assert [c.category for c in school.state.categories] == ["4", "3b"]
    assert school.view(as_at=date(2024, 2, 1)).category.category == "4"
    assert school.view(as_at=date(2024, 1, 7)).category is None


def test_special_measures_inspection_makes_maintained_school_eligible():
    """s62: a school Ofsted judges to require special measures is eligible for intervention;
    a later inspection without a category of concern ends it."""
    school = a_maintained_school()

    in_special_measures(school, published_on=date(2024, 2, 1), inspected_on=date(2024, 1, 10))

    assert school.state.eligibility["special_measures"].since == date(2024, 2, 1)
    assert event_names(school)[-2:] == ["InspectionRecorded", "BecameEligible"]

    school.record_inspection(
        when=when(date(2025, 12, 15)), inspected_on=date(2025, 11, 24), overall=None,
        report_card={"leadership and governance": "expected standard"}, safeguarding="met",
    )

    assert "special_measures" not in school.state.eligibility
    assert event_names(school)[-1] == "EligibilityCeased"


def test_serious_weaknesses_inspection_makes_maintained_school_eligible():
    """s61: a school requiring significant improvement ("serious weaknesses")."""
    school = a_maintained_school()

    school.record_inspection(
        when=when(date(2023, 6, 1)), inspected_on=date(2023, 5, 10), overall=4,
        category="serious weaknesses",
    )

    assert set(school.state.eligibility) == {"serious_weaknesses"}


def test_earlier_inspection_recorded_late_does_not_change_eligibility():
    school = a_maintained_school()
    in_special_measures(school, published_on=date(2024, 2, 1), inspected_on=date(2024, 1, 10))

    school.record_inspection(
        when=when(date(2024, 3, 1)), inspected_on=date(2021, 5, 10), overall=2
    )

    assert set(school.state.eligibility) == {"special_measures"}


def test_inspection_of_an_academy_makes_no_la_eligibility():
    """s59(1): academies are not maintained schools."""
    academy = an_academy()

    in_special_measures(academy, published_on=date(2024, 2, 1), inspected_on=date(2024, 1, 10))

    assert academy.state.eligibility == {}


def test_inspection_grade_must_fit_the_vocabulary_in_force():
    """Ofsted frameworks: Satisfactory (3) to August 2012, Requires improvement from September
    2012; no overall grade from September 2024; report cards from 10 November 2025."""
    school = a_maintained_school(registered_on=date(2010, 9, 1))

    with refused(school, "'serious weaknesses' was not an Ofsted category of concern on 10 "
                         "May 2011"):
        school.record_inspection(when=when(date(2011, 6, 1)), inspected_on=date(2011, 5, 10),
                                 overall=4, category="serious weaknesses")
    with refused(school, "'notice to improve' was not an Ofsted category"):
        school.record_inspection(when=when(date(2013, 6, 1)), inspected_on=date(2013, 5, 10),
                                 overall=4, category="notice to improve")
    with refused(school, "Ofsted gave no overall effectiveness grade on 14 October 2024"):
        school.record_inspection(when=when(date(2024, 11, 1)), inspected_on=date(2024, 10, 14),
                                 overall=3)
    with refused(school, "Ofsted gave no overall effectiveness grade on 10 November 2025"):
        school.record_inspection(when=when(date(2025, 12, 1)), inspected_on=date(2025, 11, 10),
                                 overall=2)
    with refused(school, "'inclusion' is not an area Ofsted graded on 7 November 2025"):
        school.record_inspection(when=when(date(2025, 12, 1)), inspected_on=date(2025, 11, 7),
                                 overall=None, report_card={"inclusion": "strong standard"})
    with refused(school, "Overall effectiveness must be 1 to 4"):
        school.record_inspection(when=when(date(2013, 6, 1)), inspected_on=date(2013, 5, 10),
                                 overall=5)

    old = school.record_inspection(
        when=when(date(2012, 7, 20)), inspected_on=date(2012, 7, 2), overall=3
    )
    new = school.record_inspection(
        when=when(date(2012, 10, 1)), inspected_on=date(2012, 9, 10), overall=3
    )
    frameworks = {i.inspection_id: i.framework for i in school.state.inspections}
    assert frameworks[old] == "Section 5 (to August 2012)"
    assert frameworks[new] == "Section 5 (September 2012 to August 2024)"
    card = school.record_inspection(
        when=when(date(2025, 12, 1)), inspected_on=date(2025, 11, 10), overall=None,
        report_card={"inclusion": "strong standard"}, safeguarding="met",
    )
    assert school.state.inspection.inspection_id == card


def test_report_is_published_on_or_after_the_inspection():
    school = a_maintained_school()

    with refused(school, "published on or after the inspection starts"):
        school.record_inspection(when=when(date(2023, 5, 9)), inspected_on=date(2023, 5, 10),
                                 overall=2)


def test_inspection_is_recorded_once():
    school = a_maintained_school()
    first = school.record_inspection(
        when=when(date(2023, 6, 1)), inspected_on=date(2023, 5, 10), overall=2
    )

    with refused(school, f"already recorded ({first})"):
        school.record_inspection(when=when(date(2023, 6, 2)), inspected_on=date(2023, 5, 10),
                                 overall=2)
