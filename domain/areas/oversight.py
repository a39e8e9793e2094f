"""Who owns the case, and the school improvement and monitoring visits the LA makes (local
policy: Torbay 2011, termly for schools causing concern or in an Ofsted category, annual
otherwise)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.areas.core import (
    EMAIL,
    CaseFileCore,
    CaseFileEvent,
    Entry,
    one_line,
    require_choice,
    require_text,
)
from domain.errors import CaseFileError
from domain.rules import Rule

TITLE = "Caseworkers and visits"

VISIT_KINDS = ("school improvement", "monitoring")

VISIT_CADENCE = Rule(
    "visit-cadence", "Termly visits for a school causing concern or in an Ofsted category",
    "A school in a category the LA's scheme marks as causing concern, or whose latest Ofsted "
    "inspection put it in a category of concern (with or without an LA category), is visited "
    "every 13 weeks; every other school with an LA category once a year. Visits are counted "
    "from the later of the last visit and its entering the category (the LA's, or Ofsted's "
    "report).",
    "Local policy (Torbay Schools Improvement Partnership 2011)", kind="policy",
    setting="visit_weeks_in_category, visit_weeks_otherwise",
)

RULES = (VISIT_CADENCE,)


class CaseworkerAssigned(CaseFileEvent):
    name: str
    email: str


class VisitRecorded(CaseFileEvent):
    visit_id: str
    kind: str
    notes: str
    amendable = ("notes",)


@dataclass
class Visit:
    visit_id: str
    kind: str
    visited_on: date
    notes: str
    recorded_in: int


@dataclass
class OversightState:
    caseworker: tuple[str, str] | None = None  # (name, email)
    visits: list[Visit] = field(default_factory=list)

    def _on_CaseworkerAssigned(self, e: Any) -> None:
        self.caseworker = (e.name, e.email)

    def _on_VisitRecorded(self, e: Any) -> None:
        self.visits.append(Visit(e.visit_id, e.kind, e.effective, e.notes, e.originator_version))
        self._falls_due_afresh("visit:next")


def deadlines(state: Any, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
    """The next visit, for a school with an LA category or in an Ofsted category of concern
    (rule ``visit-cadence``)."""
    category = state.category
    inspection = state.inspection
    in_ofsted_category = inspection is not None and bool(inspection.category)
    in_concern = in_ofsted_category
    entered: list[tuple[date, int]] = []  # (since, the entry it comes from)
    if category is not None:
        with suppress(CaseFileError):  # a code the scheme no longer has: not a concern
            in_concern = scheme.is_causing_concern(category.category) or in_concern
        entered.append((category.since, category.recorded_in))
    if in_ofsted_category:
        entered.append((inspection.published_on, inspection.recorded_in))
    if not entered:
        return
    weeks = policy.visit_weeks_in_category if in_concern else policy.visit_weeks_otherwise
    since, version = max(entered)
    last = state.visits[-1] if state.visits else None
    if last is not None and last.visited_on >= since:
        since, version = last.visited_on, last.recorded_in
    yield ("visit", "next", since + timedelta(weeks=weeks),
           f"{'Termly' if in_concern else 'Annual'} school improvement visit", version)


class OversightCommands(CaseFileCore):
    def assign_caseworker(self, *, when: Entry, name: str, email: str) -> None:
        """Names who owns the case; reminders about the school go to them."""
        self._require_open(when)
        require_text("caseworker's name", name, field="name")
        name = one_line(name)
        if not EMAIL.fullmatch(email.strip()):
            raise CaseFileError(f"{email!r} is not an email address: enter an address like "
                                "name@example.org", field="email")
        if self.state.caseworker == (name, email.strip()):
            raise CaseFileError(f"{name} already owns this case")
        self._record(self.CaseworkerAssigned, when=when, name=name, email=email.strip())

    def record_visit(self, *, when: Entry, kind: str, notes: str) -> str:
        """A school improvement (SEP) or monitoring visit (local policy: visit cadence)."""
        self._require_open(when)
        require_choice("visit", kind, VISIT_KINDS)
        require_text("notes", notes)
        visit_id = f"V{self._count(self.VisitRecorded) + 1}"
        self._record(self.VisitRecorded, when=when, visit_id=visit_id, kind=kind,
                     notes=notes.strip())
        return visit_id
