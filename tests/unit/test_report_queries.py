"""The queries behind the schools list and the report defaults, on plain status rows."""

from __future__ import annotations

from datetime import date

import pytest

from application.reports import find_schools, is_caseworker, report_dates
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


def urns(found: list[dict]) -> list[int]:
    return [s["urn"] for s in found]


def find(**criteria) -> list[int]:
    return urns(find_schools(SCHOOLS, scheme=PETERBOROUGH, **criteria))


def test_report_dates_are_the_last_four_year_ends_and_today():
    assert report_dates(TODAY) == [date(2023, 8, 31), date(2024, 8, 31), date(2025, 8, 31),
                                   date(2026, 8, 31), TODAY]
    # Check a year end is not shown twice, and the year turns on 31 August itself.
    assert report_dates(date(2026, 8, 31))[-2:] == [date(2025, 8, 31), date(2026, 8, 31)]
    assert report_dates(date(2026, 8, 30))[-2:] == [date(2025, 8, 31), date(2026, 8, 30)]
    assert len(report_dates(TODAY, years=2)) == 3


def test_search_matches_part_of_a_name_or_the_start_of_a_urn():
    assert find(text="primary") == [100001, 100002, 200001]
    assert find(text=" BIRCH ") == [100002]
    assert find(text="10000") == [100001, 100002, 100003, 100004, 100005]
    # Check digits also match a name, but not the middle of a URN.
    assert find(text="100") == [100001, 100002, 100003, 100004, 100005, 200001]
    assert find(text="0001") == []


def test_filters_combine():
    assert find(phase_group="secondary") == [100003, 100004]
    assert find(causing_concern=True) == [100001, 100003]
    assert find(causing_concern=False, phase_group="primary") == [100002, 200001]
    assert find(governance="academy") == [100004]
    assert find(category="3B") == [100001]
    assert find(category="none") == [100004]
    assert find(is_open=False, on=TODAY) == [100005]
    assert find(is_open=True, on=date(2020, 8, 31)) == urns(SCHOOLS)


def test_open_or_closed_needs_the_day():
    with pytest.raises(ValueError, match="on="):
        find(is_open=True)


def test_sorts_with_missing_values_last_either_way():
    assert find(sort="name") == [100001, 100002, 100003, 100004, 100005, 200001]
    assert find(sort="category") == [100002, 200001, 100005, 100001, 100003, 100004]
    assert find(sort="category", descending=True) == [
        100003, 100001, 100005, 200001, 100002, 100004]
    assert find(sort="next_deadline") == [100005, 100003, 100001, 100002, 100004, 200001]
    assert find(sort="next_deadline", descending=True)[:3] == [100001, 100003, 100005]
    with pytest.raises(ValueError, match="Sort by one of"):
        find(sort="pupils")


def test_a_caseworker_is_known_by_email_whatever_its_case():
    assert is_caseworker(SCHOOLS[-1], "casey@la.example ")
    assert not is_caseworker(SCHOOLS[0], "casey@la.example")
