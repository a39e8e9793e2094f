"""Interim executive boards (Education and Inspections Act 2006 s65 and Sch 6): the
application to the Secretary of State, its consultations and consent, the board's members
and its end."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain import dates, personal_data
from domain.areas.core import (
    CaseFileCore,
    CaseFileEvent,
    Entry,
    names,
    require_text,
)
from domain.areas.register import (
    CONSULTEES,
    consultee_named,
    consultees,
    describe_category,
    require_consultee,
)
from domain.errors import CaseFileError
from domain.rules import Rule
from domain.wording import long_date

TITLE = "Interim executive boards"

MIN_IEB_MEMBERS = 2
IEB_CONSULTEES = CONSULTEES
"""s65: the governing body, and for a foundation or voluntary school the appropriate
diocesan authority or the person who appoints foundation governors (register.consultees)."""
TERMS_NOT_RECORDED = "not recorded"
"""The terms of a member appointed before scc recorded the instrument's terms."""

# Rules --------------------------------------------------------------------------------------

IEB_NEEDS_ELIGIBILITY = Rule(
    "s65-eligibility", "An IEB needs eligibility for intervention",
    "An interim executive board may be proposed, and constituted, only while the school is "
    "eligible for intervention; one application at a time.",
    "Education and Inspections Act 2006 s65(1)",
)
IEB_CONSULTATION = Rule(
    "s65-consultation", "Consult before applying for an IEB",
    "Before applying to the Secretary of State, the authority consults everyone the school's "
    "category calls for (consultation-by-category): the governing body; for a Church of "
    "England or Roman Catholic foundation or voluntary school, the diocesan authority; for "
    "any other foundation or voluntary school, the foundation governors' appointer.",
    "Education and Inspections Act 2006 s65",
)
IEB_MINIMUM = Rule(
    "ieb-two-members", "At least two interim executive members",
    "An interim executive board has at least two members.",
    "Education and Inspections Act 2006 Sch 6 para 4(1)",
)
IEB_WRITTEN_INSTRUMENT = Rule(
    "ieb-written-instrument", "Members appointed by written instrument with their terms",
    "Each interim executive member is appointed by an instrument in writing that sets out the "
    "terms of the appointment; the record keeps the instrument's date and each member's terms.",
    "Education and Inspections Act 2006 Sch 6 para 5(1)",
)
IEB_ENDS_WITH_SCHOOL = Rule(
    "ieb-ends-with-school", "The board ends when the school closes or converts",
    "An interim executive board governs a maintained school: when the register records the "
    "school closed, or converted to an academy, the board ends with it.",
    "Education and Inspections Act 2006 s65 and Sch 6",
    unconfirmed="Read from the board's nature as the school's governing body; the paragraph "
                "of Sch 6 on its ending with the school was not found.",
)

RULES = (IEB_NEEDS_ELIGIBILITY, IEB_CONSULTATION, IEB_MINIMUM, IEB_WRITTEN_INSTRUMENT,
         IEB_ENDS_WITH_SCHOOL)


# Entries ------------------------------------------------------------------------------------

class IEBApplicationDrafted(CaseFileEvent):
    application_id: str
    rationale: str
    amendable = ("rationale",)


class IEBConsultationRecorded(CaseFileEvent):
    """``consultee`` is one of register.CONSULTEES; entries recorded before consultation
    followed the school's category say "diocese" or "foundation" (register.consultee_named)."""

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
    """Version 2 added the written instrument's date (``instrument_on``) and each member's
    terms (``terms``, by name, Sch 6 para 5(1)); a version 1 entry has names only: no
    instrument date and terms "not recorded"."""

    class_version = 2
    application_id: str
    members: list[str]
    term_ends_on: date | None
    instrument_on: date | None
    terms: dict[str, str]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["instrument_on"] = None
        state["terms"] = _terms_not_recorded(state, state["members"])


def _terms_not_recorded(state: dict[str, Any], members: list[str]) -> dict[str, str]:
    """Terms "not recorded" by member, for an entry older than terms. Keyed by the members'
    names, so sealed as a whole when the names are sealed (a snapshot stores the upcast
    entry, and a dict's keys are stored as plain text)."""
    terms = {str(name): TERMS_NOT_RECORDED for name in members}
    if any(isinstance(name, personal_data.SEALED_TYPES) for name in members):
        return personal_data.PersonalRecord(terms, case_file=state.get("originator_id"))
    return terms


class IEBMembersChanged(CaseFileEvent):
    """Version 2 added the instrument appointing the new members (``instrument_on``, None if
    members only left) and every member's terms (``terms``); a version 1 entry has names
    only: the members it kept keep the terms recorded before."""

    class_version = 2
    members: list[str]
    reason: str
    instrument_on: date | None
    terms: dict[str, str]
    amendable = ("reason",)

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["instrument_on"] = None
        state["terms"] = _terms_not_recorded(state, state["members"])


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
class IEBMember:
    """An interim executive member: the instrument appointing them and its terms."""

    name: str
    terms: str
    instrument_on: date | None


@dataclass
class IEB:
    application_id: str
    members: list[str]
    starts_on: date
    term_ends_on: date | None
    appointments: list[IEBMember] = field(default_factory=list)
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
            application.consultations[consultee_named(e.consultee)] = e.effective

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
        self.iebs.append(IEB(
            e.application_id, list(e.members), e.effective, e.term_ends_on,
            [IEBMember(name, e.terms.get(name, TERMS_NOT_RECORDED), e.instrument_on)
             for name in e.members],
            recorded_in=e.originator_version))

    def _on_IEBMembersChanged(self, e: Any) -> None:
        if board := self.ieb:
            before = {m.name: m for m in board.appointments}
            board.members = list(e.members)
            board.appointments = [
                before[name] if name in before and (
                    e.terms.get(name, TERMS_NOT_RECORDED) in (TERMS_NOT_RECORDED,
                                                             before[name].terms))
                else IEBMember(name, e.terms.get(name, TERMS_NOT_RECORDED), e.instrument_on)
                for name in e.members
            ]

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
        if set(state.eligibility) == {"warning_notice"}:
            # s60(1)(d): the LA prepares an IEB only if its notice of intervention proposed
            # one; the board is constituted only after that notice's reasonable notice.
            self._require_proposed_with_notice(state, "s65", when,
                                               after_reasonable_notice=False)
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
        """A consultee's response on an application; who is consulted follows the school's
        category (register.consultees)."""
        application = self._ieb_application(application_id, when, "drafted")
        require_consultee(self.state.school, consultee,
                          "applying for an interim executive board (s65)")
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
        school = self.state.school
        missing = [c for c in consultees(school) if c not in application.consultations]
        if missing:
            IEB_CONSULTATION.refuse(
                f"Consult the {' and the '.join(missing)} before applying to the Secretary of "
                f"State (s65): {school.name} is {describe_category(school)}"
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
        instrument_on: date | None, terms: dict[str, str] | str,
        term_ends_on: date | None = None,
    ) -> None:
        """Appoints the board by written instrument setting out each member's terms (Sch 6
        para 5(1)): at least two members (Sch 6 para 4(1)), while the school is eligible for
        intervention (s65(1): "if at any time"). ``terms`` is each member's terms by name, or
        one text when the instrument sets the same terms for all."""
        application = self._ieb_application(application_id, when, "consented")
        if not self.state.eligibility:
            IEB_NEEDS_ELIGIBILITY.refuse(
                "The school is no longer eligible for intervention (s59): the interim "
                "executive board cannot be constituted"
            )
        if set(self.state.eligibility) == {"warning_notice"}:
            self._require_proposed_with_notice(self.state, "s65", when)
        members = names("IEB members", members)
        if len(members) < MIN_IEB_MEMBERS:
            IEB_MINIMUM.refuse(
                f"An interim executive board needs at least {MIN_IEB_MEMBERS} members"
            )
        _require_instrument(instrument_on, when, application.decided_on, "the consent")
        terms = _terms_of(members, terms, members)
        if term_ends_on is not None and term_ends_on <= when.effective:
            raise CaseFileError("The IEB's term must end after it starts")
        if term_ends_on is not None:
            dates.require_planned_date("end of the IEB's term", term_ends_on, when.effective)
        self._record(
            self.IEBConstituted, when=when, application_id=application_id, members=members,
            term_ends_on=term_ends_on, instrument_on=instrument_on, terms=terms,
        )

    def change_ieb_members(
        self, *, when: Entry, members: list[str], reason: str,
        instrument_on: date | None = None, terms: dict[str, str] | str | None = None,
    ) -> None:
        """Changes the members; a new member is appointed by written instrument setting out
        their terms (Sch 6 para 5(1)). ``terms`` is the terms by name, or one text for every
        member who joins; a member who stays keeps the terms recorded unless given new ones
        by name."""
        board = self._require_ieb(when)
        members = names("IEB members", members)
        if len(members) < MIN_IEB_MEMBERS:
            IEB_MINIMUM.refuse(
                f"An interim executive board needs at least {MIN_IEB_MEMBERS} members"
            )
        require_text("reason", reason)
        known = {m.name: m.terms for m in board.appointments}
        joining = [name for name in members if name not in known]
        if isinstance(terms, str) and terms.strip() and not joining:
            raise CaseFileError("No member joins: to change a member's terms, give them by name")
        given = _terms_of(joining if isinstance(terms, str) else members, terms or {}, joining)
        if joining or given:
            _require_instrument(instrument_on, when, board.starts_on,
                                "the board took office")
        elif instrument_on is not None:
            raise CaseFileError("Give an instrument's date only when it appoints a member or "
                                "sets new terms")
        self._record(
            self.IEBMembersChanged, when=when, members=members, reason=reason.strip(),
            instrument_on=instrument_on,
            terms={name: given.get(name) or known.get(name, TERMS_NOT_RECORDED)
                   for name in members},
        )

    def _end_ieb_with_school(self, when: Entry, why: str) -> None:
        """Ends the board in place, if any, with the entry that records the school closed or
        converted (IEB_ENDS_WITH_SCHOOL)."""
        if self.state.ieb is not None:
            self._record(self.IEBEnded, when=when, reason=f"The board ended because {why}")

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


def _require_instrument(instrument_on: date | None, when: Entry, earliest: date | None,
                        earliest_is: str) -> None:
    """The written instrument's date: given, not after the appointment takes effect, and not
    before ``earliest`` (IEB_WRITTEN_INSTRUMENT)."""
    if instrument_on is None:
        IEB_WRITTEN_INSTRUMENT.refuse(
            "Enter the date of the written instrument appointing the members "
            "(Sch 6 para 5(1))"
        )
    if instrument_on > when.effective:
        IEB_WRITTEN_INSTRUMENT.refuse(
            f"The instrument is dated {long_date(instrument_on)}, after the appointment took "
            f"effect on {long_date(when.effective)}: enter the date it was made"
        )
    if earliest is not None and instrument_on < earliest:
        IEB_WRITTEN_INSTRUMENT.refuse(
            f"The instrument is dated {long_date(instrument_on)}, before {earliest_is} on "
            f"{long_date(earliest)}: enter the date it was made"
        )


def _terms_of(members: list[str], terms: dict[str, str] | str,
              needed: list[str]) -> dict[str, str]:
    """Each member's terms as the instrument sets them out, by name: one text for everyone
    in ``members``, or a text for each member, required for those ``needed``
    (IEB_WRITTEN_INSTRUMENT)."""
    if isinstance(terms, str):
        if not terms.strip():
            IEB_WRITTEN_INSTRUMENT.refuse(
                "Enter the terms of appointment the written instrument sets out "
                "(Sch 6 para 5(1))"
            )
        return {name: terms.strip() for name in members}
    strangers = sorted(set(terms) - set(members))
    if strangers:
        raise CaseFileError(
            f"Terms are given for {', '.join(strangers)}, who is not among the members")
    given = {name: str(text).strip() for name, text in terms.items()
             if isinstance(text, str) and text.strip()}
    missing = [name for name in needed if name not in given]
    if missing:
        IEB_WRITTEN_INSTRUMENT.refuse(
            f"Enter the terms of appointment for {', '.join(missing)}, as the written "
            "instrument sets them out (Sch 6 para 5(1))"
        )
    return given
