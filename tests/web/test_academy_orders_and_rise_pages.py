"""Academy orders and RISE on a school's page and on the dashboard."""

from __future__ import annotations

import html
import re
from datetime import date

URN = 990301


def register_special_measures_school(case_files, published_on: date) -> None:
    case_files.register_school(
        by="tests", effective=date(2015, 9, 1), urn=URN, name="Sluice Gate Primary",
        phase="Primary", establishment_type="Community school", governance="maintained",
        la_code="874", pupils=190, opened_on=date(1970, 9, 1))
    case_files.record_inspection(URN, by="tests", published_on=published_on,
                                 inspected_on=date.fromordinal(published_on.toordinal() - 25),
                                 overall=4, category="special measures")


def text_of(page: str, element_id: str) -> str:
    """The text of the element with this id, tags taken out."""
    start = page.index(f'id="{element_id}"')
    start = page.rindex("<", 0, start)
    tag = re.match(r"<(\w+)", page[start:])[1]
    end = page.index(f"</{tag}>", start)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page[start:end])).split())


def test_an_academy_order_expected_shows_until_the_order_is_recorded_on_the_page(
        actions, client, services):
    register_special_measures_school(services.case_files, date(2020, 2, 7))
    actions.sign_in("head")

    page = client.get(f"/schools/{URN}").text
    assert "Academy order expected" in text_of(page, "status-academy-order")
    assert "Sluice Gate Primary" in text_of(client.get("/").text, "academy-orders-expected")

    answer = actions.submit(f"/schools/{URN}/record-academy-order", {
        "effective": ["20", "3", "2020"], "basis": "duty",
        "reference": "DfE ref AO/2020/117"}, follow_redirects=True)

    assert answer.status_code == 200
    status = text_of(answer.text, "status-academy-order")
    assert "Academy order expected" not in status
    assert "Academy order AO1 made 20 March 2020" in status
    assert "Sluice Gate Primary" not in text_of(client.get("/").text, "academy-orders-expected")


def test_a_duty_order_after_the_repeal_is_refused_on_the_form(actions, client, services):
    register_special_measures_school(services.case_files, date(2020, 2, 7))
    actions.sign_in("head")

    answer = actions.submit(f"/schools/{URN}/record-academy-order", {
        "effective": ["3", "8", "2026"], "basis": "duty", "reference": "DfE letter"})

    assert answer.status_code == 422
    assert "only from 18 April 2016 to 28 June 2026" in html.unescape(answer.text)
    assert services.case_files.school(URN)["academy_orders"] == []


def test_a_school_in_rise_shows_its_adviser_on_the_page_and_the_dashboard(
        actions, client, services):
    register_special_measures_school(services.case_files, date(2020, 2, 7))
    actions.sign_in("head")
    actions.submit(f"/schools/{URN}/identify-for-rise", {
        "effective": ["8", "9", "2025"], "basis": "Stuck: requires improvement since 2015"})
    actions.submit(f"/schools/{URN}/assign-rise-adviser", {
        "effective": ["15", "9", "2025"], "adviser": "Priya Shah"})

    page = client.get(f"/schools/{URN}").text
    assert "Adviser: Priya Shah" in text_of(page, "status-rise")
    row = text_of(client.get("/").text, "rise")
    assert "Sluice Gate Primary" in row and "Priya Shah" in row
