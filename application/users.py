"""The people who may sign in: their roles, signing in with throttling, and the access log."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Protocol

from application import recorders
from application.access import ROLES
from application.administration import AdministrationLog, LogStore
from application.ports import Clock
from domain.identity import Recorder
from domain.wording import local_time

MINIMUM_PASSWORD_LENGTH = 12
EMAIL_FAILURES_ALLOWED = 5
IP_FAILURES_ALLOWED = 20
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
"""Issue 5 (local policy): 5 failed sign-ins for one email address, or 20 from one IP address,
within 15 minutes refuse further sign-ins from it for 15 minutes."""

REFUSED = "Enter a correct email address and password"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


class UserError(Exception):
    """A user could not be added or changed; the message says why, for the person asking.
    ``field`` names the form field at fault (email, name, role, password), if one is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class SignInRefused(Exception):
    """Wrong password, unknown email or disabled account: one wording for all, so the page
    does not tell anyone which email addresses have accounts."""

    def __init__(self, message: str = REFUSED) -> None:
        super().__init__(message)


class SignInThrottled(SignInRefused):
    """Too many failed sign-ins lately for this email address or from this IP address."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"You have tried to sign in too many times. "
                         f"Try again after {local_time(until)}.")
        self.until = until


class PasswordHasher(Protocol):
    """Turns passwords into slow salted hashes and checks them (adapters.users.Argon2Hasher)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True if the password matches; False for a mismatch or a hash it cannot read."""

    def needs_rehash(self, password_hash: str) -> bool:
        """True if the hash was made with weaker settings than the current ones."""


class UserStore(Protocol):
    """Users, failed sign-ins and the access log, kept where every web worker sees them
    (adapters.users.SQLUserStore), with the log of their administration beside them."""

    administration: LogStore

    def add(self, user: dict[str, Any], password_hash: str, created_at: datetime) -> bool:
        """Adds the user ({email, name, role}); False if the email address is taken."""

    def get(self, email: str) -> dict[str, Any] | None:
        """{email, name, role, disabled, password_hash}, or None."""

    def list(self) -> list[dict[str, Any]]:
        """Every user as {email, name, role, disabled}, by email address."""

    def set_disabled(self, email: str, disabled: bool) -> bool:
        """False if there is no such user."""

    def set_password_hash(self, email: str, password_hash: str) -> None: ...

    def record_failure(self, *, email: str, source_ip: str | None, at: datetime) -> None: ...

    def failures_since(self, since: datetime, *, email: str | None = None,
                       source_ip: str | None = None) -> list[datetime]:
        """When the failed sign-ins for the email address, or from the IP address, were."""

    def clear_failures(self, email: str) -> None: ...

    def forget_failures_before(self, moment: datetime) -> None: ...

    def record_access(self, *, at: datetime, email: str, urn: int, view: str) -> None: ...

    def access_log(self, *, urn: int | None, limit: int) -> list[dict[str, Any]]:
        """{at, email, urn, view}, newest first."""

    def close(self) -> None: ...


class Users:
    """Adds, lists and disables users, signs them in, and logs who viewed which case file."""

    def __init__(self, store: UserStore, hasher: PasswordHasher, clock: Clock) -> None:
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.administration = AdministrationLog(store.administration, clock)
        self._decoy_hash: str | None = None

    def close(self) -> None:
        self.store.close()

    # Commands -----------------------------------------------------------------------------

    def add(self, *, email: str, name: str, role: str, password: str,
            by: Recorder | None = None) -> None:
        """Adds the user, recorded in the administration log as done ``by`` an admin (or
        by the operator of the command line, if not said)."""
        email, name = normal_email(email), " ".join(name.split())
        if not _EMAIL.fullmatch(email):
            raise UserError("Enter an email address in the correct format, like "
                            "name@example.com", field="email")
        if not name:
            raise UserError("Enter the user's name", field="name")
        if role not in ROLES:
            raise UserError(f"Choose a role: {', '.join(ROLES[:-1])} or {ROLES[-1]}",
                            field="role")
        if len(password) < MINIMUM_PASSWORD_LENGTH:
            raise UserError(f"Enter a password of at least {MINIMUM_PASSWORD_LENGTH} "
                            "characters", field="password")
        taken = self._named(name)
        if taken is not None and taken["email"] != email:
            raise UserError(f"{taken['email']} is already called {taken['name']}: give this user "
                            "a name that tells them apart (such as a middle initial or their "
                            "team)", field="name")
        user = {"email": email, "name": name, "role": role}
        if not self.store.add(user, self.hasher.hash(password), self.clock.now()):
            raise UserError(f"A user with the email address {email} already exists",
                            field="email")
        self.record_administration("user added", email, by=by,
                                  details={"name": name, "role": role})

    def set_password(self, email: str, password: str, *, by: Recorder | None = None) -> None:
        """A new password for an existing user (an admin's reset, or the demo's)."""
        if self.get(email) is None:
            raise UserError(f"There is no user with the email address {email}", field="email")
        if len(password) < MINIMUM_PASSWORD_LENGTH:
            raise UserError(f"Enter a password of at least {MINIMUM_PASSWORD_LENGTH} "
                            "characters", field="password")
        self.store.set_password_hash(normal_email(email), self.hasher.hash(password))
        self.record_administration("password set", email, by=by)

    def disable(self, email: str, *, by: Recorder | None = None) -> None:
        """The user can no longer sign in, and is signed out at their next request."""
        self._set_disabled(email, True)
        self.record_administration("user disabled", email, by=by)

    def enable(self, email: str, *, by: Recorder | None = None) -> None:
        self._set_disabled(email, False)
        self.record_administration("user enabled", email, by=by)

    def record_administration(self, action: str, email: str, *, by: Recorder | None = None,
                              details: dict[str, Any] | None = None) -> None:
        """Records a change just made to a user (one of domain.administration.ACTIONS: added,
        disabled, a role changed, a password set or reset...) in the administration log, as
        done ``by`` an admin's account (or, if not said, the login running this process)."""
        email = normal_email(email)
        user = self.store.get(email)
        subject = {"email": email, "account_id": user.get("account_id") if user else None}
        self.administration.record(action, subject, by=by or recorders.operator(),
                                   details=details)

    def authenticate(self, email: str, password: str, *, source_ip: str | None) -> dict[str, Any]:
        """The user, if the password is theirs and neither the email address nor the IP
        address is throttled; raises SignInThrottled or SignInRefused otherwise."""
        email, now = normal_email(email), self.clock.now()
        until = self._throttled_until(email, source_ip, now)
        if until is not None:
            raise SignInThrottled(until)
        found = self.store.get(email)
        # An unknown address costs the same hashing as a known one: the time taken does
        # not tell anyone which addresses have accounts.
        stored = found["password_hash"] if found else self._decoy()
        matches = self.hasher.verify(stored, password)
        if found is None or not matches or found["disabled"]:
            self.store.record_failure(email=email, source_ip=source_ip, at=now)
            self.store.forget_failures_before(now - FAILURE_WINDOW - LOCKOUT)
            until = self._throttled_until(email, source_ip, now)
            raise SignInThrottled(until) if until is not None else SignInRefused()
        # Only this address's failures are forgotten: one good account must not reset the
        # count of an IP address that is guessing at others.
        self.store.clear_failures(email)
        if self.hasher.needs_rehash(stored):
            self.store.set_password_hash(email, self.hasher.hash(password))
        return _public(found)

    def record_access(self, *, email: str, urn: int, view: str) -> None:
        """Notes that this user viewed this school's case file ("case file", "as at",
        "export"...), for the auditors."""
        self.store.record_access(at=self.clock.now(), email=normal_email(email), urn=urn,
                                 view=view)

    # Queries ------------------------------------------------------------------------------

    def get(self, email: str) -> dict[str, Any] | None:
        found = self.store.get(normal_email(email))
        return _public(found) if found else None

    def list(self) -> list[dict[str, Any]]:
        return [_public(user) for user in self.store.list()]

    def access_log(self, *, urn: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Who viewed which school's case file, when and how: {at, email, urn, view},
        newest first; one school's if ``urn`` is given."""
        return self.store.access_log(urn=urn, limit=limit)

    # Internals ----------------------------------------------------------------------------

    def _named(self, name: str) -> dict[str, Any] | None:
        """The user with this name, compared without case or spacing: names are shown alone
        in places (the users page, the access log, a school's caseworker), so no two accounts
        added here may share one (entries show the account beside the name as well)."""
        wanted = " ".join(name.split()).casefold()
        return next((u for u in self.store.list()
                     if " ".join(u["name"].split()).casefold() == wanted), None)

    def _set_disabled(self, email: str, disabled: bool) -> None:
        email = normal_email(email)
        if not self.store.set_disabled(email, disabled):
            raise UserError(f"There is no user with the email address {email}", field="email")

    def _throttled_until(self, email: str, source_ip: str | None,
                         now: datetime) -> datetime | None:
        since = now - FAILURE_WINDOW - LOCKOUT
        ends = [throttled_until(self.store.failures_since(since, email=email),
                                EMAIL_FAILURES_ALLOWED, now)]
        if source_ip:
            ends.append(throttled_until(self.store.failures_since(since, source_ip=source_ip),
                                        IP_FAILURES_ALLOWED, now))
        found = [end for end in ends if end is not None]
        return max(found) if found else None

    def _decoy(self) -> str:
        if self._decoy_hash is None:
            self._decoy_hash = self.hasher.hash("not anyone's password, for timing")
        return self._decoy_hash


def throttled_until(failures: list[datetime], allowed: int, now: datetime) -> datetime | None:
    """When sign-ins may resume, if ``allowed`` failures fell within FAILURE_WINDOW and the
    LOCKOUT after the last of them has not yet passed; None if they may go ahead now."""
    failures = sorted(failures)
    ends = [
        failures[last] + LOCKOUT
        for last in range(allowed - 1, len(failures))
        if failures[last] - failures[last - allowed + 1] <= FAILURE_WINDOW
    ]
    return max(ends) if ends and max(ends) > now else None


def normal_email(email: str) -> str:
    """Email addresses are compared without case or surrounding spaces."""
    return email.strip().lower()


def _public(user: dict[str, Any]) -> dict[str, Any]:
    return {key: user[key] for key in ("email", "name", "role", "disabled", "account_id")}
