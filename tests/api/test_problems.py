"""What goes wrong, said as RFC 7807 problem details: 404, 409 and 422 kept apart, fields named."""

from __future__ import annotations

from tests.api.conftest import SCHOOLS

URN = SCHOOLS[1]  # a concern C1 and warning notice WN1, whose compliance period has ended
SCHOOL = f"/api/v1/schools/{URN}"
CONCERN = {"ground": "standards", "description": "Phonics results fell"}


def problem(answer, status: int, kind: str) -> dict:
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.content_type == "application/problem+json"
    body = answer.json
    assert body["status"] == status and body["type"].endswith(f"#problem-{kind}")
    assert body["title"] and body["detail"]
    return body


def test_no_such_school_or_item_is_404(client, local):
    head = local.headers("head")

    problem(client.get("/api/v1/schools/999999", headers=head), 404, "not-found")
    missing = problem(client.post(f"{SCHOOL}/warning-notices/WN7/compliance", headers=head,
                                  json={"complied": True, "evidence": "Plan"}), 404, "not-found")
    assert missing["detail"] == f"URN {URN} has no warning notice WN7"
    problem(client.get("/api/v1/no-such-thing", headers=head), 404, "not-found")
    assert client.get("/no-such-page").content_type.startswith("text/html")  # pages stay pages


def test_a_command_on_a_school_without_a_case_file_is_404_whatever_else_it_names(client, local):
    head = local.headers("head")

    missing = problem(client.post("/api/v1/schools/999999/concerns", headers=head,
                                  json=CONCERN), 404, "not-found")
    assert missing["detail"] == "No school with URN 999999 has a case file"
    # Check the school is looked for before the academy's URN, which is taken here
    converting = problem(client.post("/api/v1/schools/999999/academy-conversion", headers=head,
                                     json={"effective": "2026-09-01", "new_urn": URN}),
                         404, "not-found")
    assert converting["detail"] == "No school with URN 999999 has a case file"

def test_a_body_that_does_not_fit_names_each_field_at_fault(client, local):
    version = local.services.case_files.version(URN)

    body = problem(client.post(f"{SCHOOL}/msp-group/held-meetings", headers=local.headers("head"),
                               json={"attendees": "everyone", "minutes": "Met",
                                     "actions": [{"description": "Plan", "owner": "Head",
                                                  "due": "31/12/2026"}],
                                     "colour": "blue"}),
                   422, "invalid-request")

    assert {(e["location"], e["field"], e["message"]) for e in body["errors"]} == {
        ("body", "attendees", "Not a valid list."),
        ("body", "actions.0.due", "Not a valid date."),
        ("body", "colour", "Unknown field."),
    }
    assert local.services.case_files.version(URN) == version


def test_a_rule_that_refuses_is_422_in_the_las_words(client, local):
    version = local.services.case_files.version(URN)

    body = problem(client.post(f"{SCHOOL}/ieb-applications", headers=local.headers("head"),
                               json={"rationale": "Governors failed"}), 422, "refused")

    assert body["detail"] == ("The school is not eligible for intervention (s59): an interim "
                              "executive board cannot be proposed")
    assert "errors" not in body
    assert local.services.case_files.version(URN) == version


def test_a_change_against_an_old_version_is_409_and_records_nothing(client, local):
    head = local.headers("head")
    read = client.get(SCHOOL, headers=head)
    first = client.post(f"{SCHOOL}/concerns", json=CONCERN, headers={**head,
                                                                      "If-Match": read.headers["ETag"]})
    assert first.status_code == 201 and first.headers["ETag"] == f'"{read.json["version"] + 1}"'

    late = problem(client.post(f"{SCHOOL}/concerns", json=CONCERN,
                               headers={**head, "If-Match": read.headers["ETag"]}),
                   409, "conflict")

    assert "re-read it and retry" in late["detail"].casefold()
    assert local.services.case_files.version(URN) == read.json["version"] + 1
    again = client.post(f"{SCHOOL}/concerns", json=CONCERN,
                        headers={**head, "If-Match": first.headers["ETag"]})
    assert again.status_code == 201


def test_registering_a_urn_twice_is_409(client, local):
    school = {"urn": URN, "name": "Another", "phase": "Primary", "governance": "maintained",
              "establishment_type": "Community school", "la_code": "874"}

    problem(client.post("/api/v1/schools", json=school, headers=local.headers("head")),
            409, "already-registered")


def test_what_cannot_be_read_is_400(client, local):
    head = local.headers("head")

    problem(client.post(f"{SCHOOL}/concerns", data="{not json", headers=head,
                        content_type="application/json"), 400, "bad-request")
    bad = problem(client.post(f"{SCHOOL}/concerns", json=CONCERN,
                              headers={**head, "If-Match": '"seven"'}), 400, "bad-request")
    assert bad["errors"] == [{"location": "header", "field": "If-Match",
                              "message": "Not one of the school's ETags"}]


def test_a_wrong_method_is_405_with_the_methods_allowed(client, local):
    answer = client.delete(SCHOOL, headers=local.headers("head"))

    problem(answer, 405, "method-not-allowed")
    assert set(answer.headers["Allow"].split(", ")) >= {"GET"}


def test_a_notice_of_intervention_names_the_powers_it_proposes(client, local):
    """s60(1)(d) (s60-1d-power-proposed): the body must list the proposed powers, each one
    the LA could propose."""
    version = local.services.case_files.version(URN)

    body = problem(client.post(f"{SCHOOL}/warning-notices/WN1/intervention-notice",
                               headers=local.headers("head"),
                               json={"proposed_action": "An IEB"}), 422, "invalid-request")
    assert {(e["field"], e["message"]) for e in body["errors"]} == {
        ("proposed_powers", "Missing data for required field.")}
    body = problem(client.post(f"{SCHOOL}/warning-notices/WN1/intervention-notice",
                               headers=local.headers("head"),
                               json={"proposed_powers": ["s68"]}), 422, "invalid-request")
    assert [e["field"] for e in body["errors"]] == ["proposed_powers.0"]
    assert local.services.case_files.version(URN) == version


def test_a_refusal_that_concerns_one_field_names_it(client, local):
    version = local.services.case_files.version(URN)

    body = problem(client.post(f"{SCHOOL}/inspections", headers=local.headers("head"),
                               json={"inspected_on": "2023-11-13", "published_on": "2023-11-03",
                                     "overall": 3}), 422, "refused")

    assert body["rule"] == "report-after-inspection"
    assert body["errors"] == [{
        "location": "body", "field": "published_on",
        "message": "A report is published on or after the inspection starts: enter a date on "
                   "or after 13 November 2023"}]
    assert local.services.case_files.version(URN) == version
