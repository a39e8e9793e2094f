"""The search page: every school's entries found by their words, opening the entry found;
bad queries refused in words; the access log notes each school shown."""

from __future__ import annotations

import re

import pytest

from application.access_log import verify_access_log


@pytest.fixture
def head(client, actions):
    assert actions.sign_in("head").status_code == 200
    return client


def results(page) -> list[tuple[int, int]]:
    """(URN, version) of each entry found, in the page's order."""
    return [(int(u), int(v)) for u, v in re.findall(
        r'<li class="govuk-!-margin-bottom-6" data-urn="(\d+)" data-version="(\d+)"', page.text)]


def test_the_header_links_to_search_for_every_role(client, actions):
    for role in ("caseworker", "head", "auditor", "admin"):
        actions.sign_in(role)
        page = client.get("/rules")
        assert 'href="/search"' in page.text, role
        client.post("/sign-out", data={})


def test_a_word_in_msp_minutes_finds_the_meeting_and_opens_it(head):
    page = head.get("/search?q=handover")
    assert page.status_code == 200
    found = results(page)
    assert found, page.text
    urn, version = found[0]
    # Check the result is the meeting, with the word highlighted in its snippet.
    assert "MSP meeting" in page.text
    assert "<mark>Handover</mark>" in page.text
    opened = head.get(f"/schools/{urn}/entries/{version}")
    assert opened.status_code == 302
    location = opened.headers["Location"]
    assert location.startswith(f"/schools/{urn}") and location.endswith(f"#entry-{version}")
    case_file = head.get(location)
    assert f'id="entry-{version}"' in case_file.text


def test_an_entry_on_a_later_page_of_the_timeline_opens_that_page(head, services):
    urn = next(s["urn"] for s in services.case_files.schools()
               if services.case_files.version(s["urn"]) > 120)
    location = head.get(f"/schools/{urn}/entries/2").headers["Location"]
    assert "page=" in location and location.endswith("#entry-2")
    assert 'id="entry-2"' in head.get(location).text


def test_an_entry_that_is_not_there_is_not_found(head, services):
    assert head.get("/schools/999999/entries/1").status_code == 404
    urn = services.case_files.schools()[0]["urn"]
    assert head.get(f"/schools/{urn}/entries/100000").status_code == 404


def test_a_school_name_comes_first_as_its_own_group(head, services):
    school = services.case_files.schools()[0]
    page = head.get(f"/search?q={school['urn']}")
    assert page.status_code == 200
    assert 'id="matching-schools"' in page.text
    assert f'data-urn="{school["urn"]}"' in page.text.split('id="matching-entries"')[0]


@pytest.mark.parametrize("query, message", [
    ("!!!", "Enter a word or number to search for"),
    ("*", "Enter a word or number to search for"),
    ('"', "Enter a word or number to search for"),
    ("x" * 500, "Enter a search of 200 characters or fewer"),
])
def test_bad_queries_get_a_message_on_the_field(head, query, message):
    page = head.get("/search", query_string={"q": query})
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert '<p id="q-error" class="govuk-error-message">' in page.text
    assert message in page.text


@pytest.mark.parametrize("query", ['NEAR(reading', 'reading OR', 'summary:reading', "reading)",
                                   "-reading", "reading^2", "'reading'", "{reading}", "a\x00b",
                                   "reading AND NOT", "\\"])
def test_search_syntax_is_read_as_words_never_a_server_error(head, query):
    page = head.get("/search", query_string={"q": query})
    assert page.status_code in (200, 400)
    assert "There is a problem" in page.text or "found" in page.text


def test_nothing_found_says_so(head):
    page = head.get("/search?q=zzyzx")
    assert page.status_code == 200
    assert "No entries found" in page.text


def test_pages_of_fifty_with_the_total(head):
    page = head.get("/search?q=meeting")
    total = int(re.search(r"(\d+) entries found", page.text).group(1))
    assert total > 50
    assert len(results(page)) == 50
    last = head.get(f"/search?q=meeting&page={-(-total // 50)}")
    assert len(results(last)) == total - 50 * (-(-total // 50) - 1)
    # Check a page past the end shows the last page.
    assert results(head.get("/search?q=meeting&page=999")) == results(last)


def test_each_school_shown_is_in_the_access_log(head, services):
    page = head.get("/search?q=reading")
    shown = {u for u, _ in results(page)}
    logged = {row["urn"] for row in services.users.access_log(limit=100)
              if row["view"] == "search results"}
    assert shown and logged == shown
    # Check the rows written at once keep the log's hash chain whole.
    assert len(shown) > 1
    assert verify_access_log(services.users.store)["problem"] is None


def test_an_administrator_may_search_but_reads_no_case_file(client, actions):
    actions.sign_in("admin")
    page = client.get("/search?q=handover")
    assert page.status_code == 200
    assert "Your role does not read case files" in page.text
    assert results(page) == []


@pytest.mark.parametrize("role", ["caseworker", "auditor"])
def test_every_reading_role_finds_entries(client, actions, role):
    actions.sign_in(role)
    assert results(client.get("/search?q=handover"))
