"""A token found good is trusted for a second (application.tokens.RECHECK), not read for every
API request; revoking, disabling and expiry still stop it, within that second at most."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from application.tokens import RECHECK, TOUCH_EVERY, ApiTokens, TokenExpired
from tests.fakes import TEST_NOW, FixedClock

EMAIL = "casey@fenmarsh.example"


class CountingTokenStore:
    """The token store in memory, counting the reads a request would make of the database."""

    def __init__(self) -> None:
        self.tokens: dict[str, dict[str, Any]] = {}
        self.role, self.disabled = "caseworker", False
        self.finds = 0

    def add(self, *, email: str, name: str, token_hash: str, created_at: datetime,
            expires_at: datetime) -> int:
        token_id = len(self.tokens) + 1
        self.tokens[token_hash] = {"id": token_id, "email": email, "name": name,
                                   "created_at": created_at, "revoked_at": None,
                                   "expires_at": expires_at, "last_used_at": None}
        return token_id

    def find(self, token_hash: str) -> dict[str, Any] | None:
        self.finds += 1
        found = self.tokens.get(token_hash)
        if found is None:
            return None
        return {**found, "user": {"email": found["email"], "name": "Casey Worker",
                                  "role": self.role, "disabled": self.disabled}}

    def list(self, email: str | None) -> list[dict[str, Any]]:
        return [dict(t) for t in self.tokens.values()]

    def used(self, token_id: int, at: datetime) -> None:
        self._by_id(token_id)["last_used_at"] = at

    def revoke(self, token_id: int, at: datetime) -> bool:
        """What ``scc tokens revoke`` does in its own process, or this one."""
        token = self._by_id(token_id)
        if token["revoked_at"] is not None:
            return False
        token["revoked_at"] = at
        return True

    def close(self) -> None:
        pass

    def _by_id(self, token_id: int) -> dict[str, Any]:
        return next(t for t in self.tokens.values() if t["id"] == token_id)


class Users:
    """As much of application.users.Users as the tokens ask of it."""

    def __init__(self) -> None:
        self.listeners: list[Any] = []

    def on_access_changed(self, listener: Any) -> None:
        self.listeners.append(listener)

    def access_changed(self, email: str) -> None:
        for listener in self.listeners:
            listener(email)

    def get(self, email: str) -> dict[str, Any]:
        return {"email": email, "disabled": False}

    def record_administration(self, *_: Any, **__: Any) -> None:
        pass


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def store() -> CountingTokenStore:
    return CountingTokenStore()


@pytest.fixture
def users() -> Users:
    return Users()


@pytest.fixture
def tokens(store, users, clock) -> ApiTokens:
    return ApiTokens(store, users, clock)


def test_a_good_token_is_read_from_the_store_at_most_once_a_recheck(tokens, store, clock):
    made = tokens.create(EMAIL)

    for _ in range(5):
        assert tokens.user(made["token"])["role"] == "caseworker"
        clock.advance(seconds=RECHECK.total_seconds() / 10)
    assert store.finds == 1

    clock.advance(seconds=RECHECK.total_seconds())
    assert tokens.user(made["token"])["token_id"] == made["id"]
    assert store.finds == 2


def test_a_token_revoked_by_another_process_stops_working_within_a_recheck(tokens, store,
                                                                           clock):
    made = tokens.create(EMAIL)
    assert tokens.user(made["token"]) is not None

    store.revoke(made["id"], clock.now())  # scc tokens revoke, in its own process

    clock.advance(seconds=RECHECK.total_seconds() / 2)
    assert tokens.user(made["token"]) is not None  # within the bound: not read again yet
    clock.advance(seconds=RECHECK.total_seconds() / 2)
    assert tokens.user(made["token"]) is None
    clock.advance(seconds=RECHECK.total_seconds() / 10)
    assert tokens.user(made["token"]) is None  # a refused token is not remembered


def test_a_token_revoked_here_stops_working_at_once(tokens, clock):
    made, other = tokens.create(EMAIL), tokens.create(EMAIL, name="other")
    assert tokens.user(made["token"]) and tokens.user(other["token"])

    tokens.revoke(made["id"])

    assert tokens.user(made["token"]) is None
    assert tokens.user(other["token"]) is not None


def test_a_user_whose_access_changed_here_is_read_again_at_once(tokens, store, users):
    made = tokens.create(EMAIL)
    assert tokens.user(made["token"])["role"] == "caseworker"

    store.role = "auditor"
    users.access_changed(EMAIL)  # Users.set_role
    assert tokens.user(made["token"])["role"] == "auditor"

    store.disabled = True
    users.access_changed(EMAIL)  # Users.disable
    assert tokens.user(made["token"]) is None


def test_a_user_disabled_by_another_process_is_refused_within_a_recheck(tokens, store,
                                                                       clock):
    made = tokens.create(EMAIL)
    assert tokens.user(made["token"]) is not None

    store.disabled = True  # scc users disable, in its own process
    clock.advance(seconds=RECHECK.total_seconds())

    assert tokens.user(made["token"]) is None


def test_a_remembered_token_still_expires_on_time(tokens, clock):
    made = tokens.create(EMAIL, expires_in=timedelta(days=1))
    clock.move_to(made["expires_at"] - RECHECK / 2)
    assert tokens.user(made["token"]) is not None

    clock.move_to(made["expires_at"])

    with pytest.raises(TokenExpired):
        tokens.user(made["token"])


def test_a_clock_set_back_does_not_keep_a_token_remembered(tokens, store, clock):
    made = tokens.create(EMAIL)
    tokens.user(made["token"])

    clock.move_to(TEST_NOW - timedelta(hours=1))
    tokens.user(made["token"])

    assert store.finds == 2


def test_its_last_use_is_still_written_once_a_minute(tokens, store, clock):
    made = tokens.create(EMAIL)
    tokens.user(made["token"])
    first = store.list(None)[0]["last_used_at"]

    clock.advance(seconds=RECHECK.total_seconds() / 2)
    tokens.user(made["token"])
    assert store.list(None)[0]["last_used_at"] == first

    clock.advance(seconds=TOUCH_EVERY.total_seconds())
    tokens.user(made["token"])
    assert store.list(None)[0]["last_used_at"] > first
