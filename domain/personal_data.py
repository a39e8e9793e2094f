"""Where a case file holds personal data, and how the hash chain covers it without holding it.

Every field of every entry is classified here (a test fails for a field that is not). A field
that names or reaches a person is stored sealed: encrypted under a key the key store keeps
apart from the log, one key per person in each school's case file and one for the case file's
free text. The hash chain covers a commitment to the value (SHA-256 of a random salt and the
value, the salt sealed with it), never the value itself: once the key is destroyed, the value
and its salt are unreadable wherever the log was copied, and the chain still verifies.

Policy: UK GDPR Article 5(1)(e) (storage limitation) and Article 17 (erasure), as the LA's
retention schedule applies them; Article 15 (subject access) is answered from the same
classification.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

CASE_FILE = None
"""The subject of free text: the case file's own key, destroyed with the case file."""


def person_key(name: str) -> str:
    """How the key store knows a person from a name: one line, case folded."""
    return " ".join(str(name).split()).casefold()


class Personal(str):
    """A value that names or reaches a person, as read from (or about to join) the record.

    ``subject`` is whose key seals it (a person's name, or CASE_FILE); ``commitment`` what
    the hash chain covers; ``sealed`` the stored form it was read from, reused when it is
    stored again (a snapshot), so nothing is encrypted twice."""

    subject: str | None
    case_file: Any
    commitment: str
    salt: bytes
    sealed: Any

    def __new__(cls, value: str = "", *, subject: str | None = CASE_FILE,
                case_file: Any = None, salt: bytes | None = None,
                commitment: str | None = None, sealed: Any = None) -> Personal:
        self = super().__new__(cls, value)
        _set_seal(self, str(value), subject, case_file, salt, commitment, sealed)
        return self

    def __reduce__(self) -> Any:
        return (_whole, (type(self), str(self), *_seal_of(self)))

    def linked(self) -> dict[str, str]:
        return {"personal": self.commitment}


class PersonalRecord(dict):  # type: ignore[type-arg]
    """A structured value sealed whole (an IEB's terms by member, an MSP meeting's actions, a
    draft's arguments): a dict, or a list held under ``"items"`` by ``PersonalList``."""

    subject: str | None
    case_file: Any
    commitment: str
    salt: bytes
    sealed: Any

    def __init__(self, value: Mapping[str, Any] = (), *, subject: str | None = CASE_FILE,
                 case_file: Any = None, salt: bytes | None = None,
                 commitment: str | None = None, sealed: Any = None) -> None:
        super().__init__(value)
        _set_seal(self, value, subject, case_file, salt, commitment, sealed)

    def __reduce__(self) -> Any:
        return (_whole, (type(self), dict(self), *_seal_of(self)))

    def linked(self) -> dict[str, str]:
        return {"personal": self.commitment}


class PersonalList(list):  # type: ignore[type-arg]
    """A list sealed whole (an MSP meeting's actions, each with its owner)."""

    subject: str | None
    case_file: Any
    commitment: str
    salt: bytes
    sealed: Any

    def __init__(self, value: list[Any] = (), *,  # type: ignore[assignment]
                 subject: str | None = CASE_FILE, case_file: Any = None,
                 salt: bytes | None = None, commitment: str | None = None,
                 sealed: Any = None) -> None:
        super().__init__(value)
        _set_seal(self, value, subject, case_file, salt, commitment, sealed)

    def __reduce__(self) -> Any:
        return (_whole, (type(self), list(self), *_seal_of(self)))

    def linked(self) -> dict[str, str]:
        return {"personal": self.commitment}


def _set_seal(obj: Any, value: Any, subject: str | None, case_file: Any,
              salt: bytes | None, commitment: str | None, sealed: Any) -> None:
    obj.subject, obj.case_file, obj.sealed = subject, case_file, sealed
    obj.salt = salt if salt is not None else secrets.token_bytes(16)
    obj.commitment = commitment or commit(obj.salt, plain_bytes(value))


def _seal_of(obj: Any) -> tuple[Any, ...]:
    return obj.subject, obj.case_file, obj.salt, obj.commitment, obj.sealed


def _whole(kind: type, value: Any, subject: str | None, case_file: Any, salt: bytes,
           commitment: str, sealed: Any) -> Any:
    return kind(value, subject=subject, case_file=case_file, salt=salt,
                commitment=commitment, sealed=sealed)


@dataclass(frozen=True)
class Erasure:
    """Why a key is gone: the rule it was destroyed under, and the day."""

    rule: str
    on: date

    @property
    def note(self) -> str:
        return f"[erased under {self.rule} on {self.on.isoformat()}]"


class Erased(str):
    """Where personal data was, once its key was destroyed: the note says under which rule
    and on which day. Its commitment is the one the chain covered, so the chain verifies."""

    commitment: str
    erasure: Erasure
    sealed: Any

    def __new__(cls, erasure: Erasure, commitment: str, sealed: Any = None) -> Erased:
        self = super().__new__(cls, erasure.note)
        self.erasure, self.commitment, self.sealed = erasure, commitment, sealed
        return self

    def __reduce__(self) -> Any:
        return (Erased, (self.erasure, self.commitment, self.sealed))

    def linked(self) -> dict[str, str]:
        return {"personal": self.commitment}


class ErasedRecord(dict):  # type: ignore[type-arg]
    """A structured value whose key was destroyed: empty, with the note."""

    def __init__(self, erasure: Erasure, commitment: str, sealed: Any = None) -> None:
        super().__init__()
        self.erasure, self.commitment, self.sealed = erasure, commitment, sealed

    def __reduce__(self) -> Any:
        return (ErasedRecord, (self.erasure, self.commitment, self.sealed))

    def linked(self) -> dict[str, str]:
        return {"personal": self.commitment}


class ErasedList(list):  # type: ignore[type-arg]
    """A list whose key was destroyed: empty, with the note."""

    def __init__(self, erasure: Erasure, commitment: str, sealed: Any = None) -> None:
        super().__init__()
        self.erasure, self.commitment, self.sealed = erasure, commitment, sealed

    def __reduce__(self) -> Any:
        return (ErasedList, (self.erasure, self.commitment, self.sealed))

    def linked(self) -> dict[str, str]:
        return {"personal": self.commitment}


SEALED_TYPES = (Personal, PersonalRecord, PersonalList, Erased, ErasedRecord, ErasedList)


def erased(value: Any) -> Erasure | None:
    """The erasure behind a value read from the record, if its key was destroyed."""
    return getattr(value, "erasure", None)


def commit(salt: bytes, plain: bytes) -> str:
    return hashlib.sha256(salt + plain).hexdigest()


def plain_bytes(value: Any) -> bytes:
    """A value as it is sealed and committed to: text as UTF-8, anything else as canonical
    JSON (sorted keys, dates in ISO 8601)."""
    if isinstance(value, str):
        return value.encode("utf-8")
    return _JSON.encode(value).encode("utf-8")


def _iso(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be sealed")


_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                         default=_iso)


# The classification --------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How a field holds personal data: ``what`` in words, for the DPO's list."""

    name: str
    what: str
    of: str | None = None

    def __repr__(self) -> str:
        return self.name if self.of is None else f"{self.name}({self.of})"


NOT_PERSONAL = Kind("NOT_PERSONAL", "not personal data")
NAME = Kind("NAME", "a person's name, sealed under that person's key")
NAMES = Kind("NAMES", "people's names, each sealed under that person's key")
TEXT = Kind("TEXT", "free text that may name anyone, sealed under the case file's key")
TEXTS = Kind("TEXTS", "lines of free text, each sealed under the case file's key")
WHOLE = Kind("WHOLE", "a structured value naming people, sealed whole under the case file's key")


def contact_of(field: str) -> Kind:
    """Details of the person named in ``field`` (an email, a login), sealed under their key."""
    return Kind("CONTACT_OF", f"details of the person named in {field}, sealed under "
                "their key", of=field)


EVERY_ENTRY: dict[str, Kind] = {
    "originator_id": NOT_PERSONAL, "originator_version": NOT_PERSONAL,
    "originator_topic": NOT_PERSONAL, "id": NOT_PERSONAL, "timestamp": NOT_PERSONAL,
    "effective": NOT_PERSONAL, "link": NOT_PERSONAL,
    "by": NAME,  # who recorded the entry
    "actor": contact_of("by"),  # their account and email, or their login on the server
}
"""The fields every entry has."""

ENTRIES: dict[str, dict[str, Kind]] = {
    # The register: facts about the school from GIAS, and its consultations.
    "Registered": {
        "urn": NOT_PERSONAL, "name": NOT_PERSONAL, "phase": NOT_PERSONAL,
        "establishment_type": NOT_PERSONAL, "governance": NOT_PERSONAL,
        "la_code": NOT_PERSONAL, "pupils": NOT_PERSONAL, "opened_on": NOT_PERSONAL,
        "closed_on": NOT_PERSONAL, "religious_character": NOT_PERSONAL,
        "predecessor_urn": NOT_PERSONAL, "register_extract_on": NOT_PERSONAL},
    "DetailsChanged": {"changes": NOT_PERSONAL},  # the register's facts only
    "SuccessorLinked": {"successor_urn": NOT_PERSONAL},
    "SchoolLinked": {"link_urn": NOT_PERSONAL, "link_name": NOT_PERSONAL,
                     "link_type": NOT_PERSONAL, "relation": NOT_PERSONAL,
                     "established_on": NOT_PERSONAL},
    "ArrangementsConsultationRecorded": {"consultee": NOT_PERSONAL, "response": TEXT},
    # Concerns
    "ConcernRaised": {"concern_id": NOT_PERSONAL, "ground": NOT_PERSONAL,
                      "source": NOT_PERSONAL,  # a choice: Ofsted, the school, a complaint...
                      "description": TEXT, "evidence": TEXT},
    "ConcernCommunicated": {"concern_id": NOT_PERSONAL, "recipient": NOT_PERSONAL,  # a role
                            "note": TEXT},
    "ConcernResolved": {"concern_id": NOT_PERSONAL, "outcome": TEXT},
    "LetterOfConcernSent": {"letter_id": NOT_PERSONAL, "recipient": NOT_PERSONAL,  # a role
                            "concern_ids": NOT_PERSONAL, "summary": TEXT},
    # Warning notices
    "WarningNoticeIssued": {
        "notice_id": NOT_PERSONAL, "issuer": NOT_PERSONAL, "section": NOT_PERSONAL,
        "grounds": NOT_PERSONAL, "matters": TEXT, "required_actions": TEXT,
        "compliance_period": NOT_PERSONAL, "compliance_date": NOT_PERSONAL,
        "minded_action": TEXT, "copies_to": TEXTS, "comply_by_date": NOT_PERSONAL,
        "copies_missing": NOT_PERSONAL},
    "ComplianceRecorded": {"notice_id": NOT_PERSONAL, "complied": NOT_PERSONAL,
                           "evidence": TEXT},
    "WarningNoticeWithdrawn": {"notice_id": NOT_PERSONAL, "reason": TEXT},
    "WarningNoticeSuperseded": {"notice_id": NOT_PERSONAL, "superseded_by": NOT_PERSONAL},
    "RepresentationsToOfstedMade": {"notice_id": NOT_PERSONAL, "summary": TEXT},
    "OfstedDecisionOnNotice": {"notice_id": NOT_PERSONAL, "confirmed": NOT_PERSONAL,
                               "details": TEXT},
    "InterventionNoticeGiven": {"notice_id": NOT_PERSONAL, "proposed_action": TEXT,
                                "proposed_powers": NOT_PERSONAL, "powers_from": NOT_PERSONAL},
    # Eligibility, coasting, academy orders
    "BecameEligible": {"route": NOT_PERSONAL, "basis": TEXT},
    "EligibilityCeased": {"route": NOT_PERSONAL, "reason": TEXT},
    "PowerExercised": {"power_id": NOT_PERSONAL, "power": NOT_PERSONAL, "details": TEXT},
    "CoastingNotified": {"notified_on": NOT_PERSONAL, "regulations": NOT_PERSONAL,
                         "basis": TEXT},
    "CoastingEnded": {"how": NOT_PERSONAL, "reason": TEXT},
    "AcademyOrderMade": {"order_id": NOT_PERSONAL, "basis": NOT_PERSONAL,
                         "reference": NOT_PERSONAL},
    "AcademyOrderRevoked": {"order_id": NOT_PERSONAL, "reason": TEXT},
    # Interim executive boards
    "IEBApplicationDrafted": {"application_id": NOT_PERSONAL, "rationale": TEXT},
    "IEBConsultationRecorded": {"application_id": NOT_PERSONAL, "consultee": NOT_PERSONAL,
                                "response": TEXT},
    "IEBApplicationSubmitted": {"application_id": NOT_PERSONAL},
    "IEBConsentGiven": {"application_id": NOT_PERSONAL},
    "IEBConsentRefused": {"application_id": NOT_PERSONAL, "reason": TEXT},
    "IEBConstituted": {"application_id": NOT_PERSONAL, "members": NAMES,
                       "term_ends_on": NOT_PERSONAL, "instrument_on": NOT_PERSONAL,
                       "terms": WHOLE},  # each member's terms, by their name
    "IEBMembersChanged": {"members": NAMES, "reason": TEXT, "instrument_on": NOT_PERSONAL,
                          "terms": WHOLE},
    "IEBEnded": {"reason": TEXT},
    # MSP groups
    "MSPGroupEstablished": {"members": NAMES, "cadence_weeks": NOT_PERSONAL},
    "MSPMeetingScheduled": {"meeting_id": NOT_PERSONAL, "meets_on": NOT_PERSONAL},
    "MSPMeetingMoved": {"meeting_id": NOT_PERSONAL, "meets_on": NOT_PERSONAL,
                        "reason": TEXT},
    "MSPMeetingCancelled": {"meeting_id": NOT_PERSONAL, "reason": TEXT},
    "MSPMeetingHeld": {"meeting_id": NOT_PERSONAL, "attendees": NAMES, "minutes": TEXT,
                       "actions": WHOLE},  # each with its owner's name and email
    "MSPActionCompleted": {"action_id": NOT_PERSONAL, "note": TEXT},
    "MSPGroupClosed": {"reason": TEXT},
    # Categories and inspections
    "CategoryChanged": {"scheme": NOT_PERSONAL, "from_category": NOT_PERSONAL,
                        "to_category": NOT_PERSONAL, "reason": TEXT, "evidence": TEXT},
    "CategoryReviewed": {"category": NOT_PERSONAL, "reason": TEXT},
    "InspectionRecorded": {
        "inspection_id": NOT_PERSONAL, "inspected_on": NOT_PERSONAL,
        "framework": NOT_PERSONAL, "overall": NOT_PERSONAL, "category": NOT_PERSONAL,
        "report_card": NOT_PERSONAL, "safeguarding": NOT_PERSONAL,
        "received_on": NOT_PERSONAL},
    "StatementOfActionSent": {"inspection_id": NOT_PERSONAL, "summary": TEXT},
    # RISE
    "RiseIdentified": {"basis": TEXT},
    "RiseAdviserAssigned": {"adviser": NAME},
    "RisePlanAgreed": {"summary": TEXT},
    "RiseReviewHeld": {"review_id": NOT_PERSONAL, "notes": TEXT, "outcome": TEXT},
    "RiseExited": {"reason": TEXT},
    # Oversight
    "CaseworkerAssigned": {"name": NAME, "email": contact_of("name")},
    "VisitRecorded": {"visit_id": NOT_PERSONAL, "kind": NOT_PERSONAL, "notes": TEXT},
    # Sign-off: a draft holds the arguments of the step it drafts, names included
    "StepDrafted": {"draft_id": NOT_PERSONAL, "step": NOT_PERSONAL, "arguments": WHOLE,
                    "reason": TEXT, "takes_effect": NOT_PERSONAL},
    "DraftReturned": {"draft_id": NOT_PERSONAL, "reason": TEXT},
    "StepRedrafted": {"draft_id": NOT_PERSONAL, "arguments": WHOLE, "reason": TEXT,
                      "takes_effect": NOT_PERSONAL},
    "DraftApproved": {"draft_id": NOT_PERSONAL, "made": NOT_PERSONAL},
    "DraftWithdrawn": {"draft_id": NOT_PERSONAL, "reason": TEXT},
    # Tasks
    "TaskSet": {"task_id": NOT_PERSONAL, "what": TEXT, "owner_name": NAME,
                "owner_email": contact_of("owner_name"), "due": NOT_PERSONAL},
    "TaskReassigned": {"task_id": NOT_PERSONAL, "owner_name": NAME,
                       "owner_email": contact_of("owner_name")},
    "TaskDone": {"task_id": NOT_PERSONAL, "note": TEXT},
    # Letters and evidence: the files themselves are sealed with the case file's key too
    "LetterProduced": {
        "document_id": NOT_PERSONAL, "kind": NOT_PERSONAL, "rests_on": NOT_PERSONAL,
        "recipient": NOT_PERSONAL, "template": NOT_PERSONAL, "template_version": NOT_PERSONAL,
        "sha256": NOT_PERSONAL, "file_name": TEXT, "media_type": NOT_PERSONAL,
        "size": NOT_PERSONAL, "signed_by": NAME},
    "SentVersionAttached": {
        "document_id": NOT_PERSONAL, "produced_sha256": NOT_PERSONAL, "sha256": NOT_PERSONAL,
        "file_name": TEXT, "media_type": NOT_PERSONAL, "size": NOT_PERSONAL, "note": TEXT},
    "EvidenceAttached": {
        "document_id": NOT_PERSONAL, "to_entry": NOT_PERSONAL, "description": TEXT,
        "sha256": NOT_PERSONAL, "file_name": TEXT, "media_type": NOT_PERSONAL,
        "size": NOT_PERSONAL},
    # Deadlines and reminders
    "DeadlineExtended": {"key": NOT_PERSONAL, "due": NOT_PERSONAL, "reason": TEXT},
    "DeadlineSuspended": {"key": NOT_PERSONAL, "reason": TEXT},
    "DeadlineResumed": {"key": NOT_PERSONAL, "reason": TEXT},
    "ReminderSent": {"key": NOT_PERSONAL, "due": NOT_PERSONAL,
                     "working_days_before": NOT_PERSONAL},
    "DeadlinePassed": {"key": NOT_PERSONAL, "due": NOT_PERSONAL},
    # Corrections: an amendment holds the reworded free text
    "EntryRetracted": {"version": NOT_PERSONAL, "reason": TEXT},
    "EntryAmended": {"version": NOT_PERSONAL, "changes": WHOLE, "reason": TEXT},
    # Erasure itself: what was erased and why, never the content
    "PersonalDataErased": {"rule": NOT_PERSONAL, "keys": NOT_PERSONAL,
                           "destruction": NOT_PERSONAL, "what": NOT_PERSONAL},
}
"""Each kind of entry's own fields, as the classification a DPO reads."""


def classification(entry_name: str) -> dict[str, Kind]:
    """Every field of an entry of this kind (``SchoolCaseFile.X`` or ``X``) and its kind."""
    return {**EVERY_ENTRY, **ENTRIES[entry_name.rpartition(".")[2]]}


_PERSONAL: dict[str, tuple[tuple[str, Kind], ...]] = {
    name: tuple((f, k) for f, k in {**EVERY_ENTRY, **fields}.items() if k is not NOT_PERSONAL)
    for name, fields in ENTRIES.items()
}


def personal_fields(entry_name: str) -> tuple[tuple[str, Kind], ...]:
    """The fields of this kind of entry that hold personal data, with their kinds."""
    return _PERSONAL[entry_name.rpartition(".")[2]]


def seal_fields(entry_name: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with each personal value wrapped for sealing under its subject's key: done
    as an entry is recorded, before its link is computed over the commitments."""
    case_file = fields.get("originator_id")
    for field, kind in personal_fields(entry_name):
        value = fields.get(field)
        if value is None or value == "" or value == [] or value == {}:
            continue  # nothing about anyone to seal
        if isinstance(value, SEALED_TYPES):
            continue
        if kind is NAME:
            fields[field] = Personal(value, subject=person_key(value), case_file=case_file)
        elif kind is NAMES:
            fields[field] = [Personal(v, subject=person_key(v), case_file=case_file) if v else v
                            for v in value]
        elif kind is TEXT:
            fields[field] = Personal(value, case_file=case_file)
        elif kind is TEXTS:
            fields[field] = [Personal(v, case_file=case_file) if v else v for v in value]
        else:  # whole values: under the case file's key, or the key of the person named
            named = fields.get(kind.of) if kind.of else None
            subject = person_key(named) if named else CASE_FILE
            if isinstance(value, str):
                fields[field] = Personal(value, subject=subject, case_file=case_file)
            elif isinstance(value, Mapping):
                fields[field] = PersonalRecord(value, subject=subject, case_file=case_file)
            else:
                fields[field] = PersonalList(value, subject=subject, case_file=case_file)
    return fields
