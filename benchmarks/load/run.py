"""The load test's steps: a PostgreSQL store filled from an SQLite log, its users and plan,
locust run headless against the production topology, and its figures against the target."""

from __future__ import annotations

import csv
import json
import os
import random
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.load.store import copy_log
from benchmarks.load.topology import SCC

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
PASSWORD = "load test password, not for production"
MAX_P95_MS = 200.0
SEARCHES = 200
"""Distinct search words the users pick from: place names the schools' names begin with."""


# The store ----------------------------------------------------------------------------------

def prepare_store(sqlite_log: Path, database_url: str, *, users: int,
                  progress: Callable[[str], None] = lambda _: None) -> list[str]:
    """Copies the log into the empty PostgreSQL store, rebuilds its read models with
    ``scc projections rebuild`` and adds ``users`` caseworkers; returns their emails."""
    progress(f"copying {sqlite_log.name} into PostgreSQL")
    events = copy_log(sqlite_log, database_url,
                      progress=lambda n: progress(f"copied {n:,} events"))
    progress(f"copied {events:,} events; rebuilding the read models")
    subprocess.run([str(SCC), "projections", "rebuild"], check=True,
                   env=_env(database_url), stdout=subprocess.DEVNULL)
    return add_caseworkers(database_url, users)


def add_caseworkers(database_url: str, count: int) -> list[str]:
    from adapters.bootstrap import build_users
    from adapters.config import Settings

    emails = [f"caseworker{n:03}@load.example" for n in range(1, count + 1)]
    users = build_users(Settings(database_url=database_url))
    try:
        for n, email in enumerate(emails, start=1):
            users.add(email=email, name=f"Load Caseworker {n}", role="caseworker",
                      password=PASSWORD)
    finally:
        users.close()
    return emails


def write_plan(database_url: str, emails: list[str], path: Path) -> dict[str, Any]:
    """What the simulated users act on (see locustfile): the open maintained schools (where
    every command is allowed), words to search for, the schools list's page count."""
    from adapters.read_models import SQLReadModels, read_model_engine

    store = SQLReadModels(read_model_engine(database_url))
    try:
        schools = store.schools()
    finally:
        store.close()
    open_maintained = sorted(s["urn"] for s in schools
                             if s["closed_on"] is None and s["governance"] == "maintained")
    words = sorted({s["name"].split()[0] for s in schools if s["name"]})
    plan = {"users": emails, "password": PASSWORD, "urns": open_maintained,
            "searches": random.Random(0).sample(words, min(SEARCHES, len(words))),
            "school_pages": max(1, -(-len(schools) // 50))}
    if not plan["urns"]:
        raise ValueError(f"{database_url} has no open maintained school to record on")
    path.write_text(json.dumps(plan), encoding="utf-8")
    return plan


def _env(database_url: str) -> dict[str, str]:
    return {**os.environ, "SCC_DATABASE_URL": database_url}


# Locust -------------------------------------------------------------------------------------

@dataclass
class Figures:
    """What a locust run measured. Signing in (once per user, as the users start) is
    counted apart: the figures are over the work the users then do, reads and commands;
    ``failures`` counts every failed request, sign-ins included; ``sign_ins`` counts the
    sign-in forms sent, ``sign_in_p95_ms`` their p95; ``served`` counts every request,
    sign-ins included (what the server's CPU is spread over); ``locust_cpu_s`` is the CPU
    locust itself used."""

    requests: int
    failures: int
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    sign_ins: int
    sign_in_p95_ms: float
    served: int
    locust_cpu_s: float = 0.0
    by_name: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        met = self.failures == 0 and self.p95_ms <= MAX_P95_MS
        return "met" if met else "MISSED"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "target": f"no errors, p95 <= {MAX_P95_MS:g} ms",
                "verdict": self.verdict}


def run_locust(host: str, plan: Path, *, users: int, spawn_rate: float, run_time: str,
               out: Path, meanwhile: Callable[[], None] = lambda: None) -> Figures:
    """Runs locust headless in a process of its own (it patches the standard library with
    gevent), its CSV files and log in ``out``, and reads what it measured; ``meanwhile``
    is called once locust has started (to profile the server while it works)."""
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
               "--host", host, "-u", str(users), "-r", str(spawn_rate), "-t", run_time,
               "--csv", str(out / "locust"), "--only-summary", "--stop-timeout", "10",
               "--exit-code-on-error", "0", "--loglevel", "WARNING"]
    samples = out / "samples.json"
    out.mkdir(parents=True, exist_ok=True)
    with (out / "locust.log").open("wb") as output:
        locust = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                  env={**_env(""), "SCC_LOAD_PLAN": str(plan),
                                       "SCC_LOAD_SAMPLES": str(samples)})
        try:
            meanwhile()
        finally:
            # wait4: the kernel's account of locust's own CPU as it exits
            _, status, used = os.wait4(locust.pid, 0)
            locust.returncode = os.waitstatus_to_exitcode(status)
    if locust.returncode != 0:
        raise subprocess.CalledProcessError(locust.returncode, command)
    measured = figures(json.loads(samples.read_text(encoding="utf-8")), out / "locust")
    measured.locust_cpu_s = used.ru_utime + used.ru_stime
    return measured


def figures(samples: list[list[Any]], csv_prefix: Path) -> Figures:
    """The figures from every request's (end time, name, ms, failed), and the failures'
    messages from locust's CSV."""
    with open(f"{csv_prefix}_failures.csv", encoding="utf-8", newline="") as file:
        failed = [{"method": r["Method"], "name": r["Name"], "error": r["Error"],
                   "occurrences": int(r["Occurrences"])} for r in csv.DictReader(file)]
    work = [s for s in samples if not s[1].endswith(SIGN_IN)]
    sign_ins = [s[2] for s in samples if s[1] == f"POST{SIGN_IN}"]
    if not work:
        raise ValueError("locust recorded no requests beyond signing in")
    span = max(s[0] for s in work) - min(s[0] for s in work)
    times = [s[2] for s in work]
    by_name: dict[str, list[list[Any]]] = {}
    for sample in samples:
        by_name.setdefault(sample[1], []).append(sample)
    return Figures(
        requests=len(work), failures=sum(s[3] for s in samples),
        requests_per_s=len(work) / span if span else 0.0,
        p50_ms=_p50(times), p95_ms=_p95(times), max_ms=max(times),
        sign_ins=len(sign_ins), sign_in_p95_ms=_p95(sign_ins) if sign_ins else 0.0,
        served=len(samples),
        by_name=[{"name": name, "requests": len(rows), "failures": sum(r[3] for r in rows),
                  "p50_ms": _p50([r[2] for r in rows]), "p95_ms": _p95([r[2] for r in rows])}
                 for name, rows in sorted(by_name.items(), key=lambda item: item[0][4:])],
        failed=failed,
    )


SIGN_IN = " /sign-in"


def _p50(samples: list[float]) -> float:
    return statistics.median(samples)


def _p95(samples: list[float]) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def report(figures: Figures, setting: str) -> str:
    """The figures as the table ``make load`` prints."""
    lines = [setting, "",
             f"{'request':<44} {'count':>7} {'fails':>6} {'p50 ms':>8} {'p95 ms':>8}"]
    for row in figures.by_name:
        lines.append(f"{row['name']:<44} {row['requests']:>7} {row['failures']:>6} "
                     f"{row['p50_ms']:>8.0f} {row['p95_ms']:>8.0f}")
    lines += [
        f"{'all but signing in':<44} {figures.requests:>7} {figures.failures:>6} "
        f"{figures.p50_ms:>8.0f} {figures.p95_ms:>8.0f}", "",
        f"throughput {figures.requests_per_s:.1f} requests/s; errors {figures.failures}; "
        f"p95 {figures.p95_ms:.0f} ms (target: no errors, p95 <= {MAX_P95_MS:g} ms): "
        f"{figures.verdict}",
    ]
    lines += [f"  failed: {f['occurrences']} x {f['method']} {f['name']}: {f['error']}"
              for f in figures.failed]
    return "\n".join(lines)
