"""Fixtures for the browser tests: the demo LA served on a free port, Chromium driven by
Playwright, every page checked with axe-core, and the actions a user takes (sign in) or a
reviewer wants (screenshots)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
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
AXE_TIMEOUT_MS = 2 * TIMEOUT_MS
LEAVING_WAIT_MS = 2_000
"""How long leaving a page waits for axe-core to finish checking it (about half a second for
the longest case file on a quiet machine, far more on a busy 2-core one); an action that
leaves a page (a click on a link or a button) may take this long on top of its own wait."""
PASSWORD = "correct horse battery staple"
ATTACHMENT_MAX_BYTES = 1_000_000
"""The largest file the live server keeps (1 MB, not the 20 MB a council would set): a test
can send files over it, and far over it, without building large ones."""
USERS = {
    "caseworker": ("casey@fenmarsh.example", "Casey Worker"),
    "head": ("helen@fenmarsh.example", "Helen Marsh"),
    "auditor": ("audrey@fenmarsh.example", "Audrey Tor"),
    "admin": ("adam@fenmarsh.example", "Adam Min"),
}
HERE = Path(__file__).parent
SCREENSHOTS = HERE / "screenshots"
SCREENSHOT_WIDTHS = (1280, 390)  # a desktop and a phone
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"  # make tests/browser/node_modules
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Checks the document it is put into once it has loaded (the app's own pages, not frames) and
# reports to the test through a binding: that it has started, then what axe-core found.
CHECK_ON_LOAD = """(() => {
    if (!/^https?:$/.test(location.protocol) || window !== window.top) return;
    const report = window.__sccAccessibility, url = location.href;
    const document_ = Math.random().toString(36).slice(2) + performance.timeOrigin;
    report({document: document_, url, checked: false});
    // Once the document has loaded; or, if it is left before its load event (a click on a
    // page whose favicon or font is still coming: a navigation can then cancel the load),
    // half a second after its DOM and styles are ready. Whichever comes first, once.
    let started = false;
    const check = () => setTimeout(async () => {
        if (started) return;
        started = true;
        try {
            const result = await window.axe.run(document, {
                runOnly: {type: "tag", values: TAGS}, resultTypes: ["violations"]});
            report({document: document_, url, checked: true, violations: result.violations.map(
                v => ({rule: v.id, help: v.help, impact: v.impact,
                       elements: v.nodes.map(n => n.target.join(" "))}))});
        } catch (error) {
            report({document: document_, url, checked: true, error: String(error)});
        }
    });
    addEventListener("load", check);
    addEventListener("DOMContentLoaded", () => setTimeout(check, 500));
})();""".replace("TAGS", json.dumps(WCAG_TAGS))


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
        database_url=f"sqlite:///{tmp_path_factory.mktemp('browser') / 'scc.sqlite3'}",
        attachment_max_bytes=ATTACHMENT_MAX_BYTES)
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
        _checking_accessibility(browser)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@dataclass
class AccessibilityCheck:
    """axe-core on every document of the app a browser context shows: injected into each
    document before the app's own scripts (init scripts, which the page's
    Content-Security-Policy does not govern) and run once the document has loaded; before the
    browser leaves a document (a link, a form's post, a goto) its navigation's request waits
    for the check to report, and so does the end of the test."""
    origin: str
    found: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # the documents' addresses, in order
    _unchecked: dict[str, tuple[object, str]] = field(default_factory=dict)  # by document
    _left_unchecked: dict[str, str] = field(default_factory=dict)  # url, by document

    def install(self, context) -> None:
        if not AXE.exists():
            pytest.fail(f"{AXE} is missing: make tests/browser/node_modules/.installed")
        context.expose_binding("__sccAccessibility", self._report)
        context.add_init_script(path=str(AXE))
        context.add_init_script(CHECK_ON_LOAD)
        # Only the app's pages pass through the handler, not their styles, scripts, fonts and
        # images: while it holds a navigation until the page being left has been checked,
        # a handler cannot run for that page's own assets, whose load the check waits for.
        context.route(lambda url: not _is_asset(url), self._before_request)

    def _report(self, source, report: dict) -> None:
        if _origin(report["url"]) != self.origin:
            return  # another site's page (the sign-in provider some tests start)
        if not report["checked"]:
            self._unchecked[report["document"]] = (source["page"], report["url"])
            return
        self._unchecked.pop(report["document"], None)
        self._left_unchecked.pop(report["document"], None)  # a late report counts
        self.checked.append(report["url"])
        if "error" in report:
            self.found.append(f"axe-core could not check {report['url']}: {report['error']}")
        for violation in report["violations"]:
            self.found.append(f"{violation['rule']} ({violation['impact']}: {violation['help']}) "
                              f"on {report['url']}: " + ", ".join(violation["elements"]))

    def _before_request(self, route) -> None:
        request = route.request
        try:
            frame = request.frame
        except PlaywrightError:  # a service worker's request: no document leaves
            frame = None
        if frame is not None and request.is_navigation_request() and frame.parent_frame is None:
            self.wait_for(frame.page, leaving=True)
        route.fallback()

    def wait_for(self, page, *, leaving: bool = False) -> None:
        """Until the page's documents have been checked (or the page is gone). ``leaving``:
        from the handler holding a navigation away, which waits a little only (a report
        cannot always reach the test while a handler holds the browser's request): a page
        left unchecked is opened again at the end of the test (``check_open_pages``)."""
        deadline = time.monotonic() + (LEAVING_WAIT_MS if leaving else AXE_TIMEOUT_MS) / 1000
        while unchecked := [document for document, (shown_on, _) in self._unchecked.items()
                            if shown_on is page]:
            if page.is_closed() or time.monotonic() > deadline:
                for document in unchecked:
                    _, url = self._unchecked.pop(document)
                    if leaving:
                        self._left_unchecked[document] = url
                    elif not page.is_closed():
                        self.found.append(f"axe-core did not finish checking {url}")
                return
            page.wait_for_timeout(20)  # lets the binding's report in

    def check_open_pages(self, context) -> None:
        """The pages still open, then each page left before its check reported, opened
        again (GET) in a page of its own: every page the test saw is checked."""
        for page in context.pages:
            self.wait_for(page)
        for url in dict.fromkeys(self._left_unchecked.values()):
            again = context.new_page()
            try:
                again.goto(url)
                self.wait_for(again)
            finally:
                again.close()
        self._left_unchecked.clear()


ASSET_PATHS = ("/static/", "/assets/")
"""Where the app's styles, scripts, fonts and images are served from."""


def _is_asset(url: str) -> bool:
    return urlsplit(url).path.startswith(ASSET_PATHS)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


ACCESSIBILITY = pytest.StashKey[list]()
_current_test: list[pytest.Item] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    _current_test.append(item)
    try:
        return (yield)
    finally:
        _current_test.pop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Fails the test that showed a page with a WCAG 2.2 A or AA violation, naming the rule,
    the page and the elements."""
    result = yield
    checks = item.stash.get(ACCESSIBILITY, [])
    for check, context in checks:
        check.check_open_pages(context)
    _fail_on_violations(checks)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem):
    """The same for pages checked as a context closed in a fixture's teardown."""
    result = yield
    checks = item.stash.get(ACCESSIBILITY, [])
    item.stash[ACCESSIBILITY] = []
    _fail_on_violations(checks)
    return result


def _fail_on_violations(checks) -> None:
    found = [violation for check, _ in checks for violation in check.found]
    for check, _ in checks:
        check.found.clear()
    if found:
        pytest.fail("axe-core found WCAG 2.2 A/AA violations:\n" + "\n".join(found),
                    pytrace=False)


def _checking_accessibility(browser) -> None:
    """Every context the tests open on this browser, theirs included, checks its pages."""
    new_context = browser.new_context

    def checked_context(**options):
        context = new_context(**options)
        if options.get("base_url") and _current_test:
            check = AccessibilityCheck(_origin(options["base_url"]))
            check.install(context)
            close = context.close

            def close_after_checking(**close_options):
                check.check_open_pages(context)
                close(**close_options)
            context.close = close_after_checking
            _current_test[-1].stash.setdefault(ACCESSIBILITY, []).append((check, context))
        return context
    browser.new_context = checked_context


@pytest.fixture
def context(browser, live_server) -> Iterator:
    """A fresh browser profile per test: no cookies, so nobody is signed in."""
    context = browser.new_context(base_url=live_server.url, accept_downloads=True,
                                  viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS + AXE_TIMEOUT_MS)  # expect() keeps TIMEOUT_MS
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
    """Saves the whole page as tests/browser/screenshots/<name>-1280.png and <name>-390.png
    (a desktop's and a phone's width), for a person to look at; the page keeps its own size
    afterwards. Returns the phone's."""
    SCREENSHOTS.mkdir(exist_ok=True)
    size = page.viewport_size
    try:
        for width in SCREENSHOT_WIDTHS:
            page.set_viewport_size({"width": width, "height": size["height"] if size else 900})
            path = SCREENSHOTS / f"{name}-{width}.png"
            # A long page at a phone's width is a tall image: allow longer than a page load
            page.screenshot(path=str(path), full_page=True, timeout=6 * TIMEOUT_MS)
    finally:
        if size:
            page.set_viewport_size(size)
    return path
