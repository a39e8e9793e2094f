"""Recorded times never go backwards within a case file, whatever the clock of the server that
records the next entry (on SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from datetime import timedelta

from application.case_files import SchoolCaseFiles
from tests.fakes import FixedClock
from tests.integration.test_case_file_scenarios import HEAD, URN, register


def test_an_entry_recorded_on_a_server_whose_clock_is_behind_is_not_recorded_earlier(
        case_files, database_url, caplog):
    from adapters.event_store import event_store_env

    register(case_files)
    case_files.clock.advance(hours=1)  # this server's clock runs an hour ahead
    case_files.raise_concern(URN, by=HEAD, ground="standards", description="Attendance")
    ahead = case_files.clock.now()
    behind = SchoolCaseFiles(  # another server on the same store, its clock an hour behind
        event_store_env(database_url), clock=FixedClock(ahead - timedelta(hours=1)),
        working_days=case_files.working_days, scheme=case_files.scheme,
        keyring=case_files.keyring)
    try:
        with caplog.at_level(logging.WARNING, logger="application.case_files"):
            behind.record_visit(URN, by=HEAD, kind="monitoring", notes="Visited")

        # Check the visit is recorded no earlier than the concern before it
        times = [e["recorded_at"] for e in behind.history(URN)]
        assert times == sorted(times) and times[-1] >= times[-2]
        assert times[-1] > behind.clock.now()
        # Check the log says which clock was behind, so that it can be put right
        assert f"URN {URN}: this server's clock" in caplog.text
        assert "is behind the time its last entry was recorded" in caplog.text
    finally:
        behind.close()


def test_a_clock_a_moment_behind_records_without_a_warning(case_files, caplog):
    register(case_files)
    case_files.raise_concern(URN, by=HEAD, ground="standards", description="Attendance")
    case_files.clock.advance(seconds=-2)  # within the drift of servers' clocks

    with caplog.at_level(logging.WARNING, logger="application.case_files"):
        case_files.record_visit(URN, by=HEAD, kind="monitoring", notes="Visited")

    times = [e["recorded_at"] for e in case_files.history(URN)]
    assert times == sorted(times)
    assert "clock" not in caplog.text
