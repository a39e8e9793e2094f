"""Every published shape of Ofsted's school-inspection files, imported into the case files."""

from __future__ import annotations

import csv
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pytest

from adapters.importers.gias import read_establishments
from adapters.importers.ofsted import read_inspections
from application.case_files import SchoolNotFound
from application.imports import import_inspections, import_schools

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHAPES = FIXTURES / "ofsted"
GIAS = FIXTURES / "edubasealldata20261120.csv"


@pytest.fixture
def registered(case_files):
    import_schools(case_files, read_establishments(GIAS).records, by="GIAS import",
                   la_code="874")
    return case_files


def inspections_of(case_files, urn: int) -> list[tuple[date, int | None, str | None]]:
    return [(i["inspected_on"], i["overall"], i["category"])
            for i in case_files.school(urn)["inspections"]]


def imported(case_files, name: str):
    return import_inspections(case_files, read_inspections(SHAPES / name).records,
                              by="Ofsted import")


def test_official_statistics_put_a_predecessors_judgement_on_the_urn_inspected(registered):
    report = imported(registered, "official_statistics_latest_graded_20240831.csv")

    # Check the academy's row, naming its predecessor's URN, records on the predecessor
    assert inspections_of(registered, 110009) == [(date(2014, 6, 3), 4, "special measures")]
    assert inspections_of(registered, 140003) == []
    assert inspections_of(registered, 110010) == [(date(2023, 3, 7), 4, "special measures")]
    # Check the school never inspected is counted apart, and nothing is an error
    assert report.skipped_by_reason() == {"not yet inspected": 1}
    assert (report.added, report.rejected) == (2, [])


def test_an_all_inspections_file_records_every_inspection_of_a_school(registered):
    report = imported(registered, "all_inspections_2013_to_2018.csv")

    assert (report.added, report.rejected, report.skipped) == (3, [], 0)
    assert inspections_of(registered, 110001) == [(date(2014, 1, 15), 3, None),
                                                  (date(2017, 5, 9), 2, None)]
    assert inspections_of(registered, 110010) == [(date(2018, 3, 6), 4, "serious weaknesses")]


def test_a_file_with_a_title_line_above_its_header_is_read(registered):
    report = imported(registered, "official_statistics_20180831.csv")

    assert (report.added, report.rejected) == (1, [])
    assert inspections_of(registered, 110002) == [(date(2016, 11, 8), 2, None)]


def test_a_2024_25_file_without_an_overall_grade_records_the_judgements_without_one(
        registered):
    report = imported(registered, "management_information_20250731.csv")

    assert (report.added, report.rejected) == (2, [])
    assert inspections_of(registered, 110002) == [(date(2025, 2, 5), None, None)]
    assert inspections_of(registered, 140004) == [(date(2025, 6, 10), None, "serious weaknesses")]


def test_a_report_card_file_records_the_card_and_the_graded_inspection_before_it(registered):
    report = imported(registered, "management_information_20260131.csv")

    assert report.rejected == []
    assert report.skipped_by_reason() == {"not yet inspected": 1}
    # Check the report card: its graded areas (not the ones not applicable) and safeguarding
    pru = registered.school(110012)["inspections"]
    assert [(i["inspected_on"], i["report_card"], i["safeguarding"]) for i in pru] == [
        (date(2025, 11, 17), {
            "inclusion": "strong standard", "curriculum and teaching": "expected standard",
            "achievement": "expected standard", "attendance and behaviour": "needs attention",
            "personal development and wellbeing": "expected standard",
            "leadership and governance": "expected standard"}, "met"),
    ]
    # Check one row gave two inspections, the graded one of 2023 and the report card after it
    assert inspections_of(registered, 110010) == [
        (date(2023, 3, 7), 4, "special measures"), (date(2025, 12, 1), None, "special measures")]
    assert registered.school(110010)["inspections"][-1]["safeguarding"] == "not met"
    # Check the academy's latest graded inspection, of its predecessor, lands on the predecessor
    assert inspections_of(registered, 110009) == [(date(2014, 6, 3), 4, "special measures")]
    assert inspections_of(registered, 140003) == []


def test_reimporting_each_shape_records_nothing(registered):
    for shape in sorted(SHAPES.iterdir()):
        imported(registered, shape.name)
    before = registered.recorder.max_notification_id()

    again = [imported(registered, shape.name) for shape in sorted(SHAPES.iterdir())]

    assert registered.recorder.max_notification_id() == before
    assert all(r.added == 0 and r.rejected == [] for r in again)


class InspectionsInOrder:
    """Case files for the schools of even URN, none yet inspected, that keep only each
    school's latest inspection date recorded, and count an inspection recorded before an
    older one."""

    def __init__(self) -> None:
        self.latest: dict[int, date] = {}
        self.recorded = self.out_of_order = 0

    def school(self, urn: int) -> dict:
        if urn % 2:
            raise SchoolNotFound(urn)
        return {"inspections": []}

    def record_inspection(self, urn: int, *, inspected_on: date, **judgement) -> None:
        self.out_of_order += self.latest.get(urn, date.min) > inspected_on
        self.latest[urn] = inspected_on
        self.recorded += 1


def test_a_long_all_inspections_file_is_recorded_oldest_first_in_bounded_memory(tmp_path):
    # 100,000 rows of the real all-inspections header, 20,000 schools' inspections out of
    # date order, half of them schools without a case file. Holding its records and listing
    # the rows skipped took a 45 MB tracemalloc peak; the list alone 7 MB.
    with (SHAPES / "all_inspections_2013_to_2018.csv").open(encoding="cp1252", newline="") as f:
        header = next(csv.reader(f))
    at = {name: i for i, name in enumerate(header)}
    long_file = tmp_path / "all_inspections.csv"
    with long_file.open("w", encoding="utf-8", newline="") as f:
        rows = csv.writer(f)
        rows.writerow(header)
        row = [""] * len(header)
        for n in range(100_000):
            day = date(2005, 9, 1) + timedelta((n * 7919) % 4999)
            row[at["URN"]] = str(100000 + n % 20_000)
            row[at["Inspection start date"]] = f"{day:%d/%m/%Y}"
            row[at["Publication date"]] = f"{day + timedelta(30):%d/%m/%Y}"
            row[at["Overall effectiveness"]] = str(1 + n % 4)
            rows.writerow(row)
    case_files = InspectionsInOrder()

    tracemalloc.start()
    try:
        report = import_inspections(case_files, read_inspections(long_file).records,
                                    by="Ofsted import")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    # Check every inspection went in, each school's oldest first, in a fraction of 45 MB
    assert (report.rows, report.added, report.rejected) == (100_000, 50_000, [])
    assert report.skipped_by_reason() == {
        "not a school the LA keeps a case file on (no case file for this URN)": 50_000}
    assert (case_files.recorded, case_files.out_of_order) == (50_000, 0)
    assert peak < 12_000_000, f"{peak / 1e6:.1f} MB"
