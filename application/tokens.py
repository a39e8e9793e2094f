"""API tokens: each belongs to one user, acts with that user's role, and is kept only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any, Protocol

from application.ports import Clock
from application.users import Users, normal_email
from domain.identity import Recorder

PREFIX = "scc_"
"""Every token starts so, for secret scanners and for people reading a configuration file."""

NAME_LENGTH = 100


class TokenError(Exception):
    """A token could not be made or revoked; the message says why, for the person asking."""


class TokenStore(Protocol):
    """The tokens' hashes, beside the users (adapters.tokens.SQLTokenStore)."""

    def add(self, *, email: str, name: str, token_hash: str, created_at: datetime) -> int:
        """Stores a new token; returns its id."""

    def find(self, token_hash: str) -> dict[str, Any] | None:
        """{id, email, name, created_at, revoked_at, user} of the token with this hash, or
        None; ``user`` is its user's {email, name, role, disabled}, None if they are gone."""

    def list(self, email: str | None) -> list[dict[str, Any]]:
        """Every token (one user's if ``email`` is given): {id, email, name, created_at,
        revoked_at}, by id."""

    def revoke(self, token_id: int, at: datetime) -> bool:
        """False if there is no such token or it was already revoked."""

    def close(self) -> None: ...


class ApiTokens:
    """Makes, lists and revokes users' API tokens, and finds the user a token belongs to."""

    def __init__(self, store: TokenStore, users: Users, clock: Clock) -> None:
        self.store, self.users, self.clock = store, users, clock

    def close(self) -> None:
        self.store.close()

    def create(self, email: str, *, name: str = "", by: Recorder | None = None
               ) -> dict[str, Any]:
        """A new token for the user: {id, email, name, created_at, token}. The token itself
        is shown this once; only its SHA-256 is kept (it is a random 256-bit secret, so a
        fast hash is enough: nobody can guess their way back to it)."""
        user = self.users.get(email)
        if user is None:
            raise TokenError(f"There is no user with the email address {normal_email(email)}")
        if user["disabled"]:
            raise TokenError(f"{user['email']} is disabled: enable them first")
        name = " ".join(name.split()) or "API token"
        if len(name) > NAME_LENGTH:
            raise TokenError(f"Give the token a name of at most {NAME_LENGTH} characters")
        token = PREFIX + secrets.token_urlsafe(32)
        created_at = self.clock.now()
        token_id = self.store.add(email=user["email"], name=name, token_hash=_hash(token),
                                  created_at=created_at)
        self.users.record_administration("token created", user["email"], by=by,
                                         details={"token": token_id, "token_name": name})
        return {"id": token_id, "email": user["email"], "name": name,
                "created_at": created_at, "token": token}

    def revoke(self, token_id: int, *, by: Recorder | None = None) -> None:
        if not self.store.revoke(token_id, self.clock.now()):
            raise TokenError(f"There is no token {token_id} that is still in use")
        (token,) = (t for t in self.store.list(None) if t["id"] == token_id)
        self.users.record_administration("token revoked", token["email"], by=by,
                                         details={"token": token_id, "token_name": token["name"]})

    def list(self, email: str | None = None) -> list[dict[str, Any]]:
        """Every token (never the secret), revoked ones included, oldest first."""
        return self.store.list(normal_email(email) if email else None)

    def user(self, token: str) -> dict[str, Any] | None:
        """The user a token acts for, or None if it is unknown, revoked, or its user is gone
        or disabled."""
        if not token.startswith(PREFIX):
            return None
        found = self.store.find(_hash(token))
        if found is None or found["revoked_at"] is not None:
            return None
        user = found["user"]
        if user is None or user["disabled"]:
            return None
        return {**user, "token_id": found["id"]}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
