"""Deadlines on the record: an LA's extensions and suspensions of a deadline, and the
reminders sent and due dates passed, each recorded once (``domain.deadlines`` derives the
deadlines themselves from every area's state)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain import dates
from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, require_text
from domain.deadlines import PASSED, Deadline, Firing, find, pending_firings
from domain.errors import CaseFileError
from domain.rules import Rule
from domain.wording import long_date

TITLE = "Deadlines and reminders"

REMINDERS = Rule(
    "reminders", "Reminders before each deadline",
    "A reminder goes 5 and 1 working days before each due date, and the passing of a due date "
    "is recorded the day after; each is recorded once, and a reminder whose due date has gone "
    "by (after downtime) gives way to the passing. One reminder a deadline at a time: when "
    "several are due at once (after downtime, or for a deadline set late) only the latest "
    "goes, and an earlier one is not sent after a later one.",
    "Local policy", kind="policy", setting="reminder_working_days",
)

RULES = (REMINDERS,)


class FiringNotDue(CaseFileError):
    """A reminder or passing that is no longer due, or was already recorded."""


class DeadlineExtended(CaseFileEvent):
    key: str
    due: date
    reason: str
    amendable = ("reason",)


class DeadlineSuspended(CaseFileEvent):
    key: str
    reason: str
    amendable = ("reason",)


class DeadlineResumed(CaseFileEvent):
    key: str
    reason: str
    amendable = ("reason",)


class ReminderSent(CaseFileEvent):
    key: str
    due: date
    working_days_before: int


class DeadlinePassed(CaseFileEvent):
    key: str
    due: date


@dataclass
class DeadlineOverride:
    extended_to: date | None = None
    suspended: bool = False
    reason: str = ""


@dataclass
class RemindersState:
    deadline_overrides: dict[str, DeadlineOverride] = field(default_factory=dict)
    fired: set[tuple[str, date, int]] = field(default_factory=set)  # (key, due, days before)

    def _on_DeadlineExtended(self, e: Any) -> None:
        self.deadline_overrides.setdefault(e.key, DeadlineOverride()).extended_to = e.due

    def _on_DeadlineSuspended(self, e: Any) -> None:
        override = self.deadline_overrides.setdefault(e.key, DeadlineOverride())
        override.suspended, override.reason = True, e.reason

    def _on_DeadlineResumed(self, e: Any) -> None:
        if override := self.deadline_overrides.get(e.key):
            override.suspended = False

    def _falls_due_afresh(self, *keys: str) -> None:
        """An extension moves one due date of a recurring deadline (the next visit, meeting or
        review): once that is met the next falls due on its own. A suspension stands."""
        for key in keys:
            if override := self.deadline_overrides.get(key):
                override.extended_to = None

    def _on_ReminderSent(self, e: Any) -> None:
        self.fired.add((e.key, e.due, e.working_days_before))

    def _on_DeadlinePassed(self, e: Any) -> None:
        self.fired.add((e.key, e.due, 0))
        kind, _, subject = e.key.partition(":")
        if kind == "compliance" and (notice := self.warning_notices.get(subject)):
            notice.overdue = notice.complied is None


class ReminderCommands(CaseFileCore):
    def extend_deadline(
        self, *, when: Entry, deadlines: list[Deadline], key: str, to: date, reason: str
    ) -> None:
        """Moves a deadline later, with a reason; the original stays in the history."""
        self._require_open(when)
        deadline = find(deadlines, key)
        if to <= deadline.due:
            raise CaseFileError(
                f"An extension moves the deadline later than {long_date(deadline.due)}")
        dates.require_planned_date("extended deadline", to, when.effective)
        require_text("reason", reason)
        self._record(self.DeadlineExtended, when=when, key=key, due=to, reason=reason.strip())

    def suspend_deadline(
        self, *, when: Entry, deadlines: list[Deadline], key: str, reason: str
    ) -> None:
        """Stops reminders for a deadline until it is resumed (e.g. while a matter is with
        the Regional Director)."""
        self._require_open(when)
        if find(deadlines, key).suspended:
            raise CaseFileError(f"Deadline {key} is already suspended")
        require_text("reason", reason)
        self._record(self.DeadlineSuspended, when=when, key=key, reason=reason.strip())

    def resume_deadline(
        self, *, when: Entry, deadlines: list[Deadline], key: str, reason: str
    ) -> None:
        self._require_open(when)
        if not find(deadlines, key).suspended:
            raise CaseFileError(f"Deadline {key} is not suspended")
        require_text("reason", reason)
        self._record(self.DeadlineResumed, when=when, key=key, reason=reason.strip())

    def record_firing(self, *, when: Entry, deadlines: list[Deadline], firing: Firing) -> None:
        """Records a reminder sent or a due date passed, once: a second worker, or a restart,
        finds it already recorded and is refused."""
        self._require_after_registration(when)
        deadline = next((d for d in deadlines if d.key == firing.key), None)
        if deadline is None or deadline.due != firing.due or deadline.suspended:
            raise FiringNotDue(f"{firing.key} due {long_date(firing.due)} is no longer due")
        if (firing.key, firing.due, firing.working_days_before) in self.state.fired:
            raise FiringNotDue(f"{firing.key} due {long_date(firing.due)} already fired")
        if firing not in pending_firings(self.urn, self.state, deadlines, when.effective):
            # e.g. a reminder held through downtime until after its due date
            raise FiringNotDue(f"{firing.key} due {long_date(firing.due)} is no longer due")
        if firing.working_days_before == PASSED:
            self._record(self.DeadlinePassed, when=when, key=firing.key, due=firing.due)
        else:
            self._record(self.ReminderSent, when=when, key=firing.key, due=firing.due,
                         working_days_before=firing.working_days_before)
