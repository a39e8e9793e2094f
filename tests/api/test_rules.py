"""The rulebook over the API, and a refusal's problem document naming the rule it rests on."""

from __future__ import annotations

from datetime import date

from domain import rulebook
from tests.api.conftest import SCHOOLS
from tests.api.test_problems import problem


def test_any_roles_token_reads_every_rule_by_chapter(client, local):
    for role in ("caseworker", "head", "auditor", "admin"):
        answer = client.get("/api/v1/rules", headers=local.headers(role))

        assert answer.status_code == 200, (role, answer.json)
        chapters = answer.json["chapters"]
        assert [c["key"] for c in chapters] == [c.key for c in rulebook.chapters()]
        for listed, chapter in zip(chapters, rulebook.chapters(), strict=True):
            assert listed["title"] == chapter.title
            assert [r["key"] for r in listed["rules"]] == [r.key for r in chapter.rules]
            for given, rule in zip(listed["rules"], chapter.rules, strict=True):
                assert (given["title"], given["says"], given["source"], given["kind"]) == (
                    rule.title, rule.says, rule.source, rule.kind)
                assert given["applies_from"] == (rule.applies_from and
                                                 rule.applies_from.isoformat())
                assert given["applies_until"] == (rule.applies_until and
                                                  rule.applies_until.isoformat())
                assert given["url"].endswith(f"/rules#{rule.key}")


def test_the_rules_in_force_on_a_date(client, local):
    answer = client.get("/api/v1/rules?on=2016-04-17", headers=local.headers("auditor"))

    assert answer.status_code == 200
    listed = {r["key"] for c in answer.json["chapters"] for r in c["rules"]}
    in_force = {r.key for c in rulebook.chapters() for r in c.rules
                if r.in_force_on(date(2016, 4, 17))}
    assert listed == in_force and "fixed-compliance-period" in listed
    assert answer.json["on"] == "2016-04-17"


def test_the_rules_need_a_token(client):
    problem(client.get("/api/v1/rules"), 401, "unauthorized")


def test_the_document_describes_the_rules_and_a_refusals_rule(client):
    spec = client.get("/api/v1/openapi.json").json

    assert "get" in spec["paths"]["/api/v1/rules"]
    problem_fields = spec["components"]["schemas"]["Problem"]["properties"]
    assert {"rule", "rule_title", "rule_source", "rule_url"} <= set(problem_fields)


def test_fixed_compliance_period_a_refusal_names_its_rule(client, local):
    urn = SCHOOLS[0]
    version = local.services.case_files.version(urn)

    body = problem(client.post(f"/api/v1/schools/{urn}/warning-notices",
                               headers=local.headers("head"),
                               json={"grounds": ["a"], "effective": "2016-03-01",
                                     "compliance_period": 20, "matters": "Results",
                                     "required_actions": "A plan",
                                     "minded_action": "An IEB"}), 422, "refused")

    rule = rulebook.rule("fixed-compliance-period")
    assert "fixed compliance period of 15 working days, not 20" in body["detail"]
    assert (body["rule"], body["rule_title"], body["rule_source"]) == (
        "fixed-compliance-period", rule.title, rule.source)
    assert body["rule_url"].endswith("/rules#fixed-compliance-period")
    assert local.services.case_files.version(urn) == version


def test_input_refused_without_a_rule_names_none(client, local):
    body = problem(client.post(f"/api/v1/schools/{SCHOOLS[0]}/warning-notices",
                               headers=local.headers("head"),
                               json={"grounds": ["a"], "effective": "2026-03-02",
                                     "matters": "Results", "required_actions": "A plan",
                                     "minded_action": "An IEB"}), 422, "refused")

    assert "Set the compliance period" in body["detail"]
    assert not {"rule", "rule_title", "rule_source", "rule_url"} & set(body)
