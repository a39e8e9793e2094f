"""The load test in steps: locust run once per number of users against the same running
topology, each step with its figures, its CPU and, for the last, the web workers' profile;
and the table that shows where the curve bends."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.load import profile
from benchmarks.load.cpu import CpuMeter, CpuUse
from benchmarks.load.run import MAX_P95_MS, Figures, report, run_locust
from benchmarks.load.topology import Topology

SETTLE_SECONDS = 10.0
"""Pause between steps: the last step's sessions close and the worker catches up."""
PROFILE_SECONDS = 30
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def users_list(text: str) -> list[int]:
    """``--users``: one number or several, comma-separated (``50,100,150``)."""
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        raise ValueError(f"{text!r} is not a number of users or a list like 50,100,150") \
            from None
    if any(count < 1 for count in counts):
        raise ValueError(f"{text!r}: every step needs at least one user")
    return counts


def seconds(duration: str) -> int:
    """A run time as locust reads it (``20s``, ``5m``, ``1h30m``, or plain seconds)."""
    if duration.isdigit():
        return int(duration)
    match = _DURATION.match(duration)
    if not duration or match is None:
        raise ValueError(f"{duration!r} is not a run time like 30s, 5m or 1h30m")
    hours, minutes, secs = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + secs


def connections(database_url: str) -> str:
    """How many connections to PostgreSQL the store's database holds, of how many the
    server allows in all: gunicorn's pools keep theirs open, so at a step's end this is
    about what the step needed. A full server ("too many clients") answers the requests
    it refuses with 503."""
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=5) as db:
            held = db.execute("SELECT count(*) FROM pg_stat_activity "
                              "WHERE datname = current_database()").fetchone()[0]
            allowed = db.execute("SHOW max_connections").fetchone()[0]
    except psycopg.Error as error:
        return f"PostgreSQL connections: none to spare ({' '.join(str(error).split())})"
    return (f"PostgreSQL connections: {held - 1} held by scc (max_connections {allowed}, "
            "for every database on the server)")


@dataclass
class Step:
    """One step: ``users`` for the run time, what locust measured, what it cost in CPU,
    the connections scc held at its end and the profile taken during it (its summary, or
    why there is none), if asked for."""

    users: int
    figures: Figures
    cpu: CpuUse
    connections: str
    profile: str | None = None

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu.per_request_ms(self.figures.served)

    def as_dict(self) -> dict[str, Any]:
        return {"users": self.users, **self.figures.as_dict(),
                "cpu": self.cpu.as_dict(self.figures.served),
                "connections": self.connections, "profiled": self.profile is not None}

    def report(self) -> str:
        header = f"--- {self.users} users " + "-" * 60
        lines = [report(self.figures, header), self.cpu.summary(self.figures.served),
                 self.connections]
        if self.profile is not None:
            lines += ["", self.profile]
        return "\n".join(lines)


def run_steps(topology: Topology, plan: Path, out: Path, *, users: list[int],
              spawn_rate: float, run_time: str, profile_last: bool,
              progress: Callable[[str], None]) -> list[Step]:
    """Runs locust once per number of users, in turn, with a pause between steps; its
    files for each step in ``out/users-N``; with ``profile_last`` the web workers are
    profiled during the last step."""
    steps = []
    for number, count in enumerate(users, start=1):
        if number > 1:
            progress(f"load: settling for {SETTLE_SECONDS:.0f} s")
            time.sleep(SETTLE_SECONDS)
            topology.wait_for("/readyz", timeout=300)
        progress(f"load: step {number} of {len(users)}: locust, {count} users "
                 f"(+{spawn_rate:g}/s) for {run_time} on {topology.url}")
        last = number == len(users)
        steps.append(run_step(topology, plan, out / f"users-{count}", users=count,
                              spawn_rate=spawn_rate, run_time=run_time,
                              profile_to=out if profile_last and last else None,
                              progress=progress))
        step = steps[-1]
        progress(f"load: {count} users: {step.figures.requests_per_s:.1f} requests/s, p95 "
                 f"{step.figures.p95_ms:.0f} ms, {step.figures.failures} errors, "
                 f"{step.cpu_ms_per_request:.1f} CPU ms a request: {step.figures.verdict}")
    return steps


def run_step(topology: Topology, plan: Path, out: Path, *, users: int, spawn_rate: float,
             run_time: str, profile_to: Path | None,
             progress: Callable[[str], None]) -> Step:
    meter = CpuMeter(web=topology.processes["web"].pid,
                     worker=topology.processes["worker"].pid)
    profiled: list[str] = []

    def profile_web() -> None:
        """Once every user has started, py-spy samples the web workers."""
        ramp = users / spawn_rate + 2
        duration = min(PROFILE_SECONDS, int(seconds(run_time) - ramp - 2))
        if duration < 5:
            profiled.append(f"no profile: a {run_time} step leaves no time to sample "
                            "after the users have started")
            return
        time.sleep(ramp)
        progress(f"load: py-spy samples the web workers for {duration} s")
        try:
            folded = profile.record(topology.processes["web"].pid, duration,
                                    profile_to / "profile.folded")
        except profile.ProfileUnavailable as error:
            profiled.append(f"no profile: {error}")
            return
        text = profile.summary(folded.read_text(encoding="utf-8"), duration)
        (profile_to / "profile.txt").write_text(text + "\n", encoding="utf-8")
        profiled.append(f"{text}\n(stacks: {folded}; summary: {profile_to / 'profile.txt'})")

    figures = run_locust(topology.url, plan, users=users, spawn_rate=spawn_rate,
                         run_time=run_time, out=out,
                         meanwhile=profile_web if profile_to else lambda: None)
    cpu = meter.stop(figures.locust_cpu_s)
    return Step(users, figures, cpu, connections(topology.database_url),
                profiled[0] if profiled else None)


def summary(steps: list[Step]) -> str:
    """One line per step: where the curve bends shows as p95 climbing faster than the
    users, requests/s falling behind them, or the machine's cores all busy."""
    lines = [f"{'users':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>7} "
             f"{'CPU ms/req':>10} {'machine':>8}  verdict (no errors, p95 <= {MAX_P95_MS:g} ms)"]
    for step in steps:
        f = step.figures
        lines.append(f"{step.users:>6} {f.requests_per_s:>7.1f} {f.p50_ms:>7.0f} "
                     f"{f.p95_ms:>7.0f} {f.failures:>7} {step.cpu_ms_per_request:>10.1f} "
                     f"{step.cpu.machine_share:>8.0%}  {f.verdict}")
    return "\n".join(lines)
