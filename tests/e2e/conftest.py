"""Fixtures for the end-to-end tests: real processes on PostgreSQL, reached over HTTP."""

from __future__ import annotations

import http.cookiejar
import itertools
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from adapters.config import Settings

PASSWORD = "end-to-end password, not for production"
_schemas = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_database) -> str:
    """An empty store: a schema of its own in this run's PostgreSQL database."""
    schema = f"e2e{next(_schemas)}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(postgres_database, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{postgres_database}?schema={schema}"


@pytest.fixture(scope="session")
def demo_log(tmp_path_factory) -> Path:
    """The demo LA's log in an SQLite file, made once; tests copy it into PostgreSQL
    (benchmarks.load.store) rather than record its thousands of entries again."""
    from adapters.bootstrap import build_case_files
    from adapters.demo import load_demo

    path = tmp_path_factory.mktemp("demo-log") / "scc.sqlite3"
    case_files = build_case_files(Settings(database_url=f"sqlite:///{path}"))
    load_demo(case_files)
    case_files.close()
    return path


def add_user(database_url: str, email: str, role: str = "caseworker") -> None:
    from adapters.bootstrap import build_users

    users = build_users(Settings(database_url=database_url))
    try:
        users.add(email=email, name=email.split("@")[0].replace(".", " ").title(), role=role,
                  password=PASSWORD)
    finally:
        users.close()


@dataclass
class Page:
    status: int
    url: str
    text: str

    def field(self, name: str) -> str:
        """The value of the form's hidden or text input ``name``."""
        return self.fields(name)[0]

    def fields(self, name: str) -> list[str]:
        """The values of the form's inputs called ``name`` (a date has three)."""
        found = re.findall(rf'name="{name}"[^>]*value="([^"]*)"', self.text)
        assert found, f"the page {self.url} has no {name} field"
        return found


class WebClient:
    """A person's browser, as far as the server can tell: cookies, forms and redirects."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, fields: list[tuple[str, str]]) -> Page:
        data = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=data))

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=30) as response:
                return Page(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            return Page(error.code, error.url, error.read().decode())

    def sign_in(self, email: str) -> Page:
        form = self.get("/sign-in")
        return self.post("/sign-in", [("csrf_token", form.field("csrf_token")),
                                      ("email", email), ("password", PASSWORD)])

    def submit(self, form_path: str, fields: list[tuple[str, str]]) -> Page:
        """Opens the form and sends it with its CSRF token and one-time token."""
        form = self.get(form_path)
        assert form.status == 200, (form.status, form.url)
        return self.post(form_path, [("csrf_token", form.field("csrf_token")),
                                     ("form_token", form.field("form_token")), *fields])
