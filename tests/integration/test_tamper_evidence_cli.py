"""The auditor's commands for signed checkpoints (finding #3), and the standalone verifier run
as a separate program on an export, as an auditor without scc would run it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.signed_note import Signer
from application import anchor
from tests.integration.test_audit import HARTLEY, NORTHGATE, _build, _delete_row
from tests.integration.test_scheduler import (  # noqa: F401 - fixtures
    Time,
    app,
    eventually,
    make_worker,
    now,
    school_with_notice,
)

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tools" / "verify_checkpoint.py"
NAME = "scc.fenmarsh.example/case-files"
__all__ = ["Time", "app", "make_worker", "now"]  # the scheduler tests' fixtures, used here


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'scc.sqlite3'}"


def _env(database_url: str, tmp_path: Path, **more: str) -> dict[str, str | None]:
    return {"SCC_DATABASE_URL": database_url, "SCC_CATEGORY_SCHEME": "peterborough",
            "SCC_TERM_DATES": None, "SCC_DATA_DIR": str(tmp_path / "data"),
            "SCC_CHECKPOINT_KEY": None, "SCC_CHECKPOINT_PUBLIC_KEY": None,
            "SCC_CHECKPOINT_DIR": str(tmp_path / "checkpoints"), **more}


def _scc(env, *args: str):
    from cli.main import scc

    return CliRunner().invoke(scc, list(args), env=env)


@pytest.fixture
def key(tmp_path) -> Path:
    path = tmp_path / "keys" / "checkpoint.key"
    path.parent.mkdir()
    result = _scc({}, "keys", "checkpoint", "--name", NAME, str(path))
    assert result.exit_code == 0, result.output
    return path


def test_scc_keys_checkpoint_writes_a_private_key_only_its_owner_reads(key):
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    public = key.with_name("checkpoint.key.pub").read_text(encoding="utf-8")
    assert public.startswith(f"{NAME}+") and Signer.parse(key.read_text()).verifier.text() == (
        public.strip())
    # Check a key is never overwritten: checkpoints signed with it would become uncheckable
    again = _scc({}, "keys", "checkpoint", "--name", NAME, str(key))
    assert again.exit_code != 0 and "already exists" in again.output


def test_scc_keys_checkpoint_refuses_a_name_with_spaces(tmp_path):
    result = _scc({}, "keys", "checkpoint", "--name", "Fenmarsh council", str(tmp_path / "k"))

    assert result.exit_code != 0 and "use no spaces" in result.output


def test_scc_checkpoint_then_verify_names_a_deleted_school(case_files, database_url, tmp_path,
                                                           key):
    _build(case_files)
    env = _env(database_url, tmp_path, SCC_CHECKPOINT_KEY=str(key))
    taken = _scc(env, "checkpoint")
    assert taken.exit_code == 0, taken.output
    assert "Checkpoint of 8 entries signed and written to" in taken.output
    assert "no new checkpoint needed" in _scc(env, "checkpoint").output

    clean = _scc(env, "verify", "--checkpoint", str(tmp_path / "checkpoints"))
    assert clean.exit_code == 0, clean.output
    assert "Verified 3 schools, 8 entries, " in clean.output
    assert "against 1 signed checkpoint: no alterations found" in clean.output
    _delete_row(database_url, NORTHGATE, 1)
    # Check the auditor needs only the public key
    auditor = _env(database_url, tmp_path,
                   SCC_CHECKPOINT_PUBLIC_KEY=str(key.with_name("checkpoint.key.pub")))
    result = _scc(auditor, "verify", "--checkpoint", str(tmp_path / "checkpoints"))

    assert result.exit_code == 1, result.output
    assert f"URN {NORTHGATE}, entry 1: the log no longer holds it as the 3rd entry" in (
        result.output)
    assert "The log does not match the latest checkpoint" in result.output
    assert "covered by the checkpoint" not in result.output
    # Check the next checkpoint is refused, not signed over the altered log
    refused = _scc(env, "checkpoint")
    assert refused.exit_code != 0 and "no new checkpoint was signed" in refused.output


def test_scc_verify_says_what_no_checkpoint_vouches_for(case_files, database_url, tmp_path, key):
    _build(case_files)
    env = _env(database_url, tmp_path, SCC_CHECKPOINT_KEY=str(key))
    assert _scc(env, "checkpoint").exit_code == 0
    case_files.raise_concern(HARTLEY, by="Priya Shah", effective=date(2025, 3, 3),
                             ground="standards", description="Reading")

    result = _scc(env, "verify", "--checkpoint", str(tmp_path / "checkpoints"))

    assert result.exit_code == 0, result.output
    assert "The first 8 entries of the log are covered by the checkpoint" in result.output
    assert (f"Not vouched for by any checkpoint: 1 entries recorded since it, of URN {HARTLEY} "
            "(1)") in result.output


def test_scc_verify_without_a_public_key_says_how_to_give_one(case_files, database_url,
                                                              tmp_path, key):
    _build(case_files)
    assert _scc(_env(database_url, tmp_path, SCC_CHECKPOINT_KEY=str(key)),
                "checkpoint").exit_code == 0

    result = _scc(_env(database_url, tmp_path), "verify", "--checkpoint",
                  str(tmp_path / "checkpoints"))

    assert result.exit_code == 2 and "--public-key FILE or SCC_CHECKPOINT_PUBLIC_KEY" in (
        result.output)


def test_the_worker_signs_a_checkpoint_on_its_schedule(make_worker, clock, now, case_files,
                                                       tmp_path):
    _build(case_files)
    folder = tmp_path / "checkpoints"
    signer = Signer.generate(NAME)
    worker = make_worker(clock, checkpoint_minutes=60)
    worker.checkpoint = partial(anchor.take_checkpoint, worker.case_files, signer, folder)
    worker.start()
    eventually(lambda: worker.is_scheduling)
    assert not folder.exists()

    now.move_to(clock.now() + timedelta(minutes=61))
    worker.deadlines.wakeup()

    (file,) = eventually(lambda: list(folder.glob("*.checkpoint")))
    checkpoints = anchor.read_checkpoints([folder])
    assert checkpoints[0].origin == NAME and checkpoints[0].size >= 8
    assert anchor.verify_against(case_files, checkpoints, signer.verifier)["ok"] is True


def test_the_worker_signs_a_checkpoint_as_soon_as_a_warning_notice_is_recorded(
        make_worker, clock, now, tmp_path):
    folder = tmp_path / "checkpoints"
    signer = Signer.generate(NAME)
    worker = make_worker(clock, checkpoint_minutes=0)  # no schedule: the notice alone
    worker.checkpoint = partial(anchor.take_checkpoint, worker.case_files, signer, folder)
    worker.start()
    eventually(lambda: worker.is_scheduling)
    eventually(lambda: worker._looked_for_steps is not None)

    school_with_notice(worker.case_files, 990401, clock.today(), 10)

    (file,) = eventually(lambda: list(folder.glob("*.checkpoint")))
    checkpoints = anchor.read_checkpoints([folder])
    assert checkpoints[0].size >= 2  # the registration and the notice
    assert anchor.verify_against(worker.case_files, checkpoints, signer.verifier)["ok"] is True


# The standalone verifier ------------------------------------------------------------------

def _standalone(*args: str) -> subprocess.CompletedProcess[str]:
    """Run as the auditor runs it: its own interpreter, no scc on its path."""
    return subprocess.run([sys.executable, "-I", str(VERIFIER), *args], capture_output=True,
                          text=True, check=False, cwd=VERIFIER.parent)


def test_the_standalone_verifier_checks_an_export_against_the_checkpoints(
        case_files, database_url, tmp_path, key):
    _build(case_files)
    env = _env(database_url, tmp_path, SCC_CHECKPOINT_KEY=str(key))
    assert _scc(env, "checkpoint").exit_code == 0
    case_files.raise_concern(HARTLEY, by="Priya Shah", effective=date(2025, 3, 3),
                             ground="standards", description="Reading")
    export = tmp_path / "log.jsonl.gz"
    assert _scc(env, "export-log", str(export)).exit_code == 0
    folder = tmp_path / "checkpoints"
    public = str(key.with_name("checkpoint.key.pub"))

    result = _standalone("--public-key", public, "--checkpoint", str(folder), str(export))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Checked 9 entries against 1 signed checkpoint(s): 0 problem(s) found." in (
        result.stdout)
    assert "The first 8 entries are covered by a checkpoint; 1 entries after them" in (
        result.stdout)

    # Check an export of the log after a school was deleted fails, naming it
    _delete_row(database_url, NORTHGATE, 1)
    altered = tmp_path / "altered.jsonl"
    assert _scc(env, "export-log", str(altered)).exit_code == 0
    result = _standalone("--public-key", public, "--checkpoint", str(folder),
                         "--leaves", str(folder / anchor.LEAVES), str(altered))

    assert result.returncode == 1, result.stdout
    assert "its first 8 entries are not those the checkpoint" in result.stdout
    assert f"URN {NORTHGATE}, entry 1: the first entry that differs" in result.stdout


def test_the_standalone_verifier_refuses_a_checkpoint_signed_with_another_key(
        case_files, database_url, tmp_path, key):
    _build(case_files)
    folder = tmp_path / "checkpoints"
    anchor.take_checkpoint(case_files, Signer.generate(NAME), folder)
    export = tmp_path / "log.jsonl"
    assert _scc(_env(database_url, tmp_path), "export-log", str(export)).exit_code == 0

    result = _standalone("--public-key", str(key.with_name("checkpoint.key.pub")),
                         "--checkpoint", str(folder), str(export))

    assert result.returncode == 1
    assert "its signature does not verify with the public key of" in result.stdout
    assert "The first 0 entries are covered by a checkpoint" in result.stdout


def test_checkpoints_still_hold_for_the_log_exported_and_imported_encrypted(
        case_files, database_url, tmp_path, key):
    from adapters.bootstrap import new_cipher_key

    _build(case_files)
    env = _env(database_url, tmp_path, SCC_CHECKPOINT_KEY=str(key))
    assert _scc(env, "checkpoint").exit_code == 0
    export = tmp_path / "log.jsonl.gz"
    assert _scc(env, "export-log", str(export)).exit_code == 0
    from adapters.key_store import key_store_url

    moved = _env(f"sqlite:///{tmp_path / 'encrypted.sqlite3'}", tmp_path,
                 SCC_CHECKPOINT_KEY=str(key), SCC_CIPHER_KEY=new_cipher_key(),
                 SCC_KEY_STORE_URL=key_store_url(database_url, None))  # the log's keys
    imported = _scc(moved, "import-log", str(export))
    assert imported.exit_code == 0, imported.output

    # Check the leaves are the entries' plain content: encrypted anew, the tree is the same
    result = _scc(moved, "verify", "--checkpoint", str(tmp_path / "checkpoints"))

    assert result.exit_code == 0, result.output
    assert "against 1 signed checkpoint: no alterations found" in result.output
