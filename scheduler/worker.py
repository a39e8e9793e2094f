"""The worker process: keeps the read models up to date and, when it holds the store's
scheduler lock, runs the deadline scheduler and the notification jobs.

Every worker follows the log (projections are safe to advance from several processes); only
the lock holder schedules, so a second worker is a standby that takes over when the first
goes. Firing stays exactly-once even in the moment two think they hold it: the case file
refuses a firing it already records.
"""

from __future__ import annotations

import logging
import signal
import threading
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from adapters.store_errors import store_failure
from application.case_files import SchoolCaseFiles
from application.projections import CaseFileProjections
from domain.deadlines import Firing
from scheduler.deadlines import ENGLAND, JOB_THREADS, DeadlineScheduler, PeriodicJob
from scheduler.lock import SchedulerLock

log = logging.getLogger(__name__)

FOLLOW_STEP = 2_000
"""Entries the follow loop processes between looks at whether it should stop: a worker told
to stop (SIGTERM) finishes the step in hand, each batch of which commits with its position,
rather than a whole backlog."""
STOP_FOLLOW_SECONDS = 20
"""How long a stop waits for the follow loop's step in hand; a step still waiting on a store
that has gone by then is left behind (it has not committed, so nothing of it is kept)."""
THREADS = 2 + JOB_THREADS
"""The worker's threads that use the stores at once: the follow loop, the scheduler's own
thread (the job store) and its jobs'. The scheduler lock holds a connection of its own."""
DELIVER_NOTIFICATIONS = "deliver-notifications"
WEEKLY_DIGESTS = "weekly-digests"
SIGN_CHECKPOINT = "sign-checkpoint"


class Notifications(Protocol):
    """What the worker asks of the notifications use case (application.notifications)."""

    def catch_up(self, pages: int | None = None) -> int:
        """Queues the messages that new entries call for (at most ``pages`` pages of them);
        returns how many it queued."""

    def deliver(self, now: Any) -> Any:
        """Sends what is queued and due."""

    def queue_digests(self, today: Any) -> int:
        """Queues each caseworker's weekly digest."""


_workers: dict[str, Worker] = {}
"""The workers running in this process, by id, for the stored jobs to find."""


def _log_failure(what: str, error: Exception) -> None:
    """One line for the store failing (a server restarting, a full disk): it is not a bug,
    and the loops say it again at each try; a traceback for anything else."""
    failure = store_failure(error)
    if failure is None:
        log.exception(what)
    else:
        log.warning("%s: %s", what, failure.reason)


def deliver_notifications(worker_id: str) -> None:
    """Job: send the queued notifications (every minute, or as ``scc worker --send-every``
    says)."""
    if worker := _workers.get(worker_id):
        worker.notifications.deliver(worker.case_files.clock.now())


def queue_weekly_digests(worker_id: str) -> None:
    """Job: queue the weekly digests (Mondays at the reminder hour)."""
    if worker := _workers.get(worker_id):
        worker.notifications.queue_digests(worker.case_files.clock.today())


def sign_checkpoint(worker_id: str) -> None:
    """Job: sign a checkpoint of the log into the LA's folder (every SCC_CHECKPOINT_EVERY
    minutes)."""
    if worker := _workers.get(worker_id):
        worker.sign_checkpoint()


class Worker:
    """Runs the follow loop in a thread, and the scheduler once it holds the lock."""

    def __init__(
        self, case_files: SchoolCaseFiles, projections: CaseFileProjections, *,
        engine: Any, lock: SchedulerLock, notifications: Notifications | None = None,
        reminder_hour: int = 7, poll_seconds: float = 1.0, lock_check_seconds: float = 5.0,
        send_seconds: float = 60.0, on_fired: Callable[[Firing], None] | None = None,
        checkpoint: Callable[[], dict[str, Any]] | None = None, checkpoint_minutes: int = 60,
    ) -> None:
        self.case_files = case_files
        self.checkpoint = checkpoint
        self.checkpoint_minutes = checkpoint_minutes
        self._looked_for_steps: int | None = None  # the log's position at the last look
        self.projections = projections
        self.notifications = notifications
        self.lock = lock
        self.poll_seconds = poll_seconds
        self.lock_check_seconds = lock_check_seconds
        self.send_seconds = send_seconds
        self.deadlines = DeadlineScheduler(case_files, projections, engine=engine,
                                           reminder_hour=reminder_hour, on_fired=on_fired)
        self.id = uuid.uuid4().hex
        self._stop = threading.Event()
        self._scheduling = threading.Event()
        self._caught_up = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def is_scheduling(self) -> bool:
        """Whether this worker holds the lock and runs the scheduler."""
        return self._scheduling.is_set()

    # Running -----------------------------------------------------------------------------

    def run(self) -> None:
        """Runs until SIGTERM or SIGINT, then shuts down in order (main thread only)."""
        def request_stop(signum: int, _: Any) -> None:
            log.info("Received %s; stopping", signal.Signals(signum).name)
            self._stop.set()

        previous = {sig: signal.signal(sig, request_stop)
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            while not self._stop.wait(1.0):
                pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def start(self) -> None:
        _workers[self.id] = self
        self._threads = [
            threading.Thread(target=self._follow, name="scc-follow", daemon=True),
            threading.Thread(target=self._hold_lock, name="scc-scheduler-lock", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stops the scheduler (a running job finishes), then the follow loop, then releases
        the lock. The caller closes the application and the stores."""
        self._stop.set()
        self._caught_up.set()  # wakes a keeper still waiting for the follow loop
        follow, keeper = self._threads or (None, None)
        if keeper is not None:
            keeper.join()
        holding = self._scheduling.is_set()
        self._scheduling.clear()
        if holding:
            self.deadlines.stop()
        if follow is not None:
            # A step waits for the store (with a store that has gone, for as long as the
            # event store's connection pool waits, then retries): it is left behind after a
            # while rather than holding up the stop. What it had not committed is not written
            # (each batch goes in whole with its position); the next worker does it.
            follow.join(STOP_FOLLOW_SECONDS)
            if follow.is_alive():
                log.warning("The follow loop is still waiting on the store after %d s; "
                            "stopping without it (nothing it had not committed is kept)",
                            STOP_FOLLOW_SECONDS)
        if holding:
            self.lock.release()
            log.info("Released the scheduler lock")
        _workers.pop(self.id, None)
        self._threads = []
        self._caught_up.clear()

    # The threads --------------------------------------------------------------------------

    def _follow(self) -> None:
        """Keeps the read models up to date, ``FOLLOW_STEP`` entries at a time so that a
        stop request is seen between steps; once caught up and while scheduling, queues
        notifications and reconciles the deadline job if the read models moved (deadlines
        may have changed)."""
        moved = False
        while not self._stop.is_set():
            behind = False
            try:
                processed = self.projections.catch_up(limit=FOLLOW_STEP)
                moved = processed > 0 or moved
                behind = processed >= FOLLOW_STEP
                if not behind:
                    self._caught_up.set()
                if self._scheduling.is_set() and not behind:
                    if self.notifications is not None:
                        self.notifications.catch_up(pages=1)  # the rest next time round
                    if moved:
                        moved = False
                        self.deadlines.reconcile()
                    if self.checkpoint is not None and self._statutory_step_since():
                        self.sign_checkpoint()
            except Exception as error:
                _log_failure("The follow loop failed; trying again", error)
                moved = True  # reconcile once things work again
            if not behind:
                self._stop.wait(self.poll_seconds)

    def sign_checkpoint(self) -> None:
        """Signs a checkpoint of the log into the LA's folder. A log that no longer matches
        the last checkpoint is logged as an error, at every try, and nothing is signed over
        it."""
        from application.anchor import CheckpointRefused

        if self.checkpoint is None:
            return
        try:
            taken = self.checkpoint()
        except CheckpointRefused as error:
            log.error("Checkpoint refused: %s", error)
            return
        except OSError as error:  # the folder, or the timestamp authority: tried next time
            log.error("The checkpoint was not completed: %s", error)
            return
        if taken["written"] is not None:
            log.info("Checkpoint of %s entries signed: %s%s", taken["size"], taken["written"],
                     f" (timestamped: {taken['timestamp']})" if taken.get("timestamp") else "")

    def _statutory_step_since(self) -> bool:
        """Whether a statutory step was logged since the last look; the first look after
        start only notes the position (the schedule covers what came before)."""
        from application.anchor import statutory_step_recorded

        upto = self.case_files.recorder.max_notification_id() or 0
        after, self._looked_for_steps = self._looked_for_steps, upto
        return after is not None and statutory_step_recorded(self.case_files, after, upto)

    def _hold_lock(self) -> None:
        """Takes the lock when it is free (standing by until then) and starts the scheduler;
        stands down if the lock is lost. It first waits for the follow loop to catch up
        with the log: the scheduler's start reads the read models, and a backlog is better
        worked through in the follow loop's steps, between which a stop request is seen."""
        announced = False
        while not self._caught_up.wait(self.lock_check_seconds):
            if self._stop.is_set():
                return
        while not self._stop.is_set():
            try:
                if not self._scheduling.is_set():
                    if self.lock.acquire():
                        self._take_over()
                    elif not announced:
                        log.info("Another worker runs the scheduler; standing by")
                        announced = True
                elif not self.lock.still_held():
                    log.warning("Lost the scheduler lock; standing by")
                    self._stand_down()
                    announced = True
            except Exception as error:
                _log_failure("Could not take the scheduler lock; trying again", error)
            self._stop.wait(self.lock_check_seconds)

    def _take_over(self) -> None:
        try:
            self.deadlines.start(self._periodic_jobs())
        except BaseException:
            self.lock.release()
            raise
        self._scheduling.set()
        log.info("This worker runs the scheduler (deadlines at %02d:00 UK time)",
                 self.deadlines.reminder_hour)

    def _stand_down(self) -> None:
        self._scheduling.clear()
        self.deadlines.stop()
        self.lock.release()

    def _periodic_jobs(self) -> list[PeriodicJob]:
        jobs = []
        if self.checkpoint is not None and self.checkpoint_minutes > 0:
            jobs.append(PeriodicJob(SIGN_CHECKPOINT, sign_checkpoint, IntervalTrigger(
                minutes=self.checkpoint_minutes, timezone=ENGLAND), (self.id,)))
        if self.notifications is None:
            return jobs
        return jobs + [
            PeriodicJob(DELIVER_NOTIFICATIONS, deliver_notifications,
                        IntervalTrigger(seconds=self.send_seconds, timezone=ENGLAND), (self.id,)),
            PeriodicJob(WEEKLY_DIGESTS, queue_weekly_digests,
                        CronTrigger(day_of_week="mon", hour=self.deadlines.reminder_hour,
                                    minute=0, timezone=ENGLAND), (self.id,)),
        ]
