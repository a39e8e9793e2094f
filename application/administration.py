"""The user administration log: the one place a change to a user is recorded, and checked."""

from __future__ import annotations

from typing import Any, Protocol

from application.ports import Clock
from domain.administration import ACTIONS, AdministrationEntry, next_entry, problems
from domain.identity import Recorder, identity_words


class LogStore(Protocol):
    """The log's entries, oldest first (adapters.administration.SQLAdministrationLog)."""

    def last(self) -> AdministrationEntry | None: ...

    def append(self, entry: AdministrationEntry) -> bool:
        """False if an entry of that number was stored meanwhile."""

    def entries(self) -> list[AdministrationEntry]: ...


class AdministrationLog:
    """Records each change to a user as the next link of its chain; lists and checks it."""

    attempts = 10

    def __init__(self, store: LogStore, clock: Clock) -> None:
        self.store, self.clock = store, clock

    def record(self, action: str, user: dict[str, Any], *, by: Recorder,
               details: dict[str, Any] | None = None) -> AdministrationEntry:
        """Records that ``by`` did ``action`` (one of domain.administration.ACTIONS) to
        ``user`` ({email, account_id}); ``details`` say what changed (never a password)."""
        subject = {"account": user.get("account_id"), "email": user["email"]}
        for _ in range(self.attempts):
            entry = next_entry(self.store.last(), action=action, subject=subject, by=by.name,
                               actor=by.identity, recorded_at=self.clock.now(),
                               details=details)
            if self.store.append(entry):
                return entry
        raise RuntimeError("The administration log kept changing while this was recorded")

    def entries(self) -> list[dict[str, Any]]:
        """Every entry, newest first, as the log shows it."""
        return [_shown(entry) for entry in reversed(self.store.entries())]

    def problems(self) -> list[str]:
        """What an auditor is told is wrong with the log; none if it is as recorded."""
        return problems(self.store.entries())


def _shown(entry: AdministrationEntry) -> dict[str, Any]:
    identity = identity_words(entry.actor)
    return {
        "number": entry.number, "action": entry.action, "recorded_at": entry.recorded_at,
        "by": entry.by, "by_identity": identity, "email": entry.subject.get("email"),
        "account": entry.subject.get("account"), "details": entry.details,
        "summary": f"{entry.by} {ACTIONS[entry.action]} {entry.subject.get('email')}"
                   + "".join(f"; {k.replace('_', ' ')}: {v}" for k, v in entry.details.items()),
    }
