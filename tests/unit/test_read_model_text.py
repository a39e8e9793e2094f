"""The text a read model on SQLite holds for a date or a time is sqlite3's own."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from adapters.read_models import _sqlite_date_text

ZONES = st.sampled_from([None, UTC, timezone(timedelta(0)), timezone(timedelta(hours=1)),
                         timezone(timedelta(hours=-3, minutes=-30)), ZoneInfo("Europe/London")])
VALUES = st.one_of(st.datetimes(timezones=ZONES), st.dates(), st.none(),
                   st.text(st.characters(exclude_categories=["Cs"])),
                   st.integers(-2**63, 2**63 - 1))


@given(st.lists(VALUES, max_size=30))
def test_dates_and_times_are_written_as_sqlite3_writes_them(values):
    """The store makes the text itself, for less than sqlite3's adapters take: rows it writes
    must compare and sort with those sqlite3 wrote before (a store of an older version)."""
    with sqlite3.connect(":memory:") as db:
        adapted = [db.execute("SELECT ?", (v,)).fetchone()[0] for v in values]
    db.close()

    assert _sqlite_date_text(values) == adapted
    assert _sqlite_date_text(values) == adapted  # and again, from what it remembered


def test_an_entry_recorded_at_midnight_and_to_the_microsecond_keeps_its_time():
    moments = [datetime(2026, 3, 29, 0, 0, tzinfo=UTC), datetime(2026, 3, 29, 0, 0, 0, 7, UTC),
               datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC)]

    assert _sqlite_date_text([*moments, date(2026, 3, 29)]) == [
        "2026-03-29 00:00:00+00:00", "2026-03-29 00:00:00.000007+00:00",
        "0999-01-02 03:04:05+00:00", "2026-03-29"]
