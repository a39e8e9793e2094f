"""``scc rules``: the rulebook on the command line, chapter by chapter, one rule, the rules in
force on a date, as JSON; and a refusal printed by the CLI naming the rule it rests on."""

from __future__ import annotations

import json
from datetime import date

import click
import pytest
from click.testing import CliRunner

from cli.main import UserError, _case_files, scc
from domain import rulebook
from domain.rules import KINDS
from tests.sign_off import approved


def every_rule():
    return [rule for chapter in rulebook.chapters() for rule in chapter.rules]


def _rules(*args: str):
    result = CliRunner().invoke(scc, ["rules", *args])
    assert "Traceback" not in result.output
    return result


def test_scc_rules_lists_every_rule_under_its_chapter():
    result = _rules()

    assert result.exit_code == 0, result.output
    text = result.stdout
    for chapter in rulebook.chapters():
        assert chapter.title in text
        for rule in chapter.rules:
            assert f"{rule.key}: {rule.title}" in text
            # Check each rule comes after its own chapter's title
            assert text.index(chapter.title) < text.index(f"{rule.key}: {rule.title}")
            unwrapped = " ".join(text.split())
            assert " ".join(rule.says.split()) in unwrapped
            assert f"Source: {' '.join(rule.source.split())}" in unwrapped
            kind = KINDS[rule.kind]
            assert f"Kind: {kind[:1].lower()}{kind[1:]}" in text


def test_scc_rules_key_shows_one_rule_and_when_it_applies():
    result = _rules("fixed-compliance-period")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "fixed-compliance-period: A fixed period before 18 April 2016\n")
    assert "Applies: until 17 April 2016" in result.stdout
    assert "Kind: statute" in result.stdout


def test_scc_rules_of_an_unknown_key_says_so_and_fails():
    result = _rules("no-such-rule")

    assert result.exit_code == 2
    assert "Error: There is no rule 'no-such-rule': scc rules lists them all" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("day", [date(2016, 4, 17), date(2016, 4, 18)])
def test_scc_rules_on_a_date_lists_only_the_rules_then_in_force(day):
    result = _rules("--on", day.isoformat(), "--json")

    assert result.exit_code == 0, result.output
    listed = {rule["key"] for rule in json.loads(result.stdout)}
    assert listed == {rule.key for rule in every_rule() if rule.in_force_on(day)}


def test_scc_rules_json_is_every_rule_with_its_chapter():
    result = _rules("--json")

    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [(r["chapter"], r["key"]) for r in listed] == [
        (chapter.key, rule.key) for chapter in rulebook.chapters() for rule in chapter.rules]
    by_key = {r["key"]: r for r in listed}
    fixed = by_key["fixed-compliance-period"]
    assert (fixed["kind"], fixed["applies_from"], fixed["applies_until"], fixed["applies"]) == (
        "statute", None, "2016-04-17", "until 17 April 2016")


def test_scc_rules_refuses_a_date_it_cannot_read():
    result = _rules("--on", "17 April")

    assert result.exit_code == 2
    assert "is not a date" in result.stderr


def test_fixed_compliance_period_a_refusal_the_cli_prints_names_the_rule(
        tmp_path, monkeypatch):
    monkeypatch.setenv("SCC_DATABASE_URL", f"sqlite:///{tmp_path / 'scc.sqlite3'}")
    for name in ("SCC_TERM_DATES", "SCC_DATA_DIR", "SCC_CATEGORY_SCHEME"):
        monkeypatch.delenv(name, raising=False)

    with pytest.raises(UserError) as refused, _case_files() as case_files:
        case_files.register_school(
            by="tests", effective=date(2015, 9, 1), urn=100001, name="Fen Primary",
            phase="Primary", establishment_type="Community school", governance="maintained",
            la_code="874", pupils=210, opened_on=date(1975, 9, 1))
        approved(case_files, "issue_warning_notice",
            100001, by="tests", effective=date(2016, 3, 1), grounds=["a"], matters="Results",
            required_actions="A plan", minded_action="An IEB", compliance_period=20)

    rule = rulebook.rule("fixed-compliance-period")
    message = refused.value.format_message()
    assert "fixed compliance period of 15 working days, not 20" in message
    assert message.endswith(f"\nRule fixed-compliance-period: {rule.title} ({rule.source}); "
                            "see scc rules fixed-compliance-period")
    assert refused.value.exit_code == 2
    assert isinstance(refused.value, click.ClickException)
