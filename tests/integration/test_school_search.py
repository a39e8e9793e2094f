"""The schools list's search, filters, sorts and pages, done by the read-model store in SQL:
the same schools in the same order as the plain Python reading of the rules."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.read_models import SQLReadModels, read_model_engine
from adapters.schemes import load_scheme
from application.projections import Batch
from application.school_search import SCHOOL_SORTS, SchoolSearch

TODAY = date(2026, 11, 23)
CODES = tuple(load_scheme("peterborough").codes)
NAMES = ["Ash Primary", "birch Primary", "Cedar High", "Damson Academy", "Elder Special",
         "Fir Primary 100", "Straße Primary", "STRASSE Infants", "École Élémentaire",
         "Ysgol Gymraeg Bro Ŵyr", "100% Attendance Academy", "Under_score School",
         "St Mary's C of E", "St. Mary's RC", "Stanley Park", "st mary's", "ZZ Top", "Ōak"]
CATEGORIES = [*CODES, "3B", "X9", "", None, None]


def status_row(urn: int, rng: random.Random) -> dict[str, Any]:
    """A varied status row: every column the table holds."""
    day = date(2020, 1, 1) + timedelta(days=rng.randrange(3000))
    return {
        "urn": urn, "name": rng.choice(NAMES) + rng.choice(["", f" {urn % 97}", " (old)"]),
        "phase": None, "phase_group": rng.choice(["primary", "secondary", "special", "other",
                                                  None]),
        "establishment_type": None, "governance": rng.choice(["maintained", "academy", None]),
        "la_code": None, "pupils": None,
        "opened_on": rng.choice([None, day - timedelta(days=2000), TODAY, TODAY.replace(
            day=24)]),
        "closed_on": rng.choice([None, None, day, TODAY, TODAY - timedelta(days=1)]),
        "category": rng.choice(CATEGORIES), "category_since": None, "ofsted_overall": None,
        "ofsted_label": None, "ofsted_category": None, "ofsted_published_on": None,
        "causing_concern": rng.random() < 0.3, "concern_reasons": None, "open_concerns": 0,
        "warning_notice": None, "compliance_date": None, "eligible": None, "ieb_stage": None,
        "academy_order": None, "rise_adviser": None, "rise_since": None, "msp_next_meeting": None,
        "next_deadline": rng.choice([None, day, day, date(2026, 12, 1)]),
        "next_deadline_what": None, "caseworker": None, "caseworker_email": None,
    }


@pytest.fixture
def store(database_url) -> Iterator[SQLReadModels]:
    """A store of 150 schools with URNs of 5 and 6 digits, several sharing a name, a
    deadline or a category spelt in another case."""
    rng = random.Random(2026)
    urns = rng.sample(range(10000, 1000000), 140) + list(range(100000, 100010))
    store = SQLReadModels(read_model_engine(database_url))
    store.commit_together([Batch("school_status", 0, 1,
                                 {urn: [status_row(urn, rng)] for urn in urns}, [])])
    yield store
    store.close()


def python_find(schools: Iterable[dict[str, Any]], search: SchoolSearch
                ) -> list[dict[str, Any]]:
    """The rules read plainly in Python, as the schools list applied them before SQL did."""
    text = search.folded_text
    found = []
    for school in schools:
        if text and not (text in school["name"].casefold()
                         or str(school["urn"]).startswith(text)):
            continue
        if search.phase_group is not None and school["phase_group"] != search.phase_group:
            continue
        if search.category is not None and not search.is_category(school["category"]):
            continue
        if search.causing_concern is not None and \
                bool(school["causing_concern"]) != search.causing_concern:
            continue
        if search.governance is not None and school["governance"] != search.governance:
            continue
        opened, closed = school["opened_on"], school["closed_on"]
        open_on = (opened is None or opened <= search.on) and (closed is None
                                                                or search.on <= closed)
        if search.is_open is not None and open_on != search.is_open:
            continue
        found.append(school)
    keys = {
        "urn": lambda s: s["urn"],
        "name": lambda s: (s["name"].casefold(), s["urn"]),
        "category": lambda s: (search.category_rank(s["category"]), s["category"], s["urn"]),
        "next_deadline": lambda s: (s["next_deadline"], s["urn"]),
    }
    field = {"category": "category", "next_deadline": "next_deadline"}.get(search.sort)
    present = [s for s in found if field is None or s[field] is not None]
    missing = sorted((s for s in found if field is not None and s[field] is None),
                     key=lambda s: s["urn"])
    return sorted(present, key=keys[search.sort], reverse=search.descending) + missing


def search_of(**criteria: Any) -> SchoolSearch:
    return SchoolSearch(scheme_codes=CODES, on=TODAY, **criteria)


def urns(rows: list[dict[str, Any]]) -> list[int]:
    return [row["urn"] for row in rows]


texts = st.one_of(
    st.sampled_from(["", "primary", " PRIMARY ", "ss", "STRASSE", "straße", "é", "École",
                     "ŵ", "100", "1000", "10000", "0", "%", "_", "100%", "under_", "'s c",
                     "st.", "(old)", "zz"]),
    st.text(alphabet="aeiPrSsß%_1 0é", max_size=3),
)
searches = st.builds(
    search_of, text=texts,
    phase_group=st.sampled_from([None, "primary", "secondary", "special", "other"]),
    category=st.sampled_from([None, *CODES, "3A", "none", "NONE", "x9", " 4 "]),
    causing_concern=st.sampled_from([None, True, False]),
    governance=st.sampled_from([None, "maintained", "academy"]),
    is_open=st.sampled_from([None, True, False]),
    sort=st.sampled_from(SCHOOL_SORTS), descending=st.booleans(),
)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(search=searches, page_size=st.sampled_from([1, 7, 50]), page=st.integers(1, 6))
def test_the_store_finds_what_the_rules_say_in_the_same_order(store, search, page_size,
                                                              page):
    expected = python_find(store.schools(), search)
    # Check the count, every row in order, and a page of them.
    assert store.count_schools(search) == len(expected)
    assert store.find_schools(search) == expected
    offset = (page - 1) * page_size
    assert store.find_schools(search, limit=page_size, offset=offset) == \
        expected[offset:offset + page_size]


def test_search_matches_part_of_a_name_whatever_its_case_or_the_start_of_a_urn(store):
    everyone = store.schools()
    straße = {s["urn"] for s in everyone if "straße" in s["name"].casefold()
              or "strasse" in s["name"].casefold()}
    # Check "ss" finds Straße as well as STRASSE, as str.casefold folds them alike.
    assert set(urns(store.find_schools(search_of(text="STRASSE")))) == straße
    assert {s["urn"] for s in everyone if str(s["urn"]).startswith("10000")} == \
        set(urns(store.find_schools(search_of(text="10000"))))
    # Check % and _ are letters like any other, not wildcards.
    percent = store.find_schools(search_of(text="100%"))
    assert percent and all("100%" in s["name"] for s in percent)


def test_undated_and_uncategorised_schools_come_last_either_way(store):
    for sort, field in [("next_deadline", "next_deadline"), ("category", "category")]:
        for descending in (False, True):
            found = store.find_schools(search_of(sort=sort, descending=descending))
            missing = [s["urn"] for s in found if s[field] is None]
            assert missing == sorted(missing)
            assert [s[field] is None for s in found] == sorted(s[field] is None for s in found)


def test_a_status_row_reads_back_without_the_search_key(store):
    (row,) = store.find_schools(search_of(text="100000"), limit=1)
    assert set(row) == set(status_row(1, random.Random(1)))
