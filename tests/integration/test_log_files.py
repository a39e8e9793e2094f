"""``scc export-log`` and ``scc import-log``: the whole log moved between SQLite and PostgreSQL,
encrypted or not, and a damaged or altered file refused with nothing written."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.bootstrap import build_case_files
from adapters.config import Settings
from adapters.event_store import new_cipher_key
from cli.main import scc
from tests.conftest import _postgres_schema_url
from tests.fakes import FixedClock
from tests.integration import stored_rows
from tests.sign_off import approved

HARTLEY, MOSS_LANE = 990501, 990502
OLD_LOG = json.loads((Path(__file__).parent / "fixtures" / "concern_v1_log.json").read_text())


def _env(database_url: str, key: str | None = None, *, keys: str) -> dict[str, str | None]:
    """The settings for a store, with the key store ``keys`` (a log's personal values move
    with it only if its key store is where the new store looks)."""
    return {"SCC_DATABASE_URL": database_url, "SCC_READ_MODEL_URL": None,
            "SCC_CIPHER_KEY": key, "SCC_DATA_DIR": None, "SCC_CATEGORY_SCHEME": "peterborough",
            "SCC_KEY_STORE_URL": keys}


@pytest.fixture
def keys(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'keys.sqlite3'}"


def _scc(env: dict[str, str | None], *args: str):
    result = CliRunner().invoke(scc, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result


def _fill(database_url: str, keys: str) -> None:
    """Two schools recorded now, and one recorded by the previous version of scc."""
    case_files = build_case_files(Settings(database_url=database_url, key_store_url=keys),
                                  FixedClock())
    for urn, name in ((HARTLEY, "Hartley Primary School"), (MOSS_LANE, "Moss Lane Infants")):
        case_files.register_school(
            by="Amir Khan", effective=date(2024, 9, 2), urn=urn, name=name, phase="Primary",
            establishment_type="Community school", la_code="999", governance="maintained")
    approved(case_files, "change_category", HARTLEY, by="Margaret Fell", effective=date(2024, 10, 1),
             to="4", reason="Inadequate: leadership")
    concern = case_files.raise_concern(HARTLEY, by="Priya Shah", effective=date(2024, 11, 4),
                                       ground="standards", source="performance data",
                                       description="Phonics check at 41%")
    case_files.communicate_concern(HARTLEY, by="Priya Shah", effective=date(2024, 11, 5),
                                   concern_id=concern, recipient="headteacher")
    case_files.close()
    stored_rows.insert(database_url, [
        (r["originator_id"], r["originator_version"], r["topic"], r["state"].encode())
        for r in OLD_LOG["rows"] if r["kind"] == "events"])


def _reports(env: dict[str, str | None]) -> list[str]:
    return [_scc(env, *command).stdout for command in (
        ["schools", "--format", "json"], ["report", "concern"],
        ["history", str(HARTLEY), "--format", "json"])]


@pytest.mark.postgres
def test_the_log_moves_from_sqlite_to_postgresql_and_back_unchanged(tmp_path, postgres_database,
                                                                     keys):
    source = _env(f"sqlite:///{tmp_path / 'source.sqlite3'}", keys=keys)
    key = new_cipher_key()
    postgres = _env(_postgres_schema_url(postgres_database), key, keys=keys)
    back = _env(f"sqlite:///{tmp_path / 'back.sqlite3'}", keys=keys)
    _fill(source["SCC_DATABASE_URL"], keys)
    _scc(source, "projections", "rebuild")
    reports = _reports(source)

    exported = _scc(source, "export-log", str(tmp_path / "scc-log.jsonl.gz"))
    imported = _scc(postgres, "import-log", str(tmp_path / "scc-log.jsonl.gz"))
    _scc(postgres, "export-log", str(tmp_path / "again.jsonl"))
    _scc(back, "import-log", str(tmp_path / "again.jsonl"))

    # Check every stored entry came back byte for byte, in PostgreSQL only encrypted
    assert "Exported 11 entries of 3 schools" in exported.stdout
    assert "Imported 11 entries of 3 schools; every chain verified" in imported.stdout
    original = stored_rows.rows(source["SCC_DATABASE_URL"])
    assert stored_rows.rows(back["SCC_DATABASE_URL"]) == original
    in_postgres = stored_rows.rows(postgres["SCC_DATABASE_URL"])
    assert [row[:3] for row in in_postgres] == [row[:3] for row in original]
    assert not any(b"Hartley" in state or b"Phonics" in state for *_, state in in_postgres)
    # Check each store verifies, and the rebuilt read models give the same reports
    for env in (source, postgres, back):
        assert "verified" in _scc(env, "verify").stdout.lower()
    assert _reports(postgres) == reports
    assert _reports(back) == reports


def _exported(tmp_path, database_url: str, keys: str) -> Path:
    _fill(database_url, keys)
    path = tmp_path / "scc-log.jsonl"
    _scc(_env(database_url, keys=keys), "export-log", str(path))
    return path


def _refused(env: dict[str, str | None], path: Path, message: str) -> None:
    result = CliRunner().invoke(scc, ["import-log", str(path)], env=env)
    assert result.exit_code == 2, result.output
    assert "Error: " in result.stderr and message in result.stderr
    assert "Traceback" not in result.output
    assert stored_rows.rows(env["SCC_DATABASE_URL"]) == []  # nothing written


def _edit(path: Path, change) -> None:
    lines = path.read_text().splitlines()
    path.write_text("\n".join(change(lines)) + "\n")


def test_an_altered_entry_is_refused_naming_the_school_and_entry(tmp_path, database_url, keys):
    path = _exported(tmp_path, f"sqlite:///{tmp_path / 'source.sqlite3'}", keys)
    _edit(path, lambda lines: [line.replace('\\"ground\\":\\"standards\\"',
                                            '\\"ground\\":\\"finance\\"', 1)
                               if '"version":3' in line and str(HARTLEY) not in line and
                               "ConcernRaised" in line and "performance data" in line
                               else line for line in lines])
    assert "finance" in path.read_text()

    _refused(_env(database_url, keys=keys), path,
             f"URN {HARTLEY}, entry 3: its content was altered after it was recorded. "
             "Nothing was imported")


def test_a_file_cut_short_or_with_an_entry_removed_is_refused(tmp_path, database_url, keys):
    path = _exported(tmp_path, f"sqlite:///{tmp_path / 'source.sqlite3'}", keys)
    lines = path.read_text().splitlines()
    target = _env(database_url, keys=keys)

    path.write_text("\n".join(lines[:-1]) + "\n")
    _refused(target, path, f"{path} is cut short: it has no manifest at its end")
    path.write_text("\n".join(lines[:-2] + lines[-1:]) + "\n")
    _refused(target, path, f"URN {OLD_LOG['urn']}, entry 6: it is missing from the file")
    path.write_text("\n".join(lines[:3] + lines[4:]) + "\n")
    _refused(target, path, f"URN {HARTLEY}, entry 2: it is missing: it was deleted")


def test_only_an_empty_store_takes_a_log(tmp_path, database_url, keys):
    path = _exported(tmp_path, f"sqlite:///{tmp_path / 'source.sqlite3'}", keys)
    _scc(_env(database_url, keys=keys), "import-log", str(path))

    again = CliRunner().invoke(scc, ["import-log", str(path)],
                               env=_env(database_url, keys=keys))

    assert again.exit_code == 2
    assert "already holds entries" in again.stderr and "only into an empty store" in again.stderr
    assert len(stored_rows.rows(database_url)) == 11


def test_a_log_whose_keys_are_elsewhere_is_refused_saying_so(tmp_path, database_url, keys):
    path = _exported(tmp_path, f"sqlite:///{tmp_path / 'source.sqlite3'}", keys)

    _refused(_env(database_url, keys=f"sqlite:///{tmp_path / 'other-keys.sqlite3'}"), path,
             "is not in the key store (SCC_KEY_STORE_URL must be the key store of this log). "
             "Nothing was imported")


def test_a_file_that_is_not_a_log_is_refused(tmp_path, database_url, keys):
    not_a_log = tmp_path / "notes.jsonl.gz"
    not_a_log.write_text("not gzip at all")
    plain = tmp_path / "notes.jsonl"
    plain.write_text('{"format": "something else"}\n')

    _refused(_env(database_url, keys=keys), not_a_log, "cannot be read as a log scc export-log wrote")
    _refused(_env(database_url, keys=keys), plain, "is not an event log written by scc export-log")


def test_the_export_is_gzip_when_its_name_says_so(tmp_path, keys):
    database_url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    _fill(database_url, keys)

    _scc(_env(database_url, keys=keys), "export-log", str(tmp_path / "log.jsonl.gz"))

    with gzip.open(tmp_path / "log.jsonl.gz", "rt") as file:
        lines = file.read().splitlines()
    header, manifest = json.loads(lines[0]), json.loads(lines[-1])["manifest"]
    assert header["format"] == "scc-event-log" and header["format_version"] == 1
    assert manifest["entries"] == len(lines) - 2 == 11
    assert manifest["chains"][str(OLD_LOG["rows"][0]["originator_id"])]["version"] == 6
    assert not list(tmp_path.glob(".*partial"))
