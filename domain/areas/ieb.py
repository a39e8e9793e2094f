"""Interim executive boards (Education and Inspections Act 2006 s65 and Sch 6): the
application to the Secretary of State, its consultations and consent, the board's members
and its end."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain import dates
from domain.areas.core import (
    CaseFileCore,
    CaseFileEvent,
    Entry,
    names,
    require_choice,
    require_text,
)
from domain.areas.register import NO_RELIGIOUS_CHARACTER
from domain.errors import CaseFileError
from domain.rules import Rule

TITLE = "Interim executive boards"

MIN_IEB_MEMBERS = 2
IEB_CONSULTEES = ("governing body", "diocese", "foundation")
"""s65: the governing body, and for a foundation or voluntary school the appropriate
diocesan authority or the person who appoints foundation governors, must be consulted."""

# Rules --------------------------------------------------------------------------------------

IEB_NEEDS_ELIGIBILITY = Rule(
    "s65-eligibility", "An IEB needs eligibility for intervention",
    "An interim executive board may be proposed, and constituted, only while the school is "
    "eligible for intervention; one application at a time.",
    "Education and Inspections Act 2006 s65(1)",
)
IEB_CONSULTATION = Rule(
    "s65-consultation", "Consult before applying for an IEB",
    "Before applying to the Secretary of State, the authority consults the governing body and, "
    "for a school with a religious character, the diocese or the foundation.",
    "Education and Inspections Act 2006 s65",
)
IEB_MINIMUM = Rule(
    "ieb-two-members", "At least two interim executive members",
    "An interim executive board has at least two members.",
    "Education and Inspections Act 2006 Sch 6 para 1",
)

RULES = (IEB_NEEDS_ELIGIBILITY, IEB_CONSULTATION, IEB_MINIMUM)


# Entries ------------------------------------------------------------------------------------

class IEBApplicationDrafted(CaseFileEvent):
    application_id: str
    rationale: str
    amendable = ("rationale",)


class IEBConsultationRecorded(CaseFileEvent):
    application_id: str
    consultee: str
    response: str
    amendable = ("response",)


class IEBApplicationSubmitted(CaseFileEvent):
    application_id: str


class IEBConsentGiven(CaseFileEvent):
    application_id: str


class IEBConsentRefused(CaseFileEvent):
    application_id: str
    reason: str
    amendable = ("reason",)


class IEBConstituted(CaseFileEvent):
    application_id: str
    members: list[str]
    term_ends_on: date | None


class IEBMembersChanged(CaseFileEvent):
    members: list[str]
    reason: str
    amendable = ("reason",)


class IEBEnded(CaseFileEvent):
    reason: str
    amendable = ("reason",)


# State --------------------------------------------------------------------------------------

@dataclass
class IEBApplication:
    application_id: str
    rationale: str
    drafted_on: date
    stage: str = "drafted"  # drafted, submitted, consented, refused, constituted
    consultations: dict[str, date] = field(default_factory=dict)
    submitted_on: date | None = None
    decided_on: date | None = None
    refusal_reason: str | None = None
    recorded_in: int = 0


@dataclass
class IEB:
    application_id: str
    members: list[str]
    starts_on: date
    term_ends_on: date | None
    ended_on: date | None = None
    end_reason: str | None = None
    recorded_in: int = 0


@dataclass
class IEBState:
    ieb_applications: dict[str, IEBApplication] = field(default_factory=dict)
    iebs: list[IEB] = field(default_factory=list)

    @property
    def ieb(self) -> IEB | None:
        return next((b for b in self.iebs if b.ended_on is None), None)

    @property
    def ieb_application_in_progress(self) -> IEBApplication | None:
        return next(
            (a for a in self.ieb_applications.values()
             if a.stage in ("drafted", "submitted", "consented")),
            None,
        )

    def _on_IEBApplicationDrafted(self, e: Any) -> None:
        self.ieb_applications[e.application_id] = IEBApplication(
            e.application_id, e.rationale, e.effective, recorded_in=e.originator_version
        )

    def _on_IEBConsultationRecorded(self, e: Any) -> None:
        if application := self.ieb_applications.get(e.application_id):
            application.consultations[e.consultee] = e.effective

    def _on_IEBApplicationSubmitted(self, e: Any) -> None:
        if application := self.ieb_applications.get(e.application_id):
            application.stage, application.submitted_on = "submitted", e.effective

    def _on_IEBConsentGiven(self, e: Any) -> None:
        if application := self.ieb_applications.get(e.application_id):
            application.stage, application.decided_on = "consented", e.effective

    def _on_IEBConsentRefused(self, e: Any) -> None:
        if application := self.ieb_applications.get(e.application_id):
            application.stage, application.decided_on = "refused", e.effective
            application.refusal_reason = e.reason

    def _on_IEBConstituted(self, e: Any) -> None:
        if application := self.ieb_applications.get(e.application_id):
            application.stage = "constituted"
        self.iebs.append(IEB(e.application_id, list(e.members), e.effective, e.term_ends_on,
                             recorded_in=e.originator_version))

    def _on_IEBMembersChanged(self, e: Any) -> None:
        if board := self.ieb:
            board.members = list(e.members)

    def _on_IEBEnded(self, e: Any) -> None:
        if board := self.ieb:
            board.ended_on, board.end_reason = e.effective, e.reason


def deadlines(state: Any, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
    """The end of a board's term, and chasing the Secretary of State on an application
    (local policy: ieb_chase_weeks)."""
    if (board := state.ieb) and board.term_ends_on:
        yield ("ieb_term_ends", board.application_id, board.term_ends_on,
               "The interim executive board's term ends", board.recorded_in)
    for application in state.ieb_applications.values():
        if application.stage == "submitted" and application.submitted_on:
            yield ("ieb_chase", application.application_id,
                   application.submitted_on + timedelta(weeks=policy.ieb_chase_weeks),
                   f"Chase the Secretary of State on IEB application "
                   f"{application.application_id}", application.recorded_in)


# Commands -----------------------------------------------------------------------------------

class IEBCommands(CaseFileCore):
    def draft_ieb_application(self, *, when: Entry, rationale: str) -> str:
        state = self._require_maintained(when, "An interim executive board")
        if not state.eligibility:
            IEB_NEEDS_ELIGIBILITY.refuse(
                "The school is not eligible for intervention (s59): an interim executive "
                "board cannot be proposed"
            )
        if state.ieb is not None:
            raise CaseFileError("An interim executive board is already in place")
        if state.ieb_application_in_progress is not None:
            IEB_NEEDS_ELIGIBILITY.refuse(
                f"IEB application {state.ieb_application_in_progress.application_id} is "
                f"already {state.ieb_application_in_progress.stage}"
            )
        require_text("rationale", rationale)
        application_id = f"IEB{self._count(self.IEBApplicationDrafted) + 1}"
        self._record(
            self.IEBApplicationDrafted, when=when, application_id=application_id,
            rationale=rationale.strip(),
        )
        return application_id

    def record_ieb_consultation(
        self, *, when: Entry, application_id: str, consultee: str, response: str
    ) -> None:
        application = self._ieb_application(application_id, when, "drafted")
        require_choice("consultee", consultee, IEB_CONSULTEES)
        if consultee in application.consultations:
            raise CaseFileError(f"The {consultee} was already consulted on {application_id}")
        require_text("response", response)
        self._record(
            self.IEBConsultationRecorded, when=when, application_id=application_id,
            consultee=consultee, response=response.strip(),
        )

    def submit_ieb_application(self, *, when: Entry, application_id: str) -> None:
        """Applies to the Secretary of State for consent, after the s65 consultations."""
        application = self._ieb_application(application_id, when, "drafted")
        missing = ["governing body"] if "governing body" not in application.consultations else []
        religious = (self.state.school.religious_character or "").strip().casefold()
        if religious not in NO_RELIGIOUS_CHARACTER and not (
            {"diocese", "foundation"} & set(application.consultations)
        ):
            missing.append("diocese or foundation")
        if missing:
            IEB_CONSULTATION.refuse(
                f"Consult the {' and the '.join(missing)} before applying to the Secretary of "
                "State (s65)"
            )
        self._record(self.IEBApplicationSubmitted, when=when, application_id=application_id)

    def record_ieb_decision(
        self, *, when: Entry, application_id: str, consent: bool, reason: str = ""
    ) -> None:
        self._ieb_application(application_id, when, "submitted")
        if consent:
            self._record(self.IEBConsentGiven, when=when, application_id=application_id)
        else:
            require_text("reason for refusal", reason)
            self._record(
                self.IEBConsentRefused, when=when, application_id=application_id,
                reason=reason.strip(),
            )

    def constitute_ieb(
        self, *, when: Entry, application_id: str, members: list[str],
        term_ends_on: date | None = None,
    ) -> None:
        """Appoints the board by written instrument: at least two members (Sch 6),
        while the school is eligible for intervention (s65(1): "if at any time")."""
        self._ieb_application(application_id, when, "consented")
        if not self.state.eligibility:
            IEB_NEEDS_ELIGIBILITY.refuse(
                "The school is no longer eligible for intervention (s59): the interim "
                "executive board cannot be constituted"
            )
        members = names("IEB members", members)
        if len(members) < MIN_IEB_MEMBERS:
            IEB_MINIMUM.refuse(
                f"An interim executive board needs at least {MIN_IEB_MEMBERS} members"
            )
        if term_ends_on is not None and term_ends_on <= when.effective:
            raise CaseFileError("The IEB's term must end after it starts")
        if term_ends_on is not None:
            dates.require_planned_date("end of the IEB's term", term_ends_on, when.effective)
        self._record(
            self.IEBConstituted, when=when, application_id=application_id, members=members,
            term_ends_on=term_ends_on,
        )

    def change_ieb_members(self, *, when: Entry, members: list[str], reason: str) -> None:
        self._require_ieb(when)
        members = names("IEB members", members)
        if len(members) < MIN_IEB_MEMBERS:
            IEB_MINIMUM.refuse(
                f"An interim executive board needs at least {MIN_IEB_MEMBERS} members"
            )
        require_text("reason", reason)
        self._record(self.IEBMembersChanged, when=when, members=members, reason=reason.strip())

    def end_ieb(self, *, when: Entry, reason: str) -> None:
        self._require_ieb(when)
        require_text("reason", reason)
        self._record(self.IEBEnded, when=when, reason=reason.strip())

    def _ieb_application(self, application_id: str, when: Entry, stage: str) -> IEBApplication:
        self._require_after_registration(when)
        application = self.state.ieb_applications.get(application_id)
        if application is None:
            raise CaseFileError(f"There is no IEB application {application_id}")
        if application.stage != stage:
            raise CaseFileError(
                f"IEB application {application_id} is {application.stage}, not {stage}"
            )
        return application

    def _require_ieb(self, when: Entry) -> IEB:
        self._require_after_registration(when)
        if self.state.ieb is None:
            raise CaseFileError("No interim executive board is in place")
        return self.state.ieb
