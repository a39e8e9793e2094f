"""Corrections: an entry recorded in error is retracted, or its wording amended, by a later
entry; nothing in the log is ever edited. What rests on an entry must be retracted first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, require_text
from domain.errors import CaseFileError
from domain.rules import Rule

TITLE = "Corrections"

APPEND_ONLY = Rule(
    "append-only", "The record is corrected, never edited",
    "An entry recorded in error is retracted or reworded by a later entry giving the reason; "
    "the original stays in the log. An entry that later entries rest on can be retracted only "
    "after them, and only the wording an entry's kind marks amendable can be amended.",
    "Local policy (audit)", kind="policy",
)

SCC_OWN_ENTRIES = Rule(
    "scc-own-entries", "What scc recorded itself stands",
    "A reminder sent and a due date passing are recorded by scc itself, on the day they "
    "happen: they say what scc did, and no one retracts or amends them. A deadline that was "
    "wrong is put right where it comes from: the deadline is extended or suspended, or the "
    "entry it rests on is corrected.",
    "Local policy (audit)", kind="policy",
)

RULES = (APPEND_ONLY, SCC_OWN_ENTRIES)

RECORDED_BY_SCC = ("ReminderSent", "DeadlinePassed")
"""The kinds of entry only scc itself records (``reminders.record_firing``)."""


def recorded_by_scc(entry: Any) -> bool:
    """Whether scc itself recorded the entry (SCC_OWN_ENTRIES): a reminder or a passing, or
    any entry whose recorder is scc's own process."""
    actor = getattr(entry, "actor", None) or {}
    return type(entry).__name__ in RECORDED_BY_SCC or "system" in actor

CORRECTIONS = ("EntryRetracted", "EntryAmended")


class EntryRetracted(CaseFileEvent):
    version: int
    reason: str


class EntryAmended(CaseFileEvent):
    version: int
    changes: dict[str, Any]
    reason: str


@dataclass
class Correction:
    kind: str  # "retracted" or "amended"
    by_version: int
    reason: str
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class CorrectionsState:
    corrections: dict[int, list[Correction]] = field(default_factory=dict)

    @property
    def retracted(self) -> set[int]:
        return {v for v, cs in self.corrections.items() if any(c.kind == "retracted" for c in cs)}


DERIVED_ENTRIES = ("BecameEligible", "EligibilityCeased", "WarningNoticeSuperseded", "IEBEnded")
"""Entries a command records as a consequence of its main entry (an IEB ends when the register
records the school closed or converted; ``end_ieb`` records one on its own too)."""

ENTRIES_ABOUT_A_BODY = {
    "MSPGroupEstablished": ("MSPMeetingScheduled", "MSPMeetingMoved", "MSPMeetingCancelled",
                            "MSPMeetingHeld", "MSPActionCompleted", "MSPGroupClosed"),
    "IEBConstituted": ("IEBMembersChanged", "IEBEnded"),
}
"""What is recorded about an MSP group or an IEB rests on the entry that set it up."""


def entry_subject(event: Any) -> str | None:
    """The item an entry is about (a notice, a concern, a meeting...), for corrections."""
    for name in ("notice_id", "concern_id", "application_id", "meeting_id", "action_id",
                 "document_id"):
        value = getattr(event, name, None)
        if value is not None:
            return f"{name}:{value}"
    return None


def rests_on(later: Any, entry: Any) -> bool:
    """Whether a later entry is about the same item as ``entry``, or about an action its
    meeting set, or cites the concern it raised."""
    key = entry_subject(entry)
    if key is not None and entry_subject(later) == key:
        return True
    if entry.originator_version in (getattr(later, "rests_on", None),
                                    getattr(later, "to_entry", None)):
        return True
    if getattr(later, "action_id", None) in {a["action_id"] for a in getattr(entry, "actions", ())}:
        return True
    return type(entry).__name__ == "ConcernRaised" and entry.concern_id in getattr(
        later, "concern_ids", ()
    )


class CorrectionCommands(CaseFileCore):
    def retract_entry(self, *, when: Entry, version: int, reason: str) -> None:
        """Withdraws an entry recorded in error; the entry stays in the log, marked retracted."""
        self._require_after_registration(when)
        entry = self._correctable(version, reason)
        later = self._resting_on(entry)
        if later:
            APPEND_ONLY.refuse(
                f"Entry {version} has later entries that rest on it "
                f"({', '.join(str(e.originator_version) for e in later)}); retract those first"
            )
        self._record(self.EntryRetracted, when=when, version=version, reason=reason.strip())

    def amend_entry(
        self, *, when: Entry, version: int, changes: dict[str, Any], reason: str
    ) -> None:
        """Corrects the wording of an entry; what it decided stays as recorded."""
        self._require_after_registration(when)
        entry = self._correctable(version, reason)
        amendable = type(entry).amendable
        wrong = sorted(set(changes) - set(amendable))
        if not changes:
            raise CaseFileError("Say what to change")
        if wrong:
            APPEND_ONLY.refuse(
                f"{', '.join(wrong)} cannot be amended on a {type(entry).__name__} entry; "
                f"retract it and record it again"
                + (f" (amendable: {', '.join(amendable)})" if amendable else "")
            )
        self._record(
            self.EntryAmended, when=when, version=version,
            changes={k: str(v).strip() for k, v in changes.items()}, reason=reason.strip(),
        )

    def _correctable(self, version: int, reason: str) -> CaseFileEvent:
        if not 1 <= version <= len(self._entries):
            raise CaseFileError(f"There is no entry {version} in this case file")
        entry = self._entries[version - 1]
        if version == 1:
            raise CaseFileError("The registration entry cannot be corrected; change the details")
        if isinstance(entry, (self.EntryRetracted, self.EntryAmended)):
            raise CaseFileError(f"Entry {version} is itself a correction")
        if version in self.state.retracted:
            raise CaseFileError(f"Entry {version} was already retracted")
        if recorded_by_scc(entry):
            SCC_OWN_ENTRIES.refuse(
                f"Entry {version} was recorded by scc itself and stands as it is; to change "
                "the deadline it is about, extend or suspend the deadline")
        require_text("reason", reason)
        return entry

    def _resting_on(self, entry: CaseFileEvent) -> list[CaseFileEvent]:
        """The standing later entries that depend on ``entry``: about the same item, derived
        from it by the same command, or recorded about its MSP group or IEB while it stood."""
        version = entry.originator_version
        retracted = self.state.retracted
        later = [
            e for e in self._entries[version:]
            if e.originator_version not in retracted
            and not isinstance(e, (self.EntryRetracted, self.EntryAmended))
        ]
        resting = {e.originator_version: e for e in later if rests_on(e, entry)}
        if type(entry).__name__ not in DERIVED_ENTRIES:
            # One command records what follows from its entry (eligibility, a superseded
            # notice) straight after it, with the same recorded time.
            for e in self._entries[version:]:
                if type(e).__name__ not in DERIVED_ENTRIES or e.timestamp != entry.timestamp:
                    break
                if e.originator_version not in retracted:
                    resting[e.originator_version] = e
        for e in later:
            if type(e) is type(entry):
                break  # the next group or board
            if type(e).__name__ in ENTRIES_ABOUT_A_BODY.get(type(entry).__name__, ()):
                resting[e.originator_version] = e
        return [resting[v] for v in sorted(resting)]
