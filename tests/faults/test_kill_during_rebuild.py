"""``scc projections rebuild`` killed with SIGKILL part-way: the read models it was replacing
keep serving, unchanged, and the next catch-up and rebuild end where a clean rebuild does.
Shared out among processes, the processes it started stop by themselves."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from adapters.bootstrap import build_projections
from adapters.config import Settings
from adapters.key_store import copy_sqlite_store
from adapters.read_models import SQLReadModels, read_model_engine, tables
from application.projections import PROJECTIONS
from tests.faults.conftest import (
    FULL,
    HEAD,
    SCC,
    eventually,
    kill_hard,
    open_case_files,
    run_scc,
    scc_env,
)

pytestmark = pytest.mark.faults

SCHOOLS, EVENTS = (2200, 100_000) if FULL else (350, 7_000)


@pytest.fixture(scope="module")
def england(tmp_path_factory) -> Path:
    """A few hundred schools' histories (benchmarks.england, seeded: always the same),
    about 16,000 entries: enough for a rebuild to commit more than one batch."""
    from benchmarks.england import generate

    path = tmp_path_factory.mktemp("england") / "scc.sqlite3"
    generate(f"sqlite:///{path}", schools=SCHOOLS, events=EVENTS)
    with sqlite3.connect(path) as db:  # one self-contained file, to copy
        db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    return path


def read_models(database_url: str) -> dict[str, list[Any]]:
    """Every row every projection serves, in a fixed order."""
    store = SQLReadModels(read_model_engine(database_url))
    try:
        served = {
            "school_status": store.schools(),
            "category_history": store.spells(),
            "deadlines": store.deadlines(),
            "firings": store.firings(),
            "activity": store.activity(limit=10**9),
        }
    finally:
        store.close()
    return {name: sorted(rows, key=lambda row: sorted(map(repr, row.items())))
            for name, rows in served.items()}


def positions(path: Path) -> dict[str, tuple[int, int]]:
    with sqlite3.connect(path) as db:
        return {name: (position, generation) for name, position, generation in db.execute(
            "SELECT name, position, generation FROM projection_positions")}


def generation_tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return sorted(name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB '*_g[0-9]*'"))


def rows_in(path: Path, table: str) -> int:
    """How many rows a table holds so far (0 if it does not exist yet)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def children_of(pid: int) -> list[int]:
    """The processes ``pid`` started that are running."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def running(pid: int) -> bool:
    """Whether a process is running (not gone, and not a zombie nobody has reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("shared_out", [False, True], ids=["one process", "shared out"])
def test_a_rebuild_killed_part_way_leaves_the_old_read_models_serving_and_the_next_ends_equal(
        england, tmp_path, shared_out):
    path = tmp_path / "scc.sqlite3"
    copy_sqlite_store(england, path)  # with its key store
    database_url = f"sqlite:///{path}"
    env = scc_env(database_url, tmp_path)
    built = run_scc(env, "projections", "rebuild")
    assert built.returncode == 0, built.stderr
    served = read_models(database_url)
    report = run_scc(env, "report", "concern", "--format", "json").stdout
    before = positions(path)
    (generation,) = {g for _, g in before.values()}

    command = ([sys.executable, "-m", "tests.faults.rebuilder"] if shared_out
               else [str(SCC), "projections", "rebuild"])
    rebuild = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    # Killed once the new generation holds its first committed batch, before the swap.
    eventually(lambda: rows_in(path, f"activity_g{generation + 1}") > 0
               or rebuild.poll() is not None, timeout=120, every=0.005)
    assert rebuild.poll() is None, "the rebuild ended before it could be killed"
    started = children_of(rebuild.pid)
    kill_hard(rebuild)
    # Check the processes a shared-out rebuild started stop by themselves, unkilled: left
    # running, they would write into tables the next rebuild makes afresh.
    assert len(started) >= (2 if shared_out else 0)
    eventually(lambda: not any(running(pid) for pid in started), timeout=20)

    # Check the kill came part-way (the new tables were being filled, not swapped in), and
    # that the read models still serve exactly what they served, from the old tables.
    assert positions(path) == before
    assert 0 < rows_in(path, f"activity_g{generation + 1}") < len(served["activity"])
    assert read_models(database_url) == served
    assert run_scc(env, "report", "concern", "--format", "json").stdout == report

    # A new entry; the read models catch up with it from the old tables.
    case_files = open_case_files(database_url)
    urn = served["school_status"][0]["urn"]
    case_files.raise_concern(urn, by=HEAD, effective=date(2026, 11, 20), ground="standards",
                             description="Key stage 2 results fell for a third year")
    case_files.close()
    case_files = open_case_files(database_url)
    projections = build_projections(Settings(database_url=database_url), case_files)
    assert projections.catch_up() == len(PROJECTIONS)  # one entry, for each projection
    projections.store.close()
    case_files.close()
    caught_up = read_models(database_url)
    assert caught_up != served

    # Check a rebuild run to the end replaces the half-built tables the kill left, and ends
    # where the catch-up did: the same rows in every projection, one generation of tables.
    rebuilt = run_scc(env, "projections", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert read_models(database_url) == caught_up
    after = positions(path)
    assert {g for _, g in after.values()} == {generation + 1}
    assert {p for p, _ in after.values()} == {max(p for p, _ in before.values()) + 1}
    found = generation_tables(path)
    assert [t for t in found if "_fts" not in t] == sorted(
        t.name for name in PROJECTIONS for t in tables(name, generation + 1))
    # The search index (FTS5's table and its own shadow tables) is of the new generation only
    assert {t.split("_fts")[0] for t in found if "_fts" in t} == {
        t.name for t in tables("search", generation + 1)}

