"""Pages refuse what no list or calendar holds instead of failing: a meeting in year 9999, a
month no deadline falls in, a page number of 20 digits, a NUL in a search (security review #1,
#12, #18)."""

from __future__ import annotations

import re

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
    assert ("The meeting date 31 December 9999 is more than 5 years after 23 November 2026: "
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
