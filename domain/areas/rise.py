"""RISE targeted intervention: the DfE's Regional Improvement for Standards and Excellence
teams' work with a school identified as needing it (an adviser, an improvement plan, reviews,
an exit). Government policy, not statute: DfE "Support and intervention in schools"
(1 November 2024); the details are from secondary sources.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, one_line, require_text
from domain.errors import CaseFileError
from domain.rules import Rule
from domain.wording import long_date

TITLE = "RISE targeted intervention"

RISE_FROM = date(2024, 11, 1)

# Rules --------------------------------------------------------------------------------------

RISE_SCHOOLS = Rule(
    "rise-which-schools", "RISE works with open state-funded schools",
    "A RISE team may identify an open maintained school or academy for targeted "
    "intervention, from 1 November 2024 when the DfE's guidance introduced it.",
    "DfE, Support and intervention in schools (1 November 2024)", kind="guidance",
    applies_from=RISE_FROM,
    unconfirmed="The guidance's text was not found; its date and scope are from secondary "
                "sources (VWV, Schools Week).",
)
ONE_IDENTIFICATION = Rule(
    "rise-one-at-a-time", "One RISE identification at a time",
    "A school is identified for RISE targeted intervention once until it exits.",
    "DfE, Support and intervention in schools (1 November 2024)", kind="guidance",
)
WHILE_IDENTIFIED = Rule(
    "rise-while-identified", "Adviser, plan and reviews only while identified",
    "A RISE adviser, an improvement plan, a review or an exit is recorded only while the "
    "school is identified for RISE targeted intervention.",
    "DfE, Support and intervention in schools (1 November 2024)", kind="guidance",
)
REVIEW_CADENCE = Rule(
    "rise-review-cadence", "RISE reviews every six weeks",
    "While a school is in RISE targeted intervention its next review is expected six weeks "
    "after the later of its identification, its plan's agreement and its last review.",
    "Local policy (default for the LA to confirm)", kind="policy",
    setting="rise_review_weeks",
    unconfirmed="No cadence for RISE reviews was found in the DfE's guidance: six weeks is a "
                "placeholder for the LA to confirm.",
)

RULES = (RISE_SCHOOLS, ONE_IDENTIFICATION, WHILE_IDENTIFIED, REVIEW_CADENCE)


# Entries ------------------------------------------------------------------------------------

class RiseIdentified(CaseFileEvent):
    basis: str
    amendable = ("basis",)


class RiseAdviserAssigned(CaseFileEvent):
    adviser: str


class RisePlanAgreed(CaseFileEvent):
    summary: str
    amendable = ("summary",)


class RiseReviewHeld(CaseFileEvent):
    review_id: str
    notes: str
    outcome: str
    amendable = ("notes", "outcome")


class RiseExited(CaseFileEvent):
    reason: str
    amendable = ("reason",)


# State --------------------------------------------------------------------------------------

@dataclass
class RiseReview:
    review_id: str
    held_on: date
    notes: str
    outcome: str
    recorded_in: int


@dataclass
class RiseSpell:
    identified_on: date
    basis: str
    recorded_in: int
    adviser: str | None = None
    plan_agreed_on: date | None = None
    plan_summary: str = ""
    reviews: list[RiseReview] = field(default_factory=list)
    exited_on: date | None = None
    exit_reason: str = ""


@dataclass
class RiseState:
    rise_spells: list[RiseSpell] = field(default_factory=list)

    @property
    def rise(self) -> RiseSpell | None:
        """The school's RISE targeted intervention, if it is in one."""
        spell = self.rise_spells[-1] if self.rise_spells else None
        return spell if spell is not None and spell.exited_on is None else None

    def _on_RiseIdentified(self, e: Any) -> None:
        self.rise_spells.append(RiseSpell(e.effective, e.basis, e.originator_version))

    def _on_RiseAdviserAssigned(self, e: Any) -> None:
        if self.rise is not None:
            self.rise.adviser = e.adviser

    def _on_RisePlanAgreed(self, e: Any) -> None:
        if self.rise is not None:
            self.rise.plan_agreed_on, self.rise.plan_summary = e.effective, e.summary
            self._falls_due_afresh("rise_review:next")  # type: ignore[attr-defined]

    def _on_RiseReviewHeld(self, e: Any) -> None:
        if self.rise is not None:
            self.rise.reviews.append(RiseReview(e.review_id, e.effective, e.notes, e.outcome,
                                                e.originator_version))
            self._falls_due_afresh("rise_review:next")  # type: ignore[attr-defined]

    def _on_RiseExited(self, e: Any) -> None:
        spell = self.rise
        if spell is not None:
            spell.exited_on, spell.exit_reason = e.effective, e.reason


def deadlines(state: Any, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
    """The next RISE review (REVIEW_CADENCE), while the school is in targeted intervention."""
    spell = state.rise
    if spell is None:
        return
    since, version = spell.identified_on, spell.recorded_in
    if spell.plan_agreed_on is not None and spell.plan_agreed_on >= since:
        since = spell.plan_agreed_on
    if spell.reviews and spell.reviews[-1].held_on >= since:
        since, version = spell.reviews[-1].held_on, spell.reviews[-1].recorded_in
    yield ("rise_review", "next", since + timedelta(weeks=policy.rise_review_weeks),
           "Next RISE review", version)


# Commands -----------------------------------------------------------------------------------

class RiseCommands(CaseFileCore):
    def identify_for_rise(self, *, when: Entry, basis: str) -> None:
        """A RISE team identifies the school for targeted intervention (RISE_SCHOOLS,
        ONE_IDENTIFICATION)."""
        state = self._require_open(when)
        school = state.school
        if school.governance not in ("maintained", "academy"):
            RISE_SCHOOLS.refuse(f"RISE targeted intervention is for maintained schools and "
                                f"academies; {school.name} is a {school.governance}")
        if not RISE_SCHOOLS.in_force_on(when.effective):
            RISE_SCHOOLS.refuse("RISE targeted intervention began with the DfE's guidance of "
                                "1 November 2024: enter a date from then")
        if state.rise is not None:
            ONE_IDENTIFICATION.refuse(
                f"The school has been in RISE targeted intervention since "
                f"{long_date(state.rise.identified_on)}: record its exit first")
        require_text("basis", basis)
        self._record(self.RiseIdentified, when=when, basis=basis.strip())

    def _require_in_rise(self, when: Entry, what: str) -> Any:
        state = self._require_open(when)
        spell = state.rise
        if spell is None:
            WHILE_IDENTIFIED.refuse(f"{what} only while the school is in RISE targeted "
                                    "intervention: record its identification first")
        if when.effective < spell.identified_on:
            WHILE_IDENTIFIED.refuse(
                f"The school was identified for RISE on {long_date(spell.identified_on)}: "
                "enter a date from then")
        return spell

    def assign_rise_adviser(self, *, when: Entry, adviser: str) -> None:
        spell = self._require_in_rise(when, "A RISE adviser is recorded")
        require_text("adviser's name", adviser)
        if spell.adviser == one_line(adviser):
            raise CaseFileError(f"{one_line(adviser)} is already the school's RISE adviser")
        self._record(self.RiseAdviserAssigned, when=when, adviser=one_line(adviser))

    def agree_rise_plan(self, *, when: Entry, summary: str) -> None:
        self._require_in_rise(when, "An improvement plan is recorded")
        require_text("summary of the plan", summary)
        self._record(self.RisePlanAgreed, when=when, summary=summary.strip())

    def record_rise_review(self, *, when: Entry, notes: str, outcome: str) -> str:
        self._require_in_rise(when, "A RISE review is recorded")
        require_text("notes", notes)
        require_text("outcome", outcome)
        review_id = f"RR{self._count(self.RiseReviewHeld) + 1}"
        self._record(self.RiseReviewHeld, when=when, review_id=review_id, notes=notes.strip(),
                     outcome=outcome.strip())
        return review_id

    def exit_rise(self, *, when: Entry, reason: str) -> None:
        self._require_in_rise(when, "An exit from RISE is recorded")
        require_text("reason", reason)
        self._record(self.RiseExited, when=when, reason=reason.strip())
