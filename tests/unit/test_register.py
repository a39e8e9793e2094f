"""The school register: GIAS fields, validated when a case file is opened or changed."""

from datetime import date

import pytest

from domain.case_file import SchoolCaseFile, case_file_id
from domain.errors import CaseFileError
from tests.unit.builders import URN, a_maintained_school, refused, school_details, when


def register(**details):
    return SchoolCaseFile.register(when=when(date(2019, 9, 2)), details=school_details(**details))


def test_case_file_is_found_by_its_urn():
    school = register()

    assert school.id == case_file_id(URN)
    assert school.state.school.urn == URN
    assert school.state.school.registered_on == date(2019, 9, 2)


@pytest.mark.parametrize("urn", [99999, 1000000, -110001])
def test_urn_has_six_digits(urn):
    with pytest.raises(CaseFileError, match=f"A URN has six digits, not {urn}|whole number"):
        register(urn=urn)


def test_urn_is_a_whole_number():
    with pytest.raises(CaseFileError, match="urn must be a whole number"):
        register(urn="110001")


def test_a_roll_past_any_schools_is_refused_before_it_reaches_the_counts():
    with pytest.raises(CaseFileError, match="2,147,483,648 pupils is more than any school has"):
        register(pupils=2**31)
    school = register(pupils=100_000)

    with pytest.raises(CaseFileError, match="at most 100,000"):
        school.change_details(when=when(date(2020, 1, 6)), changes={"pupils": 100_001})
    assert school.state.school.pupils == 100_000


def test_school_cannot_close_before_it_opens():
    with pytest.raises(CaseFileError, match="A school cannot close before it opens"):
        register(opened_on=date(2015, 9, 1), closed_on=date(2015, 8, 31))


def test_register_needs_the_gias_identity_fields():
    with pytest.raises(CaseFileError, match="A school's establishment type is required"):
        register(establishment_type="")


def test_governance_is_maintained_or_academy():
    with pytest.raises(CaseFileError, match="Governance must be one of: maintained, academy"):
        register(governance="free school")


def test_unknown_register_field_is_refused():
    with pytest.raises(CaseFileError, match="Unknown school detail: ofsted_rating"):
        register(ofsted_rating=2)


def test_urn_cannot_change():
    """A school that converts to an academy gets a new URN: a new case file."""
    school = a_maintained_school()

    with refused(school, "A school's URN cannot change"):
        school.change_details(when=when(date(2020, 1, 6)), changes={"urn": 110002})


def test_details_change_records_only_what_changed():
    school = a_maintained_school()

    with refused(school, "The school's name already read so: nothing to change"):
        school.change_details(when=when(date(2020, 1, 6)),
                              changes={"name": " Fengate Primary School"})
    with refused(school, "Say which of the school's details to change"):
        school.change_details(when=when(date(2020, 1, 6)), changes={})
    assert len(school.pending_events) == 1

    school.change_details(when=when(date(2020, 1, 6)), changes={"pupils": 240})
    assert school.state.school.pupils == 240
    assert len(school.pending_events) == 2


def test_closed_school_takes_no_new_entries():
    school = a_maintained_school(closed_on=date(2023, 8, 31))

    with refused(school, "Fengate Primary School closed on 31 August 2023"):
        school.raise_concern(when=when(date(2023, 9, 4)), ground="standards",
                             description="Pupils not placed", evidence="")


def test_school_converts_once():
    school = a_maintained_school()
    school.link_successor(when=when(date(2023, 9, 1)), successor_urn=149001)

    with refused(school, f"URN {URN} already converted to URN 149001"):
        school.link_successor(when=when(date(2023, 9, 2)), successor_urn=149002)


def test_a_successor_named_by_scc_and_by_gias_is_listed_once_with_gias_wording():
    from application.views import linked_schools

    school = register()
    school.link_successor(when=when(date(2020, 9, 1)), successor_urn=URN + 1)
    school.link_school(when=when(date(2020, 9, 2)), link_urn=URN + 1, link_name="Fen Academy",
                       link_type="Successor", established_on=date(2020, 9, 1))
    school.link_school(when=when(date(2020, 9, 2)), link_urn=URN + 2, link_name="Fen Nursery",
                       link_type="Predecessor - merged", established_on=None)

    # Check the conversion and the GIAS link of the same school make one successor
    assert linked_schools(school.state.school, "successor") == [
        {"urn": URN + 1, "name": "Fen Academy", "link_type": "Successor",
         "established_on": date(2020, 9, 1)}]
    assert [s["urn"] for s in linked_schools(school.state.school, "predecessor")] == [URN + 2]


def test_a_schools_name_is_stored_on_one_line():
    # Check a line break (API, a quoted GIAS cell) cannot reach an email's Subject header
    school = register(name="Evil School\r\nBcc: attacker@evil.example")

    assert school.state.school.name == "Evil School Bcc: attacker@evil.example"
    school.change_details(when=when(date(2020, 1, 6)),
                          changes={"name": "  Marsh\tLane \n Primary "})
    assert school.state.school.name == "Marsh Lane Primary"


def test_a_caseworkers_name_is_stored_on_one_line():
    school = a_maintained_school()

    school.assign_caseworker(when=when(date(2020, 1, 6)), name="Alex\r\nReed",
                             email="alex.reed@fenmarsh.gov.uk")

    assert school.state.caseworker == ("Alex Reed", "alex.reed@fenmarsh.gov.uk")
