"""Reading through the API: the schools list in pages, deadlines, reports, ETags, the document."""

from __future__ import annotations

from datetime import date, timedelta

from tests.api.conftest import SCHOOLS
from web.api.commands import OPERATIONS


def test_the_schools_list_comes_in_pages_with_links(client, local):
    head = local.headers("head")

    first = client.get("/api/v1/schools?page_size=2&sort=name", headers=head)

    assert first.status_code == 200
    page = first.json
    assert (page["total"], page["pages"], page["page"]) == (3, 2, 1)
    assert [s["name"] for s in page["items"]] == ["Dyke Secondary", "Fen Primary"]
    assert page["links"]["prev"] is None
    assert page["links"]["next"] == "/api/v1/schools?sort=name&page=2&page_size=2"
    assert '<'+page["links"]["last"]+'>; rel="last"' in first.headers["Link"]
    last = client.get(page["links"]["next"], headers=head).json
    assert [s["urn"] for s in last["items"]] == [SCHOOLS[1]] and last["links"]["next"] is None


def test_the_schools_list_filters_as_the_web_does(client, local):
    head = local.headers("head")

    found = client.get("/api/v1/schools?causing_concern=true", headers=head).json
    assert [s["urn"] for s in found["items"]] == [SCHOOLS[1]]
    assert found["items"][0]["concern_reasons"] == ["warning notice WN1 open"]
    assert found["items"][0]["links"]["self"] == f"/api/v1/schools/{SCHOOLS[1]}"
    assert client.get("/api/v1/schools?q=fen", headers=head).json["total"] == 1

    refused = client.get("/api/v1/schools?category=5&phase=tertiary", headers=head)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json["errors"]} == {"phase"}
    refused = client.get("/api/v1/schools?category=5", headers=head)
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "category"


def test_deadlines_of_a_school_and_of_all_schools(client, local):
    head = local.headers("head")
    overdue = "compliance:WN1"  # its compliance period ended, with nothing recorded

    school = client.get(f"/api/v1/schools/{SCHOOLS[1]}/deadlines", headers=head)
    assert school.status_code == 200
    found = {d["key"]: d for d in school.json["deadlines"]}
    assert found[overdue]["overdue"] is True and found[overdue]["working_days_left"] < 0
    assert client.get(f"/api/v1/schools/{SCHOOLS[1]}/deadlines", headers={
        **head, "If-None-Match": school.headers["ETag"]}).status_code == 304

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    every = client.get(f"/api/v1/deadlines?due_to={yesterday}", headers=head).json
    assert [(d["urn"], d["key"], d["overdue"]) for d in every["items"]] == [
        (SCHOOLS[1], overdue, True)]
    coming = client.get("/api/v1/deadlines", headers=head).json["items"]
    assert [(d["urn"], d["kind"]) for d in coming] == [(SCHOOLS[2], "msp_meeting")]


def test_the_category_report_counts_what_the_api_records(client, local):
    head = local.headers("head")
    # 3b causes concern: a caseworker drafts the move and the head approves it (sign-off).
    moved = client.post(f"/api/v1/schools/{SCHOOLS[0]}/category-changes",
                        headers=local.headers("caseworker"),
                        json={"to": "3b", "reason": "Results fell"})
    assert moved.status_code == 202
    approved = client.post(moved.headers["Location"] + "/approval", headers=head, json={})
    assert approved.status_code == 201

    today = date.today().isoformat()
    report = client.get(f"/api/v1/reports/categories?at={today}&phase=all", headers=head)

    assert report.status_code == 200
    rows = {r["category"]: r for r in report.json["rows"]}
    assert report.json["dates"] == [today]
    assert (rows["3b"]["schools"], rows["3b"]["pupils"], rows["3b"]["schools_pct"]) == (
        1, 210, 33.3)
    assert rows["Not categorised"]["schools"] == 2


def test_a_read_answers_304_until_the_case_file_changes(client, local):
    head = local.headers("head")
    events = f"/api/v1/schools/{SCHOOLS[0]}/events"
    read = client.get(events, headers=head)

    assert client.get(events, headers={**head, "If-None-Match": read.headers["ETag"]}
                      ).status_code == 304
    assert client.get(f"{events}?page_size=1", headers={
        **head, "If-None-Match": read.headers["ETag"]}).status_code == 200
    client.post(f"/api/v1/schools/{SCHOOLS[0]}/visits", headers=head,
                json={"kind": "monitoring", "notes": "Met the head"})
    assert client.get(events, headers={**head, "If-None-Match": read.headers["ETag"]}
                      ).status_code == 200


def test_the_document_and_the_page_describe_every_command(client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    spec = document.json
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    commands = {path for path, item in spec["paths"].items() if "post" in item}
    for operation in OPERATIONS:
        path = "/api/v1/schools/{urn}" + operation.path.replace("<int:", "{").replace(
            "<", "{").replace(">", "}")
        assert path in commands, path
    refused = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert list(refused) == ["application/problem+json"]

    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    text = page.get_data(as_text=True)
    assert "/api/v1/schools/{urn}/ieb-applications/{application_id}/constitution" in text
    assert 'id="problem-conflict"' in text and "scc tokens create" in text
    assert "https://" not in text.split("<body", 1)[1]  # nothing loaded from elsewhere


def test_a_school_shows_the_predecessors_and_successors_the_gias_links_file_names(
        client, local, tmp_path):
    from adapters.importers.gias_links import read_links
    from application.imports import import_links

    links = tmp_path / "links_edubasealldata20260101.csv"
    links.write_text('"URN","LinkURN","LinkName","LinkType","LinkEstablishedDate"\n'
                     f'{SCHOOLS[0]},{SCHOOLS[2]},"Dyke Secondary","Successor - merged",'
                     '"31-08-2021"\n', encoding="utf-8")
    import_links(local.services.case_files, read_links(links).records, by="GIAS import")
    head = local.headers("head")

    merged = client.get(f"/api/v1/schools/{SCHOOLS[0]}", headers=head).json
    into = client.get(f"/api/v1/schools/{SCHOOLS[2]}", headers=head).json

    # Check each school names the other, both ways round, as GIAS words the link
    assert merged["successors"] == [{"urn": SCHOOLS[2], "name": "Dyke Secondary",
                                     "link_type": "Successor - merged",
                                     "established_on": "2021-08-31"}]
    assert into["predecessors"] == [{"urn": SCHOOLS[0], "name": "Fen Primary",
                                     "link_type": "Predecessor - merged",
                                     "established_on": "2021-08-31"}]
    assert merged["predecessors"] == [] and into["successors"] == []
