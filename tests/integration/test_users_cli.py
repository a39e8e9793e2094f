"""``scc users`` and the demo's users, as an administrator sees them, on an SQLite file."""

from __future__ import annotations

import getpass
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


def test_the_password_policy_applies_on_the_command_line(env):
    """Finding #8: twelve spaces were accepted as a password; no deny-list."""
    fails_with(add(env, "casey@fenmarsh.example", password=" " * 12),
               "Enter a password that is not only spaces")
    fails_with(add(env, "casey@fenmarsh.example", password="password123456"),
               "Choose a password that is harder to guess: this one is on a list of common "
               "passwords")
    assert run(env, "users", "list").stdout.startswith("No users yet")


def test_reset_password_prints_a_one_time_link_that_sets_a_new_password(env):
    add(env, "casey@fenmarsh.example")

    result = run(env | {"SCC_BASE_URL": "https://scc.fenmarsh.example/"},
                 "users", "reset-password", "Casey@fenmarsh.example")

    assert result.exit_code == 0, result.output
    assert "works once, for 24 hours" in result.stderr
    link = result.stdout.strip()
    assert re.fullmatch(r"https://scc\.fenmarsh\.example/reset-password/[\w-]{43}", link)
    users = build_users(Settings(database_url=env["SCC_DATABASE_URL"]))
    token = link.rsplit("/", 1)[1]
    users.reset_password(token, "a fresh passphrase of mine")
    assert users.authenticate("casey@fenmarsh.example", "a fresh passphrase of mine",
                              source_ip=None)
    users.close()
    fails_with(run(env, "users", "reset-password", "nobody@fenmarsh.example"),
               "There is no user with the email address nobody@fenmarsh.example")


def test_the_last_enabled_admin_cannot_be_disabled_or_given_another_role(env):
    """Finding #16: the administrator could disable every administrator, themselves too."""
    add(env, "adam@fenmarsh.example", role="admin")

    fails_with(run(env, "users", "disable", "adam@fenmarsh.example"),
               "You cannot disable adam@fenmarsh.example: they are the only enabled "
               "administrator, and nobody could then manage users. Add or enable another "
               "administrator first")
    fails_with(run(env, "users", "set-role", "adam@fenmarsh.example", "head"),
               "You cannot give another role to adam@fenmarsh.example")

    add(env, "ada@fenmarsh.example", role="admin", name="Ada Admin")
    assert run(env, "users", "disable", "adam@fenmarsh.example").exit_code == 0
    fails_with(run(env, "users", "disable", "ada@fenmarsh.example"),
               "You cannot disable ada@fenmarsh.example")


def test_set_role_gives_a_user_another_role(env):
    add(env, "casey@fenmarsh.example")

    result = run(env, "users", "set-role", "casey@fenmarsh.example", "head")

    assert result.exit_code == 0, result.output
    assert "casey@fenmarsh.example is now head" in result.stdout
    rows = json.loads(run(env, "users", "list", "--format", "json").stdout)
    assert rows[0]["role"] == "head"
    fails_with(run(env, "users", "set-role", "casey@fenmarsh.example", "governor"),
               "Choose a role")


def _administration_rows(env) -> list[tuple]:
    import sqlalchemy as sa

    engine = sa.create_engine(env["SCC_DATABASE_URL"])
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT number, action FROM user_administration "
                                    "ORDER BY number")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def _tamper(env, statement: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(env["SCC_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def test_user_administration_is_logged_and_verified(env):
    # Security review #4 and #16: adding, disabling and enabling users leaves a record
    add(env, "casey@fenmarsh.example")
    run(env, "users", "disable", "casey@fenmarsh.example")
    run(env, "users", "enable", "casey@fenmarsh.example")

    logged = run(env, "users", "log")
    assert logged.exit_code == 0, logged.output
    lines = logged.stdout.splitlines()
    login = getpass.getuser()
    assert [line.split()[0] for line in lines[2:]] == ["3", "2", "1"]
    assert f"{login} (scc users enable, run by {login})" in lines[2]
    assert lines[2].endswith(f"{login} enabled casey@fenmarsh.example")
    assert "added casey@fenmarsh.example; name: Casey Worker; role: caseworker" in lines[4]
    entries = json.loads(run(env, "users", "log", "--format", "json").stdout)["entries"]
    account = build_users(Settings(database_url=env["SCC_DATABASE_URL"]))
    assert {e["account"] for e in entries} == {account.get("casey@fenmarsh.example")["account_id"]}
    account.close()
    verified = run(env, "verify")
    assert verified.exit_code == 0, verified.output
    assert "3 administration entries, " in verified.stdout
    assert verified.stdout.rstrip().endswith("no alterations found")


def test_an_edited_administration_entry_is_named_by_verify(env):
    add(env, "casey@fenmarsh.example")
    run(env, "users", "disable", "casey@fenmarsh.example")
    _tamper(env, "UPDATE user_administration SET details = '{\"name\": \"Casey Worker\", "
                 "\"role\": \"admin\"}' WHERE number = 1")

    verified = run(env, "verify")
    assert verified.exit_code == 1
    assert ("Administration log: administration entry 1 (user added): its content was altered "
            "after it was recorded") in verified.stdout
    logged = run(env, "users", "log")
    assert logged.exit_code == 1 and "administration entry 1 (user added)" in logged.stderr


def test_a_deleted_administration_entry_is_named_by_verify(env):
    add(env, "casey@fenmarsh.example")
    run(env, "users", "disable", "casey@fenmarsh.example")
    run(env, "users", "enable", "casey@fenmarsh.example")
    _tamper(env, "DELETE FROM user_administration WHERE number = 2")
    assert _administration_rows(env) == [(1, "user added"), (3, "user enabled")]

    verified = run(env, "verify")
    assert verified.exit_code == 1
    assert "administration entry 2 is missing or out of order" in verified.stdout


def test_a_second_user_may_not_take_a_name_already_in_use(env):
    add(env, "helen@fenmarsh.example", role="head", name="Helen Marsh")

    fails_with(add(env, "notthehead@fenmarsh.example", name="  helen   MARSH "),
               "helen@fenmarsh.example is already called Helen Marsh")
    assert len(_administration_rows(env)) == 1
