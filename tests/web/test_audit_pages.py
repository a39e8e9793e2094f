"""The auditor's pages: a school replayed as at a date and as known at a time, the difference
between two dates, the hash chain's verdict, the exports and the access log."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import timedelta

from adapters.demo import FEATURED_URN
from tests.web.conftest import USERS, csrf_token

AUDIT = f"/audit/schools/{FEATURED_URN}"


def section(page: str, marker: str, end: str) -> str:
    start = page.index(marker)
    return html.unescape(page[start:page.index(end, start)])


def on(field: str, day: int, month: int, year: int) -> list[tuple[str, str]]:
    return [(field, str(day)), (field, str(month)), (field, str(year))]


def test_the_school_as_at_a_past_date_shows_the_category_it_had_then(actions, client):
    actions.sign_in("auditor")

    now = client.get(AUDIT).text
    then = client.get(AUDIT, query_string=on("as_at", 1, 1, 2025))

    assert then.status_code == 200
    assert "3b: Requires Improvement" in section(now, 'id="replay-summary"', "</dl>")
    replayed = section(then.text, 'id="replay-summary"', "</dl>")
    assert "4: Inadequate, since 23 September 2024" in replayed
    assert "Status as at 1 January 2025" in html.unescape(then.text)
    # Check the history stops at that date: the notice of 13 January 2025 is not in it
    history = section(then.text, 'id="history-table"', "</table>")
    assert "Warning notice WN1" not in history and "LA category 3b → 4" in history


def test_as_known_at_a_year_ago_the_record_holds_less_than_is_known_now_of_that_day(
        actions, client, services):
    # The demo's featured school fell behind with its file from mid-November 2025: what
    # happened in the weeks before the day a year ago was recorded in January.
    actions.sign_in("auditor")
    year_ago = services.case_files.clock.today() - timedelta(days=365)
    day = on("as_at", year_ago.day, year_ago.month, year_ago.year)

    as_at = client.get(AUDIT, query_string=day).text
    as_known = client.get(AUDIT, query_string=[
        *day, *on("known_on", year_ago.day, year_ago.month, year_ago.year)]).text

    def entries(page: str) -> set[str]:
        return set(re.findall(r'<tr[^>]*id="history-(\d+)"',
                              section(page, 'id="history-table"', "</table>")))
    assert entries(as_known) and entries(as_known) < entries(as_at)
    assert "MSP meeting" in section(as_at, 'id="history-table"', "</table>")


def test_the_difference_between_two_dates_lists_the_category_change(actions, client):
    actions.sign_in("auditor")

    page = client.get(AUDIT, query_string=[*on("compare_from", 1, 1, 2024),
                                           *on("compare_to", 1, 4, 2025)])

    rows = {aspect: (before, after) for aspect, before, after, _ in _differences(page.text)}
    assert rows["LA category"][0].startswith("3b") and rows["LA category"][1].startswith("4")
    assert rows["Warning notice WN1"] == ("not given", "not complied with")
    assert rows["MSP group"][0] == "none"
    assert rows["Interim executive board"] == ("none", "application IEB1 drafted")


def test_the_difference_cites_the_entries_that_made_each_change(actions, client, services):
    # Between these dates the featured school moved from 3b to 4 (23 September 2024) and was
    # given warning notice WN1 (13 January 2025), which it did not comply with.
    actions.sign_in("auditor")
    history = services.case_files.history(FEATURED_URN)

    def version(event: str, words: str) -> int:
        return next(e["version"] for e in history
                    if e["event"] == event and words in e["summary"])
    category_change = version("CategoryChanged", "3b → 4")
    notice = version("WarningNoticeIssued", "WN1")
    compliance = version("ComplianceRecorded", "WN1")

    page = client.get(AUDIT, query_string=[*on("compare_from", 1, 1, 2024),
                                           *on("compare_to", 1, 4, 2025)]).text

    cited = {aspect: entries for aspect, _, _, entries in _differences(page)}
    # Check each change names its own entries, and only those
    assert [v for v, _ in cited["LA category"]] == [category_change]
    assert [v for v, _ in cited["Warning notice WN1"]] == [notice, compliance]
    # Check a citation links to the entry and says when and by whom it was recorded
    _, words = cited["LA category"][0]
    assert "effective 23 September 2024" in words and "by Helen Marsh" in words
    assert "LA category 3b → 4" in words
    assert f'href="/schools/{FEATURED_URN}/entries/{category_change}"' in page
    # Check an entry outside the two dates is not cited: the notice is given after 1 Dec 2024
    earlier = client.get(AUDIT, query_string=[*on("compare_from", 1, 1, 2024),
                                              *on("compare_to", 1, 12, 2024)]).text
    assert "Warning notice WN1" not in {aspect for aspect, *_ in _differences(earlier)}


def test_the_record_check_says_the_chain_is_intact(actions, client, services):
    actions.sign_in("auditor")

    page = client.get(AUDIT).text

    entries = services.case_files.version(FEATURED_URN)
    assert f"The record is intact: {entries} entries checked" in section(
        page, 'id="verification"', "</div>\n  </div>")


def test_the_exports_parse_and_hold_every_entry(actions, client, services):
    actions.sign_in("auditor")
    history = services.case_files.history(FEATURED_URN)

    as_csv = client.get(f"{AUDIT}/history.csv")
    as_json = client.get(f"{AUDIT}/history.json")
    printable = client.get(f"{AUDIT}/printable")

    assert as_csv.headers["Content-Disposition"] == (
        f'attachment; filename="urn-{FEATURED_URN}-history.csv"')
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [int(r["version"]) for r in rows] == [e["version"] for e in history]
    assert [r["summary"] for r in rows] == [e["summary"] for e in history]
    assert sum(r["retracted"] == "yes" for r in rows) == 1
    document = json.loads(as_json.text)
    assert len(document["history"]) == len(history)
    assert document["history"][0]["event"] == "Registered"
    assert document["history"][0]["details"]["urn"] == FEATURED_URN
    assert printable.mimetype == "text/html"
    assert "Sedgeholme St Felix" in printable.text


def test_exports_as_known_at_a_moment_leave_out_what_was_recorded_later(actions, client,
                                                                        services):
    actions.sign_in("auditor")
    history = services.case_files.history(FEATURED_URN)
    before_corrections = history[-2]["recorded_at"] - timedelta(microseconds=1)

    document = client.get(f"{AUDIT}/history.json",
                          query_string={"as_known_at": before_corrections.isoformat()}).json

    assert len(document["history"]) == len(history) - 2
    assert not any(e["retracted"] for e in document["history"])
    assert client.get(f"{AUDIT}/history.json",
                      query_string={"as_known_at": "yesterday"}).status_code == 400


def test_the_access_log_lists_every_view_of_the_school(actions, client, services):
    actions.sign_in("caseworker")
    client.get(f"/schools/{FEATURED_URN}")
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/sign-out").text)})
    actions.sign_in("auditor")
    client.get(f"{AUDIT}/history.csv")
    client.get(f"{AUDIT}/history.json")

    page = client.get(AUDIT, query_string=on("as_at", 1, 1, 2025)).text

    log = section(page, 'id="access-table"', "</table>")
    views = [cells[1:] for cells in _rows(log)]
    caseworker, auditor = USERS["caseworker"][0], USERS["auditor"][0]
    assert views == [[auditor, "audit as at 2025-01-01"], [auditor, "export JSON"],
                     [auditor, "export CSV"], [caseworker, "case file"]]
    assert len(services.users.access_log(urn=FEATURED_URN)) == 4


def test_replay_questions_are_checked(actions, client):
    actions.sign_in("auditor")

    page = client.get(AUDIT, query_string=[*on("compare_from", 1, 1, 2024),
                                           ("known_time", "25:00")])

    assert page.status_code == 422
    summary = section(page.text, 'class="govuk-error-summary"', "</ul>")
    assert "Enter both dates to compare" in summary
    assert "Enter the time as hours and minutes, for example 17:05" in summary


def test_only_auditors_and_the_head_may_replay(actions, client):
    actions.sign_in("caseworker")

    for url in (AUDIT, f"{AUDIT}/history.csv", f"{AUDIT}/history.json", f"{AUDIT}/printable",
                "/audit/"):
        assert client.get(url).status_code == 403, url


def test_the_audit_start_page_finds_a_school_by_urn(actions, client):
    actions.sign_in("head")

    found = client.get("/audit/", query_string={"urn": str(FEATURED_URN)})
    missing = client.get("/audit/", query_string={"urn": "999999"})

    assert found.status_code == 302 and found.headers["Location"].endswith(AUDIT)
    assert missing.status_code == 404
    assert "No school with URN 999999 has a case file" in missing.text


def _differences(page: str) -> list[tuple[str, str, str, list[tuple[int, str]]]]:
    """Each change in the difference: aspect, before, after and the entries cited (number and
    words)."""
    found = []
    for card in page.split('class="govuk-summary-card scc-difference"')[1:]:
        aspect = re.search(r'data-aspect="([^"]*)"', card)[1]
        before, after = (html.unescape(re.search(
            rf'data-when="{when}">(.*?)</dd>', card, re.S)[1].strip())
            for when in ("before", "after"))
        cited = [(int(v), html.unescape(re.sub(r"<[^>]+>|\s+", " ", words)).strip())
                 for v, words in re.findall(r'<li data-version="(\d+)">(.*?)</li>', card, re.S)]
        found.append((html.unescape(aspect), before, after, cited))
    return found


def _rows(table: str) -> list[list[str]]:
    """Each body row's cells, as text."""
    body = table[table.index("<tbody"):]
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]

