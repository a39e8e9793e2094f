"""The dashboard, the schools list and the reports, as a signed-in user sees them."""

from __future__ import annotations

import csv
import html
import io
from datetime import date
from html.parser import HTMLParser

import pytest

from adapters.demo import FEATURED_URN, SPECIAL_MEASURES_URN
from application.reports import report_dates
from tests.fakes import FixedClock
from tests.sign_off import approved

DEMO_SCHOOLS = 61


# Reading pages -----------------------------------------------------------------------------

class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Element | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if (tag is None or child.tag == tag) and all(
                        child.matches(k.rstrip("_").replace("_", "-"), v)
                        for k, v in attrs.items()):
                    found.append(child)
                found += child.find_all(tag, **attrs)
        return found

    def matches(self, name: str, value: str) -> bool:
        """``class`` matches one of the element's classes; other attributes match whole."""
        if name == "class":
            return value in (self.attrs.get("class") or "").split()
        return self.attrs.get(name) == value

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'} {attrs}> on the page"
        return found[0]

    def has(self, tag: str | None = None, **attrs: str) -> bool:
        return bool(self.find_all(tag, **attrs))

    def rows(self) -> list[list[str]]:
        """A table's body rows, each as the text of its cells."""
        body = self.find("tbody")
        return [[cell.text for cell in row.children
                 if isinstance(cell, Element) and cell.tag in ("td", "th")]
                for row in body.find_all("tr")]


class _Tree(HTMLParser):
    """Enough of a DOM to find elements by tag and attribute and read their text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr", "path", "rect", "circle", "line", "use"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN201
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in self.VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):  # noqa: ANN001, ANN201
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):  # noqa: ANN001, ANN201
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):  # noqa: ANN001, ANN201
        self.current.children.append(data)


def parse(html: str) -> Element:
    return _Tree(html).root


def page(response) -> Element:  # noqa: ANN001
    assert response.status_code == 200, (response.status_code, response.text[:2000])
    return parse(response.text)


def urns_in(table: Element) -> list[int]:
    return [int(row.attrs["data-urn"]) for row in table.find("tbody").find_all("tr")]


@pytest.fixture
def head(client, actions):
    """A client signed in as the Head of School Improvement."""
    response = actions.sign_in("head")
    assert response.status_code == 200
    return client


# Who may see the pages ---------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/?view=mine", "/schools/", "/reports/",
                                 "/reports/categories.csv", "/reports/concern",
                                 "/reports/deadlines", "/reports/notifications"])
def test_signed_out_requests_go_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_an_administrator_may_not_see_the_dashboard(client, actions):
    actions.sign_in("admin")

    response = client.get("/")

    assert response.status_code == 403
    assert "You do not have permission" in response.text


@pytest.mark.parametrize("role", ["caseworker", "auditor"])
def test_caseworkers_and_auditors_see_the_dashboard(client, actions, role):
    actions.sign_in(role)

    assert client.get("/").status_code == 200


# The dashboard -------------------------------------------------------------------------------

def test_the_dashboard_shows_the_schools_causing_concern_and_why(head):
    dashboard = page(head.get("/"))

    concern = dashboard.find("table", id="causing-concern")
    assert {FEATURED_URN, SPECIAL_MEASURES_URN} <= set(urns_in(concern))
    rows = {int(r.attrs["data-urn"]): r.text for r in concern.find("tbody").find_all("tr")}
    # Check each row says why, since when, what is due next and who owns the case.
    assert "Ofsted: special measures" in rows[SPECIAL_MEASURES_URN]
    assert "since 3 March 2026" in rows[SPECIAL_MEASURES_URN]
    assert "warning notice not complied with" in rows[FEATURED_URN]
    assert "interim executive board in place" in rows[FEATURED_URN]
    assert "Casey Worker" in rows[FEATURED_URN]
    link = concern.find("a", href=f"/schools/{FEATURED_URN}")
    assert link.text == "Sedgeholme St Felix Church of England Primary School"
    assert dashboard.find(id="count-concern").text.startswith(str(len(urns_in(concern))))


def test_the_dashboard_lists_the_schools_with_the_soonest_deadlines_first_when_there_are_many(
        head, services):
    board = services.reports.dashboard(services.case_files.clock.today(), concern=2,
                                       upcoming=3)

    # Check the soonest next deadline (990007's overdue MSP action) leads, and the count
    # still counts every school causing concern.
    assert [s["urn"] for s in board["causing_concern"]][0] == FEATURED_URN
    assert (len(board["causing_concern"]), board["concern_count"]) == (2, 5)
    # Check the fortnight's deadlines likewise: the soonest, and how many in all.
    assert len(board["upcoming"]) == 3 < board["upcoming_count"]
    assert [d["due"] for d in board["upcoming"]] == sorted(d["due"] for d in board["upcoming"])
    assert 'id="causing-concern-shown"' not in head.get("/").text  # all 3 fit on the page


def test_the_dashboard_lists_the_featured_schools_overdue_msp_actions(head):
    dashboard = page(head.get("/"))

    overdue = dashboard.find("table", id="overdue")
    featured = [r.text for r in overdue.find("tbody").find_all("tr")
                if r.attrs["data-urn"] == str(FEATURED_URN)]
    assert any("MSP action" in r and "Present a plan to cut persistent absence" in r
               and "25 September 2026" in r for r in featured)
    assert any("Publish an analysis of the 2026 KS2 results" in r for r in featured)


def test_the_dashboard_counts_schools_by_category_and_ofsted_grade(head, services):
    dashboard = page(head.get("/"))

    today = services.case_files.clock.today()
    expected = services.reports.categories(by="la", phase="all", dates=[today])
    shown = dashboard.find("table", id="by-la-category").rows()
    assert [(r[0].split()[0], int(r[1])) for r in shown] == [
        (r["category"].split()[0], r["schools"]) for r in expected]
    assert dashboard.find("table", id="by-ofsted-grade").rows()[0][0] == "Outstanding"


def test_the_dashboard_shows_what_another_process_recorded_since_it_was_last_seen(
        head, settings):
    from adapters.bootstrap import build_case_files

    before = page(head.get("/"))
    counted = int(before.find(id="count-concern").text.split()[0])
    quiet = next(s for s in head.application.extensions["scc"].case_files.schools()
                 if s["is_open"] and not s["causing_concern"])
    # Check: another process (a second application on the same store) puts the school in
    # category 4, and the next dashboard counts it, though the first was remembered
    other = build_case_files(settings, FixedClock())
    try:
        approved(other, "change_category", quiet["urn"], by="Another worker", to="4",
                 reason="Standards fell sharply")
    finally:
        other.close()
    after = page(head.get("/"))

    assert int(after.find(id="count-concern").text.split()[0]) == counted + 1
    assert str(quiet["urn"]) in [r.attrs["data-urn"] for r in
                                 after.find("table", id="causing-concern").find_all("tr")
                                 if "data-urn" in r.attrs]


def test_my_schools_are_those_i_am_the_caseworker_of(head, services):
    services.case_files.assign_caseworker(
        FEATURED_URN, by="Helen Marsh", name="Helen Marsh", email="Helen@Fenmarsh.example")

    mine = page(head.get("/?view=mine"))
    everyone = page(head.get("/"))

    assert urns_in(mine.find("table", id="causing-concern")) == [FEATURED_URN]
    assert mine.find("a", aria_current="page").text == "My schools"
    assert {int(r.attrs["data-urn"]) for r in mine.find("table", id="overdue")
            .find("tbody").find_all("tr")} == {FEATURED_URN}
    assert all(f"/schools/{FEATURED_URN}" in a.attrs["href"]
               for a in mine.find(id="activity").find_all("a"))
    assert SPECIAL_MEASURES_URN in urns_in(everyone.find("table", id="causing-concern"))
    row = everyone.find("tr", data_urn=str(FEATURED_URN))
    assert "Helen Marsh" in row.text


# The schools list ----------------------------------------------------------------------------

def test_the_schools_list_pages_fifty_schools_at_a_time(head):
    first = page(head.get("/schools/"))
    second = page(head.get("/schools/?page=2"))

    assert first.find(id="result-count").text == f"{DEMO_SCHOOLS} schools, showing 1 to 50"
    assert len(first.find("table", id="schools").rows()) == 50
    assert len(second.find("table", id="schools").rows()) == DEMO_SCHOOLS - 50
    pagination = first.find("nav", class_="govuk-pagination")
    assert pagination.find("a", aria_current="page").text == "1"
    assert pagination.find("a", rel="next").attrs["href"] == "/schools/?page=2"
    assert second.find("nav", class_="govuk-pagination").find(
        "a", rel="prev").attrs["href"] == "/schools/"


def test_the_schools_list_searches_by_name_and_by_urn(head):
    by_name = page(head.get("/schools/?q=eelbrook"))
    by_urn = page(head.get(f"/schools/?q={FEATURED_URN}"))
    nothing = page(head.get("/schools/?q=no+such+school"))

    assert urns_in(by_name.find("table", id="schools")) == [SPECIAL_MEASURES_URN]
    assert by_name.find(id="result-count").text == "1 school"
    assert by_name.find("input", id="q").attrs["value"] == "eelbrook"
    assert urns_in(by_urn.find("table", id="schools")) == [FEATURED_URN]
    assert "No school matches" in nothing.text


def test_the_schools_list_filters_by_causing_concern_and_phase(head, services):
    concern = page(head.get("/schools/?concern=yes"))
    special = page(head.get("/schools/?phase=special"))
    secondary_academies = page(head.get("/schools/?phase=secondary&governance=academy"
                                        "&status=open"))

    expected = [s["urn"] for s in services.reports.causing_concern()]
    assert urns_in(concern.find("table", id="schools")) == expected
    assert {FEATURED_URN, SPECIAL_MEASURES_URN} <= set(expected)
    assert urns_in(special.find("table", id="schools")) == [990058, 990059, 990060]
    assert urns_in(secondary_academies.find("table", id="schools")) == [
        990051, 990052, 990053, 990061]
    # Check the form shows the filters chosen, and links keep them.
    chosen = [o.attrs["value"] for o in special.find("select", id="phase").find_all("option")
              if "selected" in o.attrs]
    assert chosen == ["special"]


def test_the_schools_list_sorts_by_name_either_way_and_says_so(head):
    ascending = page(head.get("/schools/?sort=name&order=asc&status=open"))
    ascending_2 = page(head.get("/schools/?sort=name&order=asc&status=open&page=2"))
    descending = page(head.get("/schools/?sort=name&order=desc&status=open"))

    def names(listed: Element) -> list[str]:
        return [row.find("a").text for row in listed.find("table", id="schools")
                .find("tbody").find_all("tr")]

    everyone = names(ascending) + names(ascending_2)
    assert len(everyone) == DEMO_SCHOOLS - 1  # Cranmoor School closed when it converted
    assert everyone == sorted(everyone, key=str.casefold)
    assert names(descending) == everyone[::-1][:50]
    header = ascending.find("th", aria_sort="ascending")
    assert header.find("a").attrs["data-sort"] == "name"
    assert header.find("a").attrs["href"] == "/schools/?status=open&sort=name&order=desc"
    assert len(ascending.find_all("th", aria_sort="none")) == 3


def test_the_schools_list_sorts_by_next_deadline_with_the_undated_last(head):
    listed = page(head.get("/schools/?sort=next_deadline&status=open"))

    deadlines = [r[4] for r in listed.find("table", id="schools").rows()]
    assert deadlines[-1] == "None" or all(d != "None" for d in deadlines)
    assert deadlines[0].startswith("25 September 2026")  # 990007's overdue MSP action


def test_the_schools_list_refuses_a_filter_it_does_not_offer(head):
    assert head.get("/schools/?phase=sixth+form").status_code == 400
    assert head.get("/schools/?sort=pupils").status_code == 400


# The reports ---------------------------------------------------------------------------------

def test_the_category_report_shows_the_use_cases_figures_for_each_date(head, services):
    report = page(head.get("/reports/"))

    today = services.case_files.clock.today()
    dates = report_dates(today)  # by default: the last four 31 Augusts, and today
    expected = services.reports.categories(by="la", phase="all", dates=dates)
    shown = []
    for table in report.find_all("table", class_="scc-distribution"):
        for row in table.find("tbody").find_all("tr"):
            cells = [c.text for c in row.find_all("td")]
            shown.append((table.attrs["data-date"], row.attrs["data-category"],
                          cells[0], float(cells[1]), cells[2], float(cells[3])))
    # Check counts are written with thousands separators, as in "12,345 pupils"
    assert shown == [(r["date"].isoformat(), r["category"], f"{r['schools']:,}",
                      r["schools_pct"], f"{r['pupils']:,}", r["pupils_pct"]) for r in expected]
    assert any("," in pupils for *_, pupils, _ in shown)


def test_the_category_report_draws_an_accessible_chart(head):
    report = page(head.get("/reports/?by=ofsted&phase=primary&dates=31/8/2024,2025-08-31"))

    chart = report.find("svg", id="category-chart")
    assert chart.attrs["role"] == "img"
    assert chart.attrs["aria-labelledby"] == "chart-title chart-desc"
    assert "Ofsted grade" in chart.find("title", id="chart-title").text
    assert "31 August 2024:" in chart.find("desc", id="chart-desc").text
    assert len(chart.find_all("g", class_="scc-chart__bar")) == 2
    assert [t.attrs["data-date"] for t in report.find_all(
        "table", class_="scc-distribution")] == ["2024-08-31", "2025-08-31"]
    assert "checked" in report.find("input", id="by-2").attrs


def test_the_category_report_downloads_as_csv_and_json(head, services):
    query = "by=la&phase=secondary&dates=2024-08-31,2026-08-31"
    report = page(head.get(f"/reports/?{query}"))
    csv_url = report.find("a", id="download-csv").attrs["href"]
    json_url = report.find("a", id="download-json").attrs["href"]

    downloaded = head.get(csv_url)
    as_json = head.get(json_url)

    assert downloaded.mimetype == "text/csv"
    assert "attachment" in downloaded.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(downloaded.text)))
    expected = services.reports.categories(
        by="la", phase="secondary", dates=[date(2024, 8, 31), date(2026, 8, 31)])
    assert [(r["date"], r["category"], int(r["schools"]), float(r["schools_pct"]))
            for r in rows] == [(r["date"].isoformat(), r["category"], r["schools"],
                                r["schools_pct"]) for r in expected]
    assert as_json.json == [{**r, "date": r["date"].isoformat()} for r in expected]


def test_the_category_report_explains_a_date_it_cannot_read(head):
    response = head.get("/reports/?dates=31/02/2025")

    assert response.status_code == 400
    report = parse(response.text)
    summary = report.find(class_="govuk-error-summary")
    assert "'31/02/2025' is not a real date" in summary.text
    assert summary.find("a").attrs["href"] == "#dates"
    assert report.find("input", id="dates").attrs["value"] == "31/02/2025"
    assert not report.has("svg", id="category-chart")


def test_the_concern_report_lists_each_school_causing_concern(head, services):
    report = page(head.get("/reports/concern"))

    assert urns_in(report.find("table", id="causing-concern")) == [
        s["urn"] for s in services.reports.causing_concern()]
    assert "Interim executive board: in place" in report.find(
        "tr", data_urn=str(FEATURED_URN)).text


def test_the_concern_report_pages_its_schools_by_urn(head, services, monkeypatch):
    import web.reports.routes as routes

    monkeypatch.setattr(routes, "LISTED", 2)
    every = [s["urn"] for s in services.reports.causing_concern()]
    assert len(every) > 2

    pages, path = [], "/reports/concern"
    while path:
        report = page(head.get(path))
        pages.append(report)
        following = [a for nav in report.find_all("nav", class_="govuk-pagination")
                     for a in nav.find_all("a", rel="next")]
        path = html.unescape(following[0].attrs["href"]) if following else None

    # Check every school causing concern once, by URN, two to a page, the total on each
    assert [urn for p in pages for urn in urns_in(p.find("table", id="causing-concern"))] == every
    assert len(pages) == -(-len(every) // 2)
    assert f"{len(every)} open schools are causing concern" in pages[-1].find(
        id="concern-count").text


def test_the_deadlines_calendar_shows_a_months_deadlines_by_day(head):
    october = page(head.get("/reports/deadlines?month=2026-10"))

    calendar = october.find("table", id="calendar")
    assert calendar.find("caption").text == "Calendar of deadlines, October 2026"
    day = calendar.find("td", data_day="2026-10-23")
    assert "Publish an analysis of the 2026 KS2 results" in day.text
    assert day.find("a").attrs["href"] == f"/schools/{FEATURED_URN}"
    assert [th.text for th in calendar.find("thead").find_all("th")][:2] == ["Mon", "Tue"]
    months = october.find("nav", class_="govuk-pagination")
    assert months.find("a", rel="prev").attrs["href"] == "/reports/deadlines?month=2026-09"
    assert months.find("a", rel="next").attrs["href"] == "/reports/deadlines?month=2026-11"
    overdue = october.find("table", id="overdue")
    assert any("Present a plan to cut persistent absence" in r[2] for r in overdue.rows())


def test_the_deadlines_report_pages_long_lists_and_names_a_few_a_day(head, services,
                                                                   monkeypatch):
    import web.reports.routes as routes

    monkeypatch.setattr(routes, "LISTED", 1)
    monkeypatch.setattr(routes, "SHOWN_A_DAY", 1)
    today = services.case_files.clock.today()
    every_overdue, count = services.reports.overdue(today, limit=1000)
    assert count == len(every_overdue) > 1

    pages, path = [], "/reports/deadlines"
    while path:
        report = page(head.get(path))
        pages.append(report)
        overdue_nav = [nav for nav in report.find_all("nav", class_="govuk-pagination")
                       if nav.attrs.get("aria-label") == "Pages of overdue deadlines"]
        following = overdue_nav[0].find_all("a", rel="next") if overdue_nav else []
        path = html.unescape(following[0].attrs["href"]) if following else None

    # Check every overdue deadline is listed once, one to a page, longest overdue first
    listed = [(r.attrs["data-urn"], r.attrs["data-key"]) for p in pages
              for r in p.find("table", id="overdue").find("tbody").find_all("tr")]
    assert listed == [(str(d["urn"]), d["key"]) for d in every_overdue]
    assert len(pages) == count
    assert f"1 to 1 of {count}." in pages[0].find("main").text


def test_the_deadlines_calendar_names_a_few_a_day_and_counts_the_rest(head, services,
                                                                      monkeypatch):
    import web.reports.routes as routes

    monkeypatch.setattr(routes, "SHOWN_A_DAY", 1)
    today = services.case_files.clock.today()
    year = services.reports.deadlines_between(today, today.replace(year=today.year + 1))
    busiest = max({d["due"] for d in year},
                  key=lambda day: sum(d["due"] == day for d in year))
    due = [d for d in year if d["due"] == busiest]
    assert len(due) > 1

    month = page(head.get(f"/reports/deadlines?month={busiest:%Y-%m}"))

    cell = month.find("td", data_day=busiest.isoformat())
    assert len([li for li in cell.find_all("li") if "data-urn" in li.attrs]) == 1
    assert f"and {len(due) - 1} more in the list below" in cell.text
    listed = month.find("table", id="month-deadlines").find("tbody").find_all("tr")
    assert {r.attrs["data-key"] for r in listed if r.attrs["data-urn"]} >= {
        d["key"] for d in due}


def test_the_deadlines_calendar_refuses_a_month_it_cannot_read(head):
    assert head.get("/reports/deadlines?month=October").status_code == 400


def test_the_notifications_page_lists_my_messages_or_says_email_is_off(head, services):
    inbox = page(head.get("/reports/notifications"))
    services.notifications, notifications = None, services.notifications
    try:
        off = page(head.get("/reports/notifications"))
    finally:
        services.notifications = notifications

    assert inbox.has(id="notifications")
    assert "Email is not set up" in off.find(id="notifications-off").text
