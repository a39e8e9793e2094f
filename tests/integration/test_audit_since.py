"""The auditor's quick check since a checkpoint, and the whole check shared out between
processes: what each finds, on SQLite and PostgreSQL, against the check a stream at a time."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from adapters.log_check import LogChecks
from application import audit
from domain.case_file import case_file_id
from tests.integration.test_audit import (
    HARTLEY,
    MOSS_LANE,
    NORTHGATE,
    _build,
    _delete_row,
    _edit_row,
    _found,
    _rewrite_chain,
)

TODAY = "23 November 2026 09:00"


def _visits(case_files, urn: int, count: int) -> list[int]:
    """Entries recorded after the checkpoint; returns their versions."""
    for day in range(count):
        case_files.record_visit(urn, by="Priya Shah", effective=date(2025, 3, 3 + day),
                                kind="monitoring", notes=f"Phonics lessons seen, day {day + 1}")
    return list(range(case_files.version(urn) - count + 1, case_files.version(urn) + 1))


def _since(case_files, made, **more):
    """The quick check, as scc verify runs it (one ordered scan) and a stream at a time; both
    must find the same."""
    scanned = audit.verify(case_files, checkpoint=made, since_checkpoint=True,
                           streams=LogChecks(case_files), **more)
    one_by_one = audit.verify(case_files, checkpoint=made, since_checkpoint=True, **more)
    for key in ("schools_checked", "entries_checked", "ok"):
        assert scanned[key] == one_by_one[key], key
    assert sorted(map(repr, scanned["problems"])) == sorted(map(repr, one_by_one["problems"]))
    return scanned


def _as_json(made):
    return json.loads(json.dumps(made))


def test_a_clean_log_passes_since_the_checkpoint(case_files):
    lengths = _build(case_files)
    made = _as_json(audit.checkpoint(case_files))
    _visits(case_files, HARTLEY, 3)

    result = _since(case_files, made)

    assert result["ok"] is True and result["since_checkpoint"] is True
    assert result["schools_checked"] == 3
    # Check each school's entry at the checkpoint is hashed again, and the three new ones
    assert result["entries_checked"] == len(lengths) + 3


def test_an_entry_tampered_after_the_checkpoint_is_caught(case_files, database_url):
    _build(case_files)
    made = _as_json(audit.checkpoint(case_files))
    new = _visits(case_files, HARTLEY, 3)
    _edit_row(database_url, HARTLEY, new[1], lambda state: state.replace(
        b'"kind":"monitoring"', b'"kind":"inspection"'))

    result = _since(case_files, made)

    assert result["problems"] == [{"urn": HARTLEY, "school": f"URN {HARTLEY}",
                                   "version": new[1], "problem": audit.ALTERED}]


def test_the_entry_at_the_checkpoint_altered_in_place_is_caught(case_files, database_url):
    lengths = _build(case_files)
    made = _as_json(audit.checkpoint(case_files))
    _visits(case_files, HARTLEY, 2)
    head = lengths[MOSS_LANE]  # its concern, raised on the ground of safeguarding
    _edit_row(database_url, MOSS_LANE, head, lambda state: state.replace(
        b'"ground":"safeguarding"', b'"ground":"finance"'))

    result = _since(case_files, made)

    assert result["problems"] == [{"urn": MOSS_LANE, "school": f"URN {MOSS_LANE}",
                                   "version": head, "problem": audit.ALTERED}]


def test_an_older_entry_rewritten_with_its_links_is_caught_by_the_checkpointed_head(
        case_files, database_url):
    lengths = _build(case_files)
    made = _as_json(audit.checkpoint(case_files))
    _rewrite_chain(case_files, database_url, HARTLEY, 3, description="Phonics check at 71%")

    result = _since(case_files, made)

    assert _found(result) == [(HARTLEY, lengths[HARTLEY])]
    assert f"differs from the checkpoint of {TODAY}: it was rewritten" in (
        result["problems"][0]["problem"])


def test_an_older_entry_edited_in_place_is_left_to_the_whole_check(case_files, database_url):
    # What the quick check does not prove: an entry before the head whose link was left
    # alone still chains on, so only rehashing it (the whole check) finds it
    _build(case_files)
    made = _as_json(audit.checkpoint(case_files))
    _edit_row(database_url, HARTLEY, 3, lambda state: state.replace(
        b'"ground":"standards"', b'"ground":"finance"'))

    assert _since(case_files, made)["ok"] is True
    assert _found(audit.verify(case_files, checkpoint=made)) == [(HARTLEY, 3)]


def test_a_school_missing_or_shortened_since_the_checkpoint_is_caught(case_files,
                                                                      database_url):
    lengths = _build(case_files)
    made = _as_json(audit.checkpoint(case_files))
    _delete_row(database_url, HARTLEY, lengths[HARTLEY])
    for version in range(lengths[MOSS_LANE], 0, -1):
        _delete_row(database_url, MOSS_LANE, version)

    result = _since(case_files, made)

    assert {(p["urn"], p["version"]): p["problem"] for p in result["problems"]} == {
        (HARTLEY, lengths[HARTLEY]): f"entry {lengths[HARTLEY]} is missing: the checkpoint of "
                                     f"{TODAY} recorded {lengths[HARTLEY]} entries",
        (MOSS_LANE, None): f"its case file is missing: the checkpoint of {TODAY} recorded it "
                           f"with {lengths[MOSS_LANE]} entries",
    }


def test_a_school_registered_since_the_checkpoint_is_checked_whole(case_files, database_url):
    _build(case_files)
    made = _as_json(audit.checkpoint(case_files))
    newcomer = 990104
    case_files.register_school(
        by="Amir Khan", effective=date(2025, 3, 1), urn=newcomer, name="Fenway Primary",
        phase="Primary", establishment_type="Community school", la_code="999",
        governance="maintained")
    _visits(case_files, newcomer, 2)
    _edit_row(database_url, newcomer, 1, lambda state: state.replace(
        b'"Fenway Primary"', b'"Fenway Junior"'))

    result = _since(case_files, made)

    assert _found(result) == [(newcomer, 1)]
    assert result["entries_checked"] == 3 + 3  # the three heads, the newcomer's three entries


# The whole check shared out -------------------------------------------------------------------

def _damaged(case_files, database_url) -> dict:
    """A log with one of each kind of damage, and the checkpoint taken before it."""
    lengths = _build(case_files)
    _visits(case_files, NORTHGATE, 4)
    case_files.take_snapshot(case_file_id(NORTHGATE))
    made = _as_json(audit.checkpoint(case_files))
    _edit_row(database_url, HARTLEY, 3, lambda state: state.replace(
        b'"ground":"standards"', b'"ground":"finance"'))
    _delete_row(database_url, MOSS_LANE, lengths[MOSS_LANE])
    _edit_row(database_url, NORTHGATE, case_files.version(NORTHGATE), lambda state: state.replace(
        b'"kind":"monitoring"', b'"kind":"inspection"'), kind="snapshots")
    return made


@pytest.mark.parametrize("with_checkpoint", [False, True])
def test_the_whole_check_shared_out_finds_what_a_stream_at_a_time_finds(
        case_files, database_url, with_checkpoint):
    made = _damaged(case_files, database_url)
    given = {"checkpoint": made} if with_checkpoint else {}

    one_by_one = audit.verify(case_files, **given)
    scanned = audit.verify(case_files, streams=LogChecks(case_files), **given)
    shared = audit.verify(case_files, streams=LogChecks(case_files, 2, least_entries=0),
                          **given)

    # Check the damage is found at all, then that each way finds it alike, in the same order
    assert {(HARTLEY, 3), (NORTHGATE, 2)} <= set(_found(one_by_one))
    for result in (scanned, shared):
        for key in ("problems", "schools_checked", "entries_checked", "ok", "erased"):
            assert result[key] == one_by_one[key], key


def test_shared_out_progress_counts_every_school(case_files):
    _build(case_files)
    said: list[tuple[int, int]] = []

    audit.verify(case_files, streams=LogChecks(case_files, 2, least_entries=0),
                 progress=lambda done, total: said.append((done, total)))

    assert said and said[-1] == (3, 3)
    assert [done for done, _ in said] == sorted(done for done, _ in said)


def test_scc_verify_since_a_checkpoint_says_what_it_did_not_read(case_files, database_url,
                                                                 tmp_path):
    from cli.main import scc

    _build(case_files)
    env = {"SCC_DATABASE_URL": database_url, "SCC_CATEGORY_SCHEME": "peterborough",
           "SCC_TERM_DATES": None, "SCC_DATA_DIR": str(tmp_path / "data"),
           "SCC_CHECKPOINT_KEY": None}
    kept = tmp_path / "checkpoint.json"
    made = CliRunner().invoke(scc, ["checkpoint", "--out", str(kept)], env=env)
    assert made.exit_code == 0, made.output
    _visits(case_files, HARTLEY, 2)

    result = CliRunner().invoke(scc, ["verify", "--checkpoint", str(kept), "--since-checkpoint"],
                                env=env)

    assert result.exit_code == 0, result.output
    assert "3 schools, 5 entries" in result.output and "since the checkpoint of" in result.output
    assert "Run scc verify without --since-checkpoint to check every entry" in result.output
    # Check it needs a JSON checkpoint to start from
    alone = CliRunner().invoke(scc, ["verify", "--since-checkpoint"], env=env)
    assert alone.exit_code != 0 and "needs the JSON checkpoint" in alone.output
