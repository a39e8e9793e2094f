"""A rebuild shared out among processes: the same read models as one process makes them, and
nothing made current when a process fails or dies."""

from __future__ import annotations

import multiprocessing
import re
import threading
import time
from datetime import date, timedelta
from functools import partial

import pytest
from click.testing import CliRunner

from adapters.bootstrap import build_case_files, build_projections
from adapters.config import Settings
from adapters.event_scan import scan_streams
from adapters.event_store import new_cipher_key
from adapters.read_models import SQLReadModels, read_model_engine
from adapters.rebuild_processes import SpawnedRebuildProcesses
from application.projections import PROJECTIONS, CaseFileProjections, RebuildFailed
from domain.errors import CaseFileError
from tests.fakes import FixedClock
from tests.integration import stored_rows
from tests.integration.test_projections import everything, register
from tests.sign_off import approved

HEAD = "Head of School Improvement"
SCHOOLS = 40


def record_histories(case_files, schools: int = SCHOOLS) -> None:
    """Schools with histories of every kind, so that each of a rebuild's parts has some."""
    start = date(2023, 9, 4)
    for n in range(schools):
        urn = 990400 + n
        register(case_files, urn, name=f"School {n:02d}",
                 phase="Secondary" if n % 3 else "Primary")
        day = start + timedelta(weeks=n % 10)
        try:
            if n % 2:
                case_files.raise_concern(urn, by=HEAD, effective=day, ground="standards",
                                         description=f"Results fell at school {n}")
            if n % 3 == 0:
                approved(case_files, "change_category", urn, by=HEAD, effective=day, to="3a",
                         reason="Spring review")
            if n % 4 == 0:
                approved(case_files, "issue_warning_notice",
                    urn, by=HEAD, effective=day, grounds=["a"], matters="Low standards",
                    required_actions="A plan", minded_action="An IEB", compliance_period=15)
            if n % 5 == 0:
                case_files.establish_msp_group(urn, by=HEAD, effective=day,
                                               members=["Chair", "Adviser"], cadence_weeks=6)
            if n % 7 == 0:
                case_files.convert_to_academy(urn, by=HEAD, effective=date(2026, 1, 1),
                                              new_urn=991400 + n)
        except CaseFileError as error:  # a scenario the rules refuse is a mistake here
            pytest.fail(f"school {n}: {error}")


def _damage_an_entry(database_url) -> None:
    """An entry damaged behind the application's back: no process can read it."""
    stream, version, *_ = stored_rows.rows(database_url)[5]
    with stored_rows.database(database_url) as (db, p):
        db.execute(f"UPDATE {stored_rows.table(database_url)} SET state = {p} "
                   f"WHERE originator_id = {p} AND originator_version = {p}",
                   (b"not an entry", stream.replace("-", "") if "sqlite" in database_url
                    else stream, version))


_opened: list[SQLReadModels] = []


def read_models_on(case_files, database_url, processes: int = 2) -> CaseFileProjections:
    """The read models, their rebuild shared out among ``processes`` processes however short
    the log."""
    store = SQLReadModels(read_model_engine(database_url))
    _opened.append(store)
    return CaseFileProjections(
        case_files, store, scan=partial(scan_streams, case_files.recorder, case_files.mapper),
        processes=SpawnedRebuildProcesses(case_files, database_url, processes, least_entries=1))


@pytest.fixture(autouse=True)
def _close_and_check_processes():
    yield
    while _opened:
        _opened.pop().close()
    # Check no rebuilding process outlives its rebuild, whatever happened to it.
    assert [p.name for p in multiprocessing.active_children()
            if p.name.startswith("scc rebuild")] == []


def test_a_rebuild_shared_among_processes_equals_catching_up_entry_by_entry(
        case_files, database_url):
    record_histories(case_files)
    read_models = read_models_on(case_files, database_url)
    read_models.catch_up()
    caught_up = everything(read_models.store)
    generations = {name: g for name, (g, _) in read_models.store.positions().items()}
    reported = []

    read = read_models.rebuild(PROJECTIONS, lambda done, total: reported.append((done, total)))

    entries = case_files.recorder.max_notification_id()
    assert read == entries
    assert reported[-1] == (entries, entries)
    assert everything(read_models.store) == caught_up
    assert len(caught_up["schools"]) == SCHOOLS + len(range(0, SCHOOLS, 7))
    # Check it was a rebuild, by two processes: new tables, each process's memory known.
    assert {name: g for name, (g, _) in read_models.store.positions().items()} == {
        name: g + 1 for name, g in generations.items()}
    assert len(read_models.processes.peaks_mb) == 2
    assert all(mb > 0 for mb in read_models.processes.peaks_mb)
    assert [p["lag"] for p in read_models.status()] == [0] * len(PROJECTIONS)


def test_a_rebuild_of_some_projections_leaves_the_others_alone(case_files, database_url):
    record_histories(case_files, 12)
    read_models = read_models_on(case_files, database_url, processes=3)
    read_models.catch_up()
    caught_up = everything(read_models.store)
    before = read_models.store.positions()

    read_models.rebuild(["deadlines", "activity"])

    after = read_models.store.positions()
    assert {name for name in PROJECTIONS if after[name] != before[name]} == {
        "deadlines", "activity"}
    assert everything(read_models.store) == caught_up


def test_a_process_that_fails_leaves_the_old_read_models_serving(case_files, database_url):
    record_histories(case_files, 12)
    read_models = read_models_on(case_files, database_url)
    read_models.catch_up()
    caught_up = everything(read_models.store)
    positions = read_models.store.positions()
    _damage_an_entry(database_url)

    with pytest.raises(RebuildFailed, match=r"Process [12] of 2 rebuilding the read models "
                                            r"failed, so nothing was made current: \w+"):
        read_models.rebuild(PROJECTIONS)

    assert read_models.store.positions() == positions
    assert everything(read_models.store) == caught_up


def test_a_process_killed_midway_fails_the_rebuild_and_the_next_one_succeeds(
        case_files, database_url):
    record_histories(case_files, 12)
    read_models = read_models_on(case_files, database_url)
    read_models.catch_up()
    caught_up = everything(read_models.store)
    positions = read_models.store.positions()
    killed = []

    def kill_the_first_to_start() -> None:
        # A process takes about a second to start, so it is killed before its first part.
        deadline = time.monotonic() + 30
        while not killed and time.monotonic() < deadline:
            for process in multiprocessing.active_children():
                if process.name.startswith("scc rebuild") and process.pid:
                    process.kill()
                    killed.append(process.name)
                    break
            time.sleep(0.005)

    killer = threading.Thread(target=kill_the_first_to_start)
    killer.start()
    try:
        with pytest.raises(RebuildFailed, match=r"rebuilding the read models ended without "
                                                r"finishing \(exit code -9\), so nothing was "
                                                r"made current"):
            read_models.rebuild(PROJECTIONS)
    finally:
        killer.join()

    assert killed
    assert read_models.store.positions() == positions
    assert everything(read_models.store) == caught_up
    # Check the next rebuild clears what the failed one left and completes.
    read_models.rebuild(PROJECTIONS)
    assert everything(read_models.store) == caught_up


def test_an_encrypted_log_is_rebuilt_by_processes_given_its_key(database_url):
    settings = Settings(database_url=database_url, cipher_key=new_cipher_key(),
                        rebuild_processes=2)
    case_files = build_case_files(settings, FixedClock())
    try:
        record_histories(case_files, 8)
        read_models = build_projections(settings, case_files)
        _opened.append(read_models.store)
        read_models.catch_up()
        caught_up = everything(read_models.store)
        read_models.processes.least_entries = 1

        read_models.rebuild(PROJECTIONS)

        assert len(read_models.processes.peaks_mb) == 2
        assert everything(read_models.store) == caught_up
    finally:
        case_files.close()


def test_a_short_log_or_one_process_is_rebuilt_here(case_files, database_url):
    shared = SpawnedRebuildProcesses(case_files, database_url, 2, least_entries=1000)

    assert shared.take(1000) and not shared.take(999)
    assert not SpawnedRebuildProcesses(case_files, database_url, 1, least_entries=1).take(10**6)
    # A database in one process's memory is out of the other processes' reach.
    for url in ("sqlite://", "sqlite:///:memory:", "sqlite:///file:scc?mode=memory&uri=true"):
        assert not SpawnedRebuildProcesses(case_files, url, 2, least_entries=1).take(10**6)


def test_scc_says_which_process_failed_and_that_nothing_changed(
        case_files, database_url, tmp_path, monkeypatch):
    import adapters.rebuild_processes
    from cli.main import scc

    record_histories(case_files, 12)
    _damage_an_entry(database_url)
    monkeypatch.setattr(adapters.rebuild_processes, "LEAST_ENTRIES", 1)

    result = CliRunner().invoke(scc, ["projections", "rebuild"], env={
        "SCC_DATABASE_URL": database_url, "SCC_DATA_DIR": str(tmp_path),
        "SCC_REBUILD_PROCESSES": "2"})

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    # The damaged entry is named: its kind of entry, its stream and its version.
    assert re.fullmatch(
        r"Error: Process [12] of 2 rebuilding the read models failed, so nothing was made "
        r"current: MapperDeserialisationError: Failed to deserialise state of stored event "
        r"with topic '[\w.:]+', originator_id '[-0-9a-f]{36}' and originator_version \d+: .+\. "
        r"The read models are as they were\. Run the rebuild again once that is put right; "
        r"SCC_REBUILD_PROCESSES=1 runs it in one process\.",
        result.output.splitlines()[-1])
