"""API command throughput: 8 concurrent clients POSTing concerns over HTTP, on an SQLite file
and on PostgreSQL, against the same command called in-process by 8 threads in the same run.

The app is served twice, each time from processes of its own so that the clients' threads do
not share its GIL: as ``scc serve`` serves it (werkzeug's threaded server, which answers
every request with ``Connection: close``, so each request is a new connection and a new
server thread), then as ``scc web`` does (gunicorn, one worker of 8 threads: one process, as
the in-process baseline is, with connections kept alive). Each client has its own connection
and its own schools (each with a 40-entry history), so no two clients change the same case
file; each raises ``REQUESTS`` concerns after a warm-up, all clients at once. Then, with the
servers stopped, 8 threads call ``raise_concern`` in this process on other schools of the same
store, as many times. Target: over HTTP at least half the in-process rate, p50 and p95 within
twice the in-process ones.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks.school_history import build_school
from benchmarks.support import (
    PostgresUnavailable,
    Row,
    case_files_on,
    p50,
    p95,
    postgres_database,
    progress,
)

NAME = "api_throughput"
CLIENTS = 8
SCHOOLS_EACH = 2
HISTORY = 40
REQUESTS, QUICK_REQUESTS = 150, 25
WARM_UP = 3
FIRST_URN = 400001
EMAIL = "bench.caseworker@example.org"
ROOT = Path(__file__).resolve().parent.parent
CONCERN = {"ground": "standards", "description": "Reading results fell for a third year",
           "evidence": "KS2 data"}


def run(quick: bool) -> list[Row]:
    requests = QUICK_REQUESTS if quick else REQUESTS
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        rows = measure("sqlite", f"sqlite:///{Path(folder, 'scc.sqlite3')}", requests)
    try:
        with postgres_database(NAME) as url:
            rows += measure("postgres", url, requests)
    except PostgresUnavailable as why:
        print(f"{NAME}: the PostgreSQL rows were skipped: {why}")
        rows.append(Row(f"{NAME} postgres", None, note="PostgreSQL unavailable"))
    return rows


SERVERS = {
    "scc serve": "werkzeug's threaded server in a child process, as scc serve runs it: a new "
                 "connection and thread a request",
    "scc web": f"gunicorn as scc web runs it, one worker of {CLIENTS} threads (one process, "
               "as the baseline is), connections kept alive",
}


def measure(store: str, url: str, requests: int) -> list[Row]:
    over_http, in_process = schools_for(0), schools_for(1)
    token = prepare(store, url, over_http + in_process)
    answered = {}
    for server in SERVERS:
        with served(url) if server == "scc serve" else by_gunicorn(url) as port:
            progress(f"{NAME} {store}: {CLIENTS} clients x {requests} POSTs to {server} on "
                     f"127.0.0.1:{port}")
            answered[server] = concurrently(
                [client(port, token, urns) for urns in over_http], requests)
    progress(f"{NAME} {store}: {CLIENTS} threads x {requests} raise_concern in-process")
    case_files = case_files_on(url)
    try:
        direct = concurrently([caller(case_files, urns) for urns in in_process], requests)
    finally:
        case_files.close()
    return [row for server, api in answered.items()
            for row in rows(store, server, requests, api, direct)]


def rows(store: str, server: str, requests: int, api: tuple[float, list[float]],
         direct: tuple[float, list[float]]) -> list[Row]:
    (api_rate, api_ms), (direct_rate, direct_ms) = api, direct
    return [
        Row(f"{NAME} {store} {server} commands/s", api_rate, direct_rate, unit="commands/s",
            min_ratio=0.5,
            note=f"{store}: {CLIENTS} concurrent clients x {requests} POST "
                 "/api/v1/schools/{urn}/concerns over HTTP with a bearer token, "
                 f"{SERVERS[server]}; baseline: raise_concern called in-process by "
                 f"{CLIENTS} threads as many times, same store, same run"),
        Row(f"{NAME} {store} {server} p50", p50(api_ms), p50(direct_ms), max_ratio=2.0),
        Row(f"{NAME} {store} {server} p95", p95(api_ms), p95(direct_ms), max_ratio=2.0),
    ]


# The store --------------------------------------------------------------------------------------

def schools_for(half: int) -> list[list[int]]:
    """Each client's (or thread's) own schools; half 0 for HTTP, half 1 for in-process."""
    first = FIRST_URN + half * CLIENTS * SCHOOLS_EACH
    return [[first + n * SCHOOLS_EACH + k for k in range(SCHOOLS_EACH)] for n in range(CLIENTS)]


def prepare(store: str, url: str, schools: list[list[int]]) -> str:
    """Records the schools and a caseworker with an API token; returns the token."""
    from adapters.bootstrap import build_tokens, build_users
    from adapters.config import Settings

    progress(f"{NAME} {store}: recording {len(schools) * SCHOOLS_EACH} schools of "
             f"{HISTORY} entries")
    case_files = case_files_on(url)
    try:
        for urns in schools:
            for urn in urns:
                build_school(case_files, urn, HISTORY)
    finally:
        case_files.close()
    settings = Settings(database_url=url)
    users = build_users(settings)
    tokens = build_tokens(settings, users)
    try:
        users.add(email=EMAIL, name="Benchmark Caseworker", role="caseworker",
                  password="benchmark password, not for production")
        return tokens.create(EMAIL, name="benchmark")["token"]
    finally:
        tokens.close()
        users.close()


# The work -----------------------------------------------------------------------------------

def client(port: int, token: str, urns: list[int]) -> Callable[[int], None]:
    """Request n of one client: raise a concern on one of its schools over HTTP."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps(CONCERN)

    def post(n: int) -> None:
        connection.request("POST", f"/api/v1/schools/{urns[n % len(urns)]}/concerns", body,
                           headers)
        response = connection.getresponse()
        answer = response.read()
        if response.status != 201:
            raise RuntimeError(f"POST answered {response.status}: {answer[:200]!r}")

    return post


def caller(case_files: object, urns: list[int]) -> Callable[[int], None]:
    """Call n of one thread: the same command on one of its schools, in-process."""

    def call(n: int) -> None:
        case_files.raise_concern(urns[n % len(urns)], by="Benchmark Caseworker", **CONCERN)

    return call


def concurrently(workers: list[Callable[[int], None]],
                 requests: int) -> tuple[float, list[float]]:
    """Every worker warms up, then all make ``requests`` calls at once; the throughput over
    the whole timed phase (calls a second) and each call's latency in milliseconds."""
    start = threading.Barrier(len(workers) + 1)
    samples: list[float] = []
    failures: list[BaseException] = []

    def work(call: Callable[[int], None]) -> None:
        try:
            for n in range(WARM_UP):
                call(n)
            start.wait()
            mine = []
            for n in range(WARM_UP, WARM_UP + requests):
                began = time.perf_counter()
                call(n)
                mine.append((time.perf_counter() - began) * 1000)
            samples.extend(mine)
        except BaseException as error:  # reported after the others finish
            failures.append(error)
            start.abort()

    threads = [threading.Thread(target=work, args=(call,)) for call in workers]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a worker failed: it says why
        start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - began
    if failures:
        raise failures[0]
    return len(samples) / took, samples


# The server ------------------------------------------------------------------------------------

class served:
    """The app served from a child process on a free port of 127.0.0.1; yields the port."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> int:
        self.child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.api_throughput", "serve", self.url],
            stdout=subprocess.PIPE, cwd=ROOT, text=True)
        assert self.child.stdout is not None
        line = self.child.stdout.readline()
        if not line:
            self.child.wait()
            raise RuntimeError(f"the server exited with {self.child.returncode}")
        return json.loads(line)["port"]

    def __exit__(self, *_: object) -> None:
        self.child.terminate()
        try:
            self.child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()


@contextlib.contextmanager
def by_gunicorn(url: str) -> Iterator[int]:
    """``scc web`` on ``url``, one worker of CLIENTS threads, until the block ends; yields its
    port once it answers."""
    from benchmarks.load.topology import Topology

    with tempfile.TemporaryDirectory(prefix="scc-bench-web-") as logs:
        topology = Topology(url, Path(logs), web_workers=1, threads=CLIENTS)
        with topology:
            topology.start_web()
            topology.wait_for("/healthz")  # up: its read models may lag (no worker runs)
            yield topology.port


def serve(url: str) -> None:
    """Serves the app until terminated; prints the port as JSON once it listens."""
    import logging

    from werkzeug.serving import make_server

    from adapters.bootstrap import build_web_services, settle_after_start
    from adapters.config import Settings
    from web import create_app
    from web.config import TestConfig

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    services = build_web_services(Settings(database_url=url))
    server = make_server("127.0.0.1", 0, create_app(TestConfig(), services=services),
                         threaded=True)
    settle_after_start()  # as scc serve does
    print(json.dumps({"port": server.server_port}), flush=True)
    try:
        server.serve_forever()
    finally:
        services.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api_throughput",
                                     description=__doc__)
    parser.add_argument("what", choices=("serve",))
    parser.add_argument("url", help="the store to serve")
    args = parser.parse_args(argv)
    serve(args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
