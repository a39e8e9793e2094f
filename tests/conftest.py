"""Fixtures: the same application on an SQLite file and on PostgreSQL."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator

import pytest

from adapters.calendars import england_and_wales_calendar
from adapters.schemes import load_scheme
from application.case_files import SchoolCaseFiles
from tests.fakes import FixedClock

POSTGRES_URL = os.environ.get("SCC_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("SCC_REQUIRE_POSTGRES") == "1"
_schemas = itertools.count(1)


def _connect(url: str):
    import psycopg

    return psycopg.connect(url.split("?")[0], autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of this test run's own on the PostgreSQL server, dropped at the end."""
    if not POSTGRES_URL:
        message = "SCC_TEST_POSTGRES_URL is not set"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    try:
        admin = _connect(POSTGRES_URL)
    except Exception as error:  # noqa: BLE001 - the reason goes in the failure
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is unreachable at {POSTGRES_URL}: {error}")
        pytest.skip(f"PostgreSQL is unreachable: {error}")
    name = f"scc_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    # Its commits return before the server's log is on disk (it is a moment later): the
    # tests record thousands of commands, and none of them is about the server crashing.
    admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
    base = POSTGRES_URL.split("?")[0].rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _postgres_schema_url(database_url: str) -> str:
    """A fresh schema in the test database, so each test starts empty."""
    schema = f"t{next(_schemas)}"
    with _connect(database_url) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{database_url}?schema={schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """An empty store: an SQLite file, or a schema of its own in PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scc.sqlite3'}"
    return _postgres_schema_url(request.getfixturevalue("postgres_database"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture(scope="session")
def working_days():
    return england_and_wales_calendar()


@pytest.fixture(scope="session")
def scheme():
    return load_scheme("peterborough")


@pytest.fixture
def case_files(database_url, clock, working_days, scheme) -> Iterator[SchoolCaseFiles]:
    from adapters.event_store import event_store_env
    from adapters.key_store import SQLKeyStore, key_store_url
    from application.personal_keys import Keyring

    keys = SQLKeyStore(key_store_url(database_url, None), clock=clock)
    app = SchoolCaseFiles(
        event_store_env(database_url), clock=clock, working_days=working_days, scheme=scheme,
        keyring=Keyring(keys),
    )
    yield app
    app.close()
    keys.close()
