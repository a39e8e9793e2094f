"""Concerns and letters of concern: what the LA raises with a school's headteacher and chair of
governors before (or instead of) a statutory step, and how each was resolved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, require_choice, require_text
from domain.errors import CaseFileError
from domain.rules import Rule
from domain.wording import long_date

TITLE = "Concerns and letters of concern"

CONCERN_GROUNDS = ("standards", "leadership and governance", "safeguarding", "finance", "other")
CONCERN_RECIPIENTS = ("headteacher", "chair of governors")
CONCERN_SOURCES = ("performance data", "Ofsted report", "school visit", "complaint",
                   "financial monitoring", "safeguarding referral", "other")
"""Where a concern came to light: what an auditor asks first about its grounds."""
SOURCE_NOT_RECORDED = "not recorded"
"""The source of a concern raised before scc asked for one (or by a caller that cannot say)."""

CONCERN_DATES = Rule(
    "concern-dates", "A concern is acted on after it is raised",
    "A concern is communicated, set out in a letter of concern, or resolved on or after the "
    "day it was raised: an earlier date is a slip in typing, and would put the entry before "
    "the concern in the school's history.",
    "Common sense: nothing can be done about a concern before it is raised", kind="policy",
)

RULES = (CONCERN_DATES,)


# Entries ------------------------------------------------------------------------------------

class ConcernRaised(CaseFileEvent):
    """Version 2 added ``source``; a version 1 entry reads as source "not recorded"."""

    class_version = 2
    concern_id: str
    ground: str
    source: str
    description: str
    evidence: str
    amendable = ("description", "evidence")

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["source"] = SOURCE_NOT_RECORDED


class ConcernCommunicated(CaseFileEvent):
    concern_id: str
    recipient: str
    note: str
    amendable = ("note",)


class ConcernResolved(CaseFileEvent):
    concern_id: str
    outcome: str
    amendable = ("outcome",)


class LetterOfConcernSent(CaseFileEvent):
    letter_id: str
    recipient: str
    concern_ids: list[str]
    summary: str
    amendable = ("summary",)


# State --------------------------------------------------------------------------------------

@dataclass
class Concern:
    concern_id: str
    ground: str
    description: str
    evidence: str
    raised_on: date
    raised_by: str
    source: str = SOURCE_NOT_RECORDED
    communicated_to: dict[str, date] = field(default_factory=dict)
    resolved_on: date | None = None
    outcome: str | None = None


@dataclass
class Letter:
    letter_id: str
    recipient: str
    concern_ids: list[str]
    summary: str
    sent_on: date


@dataclass
class ConcernsState:
    concerns: dict[str, Concern] = field(default_factory=dict)
    letters: list[Letter] = field(default_factory=list)

    @property
    def open_concerns(self) -> list[Concern]:
        return [c for c in self.concerns.values() if c.resolved_on is None]

    def _on_ConcernRaised(self, e: Any) -> None:
        self.concerns[e.concern_id] = Concern(
            e.concern_id, e.ground, e.description, e.evidence, e.effective, e.by, e.source
        )

    def _on_ConcernCommunicated(self, e: Any) -> None:
        if concern := self.concerns.get(e.concern_id):
            concern.communicated_to[e.recipient] = e.effective

    def _on_ConcernResolved(self, e: Any) -> None:
        if concern := self.concerns.get(e.concern_id):
            concern.resolved_on, concern.outcome = e.effective, e.outcome

    def _on_LetterOfConcernSent(self, e: Any) -> None:
        self.letters.append(Letter(e.letter_id, e.recipient, e.concern_ids, e.summary,
                                   e.effective))


# Commands -----------------------------------------------------------------------------------

class ConcernCommands(CaseFileCore):
    def raise_concern(
        self, *, when: Entry, ground: str, description: str, evidence: str = "",
        source: str = SOURCE_NOT_RECORDED,
    ) -> str:
        self._require_open(when)
        require_choice("ground", ground, CONCERN_GROUNDS)
        require_choice("source", source, (*CONCERN_SOURCES, SOURCE_NOT_RECORDED))
        require_text("description", description)
        concern_id = f"C{self._count(self.ConcernRaised) + 1}"
        self._record(
            self.ConcernRaised, when=when, concern_id=concern_id, ground=ground, source=source,
            description=description.strip(), evidence=evidence.strip(),
        )
        return concern_id

    def communicate_concern(
        self, *, when: Entry, concern_id: str, recipient: str, note: str = ""
    ) -> None:
        concern = self._open_concern(concern_id, when)
        require_choice("recipient", recipient, CONCERN_RECIPIENTS)
        if recipient in concern.communicated_to:
            raise CaseFileError(
                f"Concern {concern_id} was already communicated to the {recipient} on "
                f"{long_date(concern.communicated_to[recipient])}"
            )
        self._record(
            self.ConcernCommunicated, when=when, concern_id=concern_id, recipient=recipient,
            note=note.strip(),
        )

    def resolve_concern(self, *, when: Entry, concern_id: str, outcome: str) -> None:
        self._open_concern(concern_id, when)
        require_text("outcome", outcome)
        self._record(
            self.ConcernResolved, when=when, concern_id=concern_id, outcome=outcome.strip()
        )

    def send_letter_of_concern(
        self, *, when: Entry, concern_ids: list[str], summary: str,
        recipient: str = "chair of governors",
    ) -> str:
        self._require_open(when)
        require_choice("recipient", recipient, CONCERN_RECIPIENTS)
        require_text("summary", summary)
        if not concern_ids:
            raise CaseFileError("A letter of concern must name at least one concern")
        for concern_id in concern_ids:
            self._open_concern(concern_id, when)
        letter_id = f"L{self._count(self.LetterOfConcernSent) + 1}"
        self._record(
            self.LetterOfConcernSent, when=when, letter_id=letter_id, recipient=recipient,
            concern_ids=list(concern_ids), summary=summary.strip(),
        )
        return letter_id

    def _open_concern(self, concern_id: str, when: Entry) -> Concern:
        self._require_after_registration(when)
        concern = self.state.concerns.get(concern_id)
        if concern is None:
            raise CaseFileError(f"There is no concern {concern_id}")
        if concern.resolved_on is not None:
            raise CaseFileError(
                f"Concern {concern_id} was resolved on {long_date(concern.resolved_on)}"
            )
        if when.effective < concern.raised_on:
            CONCERN_DATES.refuse(
                f"Concern {concern_id} was raised on {long_date(concern.raised_on)}: enter a "
                f"date on or after {long_date(concern.raised_on)}", field="effective")
        return concern
