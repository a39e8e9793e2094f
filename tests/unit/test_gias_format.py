"""Reading a GIAS establishment extract: its columns, encoding, vocabulary and bad cells."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from adapters.importers.csv_rows import NotAnExtract, decode
from adapters.importers.gias import governance, parse_establishments, read_establishments
from application.projections import phase_group

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "edubasealldata20261120.csv"


def gias_file(*changes: dict[str, str], encoding: str = "cp1252") -> bytes:
    """The fixture's header and first row, once per ``changes``, with those cells changed."""
    with FIXTURE.open(encoding="cp1252", newline="") as f:
        header, first = list(csv.reader(f))[:2]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for change in changes:
        writer.writerow([change.get(name, value) for name, value in zip(header, first, strict=True)])
    return out.getvalue().encode(encoding)


@pytest.fixture(scope="module")
def by_urn():
    return {r.urn: r for r in read_establishments(FIXTURE).records}


def test_reads_the_extract_with_its_latin1_and_windows_quote_characters(by_urn):
    # Check the name columns come through, Æ, ô and a typographic apostrophe included
    assert by_urn[110001].name == "St Æthelwold's CE Primary School"
    assert by_urn[401234].name == "Ysgol Gymraeg Brynsiôn"
    assert by_urn[110010].name == "Our Lady\u2019s Catholic Primary School"
    # Check every row became a record, numbered as a spreadsheet shows it
    assert [r.row for r in by_urn.values()] == list(range(2, 15))


def test_maps_a_row_onto_the_case_files_register_fields(by_urn):
    special = by_urn[110002]

    assert special.register_details() == {
        "urn": 110002, "name": "Fenmarsh Community Special School", "phase": "Not applicable",
        "establishment_type": "Community special school", "governance": "maintained",
        "la_code": "874", "pupils": 88, "opened_on": date(1995, 9, 1), "closed_on": None,
        "religious_character": None,
    }
    assert (special.la_name, special.establishment_number, special.status) == (
        "Peterborough", "7001", "Open")


def test_a_closed_school_keeps_its_close_date(by_urn):
    closed = by_urn[110009]
    assert (closed.status, closed.opened_on, closed.closed_on) == (
        "Closed", date(1974, 9, 1), date(2015, 8, 31))


def test_empty_dates_and_pupil_counts_are_unknown(by_urn):
    assert by_urn[110001].opened_on is None and by_urn[110001].closed_on is None
    assert by_urn[110012].pupils is None


@pytest.mark.parametrize(("written", "stored"), [
    ("Does not apply", None), ("None", None), ("", None), ("Church of England", "Church of England"),
])
def test_religious_character_does_not_apply_means_none(written, stored):
    record = parse_establishments(gias_file({"ReligiousCharacter (name)": written})).records[0]
    assert record.religious_character == stored


@pytest.mark.parametrize(("group", "kind", "expected"), [
    ("Local authority maintained schools", "Community school", ("maintained", None)),
    ("LA maintained schools", "Voluntary aided school", ("maintained", None)),
    ("Local authority maintained schools", "Pupil referral unit", ("pupil referral unit", None)),
    ("Local authority maintained schools", "Local authority nursery school",
     ("maintained", None)),
    ("Special schools", "Other independent special school",
     (None, "Other independent special school")),
    ("Special schools", "Foundation special school", ("maintained", None)),
    ("Special schools", "Academy special converter", ("academy", None)),
    ("Special schools", "Free schools special", ("academy", None)),
    ("Special schools", "Non-maintained special school",
     (None, "Non-maintained special school")),
    ("Academies", "Academy sponsor led", ("academy", None)),
    ("Free Schools", "University technical college", ("academy", None)),
    ("Independent schools", "Other independent school", (None, "Independent schools")),
    ("Welsh schools", "Welsh establishment", (None, "Welsh schools")),
    ("Children's centres", "Children's centre", (None, "Children's centres")),
    ("Other types", "Miscellaneous", (None, "Other types")),
])
def test_type_group_and_type_give_the_governance_or_why_no_case_file(group, kind, expected):
    assert governance(group, kind) == expected


def test_a_day_that_does_not_exist_is_a_problem_naming_row_and_column():
    rows = [{}] * 12 + [{"URN": "110014", "OpenDate": "31-02-2019"}]

    extract = parse_establishments(gias_file(*rows))

    assert [str(p) for p in extract.problems] == [
        "row 14, OpenDate: '31-02-2019' is not a date (dd-mm-yyyy)"
    ]
    assert extract.records[-1].opened_on is None


def test_every_bad_cell_of_a_row_is_reported_at_once():
    extract = parse_establishments(gias_file(
        {"URN": "11001", "EstablishmentName": " ", "NumberOfPupils": "about 200",
         "CloseDate": "2019/09/01"},
    ))

    assert [str(p) for p in extract.problems] == [
        "row 2, URN: '11001' is not a URN (a six-digit number)",
        "row 2, EstablishmentName: is empty",
        "row 2, CloseDate: '2019/09/01' is not a date (dd-mm-yyyy)",
        "row 2, NumberOfPupils: 'about 200' is not a whole number",
    ]


def test_a_row_with_a_stray_cell_is_a_problem():
    data = gias_file({}) + b"110099,874,Peterborough,extra\r\n"

    problems = parse_establishments(data).problems

    assert len(problems) > 1 and problems[0].column is None
    assert str(problems[0]).startswith("row 3: has 4 cells where the header has 85")


def test_blank_lines_are_left_out_and_do_not_shift_row_numbers():
    data = gias_file({}, {"URN": "110002", "OpenDate": "32-01-2000"}).replace(
        b"\r\n110002", b"\r\n,,,\r\n110002")

    assert [str(p) for p in parse_establishments(data).problems] == [
        "row 4, OpenDate: '32-01-2000' is not a date (dd-mm-yyyy)"
    ]


def test_utf8_with_a_byte_order_mark_is_read_too():
    data = b"\xef\xbb\xbf" + gias_file({"EstablishmentName": "St Æthelwold's"}, encoding="utf-8")
    assert parse_establishments(data).records[0].name == "St Æthelwold's"


def test_a_file_without_the_gias_columns_is_refused():
    with pytest.raises(NotAnExtract, match="not a GIAS establishment extract.*'OpenDate'"):
        parse_establishments(b"URN,EstablishmentName\r\n110001,A school\r\n")
    with pytest.raises(NotAnExtract, match="no column 'URN'"):
        parse_establishments(b"")


def test_bytes_windows_1252_leaves_undefined_are_kept_as_latin1():
    assert decode(b"Our Lady\x92s \x81") == "Our Lady\u2019s \x81"


@pytest.mark.parametrize(("phase", "kind", "group"), [
    ("All through", "Voluntary aided school", "secondary"),
    ("All Through", "Community school", "secondary"),
    ("All-through", "Academy converter", "secondary"),
    ("Nursery", "Local authority nursery school", "primary"),
    ("Not applicable", "Pupil referral unit", "other"),
    ("Not applicable", "Community special school", "special"),
])
def test_every_spelling_of_a_phase_is_counted_in_a_reports_group(phase, kind, group):
    assert phase_group(phase, kind) == group
