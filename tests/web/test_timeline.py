"""The case file's timeline read in full: each entry's fields, filters by area and person,
routine entries folded, and no "Retract" on what scc recorded itself."""

from __future__ import annotations

import html
import re

from adapters.demo import FEATURED_URN
from tests.web.test_case_file import CASE_FILE, entry_in, timeline_pages


def events_on(pages: list[str]) -> list[str]:
    return [kind for page in pages for kind in re.findall(r'data-event="(\w+)"', page)]


def test_a_warning_notice_entry_shows_its_matters_and_required_actions(actions, client,
                                                                       services):
    actions.sign_in("caseworker")
    (notice,) = [e for e in services.case_files.history(FEATURED_URN)
                 if e["event"] == "WarningNoticeIssued"]

    whole = "".join(timeline_pages(client, CASE_FILE))
    entry = entry_in(whole, notice["version"])

    # Check: the notice is long, so its fields are behind "The entry in full"
    assert "The entry in full" in entry
    assert "Matters the notice is based on" in entry
    assert notice["details"]["matters"] in entry
    assert "Action required" in entry and notice["details"]["required_actions"] in entry
    # Check: grounds, dates and copies in words, not the stored keys
    assert "<li>(a) standards of performance are unacceptably low" in entry
    assert "Comply by</dt>" in entry and "10 February 2025" in entry
    assert "<li>Regional Director</li>" in entry


def test_an_msp_meeting_entry_shows_its_minutes_attendees_and_actions(actions, client,
                                                                      services):
    actions.sign_in("caseworker")
    held = next(e for e in services.case_files.history(FEATURED_URN)
                if e["event"] == "MSPMeetingHeld" and e["details"]["actions"])

    entry = entry_in("".join(timeline_pages(client, CASE_FILE)), held["version"])

    assert held["details"]["minutes"] in entry
    for action in held["details"]["actions"]:
        assert f"{action['action_id']}: {action['description']} (owner {action['owner']}" \
            in entry
    assert "Helen Marsh (LA, chair)" in entry


def test_routine_entries_fold_into_one_line_a_run_unless_asked_to_show_them(actions, client,
                                                                            services):
    actions.sign_in("caseworker")
    history = services.case_files.history(FEATURED_URN)
    reviews = [e for e in history if e["event"] == "CategoryReviewed"]

    folded = timeline_pages(client, CASE_FILE)
    shown = timeline_pages(client, f"{CASE_FILE}?routine=show")

    # Check: every entry is still on the page, the routine ones inside folded lines
    assert sorted(events_on(folded)) == sorted(e["event"] for e in history)
    runs = [int(n) for page in folded for n in re.findall(r'data-routine="(\d+)"', page)]
    assert runs and all(n > 1 for n in runs)
    assert sum(runs) <= len(reviews)
    first_run = re.search(r'data-routine="(\d+)".*?govuk-details__summary-text">([^<]+)<',
                          "".join(folded), re.S)
    assert first_run.group(2).strip() == (
        f"{first_run.group(1)} routine entries: categories reviewed and kept")
    # Check: a folded run is one row of a page's 50, and each page counts the entries on it
    for page in folded[:-1]:
        runs = [int(n) for n in re.findall(r'data-routine="(\d+)"', page)]
        entries = len(re.findall(r'data-version="', page))
        assert entries - sum(runs) + len(runs) == 50
        first, last = map(int, re.search(r"Entries (\d+) to (\d+) of", page).groups())
        assert last - first + 1 == entries
    assert len(folded) <= len(shown)
    assert not any('data-routine="' in page for page in shown)


def test_the_timeline_filters_by_area_and_its_pages_keep_the_filter(actions, client, services):
    actions.sign_in("caseworker")
    msp = [e for e in services.case_files.history(FEATURED_URN) if e["area"] == "MSP groups"]

    pages = timeline_pages(client, f"{CASE_FILE}?area=msp&routine=show")

    # Check: only the MSP group's entries, every one of them, newest first
    versions = [int(v) for page in pages for v in re.findall(r'data-version="(\d+)"', page)]
    assert versions == sorted((e["version"] for e in msp), reverse=True)
    assert set(events_on(pages)) <= {"MSPGroupEstablished", "MSPMeetingScheduled",
                                     "MSPMeetingHeld", "MSPActionCompleted"}
    assert (f"Entries 1 to {min(50, len(msp))} of {len(msp)} matching the filter"
            in html.unescape(pages[0]))
    # Check: the filter form shows what is chosen, and the area is ticked
    assert re.search(r'id="timeline-area-msp" name="area" type="checkbox" value="msp"[^>]*'
                     r' checked', pages[0])
    # Check: two areas ticked show both
    both = timeline_pages(client, f"{CASE_FILE}?area=msp&area=warning_notices&routine=show")
    assert "WarningNoticeIssued" in events_on(both) and "MSPMeetingHeld" in events_on(both)
    assert "VisitRecorded" not in events_on(both)


def test_the_timeline_filters_by_who_recorded_the_entry(actions, client, services):
    actions.sign_in("caseworker")
    history = services.case_files.history(FEATURED_URN)
    person = "Casey Worker, School Improvement Adviser"
    theirs = [e["version"] for e in history if e["by"] == person]

    pages = timeline_pages(client, f"{CASE_FILE}?by={person}&routine=show")

    versions = [int(v) for page in pages for v in re.findall(r'data-version="(\d+)"', page)]
    assert versions == sorted(theirs, reverse=True) and versions
    assert f'<option value="{person}" selected>' in pages[0]
    # Check: someone who recorded nothing here, or an unknown area, is no filter at all
    anyone = timeline_pages(client, f"{CASE_FILE}?by=Nobody&area=nowhere&routine=show")
    assert len(events_on(anyone)) == len(history)


def test_no_retract_is_offered_on_reminders_and_passings_scc_recorded(actions, client,
                                                                      services):
    case_files = services.case_files
    today = case_files.clock.today()
    fired = [f for f in case_files.firings(FEATURED_URN) if f.on <= today]
    assert fired, "the featured school has reminders or passings due"
    for firing in fired:
        case_files.fire(firing)
    actions.sign_in("caseworker")

    page = "".join(timeline_pages(client, f"{CASE_FILE}?routine=show"))

    history = case_files.history(FEATURED_URN)
    own = [e for e in history if e["event"] in ("ReminderSent", "DeadlinePassed")]
    assert own
    for entry in own:
        shown = entry_in(page, entry["version"])
        assert "retract-entry" not in shown, entry["summary"]
        # Check: the deadline reads in words, never its key
        assert ":" not in re.search(r'Deadline</dt>\s*<dd[^>]*>(.*?)</dd>', shown, re.S).group(1)
    visit = next(e for e in reversed(history) if e["event"] == "VisitRecorded")
    assert "retract-entry" in entry_in(page, visit["version"])
    # Check: asking for the form anyway is refused by the rule, and nothing is recorded
    version = own[-1]["version"]
    response = actions.submit(f"{CASE_FILE}/retract-entry?version={version}",
                              {"version": str(version), "reason": "Sent in error"})
    assert response.status_code == 422
    assert "recorded by scc itself" in html.unescape(response.text)
    assert case_files.version(FEATURED_URN) == len(history)
