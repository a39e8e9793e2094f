"""The demo LA, Fenmarsh, loaded through the application's commands on a real store."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.demo import (
    ACADEMY_URN,
    COMPLIED_2014_URN,
    CONVERTED_URN,
    FEATURED_URN,
    RECENT_YEARS,
    SPECIAL_MEASURES_URN,
    STORY_WEEK,
    WAITING_URN,
    StoreNotEmpty,
    StoryCalendar,
    load_demo,
)
from adapters.event_store import event_store_env
from application.case_files import SchoolCaseFiles
from cli.main import DEMO_USERS
from domain.deadlines import PASSED
from tests.fakes import FixedClock

INTENDED_OVERDUE = {
    # The featured school's IEB has not yet done two things its MSP group asked for.
    (FEATURED_URN, "msp_action:A7", date(2026, 9, 25)),  # a plan to cut persistent absence
    (FEATURED_URN, "msp_action:A8", date(2026, 10, 23)),  # an analysis of the 2026 results
    # A warning notice's compliance period has ended, with the LA's decision still to make.
    (WAITING_URN, "compliance:WN1", date(2026, 11, 9)),
}
"""Everything overdue on the demo's day (the test clock's, 23 November 2026), by design."""
MOVED_DAYS = (date(2027, 12, 24), date(2028, 2, 29), date(2028, 6, 7))
"""Days the demo is loaded on besides the stories' week: Christmas Eve, a leap day, and
eighteen months on (the days ``make test-dates`` moves the clock to)."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory, working_days, scheme):
    """The demo loaded once on SQLite, for the checks that only read it."""
    path = tmp_path_factory.mktemp("demo") / "scc.sqlite3"
    app = SchoolCaseFiles(event_store_env(f"sqlite:///{path}"), clock=FixedClock(),
                          working_days=working_days, scheme=scheme)
    load_demo(app)
    yield app
    app.close()


def _histories(app: SchoolCaseFiles) -> list[list[tuple]]:
    return [[(e["event"], e["effective"], e["summary"]) for e in app.history(urn)]
            for urn in app.urns()]


def _overdue(app: SchoolCaseFiles) -> set[tuple[int, str, date]]:
    today = app.clock.today()
    return {(f.urn, f.key, f.due) for urn in app.urns() for f in app.firings(urn)
            if f.working_days_before == PASSED and f.due < today}


def test_demo_loads_fenmarsh_with_its_stories(case_files):
    # One load per store: loading takes seconds on PostgreSQL, so the checks share it.
    summary = load_demo(case_files)
    today = case_files.clock.today()
    schools = case_files.schools()

    # Check the featured school: warning notice not complied with, then an IEB (s65)
    featured = case_files.school(FEATURED_URN)
    assert summary.featured_urn == FEATURED_URN
    assert [n["status"] for n in featured["warning_notices"]] == ["not complied with"]
    assert "warning_notice" in [e["route"] for e in featured["eligibility"]]
    assert featured["ieb_applications"][0]["stage"] == "constituted"
    assert set(featured["ieb_applications"][0]["consultations"]) == {
        "governing body", "diocesan authority"}
    assert len(featured["ieb"]["members"]) >= 2
    assert featured["causing_concern"]

    # Check its MSP group has a meeting to come and actions open past their due date
    msp = featured["msp"]
    assert msp["next_meeting"]["meets_on"] > today
    assert any(a["due"] < today for a in msp["open_actions"])
    assert any(a["due"] >= today for a in msp["open_actions"])

    # Check its corrections: one entry retracted, one amended
    history = case_files.history(FEATURED_URN)
    assert sum(e["retracted"] for e in history) == 1
    assert sum(c["kind"] == "amended" for e in history for c in e["corrections"]) == 1

    # Check warning notices with both outcomes, one under the pre-2016 fixed period
    notices = [n for s in schools for n in s["warning_notices"]]
    statuses = Counter(n["status"] for n in notices)
    assert len(notices) >= 2
    assert statuses["complied with"] >= 1 and statuses["not complied with"] >= 1
    assert case_files.school(COMPLIED_2014_URN)["warning_notices"][0]["compliance_period"] == 15

    # Check the converted academy is linked both ways
    old, new = case_files.school(CONVERTED_URN), case_files.school(ACADEMY_URN)
    assert old["successor_urn"] == ACADEMY_URN and not old["is_open"]
    assert new["predecessor_urn"] == CONVERTED_URN and new["governance"] == "academy"

    # Check special measures made a maintained school eligible without an LA step (s62)
    special = case_files.school(SPECIAL_MEASURES_URN)
    assert special["ofsted"]["category"] == "special measures"
    assert [e["route"] for e in special["eligibility"]] == ["special_measures"]

    # Check about sixty schools of every kind, and each period's Ofsted vocabulary
    assert 55 <= len(schools) <= 65 and len(schools) == summary.case_files
    assert {s["la_code"] for s in schools} == {"999"}
    assert {"Primary", "Secondary", "Nursery", "Not applicable"} <= {s["phase"] for s in schools}
    assert {s["governance"] for s in schools} == {"maintained", "academy"}
    assert sum(s["establishment_type"] == "Voluntary aided school" for s in schools) >= 2
    assert len({i["framework"] for s in schools for i in s["inspections"]}) == 4
    assert summary.entries > 500

    # Check a second load is refused: the demo never mixes with case files already there
    with pytest.raises(StoreNotEmpty, match=f"already holds {len(schools)} case files"):
        load_demo(case_files)


def test_demo_is_the_same_every_time(demo, tmp_path, working_days, scheme):
    app = SchoolCaseFiles(event_store_env(f"sqlite:///{tmp_path / 'again.sqlite3'}"),
                          clock=FixedClock(), working_days=working_days, scheme=scheme)
    try:
        load_demo(app)
        assert _histories(app) == _histories(demo)
    finally:
        app.close()


def test_the_demo_has_only_the_overdue_deadlines_its_story_intends(demo):
    # The worker records a passing for each of these when it first runs over the demo:
    # the LA's routine (visits, category reviews, statements of action) is up to date.
    today = demo.clock.today()

    overdue = {(f.urn, f.key, f.due) for urn in demo.urns() for f in demo.firings(urn)
               if f.working_days_before == PASSED and f.due < today}

    assert overdue == INTENDED_OVERDUE


def test_the_demo_records_the_las_routine_visits_reviews_and_caseworkers(demo, working_days):
    today = demo.clock.today()
    schools = [s for s in demo.schools() if s["is_open"]]
    histories = {urn: demo.history(urn) for urn in demo.urns()}
    events = Counter(e["event"] for history in histories.values() for e in history)
    assert events["VisitRecorded"] > len(schools) * 10
    assert events["CategoryReviewed"] > events["CategoryChanged"]
    # each case file reads in date order, the routine between the story's entries
    assert all([e["effective"] for e in history] == sorted(e["effective"] for e in history)
               for history in histories.values())

    # Check every open school has a caseworker; the demo's caseworker user has a handful
    _, email, name = next(user for user in DEMO_USERS if user[0] == "caseworker")
    caseworkers = {s["urn"]: demo.school(s["urn"])["caseworker"] for s in schools}
    assert all(c and c["email"].endswith("@fenmarsh.example") for c in caseworkers.values())
    assert caseworkers[FEATURED_URN] == {"name": name, "email": email}
    assert 3 <= sum(c["email"] == email for c in caseworkers.values()) <= 6

    # Check the featured school has termly monitoring visits from its caseworker, and its
    # category reviewed at the September review point
    history = demo.history(FEATURED_URN)
    visits = [e for e in history if e["event"] == "VisitRecorded"
              and e["effective"] > today - timedelta(weeks=52)]
    assert len(visits) >= 3 and all(e["by"].startswith(name) for e in visits)
    assert all(e["details"]["kind"] == "monitoring" for e in visits)
    assert any(e["event"] == "CategoryReviewed" and e["effective"] == date(2026, 9, 22)
               for e in history)

    # Check the special measures school's statement of action went within 10 working days
    special = demo.history(SPECIAL_MEASURES_URN)
    report = next(e for e in reversed(special) if e["event"] == "InspectionRecorded")
    statement = next(e for e in special if e["event"] == "StatementOfActionSent")
    assert statement["details"]["inspection_id"] == report["details"]["inspection_id"]
    assert statement["effective"] <= working_days.add_working_days(report["effective"], 10)


@pytest.mark.parametrize("day", MOVED_DAYS, ids=str)
def test_the_demo_is_of_the_day_it_is_loaded(day, demo, tmp_path, working_days, scheme):
    clock = FixedClock(datetime(day.year, day.month, day.day, 10, tzinfo=UTC))
    app = SchoolCaseFiles(event_store_env(f"sqlite:///{tmp_path / 'later.sqlite3'}"),
                          clock=clock, working_days=working_days, scheme=scheme)
    try:
        summary = load_demo(app)
        moved = StoryCalendar.for_day(day)

        # Check the stories' recent years moved by whole weeks, to end in the week of today
        assert summary.loaded_until == day
        assert moved.shift.days % 7 == 0 and 0 <= (day - STORY_WEEK - moved.shift).days < 7
        # Check the caseload is of today: what the stories mean to be overdue is, by as long
        assert _overdue(app) == {(urn, key, moved.real(due))
                                 for urn, key, due in INTENDED_OVERDUE}
        featured = app.school(FEATURED_URN)
        assert featured["msp"]["next_meeting"]["meets_on"] > day
        assert any(day <= a["due"] <= day + timedelta(days=14)
                   for a in featured["msp"]["open_actions"])
        # Check the LA's decision on the warning notice is waiting, once the worker has
        # recorded the end of its compliance period
        for firing in app.firings(WAITING_URN):
            app.fire(firing)
        (notice,) = app.school(WAITING_URN)["warning_notices"]
        assert notice["compliance_date"] < day and notice["complied"] is None
        assert [d.due for d in app.deadlines(WAITING_URN) if d.kind == "decide_intervention"
                ] == [notice["compliance_date"] + timedelta(days=1)]

        # Check the years before the recent ones are the same history, whenever it is loaded
        def older(histories):
            return [[e for e in h if e[1] < RECENT_YEARS] for h in histories]
        assert older(_histories(app)) == older(_histories(demo))
        # Check the texts moved with their entries: a deadline in a letter, a year's results
        history = app.history(FEATURED_URN)
        amended = next(e for e in history if e["event"] == "EntryAmended")
        assert f"said {moved.real(date(2024, 3, 28)):%-d %B %Y}" in amended["summary"]
        results = next(e for e in history if e["event"] == "ConcernRaised")
        year = (results["effective"] - timedelta(days=243)).year  # last summer's results
        assert f"38% in {year} against 60% nationally" in results["details"]["description"]
    finally:
        app.close()


def test_the_demo_records_each_entry_about_when_the_la_would_have(demo):
    now = demo.clock.now()
    entries = [e for urn in demo.urns() for e in demo.history(urn)]
    delays = sorted((e["recorded_at"].date() - e["effective"]).days for e in entries)

    # Check every entry was recorded on or after the day it took effect, and never after now
    assert delays[0] >= 0 and all(e["recorded_at"] <= now for e in entries)
    # Check most were recorded within the week, in office hours, and none all at once
    assert delays[len(delays) // 2] <= 3 and delays[len(delays) * 9 // 10] <= 14
    assert len({e["recorded_at"] for e in entries}) > len(entries) * 0.9


def test_what_the_record_said_a_year_ago_is_less_than_what_is_known_now_of_that_day(demo):
    # The featured school's file fell behind from mid-November 2025 until January: what
    # happened then was recorded later.
    year_ago = demo.clock.today() - timedelta(days=365)
    that_evening = datetime(year_ago.year, year_ago.month, year_ago.day, 18, tzinfo=UTC)

    as_at = demo.history(FEATURED_URN, as_at=year_ago)
    as_known = demo.history(FEATURED_URN, as_at=year_ago, as_known_at=that_evening)

    assert len(as_known) < len(as_at)
    assert {e["version"] for e in as_known} < {e["version"] for e in as_at}
