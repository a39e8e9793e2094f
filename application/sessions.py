"""Signed-in sessions kept on the server, so that they can be ended: by signing out, by signing
out everywhere, and whenever a user's access changes (disabled, a new role, a new password)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from application.ports import Clock

IDLE_LIFETIME = timedelta(minutes=60)
ABSOLUTE_LIFETIME = timedelta(hours=8)
"""Local policy (issue 18, after OWASP ASVS 5.0 7.3): a session ends after an hour without a
request, and eight hours (a working day) after signing in however busy it is; then the user
signs in again. SCC_SESSION_IDLE_MINUTES and SCC_SESSION_MAX_HOURS change them."""

TOUCH_EVERY = timedelta(minutes=1)
"""How stale a session's last-seen time may be before a request writes it again: one write a
minute at most, rather than one per request, at the cost of a minute's slack in the idle end."""


@dataclass(frozen=True)
class SessionLifetimes:
    idle: timedelta = IDLE_LIFETIME
    absolute: timedelta = ABSOLUTE_LIFETIME

    def __post_init__(self) -> None:
        if self.idle <= timedelta(0) or self.absolute <= timedelta(0):
            raise ValueError("A session's lifetimes must be longer than nothing")


class SessionStore(Protocol):
    """Sessions by the hash of their id (adapters.sessions.SQLSessionStore)."""

    def add(self, *, id_hash: str, email: str, at: datetime) -> None: ...

    def find(self, id_hash: str) -> dict[str, Any] | None:
        """{email, started_at, last_seen_at}, or None."""

    def touch(self, id_hash: str, at: datetime) -> None: ...

    def end(self, id_hash: str) -> None: ...

    def end_all(self, email: str, *, keep: str | None = None) -> int:
        """Ends every session of the user but the one with the hash ``keep``; how many."""

    def forget_started_before(self, moment: datetime) -> None: ...

    def close(self) -> None: ...


class Sessions:
    """Begins, resumes and ends signed-in sessions. The secret id goes to the browser; only its
    SHA-256 is kept (a random 256-bit secret needs no slow hash), so a copy of the database
    signs nobody in."""

    def __init__(self, store: SessionStore, clock: Clock,
                 lifetimes: SessionLifetimes | None = None) -> None:
        self.store, self.clock = store, clock
        self.lifetimes = lifetimes or SessionLifetimes()

    def close(self) -> None:
        self.store.close()

    def begin(self, email: str) -> str:
        """A new session for the user; returns its secret id, for the cookie."""
        secret = secrets.token_urlsafe(32)
        now = self.clock.now()
        self.store.add(id_hash=_hash(secret), email=email, at=now)
        self.store.forget_started_before(now - self.lifetimes.absolute)
        return secret

    def resume(self, secret: str) -> dict[str, Any] | None:
        """The session {email, started_at, ends_at, left} if it is still going, noting that it was
        used now; None if it was ended, or has been idle or open too long (it is ended then).
        ``ends_at`` is the sooner of the idle and the absolute end, from now: no request keeps
        a session past its absolute end."""
        id_hash, now = _hash(secret), self.clock.now()
        found = self.store.find(id_hash)
        if found is None:
            return None
        absolute_end = found["started_at"] + self.lifetimes.absolute
        if now - found["last_seen_at"] > self.lifetimes.idle or now >= absolute_end:
            self.store.end(id_hash)
            return None
        if now - found["last_seen_at"] >= TOUCH_EVERY:
            self.store.touch(id_hash, now)
        ends_at = min(now + self.lifetimes.idle, absolute_end)
        return {"email": found["email"], "started_at": found["started_at"],
                "ends_at": ends_at, "left": ends_at - now}

    def end(self, secret: str) -> None:
        self.store.end(_hash(secret))

    def end_all(self, email: str, *, keep: str | None = None) -> int:
        """Ends all the user's sessions but ``keep`` (a secret id), if given; how many ended."""
        return self.store.end_all(email, keep=_hash(keep) if keep else None)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
