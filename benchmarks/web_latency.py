"""Web latency on England-scale data: the dashboard's and a case file's p95 under 8 concurrent
clients, against a static route of the same app in the same run (issue 5).

The app serves a copy of the cached England log (``benchmarks.england``) with its read models
rebuilt, from a child process (``python -m benchmarks.web_latency serve URL``) running
werkzeug's threaded server as ``scc serve`` does (without the worker, so that nothing is
recorded while the clients read), so the clients' threads do not share its GIL. Each client
signs in once and keeps its session cookie and its keep-alive connection. The routes are timed
one after another: every client issues ``REQUESTS`` requests to the route (after a warm-up),
all at once, or as many as fit in ``PHASE_SECONDS``.

``python -m benchmarks.web_latency profile URL [PATH]`` profiles one request (the dashboard's
unless PATH says) in-process on a
store whose read models are built (one left by ``python -m benchmarks.rebuild URL``).
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import pstats
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from adapters.rebuild_processes import default_processes
from benchmarks.england import copy_store, ensure_england
from benchmarks.rebuild import rebuild_in_child
from benchmarks.support import Row, p50, p95, progress

NAME = "web_latency"
CLIENTS = 8
REQUESTS, QUICK_REQUESTS = 40, 10
WARM_UP = 2
CHANGES, QUICK_CHANGES = 10, 4
"""Entries recorded one at a time, each followed by a dashboard that must be counted afresh."""
PHASE_SECONDS, QUICK_PHASE_SECONDS = 20.0, 10.0
"""A route's phase stops early once this long has passed (a slow page bounds the run)."""
DASHBOARD_MAX_MS = 150.0
SCHOOLS_SHOWN = 4
"""The case files the clients cycle over: those with the longest histories."""
STATIC = "/healthz"
"""The baseline: a route of the same app, through the same sign-in check, doing nothing."""
EMAIL, PASSWORD = "bench.head@example.org", "benchmark password, not for production"


def email_for(role: str) -> str:
    """The benchmark user of that role's email address (EMAIL for the head of service)."""
    return EMAIL if role == "head" else f"bench.{role}@example.org"

ROOT = Path(__file__).resolve().parent.parent


def run(quick: bool) -> list[Row]:
    england = ensure_england(quick=quick, progress=lambda schools, events: progress(
        f"{NAME}: generating the log: {schools:,} schools, {events:,} events"))
    size = f"{england['schools']:,} schools, {england['events']:,} events"
    requests = QUICK_REQUESTS if quick else REQUESTS
    seconds = QUICK_PHASE_SECONDS if quick else PHASE_SECONDS
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        work = Path(folder, "england.sqlite3")
        progress(f"{NAME}: copying {Path(england['path']).name} for the app to serve")
        copy_store(england["path"], work)
        url = f"sqlite:///{work}"
        if read_models_behind(url):
            progress(f"{NAME}: rebuilding the read models ({size})")
            # In as many processes as the app's own rebuild uses by default.
            rebuilt = rebuild_in_child(url, default_processes())
            progress(f"{NAME}: rebuilt in {rebuilt['seconds']:.0f} s")
        urns = longest_histories(url, SCHOOLS_SHOWN)
        with served(url) as port:
            progress(f"{NAME}: serving on 127.0.0.1:{port}; signing in {CLIENTS} clients")
            clients = [Client(port) for _ in range(CLIENTS)]
            for client in clients:
                client.sign_in()
            routes = {"static": [STATIC], "dashboard": ["/"],
                      "case file": [f"/schools/{urn}" for urn in urns]}
            samples = {}
            for route, paths in routes.items():
                progress(f"{NAME}: {route}: {CLIENTS} clients x {requests} requests "
                         f"({', '.join(paths)})")
                samples[route] = timed_phase(clients, paths, requests, seconds)
            changes = QUICK_CHANGES if quick else CHANGES
            progress(f"{NAME}: dashboard after a change: {changes} entries recorded by "
                     f"another process, each followed by one GET /")
            samples["after a change"] = after_each_change(url, clients[0], urns, changes)
            for client in clients:
                client.close()
    return rows(samples, size, urns)


def after_each_change(url: str, client: Client, urns: list[int], changes: int) -> list[float]:
    """The dashboard's latency when it cannot be reused: another process (as a caseworker's
    web worker would) records an entry, then one client asks for the dashboard, which
    catches up with the entry and counts everything again."""
    from benchmarks.support import case_files_on

    case_files = case_files_on(url)
    samples = []
    try:
        for n in range(changes):
            case_files.record_visit(urns[n % len(urns)], by="Benchmark", kind="monitoring",
                                    notes=f"Benchmark visit {n + 1}")
            began = time.perf_counter()
            client.get("/")
            samples.append((time.perf_counter() - began) * 1000)
    finally:
        case_files.close()
    return samples


def rows(samples: dict[str, list[float]], size: str, urns: list[int]) -> list[Row]:
    static = samples["static"]
    each = {route: f"{len(s)} requests" for route, s in samples.items()}
    return [
        Row(f"{NAME} dashboard p95", p95(samples["dashboard"]), p95(static),
            max_ms=DASHBOARD_MAX_MS,
            note=f"{size}; {CLIENTS} concurrent clients on 127.0.0.1, werkzeug threaded "
                 f"server in a child process; GET / ({each['dashboard']}); baseline: "
                 f"GET {STATIC} p95 ({each['static']}) in the same run"),
        Row(f"{NAME} dashboard p50", p50(samples["dashboard"]), p50(static)),
        Row(f"{NAME} dashboard after a change p50", p50(samples["after a change"]),
            note=f"one client; each GET / follows an entry recorded by another process, so "
                 f"the dashboard is counted afresh ({each['after a change']}); the rows "
                 f"above reuse it while nothing changes"),
        Row(f"{NAME} dashboard after a change max", max(samples["after a change"])),
        Row(f"{NAME} case file p95", p95(samples["case file"]), p95(static),
            note=f"GET /schools/<urn> over the {len(urns)} longest histories "
                 f"({', '.join(map(str, urns))}); {each['case file']}"),
        Row(f"{NAME} case file p50", p50(samples["case file"]), p50(static)),
        Row(f"{NAME} static {STATIC} p95", p95(static)),
        Row(f"{NAME} static {STATIC} p50", p50(static)),
    ]


# The store ------------------------------------------------------------------------------------

def read_models_behind(url: str) -> bool:
    """Whether any read model lags the log (a cached England log has none built)."""
    from adapters.read_models import SQLReadModels, read_model_engine
    from application.projections import CaseFileProjections
    from benchmarks.support import case_files_on

    case_files = case_files_on(url)
    store = SQLReadModels(read_model_engine(url))
    try:
        return any(p["lag"] for p in CaseFileProjections(case_files, store).status())
    finally:
        store.close()
        case_files.close()


def longest_histories(url: str, count: int) -> list[int]:
    """The URNs of the case files with the most entries, from the activity read model."""
    import sqlalchemy as sa

    from adapters.read_models import SQLReadModels, read_model_engine

    store = SQLReadModels(read_model_engine(url))
    try:
        with store.reading("activity") as (conn, table):
            entries = sa.func.count().label("entries")
            query = (sa.select(table.c.urn, entries).group_by(table.c.urn)
                     .order_by(entries.desc(), table.c.urn).limit(count))
            return [urn for urn, _ in conn.execute(query)]
    finally:
        store.close()


# The server -----------------------------------------------------------------------------------

class served:
    """The app served from a child process on a free port of 127.0.0.1; yields the port."""

    def __init__(self, url: str, role: str = "head") -> None:
        self.url, self.role = url, role

    def __enter__(self) -> int:
        self.child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.web_latency", "serve", self.url,
             "--role", self.role],
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


def serve(url: str, role: str = "head") -> None:
    """Adds the benchmark's user (a head of service unless ``role`` says) and serves the app
    until terminated; prints the port as JSON once it listens."""
    import logging

    from werkzeug.serving import make_server

    from adapters.bootstrap import build_web_services
    from adapters.config import Settings
    from web import create_app
    from web.config import TestConfig

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    services = build_web_services(Settings(database_url=url))
    if services.users.get(email_for(role)) is None:
        services.users.add(email=email_for(role), name=f"Benchmark {role.capitalize()}",
                           role=role, password=PASSWORD)
    server = make_server("127.0.0.1", 0, create_app(TestConfig(), services=services),
                         threaded=True)
    print(json.dumps({"port": server.server_port}), flush=True)
    try:
        server.serve_forever()
    finally:
        services.close()


# The clients ----------------------------------------------------------------------------------

@dataclass
class Client:
    """One signed-in user: a keep-alive connection and the session cookie."""

    port: int
    email: str = EMAIL
    cookie: str = ""
    connection: http.client.HTTPConnection = field(init=False)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def sign_in(self) -> None:
        page = self.get("/sign-in")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if token is None:
            raise RuntimeError("the sign-in page has no CSRF token")
        form = urlencode({"email": self.email, "password": PASSWORD, "csrf_token": token[1]})
        status, _ = self.request("POST", "/sign-in", form, {
            "Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"signing in answered {status}, not a redirect")

    def get(self, path: str) -> str:
        status, body = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return body

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {**(headers or {}), **({"Cookie": self.cookie} if self.cookie else {})}
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # A server that closes idle keep-alive connections (gunicorn's keepalive):
            # connect again and ask once more
            self.connection.close()
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
        text = response.read().decode()
        for value in response.headers.get_all("Set-Cookie") or []:
            self.cookie = value.split(";", 1)[0]  # the session cookie, the only one set
        return response.status, text

    def close(self) -> None:
        self.connection.close()


def timed_phase(clients: list[Client], paths: list[str], requests: int,
                seconds: float) -> list[float]:
    """Every client warms up, then all issue ``requests`` GETs at once, cycling over
    ``paths``, until done or ``seconds`` have passed; the latencies in milliseconds."""
    start = threading.Barrier(len(clients))
    samples: list[float] = []
    failures: list[BaseException] = []
    deadline: list[float] = []

    def work(number: int, client: Client) -> None:
        try:
            for n in range(WARM_UP):
                client.get(paths[(number + n) % len(paths)])
            if start.wait() == 0:
                deadline.append(time.perf_counter() + seconds)
            start.wait()  # the deadline is set before anyone starts
            mine = []
            for n in range(requests):
                if time.perf_counter() > deadline[0]:
                    break
                path = paths[(number + n) % len(paths)]
                began = time.perf_counter()
                client.get(path)
                mine.append((time.perf_counter() - began) * 1000)
            samples.extend(mine)
        except BaseException as error:  # reported after the others finish
            failures.append(error)
            start.abort()

    threads = [threading.Thread(target=work, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    if len(samples) < 2:
        raise RuntimeError(f"only {len(samples)} requests to {paths[0]} in {seconds:g} s")
    return samples


# Profiling one dashboard request ----------------------------------------------------------------

def profile(url: str, path: str = "/") -> None:
    """One request (the dashboard's by default) through the Flask test client, under
    cProfile (after one unprofiled request, so that it is a warm server's)."""
    with signed_in(url) as (_, client):
        assert client.get(path).status_code == 200
        profiler = cProfile.Profile()
        began = time.perf_counter()
        response = profiler.runcall(client.get, path)
        took = (time.perf_counter() - began) * 1000
        assert response.status_code == 200
    print(f"GET {path} took {took:.1f} ms under the profiler ({len(response.data):,} bytes)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


@contextmanager
def signed_in(url: str, role: str = "head") -> Iterator[tuple[Any, Any]]:
    """The app on ``url`` in this process and Flask's test client signed in as the
    benchmark's user of ``role`` (added if missing); yields (services, client)."""
    from adapters.bootstrap import build_web_services
    from adapters.config import Settings
    from web import create_app
    from web.config import TestConfig

    services = build_web_services(Settings(database_url=url))
    try:
        if services.users.get(email_for(role)) is None:
            services.users.add(email=email_for(role), name=f"Benchmark {role.capitalize()}",
                               role=role, password=PASSWORD)
        client = create_app(TestConfig(), services=services).test_client()
        page = client.get("/sign-in").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, "the sign-in page has no CSRF token"
        client.post("/sign-in", data={"email": email_for(role), "password": PASSWORD,
                                      "csrf_token": token[1]})
        yield services, client
    finally:
        services.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web_latency",
                                     description=__doc__)
    parser.add_argument("what", choices=("serve", "profile"))
    parser.add_argument("url", help="an SQLite store whose read models are built")
    parser.add_argument("path", nargs="?", default="/", help="the page to profile (GET)")
    parser.add_argument("--role", default="head", help="the benchmark user's role")
    args = parser.parse_args(argv)
    if args.what == "serve":
        serve(args.url, args.role)
    else:
        profile(args.url, args.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

