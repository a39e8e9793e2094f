"""Fixtures for the web app: the demo LA on an SQLite file, a signed-in client per role.

The demo is loaded, and the app runs, on the test clock (23 November 2026): the pages' "today",
the fortnight and what is overdue are the same whatever day the tests run."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from adapters.config import Settings
from adapters.key_store import copy_sqlite_store
from tests.fakes import FixedClock
from web import create_app
from web.config import TestConfig

PASSWORD = "correct horse battery staple"
USERS = {
    "caseworker": ("casey@fenmarsh.example", "Casey Worker"),
    "head": ("helen@fenmarsh.example", "Helen Marsh"),
    "auditor": ("audrey@fenmarsh.example", "Audrey Tor"),
    "admin": ("adam@fenmarsh.example", "Adam Min"),
}


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> str:
    """The demo LA loaded once into an SQLite file; tests copy it so each starts alike."""
    from adapters.bootstrap import build_case_files, build_projections
    from adapters.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "scc.sqlite3"
    settings = Settings(database_url=f"sqlite:///{path}")
    case_files = build_case_files(settings, FixedClock())
    load_demo(case_files)
    projections = build_projections(settings, case_files)
    projections.catch_up()  # once here, not in every test's first request
    projections.store.close()
    case_files.close()
    return str(path)


@pytest.fixture
def settings(demo_store, tmp_path) -> Settings:

    path = tmp_path / "scc.sqlite3"
    copy_sqlite_store(demo_store, path)  # with its key store
    return Settings(database_url=f"sqlite:///{path}")


@pytest.fixture
def services(settings) -> Iterator:
    from adapters.bootstrap import build_web_services

    services = build_web_services(settings, FixedClock())
    for role, (email, name) in USERS.items():
        services.users.add(email=email, name=name, role=role, password=PASSWORD)
    yield services
    services.close()


@pytest.fixture
def app(services):
    return create_app(TestConfig(), services=services)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class Actions:
    """What a user does in a test: sign in, fill a form with its CSRF token."""

    def __init__(self, client) -> None:
        self.client = client

    def sign_in(self, role: str):
        email, _ = USERS[role]
        page = self.client.get("/sign-in")
        return self.client.post("/sign-in", data={
            "email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
            follow_redirects=True)

    def submit(self, form_url: str, data: dict, **kwargs):
        page = self.client.get(form_url)
        assert page.status_code == 200, page.status_code
        tokens = {"csrf_token": csrf_token(page.text)}
        if one_time := re.search(r'name="form_token" type="hidden" value="([^"]+)"', page.text):
            tokens["form_token"] = one_time.group(1)
        return self.client.post(form_url, data={**data, **tokens}, **kwargs)


@pytest.fixture
def actions(client) -> Actions:
    return Actions(client)
