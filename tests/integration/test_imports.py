"""Imports from GIAS and Ofsted files into the case files, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.importers.gias import parse_establishments, read_establishments
from adapters.importers.ofsted import parse_inspections, read_inspections
from application.imports import (
    RECORDS_BEGIN,
    InspectionRecord,
    import_inspections,
    import_schools,
    oldest_first,
)
from cli.main import scc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GIAS = FIXTURES / "edubasealldata20261120.csv"
OFSTED = FIXTURES / "ofsted_state_funded_schools_mi.csv"
LA_SCHOOLS = [110001, 110002, 110009, 110010, 110012, 140003, 140004, 140005, 150013]


def gias_variant(changes: dict[int, dict[str, str]], extra: int = 0) -> bytes:
    """The GIAS fixture with some cells changed, by URN, and ``extra`` more maintained
    primary schools of LA 874 (URNs from 200000)."""
    with GIAS.open(encoding="cp1252", newline="") as f:
        header, *rows = list(csv.reader(f))
    urn_at = header.index("URN")
    rows = [[changes.get(int(r[urn_at]), {}).get(h, v) for h, v in zip(header, r, strict=True)]
            for r in rows]
    template = dict(zip(header, rows[0], strict=True))
    for n in range(extra):
        template.update({"URN": str(200000 + n), "EstablishmentName": f"School {n}",
                         "NumberOfPupils": str(100 + n % 300)})
        rows.append([template[h] for h in header])
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("cp1252")


def stored_events(case_files) -> int:
    return case_files.recorder.max_notification_id() or 0


def test_import_registers_the_las_schools_and_skips_the_rest(case_files):
    report = import_schools(case_files, read_establishments(GIAS).records, by="GIAS import",
                            la_code="874")

    # Check the LA's schools, academies and the closed one included, have case files
    assert (report.rows, report.added, report.changed, report.unchanged) == (13, 9, 0, 0)
    assert case_files.urns() == LA_SCHOOLS
    assert report.skipped_by_reason() == {
        "not a school the LA keeps a case file on: Non-maintained special school": 1,
        "not a school the LA keeps a case file on: Independent schools": 1,
        "not a school the LA keeps a case file on: Welsh schools": 1,
        "another LA's (not LA 874)": 1,
    }
    assert report.rejected == []
    # Check each case file opens when the school did, or when scc's records begin
    closed = case_files.school(110009)
    assert closed["closed_on"] == date(2015, 8, 31) and not closed["is_open"]
    assert case_files.history(110009)[0]["effective"] == date(1974, 9, 1)
    assert case_files.history(110001)[0]["effective"] == RECORDS_BEGIN
    # Check a school proposed to open is registered today, not in the future
    assert case_files.history(150013)[0]["effective"] == date(2026, 11, 23)
    assert case_files.school(150013)["opened_on"] == date(2027, 9, 1)
    assert case_files.school(140005)["governance"] == "academy"
    assert case_files.history(110001)[0]["by"] == "GIAS import"


def test_reimporting_the_same_files_records_nothing(case_files):
    import_schools(case_files, read_establishments(GIAS).records, by="GIAS import")
    import_inspections(case_files, read_inspections(OFSTED).records, by="Ofsted import")
    before = stored_events(case_files)
    versions = {urn: case_files.version(urn) for urn in case_files.urns()}

    schools = import_schools(case_files, read_establishments(GIAS).records, by="GIAS import")
    inspections = import_inspections(case_files, read_inspections(OFSTED).records,
                                     by="Ofsted import")

    # Check nothing was recorded, and the report says every row was already in
    assert stored_events(case_files) == before
    assert {urn: case_files.version(urn) for urn in case_files.urns()} == versions
    assert (schools.added, schools.changed, schools.unchanged) == (0, 0, 10)
    assert (inspections.added, inspections.unchanged) == (0, 7)


def test_a_changed_pupil_count_records_one_change_of_just_that_field(case_files):
    import_schools(case_files, read_establishments(GIAS).records, by="GIAS import")
    version = case_files.version(110001)

    report = import_schools(
        case_files, parse_establishments(gias_variant({110001: {"NumberOfPupils": "250"}})).records,
        by="GIAS import",
    )

    assert (report.added, report.changed, report.unchanged) == (0, 1, 9)
    assert case_files.version(110001) == version + 1
    entry = case_files.history(110001)[-1]
    assert entry["event"] == "DetailsChanged"
    assert entry["details"]["changes"] == {"pupils": 250}
    assert entry["effective"] == date(2026, 11, 23)


def test_a_line_break_in_a_quoted_name_is_stored_as_one_space_and_reimports_unchanged(
        case_files):
    broken = gias_variant({110001: {"EstablishmentName": "Evil School\r\nBcc:  x@evil.example"}})
    import_schools(case_files, parse_establishments(broken).records, by="GIAS import")

    assert case_files.school(110001)["name"] == "Evil School Bcc: x@evil.example"
    again = import_schools(case_files, parse_establishments(broken).records, by="GIAS import")
    assert (again.changed, again.unchanged) == (0, 10)


def test_a_bad_row_is_reported_with_row_and_column_and_the_rest_go_in(case_files):
    data = gias_variant({110010: {"OpenDate": "31-02-2019"},
                         110012: {"OpenDate": "01-09-2015", "CloseDate": "31-08-2010"}})

    report = import_schools(case_files, parse_establishments(data).records, by="GIAS import",
                            la_code="874")

    # Check the unreadable cell and the row a rule refuses are listed, and recorded nothing
    assert [str(p) for p in report.rejected] == [
        "row 11, OpenDate: '31-02-2019' is not a date (dd-mm-yyyy)",
        "row 13: URN 110012: A school cannot close before it opens",
    ]
    assert report.rejected_rows == [11, 13]
    assert 110010 not in case_files and 110012 not in case_files
    # Check every other school went in
    assert report.added == 7
    assert case_files.urns() == [u for u in LA_SCHOOLS if u not in (110010, 110012)]


def test_bad_rows_of_schools_the_la_does_not_keep_are_skipped_not_rejected(case_files):
    data = gias_variant({110007: {"OpenDate": "31-02-2019"}, 110011: {"NumberOfPupils": "x"}})

    report = import_schools(case_files, parse_establishments(data).records, by="GIAS import",
                            la_code="874")

    assert report.rejected == [] and report.skipped == 4


def test_special_measures_makes_a_maintained_school_eligible_and_an_academy_not(case_files):
    import_schools(case_files, read_establishments(GIAS).records, by="GIAS import",
                   la_code="874")

    report = import_inspections(case_files, read_inspections(OFSTED).records, by="Ofsted import")

    assert (report.added, report.unchanged, report.rejected) == (7, 0, [])
    assert report.skipped_by_reason() == {
        "not a school the LA keeps a case file on (no case file for this URN)": 1}
    # Check the special measures judgement is backdated to its publication and makes the
    # maintained school eligible for intervention (s62)
    school = case_files.school(110010)
    assert school["ofsted"]["category"] == "special measures"
    assert school["ofsted"]["published_on"] == date(2023, 4, 19)
    assert [e["route"] for e in school["eligibility"]] == ["special_measures"]
    assert school["causing_concern"]
    entries = [e for e in case_files.history(110010) if e["event"] == "InspectionRecorded"]
    assert entries[0]["effective"] == date(2023, 4, 19) and entries[0]["by"] == "Ofsted import"
    # Check an academy's serious weaknesses is recorded without eligibility (not the LA's)
    academy = case_files.school(140003)
    assert academy["ofsted"]["category"] == "serious weaknesses"
    assert academy["eligibility"] == []
    # Check the no-grade era is recorded without a grade
    assert case_files.school(110002)["ofsted"]["overall"] is None


def test_an_inspection_a_rule_refuses_is_rejected_and_records_nothing(case_files):
    import_schools(case_files, read_establishments(GIAS).records, by="GIAS import")
    data = (
        "URN,School name,Inspection start date,Publication date,Overall effectiveness,"
        "Category of concern\r\n"
        "110001,St Æthelwold's,05/02/2025,14/03/2025,2,NULL\r\n"
        "110002,Fenmarsh,05/02/2025,14/03/2025,,Special Measures\r\n"
        "110010,Our Lady's,31/13/2023,19/04/2023,4,SM\r\n"
    ).encode("latin-1")
    version = case_files.version(110001)

    report = import_inspections(case_files, parse_inspections(data).records, by="Ofsted import")

    assert [str(p) for p in report.rejected] == [
        "row 2: URN 110001: Ofsted gave no overall effectiveness grade on 5 February 2025 "
        "(No overall grade (September 2024 to November 2025))",
        "row 4, Inspection start date: '31/13/2023' is not a date (dd/mm/yyyy)",
    ]
    assert case_files.version(110001) == version
    assert report.added == 1
    assert [e["route"] for e in case_files.school(110002)["eligibility"]] == ["special_measures"]


# The command line (SQLite) -------------------------------------------------------------------

def _env(tmp_path, **more: str | None) -> dict[str, str | None]:
    return {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
            "SCC_CATEGORY_SCHEME": "peterborough", "SCC_TERM_DATES": None,
            "SCC_DATA_DIR": None, "SCC_LA_CODE": None, **more}


def test_cli_imports_schools_then_inspections_and_says_what_it_did(tmp_path):
    runner = CliRunner()
    env = _env(tmp_path, SCC_LA_CODE="874")

    schools = runner.invoke(scc, ["import-schools", str(GIAS)], env=env)
    inspections = runner.invoke(scc, ["import-inspections", str(OFSTED)], env=env)
    again = runner.invoke(scc, ["import-schools", str(GIAS)], env=env)

    assert schools.exit_code == 0, schools.output
    assert f"Schools from {GIAS} (LA 874), extract of 20 November 2026: 13 rows" in schools.stdout
    assert "        9  schools added" in schools.stdout
    assert "1    another LA's (not LA 874)" in schools.stdout
    assert "0  rows rejected" in schools.stdout
    assert "Importing schools: 13 of 13 rows" in schools.stderr
    assert inspections.exit_code == 0, inspections.output
    assert "7  inspections added" in inspections.stdout
    assert again.exit_code == 0
    assert "        9  schools unchanged" in again.stdout
    assert "0  schools added" in again.stdout


def test_cli_lists_rejected_rows_and_exits_1(tmp_path):
    bad = tmp_path / "edubasealldata.csv"
    bad.write_bytes(gias_variant({110010: {"OpenDate": "31-02-2019"}}))

    result = CliRunner().invoke(scc, ["import-schools", str(bad), "--by", "Data team"],
                                env=_env(tmp_path))

    assert result.exit_code == 1
    assert "1  row rejected" in result.stdout
    assert "  row 11, OpenDate: '31-02-2019' is not a date (dd-mm-yyyy)" in result.stdout
    assert "Rejected rows recorded nothing; every other row went in." in result.stdout
    assert "Traceback" not in result.output


def test_cli_refuses_a_file_that_is_not_the_extract(tmp_path):
    result = CliRunner().invoke(scc, ["import-schools", str(OFSTED)], env=_env(tmp_path))

    assert result.exit_code == 2
    assert "is not a GIAS establishment extract" in result.stderr
    assert CliRunner().invoke(scc, ["import-schools", str(GIAS), "--la-code", "Peterborough"],
                              env=_env(tmp_path)).exit_code == 2


def test_cli_help_states_the_bad_row_policy():
    for command in ("import-schools", "import-inspections"):
        result = CliRunner().invoke(scc, [command, "--help"])
        text = " ".join(result.stdout.split())
        assert "a bad row" in text and "records nothing" in text
        assert "exit status is then 1" in text and "idempotent" in text


def test_cli_imports_five_thousand_schools_with_progress(tmp_path):
    big = tmp_path / "edubasealldata20261120.csv"
    big.write_bytes(gias_variant({}, extra=5000))

    started = time.perf_counter()
    result = CliRunner().invoke(scc, ["import-schools", str(big)], env=_env(tmp_path))
    took = time.perf_counter() - started

    assert result.exit_code == 0, result.output
    assert "5010  schools added" in result.stdout
    assert "Importing schools: 1000 of 5013 rows" in result.stderr
    assert "Importing schools: 5013 of 5013 rows" in result.stderr
    assert took < 30, f"5,000 schools took {took:.1f}s"


@pytest.mark.parametrize("command", ["import-schools", "import-inspections"])
def test_cli_a_missing_file_is_a_usage_error(tmp_path, command):
    result = CliRunner().invoke(scc, [command, str(tmp_path / "nowhere.csv")],
                                env=_env(tmp_path))
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_a_school_not_yet_inspected_is_counted_apart_and_is_no_error(case_files):
    import_schools(case_files, read_establishments(GIAS).records, by="GIAS import")
    data = (
        "URN,School name,Inspection start date,Publication date,Overall effectiveness,"
        "Category of concern\r\n"
        "150013,Hampton Lakes Primary,NULL,NULL,NULL,NULL\r\n"
        "110001,St Æthelwold's,,,,\r\n"
        "110002,Fenmarsh,,14/03/2025,,Special Measures\r\n"
    ).encode("latin-1")

    report = import_inspections(case_files, parse_inspections(data).records, by="Ofsted import")

    assert report.skipped_by_reason() == {"not yet inspected": 2}
    # Check a judgement without its inspection date is still an error
    assert [str(p) for p in report.rejected] == ["row 4, Inspection start date: is empty"]


def test_an_inspection_published_after_the_school_closed_makes_it_eligible_for_nothing(
        case_files):
    import_schools(case_files, read_establishments(GIAS).records, by="GIAS import")
    data = (
        "URN,School name,Inspection start date,Publication date,Overall effectiveness,"
        "Category of concern\r\n"
        "110009,Old Fletton Primary School,20/07/2015,02/10/2015,4,SM\r\n"
    ).encode("latin-1")

    report = import_inspections(case_files, parse_inspections(data).records, by="Ofsted import")

    # Check the judgement is in its history, but the closed school is not eligible
    assert report.added == 1
    school = case_files.school(110009)
    assert school["ofsted"]["category"] == "special measures"
    assert school["eligibility"] == []


def test_a_school_changed_by_hand_out_of_date_order_is_compared_as_it_stands(case_files):
    import_schools(case_files, read_establishments(GIAS).records, by="GIAS import")
    case_files.change_school_details(110001, by="Data team", pupils=300)
    case_files.change_school_details(110001, by="Data team", effective=date(2026, 11, 1),
                                     pupils=250)  # backdated: the later change still stands
    assert case_files.school(110001)["pupils"] == 300

    report = import_schools(
        case_files, parse_establishments(gias_variant({110001: {"NumberOfPupils": "250"}})).records,
        by="GIAS import")

    assert (report.changed, report.unchanged) == (1, 9)
    assert case_files.school(110001)["pupils"] == 250


def test_the_stores_own_reading_of_registrations_gives_what_the_notifications_give(
        case_files, database_url):
    """An import compares the extract with every school's register fields, read from the
    store's rows by SQL (adapters.event_scan.entries_of_kinds) rather than through the
    library's notifications: both readings give the same fields, changes applied in
    effective-date order, and None for a case file with an amended entry."""
    from adapters.event_scan import entries_of_kinds
    from application.imports import FACT_FIELDS

    import_schools(case_files, read_establishments(GIAS).records, by="GIAS import")
    case_files.change_school_details(110001, by="Data team", pupils=300)
    case_files.change_school_details(110001, by="Data team", effective=date(2026, 11, 1),
                                     pupils=250)
    case_files.change_school_details(110002, by="Data team", name="Renamed Primary")
    case_files.change_school_details(110010, by="Data team", pupils=5)
    case_files.retract_entry(110010, by="Data team", version=2, reason="Wrong school")
    by_notifications = case_files.register_facts(FACT_FIELDS)
    case_files._entries_of_kinds = entries_of_kinds
    by_rows = case_files.register_facts(FACT_FIELDS)

    # Check both readings agree: changes in effective-date order, a retraction's None
    assert by_rows == by_notifications and len(by_rows) == len(case_files.urns())
    assert by_rows[110001][FACT_FIELDS.index("pupils")] == 300
    assert by_rows[110002][FACT_FIELDS.index("name")] == "Renamed Primary"
    assert by_rows[110010] is None


def test_inspections_sorted_in_runs_come_out_as_sorting_the_whole_file_would_give():
    records = [InspectionRecord(row=2 + n // 2, urn=100000 + n % 7, inspected_urn=None,
                                school_name="", inspected_on=None if n % 11 == 0 else
                                date(2010, 1, 1 + (n * 5) % 9), published_on=None,
                                overall=n % 4 or None, category=None)
               for n in range(50)]

    with oldest_first(records, at_once=4) as (total, in_runs):
        merged = list(in_runs)

    # Check 13 runs, kept apart and merged, give what sorting the whole file gives
    assert merged == sorted(records, key=lambda r: (r.inspected_on or date.max, r.row))
    assert total == 50


def test_a_school_opened_in_year_1_or_closing_in_year_9999_is_a_rejected_row(case_files):
    data = gias_variant({110010: {"OpenDate": "01-01-0001"},
                         110012: {"OpenDate": "01-09-2015", "CloseDate": "31-12-9999"}})

    report = import_schools(case_files, parse_establishments(data).records, by="GIAS import",
                            la_code="874")

    # Check both rows are refused in words, with the range, and the rest go in
    rejected = [str(p) for p in report.rejected]
    assert [p.split(": enter")[0] for p in rejected] == [
        "row 11: URN 110010: The opening date, 1 January 1, is not a date a school could have",
        "row 13: URN 110012: The closing date, 31 December 9999, is not a date a school could "
        "have",
    ]
    assert all("enter a date from 1 January 1800 to " in p for p in rejected)
    assert 110010 not in case_files and 110012 not in case_files
    assert report.added == 7
