"""The worker and its deadline scheduler: reminders and passings fire on their days, once,
after downtime, with two workers on one store, and when the scheduling worker dies."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
import sqlalchemy as sa
import time_machine

from adapters.event_store import event_store_env
from adapters.read_models import SQLReadModels, read_model_engine
from application.case_files import SchoolCaseFiles
from application.projections import Batch, CaseFileProjections
from scheduler.deadlines import JOBS_TABLE, DeadlineScheduler
from scheduler.lock import LOCK_CLASS, scheduler_lock
from scheduler.worker import DELIVER_NOTIFICATIONS, WEEKLY_DIGESTS, Worker
from tests.fakes import FixedClock
from tests.sign_off import approved

HEAD = "Head of School Improvement"
ENGLAND = ZoneInfo("Europe/London")
SCC = Path(sys.executable).parent / "scc"
PROCESS_BOUND = 60.0
"""Seconds a worker process is given to start, act or stop: a bound for a loaded machine
(they take a few seconds on a quiet one), not a timing the tests assert."""


def at(day: date, hour: int = 7, minute: int = 0, second: int = 30) -> datetime:
    """A moment on a day, England's time."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ENGLAND)


def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Waits (real time) until ``check`` returns something true."""
    give_up = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > give_up:
            raise AssertionError(f"Still false after {timeout} s: {check}")
        time.sleep(0.02)
    return result


class Time:
    """The app's clock and APScheduler's wall clock, moved together."""

    def __init__(self, clock: FixedClock, traveller: Any) -> None:
        self.clock = clock
        self.traveller = traveller

    def move_to(self, moment: datetime) -> None:
        self.clock.move_to(moment)
        self.traveller.move_to(moment)


@pytest.fixture
def now(clock) -> Iterator[Time]:
    with time_machine.travel(clock.now(), tick=True) as traveller:
        yield Time(clock, traveller)


@pytest.fixture
def app(database_url, working_days, scheme) -> Iterator[Callable[..., Any]]:
    """Makes separate application instances on the test's store, as separate processes
    would have: the case files, their read models and an engine for the job store."""
    from adapters.key_store import SQLKeyStore, key_store_url
    from application.personal_keys import Keyring

    made: list[tuple[SchoolCaseFiles, CaseFileProjections, sa.Engine]] = []

    def make(clock: FixedClock) -> tuple[SchoolCaseFiles, CaseFileProjections, sa.Engine]:
        # the key store beside the log, as the scc worker processes find it
        keys = Keyring(SQLKeyStore(key_store_url(database_url, None)))
        case_files = SchoolCaseFiles(event_store_env(database_url), clock=clock,
                                     working_days=working_days, scheme=scheme, keyring=keys)
        projections = CaseFileProjections(case_files,
                                          SQLReadModels(read_model_engine(database_url)))
        made.append((case_files, projections, read_model_engine(database_url)))
        return made[-1]

    yield make
    for case_files, projections, engine in made:
        case_files.close()
        projections.store.close()
        engine.dispose()


@pytest.fixture
def make_worker(app, database_url, now) -> Iterator[Callable[..., Worker]]:
    """Workers on the test's store; stopped before the wall clock comes back (``now``)."""
    workers: list[Worker] = []

    def make(clock: FixedClock, **options: Any) -> Worker:
        case_files, projections, engine = app(clock)
        options = {"poll_seconds": 0.05, "lock_check_seconds": 0.05, **options}
        workers.append(Worker(case_files, projections, engine=engine,
                              lock=scheduler_lock(database_url), **options))
        return workers[-1]

    yield make
    for worker in workers:
        worker.stop()


@pytest.fixture
def make_scheduler(app, now) -> Iterator[Callable[..., DeadlineScheduler]]:
    schedulers: list[DeadlineScheduler] = []

    def make(clock: FixedClock) -> DeadlineScheduler:
        case_files, projections, engine = app(clock)
        schedulers.append(DeadlineScheduler(case_files, projections, engine=engine))
        schedulers[-1].start()
        return schedulers[-1]

    yield make
    for scheduler in schedulers:
        scheduler.stop()


def school_with_notice(case_files: SchoolCaseFiles, urn: int, given_on: date,
                       period: int) -> str:
    """A maintained school given a warning notice on ``given_on`` (the clock is moved there
    first if it is earlier, as a caseworker would record it on the day)."""
    if case_files.clock.today() < given_on:
        case_files.clock.move_to(at(given_on, 10))
    case_files.register_school(by=HEAD, effective=date(2010, 9, 1), urn=urn, name="Fen Primary",
                               phase="Primary", establishment_type="Community school",
                               governance="maintained", la_code="999", pupils=200)
    return approved(case_files, "issue_warning_notice",
        urn, by=HEAD, effective=given_on, grounds=["a"], matters="Low standards",
        required_actions="An improvement plan", minded_action="An IEB",
        compliance_period=period)


def recorded_firings(case_files: SchoolCaseFiles, urn: int) -> list[tuple[str, str, int, date]]:
    """(entry, deadline key, working days before, effective date) of each firing recorded."""
    return [
        (e["event"], e["details"]["key"], e["details"].get("working_days_before", 0),
         e["effective"])
        for e in case_files.history(urn) if e["event"] in ("ReminderSent", "DeadlinePassed")
    ]


def walk(scheduler: DeadlineScheduler, now: Time, first: date, last: date) -> None:
    """Each day from ``first`` to ``last``, just after the reminder hour: reconcile."""
    day = first
    while day <= last:
        now.move_to(at(day))
        scheduler.reconcile()
        day += timedelta(days=1)


# On their days ----------------------------------------------------------------------------

def test_reminders_fire_on_their_days_and_the_passing_marks_the_notice_overdue(
        make_worker, clock, now):
    now.move_to(at(date(2026, 11, 2), 10))
    worker = make_worker(clock)
    case_files = worker.case_files
    notice = school_with_notice(case_files, 990401, date(2026, 11, 2), 10)
    worker.start()
    eventually(lambda: worker.is_scheduling)

    # Check the compliance date by hand: ten working days after Monday 2 November is
    # Monday 16 November; reminders 5 and 1 working days before are 9 and 13 November.
    assert [(d.key, d.due) for d in case_files.deadlines(990401)] == [
        ("compliance:WN1", date(2026, 11, 16))]
    eventually(lambda: worker.deadlines.next_run_time() == at(date(2026, 11, 9), second=0))

    # Check nothing fires before the reminder hour.
    now.move_to(at(date(2026, 11, 9), 6, 59))
    assert worker.deadlines.reconcile() == []

    # Check APScheduler runs the job at 07:00 on each day, and the job moves to the next.
    for day, then in ((date(2026, 11, 9), date(2026, 11, 13)),
                      (date(2026, 11, 13), date(2026, 11, 17)),
                      (date(2026, 11, 17), date(2026, 11, 18))):
        now.move_to(at(day))
        worker.deadlines.wakeup()
        eventually(lambda d=then: worker.deadlines.next_run_time() == at(d, second=0))
    assert recorded_firings(case_files, 990401) == [
        ("ReminderSent", "compliance:WN1", 5, date(2026, 11, 9)),
        ("ReminderSent", "compliance:WN1", 1, date(2026, 11, 13)),
        ("DeadlinePassed", "compliance:WN1", 0, date(2026, 11, 17)),
    ]
    # Check scc records them as itself, not as a person (security review #4)
    assert {(e["by"], e["by_identity"]) for e in case_files.history(990401)
            if e["event"] in ("ReminderSent", "DeadlinePassed")} == {
        ("scc reminders", "recorded by scc itself (reminders)")}

    # Check the passing marks the notice overdue and puts the decision on the list.
    (state,) = case_files.school(990401)["warning_notices"]
    assert (state["notice_id"], state["overdue"]) == (notice, True)
    assert [(d.kind, d.key, d.due) for d in case_files.deadlines(990401)] == [
        ("compliance", "compliance:WN1", date(2026, 11, 16)),  # overdue, on the list
        ("decide_intervention", "decide_intervention:WN1", date(2026, 11, 17))]


@pytest.mark.parametrize("given_on, compliance, fired", [
    pytest.param(
        # Working days after Monday 15 December 2025: 16, 17, 18, 19, 22, 23, 24 December
        # (25 and 26 December are bank holidays, then a weekend), 29, 30, 31 December.
        date(2025, 12, 15), date(2025, 12, 31),
        [("ReminderSent", "compliance:WN1", 5, date(2025, 12, 22)),
         ("ReminderSent", "compliance:WN1", 1, date(2025, 12, 30)),
         ("DeadlinePassed", "compliance:WN1", 0, date(2026, 1, 1)),
         ("DeadlinePassed", "decide_intervention:WN1", 0, date(2026, 1, 2))],
        id="christmas"),
    pytest.param(
        # Working days after Monday 30 March 2026: 31 March, 1, 2 April (Good Friday
        # 3 April, the weekend and Easter Monday 6 April skipped), 7, 8, 9, 10, 13, 14, 15.
        date(2026, 3, 30), date(2026, 4, 15),
        [("ReminderSent", "compliance:WN1", 5, date(2026, 4, 8)),
         ("ReminderSent", "compliance:WN1", 1, date(2026, 4, 14)),
         ("DeadlinePassed", "compliance:WN1", 0, date(2026, 4, 16)),
         ("DeadlinePassed", "decide_intervention:WN1", 0, date(2026, 4, 17))],
        id="easter"),
])
def test_a_compliance_period_over_the_holidays_fires_on_working_days_counted_by_hand(
        make_scheduler, clock, now, given_on, compliance, fired):
    now.move_to(at(given_on, 10))
    scheduler = make_scheduler(clock)
    school_with_notice(scheduler.case_files, 990402, given_on, 10)

    assert [d.due for d in scheduler.case_files.deadlines(990402)] == [compliance]
    walk(scheduler, now, given_on + timedelta(days=1), fired[-1][-1] + timedelta(days=1))
    assert recorded_firings(scheduler.case_files, 990402) == fired


def test_the_job_runs_at_seven_uk_time_in_summer_too(make_scheduler, clock, now):
    now.move_to(at(date(2026, 3, 30), 10))
    scheduler = make_scheduler(clock)
    school_with_notice(scheduler.case_files, 990403, date(2026, 3, 30), 10)
    scheduler.reconcile()

    # Check 07:00 British Summer Time is 06:00 UTC.
    assert scheduler.next_run_time() == datetime(2026, 4, 8, 6, 0, tzinfo=UTC)
    now.move_to(at(date(2026, 4, 8), 6, 59, 59))
    assert scheduler.reconcile() == []
    now.move_to(at(date(2026, 4, 8), 7, 0, 0))
    scheduler.reconcile()
    assert recorded_firings(scheduler.case_files, 990403) == [
        ("ReminderSent", "compliance:WN1", 5, date(2026, 4, 8))]


# Downtime ---------------------------------------------------------------------------------

def test_a_deadline_that_passed_while_nothing_ran_is_recorded_once_when_a_worker_starts(
        make_worker, clock, now, database_url):
    now.move_to(at(date(2026, 11, 2), 10))
    first = make_worker(clock)
    school_with_notice(first.case_files, 990404, date(2026, 11, 2), 10)
    first.start()
    eventually(lambda: first.is_scheduling)
    now.move_to(at(date(2026, 11, 9)))
    first.deadlines.reconcile()
    assert recorded_firings(first.case_files, 990404) == [
        ("ReminderSent", "compliance:WN1", 5, date(2026, 11, 9))]
    first.stop()

    # Nothing runs on 13 November (the last reminder), 16 November (the due date) or on
    # the morning of 17 November, when the passing was due at 07:00.
    now.move_to(at(date(2026, 11, 17), 10))
    with first.deadlines.engine.connect() as conn:
        (left,) = conn.execute(sa.text(f"SELECT next_run_time FROM {JOBS_TABLE}")).all()
    assert datetime.fromtimestamp(left[0], UTC) == at(date(2026, 11, 13), second=0)

    second = make_worker(clock)
    second.start()
    eventually(lambda: second.is_scheduling)
    # Check the passing is recorded at start-up, once; the stale reminder is not sent.
    assert recorded_firings(second.case_files, 990404) == [
        ("ReminderSent", "compliance:WN1", 5, date(2026, 11, 9)),
        ("DeadlinePassed", "compliance:WN1", 0, date(2026, 11, 17)),
    ]
    eventually(lambda: second.deadlines.next_run_time() == at(date(2026, 11, 18), second=0))
    second.stop()

    # Check a restart records nothing more.
    third = make_worker(clock)
    third.start()
    eventually(lambda: third.is_scheduling)
    time.sleep(0.3)  # a few turns of the follow loop
    assert len(recorded_firings(third.case_files, 990404)) == 2
    eventually(lambda: third.deadlines.next_run_time() == at(date(2026, 11, 18), second=0))


def test_reminders_due_at_the_same_moment_send_only_the_latest(make_scheduler, clock, now):
    """REMINDERS: nothing ran through 9 November (the 5-day reminder); back on 13 November,
    the 1-day reminder's day, one reminder goes, the 1-day one, not both at once; the passing
    follows on its day, and a restart records nothing more."""
    now.move_to(at(date(2026, 11, 2), 10))
    scheduler = make_scheduler(clock)
    school_with_notice(scheduler.case_files, 990405, date(2026, 11, 2), 10)  # due 16 November
    scheduler.stop()

    now.move_to(at(date(2026, 11, 13), 9))
    back = make_scheduler(clock)
    assert recorded_firings(back.case_files, 990405) == [
        ("ReminderSent", "compliance:WN1", 1, date(2026, 11, 13))]
    # Check the job waits for the passing, not for the superseded 5-day reminder
    assert back.next_run_time() == at(date(2026, 11, 17), second=0)

    walk(back, now, date(2026, 11, 14), date(2026, 11, 17))
    back.stop()
    again = make_scheduler(clock)
    again.reconcile()
    assert recorded_firings(again.case_files, 990405) == [
        ("ReminderSent", "compliance:WN1", 1, date(2026, 11, 13)),
        ("DeadlinePassed", "compliance:WN1", 0, date(2026, 11, 17)),
    ]


# Two workers ------------------------------------------------------------------------------

def test_two_workers_on_one_store_fire_each_firing_once_and_the_standby_takes_over(
        make_worker, clock, now):
    now.move_to(at(date(2026, 11, 2), 10))
    first, second = make_worker(clock), make_worker(clock)
    school_with_notice(first.case_files, 990405, date(2026, 11, 2), 10)
    first.start()
    eventually(lambda: first.is_scheduling)
    second.start()
    time.sleep(0.3)  # the standby has tried the lock a few times
    assert (first.is_scheduling, second.is_scheduling) == (True, False)

    for day, then in ((date(2026, 11, 9), date(2026, 11, 13)),
                      (date(2026, 11, 13), date(2026, 11, 17)),
                      (date(2026, 11, 17), date(2026, 11, 18))):
        now.move_to(at(day))
        first.deadlines.wakeup()
        eventually(lambda d=then: first.deadlines.next_run_time() == at(d, second=0))
    assert not second.deadlines.running

    # Check the standby takes over when the scheduling worker stops, and fires the next.
    first.stop()
    eventually(lambda: second.is_scheduling)
    now.move_to(at(date(2026, 11, 18)))
    second.deadlines.wakeup()
    eventually(lambda: len(recorded_firings(second.case_files, 990405)) == 4)
    assert [(kind, key, day) for kind, key, _, day in recorded_firings(
        first.case_files, 990405)] == [
        ("ReminderSent", "compliance:WN1", date(2026, 11, 9)),
        ("ReminderSent", "compliance:WN1", date(2026, 11, 13)),
        ("DeadlinePassed", "compliance:WN1", date(2026, 11, 17)),
        ("DeadlinePassed", "decide_intervention:WN1", date(2026, 11, 18)),
    ]


def test_two_schedulers_firing_at_the_same_moment_record_each_firing_once(
        make_scheduler, clock, now):
    """Were the lock ever to fail, the case file still refuses a second recording."""
    now.move_to(at(date(2026, 11, 2), 10))
    schedulers = [make_scheduler(clock), make_scheduler(clock)]
    for n in range(5):
        school_with_notice(schedulers[0].case_files, 990410 + n, date(2026, 11, 2), 10)
    now.move_to(at(date(2026, 11, 17)))
    ready = threading.Barrier(2)
    fired: list[list[Any]] = []

    def reconcile(scheduler: DeadlineScheduler) -> None:
        ready.wait()
        fired.append(scheduler.reconcile())

    threads = [threading.Thread(target=reconcile, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sum(len(f) for f in fired) == 5
    for n in range(5):
        assert recorded_firings(schedulers[1].case_files, 990410 + n) == [
            ("DeadlinePassed", "compliance:WN1", 0, date(2026, 11, 17))]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_on_postgresql_the_standby_takes_over_when_the_holders_session_dies(
        make_worker, clock, now, database_url):
    now.move_to(at(date(2026, 11, 2), 10))
    holder = make_worker(clock, lock_check_seconds=0.5)
    standby = make_worker(clock, lock_check_seconds=0.05)
    school_with_notice(holder.case_files, 990406, date(2026, 11, 2), 10)
    holder.start()
    eventually(lambda: holder.is_scheduling)
    standby.start()
    time.sleep(0.2)
    assert not standby.is_scheduling

    # The holder's lock session dies (its process crashed, or its connection dropped).
    with psycopg.connect(database_url.split("?")[0], autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
            "AND granted AND classid = %s AND database = (SELECT oid FROM pg_database "
            "WHERE datname = current_database())", (LOCK_CLASS,)).fetchall()
    assert ended == [(True,)]

    eventually(lambda: standby.is_scheduling)
    eventually(lambda: not holder.is_scheduling)  # it noticed, and stood down
    now.move_to(at(date(2026, 11, 9)))
    standby.deadlines.wakeup()
    eventually(lambda: recorded_firings(standby.case_files, 990406))
    time.sleep(0.6)  # the old holder tries the lock again, and stays a standby
    assert (holder.is_scheduling, standby.is_scheduling) == (False, True)
    assert recorded_firings(holder.case_files, 990406) == [
        ("ReminderSent", "compliance:WN1", 5, date(2026, 11, 9))]


# Scale ------------------------------------------------------------------------------------

def test_one_job_stands_for_a_hundred_thousand_pending_firings(make_scheduler, clock, now):
    now.move_to(at(date(2026, 11, 2), 10))
    scheduler = make_scheduler(clock)
    store = scheduler.projections.store
    first_day = date(2026, 11, 3)
    rows = {
        urn: [{"key": f"visit:{n}", "due": first_day + timedelta(days=urn % 300 + n),
               "working_days_before": 0, "fire_on": first_day + timedelta(days=urn % 300 + n)}
              for n in range(5)]
        for urn in range(100_000, 120_000)
    }
    position = store.position("firings")
    assert store.commit_together([Batch("firings", position, position, rows, [])])

    assert scheduler.reconcile() == []
    assert scheduler.next_run_time() == at(first_day, second=0)
    with scheduler.engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT id FROM {JOBS_TABLE}")).scalars().all() == [
            "next-deadlines"]


# Notifications ----------------------------------------------------------------------------

class FakeNotifications:
    def __init__(self) -> None:
        self.caught_up = 0
        self.delivered: list[datetime] = []
        self.digests: list[date] = []

    def catch_up(self, pages: int | None = None) -> int:
        self.caught_up += 1
        return 0

    def deliver(self, now: datetime) -> dict[str, int]:
        self.delivered.append(now)
        return {"sent": 0}

    def queue_digests(self, today: date) -> int:
        self.digests.append(today)
        return 0


def test_the_scheduling_worker_delivers_notifications_and_queues_weekly_digests(
        make_worker, clock, now, database_url):
    now.move_to(at(date(2026, 11, 22), 10))  # a Sunday
    notes, standby_notes = FakeNotifications(), FakeNotifications()
    worker = make_worker(clock, notifications=notes)
    worker.start()
    eventually(lambda: worker.is_scheduling and notes.caught_up)
    standby = make_worker(clock, notifications=standby_notes)
    standby.start()

    jobs = worker.deadlines.jobs
    assert jobs.get_job(WEEKLY_DIGESTS).next_run_time == at(date(2026, 11, 23), second=0)
    now.move_to(at(date(2026, 11, 22), 10, 1, 40))
    worker.deadlines.wakeup()
    eventually(lambda: notes.delivered)
    assert notes.digests == []

    now.move_to(at(date(2026, 11, 23)))
    worker.deadlines.wakeup()
    eventually(lambda: notes.digests)
    assert notes.digests == [date(2026, 11, 23)]
    assert (standby_notes.caught_up, standby_notes.delivered, standby_notes.digests) == (
        0, [], [])
    with worker.deadlines.engine.connect() as conn:
        stored = conn.execute(sa.text(f"SELECT id FROM {JOBS_TABLE} ORDER BY id")).scalars()
        assert list(stored) == [DELIVER_NOTIFICATIONS, WEEKLY_DIGESTS]  # no deadlines pending


# The scc worker command -------------------------------------------------------------------

def _real_clock_store(app: Callable[..., Any]) -> tuple[SchoolCaseFiles, int]:
    """A store whose deadlines are due by the real clock, as a separate process sees it."""
    clock = FixedClock(datetime.now(UTC) - timedelta(hours=1))
    case_files, _, _ = app(clock)
    given_on = clock.today() - timedelta(days=30)
    school_with_notice(case_files, 990420, given_on, 5)
    return case_files, 990420


def _scc_worker(database_url: str, log: Path, tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "SCC_DATABASE_URL": database_url, "SCC_DATA_DIR": str(tmp_path),
           "SCC_SMTP_HOST": "127.0.0.1", "SCC_SMTP_PORT": "9"}
    with log.open("w") as stderr:  # the child keeps its own copy open
        return subprocess.Popen([str(SCC), "worker", "--poll", "0.1", "--lock-check", "0.1"],
                                env=env, stdout=subprocess.DEVNULL, stderr=stderr)


def _stop(*processes: subprocess.Popen) -> list[int]:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    return [process.wait(timeout=PROCESS_BOUND) for process in processes]


def test_two_scc_workers_on_one_store_record_each_firing_once(app, database_url, tmp_path):
    case_files, urn = _real_clock_store(app)
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    workers = [_scc_worker(database_url, log, tmp_path) for log in logs]
    try:
        eventually(lambda: len(recorded_firings(case_files, urn)) == 2, timeout=PROCESS_BOUND)
        eventually(lambda: all(re.search("runs the scheduler|standing by", log.read_text())
                               for log in logs), timeout=PROCESS_BOUND)
    finally:
        # The standby first: stopped the other way round, it would rightly take over.
        standby_first = sorted(zip(workers, logs, strict=True),
                               key=lambda w: "standing by" not in w[1].read_text())
        assert [code for worker, _ in standby_first for code in _stop(worker)] == [0, 0]

    # Check the compliance period's passing, then the decision's, each recorded once, with
    # no late reminders, and that one worker held the scheduler while the other stood by.
    assert [(kind, key) for kind, key, _, _ in recorded_firings(case_files, urn)] == [
        ("DeadlinePassed", "compliance:WN1"), ("DeadlinePassed", "decide_intervention:WN1")]
    text = "".join(log.read_text() for log in logs)
    assert text.count("This worker runs the scheduler") == 1
    assert text.count("standing by") == 1
    assert text.count(f"Fired URN {urn} ") == 2
    assert f"Fired URN {urn} compliance:WN1 due" in text and "passed" in text
    assert text.count("Worker stopped") == 2
    assert "Traceback" not in text


def test_a_standby_scc_worker_takes_over_when_the_scheduling_one_is_killed(
        app, database_url, tmp_path):
    clock = FixedClock(datetime.now(UTC) - timedelta(hours=1))
    case_files, _, _ = app(clock)
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    first = _scc_worker(database_url, logs[0], tmp_path)
    second = None
    try:
        eventually(lambda: "runs the scheduler" in logs[0].read_text(), timeout=PROCESS_BOUND)
        second = _scc_worker(database_url, logs[1], tmp_path)
        eventually(lambda: "standing by" in logs[1].read_text(), timeout=PROCESS_BOUND)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=5)
        eventually(lambda: "runs the scheduler" in logs[1].read_text(), timeout=PROCESS_BOUND)

        # A deadline that is already past comes in; the new holder fires it.
        school_with_notice(case_files, 990421, clock.today() - timedelta(days=30), 5)
        eventually(lambda: len(recorded_firings(case_files, 990421)) == 2,
                   timeout=PROCESS_BOUND)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=5)
        assert _stop(*[p for p in (second,) if p is not None]) == [0]
    assert "Fired URN 990421 compliance:WN1" in logs[1].read_text()
    assert [key for _, key, _, _ in recorded_firings(case_files, 990421)] == [
        "compliance:WN1", "decide_intervention:WN1"]
    assert "Fired" not in logs[0].read_text()
    assert "Traceback" not in logs[0].read_text() + logs[1].read_text()


def test_a_stop_does_not_wait_forever_on_a_follow_step_stuck_on_the_store(
        make_worker, clock, monkeypatch, caplog):
    # As when the database has gone: the step waits on the event store's connection pool.
    import scheduler.worker as worker_module

    monkeypatch.setattr(worker_module, "STOP_FOLLOW_SECONDS", 0.5)
    worker = make_worker(clock)
    stuck, released = threading.Event(), threading.Event()
    real_catch_up = worker.projections.catch_up

    def catch_up_stuck(*args: Any, **kwargs: Any) -> int:
        if worker.is_scheduling:
            stuck.set()
            released.wait(30)
        return real_catch_up(*args, **kwargs)

    monkeypatch.setattr(worker.projections, "catch_up", catch_up_stuck)
    worker.start()
    eventually(lambda: stuck.is_set())

    (follow,) = [t for t in threading.enumerate() if t.name == "scc-follow"]
    started = time.monotonic()
    worker.stop()
    stopped_after = time.monotonic() - started
    released.set()
    follow.join(10)  # done with the store before the test closes it

    assert stopped_after < 5
    assert "The follow loop is still waiting on the store" in caplog.text
    assert not worker.is_scheduling
