"""Every entry read in full: each field of each kind of entry labelled, in the LA's words."""

from __future__ import annotations

from datetime import date

import pytest

from application.entry_details import (
    SHOWN_ELSEWHERE,
    entry_fields,
    entry_kinds,
    shown_fields,
)
from application.views import describe_entry, summarise
from domain.case_file import AREAS, SchoolCaseFile
from domain.deadlines import deadline_words
from tests.unit.builders import a_maintained_school, issue_notice, when
from tests.unit.test_deadlines import fire

LEFT_OUT: dict[str, set[str]] = {}
"""Fields of a kind of entry that its labelled fields deliberately do not show, with why.
None today: every stored field is shown (the common ones in the entry's heading)."""


def stored_fields(kind: type) -> set[str]:
    names: set[str] = set()
    for cls in kind.__mro__:
        names |= set(getattr(cls, "__annotations__", {}))
    return names - SHOWN_ELSEWHERE - {"amendable", "entry_name", "TOPIC", "class_version"}


def every_kind() -> list[type]:
    return [getattr(SchoolCaseFile, name) for name in entry_kinds()]


@pytest.mark.parametrize("kind", every_kind(), ids=lambda k: k.__name__)
def test_every_field_of_every_kind_of_entry_is_shown_or_deliberately_left_out(kind):
    fields = stored_fields(kind)
    missing = fields - shown_fields(kind.__name__) - LEFT_OUT.get(kind.__name__, set())
    assert not missing, f"{kind.__name__}: no label for {sorted(missing)}"
    stale = shown_fields(kind.__name__) - fields
    assert not stale, f"{kind.__name__}: labels for fields it does not have: {sorted(stale)}"


def test_every_area_s_entries_are_known_with_the_area_s_title():
    kinds = entry_kinds()
    # Check: each area contributes its entries, under its own title
    assert kinds["WarningNoticeIssued"] == "Warning notices"
    assert kinds["MSPMeetingHeld"] == "MSP groups"
    assert kinds["ReminderSent"] == "Deadlines and reminders"
    assert {title for title in kinds.values()} == {area.TITLE for area in AREAS}


def test_a_warning_notice_reads_in_full():
    school = a_maintained_school()
    issue_notice(school, date(2026, 3, 2), grounds=["a", "b"],
                 copies_to=["Headteacher", "Ofsted"])
    notice = school.entries[-1]

    fields = dict(entry_fields(notice))

    # Check: what the notice says, in words, not keys
    assert fields["Matters the notice is based on"] == (
        "Key stage 2 results in the bottom 5% for three years")
    assert fields["Action required"] == "Adopt and deliver the LA's improvement plan"
    assert fields["Grounds (s60(2))"] == [
        "(a) standards of performance are unacceptably low and likely to remain so",
        "(b) a serious breakdown in management or governance is prejudicing, or likely to "
        "prejudice, standards"]
    assert fields["Kind of notice"] == "Performance standards and safety warning notice (s60)"
    assert fields["Given by"] == "The local authority"
    assert fields["Compliance period"] == "20 working days (given in working days)"
    assert fields["Comply by"] == "30 March 2026"
    assert fields["Copies sent to"] == ["Headteacher", "Ofsted"]
    assert fields["Action the issuer is minded to take"] == "Appoint an interim executive board"


def test_an_msp_meeting_reads_with_its_minutes_and_actions():
    school = a_maintained_school()
    school.establish_msp_group(when=when(date(2024, 1, 8)), members=["HSI", "Chair"],
                               cadence_weeks=6)
    school.hold_msp_meeting(
        when=when(date(2024, 2, 19)), attendees=["HSI", "Chair"],
        minutes="Reviewed phonics.\nAttendance still low.",
        actions=[{"description": "Phonics training", "owner": "Head", "due": date(2024, 3, 1)}])

    fields = dict(entry_fields(school.entries[-1]))

    assert fields["Attended"] == ["HSI", "Chair"]
    assert fields["Minutes"] == "Reviewed phonics.\nAttendance still low."
    assert fields["Actions agreed"] == ["A1: Phonics training (owner Head, due 1 March 2024)"]
    # Check: the group's cadence is words too
    assert dict(entry_fields(school.entries[-2]))["Meets every"] == "6 weeks"


def test_a_reminder_names_its_deadline_and_an_msp_action_what_it_is():
    school = a_maintained_school()
    school.establish_msp_group(when=when(date(2026, 1, 5)), members=["HSI"], cadence_weeks=6)
    school.hold_msp_meeting(
        when=when(date(2026, 1, 12)), attendees=["HSI"], minutes="Met",
        actions=[{"description": "Analyse the 2026 results", "owner": "Head",
                  "due": date(2026, 2, 27)}])
    fire(school, date(2026, 2, 20), "msp_action:A1", date(2026, 2, 27), days=5)
    reminder = school.entries[-1]

    assert dict(entry_fields(reminder, school.state))["Deadline"] == (
        "MSP action A1 (Analyse the 2026 results)")
    assert dict(entry_fields(reminder))["Deadline"] == "MSP action A1"
    assert dict(entry_fields(reminder))["Sent"] == "5 working days before"
    # Check: the one-line summary says it in words too, never the key
    assert summarise(reminder, school.state) == (
        "Reminder: MSP action A1 (Analyse the 2026 results) due 27 February 2026 "
        "(5 working days to go)")
    assert "msp_action" not in describe_entry(reminder, [], school.state)["summary"]


@pytest.mark.parametrize(("key", "words"), [
    ("visit:next", "the next school improvement visit"),
    ("compliance:WN2", "the end of the compliance period of warning notice WN2"),
    ("decide_intervention:WN1", "the decision on intervention after warning notice WN1"),
    ("category_review:next", "the next review of the LA category"),
    ("msp_meeting:M3", "MSP meeting M3"),
    ("statement_of_action:I1", "the statement of action on Ofsted inspection I1"),
    ("someday:x", "someday:x"),  # a kind this version does not know reads as stored
])
def test_deadline_keys_read_as_words(key, words):
    assert deadline_words(key) == words


def test_an_entry_s_dates_are_long_dates_and_empty_optional_fields_are_not_shown():
    school = a_maintained_school()
    registered = dict(entry_fields(school.entries[0]))

    assert registered["Opened"] == "1 September 1975"
    assert registered["Governance"] == "Maintained"
    assert "Closed" not in registered and "Religious character" not in registered
