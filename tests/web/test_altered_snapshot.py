"""A snapshot altered in the store behind the application's back: the caseworker's case file
page and the exports show the record, not the altered copy, and say what was found."""

from __future__ import annotations

import base64
import html
import json
import os
import sqlite3

import pytest

from adapters.demo import FEATURED_URN
from adapters.key_store import AESGCMCipher, SQLKeyStore, key_store_url
from domain.case_file import case_file_id
from domain.personal_data import commit
from web.schools.case_file import TIMELINE_PER_PAGE

ALTERED = "ALTERED IN SNAPSHOT ONLY"


@pytest.fixture
def altered(settings) -> tuple[str, int]:
    """The featured school's latest snapshot, one concern's description changed in the file
    before the app starts, by an insider who can use the key store: sealed anew under the
    case file's key with a commitment of its own; returns the text the record holds and the
    timeline's number of pages."""
    path = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        stream = case_file_id(FEATURED_URN).hex
        version, state = db.execute(
            "SELECT originator_version, state FROM stored_snapshots WHERE originator_id=? "
            "ORDER BY originator_version DESC LIMIT 1", (stream,)).fetchone()
        (total,) = db.execute("SELECT MAX(originator_version) FROM stored_events "
                              "WHERE originator_id=?", (stream,)).fetchone()
        snapshot = json.loads(state)
        fields = next(fields for name, fields in reversed(snapshot["state"]["_entries"])
                      if name == "ConcernRaised")
        key_id, _, sealed, shape = fields["description"]["_data_"]
        keys = SQLKeyStore(key_store_url(settings.database_url, None))
        try:
            cipher = AESGCMCipher(keys.keys([key_id])[key_id])
        finally:
            keys.close()
        original = cipher.decrypt(base64.b64decode(sealed))[16:].decode()
        salt = os.urandom(16)
        forged = cipher.encrypt(salt + ALTERED.encode())
        fields["description"]["_data_"] = [key_id, commit(salt, ALTERED.encode()),
                                           base64.b64encode(forged).decode(), shape]
        db.execute("UPDATE stored_snapshots SET state=? WHERE originator_id=? AND "
                   "originator_version=?", (json.dumps(snapshot, separators=(",", ":")),
                                            stream, version))
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
