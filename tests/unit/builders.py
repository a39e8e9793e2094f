"""Builders for the unit tests: schools, entries and the shipped schemes, without I/O."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from adapters.calendars import england_and_wales_calendar
from adapters.schemes import load_scheme
from domain.case_file import Entry, SchoolCaseFile
from domain.errors import CaseFileError

HEAD = "Head of School Improvement"
RECORDED_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""When the tests record entries, unless a test says otherwise."""

WORKING_DAYS = england_and_wales_calendar()
PETERBOROUGH = load_scheme("peterborough")
TORBAY = load_scheme("torbay")

URN = 110001
REGISTERED_ON = date(2019, 9, 2)


def when(effective: date, by: str = HEAD, recorded_at: datetime | None = None) -> Entry:
    """An entry taking effect on ``effective``, recorded at RECORDED_AT (or that day at 09:00
    if it is later), so that an entry is never recorded before it takes effect."""
    if recorded_at is None:
        recorded_at = max(RECORDED_AT, datetime.combine(effective, time(9), tzinfo=UTC))
    return Entry(effective, by, recorded_at)


def school_details(**overrides: Any) -> dict[str, Any]:
    """A community primary school as GIAS lists it."""
    details: dict[str, Any] = {
        "urn": URN, "name": "Fengate Primary School", "phase": "Primary",
        "establishment_type": "Community school", "governance": "maintained",
        "la_code": "874", "pupils": 210, "opened_on": date(1975, 9, 1),
    }
    details.update(overrides)
    return details


def a_maintained_school(registered_on: date = REGISTERED_ON, **details: Any) -> SchoolCaseFile:
    return SchoolCaseFile.register(when=when(registered_on), details=school_details(**details))


def an_academy(registered_on: date = REGISTERED_ON, **details: Any) -> SchoolCaseFile:
    details = {"name": "Fengate Academy", "establishment_type": "Academy converter",
               "governance": "academy", **details}
    return a_maintained_school(registered_on, **details)


def a_church_school(registered_on: date = REGISTERED_ON, **details: Any) -> SchoolCaseFile:
    details = {"name": "St Botolph's CofE Primary School",
               "establishment_type": "Voluntary aided school",
               "religious_character": "Church of England", **details}
    return a_maintained_school(registered_on, **details)


def issue_notice(case_file: SchoolCaseFile, on: date, **overrides: Any) -> str:
    """An s60 warning notice on ground (a) with a 20 working-day compliance period."""
    fields: dict[str, Any] = {
        "grounds": ["a"], "matters": "Key stage 2 results in the bottom 5% for three years",
        "required_actions": "Adopt and deliver the LA's improvement plan",
        "minded_action": "Appoint an interim executive board", "compliance_period": 20,
    }
    fields.update(overrides)
    return case_file.issue_warning_notice(when=when(on), working_days=WORKING_DAYS, **fields)


def day_after(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


ALL_POWERS = ["s63", "s64", "s66", "s65"]


def give_intervention_notice(case_file: SchoolCaseFile, on: date, notice_id: str,
                             proposed_powers: list[str] | None = None, **fields: Any) -> None:
    """Written notice of intervention proposing ``proposed_powers`` (every LA power unless
    told otherwise), under the default policy (5 working days' reasonable notice)."""
    case_file.give_intervention_notice(
        when=when(on), notice_id=notice_id, working_days=WORKING_DAYS,
        proposed_powers=ALL_POWERS if proposed_powers is None else proposed_powers,
        **{"proposed_action": "Appoint additional governors", **fields},
    )


def eligible_by_warning_notice(case_file: SchoolCaseFile, on: date,
                               proposed_powers: list[str] | None = None,
                               **overrides: Any) -> str:
    """Gives a notice on ``on`` that the school fails; the LA then gives notice of
    intervention the day after the period ends (s60(1)), proposing ``proposed_powers``."""
    notice_id = issue_notice(case_file, on, **overrides)
    after = day_after(case_file.state.warning_notices[notice_id].compliance_date)
    case_file.record_compliance(
        when=when(after), notice_id=notice_id, complied=False, evidence="Plan not adopted"
    )
    give_intervention_notice(case_file, after, notice_id, proposed_powers)
    return notice_id


def in_special_measures(case_file: SchoolCaseFile, published_on: date, inspected_on: date) -> str:
    return case_file.record_inspection(
        when=when(published_on), inspected_on=inspected_on, overall=4,
        category="special measures",
    )


@contextmanager
def refused(case_file: SchoolCaseFile, phrase: str) -> Iterator[Any]:
    """The command in the block is refused with a message containing ``phrase`` and
    records nothing: no new pending event and the same state. Gives pytest's ExceptionInfo,
    to read the refusal's rule and field."""
    events_before = len(case_file.pending_events)
    state_before = copy.deepcopy(case_file.state)
    with pytest.raises(CaseFileError, match=re.escape(phrase)) as refusal:
        yield refusal
    assert len(case_file.pending_events) == events_before
    assert case_file.state == state_before


@contextmanager
def refused_by(case_file: SchoolCaseFile, rule: Any, phrase: str = "") -> Iterator[None]:
    """As ``refused``, and the refusal names ``rule`` (a ``domain.rules.Rule``)."""
    from domain.rules import rule_of

    events_before = len(case_file.pending_events)
    state_before = copy.deepcopy(case_file.state)
    with pytest.raises(CaseFileError, match=re.escape(phrase) if phrase else None) as raised:
        yield
    assert rule_of(raised.value) is rule, f"refused by {rule_of(raised.value)}, not {rule.key}"
    assert len(case_file.pending_events) == events_before
    assert case_file.state == state_before


def event_names(case_file: SchoolCaseFile) -> list[str]:
    return [type(e).__name__ for e in case_file.pending_events]
