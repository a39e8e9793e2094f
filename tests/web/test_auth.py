"""Signing in and out, throttling, sessions, CSRF and the role check on every route."""

from __future__ import annotations

import pytest

from tests.web.conftest import PASSWORD, USERS, csrf_token
from web import create_app
from web.config import Config

REFUSED = "Enter a correct email address and password"


def sign_in(client, email: str, password: str, next_path: str | None = None):
    page = client.get("/sign-in")
    url = f"/sign-in?next={next_path}" if next_path is not None else "/sign-in"
    return client.post(url, data={"email": email, "password": password,
                                  "csrf_token": csrf_token(page.text)})


def signed_in_as(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("user")


def test_signing_in_and_out(client, actions):
    email, name = USERS["caseworker"]

    signed_in = sign_in(client, email.upper(), PASSWORD)

    # Check a caseworker lands on the dashboard, signed in for the session's lifetime
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    assert signed_in_as(client) == email
    assert "Expires=" in signed_in.headers["Set-Cookie"]

    # Check the sign-out page names them and signs out only on its button (a POST)
    page = client.get("/sign-out")
    assert page.status_code == 200 and name in page.text and "Sign out" in page.text
    assert signed_in_as(client) == email
    signed_out = client.post("/sign-out", data={"csrf_token": csrf_token(page.text)})
    assert signed_out.status_code == 302 and signed_out.headers["Location"] == "/sign-in"
    assert signed_in_as(client) is None
    assert client.get("/admin/users").status_code == 302


def test_an_admin_lands_on_the_users_page(client):
    email, _ = USERS["admin"]

    assert sign_in(client, email, PASSWORD).headers["Location"] == "/admin/users"


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(client):
    email, _ = USERS["head"]

    wrong = sign_in(client, email, "not the password at all")
    unknown = sign_in(client, "nobody@fenmarsh.example", PASSWORD)

    for page in (wrong, unknown):
        assert page.status_code == 200
        assert "There is a problem" in page.text and REFUSED in page.text
        assert 'href="#email"' in page.text
    assert signed_in_as(client) is None


def test_missing_fields_are_named_in_the_error_summary(client):
    page = sign_in(client, "", "")

    assert "Enter your email address" in page.text and "Enter your password" in page.text
    assert "<title>Error: Sign in" in page.text


def test_five_failures_throttle_signing_in_even_with_the_right_password(client):
    email, _ = USERS["caseworker"]
    for _ in range(4):
        assert REFUSED in sign_in(client, email, "a wrong guess").text

    fifth = sign_in(client, email, "a wrong guess")
    right = sign_in(client, email, PASSWORD)

    # Check the fifth failure throttles, with when to try again, and so does the right password
    for page in (fifth, right):
        assert page.status_code == 429
        assert "You have tried to sign in too many times. Try again after" in page.text
    assert signed_in_as(client) is None

    # Check other users are not throttled by it
    assert sign_in(client, USERS["head"][0], PASSWORD).status_code == 302


def test_a_disabled_user_is_signed_out_at_the_next_request_and_cannot_sign_in(
        client, services):
    email, _ = USERS["admin"]
    sign_in(client, email, PASSWORD)
    assert client.get("/admin/users").status_code == 200

    services.users.disable(email)

    assert client.get("/admin/users").status_code == 302
    assert signed_in_as(client) is None
    page = sign_in(client, email, PASSWORD)
    assert page.status_code == 200 and REFUSED in page.text


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_in_production(
        services, monkeypatch):
    monkeypatch.delenv("SCC_INSECURE_COOKIES", raising=False)
    client = create_app(Config(SECRET_KEY="production-like"), services=services).test_client()
    email, _ = USERS["caseworker"]

    page = client.get("/sign-in", base_url="https://scc.example")
    signed_in = client.post("/sign-in", base_url="https://scc.example", data={
        "email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
        headers={"Referer": "https://scc.example/sign-in"})  # CSRF checks it over HTTPS

    assert signed_in.status_code == 302
    cookie = signed_in.headers["Set-Cookie"]
    assert cookie.startswith("scc_session=")
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= {p.strip() for p in cookie.split(";")}


def test_a_post_without_a_csrf_token_is_refused(client, actions):
    email, _ = USERS["admin"]

    assert client.post("/sign-in", data={"email": email, "password": PASSWORD}
                       ).status_code == 400
    actions.sign_in("admin")
    assert client.post("/sign-out").status_code == 400
    assert client.post(f"/admin/users/{USERS['head'][0]}/disable").status_code == 400
    assert signed_in_as(client) == email
    assert client.post("/sign-out", data={"csrf_token": "forged"}).status_code == 400


@pytest.mark.parametrize("role", ["caseworker", "head", "auditor"])
def test_only_admins_may_manage_users(client, actions, services, role):
    actions.sign_in(role)
    token = csrf_token(client.get("/sign-out").text)

    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    assert client.post(f"/admin/users/{USERS['admin'][0]}/disable",
                       data={"csrf_token": token}).status_code == 403
    assert not services.users.get(USERS["admin"][0])["disabled"]


def test_signed_out_users_are_sent_to_sign_in_and_back(client):
    for path in ("/admin/users", "/admin/users/new", "/access-log"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")
    assert client.post("/admin/users/x@y.example/enable").status_code in (302, 400)

    form = client.get(client.get("/admin/users").headers["Location"])
    assert 'action="/sign-in?next=' in form.text
    signed_in = sign_in(client, USERS["admin"][0], PASSWORD, next_path="/admin/users")
    assert signed_in.headers["Location"] == "/admin/users"


@pytest.mark.parametrize("next_path", [
    "https://evil.example/admin/users", "//evil.example/admin/users",
    "/\\evil.example/admin/users", "%09//evil.example", "javascript:alert(1)",
])
def test_next_to_another_host_is_ignored(client, next_path):
    signed_in = sign_in(client, USERS["caseworker"][0], PASSWORD, next_path=next_path)

    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"


def test_an_admin_adds_disables_and_enables_a_user(client, actions, services):
    actions.sign_in("admin")

    added = actions.submit("/admin/users/new", {
        "name": "Nia Newcomer", "email": "Nia@Fenmarsh.example", "role": "auditor",
        "password": "a long enough password"}, follow_redirects=True)

    # Check the user is listed, and can sign in
    assert added.request.path == "/admin/users"
    assert "Nia Newcomer" in added.text and "nia@fenmarsh.example" in added.text
    assert services.users.get("nia@fenmarsh.example")["role"] == "auditor"
    assert services.users.authenticate("nia@fenmarsh.example", "a long enough password",
                                       source_ip=None)

    # Check the page's buttons disable then enable them
    token = csrf_token(added.text)
    disabled = client.post("/admin/users/nia@fenmarsh.example/disable",
                           data={"csrf_token": token}, follow_redirects=True)
    assert disabled.request.path == "/admin/users" and "Enable" in disabled.text
    assert services.users.get("nia@fenmarsh.example")["disabled"]
    client.post("/admin/users/nia@fenmarsh.example/enable", data={"csrf_token": token})
    assert not services.users.get("nia@fenmarsh.example")["disabled"]
    assert client.post("/admin/users/nobody@fenmarsh.example/enable",
                       data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize(("fields", "message", "field"), [
    ({"password": "too short"}, "Enter a password of at least 12 characters", "password"),
    ({"email": "not-an-address"}, "Enter an email address in the correct format", "email"),
    ({"email": USERS["head"][0]}, "already exists", "email"),
    ({"role": ""}, "Choose a role", "role"),
])
def test_adding_a_user_shows_what_to_correct(actions, fields, message, field):
    actions.sign_in("admin")

    page = actions.submit("/admin/users/new", {
        "name": "Nia Newcomer", "email": "nia@fenmarsh.example", "role": "auditor",
        "password": "a long enough password"} | fields)

    assert page.status_code == 200
    assert "There is a problem" in page.text and message in page.text
    assert f'href="#{field}"' in page.text


def test_auditors_read_the_access_log_and_caseworkers_may_not(client, actions, services):
    services.users.record_access(email=USERS["caseworker"][0], urn=990007, view="case file")
    services.users.record_access(email=USERS["auditor"][0], urn=990005, view="export")

    actions.sign_in("auditor")
    everything = client.get("/access-log")
    one_school = client.get("/access-log?urn=990007")

    assert everything.status_code == 200
    assert "Casey Worker" in everything.text and "990005" in everything.text
    assert "Casey Worker" in one_school.text and "990005" not in one_school.text

    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/sign-out").text)})
    actions.sign_in("caseworker")
    assert client.get("/access-log").status_code == 403
