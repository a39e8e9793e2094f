"""The rules page: every rule of law and policy, chapter by chapter, for every signed-in role;
the rules in force on a date; and a form's refusal naming its rule with a link to it."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.demo import FEATURED_URN
from domain import rulebook
from tests.web.test_forms import error_summary, send
from tests.web.test_pages import page, parse


def every_rule():
    return [rule for chapter in rulebook.chapters() for rule in chapter.rules]


def test_signed_out_the_rules_page_goes_to_sign_in(client):
    response = client.get("/rules")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("role", ["caseworker", "head", "auditor", "admin"])
def test_every_signed_in_role_reads_every_rule_by_chapter(client, actions, role):
    actions.sign_in(role)

    rules = page(client.get("/rules"))

    for chapter in rulebook.chapters():
        section = rules.find("section", id=f"chapter-{chapter.key}")
        assert section.find("h2").text == chapter.title
        for rule in chapter.rules:
            card = section.find("div", id=rule.key)  # the anchor a refusal links to
            assert card.find("h3").text == rule.title
            text = card.text
            assert rule.says in text and rule.source in text
            assert rule.key in text
    # Check it is in the service navigation and the footer
    links = [a.attrs.get("href") for a in rules.find_all("a")]
    assert links.count("/rules") >= 2


def test_each_rule_says_what_kind_it_is_and_when_it_applies(client, actions):
    actions.sign_in("caseworker")

    rules = page(client.get("/rules"))

    for rule in every_rule():
        text = rules.find("div", id=rule.key).text
        assert {"statute": "Statute", "guidance": "Government policy",
                "policy": "The LA's policy"}[rule.kind] in text
        if rule.applies_from is None and rule.applies_until is None:
            assert "Always" in text
        if rule.applies_from is not None:
            assert f"rom {rule.applies_from.day} {rule.applies_from:%B %Y}" in text
        if rule.applies_until is not None:
            assert f"ntil {rule.applies_until.day} {rule.applies_until:%B %Y}" in text
        if rule.unconfirmed:
            assert rule.unconfirmed in text
        if rule.setting:
            assert rule.setting in text


@pytest.mark.parametrize("day", [date(2016, 4, 17), date(2016, 4, 18)])
def test_the_rules_page_shows_only_the_rules_in_force_on_a_date(client, actions, day):
    actions.sign_in("auditor")

    rules = page(client.get(f"/rules?on-day={day.day}&on-month={day.month}"
                            f"&on-year={day.year}"))

    assert f"Rules in force on {day.day} {day:%B %Y}" in rules.find("h1").text
    shown = {rule.key for rule in every_rule() if rules.has("div", id=rule.key)}
    assert shown == {rule.key for rule in every_rule() if rule.in_force_on(day)}
    # Check the day typed stays in the date input
    assert rules.find("input", id="on-year").attrs["value"] == str(day.year)


def test_the_rules_page_explains_a_date_it_cannot_read(client, actions):
    actions.sign_in("head")

    response = client.get("/rules?on-day=31&on-month=2&on-year=2016")

    assert response.status_code == 400
    assert "Enter a real date" in error_summary(response.text)
    assert 'href="#on-day"' in response.text


def test_fixed_compliance_period_a_refused_form_names_the_rule_and_links_to_it(
        client, actions, services):
    actions.sign_in("head")
    before = services.case_files.version(FEATURED_URN)

    refused = send(client, f"/schools/{FEATURED_URN}/issue-warning-notice", {
        "effective": ["1", "3", "2016"], "section": "s60", "issuer": "local authority",
        "grounds": ["a"], "compliance_period": "20", "matters": "Low standards",
        "required_actions": "Adopt the plan", "minded_action": "IEB"})

    assert refused.status_code == 422
    summary = parse(refused.text).find("div", class_="govuk-error-summary")
    item, named = summary.find("li"), summary.find("p")
    rule = rulebook.rule("fixed-compliance-period")
    # Check the message links to the field it concerns, and the rule is named above the list
    assert "has a fixed compliance period of 15 working days, not 20" in item.text
    assert item.find("a").attrs["href"] == "#compliance_period"
    assert f"Rule: {rule.title} ({rule.source})" in " ".join(named.text.split())
    assert named.find("a").attrs["href"] == "/rules#fixed-compliance-period"
    assert named.find("a").text == rule.title
    assert services.case_files.version(FEATURED_URN) == before
