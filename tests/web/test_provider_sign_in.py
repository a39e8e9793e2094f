"""Signing in through the LA's own OpenID Connect provider: a real one (oidc-provider under
Node, tests/oidc) on 127.0.0.1, driven over HTTP with requests as a browser would."""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from tests.oidc import (
    CALLBACK,
    PROVIDER_PASSWORD,
    PROVIDER_USERS,
    form_action,
    provider_callback,
    scc_with_provider,
    sign_in_through_provider,
)
from tests.web.conftest import PASSWORD, csrf_token
from web import config, create_app

HEAD, CASEWORKER, AUDITOR, ADMIN, DUAL, NO_GROUP, DISABLED = PROVIDER_USERS


@pytest.fixture
def scc(services):
    with scc_with_provider(services) as live:
        yield live


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def signed_in_as(http, scc) -> str | None:
    """The name and role the page header shows, or None if scc sends them to sign in."""
    page = http.get(scc.url + "/sign-out", allow_redirects=False)
    if page.status_code != 200:
        return None
    return page.text


@pytest.mark.parametrize(("email", "role", "lands_on"), [
    (HEAD, "head", "/my-work"),
    (CASEWORKER, "caseworker", "/my-work"),
    (AUDITOR, "auditor", "/"),
    (ADMIN, "admin", "/admin/users"),
    (DUAL, "head", "/my-work"),  # in both the heads' and the caseworkers' groups: listed first wins
])
def test_the_providers_groups_give_the_role(scc, http, services, email, role, lands_on):
    name = PROVIDER_USERS[email]["name"]
    assert services.users.get(email) is None

    page = sign_in_through_provider(http, scc.url, email)

    # Check they land where their role starts, signed in with the role their groups give
    assert page.status_code == 200 and urlsplit(page.url).path == lands_on
    assert f"Sign out ({name}, {role})" in page.text
    # Check the account was made at their first sign-in, with no password that could work
    made = services.users.get(email)
    assert {k: v for k, v in made.items() if k != "account_id"} == {
        "email": email, "name": name, "role": role, "disabled": False}
    # Check the administration log says the provider's sign-in made it
    (added,) = [e for e in services.users.administration.entries() if e["email"] == email]
    assert (added["action"], added["account"]) == ("user added", made["account_id"])
    assert added["by"].endswith("single sign-on")
    assert "Enter a correct email address and password" in _password_sign_in(
        scc, email, "no password: signs in through the LA's provider").text


def test_the_request_to_the_provider_carries_state_nonce_and_a_pkce_challenge(scc, http):
    sent = http.get(scc.url + "/sign-in/provider", allow_redirects=False)

    query = parse_qs(urlsplit(sent.headers["Location"]).query)
    assert sent.headers["Location"].startswith(scc.issuer + "/auth?")
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["redirect_uri"] == [scc.url + CALLBACK]


def test_sign_ins_started_and_left_do_not_stop_the_next_one(scc, http):
    for _ in range(12):
        http.get(scc.url + "/sign-in/provider", allow_redirects=False)

    # Check the session cookie holds only the latest attempt (browsers drop one over 4 KB)
    assert len(http.cookies["scc_session"]) < 1500
    assert "Sign out (Hilda Head, head)" in sign_in_through_provider(http, scc.url, HEAD).text


def test_the_role_follows_the_groups_at_each_sign_in(scc, http, services):
    # An account made by the administrator with a password, as an auditor; the LA has since
    # put the person in its caseworkers' group
    services.users.add(email=CASEWORKER.upper(), name="Colin Case", role="auditor",
                       password=PASSWORD)

    page = sign_in_through_provider(http, scc.url, CASEWORKER)

    # Check the same account, now a caseworker, and its password still works
    assert "Sign out (Colin Case, caseworker)" in page.text
    assert services.users.get(CASEWORKER)["role"] == "caseworker"
    assert _password_sign_in(scc, CASEWORKER, PASSWORD).status_code == 302


def test_someone_in_no_group_that_gives_access_is_refused_in_words(scc, http, services):
    page = sign_in_through_provider(http, scc.url, NO_GROUP)

    assert page.status_code == 403
    assert (f"Your Fenmarsh Council account ({NO_GROUP}) is not in any group that gives "
            "access to scc. Ask your administrator to add you to the right group.") in page.text
    assert signed_in_as(http, scc) is None
    assert services.users.get(NO_GROUP) is None


def test_a_disabled_account_is_refused_whatever_the_groups_say(scc, http, services):
    services.users.add(email=DISABLED, name="Dora Disabled", role="caseworker",
                       password=PASSWORD)
    services.users.disable(DISABLED)

    page = sign_in_through_provider(http, scc.url, DISABLED)

    assert page.status_code == 403
    assert (f"Your scc account ({DISABLED}) is disabled. Ask your administrator to enable it."
            in page.text)
    assert signed_in_as(http, scc) is None


def test_cancelling_at_the_provider_says_so(scc, http):
    page = http.get(scc.url + "/sign-in/provider")
    page = http.post(urljoin(page.url, form_action(page.text, "Sign in")),
                     data={"login": HEAD, "password": PROVIDER_PASSWORD})
    page = http.post(urljoin(page.url, form_action(page.text, "Cancel")))

    assert page.status_code == 403
    assert "You did not finish signing in with Fenmarsh Council. Start again." in page.text
    assert signed_in_as(http, scc) is None


def test_an_answer_with_a_changed_state_is_refused(scc, http):
    callback = provider_callback(http, scc.url, HEAD)
    state = parse_qs(urlsplit(callback).query)["state"][0]

    page = http.get(callback.replace(f"state={state}", f"state={state[:-2]}xx"))

    assert page.status_code == 400
    assert ("Signing in with Fenmarsh Council did not finish: the answer scc received did not "
            "match the request this browser made. Start again.") in page.text
    assert signed_in_as(http, scc) is None


def test_an_answer_for_another_browser_is_refused(scc, http):
    # Someone signs in to the provider, stops before scc, and sends the link they were
    # sent back with to a colleague (who would otherwise be signed in as them)
    callback = provider_callback(http, scc.url, HEAD)

    with requests.Session() as colleague:
        page = colleague.get(callback)
        assert page.status_code == 400 and "Start again" in page.text
        assert signed_in_as(colleague, scc) is None


def test_a_code_from_another_sign_in_is_refused_with_this_browsers_state(scc, http):
    # An attacker signs in as themselves and stops before scc; the victim starts signing in,
    # and the attacker's code is slipped into the victim's way back, with the victim's own
    # state, so that the victim would work in scc as the attacker
    attackers = provider_callback(http, scc.url, CASEWORKER)
    code = parse_qs(urlsplit(attackers).query)["code"][0]
    with requests.Session() as victim:
        victims = provider_callback(victim, scc.url, HEAD)
        victims_code = parse_qs(urlsplit(victims).query)["code"][0]

        # Check the provider will not exchange it for the victim's PKCE verifier
        page = victim.get(victims.replace(victims_code, code))
        assert page.status_code == 400 and "Start again" in page.text
        assert signed_in_as(victim, scc) is None


def test_an_answer_used_once_is_refused_the_second_time(scc, http):
    callback = provider_callback(http, scc.url, HEAD)
    assert "Sign out (Hilda Head, head)" in http.get(callback).text

    http.post(scc.url + "/sign-out", data={"csrf_token": csrf_token(
        http.get(scc.url + "/sign-out").text)})
    page = http.get(callback)

    assert page.status_code == 400 and signed_in_as(http, scc) is None


def test_an_id_token_from_another_issuer_than_the_one_configured_is_refused(services, http):
    """The provider's metadata and its tokens name an issuer; scc accepts only the one it was
    configured with (another tenant's tokens, a provider swapped behind the discovery URL)."""
    with scc_with_provider(services, issuer_as=lambda real: real + "/another-tenant") as live:
        answer = provider_callback(http, live.url, HEAD)
        page = http.get(answer, allow_redirects=False)

        assert page.status_code == 400
        assert "did not match the request this browser made" in page.text
        assert signed_in_as(http, live) is None
        assert services.users.get(HEAD) is None


def test_the_sign_in_page_offers_the_provider_and_passwords(scc, http):
    page = http.get(scc.url + "/sign-in")

    assert "Sign in with Fenmarsh Council" in page.text
    assert 'href="/sign-in/provider"' in page.text
    assert 'type="password"' in page.text


def test_password_sign_in_can_be_turned_off(services, http):
    # CSRF off, so that a password can be posted at all (the page has no form to take a
    # token from): what refuses it must be the setting
    with scc_with_provider(services, PASSWORD_SIGN_IN=False, WTF_CSRF_ENABLED=False) as scc:
        page = http.get(scc.url + "/sign-in?next=/schools/")

        # Check the page offers only the provider, and keeps where the person was going
        assert "Sign in with Fenmarsh Council" in page.text
        assert 'href="/sign-in/provider?next=/schools/"' in page.text
        assert 'type="password"' not in page.text
        # Check a right password posted anyway opens nothing
        refused = _password_sign_in(scc, "casey@fenmarsh.example", PASSWORD)
        assert refused.status_code == 403
        assert "Sign in with Fenmarsh Council: scc does not take passwords here" in refused.text
        # Check the provider still signs people in, to where they were going
        page = sign_in_through_provider(http, scc.url, CASEWORKER,
                                        start="/sign-in/provider?next=/schools/")
        assert "Sign out (Colin Case, caseworker)" in page.text
        assert urlsplit(page.url).path == "/schools/"


def test_scc_refuses_to_start_with_sign_in_half_set_up(services):
    with pytest.raises(ValueError, match="SCC_PASSWORD_SIGN_IN is off but SCC_OIDC_ISSUER"):
        create_app(config.TestConfig(PASSWORD_SIGN_IN=False), services=services)
    with pytest.raises(ValueError, match="SCC_OIDC_CLIENT_SECRET is not"):
        create_app(config.TestConfig(OIDC_ISSUER="http://127.0.0.1:1", OIDC_CLIENT_ID="scc",
                              OIDC_ROLES="g=head"), services=services)
    with pytest.raises(ValueError, match="'boss' .for 'g'. is not a role"):
        create_app(config.TestConfig(OIDC_ISSUER="http://127.0.0.1:1", OIDC_CLIENT_ID="scc",
                              OIDC_CLIENT_SECRET="s", OIDC_ROLES="g=boss"), services=services)


def _password_sign_in(scc, email: str, password: str) -> requests.Response:
    with requests.Session() as http:
        form = http.get(scc.url + "/sign-in").text
        token = {"csrf_token": csrf_token(form)} if "csrf_token" in form else {}
        return http.post(scc.url + "/sign-in", allow_redirects=False,
                         data={"email": email, "password": password, **token})
