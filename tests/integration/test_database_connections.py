"""The connections a web worker and the worker hold to PostgreSQL, however busy: at most one
per thread and one more, for the event store and for the stores beside the read models (the
README's bound, by which an operator sizes max_connections)."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from adapters.config import Settings
from scheduler.worker import THREADS as WORKER_THREADS
from tests.api.conftest import SCHOOLS, build_world, register_schools
from tests.conftest import POSTGRES_URL
from tests.web.conftest import PASSWORD, USERS, csrf_token

pytestmark = pytest.mark.postgres


def most_connections(threads: int) -> int:
    """As the README says: the event store's pool and the read models' engine, each one
    connection per thread and one more."""
    return 2 * (threads + 1)


@pytest.fixture
def store(postgres_database) -> Iterator[str]:
    """A database of the test's own, so that every connection to it is the test's."""
    name = f"scc_connections_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{postgres_database.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Connections:
    """Counts the sessions on the database, now and the most seen while watching."""

    def __init__(self, database_url: str) -> None:
        self.database = database_url.rsplit("/", 1)[1]
        self.most = 0
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)

    def now(self, conn: psycopg.Connection | None = None) -> int:
        with contextlib.ExitStack() as closing:
            if conn is None:
                conn = closing.enter_context(psycopg.connect(POSTGRES_URL, autocommit=True))
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                                "AND pid <> pg_backend_pid()", (self.database,)).fetchone()[0]

    @contextlib.contextmanager
    def watching(self) -> Iterator[Connections]:
        self._watcher.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._watcher.join()

    def _watch(self) -> None:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            while not self._stop.wait(0.005):
                self.most = max(self.most, self.now(conn))


def busy_user(world, thread: int) -> None:
    """Signs in, reads pages and the API, and records a visit: what a web thread serves."""
    client = world.app.test_client()
    email, _ = USERS["caseworker"]
    sign_in = client.get("/sign-in")
    client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                  "csrf_token": csrf_token(sign_in.text)})
    head = world.headers("head")
    for turn in range(3):
        urn = SCHOOLS[(thread + turn) % len(SCHOOLS)]
        for page in ("/", "/schools/", "/schools/?q=Fen", f"/schools/{urn}", "/my-work"):
            assert client.get(page).status_code == 200, page
        for path in ("/api/v1/schools", f"/api/v1/schools/{urn}/events",
                     f"/api/v1/schools/{urn}/deadlines"):
            assert client.get(path, headers=head).status_code == 200, path
        recorded = client.post(f"/api/v1/schools/{urn}/visits", headers=head,
                               json={"kind": "monitoring", "notes": "Met the head"})
        assert recorded.status_code == 201, recorded.text


def test_a_web_worker_holds_at_most_two_connections_per_thread_and_two_more(store):
    world = build_world(store)
    try:
        register_schools(world.services.case_files)
        threads = Settings(database_url=store).web_threads
        connections = Connections(store)

        # Check a web worker that has served one request at a time keeps few open
        assert connections.now() <= 3

        with connections.watching(), ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda thread: busy_user(world, thread), range(threads)))

        # Check its threads, all busy at once, never had more open than the bound, nor
        # kept more
        assert connections.most <= most_connections(threads)
        assert connections.now() <= most_connections(threads)
    finally:
        world.services.close()


def test_the_worker_holds_at_most_two_connections_per_thread_two_more_and_its_lock(store):
    from scheduler.__main__ import _open
    from scheduler.worker import Worker

    build_world(store).services.close()  # the store's tables and its users
    connections = Connections(store)
    with contextlib.ExitStack() as closing:
        case_files, projections, engine, lock, notifications = _open(
            Settings(database_url=store), closing)
        register_schools(case_files)
        worker = Worker(case_files, projections, engine=engine, lock=lock,
                        notifications=notifications, poll_seconds=0.05,
                        lock_check_seconds=0.05, send_seconds=0.05)
        with connections.watching():
            worker.start()
            deadline = time.monotonic() + 10
            while not worker.is_scheduling and time.monotonic() < deadline:
                time.sleep(0.05)
            scheduling = worker.is_scheduling
            time.sleep(0.5)  # the scheduler's jobs run meanwhile
            worker.stop()

        # Check it took the scheduler, and never had more open than the bound: the pools,
        # and the scheduler lock's connection of its own
        assert scheduling
        assert connections.most <= most_connections(WORKER_THREADS) + 1
