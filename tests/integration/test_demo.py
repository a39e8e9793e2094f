"""The demo LA, Fenmarsh, loaded through the application's commands on a real store."""

from __future__ import annotations

from collections import Counter

import pytest

from adapters.demo import (
    ACADEMY_URN,
    COMPLIED_2014_URN,
    CONVERTED_URN,
    FEATURED_URN,
    SPECIAL_MEASURES_URN,
    StoreNotEmpty,
    load_demo,
)
from adapters.event_store import event_store_env
from application.case_files import SchoolCaseFiles
from tests.fakes import FixedClock


def test_demo_loads_fenmarsh_with_its_stories(case_files):
    # One load per store: loading takes seconds on PostgreSQL, so the checks share it.
    summary = load_demo(case_files)
    today = case_files.clock.today()
    schools = case_files.schools()

    # Check the featured school: warning notice not complied with, then an IEB (s65)
    featured = case_files.school(FEATURED_URN)
    assert summary.featured_urn == FEATURED_URN
    assert [n["status"] for n in featured["warning_notices"]] == ["not complied with"]
    assert "warning_notice" in [e["route"] for e in featured["eligibility"]]
    assert featured["ieb_applications"][0]["stage"] == "constituted"
    assert set(featured["ieb_applications"][0]["consultations"]) == {"governing body", "diocese"}
    assert len(featured["ieb"]["members"]) >= 2
    assert featured["causing_concern"]

    # Check its MSP group has a meeting to come and actions open past their due date
    msp = featured["msp"]
    assert msp["next_meeting"]["meets_on"] > today
    assert any(a["due"] < today for a in msp["open_actions"])
    assert any(a["due"] >= today for a in msp["open_actions"])

    # Check its corrections: one entry retracted, one amended
    history = case_files.history(FEATURED_URN)
    assert sum(e["retracted"] for e in history) == 1
    assert sum(c["kind"] == "amended" for e in history for c in e["corrections"]) == 1

    # Check warning notices with both outcomes, one under the pre-2016 fixed period
    notices = [n for s in schools for n in s["warning_notices"]]
    statuses = Counter(n["status"] for n in notices)
    assert len(notices) >= 2
    assert statuses["complied with"] >= 1 and statuses["not complied with"] >= 1
    assert case_files.school(COMPLIED_2014_URN)["warning_notices"][0]["compliance_period"] == 15

    # Check the converted academy is linked both ways
    old, new = case_files.school(CONVERTED_URN), case_files.school(ACADEMY_URN)
    assert old["successor_urn"] == ACADEMY_URN and not old["is_open"]
    assert new["predecessor_urn"] == CONVERTED_URN and new["governance"] == "academy"

    # Check special measures made a maintained school eligible without an LA step (s62)
    special = case_files.school(SPECIAL_MEASURES_URN)
    assert special["ofsted"]["category"] == "special measures"
    assert [e["route"] for e in special["eligibility"]] == ["special_measures"]

    # Check about sixty schools of every kind, and each period's Ofsted vocabulary
    assert 55 <= len(schools) <= 65 and len(schools) == summary.case_files
    assert {s["la_code"] for s in schools} == {"999"}
    assert {"Primary", "Secondary", "Nursery", "Not applicable"} <= {s["phase"] for s in schools}
    assert {s["governance"] for s in schools} == {"maintained", "academy"}
    assert sum(s["establishment_type"] == "Voluntary aided school" for s in schools) >= 2
    assert len({i["framework"] for s in schools for i in s["inspections"]}) == 4
    assert summary.entries > 500

    # Check a second load is refused: the demo never mixes with case files already there
    with pytest.raises(StoreNotEmpty, match=f"already holds {len(schools)} case files"):
        load_demo(case_files)


def test_demo_is_the_same_every_time(tmp_path, working_days, scheme):
    def histories(name: str) -> list[list[tuple]]:
        app = SchoolCaseFiles(
            event_store_env(f"sqlite:///{tmp_path / name}"), clock=FixedClock(),
            working_days=working_days, scheme=scheme,
        )
        try:
            load_demo(app)
            return [[(e["event"], e["effective"], e["summary"]) for e in app.history(urn)]
                    for urn in app.urns()]
        finally:
            app.close()

    assert histories("first.sqlite3") == histories("second.sqlite3")
