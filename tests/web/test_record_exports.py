"""The auditor's exports read in full: the printable history and the CSV give each entry's
fields in words; the JSON export gives the stored fields as it always has."""

from __future__ import annotations

import csv
import html
import io

from adapters.demo import FEATURED_URN

AUDIT = f"/audit/schools/{FEATURED_URN}"
FIRST_COLUMNS = ["version", "effective", "recorded_at", "by", "event", "summary", "retracted",
                 "amended", "corrections", "by_identity"]


def test_the_history_csv_has_a_column_for_each_field_after_the_usual_ones(actions, client,
                                                                         services):
    actions.sign_in("auditor")
    history = services.case_files.history(FEATURED_URN)
    (notice,) = [e for e in history if e["event"] == "WarningNoticeIssued"]
    held = next(e for e in history if e["event"] == "MSPMeetingHeld" and e["details"]["actions"])

    reader = csv.DictReader(io.StringIO(client.get(f"{AUDIT}/history.csv").text))
    rows = {int(r["version"]): r for r in reader}

    assert reader.fieldnames[:len(FIRST_COLUMNS)] == FIRST_COLUMNS
    assert "details" not in reader.fieldnames  # the stored fields are the JSON export's
    # Check: the notice's own columns hold what it says, and the other kinds' are empty
    row = rows[notice["version"]]
    assert row["Matters the notice is based on"] == notice["details"]["matters"]
    assert row["Action required"] == notice["details"]["required_actions"]
    assert row["Comply by"] == "10 February 2025"
    assert row["Grounds (s60(2))"].splitlines()[0].startswith("(a) standards of performance")
    assert row["Minutes"] == "" and row["Actions agreed"] == ""
    # Check: a meeting's minutes and actions, one action to a line
    meeting = rows[held["version"]]
    assert meeting["Minutes"] == held["details"]["minutes"]
    assert [line.split(":")[0] for line in meeting["Actions agreed"].splitlines()] == [
        a["action_id"] for a in held["details"]["actions"]]
    assert meeting["Matters the notice is based on"] == ""


def test_the_json_export_keeps_the_stored_fields_as_they_were(actions, client, services):
    actions.sign_in("auditor")

    document = client.get(f"{AUDIT}/history.json").json

    entry = document["history"][0]
    assert set(entry) == {"version", "event", "summary", "effective", "recorded_at", "by",
                          "by_identity", "actor", "details", "corrections", "retracted"}
    assert entry["details"]["urn"] == FEATURED_URN


def test_the_printable_history_gives_every_entry_in_full(actions, client, services):
    actions.sign_in("auditor")
    history = services.case_files.history(FEATURED_URN)
    (notice,) = [e for e in history if e["event"] == "WarningNoticeIssued"]

    page = html.unescape(client.get(f"{AUDIT}/printable").text)

    start = page.index(f'id="entry-{notice["version"]}"')
    entry = page[start:page.index("</tr>", start)]
    assert "<dt>Matters the notice is based on</dt>" in entry
    assert notice["details"]["matters"] in entry
    assert notice["details"]["required_actions"] in entry
    assert "<li>Regional Director</li>" in entry
