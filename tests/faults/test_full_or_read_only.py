"""A full disk or a read-only database: the command line and the web app say so in plain
words and record nothing, and the same command goes in once the disk is put right.

The store lives on a small file system of its own (a tmpfs mounted for the test), which can
really fill up or be remounted read-only; root ignores file permissions, so a read-only
file is made with ``chattr +i``, which binds root too."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.config import Settings
from tests.faults.conftest import (
    HEAD,
    cannot_make_the_fault,
    open_case_files,
    register,
    run_scc,
    scc_env,
)
from tests.sign_off import approved

pytestmark = pytest.mark.faults

URN = 990701
KEY = "compliance:WN1"
SUSPEND = ("deadline", "suspend", str(URN), KEY, "--reason", "Awaiting the governors' plan",
           "--by", HEAD)
FULL_DISK = ("Error: The case-file store's disk is full: nothing was recorded. Free some "
             "space on it, then try again.\n")
READ_ONLY = ("Error: The case-file store is read-only: nothing was recorded. Make it writable "
             "again (its file, its directory or its disk), then try again.\n")


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 16 MB file system of the test's own."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", str(disk))
    if mounted.returncode != 0:
        cannot_make_the_fault(
            f"cannot mount a file system to fill here: {mounted.stderr.strip()}")
    yield disk
    for path in disk.iterdir():
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
    subprocess.run(["umount", "--lazy", str(disk)], check=True)


def fill(disk: Path) -> Path:
    """Writes a file until the file system has no room left; returns it."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(descriptor)
    return filler


def school_with_a_notice(database_url: str):
    """An open store holding a school with warning notice WN1 and its deadline."""
    case_files = open_case_files(database_url)
    register(case_files, URN)
    approved(case_files, "issue_warning_notice",
        URN, by=HEAD, grounds=["a"], matters="Low standards", required_actions="A plan",
        minded_action="An IEB", compliance_period=20)
    return case_files


def stored(path: Path) -> list[tuple]:
    """Every row of the event log, read from the file itself."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT originator_id, originator_version, topic, state "
                          "FROM stored_events ORDER BY rowid").fetchall()
    db.close()
    return rows


@pytest.mark.parametrize("store_open", [True, False],
                         ids=["while-another-process-has-it-open", "with-the-store-closed"])
def test_a_full_disk_refuses_a_command_in_plain_words_and_records_nothing(
        small_disk, tmp_path, store_open):
    path = small_disk / "scc.sqlite3"
    database_url = f"sqlite:///{path}"
    case_files = school_with_a_notice(database_url)
    if not store_open:
        case_files.close()
    before = stored(path)
    env = scc_env(database_url, tmp_path)

    filler = fill(small_disk)
    refused = run_scc(env, *SUSPEND)

    # Check the message says what happened and what to do, with no traceback, and that the
    # log holds exactly what it held.
    assert (refused.returncode, refused.stderr) == (1, FULL_DISK)
    assert stored(path) == before
    # Check the same command goes in, once, when there is room again.
    filler.unlink()
    suspended = run_scc(env, *SUSPEND)
    assert suspended.returncode == 0, suspended.stderr
    after = stored(path)
    assert after[:len(before)] == before and len(after) == len(before) + 1
    if store_open:
        case_files.close()


@pytest.mark.parametrize("how", ["file", "disk"], ids=["file-made-immutable",
                                                      "disk-remounted-read-only"])
def test_a_read_only_store_refuses_a_command_in_plain_words_and_records_nothing(
        small_disk, tmp_path, how):
    path = small_disk / "scc.sqlite3"
    database_url = f"sqlite:///{path}"
    school_with_a_notice(database_url).close()
    before = stored(path)
    env = scc_env(database_url, tmp_path)

    if how == "file":
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True,
                              check=False)
        if made.returncode != 0:
            cannot_make_the_fault(
                f"chattr cannot make the file immutable here: {made.stderr.strip()}")
        undo = ["chattr", "-i", str(path)]
    else:
        remounted = _mount("-o", "remount,ro", str(small_disk))
        assert remounted.returncode == 0, remounted.stderr
        undo = ["mount", "-o", "remount,rw", str(small_disk)]
    try:
        refused = run_scc(env, *SUSPEND)
        assert (refused.returncode, refused.stderr) == (1, READ_ONLY)
        assert stored(path) == before
    finally:
        subprocess.run(undo, check=True)

    suspended = run_scc(env, *SUSPEND)
    assert suspended.returncode == 0, suspended.stderr
    assert len(stored(path)) == len(before) + 1


def test_a_full_disk_gives_the_web_form_back_with_the_reason_and_records_nothing(
        small_disk):
    import re

    from adapters.bootstrap import build_web_services
    from web import create_app
    from web.config import TestConfig

    path = small_disk / "scc.sqlite3"
    database_url = f"sqlite:///{path}"
    school_with_a_notice(database_url).close()
    services = build_web_services(Settings(database_url=database_url))
    services.users.add(email="casey@fenmarsh.example", name="Casey Worker",
                       role="caseworker", password="correct horse battery staple")
    client = create_app(TestConfig(), services=services).test_client()

    def tokens(html: str, *names: str) -> dict[str, str]:
        return {name: re.search(rf'name="{name}"[^>]*value="([^"]+)"', html)[1]
                for name in names or ("csrf_token", "form_token")}

    signed_in = client.post("/sign-in", data={
        "email": "casey@fenmarsh.example", "password": "correct horse battery staple",
        **tokens(client.get("/sign-in").text, "csrf_token")}, follow_redirects=True)
    assert signed_in.status_code == 200
    form = client.get(f"/schools/{URN}/raise-concern")
    concern = {"effective": ["20", "11", "2026"], "ground": "safeguarding",
               "source": "school visit",
               "description": "Single central record incomplete at the visit"}
    before = stored(path)
    try:
        filler = fill(small_disk)
        refused = client.post(f"/schools/{URN}/raise-concern",
                              data={**concern, **tokens(form.text)})

        # Check the form comes back (what was typed kept) with the reason, not a 500.
        assert refused.status_code == 503
        assert "disk is full: nothing was recorded" in refused.text
        assert "Single central record incomplete at the visit</textarea>" in refused.text
        assert stored(path) == before
        # A page whose view cannot go in the access log is refused the same way.
        viewed = client.get(f"/schools/{URN}")
        assert viewed.status_code == 503
        assert "Sorry, the service is unavailable" in viewed.text
        assert "The case-file store&#39;s disk is full." in viewed.text
        # Check the same form may be sent again once there is room.
        filler.unlink()
        sent = client.post(f"/schools/{URN}/raise-concern",
                           data={**concern, **tokens(refused.text)})
        assert sent.status_code == 303
        assert len(stored(path)) == len(before) + 1
    finally:
        services.close()


@pytest.mark.postgres
def test_a_read_only_postgresql_database_refuses_a_command_in_plain_words(
        private_postgres, tmp_path):
    import psycopg

    name = f"scc_read_only_{os.getpid()}"
    database_url = private_postgres.create_database(name)
    school_with_a_notice(database_url).close()
    case_files = open_case_files(database_url)
    before = case_files.history(URN)
    case_files.close()
    env = scc_env(database_url, tmp_path)

    def read_only(on: bool) -> None:  # as a standby, or a database an operator froze, is
        with psycopg.connect(private_postgres.url(), autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = '
                          f'{"on" if on else "off"}')

    read_only(True)
    try:
        refused = run_scc(env, *SUSPEND)
    finally:
        read_only(False)

    assert (refused.returncode, refused.stderr) == (1, READ_ONLY)
    case_files = open_case_files(database_url)
    assert case_files.history(URN) == before
    case_files.close()
    assert run_scc(env, *SUSPEND).returncode == 0
