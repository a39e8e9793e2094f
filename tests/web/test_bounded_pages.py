"""Pages refuse what no list or calendar holds instead of failing: a meeting in year 9999, a
month no deadline falls in, a page number of 20 digits, a NUL in a search (security review #1,
#12, #18)."""

from __future__ import annotations

import html
import re
from datetime import date

from adapters.demo import FEATURED_URN
from tests.web.test_forms import CASE_FILE, entries, error_summary, send

LAST_PAGE = "99999999999999999999"


def schools_listed(page: str) -> list[str]:
    return re.findall(r'href="/schools/(\d{6})"', page)


def test_an_msp_meeting_dated_in_year_9999_is_refused_on_the_form(actions, client, services):
    actions.sign_in("caseworker")
    before = entries(services)

    answer = send(client, f"{CASE_FILE}/schedule-msp-meeting",
                  {"effective": ["23", "11", "2026"], "meets_on": ["31", "12", "9999"]})

    assert answer.status_code == 422
    assert ("The meeting date, 31 December 9999, is more than 5 years after 23 November 2026: "
            "enter a date up to 23 November 2031") in error_summary(answer.text)
    assert entries(services) == before
    assert client.get("/").status_code == 200


def test_the_deadlines_calendar_of_december_9999_or_january_1_is_400_not_500(actions, client):
    actions.sign_in("caseworker")

    for month in ("9999-12", "0001-01"):
        answer = client.get(f"/reports/deadlines?month={month}")

        assert answer.status_code == 400, month
        assert "ask for a month from January 1800 to December 9998" in answer.text
    assert client.get("/reports/deadlines?month=1800-01").status_code == 200


def test_a_page_number_of_twenty_digits_shows_the_last_page_not_500(actions, client):
    actions.sign_in("caseworker")

    schools = client.get(f"/schools/?page={LAST_PAGE}")
    concern = client.get(f"/reports/concern?page={LAST_PAGE}")
    overdue = client.get(f"/reports/deadlines?overdue_page={LAST_PAGE}")
    timeline = client.get(f"/schools/{FEATURED_URN}?page={LAST_PAGE}")

    assert [a.status_code for a in (schools, concern, overdue, timeline)] == [200] * 4
    # Check the last page of the schools is shown, not an empty one
    assert schools_listed(schools.text)
    assert 'aria-current="page"' in schools.text


def test_a_search_for_a_nul_finds_no_school_rather_than_every_one(actions, client):
    actions.sign_in("caseworker")

    assert schools_listed(client.get("/schools/?q=%00").text) == []
    assert schools_listed(client.get("/schools/?q=Fen%00").text) == []
    assert schools_listed(client.get("/schools/").text)


def test_history_csv_and_printable_as_known_at_year_1_are_400_in_words(actions, client):
    actions.sign_in("auditor")

    for view in ("history.csv", "printable"):
        answer = client.get(f"/audit/schools/{FEATURED_URN}/{view}",
                            query_string={"as_known_at": "0001-01-01T00:00:00+00:00"})

        assert answer.status_code == 400, view
        assert ("The record cannot be read as known at 0001-01-01T00:00:00+00:00: enter a "
                "time from 1 January 1800 to 30 December 9999") in answer.text


def test_history_csv_is_utf8_csv_with_one_charset(actions, client):
    actions.sign_in("auditor")

    answer = client.get(f"/audit/schools/{FEATURED_URN}/history.csv")

    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_a_school_whose_entry_cannot_be_applied_is_flagged_and_the_rest_are_served(
        actions, client, services):
    from tests.integration.test_projections import record_as_an_older_version_did

    # An MSP meeting in year 9999, stored as the web form stored it before dates were bounded
    record_as_an_older_version_did(services.case_files, FEATURED_URN, "MSPMeetingScheduled",
                                   meeting_id="M99", meets_on=date(9999, 12, 31))
    other = next(urn for urn in services.case_files.urns() if urn != FEATURED_URN)
    services.case_files.record_visit(other, kind="monitoring", notes="Termly visit",
                                     effective=date(2026, 11, 20), by="Casey Worker")
    actions.sign_in("caseworker")

    dashboard = client.get("/")
    ready = client.get("/readyz")

    # Check the dashboard serves every other school and names the one set aside
    assert dashboard.status_code == 200
    warning = html.unescape(dashboard.text[dashboard.text.index('id="set-aside"'):])
    assert "1 school is not kept up to date" in warning
    assert f"URN {FEATURED_URN}" in warning[:warning.index("</ul>")]
    assert client.get("/schools/").status_code == 200
    assert client.get(f"/schools/{other}").status_code == 200
    newest = services.projections.store.recent_activity(1)[0]
    assert (newest["urn"], newest["event"]) == (other, "VisitRecorded")
    # Check /readyz says so rather than "ready"
    assert ready.status_code == 200
    assert ready.json["status"] == "degraded" and ready.json["lag"] == 0
    assert [s["urn"] for s in ready.json["set_aside"]] == [FEATURED_URN]
    assert ready.json["set_aside"][0]["reason"].startswith("OverflowError")
    assert "1 school is set aside" in ready.json["problem"]


def test_the_audit_page_known_on_31_december_9999_is_a_form_error_not_500(actions, client):
    from tests.web.test_audit_pages import AUDIT, on

    actions.sign_in("auditor")

    page = client.get(AUDIT, query_string=on("known_on", 31, 12, 9999))

    assert page.status_code == 422
    assert "Enter a date from 1 January 1800 to 30 December 9999" in html.unescape(page.text)
