"""The people who may sign in: their roles and passwords, signing in with throttling, and the
access log."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from application import access_log as access
from application import recorders
from application.access import ROLES
from application.administration import AdministrationLog, LogStore
from application.passwords import PasswordRefused, check_password
from application.personal_keys import PROCESS_KEYS, Keyring
from application.ports import Clock
from application.sessions import Sessions
from domain.identity import Recorder
from domain.personal_data import Erasure

EMAIL_FAILURES_ALLOWED = 5
IP_FAILURES_ALLOWED = 20
FAILURE_WINDOW = timedelta(minutes=15)
FIRST_DELAY = timedelta(seconds=1)
LONGEST_DELAY = timedelta(minutes=1)
"""Issue 18 (local policy, after NCSC's "throttle rather than lock out"): after 5 failed
sign-ins for one email address, or 20 from one IP address, within 15 minutes, each further try
from it must wait after the last failure: 1 second, then twice as long each time, up to a
minute. Nobody can lock another user out (issue 5 locked an address for 15 minutes); guessing
slows to one try a minute."""

RESET_LINK_LIFETIME = timedelta(hours=24)
"""Local policy: a password-reset link works once, within a day of being made."""

REFUSED = "Enter a correct email address and password"
NO_PASSWORD = "no password: signs in through the LA's provider"
"""Stored in place of a hash: not an Argon2 hash, so no password ever matches it."""
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
    """Too many failed sign-ins lately for this email address or from this IP address: the
    next try must wait a little (``wait``, never more than LONGEST_DELAY)."""

    def __init__(self, until: datetime, now: datetime) -> None:
        seconds = max(1, -int(-(until - now).total_seconds() // 1))
        super().__init__(f"You have tried to sign in too many times. Wait {seconds} "
                         f"second{'s' if seconds != 1 else ''}, then try again.")
        self.until = until
        self.wait = until - now


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

    def set_role(self, email: str, role: str) -> bool:
        """False if there is no such user."""

    def record_failure(self, *, email: str, source_ip: str | None, at: datetime) -> None: ...

    def failures_since(self, since: datetime, *, email: str | None = None,
                       source_ip: str | None = None) -> list[datetime]:
        """When the failed sign-ins for the email address, or from the IP address, were."""

    def clear_failures(self, email: str) -> None: ...

    def forget_failures_before(self, moment: datetime) -> None: ...

    def record_access(self, *, at: datetime, email: Any, urn: int, view: str) -> None:
        """A row of the access log; ``email`` the viewer sealed (access_log.sealed_viewer)."""

    def record_accesses(self, *, at: datetime, email: Any, urns: list[int], view: str
                        ) -> None:
        """A row for each school, in one write."""

    def access_log(self, *, urn: int | None, limit: int) -> list[dict[str, Any]]:
        """{at, email, sealed_email, urn, view}, newest first (as access_log.ChainedRows)."""

    def access_rows(self, *, after: int, limit: int) -> list[dict[str, Any]]: ...

    def access_log_keys(self) -> list[dict[str, Any]]: ...

    def close(self) -> None: ...


class ResetStore(Protocol):
    """One-time password-reset links by their hash (adapters.sessions.SQLResetStore)."""

    def add(self, *, token_hash: str, email: str, at: datetime, expires_at: datetime) -> None:
        """Stores a new link, replacing any unused one of the user's."""

    def find(self, token_hash: str) -> dict[str, Any] | None:
        """{email, created_at, expires_at, used_at}, or None."""

    def use(self, token_hash: str, at: datetime) -> bool:
        """False if it was used already."""

    def close(self) -> None: ...


class Users:
    """Adds, lists and disables users, sets their passwords, signs them in, and logs who viewed
    which case file. Whatever changes a user's access (disabling them, a new role, a new
    password) ends their sessions."""

    def __init__(self, store: UserStore, hasher: PasswordHasher, clock: Clock,
                 sessions: Sessions | None = None, resets: ResetStore | None = None,
                 keyring: Keyring | None = None, *, close_keys: bool = False) -> None:
        self.store = store
        self.keyring = keyring or Keyring(PROCESS_KEYS)
        """The keys viewers in the access log are sealed under, one a month."""
        self._close_keys = close_keys  # a key store opened for these users alone
        self.access_months = access.SealedAccessLog(store, self.keyring)
        """The access log's months, for the retention schedule."""
        self.hasher = hasher
        self.clock = clock
        self.sessions = sessions
        self.resets = resets
        self.administration = AdministrationLog(store.administration, clock)
        self._decoy_hash: str | None = None
        self._access_listeners: list[Callable[[str], None]] = []

    def close(self) -> None:
        self.store.close()
        for other in (self.sessions, self.resets):
            if other is not None:
                other.close()
        if self._close_keys:
            self.keyring.store.close()  # type: ignore[attr-defined]

    def on_access_changed(self, listener: Callable[[str], None]) -> None:
        """``listener(email)`` is called when a user is disabled or given another role here:
        whatever remembers what a user may do (the API tokens found lately) forgets them."""
        self._access_listeners.append(listener)

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
        _check_password(password, email)
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

    def set_password(self, email: str, password: str, *, keep_session: str | None = None,
                     by: Recorder | None = None) -> None:
        """A new password for an existing user (theirs, through a reset link, or the demo's);
        ends their sessions, all but ``keep_session`` (a session id) if given."""
        if self.get(email) is None:
            raise UserError(f"There is no user with the email address {email}", field="email")
        _check_password(password, email)
        self.store.set_password_hash(normal_email(email), self.hasher.hash(password))
        self._end_sessions(email, keep=keep_session)
        self.record_administration("password set", email, by=by)

    def change_password(self, email: str, *, current: str, new: str,
                        keep_session: str | None = None, by: Recorder | None = None) -> None:
        """The signed-in user's own change: their current password first, so that someone at
        a browser left signed in cannot take the account over. Their other sessions end."""
        email, now = normal_email(email), self.clock.now()
        # Wrong current passwords count as failed sign-ins: a borrowed session is no way
        # round the throttling.
        until = self._throttled_until(email, None, now)
        if until is not None:
            raise UserError(str(SignInThrottled(until, now)), field="current_password")
        found = self.store.get(email)
        if found is None or not self.hasher.verify(found["password_hash"], current):
            self.store.record_failure(email=email, source_ip=None, at=now)
            raise UserError("Enter your current password correctly", field="current_password")
        if new == current:
            raise UserError("Enter a new password that is not your current one",
                            field="new_password")
        try:
            self.set_password(email, new, keep_session=keep_session, by=by)
        except UserError as error:
            raise UserError(str(error), field="new_password") from None

    def issue_password_reset(self, email: str, *, by: Recorder | None = None) -> str:
        """A one-time secret for a link through which the user sets a new password, for an
        administrator to hand them; it works once, within RESET_LINK_LIFETIME. Only its hash
        is kept; a new one replaces any the user had not used."""
        user = self.get(email)
        if user is None:
            raise UserError(f"There is no user with the email address {normal_email(email)}",
                            field="email")
        if user["disabled"]:
            raise UserError(f"{user['email']} is disabled: enable them first", field="email")
        secret, now = secrets.token_urlsafe(32), self.clock.now()
        self._resets().add(token_hash=_hash(secret), email=user["email"], at=now,
                           expires_at=now + RESET_LINK_LIFETIME)
        self.record_administration("password reset", user["email"], by=by,
                                   details={"link_expires_at": (now + RESET_LINK_LIFETIME)
                                            .isoformat()})
        return secret

    def password_reset_for(self, secret: str) -> dict[str, Any]:
        """The user a reset link is for; UserError if it is unknown, used, expired, or its
        user is disabled."""
        found = self._resets().find(_hash(secret))
        if found is None or found["used_at"] is not None:
            raise UserError("This link has been used or is not a password-reset link. Ask an "
                            "administrator for a new one")
        if self.clock.now() >= found["expires_at"]:
            raise UserError("This link has expired. Ask an administrator for a new one")
        user = self.get(found["email"])
        if user is None or user["disabled"]:
            raise UserError("This link has been used or is not a password-reset link. Ask an "
                            "administrator for a new one")
        return user

    def reset_password(self, secret: str, password: str) -> dict[str, Any]:
        """Sets the password of the user the link is for, once; ends all their sessions."""
        user = self.password_reset_for(secret)
        _check_password(password, user["email"])
        if not self._resets().use(_hash(secret), self.clock.now()):
            raise UserError("This link has been used. Ask an administrator for a new one")
        self.set_password(user["email"], password, by=recorders.account(user))
        return user

    def set_role(self, email: str, role: str, *, by: Recorder | None = None) -> None:
        """A new role; their sessions end, so the new role applies from their next sign-in."""
        user = self.get(email)
        if user is None:
            raise UserError(f"There is no user with the email address {normal_email(email)}",
                            field="email")
        if role not in ROLES:
            raise UserError(f"Choose a role: {', '.join(ROLES[:-1])} or {ROLES[-1]}",
                            field="role")
        if role == user["role"]:
            return  # the same role (a provider's sign-in repeats it): their sessions go on
        if user["role"] == "admin":
            self._refuse_if_last_admin(user, "give another role to")
        self.store.set_role(user["email"], role)
        self._end_sessions(user["email"])
        self._access_changed(user["email"])
        self.record_administration("role changed", user["email"], by=by,
                                   details={"role": role, "was": user["role"]})

    def add_without_password(self, *, email: str, name: str, role: str) -> dict[str, Any]:
        """A user who signs in only through the LA's own provider (application.single_sign_on):
        their stored hash is one no password matches, so password sign-in refuses them."""
        email, name = normal_email(email), " ".join(name.split()) or normal_email(email)
        if role not in ROLES:
            raise UserError(f"Choose a role: {', '.join(ROLES[:-1])} or {ROLES[-1]}",
                            field="role")
        if not self.store.add({"email": email, "name": name, "role": role}, NO_PASSWORD,
                              self.clock.now()):
            raise UserError(f"A user with the email address {email} already exists",
                            field="email")
        self.record_administration("user added", email, by=Recorder.system("single sign-on"),
                                   details={"name": name, "role": role})
        return self.get(email)

    def disable(self, email: str, *, by: Recorder | None = None) -> None:
        """The user can no longer sign in, and their sessions end at once. The last enabled
        administrator cannot be disabled: nobody could then manage users."""
        user = self.get(email)
        if user is not None and user["role"] == "admin" and not user["disabled"]:
            self._refuse_if_last_admin(user, "disable")
        self._set_disabled(email, True)
        self._end_sessions(email)
        self._access_changed(email)
        self.record_administration("user disabled", email, by=by)

    def enable(self, email: str, *, by: Recorder | None = None) -> None:
        """The user may sign in again; sessions ended when they were disabled stay ended."""
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
            raise SignInThrottled(until, now)
        found = self.store.get(email)
        # An unknown address costs the same hashing as a known one: the time taken does
        # not tell anyone which addresses have accounts.
        stored = found["password_hash"] if found else self._decoy()
        matches = self.hasher.verify(stored, password)
        if found is None or not matches or found["disabled"]:
            self.store.record_failure(email=email, source_ip=source_ip, at=now)
            self.store.forget_failures_before(now - FAILURE_WINDOW)
            raise SignInRefused()
        # Only this address's failures are forgotten: one good account must not reset the
        # count of an IP address that is guessing at others.
        self.store.clear_failures(email)
        if self.hasher.needs_rehash(stored):
            self.store.set_password_hash(email, self.hasher.hash(password))
        return _public(found)

    def record_access(self, *, email: str, urn: int, view: str) -> None:
        """Notes that this user viewed this school's case file ("case file", "as at",
        "export"...), for the auditors: who, sealed under the month's key."""
        now = self.clock.now()
        self.store.record_access(at=now, email=self._sealed(email, now), urn=urn, view=view)

    def record_accesses(self, *, email: str, urns: list[int], view: str) -> None:
        """Notes that this user saw words of these schools' case files at once (a page of
        search results), a row for each school."""
        if urns:
            now = self.clock.now()
            self.store.record_accesses(at=now, email=self._sealed(email, now), urns=urns,
                                       view=view)

    def _sealed(self, email: str, at: datetime) -> Any:
        self.keyring.current()  # a month's key destroyed elsewhere is not sealed under again
        return access.sealed_viewer(self.keyring, normal_email(email), at)

    def erase_access_log_before(self, before: date, *, rule: str, by: str
                                ) -> list[dict[str, Any]]:
        """Destroys the keys of the access log's months that ended before ``before``, under
        the retention ``rule``, today; returns {month, rows, keys} of each."""
        return self.access_months.erase_before(before, Erasure(rule, self.clock.today()),
                                                   by)

    # Queries ------------------------------------------------------------------------------

    def get(self, email: str) -> dict[str, Any] | None:
        found = self.store.get(normal_email(email))
        return _public(found) if found else None

    def list(self) -> list[dict[str, Any]]:
        return [_public(user) for user in self.store.list()]

    def access_log(self, *, urn: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Who viewed which school's case file, when and how: {at, email, urn, view, erased},
        newest first; one school's if ``urn`` is given. A viewer whose month was erased is
        the erasure's note, in ``email`` and ``erased``."""
        self.keyring.current()
        return access.opened(self.store.access_log(urn=urn, limit=limit), self.keyring)


    # Internals ----------------------------------------------------------------------------

    def _refuse_if_last_admin(self, user: dict[str, Any], doing: str) -> None:
        others = [u for u in self.list() if u["role"] == "admin" and not u["disabled"]
                  and u["email"] != user["email"]]
        if not others:
            raise UserError(f"You cannot {doing} {user['email']}: they are the only enabled "
                            "administrator, and nobody could then manage users. Add or enable "
                            "another administrator first", field="email")

    def _end_sessions(self, email: str, *, keep: str | None = None) -> None:
        if self.sessions is not None:
            self.sessions.end_all(normal_email(email), keep=keep)

    def _access_changed(self, email: str) -> None:
        for listener in self._access_listeners:
            listener(normal_email(email))

    def _resets(self) -> ResetStore:
        if self.resets is None:
            raise RuntimeError("These users were built without password-reset links")
        return self.resets

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
        since = now - FAILURE_WINDOW
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
    """When the next try may be made, given the failures within FAILURE_WINDOW before now: once
    ``allowed`` of them are, FIRST_DELAY after the last, doubling with each further failure up
    to LONGEST_DELAY; None if it may be made now."""
    failures = [failure for failure in failures if now - failure <= FAILURE_WINDOW]
    if len(failures) < allowed:
        return None
    beyond = len(failures) - allowed
    delay = LONGEST_DELAY if beyond >= 16 else min(FIRST_DELAY * 2 ** beyond, LONGEST_DELAY)
    until = max(failures) + delay
    return until if until > now else None


def normal_email(email: str) -> str:
    """Email addresses are compared without case or surrounding spaces."""
    return email.strip().lower()


def _check_password(password: str, email: str) -> None:
    try:
        check_password(password, email=normal_email(email))
    except PasswordRefused as refusal:
        raise UserError(str(refusal), field="password") from None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _public(user: dict[str, Any]) -> dict[str, Any]:
    return {key: user[key] for key in ("email", "name", "role", "disabled", "account_id")}
