"""A caseworker's day from My work: they land on it after signing in, open the most overdue
item, and hand a task to a colleague chosen from the users."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import USERS, screenshot, sign_in

SCHOOL = 990024  # a school no other browser test reads: Casey's for this test
TODAY = date(2026, 11, 23)


def test_a_caseworkers_day_starts_from_my_work(page: Page, live_server):
    casey, casey_name = USERS["caseworker"]
    helen, helen_name = USERS["head"]
    case_files = live_server.services.case_files
    case_files.assign_caseworker(SCHOOL, by=helen_name, effective=TODAY - timedelta(days=10),
                                 name=casey_name, email=casey)
    case_files.set_task(SCHOOL, by=helen_name, effective=TODAY - timedelta(days=10),
                        what="Send the attendance plan to the governors", owner_name=casey_name,
                        owner_email=casey, due=TODAY - timedelta(days=3))
    case_files.set_task(SCHOOL, by=helen_name, effective=TODAY, what="Book the next visit",
                        owner_name=casey_name, owner_email=casey, due=TODAY)
    school = case_files.school(SCHOOL)["name"]
    most_overdue = min((d for d in case_files.deadlines(SCHOOL)
                        if d.due < TODAY and not d.suspended
                        and d.kind != "decide_intervention"), key=lambda d: (d.due, d.key))
    days_late = (TODAY - most_overdue.due).days

    sign_in(page, "caseworker")

    # Check they land on My work, the most overdue first with its days late, today's tagged
    expect(page).to_have_url(re.compile(r"/my-work$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    first = page.locator("#overdue tbody tr").first
    expect(first).to_contain_text(f"{days_late} day{'s' if days_late != 1 else ''} late")
    expect(first).to_contain_text(most_overdue.what)
    expect(page.locator("#due-today tbody tr").first).to_contain_text("Due today")
    expect(page.locator("#due-today")).to_contain_text("Book the next visit")
    screenshot(page, "my_work_caseworker")  # at 1280 and 390 px
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"My work scrolls sideways on a phone ({width} px)"
    right = page.evaluate("Math.max(...[...document.querySelectorAll('#overdue td')]"
                          ".map(td => td.getBoundingClientRect().right))")
    assert right <= 390, f"the overdue list is cut off on a phone (it ends at {right} px)"
    page.set_viewport_size({"width": 1280, "height": 900})

    # Check the most overdue item opens its school's case file at the deadlines
    first.get_by_role("link", name=school).click()
    expect(page).to_have_url(re.compile(rf"/schools/{SCHOOL}#deadlines$"))
    expect(page.locator("#deadlines")).to_contain_text(most_overdue.what)

    # Record a task for a colleague, chosen from the users
    page.goto(f"/schools/{SCHOOL}/set-task")
    page.get_by_label("Task").fill("Check the governors' action plan before the MSP meeting")
    page.get_by_label("Owner").select_option(label=f"{helen_name} (head)")
    due = TODAY + timedelta(days=2)
    page.get_by_label("Day").last.fill(str(due.day))
    page.get_by_label("Month").last.fill(str(due.month))
    page.get_by_label("Year").last.fill(str(due.year))
    screenshot(page, "set_task")  # at 1280 and 390 px
    page.get_by_role("button", name="Set the task").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"set for {helen_name}")
    expect(page.locator("#deadlines")).to_contain_text(
        f"Task for {helen_name}: Check the governors' action plan")
    # Check it is not in Casey's own work, and is in Helen's
    page.goto("/my-work")
    expect(page.locator("main")).not_to_contain_text("Check the governors' action plan")
    assert live_server.services.workbench.my_work(helen, "head", TODAY).this_week[-1].what == (
        f"Task for {helen_name}: Check the governors' action plan before the MSP meeting")


def test_the_head_sees_the_teams_load_and_opens_a_caseworkers_list(page: Page, live_server):
    helen, helen_name = USERS["head"]

    sign_in(page, "head")

    expect(page).to_have_url(re.compile(r"/my-work$"))
    load = page.locator("#team-load")
    expect(load).to_contain_text(helen_name)
    screenshot(page, "my_work_head")  # at 1280 and 390 px
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the team's load scrolls sideways on a phone ({width} px)"
    # Tables scroll inside themselves on a phone (scc.css): check this one needs not
    right = page.evaluate("Math.max(...[...document.querySelectorAll('#team-load th')]"
                          ".map(th => th.getBoundingClientRect().right))")
    assert right <= 390, f"the team's load is cut off on a phone (it ends at {right} px)"
    page.set_viewport_size({"width": 1280, "height": 900})

    # Check a row of the load opens that person's own list
    first = load.locator("tbody tr").first
    name = first.locator("th a").inner_text()
    first.locator("th a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{name}’s work")
