"""Searching every school's entries: the search read model on SQLite (FTS5) and PostgreSQL
(tsvector), kept by the projections, corrections included."""

from __future__ import annotations

import re
from datetime import date
from functools import partial

import pytest
import sqlalchemy as sa

from adapters.event_scan import scan_streams
from adapters.read_models import SQLReadModels, read_model_engine
from application.entry_search import EntrySearches, QueryRefused, read_query
from application.projections import CaseFileProjections

HEAD = "Head of School Improvement"


def register(case_files, urn, name):
    case_files.register_school(
        by=HEAD, effective=date(2010, 9, 1), urn=urn, name=name, phase="Primary",
        establishment_type="Community school", governance="maintained", la_code="999",
        pupils=200)


@pytest.fixture
def projections(case_files, database_url):
    store = SQLReadModels(read_model_engine(database_url))
    yield CaseFileProjections(
        case_files, store, scan=partial(scan_streams, case_files.recorder, case_files.mapper))
    store.close()


@pytest.fixture
def searches(projections):
    return EntrySearches(projections)


@pytest.fixture
def two_schools(case_files):
    """Fen Primary with an MSP group that met, a caseworker and a visit; Dyke Infants with a
    concern about phonics."""
    register(case_files, 990500, "Fen Primary")
    register(case_files, 990501, "Dyke Infant School")
    case_files.assign_caseworker(990500, by=HEAD, effective=date(2025, 9, 1),
                                 name="Priya Raman", email="priya@fenmarsh.example")
    case_files.establish_msp_group(990500, by=HEAD, effective=date(2025, 9, 8),
                                   members=["Chair of governors", "LA adviser"],
                                   cadence_weeks=6)
    case_files.hold_msp_meeting(
        990500, by=HEAD, effective=date(2025, 10, 20), attendees=["Chair of governors"],
        minutes="Reviewed the attendance tracker; persistent absence down to 14 per cent.",
        actions=[{"description": "Write a synthetic phonics catch-up plan",
                  "owner": "Deputy head", "due": date(2025, 12, 1)}])
    case_files.record_visit(990500, by=HEAD, effective=date(2025, 11, 3), kind="monitoring",
                            notes="Saw Year 2 reading lessons; follow-up on the library.")
    case_files.raise_concern(990501, by=HEAD, effective=date(2025, 11, 10), ground="standards",
                             description="Phonics screening check results fell to 48%")


def found(results):
    return [(e["urn"], e["event"]) for e in results.entries]


def test_finds_a_word_in_an_msp_meetings_minutes(two_schools, searches):
    results = searches.search("attendance tracker", limit=50)
    # Check the meeting is found, by its school and version, with its words highlighted.
    assert found(results) == [(990500, "MSPMeetingHeld")]
    entry = results.entries[0]
    assert entry["name"] == "Fen Primary"
    assert entry["version"] == 4
    assert entry["effective"] == date(2025, 10, 20)
    assert "\x02attendance\x03 \x02tracker\x03" in entry["snippet"]
    assert results.total == 1


def test_finds_a_caseworkers_name_and_an_action_owner(two_schools, searches):
    assert found(searches.search("Priya", limit=50)) == [(990500, "CaseworkerAssigned")]
    assert found(searches.search("deputy head", limit=50)) == [(990500, "MSPMeetingHeld")]


def test_finds_across_schools_most_relevant_first(two_schools, searches):
    results = searches.search("phonics", limit=50)
    # Check both schools' entries are found: the concern says it in its summary too.
    assert sorted(found(results)) == [(990500, "MSPMeetingHeld"), (990501, "ConcernRaised")]
    assert results.entries[0]["urn"] == 990501
    assert results.total == 2


def test_a_word_ending_in_a_star_finds_words_starting_with_it(two_schools, searches):
    assert found(searches.search("synth*", limit=50)) == [(990500, "MSPMeetingHeld")]
    assert found(searches.search("synth", limit=50)) == []


def test_every_word_must_be_found_and_a_phrase_in_order(two_schools, searches):
    assert found(searches.search("reading library", limit=50)) == [(990500, "VisitRecorded")]
    assert found(searches.search('"library reading"', limit=50)) == []
    assert found(searches.search("reading nowhere", limit=50)) == []


def test_stemming_finds_other_forms_of_a_word(two_schools, searches):
    assert found(searches.search("lesson", limit=50)) == [(990500, "VisitRecorded")]


def test_query_syntax_is_searched_as_words_never_as_operators(two_schools, searches):
    for text in ['NEAR(phonics', 'phonics OR', '"phonics', 'summary:phonics', '^phonics',
                 'phonics -', 'phonics)', "phonics'", "{phonics}", "phonics AND"]:
        results = searches.search(text, limit=50)
        assert results.total == len(results.entries)
    assert found(searches.search("follow-up", limit=50)) == [(990500, "VisitRecorded")]


def test_bad_queries_are_refused_with_what_to_do():
    for text, message in [("", "Enter a word or number to search for"),
                          ("?!* -- ()", "Enter a word or number to search for"),
                          ("x" * 500, "Enter a search of 200 characters or fewer")]:
        with pytest.raises(QueryRefused, match=message):
            read_query(text)


def test_a_retracted_entry_is_still_found_marked_retracted(two_schools, case_files, searches):
    assert found(searches.search("phonics screening", limit=50)) == [(990501, "ConcernRaised")]
    case_files.retract_entry(990501, by=HEAD, version=2, reason="Wrong school")
    results = searches.search("phonics screening", limit=50)
    # Check the entry is marked, and the retraction itself is found by its reason.
    assert [(e["event"], e["correction"]) for e in results.entries] == [
        ("ConcernRaised", "retracted")]
    assert found(searches.search("wrong school", limit=50)) == [(990501, "EntryRetracted")]


def test_an_amended_entry_is_found_by_its_new_words(two_schools, case_files, searches):
    searches.search("attendance", limit=50)  # indexed before the amendment
    case_files.amend_entry(990500, by=HEAD, version=4, changes={
        "minutes": "Reviewed the behaviour log."}, reason="Minutes of the wrong meeting")
    assert found(searches.search("attendance", limit=50)) == []
    results = searches.search("behaviour", limit=50)
    assert [(e["version"], e["correction"]) for e in results.entries] == [(4, "amended")]


def test_an_entry_and_its_correction_in_one_catch_up(two_schools, case_files, projections,
                                                    searches):
    projections.catch_up()
    case_files.record_visit(990501, by=HEAD, effective=date(2025, 11, 17), kind="monitoring",
                            notes="Met the governors about the budget.")
    case_files.amend_entry(990501, by=HEAD, version=3, changes={"notes": "Met the bursar."},
                           reason="Wrong words")
    assert found(searches.search("governors budget", limit=50)) == []
    assert found(searches.search("bursar", limit=50)) == [(990501, "VisitRecorded")]


def test_a_rebuild_finds_what_catching_up_found(two_schools, case_files, projections,
                                                searches):
    case_files.retract_entry(990501, by=HEAD, version=2, reason="Wrong school")
    before = searches.search("phonics", limit=50)
    projections.rebuild()
    after = searches.search("phonics", limit=50)
    assert after.entries == before.entries


def test_pages_of_results_and_the_total(case_files, searches):
    register(case_files, 990510, "Long Lane Primary")
    for week in range(7):
        case_files.record_visit(990510, by=HEAD, effective=date(2025, 9, 1 + week * 3),
                                kind="monitoring", notes=f"Phonics visit {week}")
    first = searches.search("phonics", limit=5)
    second = searches.search("phonics", limit=5, offset=5)
    assert (first.total, len(first.entries), len(second.entries)) == (7, 5, 2)
    # Check equals are newest first.
    days = [e["effective"] for e in first.entries + second.entries]
    assert days == sorted(days, reverse=True)


def test_schools_whose_name_matches_come_as_their_own_group(two_schools, searches):
    results = searches.search("Dyke", limit=50)
    assert [s["urn"] for s in results.schools] == [990501]
    assert results.schools_total == 1


def test_the_query_plan_uses_the_full_text_index(two_schools, projections, searches):
    """The store's own statements, as sent to the database, explained there: the entries
    are found through the full-text index and read by their positions, never scanned."""
    store = projections.store
    searches.search("phonics", limit=50)  # caught up
    sent = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "entry_search" in statement and "projection_positions" not in statement:
            sent.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", keep)
    try:
        assert len(store.matching_entries(read_query("phonics"), newest=10)) == 2
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", keep)
    assert len(sent) == 1
    with store.engine.connect() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            conn.exec_driver_sql("SET enable_seqscan = off")  # a tiny table: as if large
        plans = ["\n".join(str(r[0] if postgres else r[-1]) for r in conn.exec_driver_sql(
            f"{'EXPLAIN' if postgres else 'EXPLAIN QUERY PLAN'} {statement}", parameters))
            for statement, parameters in sent]
    (matches,) = plans
    if postgres:
        assert re.search(r"Bitmap Index Scan on ix_entry_search_g\d+_document", matches), matches
        assert "Seq Scan" not in matches, matches
    else:
        assert re.search(r"entry_search_g\d+_fts VIRTUAL TABLE INDEX", matches), matches
        assert not re.search(r"SCAN entry_search_g\d+(?!_fts)\b", matches), matches
        assert re.search(r"SEARCH entry_search_g\d+ USING INDEX ux_entry_search_g\d+_"
                         r"notification_id", matches), matches


def test_only_the_newest_matches_are_ranked_and_more_are_said_to_be_there(case_files,
                                                                        searches,
                                                                        monkeypatch):
    monkeypatch.setattr("application.entry_search.RANKED", 4)
    register(case_files, 990520, "Long Lane Primary")
    for week in range(6):
        case_files.record_visit(990520, by=HEAD, effective=date(2025, 9, 1 + week * 3),
                                kind="monitoring", notes=f"Phonics visit {week}")
    results = searches.search("phonics", limit=50)
    assert (results.total, results.more) == (4, True)
    # Check the four are the newest recorded.
    assert sorted(e["version"] for e in results.entries) == [4, 5, 6, 7]


def test_a_store_made_before_search_has_it_built_by_migrate(two_schools, case_files,
                                                            database_url):
    from adapters.read_models import projections_to_rebuild, tables

    store = SQLReadModels(read_model_engine(database_url))
    CaseFileProjections(case_files, store).catch_up()
    # An older scc's store: every read model but search.
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM projection_positions WHERE name = 'search'")
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TABLE entry_search_g1_fts")
        tables("search", 1)[0].drop(conn)
    assert projections_to_rebuild(store.engine) == ["search"]
    store.close()

    # Check what scc migrate does then (adapters.bootstrap.upgrade_schema's caller).
    migrated = SQLReadModels(read_model_engine(database_url), out_of_shape_ok=True)
    projections = CaseFileProjections(case_files, migrated, scan=partial(
        scan_streams, case_files.recorder, case_files.mapper))
    projections.rebuild(["search"])
    assert projections_to_rebuild(migrated.engine) == []
    assert [p["lag"] for p in projections.status()] == [0] * 6
    assert found(EntrySearches(projections).search("Priya", limit=50)) == [
        (990500, "CaseworkerAssigned")]
    migrated.close()
