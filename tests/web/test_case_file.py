"""A school's case file page: its status, open items, timeline and the actions a role may take."""

from __future__ import annotations

import html
import re
from datetime import date

from adapters.demo import FEATURED_URN, SPECIAL_MEASURES_URN
from tests.web.conftest import USERS, csrf_token

CASE_FILE = f"/schools/{FEATURED_URN}"


def section(page: str, marker: str, end: str) -> str:
    """The page from ``marker`` to the first ``end`` after it, unescaped."""
    start = page.index(marker)
    return html.unescape(page[start:page.index(end, start)])


def test_the_featured_case_file_shows_its_status_and_open_items(actions, client, services):
    actions.sign_in("caseworker")

    page = client.get(CASE_FILE)

    assert page.status_code == 200
    status = section(page.text, 'id="status-summary"', "</dl>")
    assert "Sedgeholme St Felix Church of England Primary School" in status
    assert "3b: Requires Improvement" in status and "since 27 April 2026" in status
    assert "interim executive board in place" in status
    # Check the interim executive board, in place with its members
    ieb = section(page.text, 'id="ieb"', "</div>")
    assert "IEB in place" in ieb and "Dr Ruth Penhaligon (chair)" in ieb
    assert "its term ends 31 August 2027" in ieb
    # Check warning notice WN1 was not complied with
    notice = section(page.text, 'data-notice="WN1"', "</tr>")
    assert "not complied with" in notice and "10 February 2025" in notice
    # Check the overdue MSP actions are tagged, and the one not yet due is not
    actions_table = section(page.text, 'id="msp-actions"', "</table>")
    for action_id, overdue in (("A7", True), ("A8", True), ("A10", False)):
        row = section(actions_table, f'data-action="{action_id}"', "</tr>")
        assert ("Overdue" in row) is overdue, action_id
    # Check the deadlines come from the case file, with working days left where not passed
    deadlines = section(page.text, 'id="deadlines"', "</table>")
    assert "MSP meeting M17" in deadlines
    ieb_term = section(deadlines, 'data-key="ieb_term_ends:IEB1"', "</tr>")
    days_left = services.case_files.working_days.working_days_between(
        services.case_files.clock.today(), date(2027, 8, 31))
    assert f"{days_left} working days" in ieb_term


def test_an_ieb_application_in_progress_shows_its_stage(actions, client, services):
    services.case_files.draft_ieb_application(
        SPECIAL_MEASURES_URN, by="Helen Marsh", rationale="No improvement since March")
    actions.sign_in("caseworker")

    page = client.get(f"/schools/{SPECIAL_MEASURES_URN}").text

    ieb = section(page, 'id="ieb"', "</div>")
    assert "IEB application drafted" in ieb
    assert "Application IEB1, drafted" in ieb


def entry_in(page: str, version: int) -> str:
    """One entry of the timeline, unescaped: up to the next entry, or the end of the list
    its entry is in (an entry's fields hold lists of their own)."""
    start = page.index(f'id="entry-{version}"')
    ends = [page.find(marker, start + 1) for marker in ('class="scc-timeline__item', "</ol>")]
    return html.unescape(page[start:min(end for end in ends if end != -1)])


def timeline_pages(client, path: str) -> list[str]:
    """Every page of a case file's timeline, following its "Next" links."""
    pages = [client.get(path).text]
    while found := re.search(r'<a[^>]*href="([^"]+)"[^>]*rel="next"', pages[-1]):
        pages.append(client.get(html.unescape(found.group(1))).text)
    return pages


def test_the_timeline_shows_every_entry_newest_first_with_its_corrections(actions, client,
                                                                           services):
    actions.sign_in("caseworker")

    pages = timeline_pages(client, f"{CASE_FILE}?routine=show")

    history = services.case_files.history(FEATURED_URN)
    # Check the timeline, routine entries shown one by one, is paged 50 to a page (its page
    # links keep showing them), every entry once, newest first across the pages
    assert len(pages) == -(-len(history) // 50) > 1
    versions = [int(v) for page in pages for v in re.findall(r'data-version="(\d+)"', page)]
    assert versions == sorted((e["version"] for e in history), reverse=True)
    assert f"Entries 1 to 50 of {len(history)}, newest first." in pages[0]
    whole = "".join(pages)
    # Check the concern raised against the wrong school is struck through, with the reason
    (retracted,) = [e for e in history if e["retracted"]]
    entry = entry_in(whole, retracted["version"])
    assert f'<s class="scc-timeline__retracted">{retracted["summary"]}</s>' in entry
    assert "Recorded against the wrong school" in entry
    # Check the letter's mistyped deadline shows its amendment against it
    (amended,) = [e for e in history if e["event"] == "LetterOfConcernSent"]
    entry = entry_in(whole, amended["version"])
    assert "by 28 March 2024" in entry and "The deadline was mistyped: the letter sent said 28 March 2024" in entry
    # Check each entry says who recorded it, when, and when it took effect
    first = entry_in(whole, 1)
    assert "Case file opened" in first and "effective" in first
    assert re.search(r"Recorded <time datetime=\"[^\"]+\">\d+ \w+ \d{4} \d\d:\d\d</time>",
                     first)


def test_a_correction_links_to_the_page_of_the_timeline_that_holds_it(actions, client,
                                                                       services):
    actions.sign_in("caseworker")
    history = services.case_files.history(FEATURED_URN)
    (amended,) = [e for e in history if e["event"] == "LetterOfConcernSent"]
    (amendment,) = [e for e in history if e["event"] == "EntryAmended"
                    and e["version"] > amended["version"]]

    page = next(p for p in timeline_pages(client, CASE_FILE)
                if f'id="entry-{amended["version"]}"' in p)
    link = re.search(rf'href="([^"]+)">entry {amendment["version"]}</a>',
                     entry_in(page, amended["version"])).group(1)

    assert f'id="entry-{amendment["version"]}"' in client.get(html.unescape(link)).text
    assert link.endswith(f"#entry-{amendment['version']}")


def test_a_caseworker_sees_the_forms_but_not_assignment_and_an_auditor_sees_neither(
        actions, client):
    actions.sign_in("caseworker")
    caseworker = client.get(CASE_FILE).text
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/sign-out").text)})
    actions.sign_in("auditor")
    auditor = client.get(CASE_FILE).text

    assert f"{CASE_FILE}/raise-concern" in caseworker
    assert f"{CASE_FILE}/retract-entry?version=" in caseworker
    assert f"{CASE_FILE}/assign-caseworker" not in caseworker
    assert "/raise-concern" not in auditor and "retract-entry" not in auditor
    assert f"/audit/schools/{FEATURED_URN}" in auditor
    assert f"/audit/schools/{FEATURED_URN}" not in caseworker


def test_the_head_may_assign_the_case(actions, client):
    actions.sign_in("head")

    assert f"{CASE_FILE}/assign-caseworker" in client.get(CASE_FILE).text


def test_each_view_of_a_case_file_is_in_the_access_log(actions, client, services):
    actions.sign_in("caseworker")

    client.get(CASE_FILE)
    client.get(CASE_FILE)

    log = services.users.access_log(urn=FEATURED_URN)
    assert [(e["email"], e["view"]) for e in log] == [(USERS["caseworker"][0], "case file")] * 2


def test_an_unknown_school_is_not_found_and_signed_out_users_are_sent_to_sign_in(
        actions, client):
    assert client.get(CASE_FILE).status_code == 302
    actions.sign_in("caseworker")

    assert client.get("/schools/999999").status_code == 404


def offered(page: str, urn: int) -> set[str]:
    """The commands the case file's panel links to."""
    panel = section(page, 'id="actions"', "</div>")
    return set(re.findall(rf'href="/schools/{urn}/([a-z-]+)"', panel))


def test_the_case_file_offers_only_commands_with_something_to_act_on(actions, client,
                                                                     services):
    actions.sign_in("caseworker")
    quiet = next(s for s in services.case_files.schools()
                 if s["is_open"] and not s["open_concerns"] and not s["warning_notices"]
                 and s["msp"] is None and s["ieb"] is None and not s["eligibility"])
    urn = quiet["urn"]

    before = offered(client.get(f"/schools/{urn}").text, urn)

    # Check a school with nothing open is offered what starts a case, and nothing that acts
    # on an open concern, notice, board or group
    assert {"raise-concern", "issue-warning-notice", "establish-msp-group",
            "change-category", "record-inspection"} <= before
    assert not before & {"resolve-concern", "communicate-concern", "record-compliance",
                         "give-intervention-notice", "draft-ieb-application", "end-ieb",
                         "close-msp-group", "schedule-msp-meeting", "hold-msp-meeting"}
    # Check raising a concern brings the commands that act on it
    recorded = actions.submit(f"/schools/{urn}/raise-concern", {
        "effective": ["2", "3", "2026"], "ground": "standards", "source": "performance data",
        "description": "Key stage 2 results fell sharply"})
    assert recorded.status_code == 303
    after = offered(client.get(f"/schools/{urn}").text, urn)
    assert {"resolve-concern", "communicate-concern", "send-letter-of-concern"} <= after
    # Check a school with an IEB in place may end it, and may not draft another application
    board = offered(client.get(CASE_FILE).text, FEATURED_URN)
    assert services.case_files.school(FEATURED_URN)["ieb"] is not None
    assert {"end-ieb", "change-ieb-members"} <= board
    assert "draft-ieb-application" not in board


def test_a_case_file_links_to_the_schools_the_gias_links_file_names_both_ways(
        actions, client, services, tmp_path):
    from adapters.importers.gias_links import read_links
    from application.imports import import_links

    academy = 999801
    services.case_files.register_school(
        by="GIAS import", effective=date(2026, 9, 1), urn=academy, name="St Felix Academy",
        phase="Primary", establishment_type="Academy converter", governance="academy",
        la_code="999", pupils=200, opened_on=date(2026, 9, 1))
    links = tmp_path / "links_edubasealldata20261120.csv"
    links.write_text('"URN","LinkURN","LinkName","LinkType","LinkEstablishedDate"\n'
                     f'{academy},{FEATURED_URN},"Sedgeholme St Felix","Predecessor",'
                     '"01-09-2026"\n', encoding="utf-8")
    import_links(services.case_files, read_links(links).records, by="GIAS import")
    actions.sign_in("caseworker")

    predecessor = section(client.get(CASE_FILE).text, 'id="status-summary"', "</dl>")
    successor = section(client.get(f"/schools/{academy}").text, 'id="status-summary"', "</dl>")

    # Check each page links to the other's case file
    assert f'Successor: <a class="govuk-link" href="/schools/{academy}">URN {academy}</a>' \
        in predecessor
    assert (f'Predecessor: <a class="govuk-link" href="{CASE_FILE}">URN {FEATURED_URN}</a>'
            in successor)
    assert "1 September 2026" in successor
