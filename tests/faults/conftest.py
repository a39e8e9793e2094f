"""Fixtures for the fault tests: real processes of scc on real stores, a private PostgreSQL
cluster that may be restarted, and the helpers that start, watch and kill them."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REQUIRE_POSTGRES

REQUIRE_FAULTS = os.environ.get("SCC_REQUIRE_FAULTS") == "1"
"""Set by ``make test`` (so CI): a fault test that cannot make its fault fails, never skips."""


def cannot_make_the_fault(message: str) -> None:
    """Skips a fault test this machine cannot stage (no mount, no chattr), or fails it where
    every fault must be tested."""
    if REQUIRE_FAULTS:
        pytest.fail(message)
    pytest.skip(message)


ROOT = Path(__file__).resolve().parents[2]
SCC = Path(sys.executable).parent / "scc"
HEAD = "Head of School Improvement"
FULL = os.environ.get("SCC_FAULTS_FULL") == "1"
"""``make faults-full``: longer runs, more rounds, bigger stores."""


def eventually(check: Callable[[], Any], timeout: float = 10.0, every: float = 0.02) -> Any:
    """Waits (real time) until ``check`` returns something true, and returns it."""
    give_up = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > give_up:
            raise AssertionError(f"Still false after {timeout} s: {check}")
        time.sleep(every)
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scc_env(database_url: str, data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of an scc process on this store: none of the caller's own SCC_*
    settings, and the repository importable (for ``python -m tests.faults.writer``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCC_")}
    return {**env, "SCC_DATABASE_URL": database_url, "SCC_DATA_DIR": str(data_dir),
            "PYTHONPATH": str(ROOT), **settings}


def run_scc(env: dict[str, str], *args: str, timeout: float = 120, **options: Any
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCC), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False, **options)


def start_writer(env: dict[str, str], urn: int, tag: str, count: int, *,
                 pause: float = 0.0, **options: Any) -> subprocess.Popen[str]:
    """``python -m tests.faults.writer``: ``count`` concerns on ``urn``, one line each.

    Its output goes to files, not pipes: a pipe nobody reads until the end fills up (a
    store's outage makes a lot to say) and would stop the writer at its next line."""
    # Closed by finish(), or by the test if it gives up on the writer.
    out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.writer", str(urn), tag, str(count),
         "--pause", str(pause)],
        env=env, cwd=ROOT, stdout=out, stderr=err, text=True, **options)
    process.output_files = (out, err)  # type: ignore[attr-defined]
    return process


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[str, str]:
    """Its output, once it has ended; killed if it takes longer than ``timeout``."""
    try:
        process.wait(timeout=timeout)
        ended = True
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        ended = False
    texts = []
    for file in process.output_files:  # type: ignore[attr-defined]
        file.seek(0)
        texts.append(file.read())
        file.close()
    out, err = texts
    if not ended:
        raise AssertionError(f"Still running after {timeout} s:\n{out[-2000:]}\n"
                             f"{err[-2000:]}")
    return out, err


def kill_hard(process: subprocess.Popen[Any]) -> None:
    """SIGKILL: no handler, no clean-up, no last flush."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def register(case_files: Any, urn: int, name: str | None = None, **details: Any) -> None:
    case_files.register_school(
        by=HEAD, effective=date(2010, 9, 1), urn=urn, name=name or f"School {urn}",
        phase="Primary", establishment_type="Community school", governance="maintained",
        la_code="999", pupils=200, **details)


def open_case_files(database_url: str, **settings: Any) -> Any:
    """The case files on a store, opened as the entry points open them."""
    from adapters.bootstrap import build_case_files
    from adapters.config import Settings

    return build_case_files(Settings(database_url=database_url, **settings))


# A PostgreSQL cluster of the tests' own ------------------------------------------------------

@dataclass
class PrivateCluster:
    """A PostgreSQL server run by these tests on a free port of 127.0.0.1 (trust auth), so
    that it can be stopped and restarted without touching the machine's own server."""

    bindir: Path
    base: Path
    port: int
    as_postgres: list[str]

    @property
    def data(self) -> Path:
        return self.base / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def pg_ctl(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bindir / "pg_ctl"), "-D", str(self.data),
             "-l", str(self.base / "server.log"), "-w", "-t", str(int(timeout)), *args],
            check=True, capture_output=True, timeout=timeout + 10)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                   "-c max_connections=50 -c shared_buffers=16MB")
        self.pg_ctl("start", "-o", options)

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode)

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _postgres_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivateCluster]:
    """A throwaway cluster: initdb into a temporary directory (as the ``postgres`` user when
    the tests run as root, which PostgreSQL refuses to run as), started on a free port."""
    bindir = _postgres_bindir()
    if bindir is None:
        message = "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    base = Path(tempfile.mkdtemp(prefix="scc-faults-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    cluster = PrivateCluster(bindir, base, free_port(), as_postgres)
    try:
        subprocess.run([*as_postgres, str(bindir / "initdb"), "-D", str(cluster.data),
                        "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"],
                       check=True, capture_output=True, timeout=120)
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            cluster.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)
