"""What a load step costs in CPU, from the kernel's own accounts: the server's processes
(gunicorn's master and web workers, the scc worker), the PostgreSQL server, locust, and the
machine as a whole, so that one sees whether the cores were saturated and by whom."""

from __future__ import annotations

import time
from dataclasses import dataclass

import psutil  # locust depends on it


def tree_seconds(pid: int) -> float:
    """CPU seconds (user + system) a process and all its descendants have used so far.
    Descendants that have exited count too: once waited for, their time is in their
    parent's account (``children_user``, ``children_system``)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            used = process.cpu_times()
        except psutil.NoSuchProcess:  # exited between the listing and the reading
            continue
        total += used.user + used.system + used.children_user + used.children_system
    return total


def machine_seconds() -> tuple[float, float]:
    """(busy, all) CPU seconds the machine's cores have counted since boot (/proc/stat):
    busy is everything but idle and waiting for I/O."""
    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    # guest time is already counted in user time, guest_nice in nice
    counted = sum(times) - getattr(times, "guest", 0.0) - getattr(times, "guest_nice", 0.0)
    return counted - idle, counted


def postgres_server() -> int | None:
    """The local PostgreSQL server's main process (its backends are its children), if this
    user may see it."""
    for process in psutil.process_iter(["name", "ppid"]):
        if process.info["name"] != "postgres":
            continue
        try:
            if psutil.Process(process.info["ppid"]).name() != "postgres":
                return process.pid
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return None


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds each part used during a step of ``wall_s`` seconds on ``cores`` cores.
    ``database`` is the whole PostgreSQL server, whoever else uses it; ``locust`` is the
    load generator itself, sharing the machine with what it measures; ``machine_busy`` of
    ``machine_counted`` is what all the cores counted busy of all they counted."""

    wall_s: float
    cores: int
    web: float
    worker: float
    database: float | None
    locust: float
    machine_busy: float
    machine_counted: float

    @property
    def server(self) -> float:
        """What scc itself spent: gunicorn's processes and the scc worker."""
        return self.web + self.worker

    def per_request_ms(self, requests: int) -> float:
        """scc's CPU milliseconds per request served."""
        return 1000 * self.server / requests if requests else 0.0

    @property
    def machine_share(self) -> float:
        """How busy the machine's cores were, 1.0 being every core busy all the time."""
        return self.machine_busy / self.machine_counted if self.machine_counted else 0.0

    def as_dict(self, requests: int) -> dict[str, float | int | None]:
        return {"wall_s": round(self.wall_s, 1), "cores": self.cores,
                "web_s": round(self.web, 2), "worker_s": round(self.worker, 2),
                "postgres_s": None if self.database is None else round(self.database, 2),
                "locust_s": round(self.locust, 2), "machine_busy_s": round(self.machine_busy, 2),
                "machine_share": round(self.machine_share, 3),
                "scc_ms_per_request": round(self.per_request_ms(requests), 2)}

    def summary(self, requests: int) -> str:
        """One line for the report: per request, then who kept the cores busy."""
        def share(seconds: float) -> str:
            return f"{seconds / self.wall_s:.2f} cores" if self.wall_s else "-"

        database = ("PostgreSQL -" if self.database is None
                    else f"PostgreSQL {share(self.database)}")
        return (f"CPU: scc {self.per_request_ms(requests):.1f} ms a request "
                f"({requests:,} requests); over {self.wall_s:.0f} s: web {share(self.web)}, "
                f"worker {share(self.worker)}, {database}, locust {share(self.locust)}; "
                f"machine {share(self.machine_busy)} of {self.cores} "
                f"({self.machine_share:.0%} busy)")


class CpuMeter:
    """Reads, at the start and end of a step, what the server's processes (by their
    top process ids), PostgreSQL and the machine have used; locust's own use is measured
    as it exits (run.run_locust) and given to ``stop``."""

    def __init__(self, web: int, worker: int) -> None:
        self._web, self._worker, self._database = web, worker, postgres_server()
        self._start = self._read()

    def _read(self) -> tuple[float, float, float, float | None, float, float]:
        busy, counted = machine_seconds()
        database = None if self._database is None else tree_seconds(self._database)
        return (time.monotonic(), tree_seconds(self._web), tree_seconds(self._worker),
                database, busy, counted)

    def stop(self, locust: float) -> CpuUse:
        end = self._read()
        start = self._start
        database = None if end[3] is None or start[3] is None else end[3] - start[3]
        return CpuUse(wall_s=end[0] - start[0], cores=psutil.cpu_count() or 1,
                      web=end[1] - start[1], worker=end[2] - start[2], database=database,
                      locust=locust, machine_busy=end[4] - start[4],
                      machine_counted=end[5] - start[5])
