"""Fixtures for the browser tests: the demo LA served on a free port, Chromium driven by
Playwright, and the actions a user takes (sign in) or a reviewer wants (screenshots)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from adapters.config import Settings
from tests.fakes import FixedClock
from web import create_app
from web.config import TestConfig

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic",
                 "--disable-sync"]
TIMEOUT_MS = 10_000  # for every wait: a page of this app that takes longer is a failure
PASSWORD = "correct horse battery staple"
USERS = {
    "caseworker": ("casey@fenmarsh.example", "Casey Worker"),
    "head": ("helen@fenmarsh.example", "Helen Marsh"),
    "auditor": ("audrey@fenmarsh.example", "Audrey Tor"),
    "admin": ("adam@fenmarsh.example", "Adam Min"),
}
HERE = Path(__file__).parent
SCREENSHOTS = HERE / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this directory drives a browser: ``-m "not browser"`` leaves them out."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    url: str
    services: object  # web.services.WebServices: for setting up a case through the use cases


def _from_memory(app):
    """The app with every answer read into memory before it is sent. Werkzeug's development
    server leaves a static file open when the browser drops the connection while the file is
    sent (it closes the answer only if reading the socket afterwards succeeds), and the
    ResourceWarning then fails whichever test is running when the file is collected."""
    def answer(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return answer


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The demo LA in an SQLite file, a user per role, and the app on 127.0.0.1, for the
    whole session; tests that record pick schools no other test reads."""
    from werkzeug.serving import make_server

    from adapters.bootstrap import build_case_files, build_web_services
    from adapters.demo import load_demo

    # A fixed clock (23 November 2026) makes every date on the pages one to check by hand.
    clock = FixedClock()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path_factory.mktemp('browser') / 'scc.sqlite3'}")
    demo = build_case_files(settings, clock)
    load_demo(demo)
    demo.close()

    services = build_web_services(settings, clock)
    for role, (email, name) in USERS.items():
        services.users.add(email=email, name=name, role=role, password=PASSWORD)
    services.projections.catch_up()
    server = make_server("127.0.0.1", 0, _from_memory(create_app(TestConfig(), services=services)),
                         threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", services)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        services.close()


@contextmanager
def _real_clock() -> Iterator[None]:
    """Playwright's driver and Chromium start on the real clock when the suite runs with the
    clock moved (``make test-dates``): under libfaketime Chromium took seconds a request. The
    pages' dates are the server's; the moved days are all ahead, so the browser never sees the
    server's cookies as expired."""
    moved = {name: os.environ.pop(name) for name in ("LD_PRELOAD", "FAKETIME")
             if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(moved)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make {CHROMIUM}), "
                    'or leave these tests out with -m "not browser"')
    with _real_clock():  # the driver starts here, and Chromium from the driver
        playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        expect.set_options(timeout=TIMEOUT_MS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def context(browser, live_server) -> Iterator:
    """A fresh browser profile per test: no cookies, so nobody is signed in."""
    context = browser.new_context(base_url=live_server.url, accept_downloads=True,
                                  viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def sign_in(page, role: str) -> None:
    """Signs in through the sign-in page as the user with this role."""
    email, _ = USERS[role]
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=f"Sign out ({USERS[role][1]}, {role})")).to_be_visible()


def screenshot(page, name: str) -> Path:
    """Saves the whole page as tests/browser/screenshots/<name>.png, for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
