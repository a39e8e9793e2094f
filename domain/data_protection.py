"""Retention, legal holds and destruction: how long a case file's personal data is kept, what
keeps it longer, and the two-person decision that destroys it.

Policy: UK GDPR Article 5(1)(e) (kept no longer than necessary) as the LA's retention schedule
says; a legal hold (a public inquiry's instruction not to destroy, a claim) overrides the
schedule; destruction is proposed by one person and approved by another. The decisions are
a log of their own, hash-chained as the case files are (``domain.chain``), and never hold the
personal data they concern: only URNs, opaque person ids, rules and reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from domain import chain
from domain.rules import Rule

# The schedule ------------------------------------------------------------------------------

AFTER_CLOSURE = "the school closed"
AFTER_LAST_ENTRY = "the last entry"
AFTER_VIEWING = "the month it was viewed"


@dataclass(frozen=True)
class RetentionRule:
    """How long one kind of record is kept: ``years`` (and ``months``) after ``after``.
    ``confirmed`` is False for a default the LA has still to confirm."""

    key: str
    record: str
    after: str
    years: int = 0
    months: int = 0
    confirmed: bool = False

    @property
    def period(self) -> str:
        parts = [f"{self.years} year{'s' * (self.years != 1)}"] if self.years else []
        parts += [f"{self.months} month{'s' * (self.months != 1)}"] if self.months else []
        return " and ".join(parts) or "no time"

    @property
    def words(self) -> str:
        return f"{self.record}: kept {self.period} after {self.after}"

    def due(self, since: date) -> date:
        """The first day the record may be destroyed."""
        month = since.month - 1 + self.months
        year = since.year + self.years + month // 12
        month = month % 12 + 1
        day = min(since.day, _days_in(year, month))
        return date(year, month, day)


def _days_in(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


DEFAULT_SCHEDULE = (
    RetentionRule("closed-school", "A closed school's case file", AFTER_CLOSURE, years=6),
    RetentionRule("dormant-case", "A case file with nothing recorded by anyone",
                  AFTER_LAST_ENTRY, years=6),
    RetentionRule("access-log", "Who viewed which case file (the access log)",
                  AFTER_VIEWING, years=2),
)
"""The defaults, each marked as the LA's to confirm: six years after the case ends follows
the common practice for an LA's school improvement records; two years for the access log."""

RETENTION = Rule(
    "retention-schedule", "Personal data is kept no longer than the retention schedule says",
    "Each kind of record is kept for the period the LA's retention schedule sets after its "
    "trigger (a school closing; the last entry anyone recorded; the month a case file was "
    "viewed), then proposed for destruction. Records under a legal hold are not.",
    "UK GDPR Article 5(1)(e); the LA's retention schedule", kind="policy",
    setting="[retention] in the LA's policy file",
)
LEGAL_HOLD = Rule(
    "legal-hold", "Nothing under a legal hold is destroyed or erased",
    "A legal hold on a school, a person or everything (a public inquiry's instruction not to "
    "destroy, a claim) stops the destruction of what it covers until it is lifted, whatever "
    "the schedule says.",
    "Inquiries Act 2005 s35(3); Civil Procedure Rules Practice Direction 31B", kind="policy",
)
TWO_PEOPLE = Rule(
    "destruction-two-people", "Destruction needs two people",
    "One person proposes a list of records due for destruction; another approves it. The "
    "same person cannot do both. Each decision is recorded, with the rule it rests on.",
    "The LA's information governance policy", kind="policy",
)
RULES = (RETENTION, LEGAL_HOLD, TWO_PEOPLE)


class DataProtectionError(ValueError):
    """A decision refused, in words."""


# The decisions log -----------------------------------------------------------------------

ACTIONS = {
    "hold placed": "placed a legal hold",
    "hold lifted": "lifted a legal hold",
    "destruction proposed": "proposed a destruction",
    "destruction approved": "approved a destruction",
    "destruction refused": "refused a destruction",
    "records destroyed": "destroyed records",
}


@dataclass(frozen=True)
class Decision:
    """One entry of the decisions log, chained to the one before it."""

    number: int
    action: str
    subject: str  # H1, D1
    by: str
    actor: dict[str, Any]
    recorded_at: datetime
    details: dict[str, Any] = field(default_factory=dict)
    link: str = ""

    def content(self) -> dict[str, Any]:
        return {"number": self.number, "subject": self.subject, "by": self.by,
                "actor": self.actor, "recorded_at": self.recorded_at, "details": self.details}


def next_decision(previous: Decision | None, *, action: str, subject: str, by: str,
                  actor: Mapping[str, Any], recorded_at: datetime,
                  details: Mapping[str, Any]) -> Decision:
    if action not in ACTIONS:
        raise ValueError(f"Not a data protection decision: {action!r}")
    decision = Decision(1 if previous is None else previous.number + 1, action, subject, by,
                        dict(actor), recorded_at.astimezone(UTC), dict(details))
    start = chain.GENESIS if previous is None else previous.link
    return Decision(**{**vars(decision), "link": chain.link(start, action, decision.content())})


def problems(decisions: Iterable[Decision]) -> list[str]:
    """What is wrong with the decisions log, in an auditor's words."""
    previous, expected = chain.GENESIS, 1
    for decision in decisions:
        if decision.number != expected:
            return [f"data protection decision {expected} is missing or out of order"]
        if decision.link != chain.link(previous, decision.action, decision.content()):
            return [f"data protection decision {decision.number} was altered after it was "
                    "recorded"]
        previous, expected = decision.link, expected + 1
    return []


# What the decisions add up to ------------------------------------------------------------

SCOPES = ("school", "person", "everything")


@dataclass(frozen=True)
class Hold:
    hold_id: str
    scope: str  # school, person or everything
    target: Any  # a URN, a person id, or None
    reason: str
    placed_by: str
    placed_on: date
    lifted_on: date | None = None

    @property
    def words(self) -> str:
        what = {"school": f"school {self.target}", "person": f"person {self.target}",
                "everything": "everything"}[self.scope]
        return f"legal hold {self.hold_id} on {what} ({self.reason})"


@dataclass(frozen=True)
class Item:
    """One record proposed for destruction: a school's case file, or a month of the access
    log (``urn`` None, ``month`` "2024-03")."""

    rule: str
    due: date
    urn: int | None = None
    month: str | None = None

    @property
    def words(self) -> str:
        return (f"the case file of school {self.urn}" if self.urn is not None
                else f"the access log of {self.month}")

    def as_details(self) -> dict[str, Any]:
        return {"rule": self.rule, "due": self.due.isoformat(), "urn": self.urn,
                "month": self.month}

    @classmethod
    def from_details(cls, data: Mapping[str, Any]) -> Item:
        return cls(data["rule"], date.fromisoformat(data["due"]), data.get("urn"),
                   data.get("month"))


@dataclass(frozen=True)
class Destruction:
    destruction_id: str
    items: tuple[Item, ...]
    proposed_by: str
    proposer: dict[str, Any]
    proposed_on: date
    status: str = "proposed"  # proposed, approved, refused
    decided_by: str | None = None
    reason: str = ""


@dataclass
class Decisions:
    holds: dict[str, Hold] = field(default_factory=dict)
    destructions: dict[str, Destruction] = field(default_factory=dict)

    @property
    def standing_holds(self) -> list[Hold]:
        return [h for h in self.holds.values() if h.lifted_on is None]

    def holds_on(self, *, urn: int | None = None, person: str | None = None) -> list[Hold]:
        """The standing holds that cover this school (or the access log: urn None) or this
        person."""
        found = []
        for hold in self.standing_holds:
            if (hold.scope == "everything"
                    or (hold.scope == "school" and urn is not None and hold.target == urn)
                    or (hold.scope == "person" and person is not None
                        and hold.target == person)):
                found.append(hold)
        return found

    def pending(self) -> list[Destruction]:
        return [d for d in self.destructions.values() if d.status == "proposed"]


def decided(decisions: Iterable[Decision]) -> Decisions:
    """What the decisions log adds up to: the holds and the destructions, as they stand."""
    state = Decisions()
    for d in decisions:
        day = d.recorded_at.date()
        if d.action == "hold placed":
            state.holds[d.subject] = Hold(d.subject, d.details["scope"], d.details.get("target"),
                                          d.details["reason"], d.by, day)
        elif d.action == "hold lifted" and d.subject in state.holds:
            hold = state.holds[d.subject]
            state.holds[d.subject] = Hold(**{**vars(hold), "lifted_on": day})
        elif d.action == "destruction proposed":
            state.destructions[d.subject] = Destruction(
                d.subject, tuple(Item.from_details(i) for i in d.details["items"]), d.by,
                d.actor, day)
        elif d.action in ("destruction approved", "destruction refused"):
            before = state.destructions[d.subject]
            state.destructions[d.subject] = Destruction(**{
                **vars(before), "status": d.action.split()[1], "decided_by": d.by,
                "reason": d.details.get("reason", "")})
    return state


def require_other_person(destruction: Destruction, by: str, actor: Mapping[str, Any]) -> None:
    """Rule ``destruction-two-people``: the approver is not the proposer, by name or by
    account."""
    same_name = " ".join(by.split()).casefold() == " ".join(
        destruction.proposed_by.split()).casefold()
    proposer = destruction.proposer
    same_account = any(actor.get(k) and actor.get(k) == proposer.get(k)
                       for k in ("account", "email"))
    if same_name or same_account:
        TWO_PEOPLE.refuse(f"{by} proposed destruction {destruction.destruction_id}: another "
                          "person must approve it")


def next_id(prefix: str, taken: Iterable[str]) -> str:
    numbers = [int(t[len(prefix):]) for t in taken if t[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"
