"""IEB entries stored before members carried their written instrument and terms, and before
consultees followed the school's category, read as the current version's and still verify.

``fixtures/ieb_v1_log.json`` holds the rows scc wrote at main 66ebd4d (IEBConstituted and
IEBMembersChanged version 1; an IEB consultee recorded as "diocese"), made by running that
version of scc, not by this one.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from adapters.event_store import event_store_env
from application import audit
from application.case_files import SchoolCaseFiles
from domain.areas.ieb import TERMS_NOT_RECORDED
from domain.areas.register import DIOCESAN_AUTHORITY, GOVERNING_BODY
from domain.case_file import case_file_id
from tests.fakes import FixedClock
from tests.integration import stored_rows

OLD_LOG = json.loads((Path(__file__).parent / "fixtures" / "ieb_v1_log.json").read_text())
URN = OLD_LOG["urn"]


@pytest.fixture
def old_store(database_url, working_days, scheme):
    """A store holding the old version's rows, opened by the current version."""
    SchoolCaseFiles(event_store_env(database_url), clock=FixedClock(),
                    working_days=working_days, scheme=scheme).close()  # makes the tables
    stored_rows.insert(database_url, [
        (r["originator_id"], r["originator_version"], r["topic"], r["state"].encode())
        for r in OLD_LOG["rows"]])
    app = SchoolCaseFiles(event_store_env(database_url), clock=FixedClock(),
                          working_days=working_days, scheme=scheme)
    yield app
    app.close()


def test_old_ieb_members_read_with_their_terms_not_recorded(old_store):
    state = old_store.repository.get(case_file_id(URN)).state

    # Check the members kept their names, with no instrument date and terms not recorded
    board = state.ieb
    assert board.members == ["Ruth Penhaligon", "Michael Adeyemi", "Judith Orme"]
    assert [(m.name, m.terms, m.instrument_on) for m in board.appointments] == [
        ("Ruth Penhaligon", TERMS_NOT_RECORDED, None),
        ("Michael Adeyemi", TERMS_NOT_RECORDED, None),
        ("Judith Orme", TERMS_NOT_RECORDED, None)]
    # Check the consultation recorded as "diocese" counts as the diocesan authority
    assert state.ieb_applications["IEB1"].consultations == {
        GOVERNING_BODY: date(2024, 10, 14), DIOCESAN_AUTHORITY: date(2024, 10, 15)}
    # Check the old entries still verify against the links they were stored with
    assert audit.verify(old_store)["ok"]


def test_a_board_constituted_by_the_old_version_takes_new_members_with_terms(old_store):
    old_store.change_ieb_members(
        URN, by="Amir Khan", effective=date(2025, 3, 3),
        members=["Ruth Penhaligon", "Judith Orme", "Sam Okoro"],
        reason="Michael Adeyemi resigned", instrument_on=date(2025, 2, 28),
        terms={"Sam Okoro": "Until 31 August 2026; expenses only"})

    board = old_store.repository.get(case_file_id(URN)).state.ieb
    assert [(m.name, m.terms) for m in board.appointments] == [
        ("Ruth Penhaligon", TERMS_NOT_RECORDED), ("Judith Orme", TERMS_NOT_RECORDED),
        ("Sam Okoro", "Until 31 August 2026; expenses only")]
