"""What an auditor takes away: the one-page briefing for a meeting, the print buttons, and
the categories chart downloaded as data (CSV) and as a picture (SVG)."""

from __future__ import annotations

import csv
import html
import io
import re
import xml.etree.ElementTree as ElementTree
from datetime import date

import pytest

from adapters.demo import FEATURED_URN
from tests.web.conftest import USERS

BRIEFING = f"/schools/{FEATURED_URN}/briefing"
SVG = "{http://www.w3.org/2000/svg}"


def text(page: str, marker: str, end: str) -> str:
    """The words between a marker and the end after it, without tags or extra spaces."""
    start = page.index(marker)
    words = re.sub(r"<[^>]+>", " ", page[start:page.index(end, start)])
    return " ".join(html.unescape(words).split())


# The briefing ----------------------------------------------------------------------------

def test_the_briefing_gives_status_open_items_and_next_steps_on_one_page(actions, client):
    # The featured school on 23 November 2026: 3b, an IEB since September 2025, warning
    # notice WN1 not complied with, MSP actions A7 and A8 overdue, A10 due 4 December.
    actions.sign_in("caseworker")

    page = client.get(BRIEFING)

    assert page.status_code == 200
    body = page.text
    status = text(body, 'id="briefing-status"', 'id="briefing-open-items"')
    assert "LA category 3b: Requires Improvement" in status
    assert ("Causing concern Yes: LA category 3b; eligible for intervention: warning notice "
            "not complied with (s60); interim executive board in place") in status
    assert "Caseworker Casey Worker" in status
    items = text(body, 'id="briefing-open-items"', 'id="briefing-next-steps"')
    assert "WN1 (s60), given 13 January 2025: not complied with (compliance date " \
           "10 February 2025)" in items
    assert "Interim executive board In place since 1 September 2025" in items
    assert "C1 (standards), raised 9 October 2023" in items
    assert "RISE Not in RISE targeted intervention" in items
    # Check each open MSP action has its owner and due date, the overdue ones tagged
    assert "A7: Present a plan to cut persistent absence Headteacher 25 September 2026 " \
           "Overdue" in items
    assert "A11: Draft the plan to hand back to a governing body IEB chair 29 January 2027" \
           in items
    # Check the next steps: soonest first, days overdue, working days left
    steps = text(body, 'id="briefing-deadlines"', "</table>")
    assert steps.index("MSP action A7") < steps.index("MSP action A10") < steps.index(
        "MSP meeting M17")
    assert "25 September 2026 Overdue by 59 days" in steps
    # 4 December 2026 is the 9th working day after Monday 23 November
    assert "MSP action A10: Send the group the autumn term attendance figures " \
           "4 December 2026 9 working days" in steps
    # Check it can be printed, with the print stylesheet and a button the script shows
    assert 'data-scc-print hidden>Print this page</button>' in body
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in body


def test_reading_the_briefing_is_written_to_the_access_log(actions, client, services):
    actions.sign_in("head")

    client.get(BRIEFING)

    log = services.users.access_log(urn=FEATURED_URN)
    assert [(row["email"], row["view"]) for row in log] == [(USERS["head"][0], "briefing")]


@pytest.mark.parametrize("role, allowed", [
    ("caseworker", True), ("head", True), ("auditor", True), ("admin", False)])
def test_heads_caseworkers_and_auditors_may_read_the_briefing(actions, client, role, allowed):
    actions.sign_in(role)

    assert client.get(BRIEFING).status_code == (200 if allowed else 403)
    assert client.get("/schools/999999/briefing").status_code == (404 if allowed else 403)


def test_the_case_file_and_the_auditor_page_link_to_the_briefing(actions, client):
    actions.sign_in("head")

    for url in (f"/schools/{FEATURED_URN}", f"/audit/schools/{FEATURED_URN}"):
        assert f'id="briefing-link" href="{BRIEFING}"' in client.get(url).text, url


# Printing ----------------------------------------------------------------------------------

def test_the_auditor_page_and_the_printable_history_have_a_print_button(actions, client):
    actions.sign_in("auditor")

    audit = client.get(f"/audit/schools/{FEATURED_URN}")
    printable = client.get(f"/audit/schools/{FEATURED_URN}/printable")

    assert "data-scc-print hidden>Print this page</button>" in audit.text
    # Check the printable's button is worked by the app's own script file, which the page's
    # Content-Security-Policy lets run (no inline script)
    assert "data-scc-print hidden>Print this page</button>" in printable.text
    assert '<script type="module" src="/static/print.js"></script>' in printable.text
    assert "script-src 'self'" in printable.headers["Content-Security-Policy"]
    with client.get("/static/print.js") as script:
        assert "window.print()" in script.text


# The categories chart's downloads ----------------------------------------------------------

QUERY = "by=la&phase=all&dates=31/08/2025,23/11/2026"


def test_the_chart_downloads_as_svg_with_its_legend_whole(actions, client, services):
    actions.sign_in("caseworker")
    report = client.get(f"/reports/?{QUERY}").text
    href = html.unescape(re.search(r'id="download-svg" href="([^"]+)"', report)[1])

    svg = client.get(href)

    assert svg.mimetype == "image/svg+xml"
    assert svg.headers["Content-Disposition"] == (
        'attachment; filename="categories-la-all.svg"')
    root = ElementTree.fromstring(svg.data)
    assert root.tag == f"{SVG}svg"
    assert "LA category of open schools (all phases)" in root.find(f"{SVG}title").text
    assert len(root.findall(f".//{SVG}g[@class='scc-chart__bar']")) == 2
    # Check every category is in the legend with its whole name, none cut short
    legend = [" ".join(t.text for t in key.iter(f"{SVG}tspan"))
              for key in root.iter(f"{SVG}g") if key.get("class") == "scc-chart__key"]
    scheme = services.projections.scheme
    assert legend == [f"{c.code} {c.label}" for c in scheme.categories] + ["Not categorised"]
    # Check the chart on the page is the same drawing
    assert report.count('class="scc-chart__key"') == len(legend)


def test_the_chart_data_downloads_as_csv_for_the_same_dates(actions, client, services):
    actions.sign_in("caseworker")
    report = client.get(f"/reports/?{QUERY}").text
    href = html.unescape(re.search(r'id="download-csv" href="([^"]+)"', report)[1])

    rows = list(csv.DictReader(io.StringIO(client.get(href).text)))

    expected = services.reports.categories(by="la", phase="all",
                                           dates=[date(2025, 8, 31), date(2026, 11, 23)])
    assert {r["date"] for r in rows} == {"2025-08-31", "2026-11-23"}
    assert [(r["date"], r["category"], int(r["schools"])) for r in rows] == [
        (r["date"].isoformat(), r["category"], r["schools"]) for r in expected]


def test_a_chart_download_for_an_unreadable_date_is_refused(actions, client):
    actions.sign_in("caseworker")

    assert client.get("/reports/categories.svg?dates=31/02/2025").status_code == 400
    assert client.get("/reports/categories.png").status_code == 404
