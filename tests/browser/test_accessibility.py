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


def the_check(request):
    ((check, _),) = request.node.stash[ACCESSIBILITY]
    return check


def serve_inaccessible_page(page: Page) -> None:
    """A page of this test's own on the app's address (the check looks at the app's pages);
    its form's post goes on to the app."""
    page.context.route("**/an-inaccessible-page", lambda route: route.fulfill(
        status=200, content_type="text/html", body=INACCESSIBLE)
        if route.request.method == "GET" else route.fallback())


def test_a_page_without_alt_text_or_labels_fails_the_test_that_showed_it(page: Page, request,
                                                                         live_server):
    serve_inaccessible_page(page)
    page.goto("/an-inaccessible-page")
    the_check(request).wait_for(page)  # checked once it has loaded
    url = f"{live_server.url}/an-inaccessible-page"
    assert found(request) == [
        f"image-alt (critical: Images must have alternative text) on {url}: img",
        f"label (critical: Form elements must have labels) on {url}: #name"]

    # Post its form: the app's answer to the post is checked too
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("A page that breaks the rules")
    the_check(request).wait_for(page)
    assert checked(request) == [url, url]

    # Check the test fails, naming the rule, the page and the element
    with pytest.raises(pytest.fail.Exception) as failure:
        _fail_on_violations(request.node.stash[ACCESSIBILITY])
    assert "image-alt" in str(failure.value) and f"on {url}: img" in str(failure.value)
    assert found(request) == []


def test_a_page_left_before_its_check_reported_is_opened_again_and_checked(
        page: Page, request, live_server):
    # As when a click leaves a page whose check has not reported within LEAVING_WAIT_MS
    serve_inaccessible_page(page)
    url = f"{live_server.url}/an-inaccessible-page"
    check = the_check(request)
    check._left_unchecked["a document left unchecked"] = url

    check.check_open_pages(page.context)

    assert found(request) == [
        f"image-alt (critical: Images must have alternative text) on {url}: img",
        f"label (critical: Form elements must have labels) on {url}: #name"]
    request.node.stash[ACCESSIBILITY][0][0].found.clear()  # seen: not this test's failure
