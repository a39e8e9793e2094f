"""The schools list's search and the report defaults, on plain values (the search itself is
done in SQL: tests/integration/test_school_search.py)."""

from __future__ import annotations

from datetime import date

import pytest

from application.reports import is_caseworker, report_dates
from application.school_search import SchoolSearch
from tests.unit.builders import PETERBOROUGH

TODAY = date(2026, 11, 23)


def school(urn: int, name: str, *, phase_group: str = "primary", category: str | None = "2",
           concern: bool = False, governance: str = "maintained",
           closed_on: date | None = None, next_deadline: date | None = None,
           caseworker_email: str | None = None) -> dict:
    return {"urn": urn, "name": name, "phase_group": phase_group, "category": category,
            "causing_concern": concern, "governance": governance, "opened_on": None,
            "closed_on": closed_on, "next_deadline": next_deadline,
            "caseworker_email": caseworker_email}


SCHOOLS = [
    school(100001, "Ash Primary", category="3b", concern=True, next_deadline=date(2026, 12, 1)),
    school(100002, "birch Primary", category="1"),
    school(100003, "Cedar High", phase_group="secondary", category="4", concern=True,
           next_deadline=date(2026, 11, 30)),
    school(100004, "Damson Academy", phase_group="secondary", category=None,
           governance="academy"),
    school(100005, "Elder Special", phase_group="special", category="3a",
           closed_on=date(2020, 8, 31), next_deadline=date(2020, 1, 1)),
    school(200001, "Fir Primary 100", category="2", caseworker_email="Casey@LA.example"),
]


def test_report_dates_are_the_last_four_year_ends_and_today():
    assert report_dates(TODAY) == [date(2023, 8, 31), date(2024, 8, 31), date(2025, 8, 31),
                                   date(2026, 8, 31), TODAY]
    # Check a year end is not shown twice, and the year turns on 31 August itself.
    assert report_dates(date(2026, 8, 31))[-2:] == [date(2025, 8, 31), date(2026, 8, 31)]
    assert report_dates(date(2026, 8, 30))[-2:] == [date(2025, 8, 31), date(2026, 8, 30)]
    assert len(report_dates(TODAY, years=2)) == 3


def test_a_search_needs_a_known_sort_and_the_day_for_open_or_closed():
    with pytest.raises(ValueError, match="Sort by one of"):
        SchoolSearch(sort="pupils")
    with pytest.raises(ValueError, match="on="):
        SchoolSearch(is_open=True)


def test_a_category_is_asked_for_in_any_case_and_none_means_not_categorised():
    assert SchoolSearch(category=" 3B ").is_category("3b")
    assert SchoolSearch(category="none").is_category(None)
    assert not SchoolSearch(category="none").is_category("3b")
    # Check categories sort in the scheme's order, and one of an older scheme after them.
    search = SchoolSearch(scheme_codes=tuple(PETERBOROUGH.codes))
    assert sorted(["4", "x", "1", "3B", "3a"], key=search.category_rank) == [
        "1", "3a", "3B", "4", "x"]


def test_a_caseworker_is_known_by_email_whatever_its_case():
    assert is_caseworker(SCHOOLS[-1], "casey@la.example ")
    assert not is_caseworker(SCHOOLS[0], "casey@la.example")
