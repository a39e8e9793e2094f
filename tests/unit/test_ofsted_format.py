"""Reading Ofsted's management-information CSV: each era's vocabulary, encodings, bad cells."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from adapters.importers.csv_rows import NotAnExtract
from adapters.importers.ofsted import parse_inspections, read_inspections

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ofsted_state_funded_schools_mi.csv"
HEADER = "URN,School name,Inspection start date,Publication date,Overall effectiveness,Category of concern"


def mi_file(*rows: str, encoding: str = "utf-8", header: str = HEADER) -> bytes:
    return "\r\n".join([header, *rows, ""]).encode(encoding)


def only(data: bytes):
    (record,) = parse_inspections(data).records
    return record


@pytest.fixture(scope="module")
def by_urn():
    return {r.urn: r for r in read_inspections(FIXTURE).records}


def test_reads_each_era_in_its_own_vocabulary(by_urn):
    # Check: to August 2012, a notice to improve
    assert (by_urn[110009].overall, by_urn[110009].category) == (4, "notice to improve")
    # Check: September 2012 to August 2024, graded, with or without a category
    assert (by_urn[110001].overall, by_urn[110001].category) == (2, None)
    assert (by_urn[110010].overall, by_urn[110010].category) == (4, "special measures")
    assert by_urn[140003].category == "serious weaknesses"
    # Check: 2024-25, no overall grade ("Not judged", blank), categories unchanged
    assert (by_urn[110002].overall, by_urn[110002].category) == (None, None)
    assert (by_urn[140004].overall, by_urn[140004].category) == (None, "serious weaknesses")
    # Check: report cards, from November 2025
    assert by_urn[110012].overall is None and by_urn[110012].inspected_on == date(2025, 11, 17)


def test_reads_dates_as_ofsted_writes_them_and_a_byte_order_mark(by_urn):
    sm = by_urn[110010]
    assert (sm.inspected_on, sm.published_on) == (date(2023, 3, 7), date(2023, 4, 19))
    assert by_urn[110001].school_name == "St Æthelwold's CE Primary School"
    assert parse_inspections(FIXTURE.read_bytes()).problems == []


@pytest.mark.parametrize(("written", "category"), [
    ("SM", "special measures"), ("Special Measures", "special measures"),
    ("SWK", "serious weaknesses"), ("Serious Weaknesses", "serious weaknesses"),
    ("NtI", "notice to improve"), ("Notice to improve", "notice to improve"),
    ("", None), ("NULL", None),
])
def test_category_of_concern_codes_and_words(written, category):
    assert only(mi_file(f"110001,A school,01/03/2010,20/04/2010,4,{written}")).category == category


def test_requires_significant_improvement_is_read_in_the_words_of_its_date():
    before = only(mi_file("110001,A,01/03/2011,20/04/2011,4,Requires significant improvement"))
    after = only(mi_file("110001,A,01/03/2014,20/04/2014,4,Requires significant improvement"))
    assert (before.category, after.category) == ("notice to improve", "serious weaknesses")


@pytest.mark.parametrize(("written", "overall"), [
    ("1", 1), ("4", 4), ("", None), ("NULL", None), ("Not judged", None), ("Good", 2),
])
def test_overall_effectiveness_is_a_grade_or_none(written, overall):
    assert only(mi_file(f"110001,A school,01/03/2019,20/04/2019,{written},")).overall == overall


def test_unreadable_cells_are_problems_naming_row_and_column():
    extract = parse_inspections(mi_file(
        "110001,A school,01/03/2019,20/04/2019,2,",
        "110002,B school,31/02/2019,20/04/2019,5,Troubled",
    ))

    assert [str(p) for p in extract.problems] == [
        "row 3, Inspection start date: '31/02/2019' is not a date (dd/mm/yyyy)",
        "row 3, Overall effectiveness: '5' is not an overall effectiveness grade (1 to 4, or "
        "blank)",
        "row 3, Category of concern: 'Troubled' is not a category of concern (special "
        "measures, serious weaknesses, notice to improve, or blank)",
    ]


def test_a_report_not_yet_published_has_no_publication_date():
    record = only(mi_file("110001,A school,10/11/2026,NULL,,"))
    assert record.published_on is None and record.problems == ()


def test_a_latin1_file_is_detected():
    record = only(mi_file("110001,St Æthelwold's,01/03/2019,20/04/2019,2,", encoding="latin-1"))
    assert record.school_name == "St Æthelwold's"


def test_an_inspection_of_a_predecessor_school_is_its_urns():
    data = mi_file("140005,Nene Academy,01/03/2017,20/04/2017,4,SM,110002",
                   header=HEADER + ",URN at time of latest full inspection")
    record = only(data)
    assert (record.urn, record.inspected_urn) == (140005, 110002)


def test_a_file_without_ofsteds_columns_is_refused():
    with pytest.raises(NotAnExtract, match="not an Ofsted file of school inspections.*"
                                           "'Publication date'"):
        parse_inspections(b"URN,School name,Inspection start date\r\n")


def test_rows_below_a_title_line_are_numbered_as_a_spreadsheet_shows_them():
    data = b"Inspections and outcomes as at 31 August 2018,,\r\n,,\r\n" + mi_file(
        "110001,A school,31/02/2018,20/04/2018,2,")

    assert [str(p) for p in parse_inspections(data).problems] == [
        "row 4, Inspection start date: '31/02/2018' is not a date (dd/mm/yyyy)"]


def test_a_report_card_grade_outside_the_vocabulary_is_a_problem():
    header = HEADER + ",Inclusion,Safeguarding standards"
    record = only(mi_file("110001,A,17/11/2025,05/01/2026,,,Very good,Met", header=header))
    assert [str(p) for p in record.problems] == [
        "row 2, Inclusion: 'Very good' is not a report card grade (exceptional, strong "
        "standard, expected standard, needs attention, urgent improvement, or blank)"]
    assert record.safeguarding == "met"


def test_a_column_naming_the_inspected_urn_wins_in_every_wording():
    for column in ("URN at time of latest graded inspection",
                   "URN at time of latest full inspection"):
        record = only(mi_file("140005,Nene Academy,01/03/2017,20/04/2017,4,SM,110002",
                              header=f"{HEADER},{column}"))
        assert (record.urn, record.inspected_urn) == (140005, 110002)


def test_a_file_whose_dates_read_month_first_is_refused_whole():
    with pytest.raises(NotAnExtract, match=r"month first, US style \(Inspection start date "
                                           r"'03/25/2019' in row 3\)"):
        parse_inspections(mi_file("110001,A,03/01/2019,04/02/2019,2,",
                                  "110002,B,03/25/2019,04/30/2019,2,"))
    # Check a file whose dates could be read either way is read day first
    assert only(mi_file("110001,A,03/01/2019,04/02/2019,2,")).inspected_on == date(2019, 1, 3)


def test_a_column_the_file_lacks_reads_empty_even_on_a_row_with_a_stray_cell():
    stray, _ = parse_inspections(mi_file("110001,A school,01/03/2019,20/04/2019,2,,110002",
                                         "110003,B school,01/03/2019,20/04/2019,2,")).records

    # Check only the stray cell is a problem: no column the file lacks reads it
    assert [str(p) for p in stray.problems] == [
        "row 2: has 7 cells where the header has 6; look for a stray comma or quote mark"]
    assert stray.inspected_urn == 110001


def test_key_judgements_of_an_inspection_without_an_overall_grade_are_read_in_words():
    """September 2024 to November 2025: no overall grade, but quality of education and the
    other key judgements graded 1 to 4; not read for an earlier inspection (it has its overall
    grade)."""
    header = (HEADER + ",Quality of education,Behaviour and attitudes,"
              "Effectiveness of leadership and management,Sixth form provision (where applicable)")
    graded_then = only(mi_file("110001,A,01/09/2024,10/10/2024,,,3,2,Requires improvement,",
                               header=header))
    assert graded_then.report_card == {
        "quality of education": "requires improvement", "behaviour and attitudes": "good",
        "leadership and management": "requires improvement"}
    before = only(mi_file("110001,A,31/08/2024,10/10/2024,3,,3,2,3,", header=header))
    assert before.report_card == {}
    bad = only(mi_file("110001,A,02/09/2024,10/10/2024,,,5,,,", header=header))
    assert [str(p) for p in bad.problems] == [
        "row 2, Quality of education: '5' is not a grade (1 to 4, or blank)"]


def test_requires_significant_improvement_is_its_own_name_from_10_november_2025():
    """Ofsted's wording "requires significant improvement": serious weaknesses from September
    2012, and the category's own name on a report card (from 10 November 2025)."""
    words = "Requires significant improvement"
    assert only(mi_file(f"110001,A,09/11/2025,05/01/2026,,{words}")).category == (
        "serious weaknesses")
    assert only(mi_file(f"110001,A,10/11/2025,05/01/2026,,{words}")).category == (
        "requires significant improvement")
