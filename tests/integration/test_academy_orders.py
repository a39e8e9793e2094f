"""Academy orders through the application, on an SQLite file and on PostgreSQL: a school that
had to get one under the former duty, one whose order is the Secretary of State's choice, and
an "academy_route" entry stored by an older version of scc."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from adapters.event_store import event_store_env
from application.case_files import SchoolCaseFiles
from domain.areas.academy_orders import ORDER_UNDER_DUTY
from domain.case_file import Entry, SchoolCaseFile, case_file_id
from domain.rules import Refused

HEAD = "Head of School Improvement"
URN = 990201


def register(case_files: SchoolCaseFiles, urn: int = URN) -> int:
    return case_files.register_school(
        by=HEAD, effective=date(2015, 9, 1), urn=urn, name="Marsh Lane Primary",
        phase="Primary", establishment_type="Community school", governance="maintained",
        la_code="999", pupils=214, opened_on=date(1974, 9, 1))


def test_a_2020_special_measures_school_had_to_get_an_academy_order(case_files):
    register(case_files)
    case_files.record_inspection(URN, by=HEAD, published_on=date(2020, 2, 7),
                                 inspected_on=date(2020, 1, 14), overall=4,
                                 category="special measures")

    # Check the order is expected while none is recorded: the duty applied in 2020
    assert case_files.school(URN)["academy_order_expected"] is True

    order = case_files.record_academy_order(URN, by=HEAD, effective=date(2020, 3, 20),
                                            basis="duty", reference="DfE ref AO/2020/117")
    status = case_files.school(URN)
    assert order == "AO1"
    assert status["academy_order_expected"] is False
    assert [o["status"] for o in status["academy_orders"]] == ["made"]
    assert "an order made under it stays in effect: s58(9)" in (
        status["academy_orders"][0]["words"])
    assert case_files.history(URN)[-1]["summary"] == (
        "Academy order AO1 made by the Secretary of State on the Secretary of State's duty for "
        "a school in special measures or requiring significant improvement (s4(A1))")

    # Check the conversion carries the order out
    case_files.convert_to_academy(URN, by=HEAD, effective=date(2021, 9, 1), new_urn=149201)
    assert [o["status"] for o in case_files.school(URN)["academy_orders"]] == [
        "carried out by conversion to URN 149201"]
    assert case_files.school(URN)["academy_order_expected"] is False


def test_a_july_2026_special_measures_school_where_the_order_is_the_secretary_of_states_choice(
        case_files):
    register(case_files)
    case_files.record_inspection(
        URN, by=HEAD, published_on=date(2026, 7, 10), inspected_on=date(2026, 6, 16),
        overall=None, category="special measures", safeguarding="met",
        report_card={"achievement": "urgent improvement",
                     "leadership and governance": "urgent improvement"})

    # Check nothing is expected: the duty was repealed from 29 June 2026
    assert case_files.school(URN)["academy_order_expected"] is False

    with pytest.raises(Refused) as refused:
        case_files.record_academy_order(URN, by=HEAD, effective=date(2026, 8, 3),
                                        basis="duty", reference="DfE letter")
    assert refused.value.rule is ORDER_UNDER_DUTY
    assert case_files.school(URN)["academy_orders"] == []

    case_files.record_academy_order(URN, by=HEAD, effective=date(2026, 8, 3), basis="power",
                                    reference="DfE letter of 3 August 2026")
    assert [(o["basis"], o["status"]) for o in case_files.school(URN)["academy_orders"]] == [
        ("power", "made")]


def test_an_academy_route_entry_of_an_older_version_reads_as_a_step_before_academy_orders(
        case_files, database_url):
    register(case_files)
    case_files.record_inspection(URN, by=HEAD, published_on=date(2020, 2, 7),
                                 inspected_on=date(2020, 1, 14), overall=4,
                                 category="special measures")
    # Stored as an older scc stored it, through exercise_power, which offered "academy_route"
    case_file = case_files.repository.get(case_file_id(URN))
    case_file._record(
        SchoolCaseFile.PowerExercised,
        when=Entry(date(2020, 3, 2), HEAD, datetime(2020, 3, 2, 10, tzinfo=UTC)),
        power_id="P1", power="academy_route",
        details="Academy order made by the Secretary of State; sponsor being sought")
    case_files.save(case_file)

    reopened = SchoolCaseFiles(event_store_env(database_url), clock=case_files.clock,
                               working_days=case_files.working_days, scheme=case_files.scheme,
                               keyring=case_files.keyring)
    try:
        entry = reopened.history(URN)[-1]
        assert entry["summary"] == ("Sought a sponsored academy (recorded as an LA step before "
                                    "scc recorded academy orders)")
        assert entry["details"]["power"] == "academy_route"
        powers = reopened.school(URN)["powers"]
        assert [(p["power"], p["words"]) for p in powers] == [
            ("academy_route", "Sought a sponsored academy (recorded as an LA step before scc "
                              "recorded academy orders)")]
        # Check the entry is not taken for an academy order
        assert reopened.school(URN)["academy_order_expected"] is True
    finally:
        reopened.close()
