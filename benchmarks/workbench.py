"""The caseworker's pages at England scale (issue 16): each route's p50, p95 and p99 under 8
concurrent caseworkers, against a static route of the same app in the same run.

The app serves a copy of the cached England log (``benchmarks.england``) whose read models were
rebuilt once and cached beside it (``england-...-read-models.sqlite3``, rebuilt when the log
or the read models' code changes), from a child process running werkzeug's threaded server as
``benchmarks.web_latency`` does. Each client signs in once as a caseworker and keeps its
session cookie and keep-alive connection. The routes are timed one after another, the static
route first: every client issues ``REQUESTS`` requests (after a warm-up), all at once, each
starting at its own place in the route's paths so that they spread over its schools, until done
or ``PHASE_SECONDS`` have passed; progress is printed every few seconds.

``ROUTES`` lists what is timed: a route is a name, the paths it cycles over (drawn from the
case files the store holds) and its p95 target. A new page joins the run with a line there.
``python -m benchmarks.workbench [--quick] [--only NAME...]`` runs them outside the table of
``python -m benchmarks``; ``python -m benchmarks.web_latency profile URL /schools/URN`` shows
where one request's time goes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from adapters.rebuild_processes import default_processes
from benchmarks.england import copy_store, ensure_england, move_store
from benchmarks.rebuild import rebuild_in_child
from benchmarks.support import Row, p50, p95, progress
from benchmarks.web_latency import PASSWORD, Client, email_for, read_models_behind, served

NAME = "workbench"
CLIENTS = 8
ROLE = "caseworker"
REQUESTS, QUICK_REQUESTS = 50, 8
WARM_UP = 1
PHASE_SECONDS, QUICK_PHASE_SECONDS = 40.0, 10.0
"""A route's phase stops early once this long has passed (a slow page bounds the run)."""
STATIC = "/healthz"
"""The baseline: a route of the same app, through the same sign-in check, doing nothing."""
TIMELINE_PER_PAGE = 50
LONGEST, SAMPLED = 8, 72
"""The case-file mix: the longest histories and schools drawn at random (seeded) from all."""
SEED = 16
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Schools:
    """The case files the routes' paths are drawn from: (URN, entries), longest first, and
    a seeded sample of every school's URN; and the caseworker owning the most deadlines."""

    longest: list[tuple[int, int]]
    sampled: list[int]
    busiest: tuple[str, str] = ("", "")
    """(name, email) of the caseworker who owns the most deadlines."""

    @property
    def surname(self) -> str:
        return self.busiest[0].split()[-1] if self.busiest[0] else "Smith"


@dataclass(frozen=True)
class Route:
    name: str
    paths: Callable[[Schools], list[str]]
    max_ms: float
    about: str
    role: str = ROLE
    """Who asks: the caseworker who owns the most deadlines, or the head of service."""


def longest_case_files(schools: Schools) -> list[str]:
    """Page 1 of each longest case file, and of the two longest a middle and the last page
    of the timeline (a caseworker reading back through years of intervention)."""
    paths = [f"/schools/{urn}" for urn, _ in schools.longest]
    for urn, entries in schools.longest[:2]:
        pages = max(1, -(-entries // TIMELINE_PER_PAGE))
        paths += [f"/schools/{urn}?page={max(1, pages // 2)}", f"/schools/{urn}?page={pages}"]
    return paths


def case_file_mix(schools: Schools) -> list[str]:
    """The longest case files among schools drawn at random: most case files a caseworker
    opens are short and not yet loaded by this process; some are the longest."""
    urns = [urn for urn, _ in schools.longest] + schools.sampled
    random.Random(SEED).shuffle(urns)
    return [f"/schools/{urn}" for urn in urns]


SEARCHES = ("phonics", "attendance persistent absence", '"statement of action"', "govern*",
            "safeguarding audit", "deficit recovery", "{surname}", "reading lessons")
"""Words of the England log's minutes, visit notes, concerns and actions, a phrase, a
prefix, and the surname of the busiest caseworker (who recorded and owns much)."""


def searches(schools: Schools) -> list[str]:
    return ["/search?" + urlencode({"q": q.format(surname=schools.surname)})
            for q in SEARCHES]


ROUTES: list[Route] = [
    Route("case file, longest", longest_case_files, 150.0,
          f"GET /schools/<urn> of the {LONGEST} longest case files, and a middle and the last "
          f"page of the two longest's timelines"),
    Route("case file, mix", case_file_mix, 150.0,
          f"GET /schools/<urn> of the {LONGEST} longest case files among {SAMPLED} schools "
          "drawn at random, most of them loaded for the first time"),
    Route("search", searches, 100.0,
          f"GET /search?q= of {len(SEARCHES)} queries across every school's entries: common "
          "words, a phrase, a prefix, a person's name"),
    Route("my work, caseworker", lambda _: ["/my-work"], 150.0,
          "GET /my-work of the caseworker who owns the most deadlines"),
    Route("my work, head", lambda _: ["/my-work"], 150.0,
          "GET /my-work of the head of service: the drafts to approve and the team's load "
          "over every deadline", role="head"),
]
"""The pages timed against the static route, in order. To add one: a name, its paths (from
``Schools``, or fixed, as ``lambda _: ["/my-work"]``), its p95 target in ms and a line on what
it asks for."""


def run(quick: bool, only: list[str] | None = None, server: str = "werkzeug") -> list[Row]:
    england = ensure_england(quick=quick, progress=lambda schools, events: progress(
        f"{NAME}: generating the log: {schools:,} schools, {events:,} events"))
    size = f"{england['schools']:,} schools, {england['events']:,} events"
    routes = [r for r in ROUTES if not only or r.name in only]
    requests = QUICK_REQUESTS if quick else REQUESTS
    seconds = QUICK_PHASE_SECONDS if quick else PHASE_SECONDS
    built = ensure_read_models(england, size)
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        work = Path(folder, "england.sqlite3")
        progress(f"{NAME}: copying {built.name} for the app to serve")
        copy_store(built, work)
        url = f"sqlite:///{work}"
        schools = schools_of(url)
        emails = {ROLE: schools.busiest[1] or email_for(ROLE), "head": email_for("head")}
        add_users(url, schools.busiest, emails)
        app = (GunicornServed(url, ROLE, Path(folder, "logs")) if server == "gunicorn"
               else WerkzeugServed(url, role=ROLE))
        with app as port:
            progress(f"{NAME}: serving on 127.0.0.1:{port} ({server}); signing in {CLIENTS} "
                     f"{ROLE}s ({emails[ROLE]}) and, for the head's routes, {CLIENTS} heads")
            clients = {role: [Client(port, email=email) for _ in range(CLIENTS)]
                       for role, email in emails.items()
                       if role == ROLE or any(r.role == role for r in routes)}
            for client in (c for signed in clients.values() for c in signed):
                client.sign_in()
            samples, cpu = {}, {}
            for route in [Route("static", lambda _: [STATIC], 0.0, ""), *routes]:
                used = cpu_seconds(app.pids())
                samples[route.name] = phase(clients[route.role], route.name,
                                            route.paths(schools), requests, seconds)
                cpu[route.name] = ((cpu_seconds(app.pids()) - used) * 1000
                                   / len(samples[route.name]))
                progress(f"{NAME}: {route.name}: the server's CPU time "
                         f"{cpu[route.name]:.1f} ms a request")
            for client in (c for signed in clients.values() for c in signed):
                client.close()
    longest = ", ".join(f"{urn} ({entries:,} entries)" for urn, entries in schools.longest)
    return rows(samples, cpu, routes, size, longest, SERVERS[server])


SERVERS = {
    "werkzeug": "werkzeug threaded server in a child process (one interpreter)",
    "gunicorn": "scc web (gunicorn, SCC_WEB_WORKERS processes of SCC_WEB_THREADS threads, "
                "web/gunicorn_conf.py's defaults unless set)",
}


def rows(samples: dict[str, list[float]], cpu: dict[str, float], routes: list[Route],
         size: str, longest: str, server: str) -> list[Row]:
    static = samples["static"]
    out = []
    for n, route in enumerate(routes):
        taken = samples[route.name]
        note = f"{route.about}; {len(taken)} requests"
        if n == 0:
            note = (f"{size}; {CLIENTS} concurrent {ROLE}s on 127.0.0.1, {server}; baseline: GET {STATIC} at the same "
                    f"percentile ({len(static)} requests) in the same run; longest case files: "
                    f"{longest}. {note}")
        out += [
            Row(f"{NAME} {route.name} p95", p95(taken), p95(static), max_ms=route.max_ms,
                note=note),
            Row(f"{NAME} {route.name} p50", p50(taken), p50(static)),
            Row(f"{NAME} {route.name} p99", p99(taken), p99(static)),
            Row(f"{NAME} {route.name} server CPU", cpu[route.name], cpu["static"],
                note="" if n else "the server processes' CPU time (user and system) a "
                     "request, whatever else the machine runs: with 8 clients on one "
                     "interpreter, a page's time is about 8 times this once they keep it busy"),
        ]
    return out + [Row(f"{NAME} static {STATIC} p95", p95(static)),
                  Row(f"{NAME} static {STATIC} p50", p50(static))]


def cpu_seconds(pids: list[int]) -> float:
    """The processes' CPU time so far, user and system, in seconds (Linux's /proc)."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# The servers ----------------------------------------------------------------------------------

class WerkzeugServed(served):
    """The app in one process, as ``benchmarks.web_latency`` serves it."""

    def pids(self) -> list[int]:
        return [self.child.pid]


class GunicornServed:
    """``scc web`` (gunicorn's master and its workers) on the store, as production runs it;
    the benchmark's user is added first. Yields the port."""

    def __init__(self, url: str, role: str, logs: Path) -> None:
        from benchmarks.load.topology import Topology

        self.url, self.role = url, role
        self.topology = Topology(url, logs, web_workers=int(os.environ.get(
            "SCC_WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1)), threads=int(os.environ.get(
                "SCC_WEB_THREADS", 4)))

    def __enter__(self) -> int:
        import urllib.request

        from adapters.bootstrap import build_web_services
        from adapters.config import Settings

        services = build_web_services(Settings(database_url=self.url))
        try:
            if services.users.get(email_for(self.role)) is None:
                services.users.add(email=email_for(self.role), name="Benchmark user",
                                   role=self.role, password=PASSWORD)
        finally:
            services.close()
        self.topology.start_web()
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{self.topology.url}{STATIC}", timeout=5):
                    return self.topology.port
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("scc web did not answer within 120 s") from None
                time.sleep(0.5)

    def __exit__(self, *_: object) -> None:
        self.topology.stop_all()

    def pids(self) -> list[int]:
        master = self.topology.processes["web"].pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return [master, *map(int, children)]


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[-1]


# The store ------------------------------------------------------------------------------------

def ensure_read_models(england: dict[str, Any], size: str) -> Path:
    """The cached England log with its read models built, made from the log unless a copy made
    from this log by this read models' code is cached."""
    log = Path(england["path"])
    built = log.with_name(f"{log.stem}-read-models.sqlite3")
    sidecar = built.with_suffix(".json")  # written last: its presence means complete
    fingerprint = _read_model_fingerprint(england)
    if built.exists() and sidecar.exists() and json.loads(
            sidecar.read_text(encoding="utf-8")).get("fingerprint") == fingerprint:
        return built
    sidecar.unlink(missing_ok=True)
    partial = built.with_name(built.name + ".partial")
    progress(f"{NAME}: copying {log.name} to build its read models once")
    copy_store(log, partial)
    url = f"sqlite:///{partial}"
    if read_models_behind(url):
        progress(f"{NAME}: rebuilding the read models ({size})")
        rebuilt = rebuild_in_child(url, default_processes())
        progress(f"{NAME}: rebuilt in {rebuilt['seconds']:.0f} s")
    move_store(partial, built)
    sidecar.write_text(json.dumps({"fingerprint": fingerprint}) + "\n", encoding="utf-8")
    return built


READ_MODEL_SOURCES = ("application/projections.py", "adapters/read_models.py",
                      "adapters/schema.py", "application/entry_search.py")


def _read_model_fingerprint(england: dict[str, Any]) -> str:
    """What the built copy depends on: the log and the code that shapes the read models (a
    shape changed elsewhere is caught by the lag check of ``read_models_behind`` only if it
    moved a projection's position: delete the copy to rebuild)."""
    digest = hashlib.sha256(england["fingerprint"].encode())
    for source in READ_MODEL_SOURCES:
        digest.update((ROOT / source).read_bytes())
    return digest.hexdigest()[:16]


def schools_of(url: str) -> Schools:
    """The longest case files, by their entries in the activity read model, and a seeded
    sample of the others."""
    import sqlalchemy as sa

    from adapters.read_models import SQLReadModels, read_model_engine

    store = SQLReadModels(read_model_engine(url))
    try:
        with store.reading("activity") as (conn, table):
            entries = sa.func.count().label("entries")
            counted = [(urn, n) for urn, n in conn.execute(
                sa.select(table.c.urn, entries).group_by(table.c.urn)
                .order_by(entries.desc(), table.c.urn))]
        busiest = store.load_by_owner(date.today(), date.today())
        names = store.caseworker_names()
    finally:
        store.close()
    longest = counted[:LONGEST]
    others = sorted(urn for urn, _ in counted[LONGEST:])
    owner = max(busiest, key=lambda row: (row["open"], row["owner"]))["owner"] if busiest \
        else ""
    return Schools(longest, random.Random(SEED).sample(others, min(SAMPLED, len(others))),
                   (names.get(owner, "Busiest Caseworker"), owner))


def add_users(url: str, busiest: tuple[str, str], emails: dict[str, str]) -> None:
    """The benchmark's users in the copy served: the busiest caseworker (whose My work is
    the longest) and a head of service, with the benchmark's password."""
    from adapters.bootstrap import build_web_services
    from adapters.config import Settings

    services = build_web_services(Settings(database_url=url))
    try:
        for role, email in emails.items():
            if services.users.get(email) is None:
                name = busiest[0] if role == ROLE and busiest[0] else f"Benchmark {role}"
                services.users.add(email=email, name=name, role=role, password=PASSWORD)
    finally:
        services.close()


# The clients ----------------------------------------------------------------------------------

def phase(clients: list[Client], name: str, paths: list[str], requests: int,
          seconds: float) -> list[float]:
    """Every client warms up, then all issue ``requests`` GETs at once, each cycling over
    ``paths`` from its own starting place, until done or ``seconds`` have passed; the
    latencies in milliseconds. Prints how many are done every few seconds."""
    total = len(clients) * requests
    progress(f"{NAME}: {name}: {len(clients)} clients x {requests} requests over "
             f"{len(paths)} paths ({', '.join(paths[:3])}{', ...' if len(paths) > 3 else ''})")
    start = threading.Barrier(len(clients) + 1)
    samples: list[float] = []
    failures: list[BaseException] = []
    deadline = [0.0]
    stride = max(1, len(paths) // len(clients))

    def work(number: int, client: Client) -> None:
        first = number * stride
        try:
            for n in range(WARM_UP):
                client.get(paths[(first - 1 - n) % len(paths)])
            start.wait()
            start.wait()  # the deadline is set before anyone starts
            for n in range(requests):
                if time.perf_counter() > deadline[0]:
                    break
                path = paths[(first + n) % len(paths)]
                began = time.perf_counter()
                client.get(path)
                samples.append((time.perf_counter() - began) * 1000)  # atomic under the GIL
        except BaseException as error:  # reported after the others finish
            failures.append(error)
            start.abort()

    threads = [threading.Thread(target=work, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    try:
        start.wait()
        deadline[0] = time.perf_counter() + seconds
        start.wait()
    except threading.BrokenBarrierError:
        pass
    began = time.perf_counter()
    while alive := [t for t in threads if t.is_alive()]:
        alive[0].join(5)
        if alive[0].is_alive():
            progress(f"{NAME}: {name}: {len(samples):,} of {total:,} requests "
                     f"({time.perf_counter() - began:.0f} s)")
    if failures:
        raise failures[0]
    if len(samples) < 2:
        raise RuntimeError(f"only {len(samples)} requests to {paths[0]} in {seconds:g} s")
    progress(f"{NAME}: {name}: {len(samples):,} requests, p50 {p50(samples):.1f} ms, "
             f"p95 {p95(samples):.1f} ms, p99 {p99(samples):.1f} ms")
    return samples


def main(argv: list[str] | None = None) -> int:
    from benchmarks.__main__ import cells, print_table

    parser = argparse.ArgumentParser(prog="python -m benchmarks.workbench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the smaller log, fewer requests")
    parser.add_argument("--only", nargs="+", choices=[r.name for r in ROUTES],
                        help="time only these routes (and the static one)")
    parser.add_argument("--server", choices=sorted(SERVERS), default="werkzeug",
                        help="how the app is served (default: werkzeug, as web_latency)")
    args = parser.parse_args(argv)
    table = run(args.quick, args.only, args.server)
    print_table([cells(row) for row in table])
    for row in table:
        if row.note:
            print(f"  {row.benchmark}: {row.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
