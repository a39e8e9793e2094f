"""``scc users`` and the demo's users, as an administrator sees them, on an SQLite file."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from adapters.bootstrap import build_users
from adapters.config import Settings
from cli.main import scc

PASSWORD = "correct horse battery staple"


@pytest.fixture
def env(tmp_path) -> dict[str, str | None]:
    return {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
            "SCC_READ_MODEL_URL": None, "SCC_DATA_DIR": None}


def run(env, *args: str, stdin: str | None = None):
    return CliRunner().invoke(scc, list(args), env=env, input=stdin)


def add(env, email: str, role: str = "caseworker", password: str = PASSWORD,
        name: str = "Casey Worker"):
    return run(env, "users", "add", email, "--name", name, "--role", role,
               "--password-stdin", stdin=f"{password}\n")


def fails_with(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert f"Error: {message}" in result.stderr
    assert "Traceback" not in result.output


def test_users_are_added_listed_disabled_and_enabled(env):
    added = add(env, "Casey@Fenmarsh.example")
    add(env, "helen@fenmarsh.example", role="head", name="Helen Marsh")

    assert added.exit_code == 0, added.output
    assert added.stdout == "Added Casey Worker (casey@fenmarsh.example) as caseworker.\n"

    # Check the list, as a table and as JSON
    listed = run(env, "users", "list")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["email", "name", "role", "status"]
    assert lines[2].split() == ["casey@fenmarsh.example", "Casey", "Worker", "caseworker",
                                "active"]
    assert lines[3].startswith("helen@fenmarsh.example")

    # Check disabling shows in the list and stops signing in; enabling undoes it
    disabled = run(env, "users", "disable", "casey@fenmarsh.example")
    assert disabled.exit_code == 0 and "Disabled casey@fenmarsh.example" in disabled.stdout
    rows = json.loads(run(env, "users", "list", "--format", "json").stdout)
    assert rows[0] == {"email": "casey@fenmarsh.example", "name": "Casey Worker",
                       "role": "caseworker", "disabled": True,
                       "account_id": rows[0]["account_id"]}
    assert run(env, "users", "enable", "casey@fenmarsh.example").exit_code == 0
    users = build_users(Settings(database_url=env["SCC_DATABASE_URL"]))
    assert users.authenticate("casey@fenmarsh.example", PASSWORD, source_ip=None)
    users.close()


def test_the_password_is_asked_for_twice_without_password_stdin(env):
    result = run(env, "users", "add", "casey@fenmarsh.example", "--name", "Casey Worker",
                 "--role", "caseworker", stdin=f"{PASSWORD}\nsomething else\n{PASSWORD}\n"
                                               f"{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Repeat the password" in result.output
    assert "do not match" in result.output
    assert PASSWORD not in result.output  # hidden as it is typed


def test_no_users_yet_says_how_to_add_one(env):
    assert run(env, "users", "list").stdout == "No users yet: add one with scc users add.\n"


@pytest.mark.parametrize(("args", "message"), [
    (("users", "add", "casey", "--name", "Casey", "--role", "caseworker", "--password-stdin"),
     "Enter an email address in the correct format"),
    (("users", "add", "casey@fenmarsh.example", "--name", "Casey", "--role", "governor",
      "--password-stdin"), "Choose a role: caseworker, head, auditor or admin"),
    (("users", "disable", "nobody@fenmarsh.example"),
     "There is no user with the email address nobody@fenmarsh.example"),
    (("users", "enable", "nobody@fenmarsh.example"),
     "There is no user with the email address nobody@fenmarsh.example"),
])
def test_mistakes_are_errors_with_status_2(env, args, message):
    fails_with(run(env, *args, stdin=f"{PASSWORD}\n"), message)


def test_a_short_password_and_a_taken_email_address_are_refused(env):
    fails_with(add(env, "casey@fenmarsh.example", password="too short"),
               "Enter a password of at least 12 characters")
    add(env, "casey@fenmarsh.example")

    fails_with(add(env, "CASEY@fenmarsh.example", role="admin"),
               "A user with the email address casey@fenmarsh.example already exists")


def test_a_store_that_cannot_be_opened_is_an_error(tmp_path):
    env = {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'scc.sqlite3'}",
           "SCC_READ_MODEL_URL": None, "SCC_DATA_DIR": None}

    fails_with(run(env, "users", "list"), "Cannot open the user store (SQLite file")


def test_the_demo_makes_one_user_per_role_and_prints_their_passwords(env):
    result = run(env, "demo")

    assert result.exit_code == 0, result.output
    assert "DEMO ONLY" in result.stdout
    printed = dict(re.findall(r"^\w+\s+(\S+@fenmarsh\.example)\s+(\S+)$", result.stdout,
                              re.MULTILINE))
    users = build_users(Settings(database_url=env["SCC_DATABASE_URL"]))
    assert sorted(u["role"] for u in users.list()) == ["admin", "auditor", "caseworker", "head"]
    assert len(printed) == 4
    for email, password in printed.items():
        assert users.authenticate(email, password, source_ip=None)["email"] == email
    users.close()
