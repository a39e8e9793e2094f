"""A snapshot altered in the store behind the application's back: the caseworker's case file
page and the exports show the record, not the altered copy, and say what was found."""

from __future__ import annotations

import html
import json
import sqlite3

import pytest

from adapters.demo import FEATURED_URN
from domain.case_file import case_file_id
from web.schools.case_file import TIMELINE_PER_PAGE

ALTERED = "ALTERED IN SNAPSHOT ONLY"


@pytest.fixture
def altered(settings) -> tuple[str, int]:
    """The featured school's latest snapshot, one entry's text changed in the file before the
    app starts; returns the text the record holds and the timeline's number of pages."""
    path = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        stream = case_file_id(FEATURED_URN).hex
        version, state = db.execute(
            "SELECT originator_version, state FROM stored_snapshots WHERE originator_id=? "
            "ORDER BY originator_version DESC LIMIT 1", (stream,)).fetchone()
        (total,) = db.execute("SELECT MAX(originator_version) FROM stored_events "
                              "WHERE originator_id=?", (stream,)).fetchone()
        entries = json.loads(state)["state"]["_entries"]
        # The newest concern the snapshot holds whose description no other entry repeats
        original = next(
            fields["description"] for name, fields in reversed(entries)
            if name == "ConcernRaised"
            and state.count(json.dumps(fields["description"])[1:-1].encode()) == 1)
        encoded = json.dumps(original)[1:-1].encode()
        db.execute("UPDATE stored_snapshots SET state=? WHERE originator_id=? AND "
                   "originator_version=?", (state.replace(encoded, ALTERED.encode()), stream,
                                            version))
    pages = -(-total // TIMELINE_PER_PAGE)
    return original, pages


def test_the_case_file_page_shows_the_record_and_says_the_snapshot_was_altered(
        altered, actions, client):
    original, pages = altered
    actions.sign_in("caseworker")

    shown = "".join(html.unescape(client.get(f"/schools/{FEATURED_URN}",
                                             query_string={"page": n}).text)
                    for n in range(1, pages + 1))

    assert ALTERED not in shown
    assert original in shown
    assert "does not match the record" in shown and 'id="record-warning"' in shown


def test_the_exports_are_not_made_from_an_altered_snapshot(altered, actions, client):
    original, _ = altered
    actions.sign_in("auditor")

    for export in ("history.csv", "history.json"):
        answer = client.get(f"/audit/schools/{FEATURED_URN}/{export}")
        text = html.unescape(answer.text)
        assert answer.status_code == 409
        assert ALTERED not in text
        assert "does not match the record" in text and "No export was made" in text
    printable = html.unescape(client.get(f"/audit/schools/{FEATURED_URN}/printable").text)
    assert ALTERED not in printable and original in printable
