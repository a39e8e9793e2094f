"""Search over the API: the same entries as the search page, as JSON, on both stores."""

from __future__ import annotations

from tests.api.conftest import SCHOOLS, register_schools
from tests.api.test_problems import problem


def test_search_finds_an_entry_by_its_words_with_where_they_are(world):
    register_schools(world.services.case_files)
    client = world.app.test_client()
    answer = client.get("/api/v1/search?q=reading", headers=world.headers("caseworker"))

    assert answer.status_code == 200, answer.json
    body = answer.json
    assert (body["total"], body["pages"]) == (1, 1)
    (found,) = body["items"]
    assert (found["urn"], found["school"], found["event"]) == (
        SCHOOLS[1], "Marsh Academy Road", "ConcernRaised")
    # Check the highlight points at the word found, and the links open the entry.
    start, end = found["highlights"][0]
    assert found["snippet"][start:end].casefold() == "reading"
    assert found["web_url"].endswith(f"/schools/{SCHOOLS[1]}/entries/{found['version']}")
    assert found["events_url"].endswith(f"/api/v1/schools/{SCHOOLS[1]}/events")
    assert found["correction"] is None


def test_search_matches_the_pages_results_and_groups_schools(world):
    register_schools(world.services.case_files)
    client = world.app.test_client()
    body = client.get("/api/v1/search?q=marsh", headers=world.headers("auditor")).json
    assert [s["urn"] for s in body["schools"]] == [SCHOOLS[1]]
    assert body["schools_total"] == 1
    # Check a page of one, with links to the next.
    world.services.case_files.raise_concern(SCHOOLS[0], by="tests", ground="finance",
                                            description="Reading budget overspent")
    paged = client.get("/api/v1/search?q=reading&page_size=1",
                       headers=world.headers("head"))
    assert paged.json["total"] == 2 and len(paged.json["items"]) == 1
    assert 'rel="next"' in paged.headers["Link"]


def test_a_bad_query_is_an_invalid_request_naming_the_field(client, local):
    for q in ("***", "x" * 500):
        body = problem(client.get("/api/v1/search", query_string={"q": q},
                                  headers=local.headers("head")), 422, "invalid-request")
        assert body["errors"][0]["field"] == "q"
    problem(client.get("/api/v1/search", headers=local.headers("head")), 422,
            "invalid-request")


def test_search_needs_a_token_and_a_role_that_reads_case_files(client, local):
    problem(client.get("/api/v1/search?q=reading"), 401, "unauthorized")
    problem(client.get("/api/v1/search?q=reading", headers=local.headers("admin")), 403,
            "forbidden")


def test_the_document_describes_search(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "page", "page_size"}


def test_each_school_shown_is_in_the_access_log(client, local):
    client.get("/api/v1/search?q=reading", headers=local.headers("auditor"))
    assert [(r["urn"], r["view"]) for r in local.services.users.access_log(limit=10)] == [
        (SCHOOLS[1], "search results")]
