"""API tokens: each belongs to one user, acts with that user's role, and is kept only as a hash."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from application.ports import Clock
from application.users import Users, normal_email
from domain.identity import Recorder

PREFIX = "scc_"
"""Every token starts so, for secret scanners and for people reading a configuration file."""

NAME_LENGTH = 100
LIFETIME = timedelta(days=90)
"""Local policy (issue 18): a token works for 90 days unless made for longer or shorter
(SCC_TOKEN_DAYS, or scc tokens create --expires-in); then its user asks for a new one."""
LONGEST_LIFETIME = timedelta(days=366)
TOUCH_EVERY = timedelta(minutes=1)
"""How stale a token's last-used time may be before a request writes it again."""
RECHECK = timedelta(seconds=1)
"""How long a token found good is taken as good without reading the store again: every API
request names one, and reading it (with its user) was a database round trip a request. A
token revoked, or its user disabled or given another role, by another process (scc tokens
revoke, another web worker) stops working within this, as a key erased by another process is
noticed within a second (Keyring.recheck); done by this process, at once. Expiry is checked
on every request."""


class TokenError(Exception):
    """A token could not be made or revoked; the message says why, for the person asking."""


class TokenExpired(Exception):
    """The token was good but its time is up."""

    def __init__(self, expired_at: datetime) -> None:
        super().__init__(f"The API token expired at {expired_at.isoformat(timespec='seconds')}:"
                         " ask an administrator for a new one (scc tokens create)")
        self.expired_at = expired_at


class TokenStore(Protocol):
    """The tokens' hashes, beside the users (adapters.tokens.SQLTokenStore)."""

    def add(self, *, email: str, name: str, token_hash: str, created_at: datetime,
            expires_at: datetime) -> int:
        """Stores a new token; returns its id."""

    def find(self, token_hash: str) -> dict[str, Any] | None:
        """{id, email, name, created_at, revoked_at, expires_at, last_used_at, user} of the
        token with this hash, or None; ``user`` is its user's {email, name, role, disabled},
        None if they are gone."""

    def list(self, email: str | None) -> list[dict[str, Any]]:
        """Every token (one user's if ``email`` is given): {id, email, name, created_at,
        revoked_at, expires_at, last_used_at}, by id."""

    def used(self, token_id: int, at: datetime) -> None: ...

    def revoke(self, token_id: int, at: datetime) -> bool:
        """False if there is no such token or it was already revoked."""

    def close(self) -> None: ...


class ApiTokens:
    """Makes, lists and revokes users' API tokens, and finds the user a token belongs to."""

    def __init__(self, store: TokenStore, users: Users, clock: Clock,
                 lifetime: timedelta = LIFETIME) -> None:
        self.store, self.users, self.clock, self.lifetime = store, users, clock, lifetime
        self._found: dict[str, tuple[datetime, dict[str, Any]]] = {}
        """Tokens found good lately, by hash: when the store was read, and what it said."""
        self._found_lock = threading.Lock()
        users.on_access_changed(self._forget_user)

    def close(self) -> None:
        self.store.close()

    def create(self, email: str, *, name: str = "", expires_in: timedelta | None = None,
               by: Recorder | None = None) -> dict[str, Any]:
        """A new token for the user: {id, email, name, created_at, expires_at, token}, that
        works for ``expires_in`` (the configured lifetime if None). The token itself is shown
        this once; only its SHA-256 is kept (it is a random 256-bit secret, so a fast hash is
        enough: nobody can guess their way back to it)."""
        expires_in = self.lifetime if expires_in is None else expires_in
        if not timedelta(0) < expires_in <= LONGEST_LIFETIME:
            raise TokenError(f"A token may work for 1 to {LONGEST_LIFETIME.days} days")
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
        expires_at = created_at + expires_in
        token_id = self.store.add(email=user["email"], name=name, token_hash=_hash(token),
                                  created_at=created_at, expires_at=expires_at)
        self.users.record_administration("token created", user["email"], by=by,
                                         details={"token": token_id, "token_name": name})
        return {"id": token_id, "email": user["email"], "name": name,
                "created_at": created_at, "expires_at": expires_at, "token": token}

    def revoke(self, token_id: int, *, by: Recorder | None = None) -> None:
        if not self.store.revoke(token_id, self.clock.now()):
            raise TokenError(f"There is no token {token_id} that is still in use")
        self._forget(lambda found: found["id"] == token_id)
        (token,) = (t for t in self.store.list(None) if t["id"] == token_id)
        self.users.record_administration("token revoked", token["email"], by=by,
                                         details={"token": token_id, "token_name": token["name"]})

    def list(self, email: str | None = None) -> list[dict[str, Any]]:
        """Every token (never the secret), revoked ones included, oldest first."""
        return self.store.list(normal_email(email) if email else None)

    def user(self, token: str) -> dict[str, Any] | None:
        """The user a token acts for, noting that it was used now; None if it is unknown,
        revoked, or its user is gone or disabled; TokenExpired once its time is up. What the
        store said of a good token is trusted for RECHECK."""
        if not token.startswith(PREFIX):
            return None
        token_hash = _hash(token)
        now = self.clock.now()
        found = self._recently_found(token_hash, now)
        if found is None:
            found = self.store.find(token_hash)
            if found is None or found["revoked_at"] is not None:
                return None
            user = found["user"]
            if user is None or user["disabled"]:
                return None
            self._remember(token_hash, now, found)
        if found["expires_at"] is not None and now >= found["expires_at"]:
            raise TokenExpired(found["expires_at"])
        if found["last_used_at"] is None or now - found["last_used_at"] >= TOUCH_EVERY:
            self.store.used(found["id"], now)
            self._remember_use(token_hash, now)
        return {**found["user"], "token_id": found["id"]}

    def _recently_found(self, token_hash: str, now: datetime) -> dict[str, Any] | None:
        read_at, found = self._found.get(token_hash, (None, None))
        if read_at is None or not timedelta(0) <= now - read_at < RECHECK:
            return None  # never read, read too long ago, or the clock went back
        return found

    def _remember(self, token_hash: str, now: datetime, found: dict[str, Any]) -> None:
        with self._found_lock:
            self._found = {h: (read_at, f) for h, (read_at, f) in self._found.items()
                           if timedelta(0) <= now - read_at < RECHECK}
            self._found[token_hash] = (now, found)

    def _remember_use(self, token_hash: str, now: datetime) -> None:
        with self._found_lock:
            if (remembered := self._found.get(token_hash)) is not None:
                read_at, found = remembered
                self._found[token_hash] = (read_at, {**found, "last_used_at": now})

    def _forget_user(self, email: str) -> None:
        """Their access changed here (application.users): their tokens are read again."""
        self._forget(lambda found: found["email"] == email)

    def _forget(self, which: Callable[[dict[str, Any]], bool]) -> None:
        with self._found_lock:
            self._found = {h: (read_at, f) for h, (read_at, f) in self._found.items()
                           if not which(f)}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
