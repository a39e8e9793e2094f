"""What the benchmarks share: rows of figures, timing, and the stores they run on."""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from adapters.calendars import england_and_wales_calendar
from adapters.clock import SystemClock
from adapters.event_store import event_store_env
from adapters.key_store import SQLKeyStore, key_store_url
from adapters.memory import settle_after_start
from adapters.schemes import load_scheme
from application.case_files import SchoolCaseFiles
from application.personal_keys import Keyring

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Row:
    """One figure, against a baseline (ratio target) or an absolute target.

    Figures are in milliseconds unless ``unit`` says otherwise (``figure_ms``, ``baseline_ms``
    and ``max_ms`` are then in that unit: a rate in events/s, a size in MB). ``max_ratio`` is
    for costs (lower is better), ``min_ratio`` for rates (higher is better).
    """

    benchmark: str
    figure_ms: float | None
    baseline_ms: float | None = None
    max_ratio: float | None = None
    max_ms: float | None = None
    note: str = ""
    unit: str = "ms"
    min_ratio: float | None = None
    error: str = ""
    """What the benchmark raised, when it raised instead of measuring."""
    min_figure: float | None = None
    """An absolute floor for a rate (in ``unit``), beside its baseline."""

    @property
    def ratio(self) -> float | None:
        if self.figure_ms is None or not self.baseline_ms:
            return None
        return self.figure_ms / self.baseline_ms

    @property
    def target(self) -> str:
        if self.max_ratio is not None:
            return f"ratio <= {self.max_ratio:g}"
        if self.min_ratio is not None:
            return f"ratio >= {self.min_ratio:g}"
        if self.min_figure is not None:
            return f">= {self.min_figure:g} {self.unit}"
        return f"<= {self.max_ms:g} {self.unit}" if self.max_ms is not None else "-"

    @property
    def verdict(self) -> str:
        if self.error:
            return f"ERROR: {self.error}"
        if self.figure_ms is None:
            return f"skipped: {self.note}" if self.note else "skipped"
        if self.max_ratio is not None and self.ratio is not None:
            return "met" if self.ratio <= self.max_ratio else "MISSED"
        if self.min_ratio is not None and self.ratio is not None:
            return "met" if self.ratio >= self.min_ratio else "MISSED"
        if self.max_ms is not None:
            return "met" if self.figure_ms <= self.max_ms else "MISSED"
        if self.min_figure is not None:
            return "met" if self.figure_ms >= self.min_figure else "MISSED"
        return "report only"

    def shown(self, value: float | None) -> str:
        """A figure or baseline as the table prints it, with its unit."""
        if value is None:
            return "-"
        if self.unit == "ms":
            return f"{value:.3f} ms"
        return f"{value:,.0f} {self.unit}" if abs(value) >= 100 else f"{value:.1f} {self.unit}"


def progress(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def timed(call: Callable[[], object]) -> float:
    """Wall time of one call, in milliseconds."""
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


@contextmanager
def as_a_server() -> Iterator[None]:
    """The garbage collector as a server process sets it once started (``adapters.memory``),
    for the timings inside; as it was afterwards, for the benchmarks after."""
    threshold = gc.get_threshold()
    settle_after_start()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def case_files_on(database_url: str) -> SchoolCaseFiles:
    """The application as `adapters.bootstrap` builds it, on the system clock."""
    clock = SystemClock()
    return SchoolCaseFiles(
        event_store_env(database_url), clock=clock,
        working_days=england_and_wales_calendar(), scheme=load_scheme("peterborough"),
        keyring=Keyring(SQLKeyStore(key_store_url(database_url, None), clock=clock)),
    )


class PostgresUnavailable(Exception):
    """The PostgreSQL server could not be reached or would not create a database."""


@contextmanager
def postgres_database(label: str) -> Iterator[str]:
    """A database of our own on the local server, dropped afterwards; yields its URL."""
    import psycopg  # only the PostgreSQL variants need the driver
    from psycopg import sql

    admin_url = os.environ.get("SCC_BENCH_POSTGRES_URL", POSTGRES_ADMIN_URL)
    database = f"scc_bench_{label}_{os.getpid()}"
    name = sql.Identifier(database)
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.Error as error:
        raise PostgresUnavailable(f"{admin_url}: {' '.join(str(error).split())}") from error
    with admin:
        try:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        except psycopg.Error as error:
            raise PostgresUnavailable(f"{admin_url}: {' '.join(str(error).split())}") from error
        try:
            yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{database}"))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def peak_mb() -> float:
    """This process's peak RSS in MB (adapters.rebuild_processes.peak_mb, which the
    processes of a shared-out rebuild report theirs with); refuses to guess without it."""
    from adapters.rebuild_processes import peak_mb as measured

    if not (mb := measured()):
        raise RuntimeError("no VmHWM in /proc/self/status")
    return mb
