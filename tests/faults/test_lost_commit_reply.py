"""A save that reached the store but whose reply was lost (the connection broke just after the
commit) and was sent again, as the PostgreSQL recorder's retries do: the command succeeds
once, and is not run a second time as if someone else had changed the case file."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.faults.conftest import HEAD, open_case_files, register

pytestmark = pytest.mark.faults

URN = 990801


def test_a_save_sent_again_after_its_reply_was_lost_is_recorded_once(database_url):
    case_files = open_case_files(database_url)
    register(case_files, URN)
    insert = case_files.recorder.insert_events
    sent = []

    def committed_but_reply_lost(stored_events, **kwargs):
        insert(stored_events, **kwargs)  # in the store ...
        sent.append(len(stored_events))
        return insert(stored_events, **kwargs)  # ... and sent again: refused as a clash

    case_files.recorder.insert_events = committed_but_reply_lost
    concern = case_files.raise_concern(URN, by=HEAD, ground="standards",
                                       description="Phonics results fell again")
    case_files.recorder.insert_events = insert

    # Check the command returned success, with its one entry in the log, not two.
    assert (concern, sent) == ("C1", [1])
    case_files.close()
    case_files = open_case_files(database_url)
    assert Counter(e["event"] for e in case_files.history(URN)) == Counter(
        {"Registered": 1, "ConcernRaised": 1})
    case_files.close()
