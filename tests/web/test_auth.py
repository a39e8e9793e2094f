"""Signing in and out, throttling, sessions, CSRF and the role check on every route."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

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
    """Whom the server takes this browser for: the email on its account page, or None."""
    page = client.get("/account")
    if page.status_code != 200:
        return None
    return re.search(r"You are signed in as [^(]+\(([^)]+)\)", page.text).group(1)


def sign_out(client):
    return client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/sign-out").text)})


def browser_with(app, cookie: str):
    """Another browser, holding a copy of a session cookie."""
    other = app.test_client()
    other.set_cookie("scc_session", cookie)
    return other


def test_signing_in_and_out(client, actions):
    email, name = USERS["caseworker"]

    signed_in = sign_in(client, email.upper(), PASSWORD)

    # Check a caseworker lands on My work, signed in for the session's lifetime
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/my-work"
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


def test_failures_slow_signing_in_but_never_lock_the_user_out(client, services):
    """Finding #11: five wrong passwords from anyone locked the user out for 15 minutes."""
    email, _ = USERS["caseworker"]
    clock = services.users.clock
    for _ in range(5):
        assert REFUSED in sign_in(client, email, "a wrong guess").text

    # Check the next try, even with the right password, must wait a moment, and says so
    right_at_once = sign_in(client, email, PASSWORD)
    assert right_at_once.status_code == 429
    assert "You have tried to sign in too many times. Wait 1 second, then try again." in (
        right_at_once.text)

    # Check further failures make the wait longer, never more than a minute
    for _ in range(20):
        clock.advance(minutes=1)
        assert sign_in(client, email, "a wrong guess").status_code == 200
    assert "Wait 60 seconds" in sign_in(client, email, PASSWORD).text

    # Check a minute after the last failure the right password is let in
    clock.advance(minutes=1)
    assert sign_in(client, email, PASSWORD).status_code == 302
    assert signed_in_as(client) == email

    # Check other users were never slowed by it
    assert sign_in(client, USERS["head"][0], PASSWORD).status_code == 302


def test_behind_an_undeclared_proxy_one_address_cannot_slow_everyone(app, caplog, monkeypatch):
    """Finding #11: with SCC_PROXY_HOPS=0 behind a proxy, every request comes from the proxy's
    address, so twenty failures locked everyone out. The address is not counted then, and the
    log says to set SCC_PROXY_HOPS."""
    import web.auth

    monkeypatch.setattr(web.auth, "_last_proxy_warning", [float("-inf")])
    client = app.test_client()
    proxied = {"X-Forwarded-For": "203.0.113.9"}
    with caplog.at_level(logging.WARNING, logger="web.auth"):
        for n in range(25):
            page = client.get("/sign-in", headers=proxied)
            client.post("/sign-in", headers=proxied, data={
                "email": f"guess{n}@fenmarsh.example", "password": "wrong guess",
                "csrf_token": csrf_token(page.text)})
        page = client.get("/sign-in", headers=proxied)
        victim = client.post("/sign-in", headers=proxied, data={
            "email": USERS["head"][0], "password": PASSWORD,
            "csrf_token": csrf_token(page.text)})

    # Check the user gets in, and the log says why the address was not counted, once
    assert victim.status_code == 302
    warnings = [r.getMessage() for r in caplog.records if "SCC_PROXY_HOPS is 0" in r.getMessage()]
    assert len(warnings) == 1 and "X-Forwarded-For" in warnings[0]


def test_twenty_failures_from_one_address_slow_that_address(client):
    for n in range(20):
        sign_in(client, f"guess{n}@fenmarsh.example", "wrong guess")

    assert sign_in(client, USERS["head"][0], PASSWORD).status_code == 429


def test_a_disabled_user_is_signed_out_at_the_next_request_and_cannot_sign_in(
        client, services):
    email, _ = USERS["head"]
    sign_in(client, email, PASSWORD)
    assert client.get("/").status_code == 200

    services.users.disable(email)

    assert client.get("/").status_code == 302
    assert signed_in_as(client) is None
    page = sign_in(client, email, PASSWORD)
    assert page.status_code == 200 and REFUSED in page.text


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_in_production(
        services, monkeypatch):
    monkeypatch.delenv("SCC_INSECURE_COOKIES", raising=False)
    client = create_app(Config(SECRET_KEY="production-like, and 32 bytes long or more"),
                        services=services).test_client()
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

    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/my-work"


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


def test_viewers_of_a_month_erased_under_the_retention_schedule_show_as_erased(
        client, actions, services):
    from datetime import date

    services.users.record_access(email=USERS["caseworker"][0], urn=990007, view="case file")
    erased = services.users.erase_access_log_before(
        date(2026, 12, 1), rule="retention rule access-log", by="Dee Protection")
    assert erased == [{"month": "2026-11", "rows": 1, "keys": 1}]

    actions.sign_in("auditor")
    page = client.get("/access-log?urn=990007").text

    assert "[erased under retention rule access-log on 2026-11-23]" in page
    assert USERS["caseworker"][0] not in page and "Casey Worker" not in page


# Sessions on the server (finding #2) -----------------------------------------------------------

def test_a_cookie_copied_before_signing_out_is_refused_after_it(app, client):
    sign_in(client, USERS["caseworker"][0], PASSWORD)
    copied = client.get_cookie("scc_session").value
    assert browser_with(app, copied).get("/schools/990007").status_code == 200

    sign_out(client)

    replayed = browser_with(app, copied).get("/schools/990007")
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/sign-in")


def test_a_static_file_never_writes_the_session_cookie(client):
    """A page's stylesheet and script are fetched while the page's response may still be
    setting the cookie: a copy of the cookie as it stood, written last, would lose the new
    form token, and the form would be refused. Pages keep refreshing it."""
    sign_in(client, USERS["caseworker"][0], PASSWORD)

    for path in ("/static/scc.css", "/static/scc.js", "/assets/images/favicon.ico"):
        with client.get(path) as response:
            assert response.status_code == 200, path
            assert "Set-Cookie" not in response.headers, path
    assert "Set-Cookie" in client.get("/schools/").headers


def test_disabling_then_enabling_a_user_does_not_revive_their_old_cookie(app, client, services):
    email, _ = USERS["caseworker"]
    sign_in(client, email, PASSWORD)
    copied = client.get_cookie("scc_session").value

    services.users.disable(email)
    services.users.enable(email)

    assert browser_with(app, copied).get("/schools/990007").status_code == 302
    assert sign_in(client, email, PASSWORD).status_code == 302  # a new sign-in works


def test_a_new_role_ends_the_users_sessions(client, services):
    email, _ = USERS["caseworker"]
    sign_in(client, email, PASSWORD)

    services.users.set_role(email, "auditor")

    assert client.get("/schools/990007").status_code == 302
    sign_in(client, email, PASSWORD)
    assert "auditor" in client.get("/account").text


def test_a_session_ends_after_an_hour_idle_or_eight_hours_however_busy(app, client, services):
    clock = services.users.clock
    sign_in(client, USERS["caseworker"][0], PASSWORD)

    # Check a request every 55 minutes keeps it going for nearly eight hours
    for _ in range(8):
        clock.advance(minutes=55)
        assert client.get("/").status_code == 200
    clock.advance(minutes=39)  # 7 hours 59 minutes after signing in
    response = client.get("/")
    assert response.status_code == 200

    # Check that response's cookie does not outlive the eighth hour (its minute left)
    expires = parsedate_to_datetime(
        re.search(r"Expires=([^;]+)", response.headers["Set-Cookie"]).group(1))
    assert expires <= datetime.now(UTC) + timedelta(minutes=1, seconds=1)

    # Check at eight hours it has ended, busy as it was
    clock.advance(minutes=1)
    assert client.get("/").status_code == 302

    # Check an hour without a request ends a new one
    sign_in(client, USERS["caseworker"][0], PASSWORD)
    clock.advance(minutes=61)
    assert client.get("/").status_code == 302


def test_signing_out_everywhere_ends_every_session_of_the_user(app, client):
    email, _ = USERS["head"]
    laptop, phone = app.test_client(), app.test_client()
    for browser in (client, laptop, phone):
        sign_in(browser, email, PASSWORD)
    other_user = app.test_client()
    sign_in(other_user, USERS["caseworker"][0], PASSWORD)

    page = client.get("/account")
    done = client.post("/account/sign-out-everywhere",
                       data={"csrf_token": csrf_token(page.text)})

    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert [signed_in_as(b) for b in (client, laptop, phone, other_user)] == [
        None, None, None, USERS["caseworker"][0]]


# Passwords (finding #8) --------------------------------------------------------------------------

def change_password(client, current: str, new: str):
    page = client.get("/account")
    return client.post("/account", data={"current_password": current, "new_password": new,
                                         "csrf_token": csrf_token(page.text)})


def test_changing_a_password_needs_the_current_one_and_signs_out_elsewhere(app, client, services):
    email, _ = USERS["caseworker"]
    elsewhere = app.test_client()
    sign_in(elsewhere, email, PASSWORD)
    sign_in(client, email, PASSWORD)
    copied = client.get_cookie("scc_session").value

    # Check a wrong current password is refused, linked to its field, and changes nothing
    wrong = change_password(client, "not my password", "a brand new passphrase")
    assert wrong.status_code == 200
    assert "Enter your current password correctly" in wrong.text
    assert 'href="#current_password"' in wrong.text

    changed = change_password(client, PASSWORD, "a brand new passphrase")

    # Check this browser stays signed in (with a new session id: a copy of its cookie from
    # before is refused), the other is signed out, and only the new password works
    assert changed.status_code == 302
    assert signed_in_as(client) == email and signed_in_as(elsewhere) is None
    assert signed_in_as(browser_with(app, copied)) is None
    assert services.users.authenticate(email, "a brand new passphrase", source_ip=None)
    assert sign_in(app.test_client(), email, PASSWORD).status_code == 200


@pytest.mark.parametrize(("password", "message"), [
    (" " * 12, "Enter a password that is not only spaces"),
    ("password123456", "on a list of common passwords"),
    ("Password 123456", "on a list of common passwords"),
    ("casey@fenmarsh.example", "on a list of common passwords"),
    ("short one", "Enter a password of at least 12 characters"),
])
def test_the_password_policy_applies_to_a_change(client, password, message):
    sign_in(client, USERS["caseworker"][0], PASSWORD)

    page = change_password(client, PASSWORD, password)

    assert page.status_code == 200 and message in page.text
    assert 'href="#new_password"' in page.text


@pytest.mark.parametrize(("password", "message"), [
    (" " * 12, "Enter a password that is not only spaces"),
    ("password123456", "on a list of common passwords"),
])
def test_the_password_policy_applies_when_an_admin_adds_a_user(actions, services, password,
                                                                message):
    actions.sign_in("admin")

    page = actions.submit("/admin/users/new", {
        "name": "Nia Newcomer", "email": "nia@fenmarsh.example", "role": "auditor",
        "password": password})

    assert page.status_code == 200 and message in page.text
    assert services.users.get("nia@fenmarsh.example") is None


def test_an_admin_gives_a_one_time_link_through_which_the_user_sets_a_password(
        app, client, actions, services):
    email, _ = USERS["caseworker"]
    victim_browser = app.test_client()
    sign_in(victim_browser, email, PASSWORD)
    actions.sign_in("admin")

    page = client.get("/admin/users")
    shown = client.post(f"/admin/users/{email}/reset-password",
                        data={"csrf_token": csrf_token(page.text)})
    assert shown.status_code == 200
    link = re.search(r"http://localhost(/reset-password/[\w-]+)", shown.text).group(1)

    # Check the link refuses a password the policy refuses, then sets a good one
    user = app.test_client()
    form = user.get(link)
    assert form.status_code == 200 and email in form.text
    refused = user.post(link, data={"new_password": " " * 14,
                                    "csrf_token": csrf_token(form.text)})
    assert "Enter a password that is not only spaces" in refused.text
    done = user.post(link, data={"new_password": "a fresh passphrase of mine",
                                 "csrf_token": csrf_token(form.text)})
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"

    # Check the new password works, the old does not, their sessions ended, and the link is spent
    assert services.users.authenticate(email, "a fresh passphrase of mine", source_ip=None)
    assert signed_in_as(victim_browser) is None
    spent = app.test_client().get(link)
    assert spent.status_code == 404 and "has been used" in spent.text


def test_a_reset_link_expires_after_a_day(app, services):
    email, _ = USERS["caseworker"]
    token = services.users.issue_password_reset(email)

    services.users.clock.advance(hours=24)

    page = app.test_client().get(f"/reset-password/{token}")
    assert page.status_code == 404 and "This link has expired" in page.text


# The last administrator and the secret key (findings #16, #13) -----------------------------------

def test_the_last_enabled_admin_cannot_be_disabled(client, actions, services):
    admin, _ = USERS["admin"]
    actions.sign_in("admin")

    page = client.get("/admin/users")
    refused = client.post(f"/admin/users/{admin}/disable",
                          data={"csrf_token": csrf_token(page.text)})

    assert refused.status_code == 409
    assert f"You cannot disable {admin}: they are the only enabled administrator" in refused.text
    assert not services.users.get(admin)["disabled"]

    # Check with a second administrator, the first may be disabled
    services.users.add(email="ada@fenmarsh.example", name="Ada Min", role="admin",
                       password=PASSWORD)
    assert client.post(f"/admin/users/{admin}/disable",
                       data={"csrf_token": csrf_token(page.text)}).status_code == 302
    assert services.users.get(admin)["disabled"]


@pytest.mark.parametrize(("key", "message"), [
    ("", "SCC_SECRET_KEY is not set"),
    ("production-like", "SCC_SECRET_KEY is 15 bytes long: it must be at least 32"),
])
def test_the_app_refuses_to_start_without_a_long_secret_key(services, key, message):
    with pytest.raises(ValueError, match=message):
        create_app(Config(SECRET_KEY=key), services=services)
