"""Real public GIAS files (../shared/data/real, byte for byte) imported into the case files,
each named school checked field by field against its raw row."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner

from adapters.importers import csv_rows
from adapters.importers.gias import (
    LA_NAME,
    LAST_CHANGED,
    NUMBER,
    REQUIRED,
    parse_establishments,
    read_establishments,
)
from adapters.importers.gias_links import read_links
from application.imports import import_links, import_schools
from application.projections import phase_group
from cli.main import scc
from tests.fakes import TEST_NOW

REAL = Path(os.environ.get("SCC_REAL_FILES")
            or Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real")
"""The real public files: ../shared/data/real beside the clone (as CI lays it out), or
SCC_REAL_FILES for a clone elsewhere."""
SE_EDUBASE = REAL / "se_edubase.csv"
NPQ_SAMPLE = REAL / "npq_gias_sample.csv"


def real_file(path: Path) -> Path:
    """The shared file, which must be there (CI copies shared/ beside the clone): a missing
    file fails the test rather than skipping it."""
    assert path.is_file(), (f"{path} is missing: the real files are in ../shared/data/real "
                            "beside the clone, or set SCC_REAL_FILES to their folder")
    return path


def raw_rows(path: Path) -> dict[int, dict[str, str]]:
    with real_file(path).open(encoding="utf-8-sig", newline="") as f:
        return {int(row["URN"]): row for row in csv.DictReader(f)}


def _cli_env(tmp_path) -> dict[str, str | None]:
    return {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
            "SCC_CATEGORY_SCHEME": "peterborough", "SCC_TERM_DATES": None,
            "SCC_DATA_DIR": None, "SCC_LA_CODE": None}


def gias_date(cell: str) -> date | None:
    return datetime.strptime(cell, "%d-%m-%Y").date() if cell else None


def assert_school_matches_its_row(school: dict, row: dict[str, str], governance: str) -> None:
    assert school["name"] == row["EstablishmentName"]
    assert school["la_code"] == row["LA (code)"]
    assert school["establishment_type"] == row["TypeOfEstablishment (name)"]
    assert school["phase"] == row["PhaseOfEducation (name)"]
    assert school["governance"] == governance
    assert school["pupils"] == (int(row["NumberOfPupils"]) if row["NumberOfPupils"] else None)
    assert school["opened_on"] == gias_date(row["OpenDate"])
    assert school["closed_on"] == gias_date(row["CloseDate"])
    religion = row["ReligiousCharacter (name)"]
    assert school["religious_character"] == (
        None if religion in ("Does not apply", "None", "") else religion)


def test_a_2018_19_extract_registers_its_la_maintained_schools(case_files):
    raw = raw_rows(SE_EDUBASE)

    report = import_schools(case_files, read_establishments(SE_EDUBASE).records,
                            by="GIAS import")

    # Check all four "LA maintained schools" rows have case files, as their rows say
    assert (report.added, report.skipped, report.rejected) == (4, 0, [])
    assert case_files.urns() == sorted(raw)
    for urn, row in raw.items():
        assert_school_matches_its_row(case_files.school(urn), row, "maintained")
    # Check the all-through school is counted in a report's phases, not left out
    all_through = case_files.school(100171)
    assert all_through["phase"] == "All through"
    assert phase_group(all_through["phase"], all_through["establishment_type"]) == "secondary"


def test_a_2021_extract_re_saved_by_a_spreadsheet_lands_field_by_field(case_files):
    raw = raw_rows(NPQ_SAMPLE)

    report = import_schools(case_files, read_establishments(NPQ_SAMPLE).records,
                            by="GIAS import")

    # Check the Welsh and independent rows are counted apart, and nothing is an error
    assert report.rejected == []
    assert report.skipped_by_reason() == {
        "not a school the LA keeps a case file on: Welsh schools": 51,
        "not a school the LA keeps a case file on: Independent schools": 3,
    }
    assert report.added == 45
    # Check named schools field by field: a voluntary aided school, a closed one, one
    # proposed to close, a nursery school
    for urn in (100000, 100016, 100012, 100005, 100037):
        assert_school_matches_its_row(case_files.school(urn), raw[urn], "maintained")
    # Check pupil referral units are kept, but not as maintained schools
    for urn in (100006, 100007):
        assert_school_matches_its_row(case_files.school(urn), raw[urn], "pupil referral unit")
    assert 100001 not in case_files and 402384 not in case_files


def real_header(path: Path) -> list[str]:
    with real_file(path).open(encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f))


@pytest.mark.parametrize("urn", [100000, 100012, 100016, 100037])
def test_a_row_reads_the_same_under_the_2018_19_header_as_under_the_2021_one(urn):
    """The 2018/19 extract has 133 columns, the 2021 one 139: 2021 renamed
    'InspectorateName (name)' 'BSOInspectorateName (name)' and 'Inspectorate (name)'
    'InspectorateName (name)', and added the QAB, accreditation and CHNumber columns before
    MSOA and LSOA. The columns read are at the same positions in both."""
    older, newer = real_header(SE_EDUBASE), real_header(NPQ_SAMPLE)
    row = raw_rows(NPQ_SAMPLE)[urn]
    as_2018_19 = io.StringIO(newline="")
    csv.writer(as_2018_19).writerows([older, [row.get(name, "") for name in older]])
    as_2021 = io.StringIO(newline="")
    csv.writer(as_2021).writerows([newer, [row[name] for name in newer]])

    [read_older] = parse_establishments(as_2018_19.getvalue().encode(), name="a.csv").records
    [read_newer] = parse_establishments(as_2021.getvalue().encode(), name="b.csv").records

    # Check the headers differ as said, and a row reads the same under either
    assert (len(older), len(newer)) == (133, 139)
    assert set(newer) - set(older) == {
        "BSOInspectorateName (name)", "QABName (code)", "QABName (name)", "QABReport",
        "EstablishmentAccredited (code)", "EstablishmentAccredited (name)", "CHNumber"}
    assert all(older.index(name) == newer.index(name) for name in REQUIRED)
    assert read_older == read_newer and read_newer.problems == ()
    assert read_newer.name == row["EstablishmentName"]


READ = (*REQUIRED, LA_NAME, NUMBER, LAST_CHANGED)
"""Every column the importer reads; the others it may find, or not, anywhere."""


def _only_the_columns_read(header: list[str]) -> list[str]:
    return [name for name in header if name in READ]


def _columns_added(header: list[str]) -> list[str]:
    return ["Column added first", *header[:5], "Column added (name)", *header[5:],
            "Column added last"]


def _reversed(header: list[str]) -> list[str]:
    return header[::-1]


@pytest.mark.parametrize("path", [SE_EDUBASE, NPQ_SAMPLE], ids=["2018-19", "2021"])
@pytest.mark.parametrize("reshape", [_only_the_columns_read, _columns_added, _reversed])
def test_a_real_extract_reads_the_same_whatever_columns_it_does_not_read(path, reshape):
    """Columns GIAS adds, drops or moves that the importer does not read change nothing."""
    header = real_header(path)
    rows = list(raw_rows(path).values())
    reshaped = reshape(header)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(
        [reshaped, *[[row.get(name, "") for name in reshaped] for row in rows]])

    original = parse_establishments(real_file(path).read_bytes(), name=path.name)
    variant = parse_establishments(out.getvalue().encode("utf-8"), name=path.name)

    # Check every row reads as under the real header, field by field, problems included
    assert set(READ) <= set(reshaped) and len(variant.records) == len(rows)
    assert variant.records == original.records
    assert variant.extract_on == original.extract_on


@pytest.mark.parametrize("path", [SE_EDUBASE, NPQ_SAMPLE, "misfits"],
                         ids=["2018-19", "2021", "short, long and blank rows"])
def test_a_register_reads_the_same_from_the_cells_its_check_kept_as_from_the_file(
        path, tmp_path, monkeypatch):
    """A register's records come from the cells the whole-file check kept, rather than from
    a second reading of the file; a file too long to keep is read again. Both give the same
    records, row numbers and problems."""
    if path == "misfits":
        header = real_header(NPQ_SAMPLE)
        row = next(iter(raw_rows(NPQ_SAMPLE).values()))
        cells = [row[name] for name in header]
        path = tmp_path / "edubasealldata20261120.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\r\n").writerows(
                [header, cells, cells[:40], [], [*cells, "stray"], ["100001", *cells[1:]]])
    kept = read_establishments(real_file(path))
    monkeypatch.setattr(csv_rows, "KEPT_AT_MOST", 0)
    reread = read_establishments(path)

    # Check one kept the file's cells and the other did not, and both read the same
    assert kept.records.shape.kept_rows is not None and reread.records.shape.kept_rows is None
    assert list(kept.records) == list(reread.records) and len(kept.records) > 0
    assert kept.problems == reread.problems
    assert kept.problems or path.name != "edubasealldata20261120.csv"  # the misfits file
    assert kept.extract_on == reread.extract_on


def test_cli_real_extract_of_another_la_exits_0_counting_the_rows_apart(tmp_path):
    env = {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
           "SCC_CATEGORY_SCHEME": "peterborough", "SCC_TERM_DATES": None,
           "SCC_DATA_DIR": None, "SCC_LA_CODE": "202"}

    with time_machine.travel(TEST_NOW, tick=True):
        result = CliRunner().invoke(scc, ["import-schools", str(real_file(NPQ_SAMPLE))],
                                    env=env)

    assert result.exit_code == 0, result.output
    assert "       44  schools added" in result.stdout
    assert "       51    not a school the LA keeps a case file on: Welsh schools" in result.stdout
    assert "        1    another LA's (not LA 202)" in result.stdout
    assert "0  rows rejected" in result.stdout


# Broken copies of a real file: each refused whole, with one message, recording nothing -------

def _real_rows() -> list[list[str]]:
    with real_file(NPQ_SAMPLE).open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _written(rows: list[list[str]], delimiter: str = ",",
             quoting: int = csv.QUOTE_MINIMAL) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n", quoting=quoting
               ).writerows(rows)
    return out.getvalue().encode("utf-8")


def _header_a_column_short() -> bytes:
    header, *rows = _real_rows()
    return _written([[h for h in header if h != "LA (name)"], *rows])


def _us_dates() -> bytes:
    header, *rows = _real_rows()
    dated = [header.index("OpenDate"), header.index("CloseDate")]

    def us(cell: str) -> str:
        return f"{cell[3:5]}/{cell[0:2]}/{cell[6:]}" if len(cell) == 10 else cell
    return _written([header, *[[us(c) if i in dated else c for i, c in enumerate(r)]
                               for r in rows]])


def _header_repeated() -> bytes:
    header, *rows = _real_rows()
    return _written([header, *rows[:40], header, *rows[40:]])


def _semicolons() -> bytes:
    return _written(_real_rows(), delimiter=";")


def _semicolons_every_cell_quoted() -> bytes:
    return _written(_real_rows(), delimiter=";", quoting=csv.QUOTE_ALL)


def _whole_numbers_as_decimals() -> bytes:
    header, *rows = _real_rows()
    return _written([header, *[[f"{c}.0" if c.isdigit() else c for c in r] for r in rows]])


@pytest.mark.parametrize(("variant", "message"), [
    (_header_a_column_short, "The header names 138 columns but most rows have 139 cells: the "
                             "header is a column short"),
    (_us_dates, "Dates are written month first, US style (CloseDate '08/31/1992' in row 6)"),
    (_header_repeated, "Row 42 repeats the header: the file looks like two files joined"),
    (_semicolons, "The columns are separated by semicolons (;), not commas"),
    (_semicolons_every_cell_quoted, "The columns are separated by semicolons (;), not "
                                    "commas"),
    (_whole_numbers_as_decimals, "Whole numbers are written as decimals (URN '100000.0' in "
                                 "row 2): a spreadsheet re-saved the file"),
])
def test_cli_a_broken_copy_of_a_real_file_is_refused_whole_with_one_message(
        tmp_path, variant, message):
    env = _cli_env(tmp_path)
    broken = tmp_path / "edubasealldata.csv"
    broken.write_bytes(variant())
    runner = CliRunner()

    with time_machine.travel(TEST_NOW, tick=True):
        runner.invoke(scc, ["import-schools", str(real_file(SE_EDUBASE))], env=env)
        result = runner.invoke(scc, ["import-schools", str(broken)], env=env)
        listed = runner.invoke(scc, ["schools", "--format", "json"], env=env)

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in " ".join(result.stderr.split())
    # Check nothing was recorded: the four schools imported before are all there are
    assert sorted(s["urn"] for s in json.loads(listed.stdout)) == sorted(raw_rows(SE_EDUBASE))


def test_cli_an_older_extract_does_not_put_back_what_a_newer_one_changed(tmp_path):
    env = {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
           "SCC_CATEGORY_SCHEME": "peterborough", "SCC_TERM_DATES": None,
           "SCC_DATA_DIR": None, "SCC_LA_CODE": "202"}
    header, *rows = _real_rows()
    at = {name: header.index(name) for name in ("URN", "EstablishmentName", "NumberOfPupils")}
    for row in rows:
        if row[at["URN"]] == "100008":
            row[at["EstablishmentName"]], row[at["NumberOfPupils"]] = "Argyle School", "402"
    newer = tmp_path / "edubasealldata20250110.csv"
    newer.write_bytes(_written([header, *rows]))
    runner = CliRunner()

    def register_fields() -> tuple[str, int]:
        history = runner.invoke(scc, ["history", "100008", "--format", "json"], env=env)
        fields = {}
        for entry in json.loads(history.stdout):
            fields.update(entry["details"].get("changes", entry["details"]))
        return fields["name"], fields["pupils"]

    with time_machine.travel(TEST_NOW, tick=True):
        runner.invoke(scc, ["import-schools", str(newer)], env=env)
        older = runner.invoke(scc, ["import-schools", str(real_file(NPQ_SAMPLE))], env=env)
        kept = register_fields()
        told = runner.invoke(scc, ["import-schools", str(NPQ_SAMPLE), "--allow-older"], env=env)
        replaced = register_fields()

    # Check the 2021 extract (dated by its rows' last changes) leaves the 2025 facts alone
    assert older.exit_code == 0, older.output
    assert "extract of 20 May 2021" in older.stdout
    assert "1    older than the facts recorded (from the extract of 10 January 2025)" in older.stdout
    assert "--allow-older" in older.stdout
    assert kept == ("Argyle School", 402)
    # Check that, told to, it does replace them
    assert told.exit_code == 0 and "1  schools changed" in told.stdout
    assert replaced == ("Argyle Primary School", 351)


# The real GIAS links file ----------------------------------------------------------------------

LINKS = REAL / "links_edubasealldata20250422.csv"


def test_the_real_links_file_connects_predecessors_and_successors_both_ways(case_files):
    import_schools(case_files, read_establishments(NPQ_SAMPLE).records, by="GIAS import")
    links = read_links(real_file(LINKS))

    report = import_links(case_files, links.records, by="GIAS import")
    again = import_links(case_files, links.records, by="GIAS import")

    def linked(urn: int) -> list[tuple[int, str, str, date | None]]:
        return [(k["urn"], k["link_type"], k["relation"], k["established_on"])
                for k in case_files.school(urn)["links"]]

    # Check a school that replaced an infant school, and the infant school, each name the other
    assert linked(100023) == [(100024, "Predecessor", "predecessor", date(2015, 9, 15))]
    assert linked(100024) == [(100023, "Successor", "successor", date(2015, 9, 15))]
    # Check a merger, recorded once each way though the file lists it from both sides
    assert linked(100012) == [(100021, "Successor - merged", "successor", date(2021, 8, 31))]
    assert linked(100021) == [(100012, "Predecessor - merged", "predecessor", date(2021, 8, 31))]
    # Check a successor outside the extract is linked from the school that has a case file
    assert linked(100016) == [(132245, "Successor", "successor", None)]
    assert case_files.history(100016)[-1]["summary"] == (
        "Linked to URN 132245 Kingsgate Primary School (Successor)")
    # Check the rest of the country's links are counted apart, and a re-import adds nothing
    assert report.rejected == []
    assert report.skipped_by_reason() == {
        "not a school the LA keeps a case file on (neither school has a case file)":
            report.rows - report.added - report.unchanged}
    assert (again.added, again.rejected) == (0, [])


def test_cli_imports_the_real_links_file_and_exits_0(tmp_path):
    env = _cli_env(tmp_path)
    runner = CliRunner()

    with time_machine.travel(TEST_NOW, tick=True):
        runner.invoke(scc, ["import-schools", str(real_file(NPQ_SAMPLE))], env=env)
        result = runner.invoke(scc, ["import-links", str(real_file(LINKS))], env=env)

    assert result.exit_code == 0, result.output
    assert f"Links from {LINKS}: 33801 rows" in result.stdout
    assert "0  rows rejected" in result.stdout
    assert "Importing links: 33801 of 33801 rows" in result.stderr


def test_cli_history_names_a_schools_predecessors_and_successors_from_the_links_file(
        tmp_path):
    env = _cli_env(tmp_path)
    runner = CliRunner()

    with time_machine.travel(TEST_NOW, tick=True):
        runner.invoke(scc, ["import-schools", str(real_file(NPQ_SAMPLE))], env=env)
        runner.invoke(scc, ["import-links", str(real_file(LINKS))], env=env)
        infant = runner.invoke(scc, ["history", "100024"], env=env)
        primary = runner.invoke(scc, ["history", "100023"], env=env)
        merged = runner.invoke(scc, ["history", "100012"], env=env)

    # Check each side of the real links names the other in the school's status
    assert infant.exit_code == 0, infant.output
    assert ("Successor:        URN 100023 Torriano Primary School "
            "(closed 11 September 2015)") in infant.stdout
    assert "Predecessor:      URN 100024 Torriano Infant School" in primary.stdout
    assert ("Successor:        URN 100021 Rhyl Community Primary School "
            "(Successor - merged) (closed 31 August 2021)") in merged.stdout


def test_cli_dry_run_shows_what_would_be_recorded_and_records_nothing(tmp_path):
    env = {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
           "SCC_CATEGORY_SCHEME": "peterborough", "SCC_TERM_DATES": None,
           "SCC_DATA_DIR": None, "SCC_LA_CODE": "202"}
    runner = CliRunner()

    with time_machine.travel(TEST_NOW, tick=True):
        runner.invoke(scc, ["import-schools", str(real_file(SE_EDUBASE)), "--la-code", "207"],
                      env=env)
        schools = runner.invoke(scc, ["import-schools", str(NPQ_SAMPLE), "--dry-run"], env=env)
        links = runner.invoke(scc, ["import-links", str(real_file(LINKS)), "--dry-run"],
                              env=env)
        listed = runner.invoke(scc, ["schools", "--format", "json"], env=env)

    assert schools.exit_code == 0, schools.output
    assert schools.stdout.startswith("Dry run, nothing recorded. Schools from")
    assert "       44  schools added" in schools.stdout
    assert "Would record 44 entries:" in schools.stdout
    assert "  URN 100006  1999-09-01  Case file opened: CCfL Key Stage 4 PRU (pupil referral " \
           "unit, Not applicable)" in schools.stdout
    assert "  ... and 24 more" in schools.stdout
    assert links.exit_code == 0 and "Would record 0 entries:" in links.stdout
    # Check only the two schools of LA 207 imported before have case files
    assert sorted(s["urn"] for s in json.loads(listed.stdout)) == [100492, 100494]
