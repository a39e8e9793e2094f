"""Input no operation can take is refused in words: dates out of any sensible range, bodies
the parser cannot read, a change that changes nothing; and a server error is still a problem
document (security review #1, #12, #15, #18)."""

from __future__ import annotations

from tests.api.conftest import SCHOOLS
from tests.api.test_problems import problem

MSP_SCHOOL = f"/api/v1/schools/{SCHOOLS[2]}"  # an MSP group with a meeting ahead
JSON = {"Content-Type": "application/json"}


def test_an_msp_meeting_in_year_9999_is_refused_with_the_latest_date(client, local):
    version = local.services.case_files.version(SCHOOLS[2])

    body = problem(client.post(f"{MSP_SCHOOL}/msp-group/meetings", headers=local.headers("head"),
                               json={"meets_on": "9999-12-31"}), 422, "refused")

    assert body["detail"].startswith("The meeting date, 31 December 9999, is more than 5 years "
                                     "after ")
    assert "enter a date up to " in body["detail"]
    assert local.services.case_files.version(SCHOOLS[2]) == version


def test_a_school_opened_in_year_1_and_closed_in_year_1_is_refused(client, local):
    body = problem(client.post("/api/v1/schools", headers=local.headers("head"), json={
        "urn": 100009, "name": "Old School", "phase": "Primary",
        "establishment_type": "Community school", "governance": "maintained", "la_code": "874",
        "opened_on": "0001-01-01", "closed_on": "0001-01-01"}), 422, "refused")

    assert body["detail"].startswith("The opening date, 1 January 1, is not a date a school "
                                     "could have: enter a date from 1 January 1800 to ")
    assert 100009 not in local.services.case_files


def test_json_nested_a_thousand_deep_is_400_not_500(client, local):
    for body in ("[" * 1000 + "]" * 1000, '{"kind": ' + "[" * 1000 + "]" * 1000 + "}"):
        answer = client.post(f"{MSP_SCHOOL}/visits", headers=local.headers("head", **JSON),
                             data=body)

        assert problem(answer, 400, "bad-request")["detail"] == (
            "The body nests arrays and objects more than 32 deep")


def test_a_lone_surrogate_in_the_body_is_400_not_500(client, local):
    version = local.services.case_files.version(SCHOOLS[2])

    answer = client.post(f"{MSP_SCHOOL}/visits", headers=local.headers("head", **JSON),
                         data='{"kind": "monitoring", "notes": "Met \\ud800"}')

    assert "lone surrogate" in problem(answer, 400, "bad-request")["detail"]
    assert local.services.case_files.version(SCHOOLS[2]) == version


def test_an_integer_of_5000_digits_is_400_not_500(client, local):
    answer = client.post(f"{MSP_SCHOOL}/visits", headers=local.headers("head", **JSON),
                         data='{"kind": ' + "9" * 5000 + "}")

    assert problem(answer, 400, "bad-request")["detail"] == (
        "A number in the body has more than 4,300 digits")


def test_as_known_at_year_1_or_the_last_minute_of_9999_is_refused_not_500(client, local):
    for moment in ("0001-01-01T00:00:00%2B00:00", "0001-01-01T00:00:00%2B14:00",
                   "9999-12-31T23:59:00-12:00"):
        for path in (MSP_SCHOOL, f"{MSP_SCHOOL}/events"):
            answer = client.get(f"{path}?as_known_at={moment}", headers=local.headers("head"))

            error = problem(answer, 422, "invalid-request")["errors"][0]
            assert error["field"] == "as_known_at"
            assert error["message"].endswith(
                "enter a time from 1 January 1800 to 30 December 9999")


def test_an_unexpected_error_is_a_problem_document_not_an_html_page(client, local):
    def fails() -> None:
        raise RuntimeError("a bug")

    local.app.add_url_rule("/api/v1/fails", view_func=fails)
    local.app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production

    answer = client.get("/api/v1/fails", headers=local.headers("head"))

    assert (answer.status_code, answer.content_type) == (500, "application/problem+json")
    body = answer.json
    assert (body["status"], body["type"], body["title"]) == (
        500, "about:blank", "Internal Server Error")
    assert "a bug" not in str(body)


def test_school_details_with_nothing_to_change_are_refused_not_201(client, local):
    version = local.services.case_files.version(SCHOOLS[0])
    details = f"/api/v1/schools/{SCHOOLS[0]}/details"

    body = problem(client.post(details, headers=local.headers("head"), json={}), 422, "refused")
    assert body["detail"] == "Say which of the school's details to change"
    body = problem(client.post(details, headers=local.headers("head"), json={"pupils": 210}),
                   422, "refused")
    assert body["detail"] == "The school's pupils already read so: nothing to change"
    assert local.services.case_files.version(SCHOOLS[0]) == version


def test_the_404_problem_names_the_path_percent_encoded_not_as_sent(client, local):
    answer = client.get("/api/v1/<script>alert(1)</script>", headers=local.headers("head"))

    assert problem(answer, 404, "not-found")["instance"] == (
        "/api/v1/%3Cscript%3Ealert%281%29%3C/script%3E")


def test_a_search_for_a_nul_finds_no_school_rather_than_every_one(client, local):
    found = client.get("/api/v1/schools?q=%00", headers=local.headers("head"))

    assert found.status_code == 200
    assert found.json["items"] == []
