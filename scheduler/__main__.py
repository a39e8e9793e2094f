"""``python -m scheduler`` (what ``scc worker`` runs): builds the worker and runs it until stopped."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

import click


class ConfigurationError(click.ClickException):
    """A setting the user can fix: ``Error: <message>``, status 2."""

    exit_code = 2


@click.command(help="Run the worker until stopped (SIGTERM or Ctrl-C). Every worker keeps the "
               "read models up to date; the one holding the store's scheduler lock also fires "
               "deadline reminders and passings (one line each on stderr) and sends "
               "notifications. Further workers on the same store stand by and take over "
               "when it stops.")
@click.option("--poll", "poll_seconds", type=click.FloatRange(min=0.01), default=1.0,
              show_default=True, help="Seconds between looks at the log for new entries.")
@click.option("--reminder-hour", envvar="SCC_REMINDER_HOUR", type=click.IntRange(0, 23),
              default=7, show_default=True,
              help="Hour (UK time) at which a day's reminders and passings fire "
                   "[env SCC_REMINDER_HOUR].")
@click.option("--lock-check", "lock_check_seconds", type=click.FloatRange(min=0.01),
              default=5.0, show_default=True,
              help="Seconds between a standby's attempts to take over the scheduler (and the "
                   "holder's checks that it still holds it).")
@click.option("--send-every", "send_seconds", type=click.FloatRange(min=0.01), default=60.0,
              show_default=True, help="Seconds between the scheduling worker's passes over "
                                      "the outbox, sending what is due.")
def worker(poll_seconds: float, reminder_hour: int, lock_check_seconds: float,
           send_seconds: float) -> None:
    from eventsourcing.persistence import PersistenceError

    from adapters.bootstrap import settle_after_start
    from adapters.config import Settings
    from adapters.logs import configure_logging
    from scheduler.worker import Worker

    try:
        settings = Settings.from_env()
        configure_logging(settings.log_format)
    except ValueError as error:
        raise ConfigurationError(str(error)) from None
    with contextlib.ExitStack() as closing:
        try:
            case_files, projections, engine, lock, notifications = _open(settings, closing)
        except ValueError as error:
            raise ConfigurationError(str(error)) from None
        except PersistenceError as error:
            raise ConfigurationError(f"Cannot open the case-file store: {error}") from None
        settle_after_start()
        Worker(case_files, projections, engine=engine, lock=lock, notifications=notifications,
               reminder_hour=reminder_hour, poll_seconds=poll_seconds,
               lock_check_seconds=lock_check_seconds, send_seconds=send_seconds,
               checkpoint=_checkpoints(settings, case_files),
               checkpoint_minutes=settings.checkpoint_every).run()
    logging.getLogger("scheduler").info("Worker stopped")


def _checkpoints(settings: Any, case_files: Any) -> Any:
    """Signs a checkpoint into the LA's folder when called, if a signing key is configured;
    a key that cannot be read stops the worker at start, not at the first checkpoint."""
    from adapters.bootstrap import build_checkpointer

    try:
        return build_checkpointer(settings, case_files)
    except ValueError as error:
        raise ConfigurationError(f"SCC_CHECKPOINT_KEY: {error}") from None


def _open(settings: Any, closing: contextlib.ExitStack) -> tuple[Any, ...]:
    """The application, its read models, the job store's engine, the lock and the
    notifications, each closed by ``closing``. Two workers starting together on a new store
    may both try to create its tables: the one that loses tries again."""
    from eventsourcing.persistence import IntegrityError, InternalError
    from sqlalchemy.exc import DatabaseError

    from adapters.bootstrap import (
        Pools,
        build_case_files,
        build_job_store_engine,
        build_notifications,
        build_projections,
        scheduler_database_url,
    )
    from scheduler.lock import scheduler_lock
    from scheduler.worker import THREADS

    for attempt in range(1, 4):
        pools = Pools(THREADS)
        with contextlib.ExitStack() as opened:
            try:
                case_files = build_case_files(settings, pools=pools)
                opened.callback(case_files.close)
                projections = build_projections(settings, case_files, pools=pools)
                opened.callback(projections.store.close)
                notifications = build_notifications(settings, case_files, pools=pools)
                opened.callback(notifications.close)
            except (DatabaseError, IntegrityError, InternalError):
                # "already exists", a duplicate key, "tuple concurrently updated"
                if attempt == 3:
                    raise
                time.sleep(0.2 * attempt)
                continue
            engine = build_job_store_engine(settings, pools=pools)
            opened.callback(engine.dispose)
            lock = scheduler_lock(scheduler_database_url(settings))
            closing.push(opened.pop_all())
            return case_files, projections, engine, lock, notifications
    raise AssertionError("unreachable")


if __name__ == "__main__":
    worker.main(prog_name="scc worker")
