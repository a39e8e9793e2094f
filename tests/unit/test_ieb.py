"""Interim executive boards: EIA 2006 s65 and Schedule 6."""

from datetime import date

from domain.areas.register import DIOCESAN_AUTHORITY, FOUNDATION_APPOINTER, GOVERNING_BODY
from domain.case_file import SchoolCaseFile
from tests.unit.builders import (
    a_church_school,
    a_maintained_school,
    event_names,
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


def test_consultation_by_category_cofe_voluntary_aided_school_needs_the_diocesan_authority():
    """s65 (as s63(2)): for a Church of England or Roman Catholic foundation or voluntary
    school, the appropriate diocesan authority, not the foundation governors' appointer."""
    school = an_eligible_school(a_church_school())
    application = a_consulted_application(school)

    with refused(school, "Consult the diocesan authority before applying"):
        school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    with refused(school, "consult the governing body and the diocesan authority, not the "
                         "foundation governors' appointer"):
        school.record_ieb_consultation(
            when=when(date(2024, 2, 7)), application_id=application,
            consultee=FOUNDATION_APPOINTER, response="The trustees support the IEB",
        )

    school.record_ieb_consultation(
        when=when(date(2024, 2, 7)), application_id=application, consultee=DIOCESAN_AUTHORITY,
        response="The diocesan board supports the IEB",
    )
    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    assert school.state.ieb_applications[application].stage == "submitted"


def test_consultation_by_category_foundation_trust_school_needs_the_foundation_appointer():
    """A foundation school with no religious character has foundation governors: whoever
    appoints them is consulted; there is no diocesan authority."""
    school = an_eligible_school(a_maintained_school(
        name="Orton Trust School", establishment_type="Foundation school",
        religious_character="Does not apply"))
    application = a_consulted_application(school)

    with refused(school, "Consult the foundation governors' appointer before applying"):
        school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    with refused(school, "not the diocesan authority"):
        school.record_ieb_consultation(
            when=when(date(2024, 2, 7)), application_id=application,
            consultee=DIOCESAN_AUTHORITY, response="Supports")

    school.record_ieb_consultation(
        when=when(date(2024, 2, 7)), application_id=application,
        consultee=FOUNDATION_APPOINTER, response="The Orton Trust supports the IEB")
    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    assert school.state.ieb_applications[application].stage == "submitted"


def test_consultation_by_category_jewish_voluntary_aided_school_needs_the_foundation_appointer():
    """A religious character other than Church of England or Roman Catholic has no diocesan
    authority: the foundation governors' appointer is consulted."""
    school = an_eligible_school(a_church_school(
        name="Menorah Primary School", religious_character="Jewish"))
    application = a_consulted_application(school)

    with refused(school, "not the diocesan authority"):
        school.record_ieb_consultation(
            when=when(date(2024, 2, 7)), application_id=application,
            consultee=DIOCESAN_AUTHORITY, response="Supports")
    with refused(school, "Consult the foundation governors' appointer before applying"):
        school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)

    school.record_ieb_consultation(
        when=when(date(2024, 2, 7)), application_id=application,
        consultee=FOUNDATION_APPOINTER, response="The synagogue's trustees support the IEB")
    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)


def test_consultation_by_category_community_school_consults_the_governing_body_only():
    """A community school has no foundation: only its governing body is consulted."""
    school = an_eligible_school()
    application = a_consulted_application(school)

    for consultee in (DIOCESAN_AUTHORITY, FOUNDATION_APPOINTER):
        with refused(school, f"consult the governing body, not the {consultee}"):
            school.record_ieb_consultation(
                when=when(date(2024, 2, 7)), application_id=application,
                consultee=consultee, response="Supports")
    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    assert school.state.ieb_applications[application].stage == "submitted"


def test_consultation_recorded_as_diocese_or_foundation_still_counts():
    """Entries recorded before consultation followed the category named the consultee
    "diocese" or "foundation": they count as the diocesan authority and the foundation
    governors' appointer."""
    church = an_eligible_school(a_church_school())
    application = a_consulted_application(church)
    church._record(church.IEBConsultationRecorded, when=when(date(2024, 2, 7)),
                   application_id=application, consultee="diocese",
                   response="The diocesan board supports the IEB")

    assert set(church.state.ieb_applications[application].consultations) == {
        GOVERNING_BODY, DIOCESAN_AUTHORITY}
    church.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)

    trust = an_eligible_school(a_maintained_school(
        establishment_type="Foundation school", religious_character=None))
    application = a_consulted_application(trust)
    trust._record(trust.IEBConsultationRecorded, when=when(date(2024, 2, 7)),
                  application_id=application, consultee="foundation",
                  response="The trust supports the IEB")
    trust.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    assert trust.state.ieb_applications[application].stage == "submitted"


def test_consultee_is_consulted_once():
    school = an_eligible_school()
    application = a_consulted_application(school)

    with refused(school, "The governing body was already consulted"):
        school.record_ieb_consultation(
            when=when(date(2024, 2, 8)), application_id=application, consultee="governing body",
            response="Still opposed",
        )


def test_ieb_two_members():
    """Sch 6 para 4(1): an IEB has at least two interim executive members."""
    school = an_eligible_school()
    application = a_consulted_application(school)
    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    school.record_ieb_decision(when=when(date(2024, 3, 4)), application_id=application,
                               consent=True)

    with refused(school, "needs at least 2 members"):
        school.constitute_ieb(
            when=when(date(2024, 3, 11)), application_id=application, instrument_on=date(2024, 3, 8),
            terms="Unpaid; until 31 August 2025", members=["Ann Chair"]
        )
    with refused(school, "include someone twice"):
        school.constitute_ieb(
            when=when(date(2024, 3, 11)), application_id=application, instrument_on=date(2024, 3, 8),
            terms="Unpaid; until 31 August 2025",
            members=["Ann Chair", "Ann Chair"],
        )

    school.constitute_ieb(
        when=when(date(2024, 3, 11)), application_id=application, instrument_on=date(2024, 3, 8),
            terms="Unpaid; until 31 August 2025",
        members=["Ann Chair", "Bob Finance"], term_ends_on=date(2025, 8, 31),
    )
    assert school.state.ieb.members == ["Ann Chair", "Bob Finance"]


def test_ieb_consent_before_constitution():
    """s65(1): the LA constitutes an IEB with the Secretary of State's consent."""
    school = an_eligible_school()
    application = a_consulted_application(school)

    with refused(school, f"IEB application {application} is drafted, not consented"):
        school.constitute_ieb(
            when=when(date(2024, 3, 11)), application_id=application, instrument_on=date(2024, 3, 8),
            terms="Unpaid; until 31 August 2025",
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
            when=when(date(2024, 3, 11)), application_id=application, instrument_on=date(2024, 3, 8),
            terms="Unpaid; until 31 August 2025",
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
            when=when(date(2024, 3, 11)), application_id=application, instrument_on=date(2024, 3, 8),
            terms="Unpaid; until 31 August 2025",
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
            when=when(date(2024, 3, 11)), application_id=application, instrument_on=date(2024, 3, 8),
            terms="Unpaid; until 31 August 2025",
            members=["Ann Chair", "Bob Finance"],
        )


def a_consented_application(school: SchoolCaseFile) -> str:
    application = a_consulted_application(school)
    school.submit_ieb_application(when=when(date(2024, 2, 20)), application_id=application)
    school.record_ieb_decision(when=when(date(2024, 3, 4)), application_id=application,
                               consent=True)
    return application


def a_board(school: SchoolCaseFile | None = None) -> SchoolCaseFile:
    school = an_eligible_school(school)
    school.constitute_ieb(
        when=when(date(2024, 3, 11)), application_id=a_consented_application(school),
        members=["Ann Chair", "Bob Finance"], instrument_on=date(2024, 3, 8),
        terms={"Ann Chair": "Chair; paid two days a month", "Bob Finance": "Unpaid"},
    )
    return school


def test_ieb_written_instrument():
    """Sch 6 para 5(1): each member is appointed by an instrument in writing setting out the
    terms of the appointment; the record keeps its date and each member's terms."""
    school = an_eligible_school()
    application = a_consented_application(school)
    board = {"when": when(date(2024, 3, 11)), "application_id": application,
             "members": ["Ann Chair", "Bob Finance"]}

    with refused(school, "Enter the date of the written instrument"):
        school.constitute_ieb(**board, instrument_on=None, terms="Unpaid")
    with refused(school, "The instrument is dated 12 March 2024, after the appointment took "
                         "effect on 11 March 2024"):
        school.constitute_ieb(**board, instrument_on=date(2024, 3, 12), terms="Unpaid")
    with refused(school, "before the consent on 4 March 2024"):
        school.constitute_ieb(**board, instrument_on=date(2024, 3, 1), terms="Unpaid")
    with refused(school, "Enter the terms of appointment for Bob Finance"):
        school.constitute_ieb(**board, instrument_on=date(2024, 3, 8),
                              terms={"Ann Chair": "Chair"})
    with refused(school, "Enter the terms of appointment the written instrument sets out"):
        school.constitute_ieb(**board, instrument_on=date(2024, 3, 8), terms=" ")

    school.constitute_ieb(**board, instrument_on=date(2024, 3, 8), terms="Unpaid; two years")
    assert [(m.name, m.terms, m.instrument_on) for m in school.state.ieb.appointments] == [
        ("Ann Chair", "Unpaid; two years", date(2024, 3, 8)),
        ("Bob Finance", "Unpaid; two years", date(2024, 3, 8))]


def test_ieb_written_instrument_for_a_new_member():
    """A member who joins is appointed by instrument with their terms; those who stay keep
    theirs."""
    school = a_board()

    with refused(school, "Enter the terms of appointment for Cara Head"):
        school.change_ieb_members(
            when=when(date(2024, 6, 3)), members=["Ann Chair", "Cara Head"],
            reason="Bob Finance resigned", instrument_on=date(2024, 5, 31))
    with refused(school, "Enter the date of the written instrument"):
        school.change_ieb_members(
            when=when(date(2024, 6, 3)), members=["Ann Chair", "Cara Head"],
            reason="Bob Finance resigned", terms={"Cara Head": "Unpaid"})

    school.change_ieb_members(
        when=when(date(2024, 6, 3)), members=["Ann Chair", "Cara Head"],
        reason="Bob Finance resigned", instrument_on=date(2024, 5, 31),
        terms={"Cara Head": "Unpaid; until 31 August 2025"})

    assert [(m.name, m.terms, m.instrument_on) for m in school.state.ieb.appointments] == [
        ("Ann Chair", "Chair; paid two days a month", date(2024, 3, 8)),
        ("Cara Head", "Unpaid; until 31 August 2025", date(2024, 5, 31))]
    assert school.entries[-1].terms == {"Ann Chair": "Chair; paid two days a month",
                                        "Cara Head": "Unpaid; until 31 August 2025"}


def test_ieb_ends_with_school_when_it_closes():
    """The board governs the school: when the register records it closed, the board ends in
    the same command, and retracting the closure needs the board's end retracted first."""
    school = a_board()

    school.change_details(when=when(date(2025, 8, 31)), changes={"closed_on": date(2025, 8, 31)})

    assert event_names(school)[-2:] == ["DetailsChanged", "IEBEnded"]
    assert school.state.ieb is None
    assert school.state.iebs[-1].end_reason == (
        "The board ended because the school closed on 31 August 2025")
    closure = len(school.entries) - 1
    with refused(school, f"later entries that rest on it ({closure + 1})"):
        school.retract_entry(when=when(date(2025, 9, 1)), version=closure, reason="Wrong URN")


def test_ieb_ends_with_school_when_it_converts():
    school = a_board()

    school.link_successor(when=when(date(2025, 9, 1)), successor_urn=150001)

    assert event_names(school)[-2:] == ["SuccessorLinked", "IEBEnded"]
    assert school.state.iebs[-1].end_reason == (
        "The board ended because the school converted to an academy (now URN 150001)")
    assert school.state.iebs[-1].ended_on == date(2025, 9, 1)


def test_ieb_ends_with_school_only_if_one_is_in_place():
    school = an_eligible_school()

    school.change_details(when=when(date(2025, 8, 31)), changes={"closed_on": date(2025, 8, 31)})

    assert event_names(school)[-1] == "DetailsChanged"
