"""Sessions kept on the server, on SQLite and PostgreSQL: what begins, resumes and ends them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from adapters.bootstrap import build_users
from adapters.config import Settings
from application.users import UserError, Users

PASSWORD = "correct horse battery staple"
CASEY = "casey@fenmarsh.example"


@pytest.fixture
def users(database_url, clock) -> Iterator[Users]:
    users = build_users(Settings(database_url=database_url), clock)
    users.add(email=CASEY, name="Casey Worker", role="caseworker", password=PASSWORD)
    users.add(email="adam@fenmarsh.example", name="Adam Min", role="admin", password=PASSWORD)
    yield users
    users.close()


def test_a_session_is_kept_by_the_hash_of_its_id_and_ends_when_signed_out(users):
    secret = users.sessions.begin(CASEY)

    # Check the id itself is nowhere in the store
    with users.store.engine.connect() as conn:
        stored = [tuple(row) for row in conn.exec_driver_sql("SELECT * FROM sessions")]
    assert stored and not any(secret in str(value) for row in stored for value in row)

    assert users.sessions.resume(secret)["email"] == CASEY
    users.sessions.end(secret)
    assert users.sessions.resume(secret) is None


@pytest.mark.parametrize("change", ["disable", "set_role", "set_password"])
def test_whatever_changes_a_users_access_ends_all_their_sessions(users, change):
    sessions = [users.sessions.begin(CASEY) for _ in range(3)]
    admins = users.sessions.begin("adam@fenmarsh.example")

    {"disable": lambda: users.disable(CASEY),
     "set_role": lambda: users.set_role(CASEY, "head"),
     "set_password": lambda: users.set_password(CASEY, "a brand new passphrase")}[change]()

    assert [users.sessions.resume(s) for s in sessions] == [None, None, None]
    assert users.sessions.resume(admins)["email"] == "adam@fenmarsh.example"


def test_enabling_a_user_again_does_not_revive_their_sessions(users):
    secret = users.sessions.begin(CASEY)

    users.disable(CASEY)
    users.enable(CASEY)

    assert users.sessions.resume(secret) is None


def test_changing_ones_password_keeps_this_session_and_ends_the_others(users):
    here, elsewhere = users.sessions.begin(CASEY), users.sessions.begin(CASEY)

    with pytest.raises(UserError, match="Enter your current password correctly"):
        users.change_password(CASEY, current="wrong", new="a brand new passphrase",
                              keep_session=here)
    assert users.sessions.resume(elsewhere) is not None

    users.change_password(CASEY, current=PASSWORD, new="a brand new passphrase",
                          keep_session=here)

    assert users.sessions.resume(here)["email"] == CASEY
    assert users.sessions.resume(elsewhere) is None


def test_idle_and_absolute_ends(users, clock):
    busy, idle = users.sessions.begin(CASEY), users.sessions.begin(CASEY)

    # Check a request within the hour keeps a session going; an hour idle ends it
    clock.advance(minutes=59)
    assert users.sessions.resume(busy)["left"] == timedelta(hours=1)
    clock.advance(minutes=2)
    assert users.sessions.resume(idle) is None
    assert users.sessions.resume(busy) is not None

    # Check however busy, it ends eight hours after it began, and says how long it has left
    for _ in range(7):
        clock.advance(minutes=59)
        found = users.sessions.resume(busy)
    assert found["left"] <= timedelta(minutes=59)
    assert found["ends_at"] - found["started_at"] <= timedelta(hours=8)
    clock.advance(minutes=found["left"].total_seconds() / 60)
    assert users.sessions.resume(busy) is None


def test_a_reset_link_works_once_and_ends_sessions(users, clock):
    session = users.sessions.begin(CASEY)
    first = users.issue_password_reset(CASEY)
    link = users.issue_password_reset(CASEY)  # replaces the first

    with pytest.raises(UserError, match="has been used or is not a password-reset link"):
        users.password_reset_for(first)
    with pytest.raises(UserError, match="Enter a password that is not only spaces"):
        users.reset_password(link, "            ")
    users.reset_password(link, "a brand new passphrase")

    assert users.authenticate(CASEY, "a brand new passphrase", source_ip=None)
    assert users.sessions.resume(session) is None
    with pytest.raises(UserError, match="has been used"):
        users.reset_password(link, "another new passphrase")

    late = users.issue_password_reset(CASEY)
    clock.advance(hours=24)
    with pytest.raises(UserError, match="This link has expired"):
        users.reset_password(late, "another new passphrase")


def test_wrong_current_passwords_are_throttled_like_sign_ins(users):
    here = users.sessions.begin(CASEY)
    for _ in range(5):
        with pytest.raises(UserError, match="Enter your current password correctly"):
            users.change_password(CASEY, current="a guess", new="a brand new passphrase",
                                  keep_session=here)

    with pytest.raises(UserError, match="You have tried to sign in too many times"):
        users.change_password(CASEY, current=PASSWORD, new="a brand new passphrase",
                              keep_session=here)
