"""``scc tokens``: an administrator makes, lists and revokes users' API tokens."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from adapters.bootstrap import build_tokens, build_users
from adapters.config import Settings
from cli.main import scc

PASSWORD = "correct horse battery staple"


@pytest.fixture
def env(tmp_path) -> dict[str, str | None]:
    env = {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
           "SCC_READ_MODEL_URL": None, "SCC_DATA_DIR": None}
    added = run(env, "users", "add", "dw@fenmarsh.example", "--name", "Data Warehouse",
                "--role", "auditor", "--password-stdin", stdin=f"{PASSWORD}\n")
    assert added.exit_code == 0, added.output
    return env


def run(env, *args: str, stdin: str | None = None):
    return CliRunner().invoke(scc, list(args), env=env, input=stdin)


def owner(env, token: str) -> dict | None:
    settings = Settings(database_url=env["SCC_DATABASE_URL"])
    users = build_users(settings)
    tokens = build_tokens(settings, users)
    try:
        return tokens.user(token)
    finally:
        tokens.close()
        users.close()


def test_a_token_is_shown_once_listed_without_its_secret_and_revoked(env):
    made = run(env, "tokens", "create", "DW@fenmarsh.example", "--name", "nightly export")

    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("scc_") and len(token) > 40
    assert "Token 1 (nightly export) for dw@fenmarsh.example" in made.stderr
    assert owner(env, token)["role"] == "auditor"

    # Check the list never shows the secret
    listed = run(env, "tokens", "list")
    assert token not in listed.stdout
    assert listed.stdout.splitlines()[2].split()[:4] == ["1", "dw@fenmarsh.example",
                                                         "nightly", "export"]
    rows = json.loads(run(env, "tokens", "list", "--format", "json").stdout)
    assert rows[0]["revoked_at"] is None and "token" not in rows[0]

    # Check revoking stops it at once, and says so in the list
    assert run(env, "tokens", "revoke", "1").stdout == "Revoked token 1.\n"
    assert owner(env, token) is None
    assert "revoked" in run(env, "tokens", "list").stdout


def test_tokens_only_for_users_who_may_sign_in(env):
    unknown = run(env, "tokens", "create", "nobody@fenmarsh.example")
    assert unknown.exit_code == 2
    assert "Error: There is no user with the email address nobody@fenmarsh.example" in \
        unknown.stderr

    assert run(env, "users", "disable", "dw@fenmarsh.example").exit_code == 0
    disabled = run(env, "tokens", "create", "dw@fenmarsh.example")
    assert disabled.exit_code == 2 and "is disabled" in disabled.stderr

    again = run(env, "tokens", "revoke", "7")
    assert again.exit_code == 2
    assert "Error: There is no token 7 that is still in use" in again.stderr


def test_a_token_expires_and_the_list_says_when_it_was_last_used(env):
    """Finding #16: tokens never expired and nobody could see whether one was in use."""
    from datetime import UTC, datetime, timedelta

    import time_machine

    from application.tokens import TokenExpired

    made = run(env, "tokens", "create", "dw@fenmarsh.example", "--expires-in", "30")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert "until" in made.stderr

    # Check the list says it is unused until it is used, and until when it works
    assert "never" in run(env, "tokens", "list").stdout
    assert owner(env, token)["email"] == "dw@fenmarsh.example"
    rows = json.loads(run(env, "tokens", "list", "--format", "json").stdout)
    assert rows[0]["last_used_at"] is not None
    assert "active until" in run(env, "tokens", "list").stdout

    # Check after 30 days it is refused as expired, and listed so
    with time_machine.travel(datetime.now(UTC) + timedelta(days=30, minutes=1), tick=False):
        with pytest.raises(TokenExpired):
            owner(env, token)
        assert "expired" in run(env, "tokens", "list").stdout

    bad = run(env, "tokens", "create", "dw@fenmarsh.example", "--expires-in", "400")
    assert bad.exit_code == 2 and "1<=x<=366" in bad.stderr
