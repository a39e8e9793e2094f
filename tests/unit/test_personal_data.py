"""Where personal data is in a case file, how the chain covers it without holding it, and the
rules of retention, holds and destruction: no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain import chain
from domain.data_protection import (
    DEFAULT_SCHEDULE,
    Decision,
    RetentionRule,
    decided,
    next_decision,
    problems,
    require_other_person,
)
from domain.errors import CaseFileError
from domain.personal_data import (
    NOT_PERSONAL,
    Erased,
    Erasure,
    Personal,
    classification,
    personal_fields,
    seal_fields,
)
from tests.unit.test_entry_details import every_kind

COMMON = {"originator_id", "originator_version", "originator_topic", "timestamp", "id"}


@pytest.mark.parametrize("kind", every_kind(), ids=lambda k: k.__name__)
def test_every_field_of_every_kind_of_entry_is_classified(kind):
    fields = set()
    for cls in kind.__mro__:
        fields |= set(getattr(cls, "__annotations__", {}))
    fields -= {"amendable", "entry_name", "TOPIC", "class_version", "originator_id_type"}
    classified = classification(kind.__name__)
    assert not fields - set(classified), f"{kind.__name__}: not classified"
    assert not set(classified) - fields - COMMON, f"{kind.__name__}: classifies no such field"


def test_who_recorded_an_entry_and_the_people_it_names_are_personal_data():
    kinds = dict(personal_fields("MSPMeetingHeld"))
    assert {"by", "actor", "attendees", "minutes", "actions"} <= set(kinds)
    assert classification("Registered")["name"] is NOT_PERSONAL  # a school's name


def test_each_person_is_sealed_under_their_own_key_and_free_text_under_the_case_files():
    fields = {"originator_id": "stream", "members": ["Ann Lee", " ann  LEE", "Bo Kim"],
              "cadence_weeks": 6, "by": "Cy Dee", "actor": {"email": "cy@la.example"}}
    seal_fields("MSPGroupEstablished", fields)
    assert [m.subject for m in fields["members"]] == ["ann lee", "ann lee", "bo kim"]
    assert fields["actor"].subject == "cy dee"  # the recorder's email, under the recorder's key
    assert fields["cadence_weeks"] == 6 and not isinstance(fields["cadence_weeks"], Personal)
    text = {"originator_id": "stream", "reason": "Chair resigned", "by": "Cy Dee"}
    seal_fields("MSPGroupClosed", text)
    assert text["reason"].subject is None


def test_the_chain_covers_a_salted_commitment_so_it_verifies_once_the_value_is_erased():
    name = Personal("Ann Lee", subject="ann lee")
    same_name = Personal("Ann Lee", subject="ann lee")
    assert name.commitment != same_name.commitment  # salted: a guess cannot be checked
    linked = chain.link(chain.GENESIS, "E", {"members": [name]})
    assert linked != chain.link(chain.GENESIS, "E", {"members": ["Ann Lee"]})
    gone = Erased(Erasure("retention rule closed-school", date(2032, 9, 1)), name.commitment)
    assert str(gone) == "[erased under retention rule closed-school on 2032-09-01]"
    assert chain.link(chain.GENESIS, "E", {"members": [gone]}) == linked
    other = Personal("Bo Kim", subject="bo kim")
    assert chain.link(chain.GENESIS, "E", {"members": [other]}) != linked


def test_a_retention_period_runs_from_its_trigger_to_the_same_day_years_on():
    rule = RetentionRule("closed-school", "A closed school's case file", "the school closed",
                         years=6)
    assert rule.due(date(2020, 8, 31)) == date(2026, 8, 31)
    assert rule.due(date(2020, 2, 29)) == date(2026, 2, 28)  # no 29 February in 2026
    assert RetentionRule("x", "x", "x", years=1, months=6).due(date(2024, 8, 31)) == date(
        2026, 2, 28)
    assert all(not rule.confirmed for rule in DEFAULT_SCHEDULE)  # the LA's to confirm


AT = datetime(2032, 9, 1, 9, tzinfo=UTC)


def log(*steps: tuple[str, str, str, dict]) -> list[Decision]:
    decisions: list[Decision] = []
    for action, subject, by, details in steps:
        decisions.append(next_decision(decisions[-1] if decisions else None, action=action,
                                       subject=subject, by=by, actor={"account": by},
                                       recorded_at=AT, details=details))
    return decisions


def test_holds_stand_until_lifted_and_cover_what_they_name():
    state = decided(log(
        ("hold placed", "H1", "dee", {"scope": "person", "target": "p1", "reason": "Inquiry"}),
        ("hold placed", "H2", "dee", {"scope": "school", "target": 990301, "reason": "Claim"}),
        ("hold lifted", "H2", "dee", {"reason": "Settled"})))
    assert [h.hold_id for h in state.holds_on(person="p1")] == ["H1"]
    assert state.holds_on(urn=990301) == []
    everything = decided(log(("hold placed", "H1", "dee",
                              {"scope": "everything", "target": None, "reason": "Inquiry"})))
    assert [h.hold_id for h in everything.holds_on(urn=990302)] == ["H1"]


def test_the_person_who_proposed_a_destruction_cannot_approve_it():
    state = decided(log(("destruction proposed", "D1", "Dee Protection",
                         {"items": [{"rule": "closed-school", "due": "2026-08-31",
                                     "urn": 990301, "month": None}]})))
    proposed = state.destructions["D1"]
    with pytest.raises(CaseFileError, match="another person must approve it"):
        require_other_person(proposed, "dee  PROTECTION", {})
    with pytest.raises(CaseFileError, match="another person must approve it"):
        require_other_person(proposed, "Someone Else", {"account": "Dee Protection"})
    require_other_person(proposed, "Sam Approver", {"account": "sam"})


def test_a_decision_altered_or_removed_breaks_the_decisions_chain():
    decisions = log(("hold placed", "H1", "dee", {"scope": "everything", "reason": "Inquiry"}),
                    ("hold lifted", "H1", "dee", {"reason": "Over"}))
    assert problems(decisions) == []
    altered = Decision(**{**vars(decisions[0]), "details": {"scope": "everything",
                                                            "reason": "Nothing"}})
    assert problems([altered, decisions[1]]) == [
        "data protection decision 1 was altered after it was recorded"]
    assert problems(decisions[1:]) == ["data protection decision 1 is missing or out of order"]
    with pytest.raises(ValueError, match="Not a data protection decision"):
        log(("records shredded", "D1", "dee", {}))
