"""The log of user and role administration: who added, disabled, enabled a user, changed a
role, set a password or made or revoked an API token, each entry hash-chained to the one
before it as a school's are.

Policy (security review findings #4 and #16): the people who may record on a school's case file
are themselves a record an auditor must be able to trust, so changes to them are kept as an
append-only chain that ``scc verify`` checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from domain import chain

ACTIONS = {
    "user added": "added",
    "user disabled": "disabled",
    "user enabled": "enabled",
    "role changed": "changed the role of",
    "password set": "set the password of",
    "password reset": "reset the password of",
    "token created": "made an API token for",
    "token revoked": "revoked an API token of",
}
"""What may be recorded, and how the log says it ("Ann Admin disabled bob@la.example")."""


@dataclass(frozen=True)
class AdministrationEntry:
    """One change to a user: its number in the log, what was done to whom, by whom, when.

    ``subject`` is the user changed ({"account": id, "email": address}); ``details`` what
    the change says beyond its action (a role, a name: never a password or its hash)."""

    number: int
    action: str
    subject: dict[str, Any]
    by: str
    actor: dict[str, Any]
    recorded_at: datetime
    details: dict[str, Any] = field(default_factory=dict)
    link: str = ""

    def content(self) -> dict[str, Any]:
        """What the link is computed over: everything but the link itself."""
        return {"number": self.number, "subject": self.subject, "by": self.by,
                "actor": self.actor, "recorded_at": self.recorded_at, "details": self.details}


def next_entry(previous: AdministrationEntry | None, *, action: str, subject: Mapping[str, Any],
               by: str, actor: Mapping[str, Any], recorded_at: datetime,
               details: Mapping[str, Any] | None = None) -> AdministrationEntry:
    """The entry that follows ``previous`` (None: the first), linked to it."""
    if action not in ACTIONS:
        raise ValueError(f"Not an administration action: {action!r}")
    entry = AdministrationEntry(
        number=1 if previous is None else previous.number + 1, action=action,
        subject=dict(subject), by=by, actor=dict(actor),
        recorded_at=recorded_at.astimezone(UTC),  # as the store gives it back
        details=dict(details or {}))
    start = chain.GENESIS if previous is None else previous.link
    return _with_link(entry, chain.link(start, action, entry.content()))


def problems(entries: Iterable[AdministrationEntry]) -> list[str]:
    """What is wrong with the log, in an auditor's words (none: it is as it was recorded).

    An edited entry breaks its own link; a deleted, inserted or reordered one breaks the
    numbering or the next link. Entries removed from the end leave no trace here (as with a
    school's log, only a record kept outside the database can show those)."""
    previous, expected = chain.GENESIS, 1
    for entry in entries:
        if entry.number != expected:
            return [f"administration entry {expected} is missing or out of order "
                    f"(found entry {entry.number} in its place)"]
        if entry.link != chain.link(previous, entry.action, entry.content()):
            return [f"administration entry {entry.number} ({entry.action}): "
                    "its content was altered after it was recorded, or an entry before it was"]
        previous, expected = entry.link, expected + 1
    return []


def _with_link(entry: AdministrationEntry, link: str) -> AdministrationEntry:
    return AdministrationEntry(**{**entry.__dict__, "link": link})
