"""Reports against a hand-computed fixture: known histories, exact counts and percentages."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from adapters.read_models import SQLReadModels, read_model_engine
from application.projections import CaseFileProjections
from application.reports import Reports, percent
from cli.main import scc
from tests.integration.test_real_files import NPQ_SAMPLE, real_file
from tests.sign_off import approved

HEAD = "Head of School Improvement"


@pytest.fixture
def reports(case_files, database_url):
    """Five schools. A, B, C, E are primary; D is secondary; B closes on 31 August 2012;
    E opens on 1 September 2011."""
    schools = {
        990201: ("Ash Primary", "Primary", 200, None),
        990202: ("Birch Primary", "Primary", 100, None),
        990203: ("Cedar Primary", "Primary", 300, None),
        990204: ("Damson High", "Secondary", 1000, None),
        990205: ("Elder Primary", "Primary", 400, date(2011, 9, 1)),
    }
    for urn, (name, phase, pupils, opened) in schools.items():
        case_files.register_school(
            by=HEAD, effective=date(2010, 9, 1), urn=urn, name=name, phase=phase,
            establishment_type="Community school", governance="maintained", la_code="999",
            pupils=pupils, opened_on=opened)
    for urn, effective, category in [
        (990201, date(2010, 9, 1), "2"), (990201, date(2012, 1, 10), "3b"),
        (990202, date(2010, 9, 1), "3a"),
        (990203, date(2011, 4, 20), "4"), (990203, date(2012, 9, 5), "3b"),
        (990204, date(2010, 9, 1), "1"),
        (990205, date(2011, 9, 1), "2"),
    ]:
        approved(case_files, "change_category", urn, by=HEAD, effective=effective, to=category, reason="r")
    for urn, inspected, published, overall, category in [
        (990201, date(2010, 10, 5), date(2010, 11, 1), 3, None),   # Satisfactory
        (990201, date(2012, 10, 10), date(2012, 11, 5), 3, None),  # Requires improvement
        (990202, date(2011, 2, 1), date(2011, 3, 1), 2, None),
        (990203, date(2011, 3, 1), date(2011, 3, 25), 4, "notice to improve"),
    ]:
        case_files.record_inspection(urn, by=HEAD, inspected_on=inspected,
                                     published_on=published, overall=overall, category=category)
    case_files.change_school_details(990202, by=HEAD, effective=date(2012, 8, 31),
                                     closed_on=date(2012, 8, 31))
    store = SQLReadModels(read_model_engine(database_url))
    yield Reports(CaseFileProjections(case_files, store))
    store.close()


def table(rows):
    return {(r["date"], r["category"]): (r["schools"], r["schools_pct"], r["pupils"],
                                         r["pupils_pct"]) for r in rows}


def test_la_categories_of_primary_schools_at_three_dates(reports):
    rows = table(reports.categories(by="la", phase="primary", dates=[
        date(2011, 1, 1), date(2011, 12, 1), date(2012, 9, 30)]))

    # 1 Jan 2011: A (2), B (3a), C (not yet categorised); E not yet open. 600 pupils.
    assert rows[(date(2011, 1, 1), "2")] == (1, 33.3, 200, 33.3)
    assert rows[(date(2011, 1, 1), "3a")] == (1, 33.3, 100, 16.7)
    assert rows[(date(2011, 1, 1), "Not categorised")] == (1, 33.3, 300, 50.0)
    # 1 Dec 2011: A (2), B (3a), C (4), E (2). 1,000 pupils.
    assert rows[(date(2011, 12, 1), "2")] == (2, 50.0, 600, 60.0)
    assert rows[(date(2011, 12, 1), "3a")] == (1, 25.0, 100, 10.0)
    assert rows[(date(2011, 12, 1), "4")] == (1, 25.0, 300, 30.0)
    # 30 Sep 2012: B has closed; A and C are 3b, E is 2. 900 pupils.
    assert rows[(date(2012, 9, 30), "2")] == (1, 33.3, 400, 44.4)
    assert rows[(date(2012, 9, 30), "3b")] == (2, 66.7, 500, 55.6)
    assert rows[(date(2012, 9, 30), "3a")] == (0, 0.0, 0, 0.0)
    assert len(rows) == 3 * 6  # every category of the scheme, and "Not categorised"


def test_ofsted_grades_of_all_schools_count_satisfactory_with_requires_improvement(reports):
    rows = table(reports.categories(by="ofsted", phase="all", dates=[date(2011, 12, 1)]))
    day = date(2011, 12, 1)

    # A Satisfactory, B Good, C Inadequate; D and E never inspected. 2,000 pupils.
    assert rows[(day, "Outstanding")] == (0, 0.0, 0, 0.0)
    assert rows[(day, "Good")] == (1, 20.0, 100, 5.0)
    assert rows[(day, "Requires improvement (or Satisfactory)")] == (1, 20.0, 200, 10.0)
    assert rows[(day, "Inadequate")] == (1, 20.0, 300, 15.0)
    assert rows[(day, "Not inspected")] == (2, 40.0, 1400, 70.0)


def test_a_school_put_in_a_category_without_an_overall_grade_counts_under_its_category(
        reports, case_files):
    # D in special measures and E in serious weaknesses from inspections of 2025, when Ofsted
    # gave no overall grade
    case_files.record_inspection(990204, by=HEAD, inspected_on=date(2025, 1, 15),
                                 published_on=date(2025, 2, 20), overall=None,
                                 category="special measures")
    case_files.record_inspection(990205, by=HEAD, inspected_on=date(2025, 3, 4),
                                 published_on=date(2025, 4, 1), overall=None,
                                 category="serious weaknesses")
    today = case_files.clock.today()
    serious = "Serious weaknesses (or requires significant improvement)"

    # Check the dashboard, today, and the report at a past date count them in those rows
    board = table(reports.dashboard(today)["by_ofsted"])
    past = table(reports.categories(by="ofsted", phase="all", dates=[date(2025, 6, 1)]))
    for rows, day in ((board, today), (past, date(2025, 6, 1))):
        assert rows[(day, "Special measures")] == (1, 25.0, 1000, 52.6)
        assert rows[(day, serious)] == (1, 25.0, 400, 21.1)
        assert rows[(day, "No overall grade")] == (0, 0.0, 0, 0.0)
        assert rows[(day, "Inadequate")] == (1, 25.0, 300, 15.8)  # C, graded with its category
        assert [category for d, category in rows if d == day] == [
            "Outstanding", "Good", "Requires improvement (or Satisfactory)", "Inadequate",
            serious, "Special measures", "No overall grade", "Not inspected"]


def test_the_cli_report_prints_json_rows_as_the_issue_specifies(case_files, database_url,
                                                                reports):
    runner = CliRunner()
    result = runner.invoke(scc, ["report", "categories", "--by", "la", "--phase", "secondary",
                                 "--at", "2012-09-30", "--format", "json"],
                           env={"SCC_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    import json

    rows = json.loads(result.output)
    assert rows[0] == {"date": "2012-09-30", "phase": "secondary", "category": "1",
                       "schools": 1, "schools_pct": 100.0, "pupils": 1000, "pupils_pct": 100.0}


def test_percentages_round_halves_up_to_one_decimal_place():
    assert (percent(1, 8), percent(1, 3), percent(2, 3), percent(0, 0)) == (
        12.5, 33.3, 66.7, 0.0)
    assert percent(1, 16) == 6.3  # 6.25: published tables round the half up


def test_the_dashboard_counts_filters_and_limits_in_the_store(reports, case_files):
    # Two schools have one caseworker, whose address was typed in two ways.
    case_files.assign_caseworker(990201, by=HEAD, name="Casey Worker",
                                 email="Casey.Worker@LA.example")
    case_files.assign_caseworker(990203, by=HEAD, name="Casey Worker",
                                 email="casey.worker@la.example")
    today = case_files.clock.today()
    everyone = reports.dashboard(today, overdue=2)
    overdue = reports.deadlines(today)["overdue"]

    # Check the whole LA: the four open schools, and the two most overdue deadlines of all
    # of them, the most overdue first, named
    assert everyone["schools"] == 4
    assert everyone["overdue_count"] == len(overdue) == 9
    assert everyone["overdue"] == overdue[:2]
    assert everyone["overdue"][0]["due"] < everyone["overdue"][1]["due"]
    assert everyone["overdue"][0]["name"]
    assert sorted(s["urn"] for s in everyone["causing_concern"]) == [990201, 990203]
    assert everyone["concern_count"] == 2
    soonest = [s["next_deadline"] for s in everyone["causing_concern"]]
    assert soonest == sorted(soonest)  # the soonest next deadline first

    # Check the caseworker's own view, whatever the case of their address: their two
    # schools' counts, deadlines and entries only
    mine = reports.dashboard(today, caseworker_email=" CASEY.worker@la.example", overdue=1)
    assert mine["schools"] == 2
    assert table(mine["by_category"])[(today, "3b")] == (2, 100.0, 500, 100.0)
    assert table(mine["by_ofsted"])[(today, "Inadequate")] == (1, 50.0, 300, 60.0)
    assert mine["overdue_count"] == len([d for d in overdue if d["urn"] in (990201, 990203)])
    assert mine["overdue"] == [d for d in overdue if d["urn"] in (990201, 990203)][:1]
    assert {a["urn"] for a in mine["activity"]} == {990201, 990203}
    assert mine["activity"][0]["summary"] == "Case assigned to Casey Worker"

    # Check someone who is nobody's caseworker sees nothing, and no error
    nobody = reports.dashboard(today, caseworker_email="nobody@la.example")
    assert (nobody["schools"], nobody["overdue_count"]) == (0, 0)
    assert not any(nobody[key] for key in ("causing_concern", "overdue", "upcoming",
                                            "decide_intervention", "activity"))


def test_the_dashboard_reads_on_one_connection_at_a_time(reports, case_files):
    # A read that took a second connection while its thread held the snapshot's would need
    # two of the pool's at once (a pool sized one per web thread then runs dry)
    engine = reports.store.engine
    held, most = [0], [0]

    def taken(*_):
        held[0] += 1
        most[0] = max(most[0], held[0])

    def given(*_):
        held[0] -= 1

    sa.event.listen(engine, "checkout", taken)
    sa.event.listen(engine, "checkin", given)
    board = reports.dashboard(case_files.clock.today())

    # Check the page was read, every part of it (the schools set aside too) on one connection
    assert board["schools"] == 4 and board["set_aside"] == []
    assert most[0] == 1


def test_todays_counts_from_the_current_status_equal_those_from_the_spells(reports,
                                                                         case_files):
    # A school that closes today still counts today; a school not yet inspected or
    # categorised counts as such; an inspection with no overall grade is judged
    case_files.register_school(
        by=HEAD, urn=990206, name="Fern Special", phase="Not applicable",
        establishment_type="Community special school", governance="maintained",
        la_code="999", pupils=80)
    case_files.record_inspection(990204, by=HEAD, inspected_on=date(2025, 12, 1),
                                 published_on=date(2026, 1, 12), overall=None,
                                 report_card={"achievement": "expected standard"})
    today = case_files.clock.today()
    case_files.change_school_details(990205, by=HEAD, closed_on=today)
    reports.projections.catch_up()
    store = reports.store

    for kind in ("la", "ofsted"):
        for phase_group in (None, "primary", "secondary", "special"):
            for caseworkers in (None, [], ["nobody@la.example"]):
                spells = store.category_counts(kind, today, phase_group=phase_group,
                                               caseworkers=caseworkers)
                current = store.current_category_counts(
                    kind, today, phase_group=phase_group, caseworkers=caseworkers)
                assert sorted(current, key=str) == sorted(spells, key=str), (
                    kind, phase_group, caseworkers)
    # Check the dashboard's one-pass summary, summed over the open schools, counts the same,
    # and counts the schools causing concern as the store's own count does
    assert store.count_causing_concern() == 2
    for caseworkers in (None, [], ["nobody@la.example"]):
        summary = store.current_summary(today, caseworkers=caseworkers)
        for kind in ("la", "ofsted"):
            summed: dict[tuple, list[int]] = {}
            for row in summary:
                if row["is_open"]:
                    tally = summed.setdefault((row[f"{kind}_grade"], row[f"{kind}_judged"]),
                                              [0, 0])
                    tally[0] += row["schools"]
                    tally[1] += row["pupils"]
            assert sorted(((grade, judged, n, pupils)
                           for (grade, judged), (n, pupils) in summed.items()), key=str) == sorted(
                ((r["grade"], r["judged"], r["schools"], r["pupils"])
                 for r in store.current_category_counts(kind, today, caseworkers=caseworkers)),
                key=str)
        assert sum(r["schools"] for r in summary if r["causing_concern"]) == \
            store.count_causing_concern(caseworkers=caseworkers)
    # Check the cases above are really there: an ungraded judgement and an uncategorised school
    ofsted = store.current_category_counts("ofsted", today)
    assert {"grade": None, "judged": True, "schools": 1, "pupils": 1000} in ofsted
    assert any(not row["judged"] for row in store.current_category_counts("la", today))


# An academy conversion, as GIAS records it ----------------------------------------------------

PREDECESSOR, ACADEMY = 990601, 990602


def write_conversion(folder: Path) -> tuple[Path, Path]:
    """A GIAS extract (the real one's header, its first maintained school's row as the
    template) holding a maintained school that closed on 31 August 2015, 200 on roll, and
    the converter academy that opened the next day, 350 on roll; and the links file that
    names each the other's predecessor and successor."""
    with real_file(NPQ_SAMPLE).open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    at = {name: header.index(name) for name in header}
    template = next(r for r in rows
                    if r[at["EstablishmentTypeGroup (name)"]] == "Local authority maintained schools")

    def row(urn: int, **cells: str) -> list[str]:
        values = list(template)
        values[at["URN"]], values[at["LA (code)"]] = str(urn), "999"
        for name, value in cells.items():
            values[at[name]] = value
        return values

    extract = folder / "edubasealldata20260101.csv"
    with extract.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, row(
            PREDECESSOR, **{"EstablishmentName": "Fen Primary School",
                            "EstablishmentStatus (name)": "Closed", "OpenDate": "",
                            "CloseDate": "31-08-2015", "NumberOfPupils": "200",
                            "PhaseOfEducation (name)": "Primary"}), row(
            ACADEMY, **{"EstablishmentName": "Fen Primary Academy",
                        "EstablishmentTypeGroup (name)": "Academies",
                        "TypeOfEstablishment (name)": "Academy converter",
                        "EstablishmentStatus (name)": "Open", "OpenDate": "01-09-2015",
                        "CloseDate": "", "NumberOfPupils": "350",
                        "PhaseOfEducation (name)": "Primary"})])
    links = folder / "links_edubasealldata20260101.csv"
    with links.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([
            ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"],
            [ACADEMY, PREDECESSOR, "Fen Primary School", "Predecessor", "01-09-2015"],
            [PREDECESSOR, ACADEMY, "Fen Primary Academy", "Successor", "01-09-2015"]])
    return extract, links


def test_a_report_before_a_conversion_counts_the_predecessor_and_after_it_the_academy(
        database_url, tmp_path):
    extract, links = write_conversion(tmp_path)
    env = {"SCC_DATABASE_URL": database_url, "SCC_CATEGORY_SCHEME": "peterborough",
           "SCC_LA_CODE": "999", "SCC_TERM_DATES": None, "SCC_DATA_DIR": None}
    runner = CliRunner()
    for command in (["import-schools", str(extract)], ["import-links", str(links)]):
        done = runner.invoke(scc, command, env=env)
        assert done.exit_code == 0, done.output

    result = runner.invoke(scc, ["report", "categories", "--by", "la", "--phase", "primary",
                                 "--at", "2015-08-31", "--at", "2015-09-01",
                                 "--format", "json"], env=env)

    assert result.exit_code == 0, result.output
    counted = {(row["date"], row["category"]): (row["schools"], row["pupils"])
               for row in json.loads(result.output) if row["schools"]}
    # Check the last day before conversion counts the maintained school (200 on roll) alone,
    # and the first day after it the academy (350) alone: one school each day, never both
    assert counted == {("2015-08-31", "Not categorised"): (1, 200),
                       ("2015-09-01", "Not categorised"): (1, 350)}


def test_a_school_converted_in_scc_is_counted_once_on_the_day_the_academy_opens(
        case_files, database_url):
    case_files.register_school(
        by=HEAD, effective=date(2010, 9, 1), urn=PREDECESSOR, name="Fen Primary School",
        phase="Primary", establishment_type="Community school", governance="maintained",
        la_code="999", pupils=200)
    case_files.convert_to_academy(PREDECESSOR, by=HEAD, effective=date(2015, 9, 1),
                                  new_urn=ACADEMY, name="Fen Primary Academy")
    store = SQLReadModels(read_model_engine(database_url))
    reports = Reports(CaseFileProjections(case_files, store))

    rows = reports.categories(by="la", phase="primary",
                              dates=[date(2015, 8, 31), date(2015, 9, 1)])
    store.close()

    # Check the maintained school's last day is the day before the academy opens, so each
    # day counts one school, as GIAS records a conversion
    assert {r["date"]: r["schools"] for r in rows if r["category"] == "Not categorised"} == {
        date(2015, 8, 31): 1, date(2015, 9, 1): 1}
    assert case_files.school(PREDECESSOR)["closed_on"] == date(2015, 8, 31)
    assert case_files.school(ACADEMY)["opened_on"] == date(2015, 9, 1)
