"""The rulebook and the areas it is read from: every rule listed once, every kind of entry
stored under the name it was first stored under, and a new area one module away."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from eventsourcing.utils import get_topic, resolve_topic

from domain import rulebook
from domain.areas.core import CaseFileEvent
from domain.case_file import AREAS, SchoolCaseFile
from domain.rules import KINDS, Refused, Rule, rule_of
from domain.status import CaseFileState

ROOT = Path(__file__).resolve().parents[2]


def all_rules() -> list[Rule]:
    return [r for chapter in rulebook.chapters() for r in chapter.rules]


def test_every_rule_is_listed_once_with_a_source_and_a_kind() -> None:
    rules = all_rules()
    keys = [r.key for r in rules]
    assert len(keys) == len(set(keys)), "a rule key is used twice"
    for rule in rules:
        assert rule.title and rule.says and rule.source, rule.key
        assert rule.kind in KINDS
        assert rule.says.endswith("."), f"{rule.key}: say the rule as a sentence"


def test_every_rule_a_module_declares_is_in_its_areas_rulebook() -> None:
    """A Rule declared but left out of its module's RULES would refuse commands unlisted: the
    rules page and `scc rules` would not show what a user was refused by."""
    listed = {r.key for r in all_rules()}
    declared = []
    for path in sorted((ROOT / "domain").rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                    and getattr(node.value.func, "id", None) == "Rule"):
                key = node.value.args[0]
                assert isinstance(key, ast.Constant), f"{path}: a rule's key is a literal"
                declared.append((path.relative_to(ROOT), key.value))
    assert declared, "no rules found: the scan is wrong"
    assert [d for d in declared if d[1] not in listed] == []


def test_a_rule_applies_from_its_first_day_to_its_last() -> None:
    rule = Rule("example", "Example", "An example.", "nowhere",
                applies_from=date(2016, 4, 18), applies_until=date(2026, 6, 28))
    assert not rule.in_force_on(date(2016, 4, 17))
    assert rule.in_force_on(date(2016, 4, 18))
    assert rule.in_force_on(date(2026, 6, 28))
    assert not rule.in_force_on(date(2026, 6, 29))


def test_a_refusal_names_its_rule_and_the_rulebook_finds_it() -> None:
    rule = rulebook.rule("fixed-compliance-period")
    with pytest.raises(Refused) as refused:
        rule.refuse("Fifteen working days")
    assert rule_of(refused.value) is rule
    assert str(refused.value) == "Fifteen working days"
    with pytest.raises(KeyError):
        rulebook.rule("no-such-rule")


def test_each_area_is_one_module_the_case_file_and_its_state_are_composed_of() -> None:
    for area in AREAS:
        assert area.TITLE and area.__doc__, area.__name__
        commands = [c for c in vars(area).values()
                    if isinstance(c, type) and c.__name__.endswith("Commands")
                    and c.__module__ == area.__name__]
        states = [c for c in vars(area).values()
                  if isinstance(c, type) and c.__name__.endswith("State")
                  and c.__module__ == area.__name__]
        assert len(commands) == 1 and issubclass(SchoolCaseFile, commands[0]), area.__name__
        assert len(states) <= 1
        if states:
            assert issubclass(CaseFileState, states[0]), area.__name__


def test_every_kind_of_entry_keeps_the_topic_and_chain_name_it_was_first_stored_under() -> None:
    """Moving an entry's class between modules must not change the record: stored entries
    name their class by topic, the log's reads filter by topic, and each entry's hash link
    covers its name."""
    kinds = [k for area in AREAS for k in vars(area).values()
             if isinstance(k, type) and issubclass(k, CaseFileEvent)
             and k.__module__ == area.__name__]
    names = [k.__name__ for k in kinds]
    assert len(names) == len(set(names)), "two areas define an entry of the same name"
    for kind in kinds:
        topic = f"domain.case_file:SchoolCaseFile.{kind.__name__}"
        assert get_topic(kind) == topic
        assert resolve_topic(topic) is kind
        assert getattr(SchoolCaseFile, kind.__name__) is kind
        assert kind.entry_name == f"SchoolCaseFile.{kind.__name__}"
    # Entries stored since the first version, by the names they were stored under.
    assert {"Registered", "ConcernRaised", "WarningNoticeIssued", "BecameEligible",
            "IEBConstituted", "MSPMeetingHeld", "CategoryChanged", "InspectionRecorded",
            "VisitRecorded", "DeadlinePassed", "EntryRetracted"} <= set(names)


def test_no_two_areas_define_the_same_command_handler_or_field() -> None:
    """The aggregate and its state are composed of the areas' classes: a name two areas both
    defined would let one silently hide the other (a fold handler never called)."""
    for suffix in ("Commands", "State"):
        seen: dict[str, str] = {}
        for area in AREAS:
            for part in vars(area).values():
                if not (isinstance(part, type) and part.__name__.endswith(suffix)
                        and part.__module__ == area.__name__):
                    continue
                names = {n for n in vars(part) if not n.startswith("__")}
                names |= set(getattr(part, "__dataclass_fields__", {}))
                for name in names:
                    assert name not in seen, f"{name} is in both {seen[name]} and {part.__name__}"
                    seen[name] = part.__name__
