"""The production topology as real processes: gunicorn's web workers (``scc web``) and one
``scc worker``, on one store, on a free port of 127.0.0.1, each logging to its own file.

Used by the load test and by the tests of the topology itself; stopping sends SIGTERM, as
an orchestrator does, and reports each process's exit status.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCC = Path(sys.executable).with_name("scc")
STOP_SECONDS = 60.0
"""How long a process may take to stop after SIGTERM before it is killed (and the test fails)."""


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""For 127.0.0.1, whatever proxy the environment names."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Topology:
    """``scc web`` and ``scc worker`` on ``database_url``; ``env`` adds SCC_* settings."""

    database_url: str
    logs: Path
    web_workers: int = 2
    threads: int = 4
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _starts: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "SCC_DATABASE_URL": self.database_url,
            "SCC_SECRET_KEY": "load-and-topology-tests-only-not-a-real-secret",  # the same in every worker
            "SCC_INSECURE_COOKIES": "1",  # plain HTTP on 127.0.0.1
            "SCC_WEB_BIND": f"127.0.0.1:{self.port}",
            "SCC_WEB_WORKERS": str(self.web_workers),
            "SCC_WEB_THREADS": str(self.threads),
            "SCC_LOG_FORMAT": "json",
            **self.env,
        }

    # Starting and stopping ----------------------------------------------------------------

    def start_web(self) -> None:
        self._start("web", [str(SCC), "web"])

    def start_worker(self, *options: str) -> None:
        self._start("worker", [str(SCC), "worker", *options])

    def _start(self, name: str, command: list[str]) -> None:
        if name in self.processes:
            raise RuntimeError(f"{name} is already running")
        self.logs.mkdir(parents=True, exist_ok=True)
        self._starts[name] = self._starts.get(name, 0) + 1
        log = open(self.log_path(name, self._starts[name]), "wb")  # noqa: SIM115 - the child's
        with log:
            self.processes[name] = subprocess.Popen(
                command, env=self.environment(), stdout=log, stderr=subprocess.STDOUT)

    def stop(self, name: str, timeout: float = STOP_SECONDS) -> int:
        """Sends SIGTERM and waits for the process to exit; returns its exit status (it is
        killed, and -9 returned, if it outlasts ``timeout``)."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return -signal.SIGKILL

    def stop_all(self) -> dict[str, int]:
        """Stops the web server first (no new commands), then the worker."""
        return {name: self.stop(name) for name in ("web", "worker") if name in self.processes}

    def __enter__(self) -> Topology:
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop_all()

    # Watching -----------------------------------------------------------------------------

    def log_path(self, name: str, start: int | None = None) -> Path:
        return self.logs / f"{name}-{start or self._starts.get(name, 1)}.log"

    def log_records(self, name: str, start: int | None = None) -> list[dict[str, Any]]:
        """The JSON log records a process wrote (every line must be one)."""
        text = self.log_path(name, start).read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def wait_for_log(self, name: str, message: str, timeout: float = 300.0) -> None:
        """Waits until process ``name`` logs a record whose message starts ``message``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._logged(name, message):
                return
            self._still_running(name)
            time.sleep(0.5)
        raise TimeoutError(f"scc {name} did not log {message!r} within {timeout:.0f} s")

    def wait_for_quiet(self, name: str, message: str, *, quiet: float = 5.0,
                       timeout: float = 900.0,
                       progress: Any = lambda count: None) -> int:
        """Waits until process ``name`` has logged no record whose message starts
        ``message`` for ``quiet`` seconds; returns how many it logged. ``progress`` is told
        the count as it grows."""
        deadline, seen, since = time.monotonic() + timeout, -1, time.monotonic()
        while time.monotonic() < deadline:
            count = self._logged(name, message)
            if count != seen:
                seen, since = count, time.monotonic()
                progress(count)
            elif time.monotonic() - since >= quiet:
                return count
            self._still_running(name)
            time.sleep(0.5)
        raise TimeoutError(f"scc {name} kept logging {message!r} for {timeout:.0f} s")

    def _logged(self, name: str, message: str) -> int:
        """How many records process ``name`` has logged whose message starts ``message``."""
        text = self.log_path(name).read_text(encoding="utf-8")
        complete = text[:text.rfind("\n") + 1]  # not a line still being written
        return sum(json.loads(line)["message"].startswith(message)
                   for line in complete.splitlines())

    def _still_running(self, name: str) -> None:
        if self.processes[name].poll() is not None:
            raise RuntimeError(f"scc {name} exited with status "
                               f"{self.processes[name].returncode}; see {self.log_path(name)}")

    def get(self, path: str) -> tuple[int, Any]:
        """(status, JSON body or text) of an unauthenticated GET."""
        try:
            with _DIRECT.open(self.url + path, timeout=10) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body.decode("utf-8", "replace")

    def wait_for(self, path: str, status: int = 200, timeout: float = 120.0) -> Any:
        """Polls ``path`` until it answers ``status``; returns the body. Fails early if a
        process has exited."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"scc {name} exited with status {process.returncode}; "
                                       f"see {self.log_path(name)}")
            try:
                answered, last = self.get(path)
                if answered == status:
                    return last
            except OSError as error:  # not listening yet
                last = error
            time.sleep(0.25)
        raise TimeoutError(f"{path} did not answer {status} within {timeout:.0f} s; last: "
                           f"{last!r}")
