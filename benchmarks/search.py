"""Search latency on England-scale data: GET /search p95 under 8 concurrent clients, against a
static route of the same app in the same run (issue 16: p95 <= 100 ms).

The app is served as ``benchmarks.web_latency`` serves it (a copy of the cached England log,
read models rebuilt, werkzeug's threaded server in a child process, each client signed in
with its own keep-alive connection). The clients cycle over ``QUERIES``: words that most of
the log's entries hold (the slow end: every match is ranked before the first page is cut),
rarer words and phrases, a prefix, a name and a word found nowhere. Every request is a whole
results page, as a person gets it: 50 entries ranked with their snippets, the total, the
schools whose name matches, and the access log's rows for the schools shown.

``python -m benchmarks.search explain URL`` prints each query's plan on a store whose read
models are built.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from adapters.rebuild_processes import default_processes
from benchmarks.england import copy_store, ensure_england
from benchmarks.rebuild import rebuild_in_child
from benchmarks.support import Row, p50, p95, progress
from benchmarks.web_latency import (
    CLIENTS,
    QUICK_PHASE_SECONDS,
    QUICK_REQUESTS,
    STATIC,
    Client,
    read_models_behind,
    served,
    timed_phase,
)

NAME = "search"
REQUESTS = 40
PHASE_SECONDS = 30.0
SEARCH_MAX_MS = 100.0
QUERIES = ("phonics", "attendance", "safeguarding audit", '"chair of governors"',
           "mathematics curriculum", "govern*", "reading phonics attendance", "inquorate",
           "Benchmark", "zzyzx")
"""What the clients search for, in turn: from words in most entries to a word in none."""


def run(quick: bool) -> list[Row]:
    england = ensure_england(quick=quick, progress=lambda schools, events: progress(
        f"{NAME}: generating the log: {schools:,} schools, {events:,} events"))
    size = f"{england['schools']:,} schools, {england['events']:,} events"
    requests = QUICK_REQUESTS if quick else REQUESTS
    seconds = QUICK_PHASE_SECONDS if quick else PHASE_SECONDS
    paths = [f"/search?{urlencode({'q': q})}" for q in QUERIES]
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        work = Path(folder, "england.sqlite3")
        progress(f"{NAME}: copying {Path(england['path']).name} for the app to serve")
        copy_store(england["path"], work)
        url = f"sqlite:///{work}"
        if read_models_behind(url):
            progress(f"{NAME}: rebuilding the read models ({size})")
            rebuilt = rebuild_in_child(url, default_processes())
            progress(f"{NAME}: rebuilt in {rebuilt['seconds']:.0f} s")
        with served(url) as port:
            progress(f"{NAME}: serving on 127.0.0.1:{port}; signing in {CLIENTS} clients")
            clients = [Client(port) for _ in range(CLIENTS)]
            for client in clients:
                client.sign_in()
            samples = {}
            for route, asked in (("static", [STATIC]), ("search", paths)):
                progress(f"{NAME}: {route}: {CLIENTS} clients x {requests} requests")
                samples[route] = timed_phase(clients, asked, requests, seconds)
            # Each query alone, by one client: which of them makes the tail.
            each = {q: timed_phase(clients[:1], [path], max(3, requests // 4), seconds)
                    for q, path in zip(QUERIES, paths, strict=True)}
            for client in clients:
                client.close()
    static, search = samples["static"], samples["search"]
    slowest = sorted(each.items(), key=lambda item: -p50(item[1]))[:3]
    return [
        Row(f"{NAME} p95", p95(search), p95(static), max_ms=SEARCH_MAX_MS,
            note=f"{size}; {CLIENTS} concurrent clients on 127.0.0.1, werkzeug threaded "
                 f"server in a child process; GET /search over {len(QUERIES)} queries "
                 f"({len(search)} requests); baseline: GET {STATIC} p95 ({len(static)} "
                 f"requests) in the same run"),
        Row(f"{NAME} p50", p50(search), p50(static)),
        Row(f"{NAME} static {STATIC} p95", p95(static)),
        *(Row(f"{NAME} alone p50 q={q}", p50(s),
              note="one client, one query: the slowest three") for q, s in slowest),
    ]


def explain(url: str) -> None:
    """Each query's plan on this store (SQLite or PostgreSQL), as the store sends it."""
    import sqlalchemy as sa

    from adapters.read_models import SQLReadModels, read_model_engine
    from application.entry_search import read_query

    store = SQLReadModels(read_model_engine(url))
    sent: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        sent.append((statement, parameters))

    try:
        for q in QUERIES:
            sent.clear()
            sa.event.listen(store.engine, "before_cursor_execute", keep)
            try:
                store.search_entries(read_query(q), limit=50)
            finally:
                sa.event.remove(store.engine, "before_cursor_execute", keep)
            statement, parameters = sent[-1]
            word = "EXPLAIN QUERY PLAN" if store.engine.dialect.name == "sqlite" else "EXPLAIN"
            with store.engine.connect() as conn:
                plan = [str(row[-1]) for row in conn.exec_driver_sql(
                    f"{word} {statement}", parameters)]
            print(f"q={q}\n  " + "\n  ".join(plan))
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search", description=__doc__)
    parser.add_argument("what", choices=("explain",))
    parser.add_argument("url", help="a store whose read models are built")
    args = parser.parse_args(argv)
    explain(args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
