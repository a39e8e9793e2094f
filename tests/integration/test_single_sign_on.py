"""Whose account a sign-in through the LA's provider opens, and with which role, on a real
database (the provider itself is exercised in tests/web/test_provider_sign_in.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from adapters.read_models import read_model_engine
from adapters.users import Argon2Hasher, SQLUserStore
from application.single_sign_on import ProviderSignIn, ProviderSignInRefused, RoleMapping
from application.users import NO_PASSWORD, SignInRefused, Users

ROLES = RoleMapping.parse("SCC Heads=head, SCC Caseworkers=caseworker")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def users(database_url, clock) -> Iterator[Users]:
    users = Users(SQLUserStore(read_model_engine(database_url)), Argon2Hasher(), clock)
    yield users
    users.close()


@pytest.fixture
def provider(users) -> ProviderSignIn:
    return ProviderSignIn(users, ROLES, "Fenmarsh Council")


def test_a_first_sign_in_makes_an_account_that_no_password_opens(provider, users):
    account = provider.sign_in(email=" Colin.Case@Fenmarsh.example ", name="Colin\nCase",
                               groups=["All staff", "SCC Caseworkers"], email_verified=True)

    assert {k: v for k, v in account.items() if k != "account_id"} == {
        "email": "colin.case@fenmarsh.example", "name": "Colin Case", "role": "caseworker",
        "disabled": False}
    assert users.get("colin.case@fenmarsh.example") == account
    for password in (NO_PASSWORD, "", PASSWORD):
        with pytest.raises(SignInRefused):
            users.authenticate("colin.case@fenmarsh.example", password, source_ip=None)


def test_the_role_is_taken_from_the_groups_at_every_sign_in(provider, users):
    users.add(email="hilda@fenmarsh.example", name="Hilda Head", role="caseworker",
              password=PASSWORD)

    assert provider.sign_in(email="hilda@fenmarsh.example", name="Hilda Head",
                            groups=["SCC Caseworkers", "SCC Heads"])["role"] == "head"
    assert users.get("hilda@fenmarsh.example")["role"] == "head"
    assert provider.sign_in(email="hilda@fenmarsh.example", name="Hilda Head",
                            groups="SCC Caseworkers")["role"] == "caseworker"
    # Check her password still opens the same account
    assert users.authenticate("hilda@fenmarsh.example", PASSWORD,
                              source_ip=None)["role"] == "caseworker"


@pytest.mark.parametrize(("claims", "says"), [
    ({"groups": ["All staff"]}, "Your Fenmarsh Council account (nora@fenmarsh.example) is not "
                                "in any group that gives access to scc"),
    ({"groups": None}, "is not in any group that gives access to scc"),
    ({"email": None}, "Fenmarsh Council did not tell scc your email address"),
    ({"email": ["nora@fenmarsh.example"]}, "did not tell scc your email address"),
    ({"email_verified": False}, "says your email address nora@fenmarsh.example is not verified"),
])
def test_a_sign_in_scc_cannot_place_is_refused_in_words(provider, users, claims, says):
    given = {"email": "nora@fenmarsh.example", "name": "Nora", "groups": ["SCC Heads"]} | claims

    with pytest.raises(ProviderSignInRefused, match=re.escape(says)):
        provider.sign_in(**given)
    assert users.list() == []


def test_a_disabled_account_stays_refused(provider, users):
    users.add(email="dora@fenmarsh.example", name="Dora", role="caseworker", password=PASSWORD)
    users.disable("dora@fenmarsh.example")

    with pytest.raises(ProviderSignInRefused, match=r"Your scc account \(dora@fenmarsh.example\) "
                                                    "is disabled"):
        provider.sign_in(email="dora@fenmarsh.example", name="Dora", groups=["SCC Heads"])
    assert users.get("dora@fenmarsh.example")["role"] == "caseworker"
