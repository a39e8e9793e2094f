"""``scc seal-log``: a log recorded before personal data was sealed, sealed into a new store,
and the migration verified from the new store and its manifest alone, on SQLite and PostgreSQL.

The old store is made as older versions of scc made it: rows they wrote (``fixtures/``), and
entries recorded with ``seal_fields`` doing nothing, which is how every entry was recorded
before sealing (plain values, links over the plain text). Entries recorded after the upgrade,
sealed, follow them in the same log.
"""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.bootstrap import build_case_files
from adapters.config import Settings
from adapters.event_store import new_cipher_key
from adapters.key_store import SQLKeyStore, key_store_url
from adapters.signed_note import Signer
from application.recorders import account
from domain import personal_data
from domain.case_file import case_file_id
from domain.personal_data import Erasure, erased
from tests.conftest import _postgres_schema_url
from tests.fakes import FixedClock
from tests.integration import stored_rows

HARTLEY, MOSS_LANE = 990511, 990512
FIXTURES = Path(__file__).parent / "fixtures"
CONCERN_V1 = json.loads((FIXTURES / "concern_v1_log.json").read_text())
IEB_V1 = json.loads((FIXTURES / "ieb_v1_log.json").read_text())
PLAIN_TEXT = ("Amir Khan", "Priya Shah", "Margaret Fell", "Ruth Penhaligon", "Michael Adeyemi",
              "Judith Orme", "Dana Whitfield", "dana.whitfield@fenmarsh.gov.uk", "Jo Bloggs",
              "jo.bloggs@hartley.sch.uk", "Sam Okafor", "Phonics check at 41%",
              "Governors lack capacity")
"""Names, contacts and free text the old log holds in plain text."""
OLD_ENTRIES = len(CONCERN_V1["rows"]) - 1 + len(IEB_V1["rows"]) + 7  # one fixture row a snapshot


@pytest.fixture
def old_url(database_url, request, tmp_path) -> str:
    """The old store, on the same kind of database as the new one (``database_url``)."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return _postgres_schema_url(request.getfixturevalue("postgres_database"))


def _record_old_log(old_url: str, monkeypatch) -> None:
    """Two schools' entries as older versions of scc wrote them; a school recorded before
    sealing, then sealed entries on it after the upgrade; and a school recorded after."""
    case_files = build_case_files(Settings(database_url=old_url), FixedClock())
    stored_rows.insert(old_url, [
        (r["originator_id"], r["originator_version"], r["topic"], r["state"].encode())
        for r in CONCERN_V1["rows"] + IEB_V1["rows"] if r.get("kind", "events") == "events"])
    dana = account({"name": "Dana Whitfield", "account_id": "7",
                    "email": "dana.whitfield@fenmarsh.gov.uk"})
    with monkeypatch.context() as before_sealing:
        before_sealing.setattr(personal_data, "seal_fields", lambda name, fields: fields)
        case_files.register_school(
            by=dana, effective=date(2024, 9, 2), urn=HARTLEY, name="Hartley Primary School",
            phase="Primary", establishment_type="Community school", la_code="999",
            governance="maintained")
        case_files.raise_concern(HARTLEY, by=dana, effective=date(2024, 11, 4),
                                 ground="standards", source="performance data",
                                 description="Phonics check at 41%, reported by Jo Bloggs",
                                 evidence="Jo Bloggs's phonics tracker")
        case_files.set_task(HARTLEY, by=dana, effective=date(2024, 11, 5),
                            what="Phonics plan", owner_name="Jo Bloggs",
                            owner_email="jo.bloggs@hartley.sch.uk", due=date(2024, 12, 2))
        case_files.establish_msp_group(HARTLEY, by=dana, effective=date(2024, 11, 6),
                                       members=["Jo Bloggs", "Sam Okafor"], cadence_weeks=6)
    # After the upgrade: sealed as they were recorded
    case_files.raise_concern(HARTLEY, by="Priya Shah", effective=date(2024, 11, 7),
                             ground="standards", source="school visit",
                             description="Attendance at 88%")
    case_files.register_school(
        by="Priya Shah", effective=date(2024, 9, 2), urn=MOSS_LANE, name="Moss Lane Infants",
        phase="Primary", establishment_type="Community school", la_code="999",
        governance="maintained")
    case_files.raise_concern(MOSS_LANE, by="Priya Shah", effective=date(2024, 11, 4),
                             ground="standards", description="Reading at 52%")
    case_files.close()


def _env(database_url: str, old_url: str, tmp_path: Path, **more: str | None
         ) -> dict[str, str | None]:
    """The new store, with the old store's key store: the values sealed after the upgrade
    are kept under its keys, and the new values are sealed there too."""
    return {"SCC_DATABASE_URL": database_url, "SCC_READ_MODEL_URL": None,
            "SCC_CIPHER_KEY": None, "SCC_DATA_DIR": str(tmp_path / "data"),
            "SCC_CATEGORY_SCHEME": "peterborough",
            "SCC_KEY_STORE_URL": key_store_url(old_url, None), "SCC_CHECKPOINT_KEY": None,
            "SCC_CHECKPOINT_PUBLIC_KEY": None, **more}


def _run(env: dict[str, str | None], *args: str, status: int = 0):
    result = CliRunner().invoke(_scc(), list(args), env=env)
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output
    return result


def _scc():
    from cli.main import scc

    return scc


def _sealed(env: dict[str, str | None], old_url: str, manifest: Path, status: int = 0):
    return _run(env, "seal-log", "--from", old_url, "--manifest", str(manifest), status=status)


def _states(url: str, kind: str = "events") -> dict[tuple[str, int], dict]:
    return {(s, v): json.loads(state) for s, v, _, state in stored_rows.rows(url, kind)}


def _rewrite(url: str, urn: int, version: int, change) -> None:
    """Changes one stored entry in place, behind the application's back (an insider)."""
    stream = str(case_file_id(urn))
    state = _states(url)[stream, version]
    change(state)
    sqlite = url.startswith("sqlite")
    with stored_rows.database(url) as (db, p):
        db.execute(f"UPDATE {stored_rows.table(url)} SET state = {p} "
                   f"WHERE originator_id = {p} AND originator_version = {p}",
                   (json.dumps(state, separators=(",", ":")).encode(),
                    stream.replace("-", "") if sqlite else stream, version))


def _migrated(database_url, old_url, tmp_path, monkeypatch, **env):
    _record_old_log(old_url, monkeypatch)
    env = _env(database_url, old_url, tmp_path, **env)
    manifest = tmp_path / "sealing.json"
    return env, manifest, _sealed(env, old_url, manifest)


def test_an_old_log_is_sealed_into_a_new_store_that_verifies(database_url, old_url, tmp_path,
                                                             monkeypatch):
    _record_old_log(old_url, monkeypatch)
    old = stored_rows.rows(old_url)
    env = _env(database_url, old_url, tmp_path)
    manifest = tmp_path / "sealing.json"

    sealed = _sealed(env, old_url, manifest)

    # Check every entry was written, the old ones sealed, the ones sealed already kept
    assert (f"Sealed {OLD_ENTRIES} entries of 4 schools" in sealed.stdout
            and f"personal data sealed now in {OLD_ENTRIES - 3} entries; 3 had none left to "
                "seal and were kept as recorded (1 of them linked again, as an entry before it "
                "changed)" in sealed.stdout), sealed.stdout
    new = stored_rows.rows(database_url)
    assert sorted(row[:3] for row in new) == sorted(row[:3] for row in old)
    assert stored_rows.rows(old_url) == old  # the old store is only read
    # Check no name, contact or free text is left in plain text in the new store
    for *_, state in new:
        assert not [text for text in PLAIN_TEXT if text.encode() in state], state
    # Check what was sealed already kept its sealed values; a school sealed throughout
    # kept its entries byte for byte; one after a changed entry was linked again
    old_states, new_states = _states(old_url), _states(database_url)
    moss_lane = str(case_file_id(MOSS_LANE))
    assert [new_states[moss_lane, v] for v in (1, 2)] == [old_states[moss_lane, v] for v in (1, 2)]
    hartley = str(case_file_id(HARTLEY))
    after_upgrade, migrated = old_states[hartley, 5], new_states[hartley, 5]
    assert {k: v for k, v in migrated.items() if k != "link"} == {
        k: v for k, v in after_upgrade.items() if k != "link"}
    assert migrated["link"] != after_upgrade["link"]
    # Check the manifest maps every entry's old link to its new one
    entries = json.loads(manifest.read_text())["entries"]
    assert {(e["stream"], e["version"]): (e["old_link"], e["new_link"]) for e in entries} == {
        key: (old_states[key]["link"], new_states[key]["link"]) for key in old_states}
    assert [e["sealed"] for e in entries if e["stream"] == hartley] == [
        ["by", "actor"], ["by", "actor", "description", "evidence"],
        ["by", "actor", "what", "owner_name", "owner_email"], ["by", "actor", "members"], []]
    # Check the new store verifies, reads the values back, and the migration verifies
    assert "no alterations found" in _run(env, "verify").stdout
    history = _run(env, "history", str(HARTLEY), "--format", "json").stdout
    assert "Phonics check at 41%, reported by Jo Bloggs" in history
    assert "Dana Whitfield" in history
    verified = _run(env, "seal-log", "verify", "--manifest", str(manifest))
    assert (f"Verified the migration of {OLD_ENTRIES} entries of 4 schools: each entry is the "
            "old log's with only its personal data sealed" in verified.stdout)
    assert "Its checkpoints were not signed" in verified.stdout


def test_a_migration_that_changed_more_than_the_sealing_fails_naming_the_entry(
        database_url, old_url, tmp_path, monkeypatch):
    sealing = personal_data.seal_fields

    def and_rewording(name, fields):  # a migration that also "corrects" a figure
        if fields.get("description") == "Phonics check at 41%, reported by Jo Bloggs":
            fields["description"] = "Phonics check at 61%, reported by Jo Bloggs"
        return sealing(name, fields)

    _record_old_log(old_url, monkeypatch)
    env = _env(database_url, old_url, tmp_path)
    manifest = tmp_path / "sealing.json"
    monkeypatch.setattr(personal_data, "seal_fields", and_rewording)
    _sealed(env, old_url, manifest)
    monkeypatch.undo()

    # Check the new chain holds together (it was made over the altered content), but the
    # old content rebuilt from it does not give the old log's link
    assert "no alterations found" in _run(env, "verify").stdout
    verified = _run(env, "seal-log", "verify", "--manifest", str(manifest), status=1)
    assert (f"URN {HARTLEY}, entry 2: its content is not the content the old log recorded, "
            "with only its personal data sealed: the migration changed more than that"
            in verified.stdout)
    assert "1 problem found" in verified.stdout


def test_an_entry_altered_in_the_new_store_fails_verification_naming_it(
        database_url, old_url, tmp_path, monkeypatch):
    env, manifest, _ = _migrated(database_url, old_url, tmp_path, monkeypatch)
    _rewrite(database_url, HARTLEY, 2, lambda state: state.update(ground="safeguarding"))

    verified = _run(env, "seal-log", "verify", "--manifest", str(manifest), status=1)

    assert (f"URN {HARTLEY}, entry 2: its content was altered after it was recorded (in the new "
            "store, after it was sealed)" in verified.stdout)


def test_a_sealed_value_swapped_in_the_new_store_fails_verification_naming_it(
        database_url, old_url, tmp_path, monkeypatch):
    env, manifest, _ = _migrated(database_url, old_url, tmp_path, monkeypatch)

    def swap(state):  # the evidence's ciphertext, under the same key, as the description's
        state["description"]["_data_"][2] = state["evidence"]["_data_"][2]

    _rewrite(database_url, HARTLEY, 2, swap)

    verified = _run(env, "seal-log", "verify", "--manifest", str(manifest), status=1)

    assert (f"URN {HARTLEY}, entry 2: a sealed personal value was swapped for another: it is "
            "not the value its hash link covers" in verified.stdout)


def test_a_key_destroyed_after_the_migration_leaves_both_chains_verifying(
        database_url, old_url, tmp_path, monkeypatch):
    env, manifest, _ = _migrated(database_url, old_url, tmp_path, monkeypatch)
    keys = SQLKeyStore(key_store_url(old_url, None), clock=FixedClock())
    free_text = [r.key_id for r in keys.key_records(case_file=case_file_id(HARTLEY))
                 if r.person is None]
    keys.destroy(free_text, Erasure("retention-6-years", date(2031, 9, 1)), by="DPO")
    keys.close()

    # Check the new log still verifies, and the migration too, saying what it could not reopen
    assert "no alterations found" in _run(env, "verify").stdout
    verified = _run(env, "seal-log", "verify", "--manifest", str(manifest))
    assert "Verified the migration" in verified.stdout
    assert (f"URN {HARTLEY}, entry 2: its description was erased under retention-6-years on "
            "2031-09-01, after the migration: checked on the new chain only" in verified.stdout)
    case_files = build_case_files(Settings(database_url=database_url,
                                           key_store_url=env["SCC_KEY_STORE_URL"]), FixedClock())
    raised = case_files.repository.get(case_file_id(HARTLEY)).entries[1]
    case_files.close()
    assert erased(raised.description) == Erasure("retention-6-years", date(2031, 9, 1))


def test_signed_checkpoints_before_and_after_hold_and_a_forged_head_is_caught(
        database_url, old_url, tmp_path, monkeypatch):
    key = tmp_path / "checkpoint.key"
    key.write_text(Signer.generate("scc.fenmarsh.gov.uk/case-files").text() + "\n")
    env, manifest, sealed = _migrated(database_url, old_url, tmp_path, monkeypatch,
                                      SCC_CHECKPOINT_KEY=str(key))
    assert "its checkpoints before and after are signed" in sealed.stdout
    data = json.loads(manifest.read_text())

    # Check the signatures hold, and each checkpoint is one scc verify takes: the new log's
    # against the new store, the old log's against the old store
    verified = _run(env, "seal-log", "verify", "--manifest", str(manifest))
    assert "Its signed checkpoints before and after hold" in verified.stdout
    for which, url in (("after", database_url), ("before", old_url)):
        note = tmp_path / f"{which}.checkpoint"
        note.write_text(data[which]["checkpoint"])
        checked = _run({**env, "SCC_DATABASE_URL": url}, "verify", "--checkpoint", str(note))
        assert (f"The first {OLD_ENTRIES} entries of the log are covered by the checkpoint "
                f"{which}.checkpoint" in checked.stdout), checked.stdout
    # Check a signed checkpoint altered (another root) is caught by its signature
    original = manifest.read_text()
    lines = data["before"]["checkpoint"].split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()
    data["before"]["checkpoint"] = "\n".join(lines)
    manifest.write_text(json.dumps(data))
    forged = _run(env, "seal-log", "verify", "--manifest", str(manifest), status=1)
    assert ("The signed checkpoint before the migration: its signature does not verify with "
            "the public key of scc.fenmarsh.gov.uk/case-files" in forged.stdout)
    # Check a head rewritten in the manifest, its digest made to match, is caught by the
    # signature: the forger has no key
    data = json.loads(original)
    heads = data["before"]["heads"]
    heads["schools"][str(HARTLEY)]["link"] = "0" * 64
    from application.audit import checkpoint_digest

    heads["digest"] = checkpoint_digest(heads["schools"])
    manifest.write_text(json.dumps(data))
    forged = _run(env, "seal-log", "verify", "--manifest", str(manifest), status=1)
    assert ("The signed checkpoint before the migration: it does not cover the heads and "
            "entries the manifest records: the manifest was altered" in forged.stdout)
    assert (f"URN {HARTLEY}, entry 5: its chain before the migration does not end at the head "
            "the manifest recorded then" in forged.stdout)
    # Check a signed manifest is not checked without the public key
    refused = _run({**env, "SCC_CHECKPOINT_KEY": None}, "seal-log", "verify", "--manifest",
                   str(manifest), status=2)
    assert "The manifest's checkpoints are signed: give their public key" in refused.stderr


def test_an_old_log_in_plain_text_is_sealed_into_an_encrypted_store(
        database_url, old_url, tmp_path, monkeypatch):
    env, manifest, _ = _migrated(database_url, old_url, tmp_path, monkeypatch,
                                 SCC_CIPHER_KEY=new_cipher_key())

    # Check the old store was read without the key, and the new one written with it
    new = stored_rows.rows(database_url)
    assert len(new) == OLD_ENTRIES
    # (an encrypted row begins with a random nonce: one in 256 begins with "{" all the same)
    assert not any(_reads_as_json(state) for *_, state in new)
    verified = _run(env, "seal-log", "verify", "--manifest", str(manifest))
    assert f"Verified the migration of {OLD_ENTRIES} entries of 4 schools" in verified.stdout


def _reads_as_json(state: bytes) -> bool:
    try:
        json.loads(state)
    except ValueError:
        return False
    return True


def _nothing_written(database_url: str, manifest: Path) -> None:
    assert stored_rows.rows(database_url) == []
    assert not manifest.exists()
    assert not list(manifest.parent.glob(f".{manifest.name}*"))


def test_an_old_log_that_does_not_verify_is_refused_with_nothing_written(
        database_url, old_url, tmp_path, monkeypatch):
    _record_old_log(old_url, monkeypatch)
    _rewrite(old_url, HARTLEY, 2, lambda state: state.update(
        description="Phonics check at 51%, reported by Jo Bloggs"))
    env = _env(database_url, old_url, tmp_path, SCC_KEY_STORE_URL=None)
    manifest = tmp_path / "sealing.json"

    refused = _sealed(env, old_url, manifest, status=2)

    assert (f"Error: URN {HARTLEY}, entry 2: its content was altered after it was recorded. "
            "Nothing was sealed or written" in refused.stderr)
    _nothing_written(database_url, manifest)
    keys = SQLKeyStore(key_store_url(database_url, None))
    assert keys.key_records() == []  # no value was sealed, so no key was made
    keys.close()


def test_values_sealed_under_keys_the_new_key_store_lacks_are_refused_with_nothing_written(
        database_url, old_url, tmp_path, monkeypatch):
    _record_old_log(old_url, monkeypatch)
    env = _env(database_url, old_url, tmp_path, SCC_KEY_STORE_URL=None)
    manifest = tmp_path / "sealing.json"

    refused = _sealed(env, old_url, manifest, status=2)

    assert f"Error: URN {HARTLEY}, entry 5: The key " in refused.stderr
    assert "set SCC_KEY_STORE_URL to the old store's key store" in refused.stderr
    _nothing_written(database_url, manifest)
    keys = SQLKeyStore(key_store_url(database_url, None))
    assert keys.key_records() == []  # the entries before it were not sealed either
    keys.close()


def test_a_store_that_holds_entries_is_not_sealed_into(database_url, old_url, tmp_path,
                                                      monkeypatch):
    _record_old_log(old_url, monkeypatch)
    env = _env(database_url, old_url, tmp_path)
    target = build_case_files(Settings(database_url=database_url), FixedClock())
    target.register_school(
        by="Priya Shah", effective=date(2024, 9, 2), urn=990599, name="Fen Road Academy",
        phase="Primary", establishment_type="Academy converter", la_code="999",
        governance="academy")
    target.close()
    held = stored_rows.rows(database_url)
    manifest = tmp_path / "sealing.json"

    refused = _sealed(env, old_url, manifest, status=2)

    assert ("Error: The store to seal into already holds entries (up to position 1): the "
            "sealed log is written only into an empty store" in refused.stderr)
    assert stored_rows.rows(database_url) == held
    assert not manifest.exists()


def test_an_old_store_that_is_not_there_is_refused(database_url, tmp_path):
    sqlite = database_url.startswith("sqlite")
    missing = (f"sqlite:///{tmp_path / 'gone.sqlite3'}" if sqlite
               else database_url.split("?")[0] + "?schema=gone")
    env = _env(database_url, database_url, tmp_path, SCC_KEY_STORE_URL=None)

    refused = _sealed(env, missing, tmp_path / "sealing.json", status=2)

    assert "Error: The old store, " in refused.stderr
    assert ("there is no store there" if sqlite else "no event log can be read there"
            ) in refused.stderr
    assert not (tmp_path / "gone.sqlite3").exists()
    assert not (tmp_path / "sealing.json").exists()


def test_a_snapshot_of_a_migrated_case_file_holds_no_plain_text_names(
        database_url, old_url, tmp_path, monkeypatch):
    env, _, _ = _migrated(database_url, old_url, tmp_path, monkeypatch)
    case_files = build_case_files(Settings(database_url=database_url,
                                           key_store_url=env["SCC_KEY_STORE_URL"]), FixedClock())
    for urn in (IEB_V1["urn"], HARTLEY):
        case_files.take_snapshot(case_file_id(urn))
    case_files.close()

    for *_, state in stored_rows.rows(database_url, "snapshots"):
        assert not [text for text in PLAIN_TEXT if text.encode() in state]
