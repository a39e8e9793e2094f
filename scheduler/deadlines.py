"""The deadline scheduler: one APScheduler job, always set for the next reminder or passing.

The event log is the truth and the ``firings`` read model lists every pending firing with its
day; the job store holds only the moment to look again. So 100,000 pending deadlines are one
row in ``apscheduler_jobs``, and a restart after downtime loses nothing: ``reconcile`` fires
whatever came due meanwhile (APScheduler's own one-second misfire grace would drop it), then
sets the job for what comes next.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger

from application.case_files import SchoolCaseFiles
from application.projections import CaseFileProjections
from domain.deadlines import PASSED, Firing

ENGLAND = ZoneInfo("Europe/London")
NEXT_DEADLINES = "next-deadlines"
"""The id of the one job that fires deadlines."""
JOBS_TABLE = "apscheduler_jobs"
JOB_THREADS = 3
"""Jobs run at once: the deadline job and the periodic ones (sending, digests, checkpoints)."""
RETRY_AFTER = timedelta(minutes=1)
"""How soon to look again when recording a firing failed (a database hiccup, say)."""

log = logging.getLogger(__name__)

_running: dict[str, DeadlineScheduler] = {}
"""The schedulers running in this process, by id: a stored job names one by its id, since
live objects cannot be pickled into the job store."""


def fire_due_deadlines(scheduler_id: str) -> None:
    """The job APScheduler runs: fire what is due and set the job for the next firing."""
    scheduler = _running.get(scheduler_id)
    if scheduler is None:  # left by a worker that has gone; the running one replaces it
        log.info("No deadline scheduler %s in this process; skipping its job", scheduler_id)
        return
    try:
        scheduler.reconcile()
    except Exception:  # the database went away, say: the one-off job must not end here
        log.exception("Could not fire the due deadlines; trying again in a minute")
        scheduler.retry_soon()


class _Scheduler(BackgroundScheduler):
    """APScheduler's background scheduler, stopped without a race: its pass over the jobs
    checks for a pause before it takes the job stores' lock, so a pass could begin just as
    ``shutdown`` closed the executors, and fail in the scheduler's thread (seen when a
    worker lost its lock and stood down). A pass here takes the lock first, and does
    nothing once the scheduler is stopped."""

    def _process_jobs(self) -> float | None:
        with self._jobstores_lock:
            if self.state == STATE_STOPPED:
                return None
            return super()._process_jobs()


@dataclass(frozen=True)
class PeriodicJob:
    """Another job for the same scheduler (delivering notifications, say). ``func`` must be
    an importable module-level function and ``args`` picklable."""

    id: str
    func: Callable[..., Any]
    trigger: BaseTrigger
    args: tuple[Any, ...] = field(default=())


def describe(firing: Firing) -> str:
    """One log line for a firing: the school, the deadline, reminder or passed."""
    what = ("passed" if firing.working_days_before == PASSED
            else f"reminder, {firing.working_days_before} working day"
                 f"{'' if firing.working_days_before == 1 else 's'} before")
    return f"URN {firing.urn} {firing.key} due {firing.due.isoformat()}: {what}"


class DeadlineScheduler:
    """Fires the case files' reminders and passings on their days, at the reminder hour
    (England's time), exactly once: the case file refuses a firing it already holds."""

    def __init__(
        self, case_files: SchoolCaseFiles, projections: CaseFileProjections, *,
        engine: Any, reminder_hour: int = 7,
        on_fired: Callable[[Firing], None] | None = None,
    ) -> None:
        if not 0 <= reminder_hour <= 23:
            raise ValueError(f"The reminder hour is 0 to 23, not {reminder_hour}")
        self.case_files = case_files
        self.projections = projections
        self.engine = engine
        self.reminder_hour = reminder_hour
        self.on_fired = on_fired or (lambda firing: log.info("Fired %s", describe(firing)))
        self.id = uuid.uuid4().hex
        self.jobs: BackgroundScheduler | None = None
        self._reconciling = threading.Lock()

    # Running -----------------------------------------------------------------------------

    def start(self, periodic: Iterable[PeriodicJob] = ()) -> None:
        """Starts the APScheduler: fires what came due while nothing ran, sets the deadline
        job, adds the periodic jobs, then lets jobs run. Jobs left by an earlier worker are
        replaced before any of them can run."""
        periodic = list(periodic)
        jobs = _Scheduler(
            timezone=ENGLAND,
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=JOBS_TABLE)},
            executors={"default": ThreadPoolExecutor(max_workers=JOB_THREADS)},
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        jobs.start(paused=True)
        wanted = {NEXT_DEADLINES, *(job.id for job in periodic)}
        for job in jobs.get_jobs():
            if job.id not in wanted:
                jobs.remove_job(job.id)
        with self._reconciling:
            self.jobs = jobs
            _running[self.id] = self
        try:
            self.reconcile()
            for job in periodic:
                self._keep(job)
        except BaseException:
            self.stop()
            raise
        jobs.resume()

    def stop(self) -> None:
        """Stops the APScheduler, letting a running job finish first."""
        jobs = self.jobs
        if jobs is None:
            return
        jobs.pause()  # no new job starts
        with self._reconciling:  # a reconcile under way finishes; later ones do nothing
            self.jobs = None
            _running.pop(self.id, None)
        jobs.shutdown(wait=True)

    def wakeup(self) -> None:
        """Makes the APScheduler look at its jobs now (after the clock moved, in tests)."""
        if self.jobs is not None:
            self.jobs.wakeup()

    @property
    def running(self) -> bool:
        return self.jobs is not None

    def next_run_time(self) -> datetime | None:
        """When the deadline job will run next, if it is set."""
        job = self.jobs.get_job(NEXT_DEADLINES) if self.jobs else None
        return job.next_run_time if job else None

    # Reconciling -------------------------------------------------------------------------

    def reconcile(self, now: datetime | None = None) -> list[Firing]:
        """Fires every firing already due, then sets the job for the next firing moment.
        Returns what was recorded. Called at start-up, by the job, and whenever the read
        models moved (the deadlines may have changed)."""
        with self._reconciling:
            if self.jobs is None:
                return []  # stopped: another worker may hold the scheduler now
            now = now or self.case_files.clock.now()
            self.projections.catch_up()  # the firings read model, up to date with the log
            fired, failed = [], False
            while True:
                more, failing = self._fire_due(now)
                failed = failed or failing
                if not more:
                    break
                fired += more
                # The firings recorded leave the list, and may bring a deadline that is due
                # already (a passing after downtime puts the decision on the list): again.
                self.projections.catch_up()
            self._schedule_next(now, retry=failed)
            return fired

    def retry_soon(self) -> None:
        """Sets the job to run again shortly (after a failed run)."""
        with self._reconciling:
            if self.jobs is None:
                return
            try:
                self._set_job(self.case_files.clock.now() + RETRY_AFTER)
            except Exception:
                log.exception("Could not set the deadline job; the next change sets it")

    def due_by(self, now: datetime) -> date:
        """The last day whose firings are due at ``now``: today once the reminder hour has
        come, else yesterday."""
        local = now.astimezone(ENGLAND)
        today = local.date()
        return today if local.time() >= time(self.reminder_hour) else today - timedelta(days=1)

    def moment(self, day: date) -> datetime:
        """When a firing due on ``day`` fires: that day at the reminder hour, England's time."""
        return datetime.combine(day, time(self.reminder_hour), tzinfo=ENGLAND)

    def _fire_due(self, now: datetime) -> tuple[list[Firing], bool]:
        due_by = self.due_by(now)
        urns = dict.fromkeys(row["urn"] for row in self.projections.store.firings(due_by=due_by))
        fired, failed = [], False
        for urn in urns:
            # The case file's own list, not the read-model rows: it drops reminders whose due
            # date has gone by (after downtime) and anything already recorded.
            try:
                due = [f for f in self.case_files.firings(urn) if f.on <= due_by]
                for firing in due:
                    if self.case_files.fire(firing):
                        fired.append(firing)
                        self.on_fired(firing)
            except Exception:
                log.exception("Could not record the firings of URN %s; trying again soon", urn)
                failed = True
        return fired, failed

    def _schedule_next(self, now: datetime, *, retry: bool) -> None:
        assert self.jobs is not None
        next_on = self.projections.store.next_firing_on()
        if next_on is None and not retry:
            with contextlib.suppress(JobLookupError):
                self.jobs.remove_job(NEXT_DEADLINES)
            return
        run_at = self.moment(next_on) if next_on is not None else None
        if run_at is None or run_at <= now:
            # What is left on the list at or before now could not be fired (a reminder gone
            # stale while nothing ran stays listed until its school's rows are rebuilt):
            # the next moment anything can come due is the next reminder hour.
            run_at = self.moment(self.due_by(now) + timedelta(days=1))
        if retry:
            run_at = min(run_at, now + RETRY_AFTER)
        self._set_job(run_at)

    def _set_job(self, run_at: datetime) -> None:
        assert self.jobs is not None
        # Two instances: should the job come due again while a run is still finishing, the
        # second waits for the first (reconciling is one at a time) rather than being
        # skipped, which would drop a one-off job from the store.
        self.jobs.add_job(
            fire_due_deadlines, DateTrigger(run_at), args=(self.id,), id=NEXT_DEADLINES,
            name="Fire due deadlines", replace_existing=True, misfire_grace_time=None,
            coalesce=True, max_instances=2,
        )

    def _keep(self, job: PeriodicJob) -> None:
        """Adds a periodic job, or keeps the stored one with its next run time (so a weekly
        digest missed while nothing ran still goes, once) if its trigger is unchanged."""
        assert self.jobs is not None
        stored = self.jobs.get_job(job.id)
        if stored is not None and str(stored.trigger) == str(job.trigger):
            self.jobs.modify_job(job.id, func=job.func, args=job.args)
            return
        self.jobs.add_job(
            job.func, job.trigger, args=job.args, id=job.id, replace_existing=True,
            misfire_grace_time=None, coalesce=True, max_instances=1,
        )
