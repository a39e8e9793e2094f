"""Interim executive boards: EIA 2006 s65 and Schedule 6."""

from datetime import date

from domain.case_file import SchoolCaseFile
from tests.unit.builders import (
    a_church_school,
    a_maintained_school,
    in_special_measures,
    refused,
    when,
)


def an_eligible_school(case_file: SchoolCaseFile | None = None) -> SchoolCaseFile:
    school = case_file or a_maintained_school()
    in_special_measures(school, date(2024, 2, 1), inspected_on=date(2024, 1, 10))
    return school


def a_consulted_application(school: SchoolCaseFile) -> str:
    application = school.draft_ieb_application(
        when=when(date(2024, 2, 5)), rationale="Governors lack capacity to lead improvement"
    )
    school.record_ieb_consultation(
        when=when(date(2024, 2, 6)), application_id=application, consultee="governing body",
        response="The governors oppose the proposal",
    )
    return application


def test_ieb_application_needs_eligibility():
    """s65(1): the LA may constitute an IEB only if the school is eligible for intervention."""
    school = a_maintained_school()

    with refused(school, "not eligible for intervention (s59)"):
        school.draft_ieb_application(when=when(date(2024, 2, 5)), rationale="Weak governance")


def test_ieb_submission_needs_governing_body_consulted():
    """s65(2)(a): the LA must consult the governing body before applying."""
    school = an_eligible_school()
    application = school.draft_ieb_application(when=when(date(2024, 2, 5)), rationale="SM")

    with refused(school, "Consult the governing body before applying"):
        school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)


def test_ieb_submission_needs_diocese_for_a_school_with_religious_character():
    """s65(2)(b)-(c): for a Church of England or Roman Catholic school, the diocesan
    authority; for another foundation or voluntary school, whoever appoints the foundation
    governors."""
    school = an_eligible_school(a_church_school())
    application = a_consulted_application(school)

    with refused(school, "Consult the diocese or foundation before applying"):
        school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)

    school.record_ieb_consultation(
        when=when(date(2024, 2, 7)), application_id=application, consultee="diocese",
        response="The diocesan board supports the IEB",
    )
    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    assert school.state.ieb_applications[application].stage == "submitted"


def test_consultee_is_consulted_once():
    school = an_eligible_school()
    application = a_consulted_application(school)

    with refused(school, "The governing body was already consulted"):
        school.record_ieb_consultation(
            when=when(date(2024, 2, 8)), application_id=application, consultee="governing body",
            response="Still opposed",
        )


def test_ieb_needs_at_least_two_members():
    """Sch 6 para 1: an IEB has at least two interim executive members."""
    school = an_eligible_school()
    application = a_consulted_application(school)
    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    school.record_ieb_decision(when=when(date(2024, 3, 4)), application_id=application,
                               consent=True)

    with refused(school, "needs at least 2 members"):
        school.constitute_ieb(
            when=when(date(2024, 3, 11)), application_id=application, members=["Ann Chair"]
        )
    with refused(school, "include someone twice"):
        school.constitute_ieb(
            when=when(date(2024, 3, 11)), application_id=application,
            members=["Ann Chair", "Ann Chair"],
        )

    school.constitute_ieb(
        when=when(date(2024, 3, 11)), application_id=application,
        members=["Ann Chair", "Bob Finance"], term_ends_on=date(2025, 8, 31),
    )
    assert school.state.ieb.members == ["Ann Chair", "Bob Finance"]


def test_ieb_consent_before_constitution():
    """s65(1): the LA constitutes an IEB with the Secretary of State's consent."""
    school = an_eligible_school()
    application = a_consulted_application(school)

    with refused(school, f"IEB application {application} is drafted, not consented"):
        school.constitute_ieb(
            when=when(date(2024, 3, 11)), application_id=application,
            members=["Ann Chair", "Bob Finance"],
        )

    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    with refused(school, "Enter the reason for refusal"):
        school.record_ieb_decision(
            when=when(date(2024, 3, 4)), application_id=application, consent=False
        )
    school.record_ieb_decision(
        when=when(date(2024, 3, 4)), application_id=application, consent=False,
        reason="An academy order is being made",
    )
    with refused(school, f"IEB application {application} is refused, not consented"):
        school.constitute_ieb(
            when=when(date(2024, 3, 11)), application_id=application,
            members=["Ann Chair", "Bob Finance"],
        )


def test_ieb_term_ends_after_it_starts():
    school = an_eligible_school()
    application = a_consulted_application(school)
    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    school.record_ieb_decision(when=when(date(2024, 3, 4)), application_id=application,
                               consent=True)

    with refused(school, "The IEB's term must end after it starts"):
        school.constitute_ieb(
            when=when(date(2024, 3, 11)), application_id=application,
            members=["Ann Chair", "Bob Finance"], term_ends_on=date(2024, 3, 11),
        )


def test_one_ieb_application_at_a_time():
    school = an_eligible_school()
    application = a_consulted_application(school)

    with refused(school, f"IEB application {application} is already drafted"):
        school.draft_ieb_application(when=when(date(2024, 2, 9)), rationale="Again")


def test_ieb_is_constituted_only_while_the_school_is_eligible():
    """s65(1): the power is the LA's "if at any time" the school is eligible for intervention."""
    school = an_eligible_school()
    application = a_consulted_application(school)
    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    school.record_ieb_decision(when=when(date(2024, 3, 4)), application_id=application,
                               consent=True)
    school.end_eligibility(when=when(date(2024, 3, 6)), route="special_measures",
                           reason="Removed from special measures at the monitoring visit")

    with refused(school, "no longer eligible for intervention (s59)"):
        school.constitute_ieb(
            when=when(date(2024, 3, 11)), application_id=application,
            members=["Ann Chair", "Bob Finance"],
        )
