"""Signing in with the LA's own account, in Chromium: through a real OpenID Connect provider
(oidc-provider under Node, tests/oidc) to the dashboard, and out again."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from adapters.config import Settings
from tests.browser.conftest import screenshot
from tests.fakes import FixedClock
from tests.oidc import PROVIDER_PASSWORD, LiveScc, scc_with_provider

HEAD = "hilda.head@fenmarsh.example"


@pytest.fixture(scope="module")
def scc(tmp_path_factory) -> Iterator[LiveScc]:
    """An LA with no schools yet whose staff sign in through the provider."""
    from adapters.bootstrap import build_case_files, build_web_services

    settings = Settings(
        database_url=f"sqlite:///{tmp_path_factory.mktemp('provider') / 'scc.sqlite3'}")
    build_case_files(settings, FixedClock()).close()  # creates the store
    services = build_web_services(settings, FixedClock())
    try:
        with scc_with_provider(services) as live:
            yield live
    finally:
        services.close()


@pytest.fixture
def journey(browser, scc) -> Iterator[Page]:
    context = browser.new_context(base_url=scc.url, locale="en-GB",
                                  timezone_id="Europe/London")
    yield context.new_page()
    context.close()


def sign_in_with_the_provider(page: Page) -> None:
    page.goto("/")

    # Check someone signed out is offered the LA's sign-in
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    screenshot(page, "sign-in-with-provider")
    page.get_by_role("button", name="Sign in with Fenmarsh Council").click()

    # At the provider: its own sign-in page, then its consent page
    expect(page.get_by_role("heading", name="Sign in to Fenmarsh Council")).to_be_visible()
    page.get_by_label("Email address").fill(HEAD)
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Allow").click()

    # Back at scc: the dashboard, signed in as the head the provider's groups make her
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="Sign out (Hilda Head, head)")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("link", name="Sign out (Hilda Head, head)").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_signing_in_with_the_las_account_reaches_the_dashboard_and_signing_out_ends_it(journey):
    sign_in_with_the_provider(journey)
    expect(journey.get_by_role("heading", level=1)).to_be_visible()

    sign_out(journey)

    # Check the dashboard now sends this browser to sign in again
    journey.goto("/")
    expect(journey).to_have_url(re.compile(r"/sign-in\?next="))


def test_a_cookie_copied_before_signing_out_is_refused_after_it(journey, browser, scc):
    sign_in_with_the_provider(journey)
    copied = [c for c in journey.context.cookies() if c["name"] == "scc_session"]
    assert copied, "no session cookie to copy"

    sign_out(journey)

    # Someone who copied the cookie before she signed out replays it in another browser
    replay = browser.new_context(base_url=scc.url)
    try:
        replay.add_cookies(copied)
        page = replay.new_page()
        page.goto("/")
        expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    finally:
        replay.close()
