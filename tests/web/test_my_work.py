"""My work: each person's deadlines ranked (overdue with days late, due today, this week,
waiting for a decision or approval), the head's view of the team's load, tasks handed to a
colleague chosen from the users, and caseworkers and MSP action owners chosen, not typed."""

from __future__ import annotations

import html
from datetime import date, timedelta

import sqlalchemy as sa

from adapters.demo import FEATURED_URN
from adapters.read_models import POSITIONS, tables
from tests.web.conftest import USERS, csrf_token
from tests.web.test_forms import day, entries, error_summary, flashed, send
from tests.web.test_pages import parse

CASE_FILE = f"/schools/{FEATURED_URN}"
CASEY, CASEY_NAME = USERS["caseworker"]
HELEN, HELEN_NAME = USERS["head"]
TODAY = date(2026, 11, 23)  # the tests' clock


def give_casey_the_featured_school(services) -> None:
    services.case_files.assign_caseworker(FEATURED_URN, by=HELEN_NAME, effective=TODAY,
                                          name=CASEY_NAME, email=CASEY)


def rows(page: str, table_id: str) -> list[list[str]]:
    return parse(page).find(id=table_id).rows()


def options(page: str, select_id: str) -> list[str | None]:
    return [o.attrs.get("value") for o in parse(page).find("select", id=select_id)
            .find_all("option")]


def sign_out(client) -> None:
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/sign-out").text)})


def test_a_caseworker_lands_on_my_work_most_overdue_first_with_days_late(actions, client,
                                                                       services):
    give_casey_the_featured_school(services)
    services.case_files.set_task(FEATURED_URN, by=HELEN_NAME, effective=TODAY,
                                 what="Ring the chair of governors", owner_name=CASEY_NAME,
                                 owner_email=CASEY, due=TODAY)
    services.case_files.set_task(FEATURED_URN, by=HELEN_NAME, effective=TODAY,
                                 what="Read the attendance return", owner_name=CASEY_NAME,
                                 owner_email=CASEY, due=TODAY + timedelta(days=3))

    landed = actions.sign_in("caseworker")

    # Check signing in lands on My work, not the list of all schools
    assert landed.request.path == "/my-work"
    page = landed.text
    assert "<h1 class=\"govuk-heading-l\">My work</h1>" in page
    overdue = [d for d in services.case_files.deadlines(FEATURED_URN)
               if d.due < TODAY and not d.suspended and d.kind != "decide_intervention"]
    assert len(overdue) >= 2
    listed = rows(page, "overdue")
    # Check the most overdue comes first, each with its calendar days late
    expected = sorted(overdue, key=lambda d: d.due)
    assert [r[2] for r in listed] == [d.what for d in expected]
    for row, deadline in zip(listed, expected, strict=True):
        late = (TODAY - deadline.due).days
        assert f"{late} day{'s' if late != 1 else ''} late" in row[0]
    assert "Days late are calendar days" in page
    # Check today's task is tagged, and the one in three days is under this week
    [today_row] = rows(page, "due-today")
    assert today_row[0] == "23 November 2026 Due today"
    assert today_row[2] == f"Task for {CASEY_NAME}: Ring the chair of governors"
    assert [r[2] for r in rows(page, "this-week")][-1] == (
        f"Task for {CASEY_NAME}: Read the attendance return")
    # Check a caseworker sees no team load and no approvals
    assert 'id="team-load"' not in page and 'id="approvals"' not in page


def test_the_head_sees_the_teams_load_and_may_open_a_colleagues_list(actions, client,
                                                                     services):
    give_casey_the_featured_school(services)
    casey_overdue = len([d for d in services.case_files.deadlines(FEATURED_URN)
                         if d.due < TODAY and not d.suspended])

    page = actions.sign_in("head").text

    table = parse(page).find(id="team-load")
    load = {tr.attrs["data-email"]: row for tr, row in zip(
        table.find("tbody").find_all("tr"), table.rows(), strict=True)}
    assert load[CASEY][0] == CASEY_NAME and load[CASEY][1] == str(casey_overdue)
    assert load[HELEN] == [HELEN_NAME, "0", "0", "0"]  # a head with no case of her own
    assert USERS["auditor"][0] not in load  # only caseworkers and heads are the team
    # Check an owner without an account is named as the case was assigned
    assert load["tom.ridley@fenmarsh.example"][0] == "Tom Ridley No account in scc"
    colleague = client.get(f"/my-work?of={CASEY}")
    assert colleague.status_code == 200
    assert f"{CASEY_NAME}’s work" in html.unescape(colleague.text)
    assert len(rows(colleague.text, "overdue")) == casey_overdue

    # Check a caseworker may not read a colleague's list
    sign_out(client)
    actions.sign_in("caseworker")
    assert client.get(f"/my-work?of={HELEN}").status_code == 403


def insert_deadline_row(services, **row) -> None:
    """Writes a row straight into the deadlines read model's current generation."""
    store = services.projections.store
    with store.engine.begin() as conn:
        generation = conn.execute(sa.select(POSITIONS.c.generation).where(
            POSITIONS.c.name == "deadlines")).scalar_one()
        conn.execute(tables("deadlines", generation)[0].insert().values(
            source_version=1, suspended=False, **row))


def test_a_draft_awaiting_approval_is_every_heads_and_not_the_drafters(actions, client):
    """The demo's caseworker drafted a warning notice for Reedham Fen Junior School this
    morning (rule sign-off): it waits under "Waiting for your approval" for a head, and is not
    in the caseworker's own work though the school is theirs."""
    page = actions.sign_in("head").text
    (waiting,) = rows(page, "approvals")
    assert waiting[2] == ("Approve or return the draft warning notice for Reedham Fen Junior "
                          "School")
    assert waiting[:2] == ["25 November 2026", "Reedham Fen Junior School URN 990009"]  # 2
    # working days after it was drafted on Monday 23 November (sign_off_working_days)

    sign_out(client)
    page = actions.sign_in("caseworker").text
    assert "Approve or return the draft" not in page
    assert 'id="approvals"' not in page


def test_a_task_is_set_for_a_colleague_chosen_from_the_users(actions, client, services):
    actions.sign_in("caseworker")
    form = client.get(f"{CASE_FILE}/set-task").text
    offered = options(form, "owner")
    # Check the owners offered are the enabled caseworkers and heads, not the auditor
    assert offered == ["", CASEY, HELEN]
    before = entries(services)

    refused = send(client, f"{CASE_FILE}/set-task", {
        "effective": day(TODAY), "what": "Check the plan", "owner": USERS["auditor"][0],
        "due": day(TODAY + timedelta(days=2))})
    assert refused.status_code == 422
    assert "Choose who owns the task" in error_summary(refused.text)
    late = send(client, f"{CASE_FILE}/set-task", {
        "effective": day(TODAY), "what": "Check the plan", "owner": HELEN,
        "due": day(TODAY - timedelta(days=1))})
    assert late.status_code == 422
    assert "Enter a due date on or after 23 November 2026" in html.unescape(late.text)
    assert entries(services) == before

    done = send(client, f"{CASE_FILE}/set-task", {
        "effective": day(TODAY), "what": "Check the plan", "owner": HELEN,
        "due": day(TODAY + timedelta(days=2))})
    assert done.status_code == 303
    assert flashed(client) == [f"Task T1 set for {HELEN_NAME}"]

    sign_out(client)
    page = actions.sign_in("head").text
    assert [r[2] for r in rows(page, "this-week")] == [f"Task for {HELEN_NAME}: Check the plan"]
    finished = send(client, f"{CASE_FILE}/complete-task", {
        "effective": day(TODAY), "task_id": "T1", "note": "Plan read"})
    assert finished.status_code == 303
    assert "Check the plan" not in client.get("/my-work").text


def test_a_caseworker_is_chosen_from_the_users(actions, client, services):
    actions.sign_in("head")
    form = client.get(f"{CASE_FILE}/assign-caseworker").text
    offered = options(form, "email")
    assert offered == ["", CASEY, HELEN]
    before = entries(services)

    typed = send(client, f"{CASE_FILE}/assign-caseworker", {
        "effective": day(TODAY), "name": "Someone Else", "email": "someone@else.example"})
    assert typed.status_code == 422
    assert "Choose the caseworker from the users" in error_summary(typed.text)
    assert entries(services) == before

    chosen = send(client, f"{CASE_FILE}/assign-caseworker",
                  {"effective": day(TODAY), "email": CASEY})
    assert chosen.status_code == 303
    assert services.case_files.school(FEATURED_URN)["caseworker"] == {
        "name": CASEY_NAME, "email": CASEY}


def test_an_msp_action_owned_by_a_user_is_in_their_work(actions, client, services):
    actions.sign_in("caseworker")
    # The next meeting is arranged for a later date: this one was not scheduled beforehand
    fields = {"effective": day(TODAY), "meeting_id": "", "attendees": "Helen Marsh",
              "minutes": "Plan seen",
              "actions-0-description": "Send the plan to the diocese",
              "actions-0-owner_user": HELEN, "actions-0-due": day(TODAY + timedelta(days=4)),
              "actions-1-description": "Publish the plan", "actions-1-owner": "Headteacher",
              "actions-1-due": day(TODAY + timedelta(days=5))}
    both = send(client, f"{CASE_FILE}/hold-msp-meeting", {
        **fields, "actions-0-owner": "Headteacher"})
    assert both.status_code == 422
    assert "not both" in error_summary(both.text)

    assert send(client, f"{CASE_FILE}/hold-msp-meeting", fields).status_code == 303
    opened = services.case_files.school(FEATURED_URN)["msp"]["open_actions"]
    assert {"owner": HELEN_NAME, "owner_email": HELEN}.items() <= opened[-2].items()
    assert (opened[-1]["owner"], opened[-1]["owner_email"]) == ("Headteacher", None)

    sign_out(client)
    page = actions.sign_in("head").text
    assert any("Send the plan to the diocese" in r[2] for r in rows(page, "this-week"))
    assert not any("Publish the plan" in r[2] for r in rows(page, "this-week"))


def test_the_dashboard_lists_the_longest_overdue_first_with_days_late_and_owner(
        actions, client, services):
    give_casey_the_featured_school(services)
    page = actions.sign_in("head")
    board = client.get("/").text
    listed = rows(board, "overdue")
    overdue, count = services.reports.overdue(TODAY, limit=len(listed))
    # Check the order is the longest overdue first, and each says how late and whose it is
    assert [r[2] for r in listed] == [d["what"] for d in overdue]
    first = overdue[0]
    assert f"{(TODAY - first['due']).days} days late" in listed[0][0]
    featured = [r for r, d in zip(listed, overdue, strict=True) if d["urn"] == FEATURED_URN]
    assert featured and all(r[3] == CASEY_NAME for r in featured)
    # Check an owner without an account (990024's demo caseworker) is named as assigned
    assert any(d["urn"] == 990024 for d in overdue)
    assert not any("@" in r[3] for r in listed)
    assert page.status_code == 200


def test_the_teams_load_is_paged_most_overdue_first_and_follows_each_new_entry(
        actions, client, services):
    for n in range(1, 56):
        services.case_files.set_task(
            FEATURED_URN, by="Helen Marsh", effective=TODAY, what=f"Task {n}",
            owner_name=f"Officer {n:02}", owner_email=f"officer{n:02}@fenmarsh.example",
            due=TODAY + timedelta(days=2))
    page = actions.sign_in("head").text
    first = [r[0] for r in rows(page, "team-load")]
    second = [r[0] for r in rows(client.get("/my-work?team=2").text, "team-load")]

    # Check each person is on one page only, 50 to a page, the overdue first
    assert len(first) == 50 and second and not set(first) & set(second)
    # (named by email: they have no account, and only accounts and caseworkers have names here)
    listed = " ".join(first + second)
    assert "officer01@fenmarsh.example" in listed and "officer55@fenmarsh.example" in listed
    overdue = [int(r[1]) for r in rows(page, "team-load")]
    assert overdue == sorted(overdue, reverse=True) and overdue[0] > 0
    assert f"1 to 50 of {len(first) + len(second)} people" in page

    # Check a new entry shows at once, though the load is remembered between requests
    services.case_files.set_task(
        FEATURED_URN, by="Helen Marsh", effective=TODAY, what="One more",
        owner_name="Officer 56", owner_email="officer56@fenmarsh.example",
        due=TODAY + timedelta(days=1))
    everyone = [r[0] for page_number in (1, 2)
                for r in rows(client.get(f"/my-work?team={page_number}").text, "team-load")]
    assert any("officer56@fenmarsh.example" in who for who in everyone)
