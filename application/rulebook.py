"""The rulebook as people read it: each rule with its kind and when it applies in words, for
``scc rules``, the rules page and the API alike (the rules themselves are the domain's)."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain import rulebook
from domain.rules import KINDS, Rule


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def applies(rule: Rule) -> str:
    """When the rule applies: "from 18 April 2016", "until 17 April 2016", "always"."""
    if rule.applies_from and rule.applies_until:
        return f"from {long_date(rule.applies_from)} until {long_date(rule.applies_until)}"
    if rule.applies_from:
        return f"from {long_date(rule.applies_from)}"
    if rule.applies_until:
        return f"until {long_date(rule.applies_until)}"
    return "always"


def rule_view(rule: Rule) -> dict[str, Any]:
    """One rule as its readers see it."""
    return {
        "key": rule.key,
        "title": rule.title,
        "says": rule.says,
        "source": rule.source,
        "kind": rule.kind,
        "kind_label": KINDS[rule.kind],
        "applies_from": rule.applies_from,
        "applies_until": rule.applies_until,
        "applies": applies(rule),
        "unconfirmed": rule.unconfirmed,
        "setting": rule.setting,
    }


def chapters(on: date | None = None) -> list[dict[str, Any]]:
    """Every chapter with its rules, or only the rules in force ``on`` a day (a chapter none
    of whose rules applied that day is left out)."""
    found = []
    for chapter in rulebook.chapters():
        rules = [r for r in chapter.rules if on is None or r.in_force_on(on)]
        if rules:
            found.append({"key": chapter.key, "title": chapter.title,
                          "summary": chapter.summary,
                          "rules": [rule_view(r) for r in rules]})
    return found


def find(key: str) -> dict[str, Any] | None:
    """The rule named ``key`` as its readers see it, or None if there is none."""
    try:
        return rule_view(rulebook.rule(key))
    except KeyError:
        return None
