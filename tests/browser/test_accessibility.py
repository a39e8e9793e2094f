"""The accessibility check every browser test runs (axe-core, WCAG 2.2 A and AA): shown a page
that breaks the rules, it names the rule, the page and the elements, and fails the test."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ACCESSIBILITY, _fail_on_violations

INACCESSIBLE = """<!DOCTYPE html><html lang="en"><head><title>Not scc</title></head><body>
<main><h1>A page that breaks the rules</h1>
<img src="/static/nothing.png">
<form method="post"><input type="text" id="name" name="name">
<button type="submit">Send</button></form></main></body></html>"""


def found(request) -> list[str]:
    return [violation for check, _ in request.node.stash[ACCESSIBILITY]
            for violation in check.found]


def checked(request) -> list[str]:
    return [url for check, _ in request.node.stash[ACCESSIBILITY] for url in check.checked]


def test_a_page_without_alt_text_or_labels_fails_the_test_that_showed_it(page: Page, request,
                                                                         live_server):
    # A page of this test's own on the app's address (the check looks at the app's pages);
    # its form's post goes on to the app
    page.route("**/an-inaccessible-page", lambda route: route.fulfill(
        status=200, content_type="text/html", body=INACCESSIBLE)
        if route.request.method == "GET" else route.fallback())
    page.goto("/an-inaccessible-page")
    assert found(request) == []  # checked as the browser leaves it, not before

    # Post its form: the page it leaves is checked, and names the rules it breaks
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("A page that breaks the rules")
    url = f"{live_server.url}/an-inaccessible-page"
    assert found(request) == [
        f"image-alt (critical: Images must have alternative text) on {url}: img",
        f"label (critical: Form elements must have labels) on {url}: #name"]

    # The app's answer to the post is checked too, before the browser leaves it
    page.goto("/sign-in")
    assert checked(request) == [url, url]

    # Check the test fails, naming the rule, the page and the element
    with pytest.raises(pytest.fail.Exception) as failure:
        _fail_on_violations(request.node.stash[ACCESSIBILITY])
    assert "image-alt" in str(failure.value) and f"on {url}: img" in str(failure.value)
    assert found(request) == []  # the sign-in page, checked after the test, has none
