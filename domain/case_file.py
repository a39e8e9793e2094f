"""A school's case file: one append-only stream per school, its events and the rules.

Rules are checked in the command methods, when something is recorded, and never in the events:
replaying an old stream must not fail because local policy or a rule changed since.
"""

from __future__ import annotations

import re
from dataclasses import field
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, Snapshot

from domain import chain, dates, statute
from domain.calendar import WorkingDayCalendar
from domain.categories import CategoryScheme
from domain.deadlines import PASSED, Deadline, Firing, find, pending_firings
from domain.errors import CaseFileError
from domain.identity import Recorder
from domain.ofsted import check_judgement, eligibility_route
from domain.status import CaseFileState, fold
from domain.wording import long_date

GOVERNANCE = ("maintained", "academy", "pupil referral unit")
"""A pupil referral unit is not a school of s59(1): the LA keeps its case file, but the
intervention powers are for maintained schools only."""
CONCERN_GROUNDS = ("standards", "leadership and governance", "safeguarding", "finance", "other")
CONCERN_RECIPIENTS = ("headteacher", "chair of governors")
CONCERN_SOURCES = ("performance data", "Ofsted report", "school visit", "complaint",
                   "financial monitoring", "safeguarding referral", "other")
"""Where a concern came to light: what an auditor asks first about its grounds."""
MOST_PUPILS = 100_000
"""A bound on a school's roll far past any real school's, so that a slip of the keyboard is
refused before it reaches the pupil counts of every report (which must fit the stores'
integer columns)."""
SOURCE_NOT_RECORDED = "not recorded"
"""The source of a concern raised before scc asked for one (or by a caller that cannot say)."""
VISIT_KINDS = ("school improvement", "monitoring")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
NO_RELIGIOUS_CHARACTER = ("", "none", "does not apply", "not applicable")


AREAS = (statute,)
"""The areas a case file is made of (provisional: the reshape moves each into a module)."""


def case_file_id(urn: int) -> UUID:
    """A school's stream id, derived from its URN so that it can be found without an index."""
    return uuid5(NAMESPACE_URL, f"https://scc.invalid/schools/{int(urn)}")


class FiringNotDue(CaseFileError):
    """A reminder or passing that is no longer due, or was already recorded."""


class SchoolCaseFile(Aggregate):
    """Everything the LA recorded about one school, in the order it was recorded."""

    def __init__(self) -> None:
        self._entries: list[SchoolCaseFile.Event] = []

    class Event(Aggregate.Event):
        """Every entry says when it took effect (maybe backdated) and who recorded it: ``by``
        is their name at the time, ``actor`` who they were (``domain.identity.Recorder``),
        both inside the hashed content. Entries recorded before ``actor`` was have none: they
        are read, and their links checked, exactly as they were stored."""

        effective: date
        by: str
        link: str  # this entry's link in the school's hash chain (domain.chain)
        actor: dict[str, Any] | None = field(default=None, kw_only=True)
        amendable: ClassVar[tuple[str, ...]] = ()

        def apply(self, aggregate: SchoolCaseFile) -> None:
            aggregate._take(self)

    class Snapshot(Snapshot):
        """The entries, compactly: their name and fields, less the stream id they share, with
        the version of the entry's class when it is above 1 (as the stored entries carry it).

        A snapshot taken before an entry class changed holds that entry in its old shape: it
        is upcast here by the class's own ``upcast_vN_vN+1`` methods, as a stored entry is."""

        @classmethod
        def take(cls, aggregate: Any) -> Any:
            snapshot = super().take(aggregate)
            snapshot.state.pop("_state", None)  # derived, rebuilt on first use
            snapshot.state["_entries"] = [[type(e).__name__, _snapshot_fields(e)]
                                          for e in aggregate._entries]
            return snapshot

        def mutate(self, _: None) -> Any:
            aggregate = super().mutate(None)
            aggregate._entries = [
                _entry_from_snapshot(getattr(type(aggregate), name), self.originator_id, fields)
                for name, fields in aggregate._entries
            ]
            return aggregate

    # School register -------------------------------------------------------------------

    class Registered(Event, Aggregate.Created):
        """Version 2 added ``register_extract_on``, the day of the GIAS extract the register
        fields came from; a version 1 entry reads as not from an extract (None)."""

        class_version = 2
        urn: int
        name: str
        phase: str
        establishment_type: str
        governance: str
        la_code: str
        pupils: int | None
        opened_on: date | None
        closed_on: date | None
        religious_character: str | None
        predecessor_urn: int | None
        register_extract_on: date | None
        amendable = ("name", "phase", "establishment_type", "la_code", "religious_character")

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["register_extract_on"] = None

    class DetailsChanged(Event):
        changes: dict[str, Any]

    class SuccessorLinked(Event):
        successor_urn: int

    class SchoolLinked(Event):
        """A link GIAS records between this school and another: a predecessor or successor
        (academy conversion, merger, amalgamation, split) or another kind, in GIAS's words."""

        link_urn: int
        link_name: str
        link_type: str
        relation: str
        established_on: date | None

    # Concerns ---------------------------------------------------------------------------

    class ConcernRaised(Event):
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

    class ConcernCommunicated(Event):
        concern_id: str
        recipient: str
        note: str
        amendable = ("note",)

    class ConcernResolved(Event):
        concern_id: str
        outcome: str
        amendable = ("outcome",)

    class LetterOfConcernSent(Event):
        letter_id: str
        recipient: str
        concern_ids: list[str]
        summary: str
        amendable = ("summary",)

    # Warning notices and eligibility ----------------------------------------------------

    class WarningNoticeIssued(Event):
        notice_id: str
        issuer: str
        section: str
        grounds: list[str]
        matters: str
        required_actions: str
        compliance_period: int
        compliance_date: date
        minded_action: str
        copies_to: list[str]
        amendable = ("matters", "required_actions", "minded_action")

    class ComplianceRecorded(Event):
        notice_id: str
        complied: bool
        evidence: str
        amendable = ("evidence",)

    class WarningNoticeWithdrawn(Event):
        notice_id: str
        reason: str
        amendable = ("reason",)

    class WarningNoticeSuperseded(Event):
        notice_id: str
        superseded_by: str

    class InterventionNoticeGiven(Event):
        notice_id: str
        proposed_action: str
        amendable = ("proposed_action",)

    class BecameEligible(Event):
        route: str
        basis: str
        amendable = ("basis",)

    class EligibilityCeased(Event):
        route: str
        reason: str
        amendable = ("reason",)

    class PowerExercised(Event):
        power_id: str
        power: str
        details: str
        amendable = ("details",)

    # Interim executive board (s65) -------------------------------------------------------

    class IEBApplicationDrafted(Event):
        application_id: str
        rationale: str
        amendable = ("rationale",)

    class IEBConsultationRecorded(Event):
        application_id: str
        consultee: str
        response: str
        amendable = ("response",)

    class IEBApplicationSubmitted(Event):
        application_id: str

    class IEBConsentGiven(Event):
        application_id: str

    class IEBConsentRefused(Event):
        application_id: str
        reason: str
        amendable = ("reason",)

    class IEBConstituted(Event):
        application_id: str
        members: list[str]
        term_ends_on: date | None

    class IEBMembersChanged(Event):
        members: list[str]
        reason: str
        amendable = ("reason",)

    class IEBEnded(Event):
        reason: str
        amendable = ("reason",)

    # Monitoring (MSP) group ---------------------------------------------------------------

    class MSPGroupEstablished(Event):
        members: list[str]
        cadence_weeks: int

    class MSPMeetingScheduled(Event):
        meeting_id: str
        meets_on: date

    class MSPMeetingMoved(Event):
        meeting_id: str
        meets_on: date
        reason: str
        amendable = ("reason",)

    class MSPMeetingCancelled(Event):
        meeting_id: str
        reason: str
        amendable = ("reason",)

    class MSPMeetingHeld(Event):
        meeting_id: str
        attendees: list[str]
        minutes: str
        actions: list[dict[str, Any]]
        amendable = ("minutes",)

    class MSPActionCompleted(Event):
        action_id: str
        note: str
        amendable = ("note",)

    class MSPGroupClosed(Event):
        reason: str
        amendable = ("reason",)

    # Judgements ---------------------------------------------------------------------------

    class CategoryChanged(Event):
        scheme: str
        from_category: str | None
        to_category: str
        reason: str
        evidence: str
        amendable = ("reason", "evidence")

    class InspectionRecorded(Event):
        inspection_id: str
        inspected_on: date
        framework: str
        overall: int | None
        category: str | None
        report_card: dict[str, str]
        safeguarding: str | None

    # Oversight and deadlines -------------------------------------------------------------

    class CaseworkerAssigned(Event):
        name: str
        email: str

    class VisitRecorded(Event):
        visit_id: str
        kind: str
        notes: str
        amendable = ("notes",)

    class StatementOfActionSent(Event):
        inspection_id: str
        summary: str
        amendable = ("summary",)

    class CategoryReviewed(Event):
        category: str
        reason: str
        amendable = ("reason",)

    class DeadlineExtended(Event):
        key: str
        due: date
        reason: str
        amendable = ("reason",)

    class DeadlineSuspended(Event):
        key: str
        reason: str
        amendable = ("reason",)

    class DeadlineResumed(Event):
        key: str
        reason: str
        amendable = ("reason",)

    class ReminderSent(Event):
        key: str
        due: date
        working_days_before: int

    class DeadlinePassed(Event):
        key: str
        due: date

    # Corrections --------------------------------------------------------------------------

    class EntryRetracted(Event):
        version: int
        reason: str

    class EntryAmended(Event):
        version: int
        changes: dict[str, Any]
        reason: str

    # How the stream evolves --------------------------------------------------------------

    def _take(self, event: SchoolCaseFile.Event) -> None:
        state: CaseFileState | None = self.__dict__.get("_state")
        self._entries.append(event)
        is_in_order = state is not None and event.effective >= state.latest_effective
        if is_in_order and not isinstance(event, (self.EntryRetracted, self.EntryAmended)):
            state.apply(event)
        else:
            self._state = None  # a backdated entry or a correction: fold afresh when asked

    @property
    def urn(self) -> int:
        return self._entries[0].urn

    @property
    def entries(self) -> list[SchoolCaseFile.Event]:
        return list(self._entries)

    @property
    def state(self) -> CaseFileState:
        """The case file as known now, as at the latest effective date."""
        if self.__dict__.get("_state") is None:
            self._state = fold(self._entries)
        return self._state

    def view(self, as_at: date | None = None, as_known_at: datetime | None = None) -> CaseFileState:
        """What was true on ``as_at``, by what the record said at ``as_known_at``."""
        if as_at is None and as_known_at is None:
            return self.state
        if as_known_at is not None:
            dates.require_known_at(as_known_at)
        return fold(self._entries, as_at=as_at, as_known_at=as_known_at)

    @property
    def head(self) -> str:
        """The newest link of the hash chain: what an auditor's checkpoint records."""
        return self._entries[-1].link

    def _record(self, event_class: type[Event], *, when: Entry, **fields: Any) -> None:
        fields.update(effective=when.effective, by=when.by, actor=when.actor,
                      timestamp=when.recorded_at, originator_id=self.id,
                      originator_version=self.version + 1)
        self.trigger_event(
            event_class, link=chain.link(self.head, event_class.__qualname__, fields), **fields
        )

    # Commands: the school register -------------------------------------------------------

    @classmethod
    def register(cls, *, when: Entry, details: dict[str, Any]) -> SchoolCaseFile:
        """Opens a case file for a school on the register (GIAS fields)."""
        fields = check_school_details(details, required=True, today=when.recorded_at.date())
        if when.effective > when.recorded_at.date():
            raise CaseFileError(f"The effective date {long_date(when.effective)} is in the future")
        dates.require_opening_date(when.effective)
        fields.update(
            effective=when.effective, by=when.by, actor=when.actor, timestamp=when.recorded_at,
            originator_id=case_file_id(fields["urn"]), originator_version=cls.INITIAL_VERSION,
        )
        fields["link"] = chain.link(chain.GENESIS, cls.Registered.__qualname__, fields)
        fields["id"] = fields.pop("originator_id")
        del fields["originator_version"]
        return cls._create(cls.Registered, **fields)

    def change_details(self, *, when: Entry, changes: dict[str, Any]) -> None:
        self._require_after_registration(when)
        school = self.state.school
        checked = check_school_details(changes, required=False, today=when.recorded_at.date())
        if "urn" in checked:
            raise CaseFileError("A school's URN cannot change; a new URN is a new school")
        changed = {k: v for k, v in checked.items() if getattr(school, k) != v}
        if not changes:
            raise CaseFileError("Say which of the school's details to change")
        if not changed:
            raise CaseFileError(f"The school's {', '.join(sorted(checked)).replace('_', ' ')} "
                                "already read so: nothing to change")
        self._record(self.DetailsChanged, when=when, changes=changed)

    def link_successor(self, *, when: Entry, successor_urn: int) -> None:
        """Academy conversion: the old URN's file points to the new one and closes."""
        self._require_after_registration(when)
        school = self.state.school
        if school.successor_urn is not None:
            raise CaseFileError(
                f"URN {school.urn} already converted to URN {school.successor_urn}"
            )
        self._record(self.SuccessorLinked, when=when, successor_urn=successor_urn)

    def link_school(self, *, when: Entry, link_urn: int, link_name: str, link_type: str,
                    established_on: date | None) -> bool:
        """Records a GIAS link to another school, once: False if it is already recorded.
        ``relation`` is what the other school is to this one (LINK_RELATIONS)."""
        self._require_after_registration(when)
        school = self.state.school
        if not 100000 <= link_urn <= 999999:
            raise CaseFileError(f"A URN has six digits, not {link_urn}")
        if link_urn == school.urn:
            raise CaseFileError(f"URN {link_urn} cannot be linked to itself")
        _require_text("link type", link_type)
        if established_on is not None:
            dates.require_register_date("link date", established_on, when.recorded_at.date())
        relation = link_relation(link_type)

        def same(known: Any) -> bool:  # one link each way: "Successor - merged" is a successor
            if relation == "other":
                return known.link_type == link_type.strip()
            return known.relation == relation

        if any(k.urn == link_urn and same(k) for k in school.links):
            return False
        self._record(self.SchoolLinked, when=when, link_urn=link_urn,
                     link_name=one_line(link_name), link_type=link_type.strip(),
                     relation=relation, established_on=established_on)
        return True

    # Commands: concerns -------------------------------------------------------------------

    def raise_concern(
        self, *, when: Entry, ground: str, description: str, evidence: str = "",
        source: str = SOURCE_NOT_RECORDED,
    ) -> str:
        self._require_open(when)
        _require_choice("ground", ground, CONCERN_GROUNDS)
        _require_choice("source", source, (*CONCERN_SOURCES, SOURCE_NOT_RECORDED))
        _require_text("description", description)
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
        _require_choice("recipient", recipient, CONCERN_RECIPIENTS)
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
        _require_text("outcome", outcome)
        self._record(
            self.ConcernResolved, when=when, concern_id=concern_id, outcome=outcome.strip()
        )

    def send_letter_of_concern(
        self, *, when: Entry, concern_ids: list[str], summary: str,
        recipient: str = "chair of governors",
    ) -> str:
        self._require_open(when)
        _require_choice("recipient", recipient, CONCERN_RECIPIENTS)
        _require_text("summary", summary)
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

    # Commands: warning notices -------------------------------------------------------------

    def issue_warning_notice(
        self, *, when: Entry, working_days: WorkingDayCalendar, grounds: list[str],
        matters: str, required_actions: str, minded_action: str,
        compliance_period: int | None = None, section: str = "s60",
        issuer: str = "local authority", copies_to: list[str] | None = None,
        with_secretary_of_state_agreement: bool = False,
    ) -> str:
        """Gives a warning notice (s60, or s60A on teachers' pay and conditions).

        A notice from the Secretary of State supersedes the LA's open s60 notices (s60(4B));
        once the Secretary of State has given one, the LA may give an s60 notice only with their
        agreement (s60(4A)); s60A notices are the LA's alone (Education and Adoption Act 2016).
        """
        state = self._require_maintained(when, "Warning notices")
        _require_choice("section", section, tuple(statute.WARNING_NOTICE_SECTIONS))
        _require_choice("issuer", issuer, statute.ISSUERS)
        if section == "s60":
            if not grounds:
                raise CaseFileError("Give at least one ground: (a), (b) or (c) of s60(2)")
            for ground in grounds:
                _require_choice("ground", ground, tuple(statute.WARNING_NOTICE_GROUNDS))
        elif grounds:
            raise CaseFileError("An s60A notice rests on pay and conditions, not s60(2) grounds")
        elif issuer != "local authority":
            raise CaseFileError(
                "Only the local authority may give an s60A (teachers' pay and conditions) "
                "warning notice"
            )
        for name, text in (("matters relied on", matters), ("required action", required_actions),
                           ("action the authority is minded to take", minded_action)):
            _require_text(name, text)
        period, ends_on = statute.compliance_date(when.effective, compliance_period, working_days)
        open_notices = [n for n in state.warning_notices.values() if n.status == "open"]
        by_secretary_of_state = [
            n for n in state.warning_notices.values() if n.issuer == "secretary of state"
        ]
        needs_agreement = (
            issuer == "local authority" and section == "s60" and by_secretary_of_state
        )
        if needs_agreement and not with_secretary_of_state_agreement:
            raise CaseFileError(
                f"The Secretary of State gave warning notice "
                f"{by_secretary_of_state[0].notice_id}; the local authority may issue one "
                "only with the Secretary of State's agreement"
            )
        notice_id = f"WN{self._count(self.WarningNoticeIssued) + 1}"
        self._record(
            self.WarningNoticeIssued, when=when, notice_id=notice_id, issuer=issuer,
            section=section, grounds=sorted(grounds), matters=matters.strip(),
            required_actions=required_actions.strip(), compliance_period=period,
            compliance_date=ends_on, minded_action=minded_action.strip(),
            copies_to=list(copies_to or ["Ofsted"]),
        )
        if issuer == "secretary of state":
            for notice in open_notices:
                if notice.issuer == "local authority" and notice.section == "s60":
                    self._record(
                        self.WarningNoticeSuperseded, when=when, notice_id=notice.notice_id,
                        superseded_by=notice_id,
                    )
        return notice_id

    def record_compliance(
        self, *, when: Entry, notice_id: str, complied: bool, evidence: str
    ) -> None:
        """Records whether the governing body complied; failure only after the period ends."""
        notice = self._warning_notice(notice_id, when)
        if notice.complied is not None:
            raise CaseFileError(
                f"Compliance with warning notice {notice_id} was already recorded on "
                f"{long_date(notice.compliance_recorded_on)}"
            )
        if notice.status != "open":
            raise CaseFileError(f"Warning notice {notice_id} is {notice.status}")
        if not complied and when.effective <= notice.compliance_date:
            raise CaseFileError(
                f"The compliance period of warning notice {notice_id} runs to "
                f"{long_date(notice.compliance_date)}; failure to comply can be recorded only "
                "after it ends"
            )
        _require_text("evidence", evidence)
        self._record(
            self.ComplianceRecorded, when=when, notice_id=notice_id, complied=complied,
            evidence=evidence.strip(),
        )

    def withdraw_warning_notice(self, *, when: Entry, notice_id: str, reason: str) -> None:
        notice = self._warning_notice(notice_id, when)
        if notice.status != "open":
            raise CaseFileError(f"Warning notice {notice_id} is {notice.status}")
        _require_text("reason", reason)
        self._record(
            self.WarningNoticeWithdrawn, when=when, notice_id=notice_id, reason=reason.strip()
        )

    def give_intervention_notice(
        self, *, when: Entry, notice_id: str, proposed_action: str
    ) -> None:
        """Written notice that the LA proposes to use its powers: the school becomes eligible.

        s60(1)(d): eligibility after a warning notice needs the notice, the period expired,
        failure to comply, and reasonable written notice of the proposed intervention.
        """
        state = self._require_maintained(when, "Intervention")
        notice = self._warning_notice(notice_id, when)
        if notice.complied is not False:
            raise CaseFileError(
                f"Record that the school failed to comply with warning notice {notice_id} "
                "before giving notice of intervention"
            )
        if notice.intervention_notice_on is not None:
            raise CaseFileError(
                f"Notice of intervention after {notice_id} was already given on "
                f"{long_date(notice.intervention_notice_on)}"
            )
        _require_text("proposed action", proposed_action)
        self._record(
            self.InterventionNoticeGiven, when=when, notice_id=notice_id,
            proposed_action=proposed_action.strip(),
        )
        if "warning_notice" not in state.eligibility:
            self._record(
                self.BecameEligible, when=when, route="warning_notice",
                basis=f"warning notice {notice_id} not complied with; notice of intervention given",
            )

    def record_coasting(self, *, when: Entry, basis: str) -> None:
        """s60B: a school the regulations define as coasting is eligible for intervention."""
        state = self._require_maintained(when, "Coasting eligibility")
        _require_text("basis", basis)
        if "coasting" in state.eligibility:
            raise CaseFileError("The school is already recorded as coasting")
        self._record(self.BecameEligible, when=when, route="coasting", basis=basis.strip())

    def end_eligibility(self, *, when: Entry, route: str, reason: str) -> None:
        self._require_after_registration(when)
        _require_choice("route", route, tuple(statute.ELIGIBILITY_ROUTES))
        if route not in self.state.eligibility:
            raise CaseFileError(
                f"The school is not eligible for intervention by the route: "
                f"{statute.ELIGIBILITY_ROUTES[route]}"
            )
        _require_text("reason", reason)
        self._record(self.EligibilityCeased, when=when, route=route, reason=reason.strip())

    def exercise_power(self, *, when: Entry, power: str, details: str) -> str:
        """Uses an intervention power, with its preconditions (ss59, 63, 64, 66)."""
        _require_choice("power", power, tuple(statute.POWERS))
        state = self._require_maintained(when, "Intervention powers")
        _require_text("details", details)
        if power == "early_inspection":
            if not (state.eligibility or state.open_concerns):
                raise CaseFileError(
                    "An early inspection request needs an open concern or eligibility for "
                    "intervention to rest on"
                )
        elif not state.eligibility:
            raise CaseFileError(
                f"The school is not eligible for intervention (s59), so the local authority "
                f"cannot {statute.POWERS[power]}"
            )
        if power == "s64" and state.ieb is not None:
            raise CaseFileError(
                "Additional governors cannot be appointed while an interim executive board "
                "is in place (s64)"
            )
        if power == "s63" and set(state.eligibility) == {"warning_notice"}:
            notice = max(
                (n for n in state.warning_notices.values()
                 if n.section == "s60" and n.intervention_notice_on is not None),
                key=lambda n: n.compliance_date, default=None,
            )
            if notice is None:
                raise CaseFileError(
                    "Arrangements under s63 cannot rest on a teachers' pay and conditions "
                    "warning notice (s60A); it opens ss64-66 only"
                )
            last_day = statute.s63_window_ends(notice.compliance_date)
            if when.effective > last_day:
                raise CaseFileError(
                    f"After warning notice {notice.notice_id}, arrangements under s63 could be "
                    f"required only until {long_date(last_day)}, two months after its compliance "
                    "period ended"
                )
        power_id = f"P{self._count(self.PowerExercised) + 1}"
        self._record(
            self.PowerExercised, when=when, power_id=power_id, power=power,
            details=details.strip(),
        )
        return power_id

    # Commands: interim executive board (s65) ----------------------------------------------

    def draft_ieb_application(self, *, when: Entry, rationale: str) -> str:
        state = self._require_maintained(when, "An interim executive board")
        if not state.eligibility:
            raise CaseFileError(
                "The school is not eligible for intervention (s59): an interim executive "
                "board cannot be proposed"
            )
        if state.ieb is not None:
            raise CaseFileError("An interim executive board is already in place")
        if state.ieb_application_in_progress is not None:
            raise CaseFileError(
                f"IEB application {state.ieb_application_in_progress.application_id} is "
                f"already {state.ieb_application_in_progress.stage}"
            )
        _require_text("rationale", rationale)
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
        _require_choice("consultee", consultee, statute.IEB_CONSULTEES)
        if consultee in application.consultations:
            raise CaseFileError(f"The {consultee} was already consulted on {application_id}")
        _require_text("response", response)
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
            raise CaseFileError(
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
            _require_text("reason for refusal", reason)
            self._record(
                self.IEBConsentRefused, when=when, application_id=application_id,
                reason=reason.strip(),
            )

    def constitute_ieb(
        self, *, when: Entry, application_id: str, members: list[str],
        term_ends_on: date | None = None,
    ) -> None:
        """Appoints the board by written instrument: at least two members (Sch 6 para 1),
        while the school is eligible for intervention (s65(1): "if at any time")."""
        self._ieb_application(application_id, when, "consented")
        if not self.state.eligibility:
            raise CaseFileError(
                "The school is no longer eligible for intervention (s59): the interim "
                "executive board cannot be constituted"
            )
        members = _names("IEB members", members)
        if len(members) < statute.MIN_IEB_MEMBERS:
            raise CaseFileError(
                f"An interim executive board needs at least {statute.MIN_IEB_MEMBERS} members"
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
        members = _names("IEB members", members)
        if len(members) < statute.MIN_IEB_MEMBERS:
            raise CaseFileError(
                f"An interim executive board needs at least {statute.MIN_IEB_MEMBERS} members"
            )
        _require_text("reason", reason)
        self._record(self.IEBMembersChanged, when=when, members=members, reason=reason.strip())

    def end_ieb(self, *, when: Entry, reason: str) -> None:
        self._require_ieb(when)
        _require_text("reason", reason)
        self._record(self.IEBEnded, when=when, reason=reason.strip())

    # Commands: MSP group ------------------------------------------------------------------

    def establish_msp_group(
        self, *, when: Entry, members: list[str], cadence_weeks: int
    ) -> None:
        """Sets up the monitoring group; its cadence is local policy (Peterborough: category 4)."""
        self._require_open(when)
        if self.state.msp is not None:
            raise CaseFileError("The school already has an MSP group")
        members = _names("MSP group members", members)
        if not members:
            raise CaseFileError("An MSP group needs at least one member")
        if not 1 <= int(cadence_weeks) <= 26:
            raise CaseFileError("Meet every 1 to 26 weeks")
        self._record(
            self.MSPGroupEstablished, when=when, members=members, cadence_weeks=int(cadence_weeks)
        )

    def schedule_msp_meeting(self, *, when: Entry, meets_on: date) -> str:
        group = self._require_msp(when)
        if meets_on < when.effective:
            raise CaseFileError("A meeting is scheduled for a date after it is arranged")
        dates.require_planned_date("meeting date", meets_on, when.effective)
        meeting_id = f"M{len(group.meetings) + self._count_meetings_elsewhere() + 1}"
        self._record(self.MSPMeetingScheduled, when=when, meeting_id=meeting_id, meets_on=meets_on)
        return meeting_id

    def move_msp_meeting(
        self, *, when: Entry, meeting_id: str, meets_on: date, reason: str
    ) -> None:
        self._scheduled_meeting(meeting_id, when)
        dates.require_planned_date("meeting date", meets_on, when.effective)
        _require_text("reason", reason)
        self._record(
            self.MSPMeetingMoved, when=when, meeting_id=meeting_id, meets_on=meets_on,
            reason=reason.strip(),
        )

    def cancel_msp_meeting(self, *, when: Entry, meeting_id: str, reason: str) -> None:
        self._scheduled_meeting(meeting_id, when)
        _require_text("reason", reason)
        self._record(
            self.MSPMeetingCancelled, when=when, meeting_id=meeting_id, reason=reason.strip()
        )

    def hold_msp_meeting(
        self, *, when: Entry, attendees: list[str], minutes: str,
        actions: list[dict[str, Any]] | None = None, meeting_id: str | None = None,
    ) -> str:
        """Records a meeting held (scheduled or not), its minutes and its actions."""
        group = self._require_msp(when)
        if meeting_id is not None:
            self._scheduled_meeting(meeting_id, when)
        else:
            meeting_id = f"M{len(group.meetings) + self._count_meetings_elsewhere() + 1}"
        attendees = _names("attendees", attendees)
        if not attendees:
            raise CaseFileError("Record who attended the meeting")
        _require_text("minutes", minutes)
        first_action = self._count_actions() + 1
        checked_actions = []
        for number, action in enumerate(actions or [], start=first_action):
            description = str(action.get("description") or "").strip()
            owner = str(action.get("owner") or "").strip()
            due = action.get("due")
            if not description or not owner or not isinstance(due, date):
                raise CaseFileError(
                    f"Action {number - first_action + 1} needs a description, an owner and a "
                    "due date"
                )
            if due < when.effective:
                raise CaseFileError(
                    f"Action {number - first_action + 1} is due before the meeting"
                )
            dates.require_planned_date(
                f"due date of action {number - first_action + 1}", due, when.effective)
            checked_actions.append(
                {"action_id": f"A{number}", "description": description, "owner": owner,
                 "due": due}
            )
        self._record(
            self.MSPMeetingHeld, when=when, meeting_id=meeting_id, attendees=attendees,
            minutes=minutes.strip(), actions=checked_actions,
        )
        return meeting_id

    def complete_msp_action(self, *, when: Entry, action_id: str, note: str = "") -> None:
        self._require_after_registration(when)
        action = self.state.msp_actions.get(action_id)
        if action is None:
            raise CaseFileError(f"There is no MSP action {action_id}")
        if action.completed_on is not None:
            raise CaseFileError(
                f"Action {action_id} was completed on {long_date(action.completed_on)}"
            )
        self._record(self.MSPActionCompleted, when=when, action_id=action_id, note=note.strip())

    def close_msp_group(self, *, when: Entry, reason: str) -> None:
        self._require_msp(when)
        _require_text("reason", reason)
        self._record(self.MSPGroupClosed, when=when, reason=reason.strip())

    # Commands: judgements ---------------------------------------------------------------

    def change_category(
        self, *, when: Entry, scheme: CategoryScheme, to: str, reason: str, evidence: str = ""
    ) -> None:
        """Moves the school to a category of the LA's configured scheme (local policy)."""
        self._require_open(when)
        code = scheme.category(to).code
        current = self.view(as_at=when.effective).category
        if current is not None and current.category == code and current.scheme == scheme.name:
            raise CaseFileError(
                f"The school is already in category {code} (since {long_date(current.since)})"
            )
        _require_text("reason", reason)
        self._record(
            self.CategoryChanged, when=when, scheme=scheme.name,
            from_category=current.category if current else None, to_category=code,
            reason=reason.strip(), evidence=evidence.strip(),
        )

    def record_inspection(
        self, *, when: Entry, inspected_on: date, overall: int | None,
        category: str | None = None, report_card: dict[str, str] | None = None,
        safeguarding: str | None = None,
    ) -> str:
        """Records a published Ofsted judgement in the vocabulary in force when it started.

        A category of concern makes a maintained school eligible for intervention (s61, s62);
        a later judgement without one ends that eligibility.
        """
        self._require_after_registration(when)
        framework = check_judgement(inspected_on, overall, category, report_card, safeguarding)
        if when.effective < inspected_on:
            raise CaseFileError("A report is published on or after the inspection starts")
        for known in self.state.inspections:
            if known.inspected_on == inspected_on:
                raise CaseFileError(
                    f"The inspection of {long_date(inspected_on)} is already recorded "
                    f"({known.inspection_id})"
                )
        state = self.state
        # Before recording: an in-order entry joins this same state object.
        is_latest = all(i.inspected_on < inspected_on for i in state.inspections)
        inspection_id = f"I{self._count(self.InspectionRecorded) + 1}"
        self._record(
            self.InspectionRecorded, when=when, inspection_id=inspection_id,
            inspected_on=inspected_on, framework=framework.name, overall=overall,
            category=category, report_card=dict(report_card or {}), safeguarding=safeguarding,
        )
        route = eligibility_route(category)
        if (not is_latest or state.school.governance != "maintained"
                or _closed_by(state.school.closed_on, when.effective)):
            return inspection_id
        for held in ("serious_weaknesses", "special_measures"):
            if held in state.eligibility and held != route:
                self._record(
                    self.EligibilityCeased, when=when, route=held,
                    reason=f"Ofsted inspection {inspection_id} removed the category",
                )
        if route is not None and route not in state.eligibility:
            self._record(
                self.BecameEligible, when=when, route=route,
                basis=f"Ofsted inspection {inspection_id}: {category}",
            )
        return inspection_id

    # Commands: oversight and deadlines ---------------------------------------------------

    def assign_caseworker(self, *, when: Entry, name: str, email: str) -> None:
        """Names who owns the case; reminders about the school go to them."""
        self._require_open(when)
        _require_text("caseworker's name", name)
        name = one_line(name)
        if not EMAIL.fullmatch(email.strip()):
            raise CaseFileError(f"{email!r} is not an email address")
        if self.state.caseworker == (name, email.strip()):
            raise CaseFileError(f"{name} already owns this case")
        self._record(self.CaseworkerAssigned, when=when, name=name, email=email.strip())

    def record_visit(self, *, when: Entry, kind: str, notes: str) -> str:
        """A school improvement (SEP) or monitoring visit (local policy: visit cadence)."""
        self._require_open(when)
        _require_choice("visit", kind, VISIT_KINDS)
        _require_text("notes", notes)
        visit_id = f"V{self._count(self.VisitRecorded) + 1}"
        self._record(self.VisitRecorded, when=when, visit_id=visit_id, kind=kind,
                     notes=notes.strip())
        return visit_id

    def record_statement_of_action(
        self, *, when: Entry, inspection_id: str, summary: str
    ) -> None:
        """The LA's statement of action on a category judgement (Education Act 2005 s15)."""
        self._require_open(when)
        inspection = next((i for i in self.state.inspections
                           if i.inspection_id == inspection_id), None)
        if inspection is None or not inspection.category:
            raise CaseFileError(
                f"There is no Ofsted category judgement {inspection_id} needing a statement "
                "of action")
        if inspection_id in self.state.statements_of_action:
            raise CaseFileError(f"The statement of action on {inspection_id} was already sent")
        if when.effective < inspection.published_on:
            raise CaseFileError("A statement of action follows the report's publication")
        _require_text("summary", summary)
        self._record(self.StatementOfActionSent, when=when, inspection_id=inspection_id,
                     summary=summary.strip())

    def review_category(self, *, when: Entry, reason: str) -> None:
        """A categorisation review that keeps the school where it is (local policy:
        review_months); a move is ``change_category``."""
        self._require_open(when)
        current = self.state.category
        if current is None:
            raise CaseFileError("The school has no LA category to review; set one first")
        _require_text("reason", reason)
        self._record(self.CategoryReviewed, when=when, category=current.category,
                     reason=reason.strip())

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
        _require_text("reason", reason)
        self._record(self.DeadlineExtended, when=when, key=key, due=to, reason=reason.strip())

    def suspend_deadline(
        self, *, when: Entry, deadlines: list[Deadline], key: str, reason: str
    ) -> None:
        """Stops reminders for a deadline until it is resumed (e.g. while a matter is with
        the Regional Director)."""
        self._require_open(when)
        if find(deadlines, key).suspended:
            raise CaseFileError(f"Deadline {key} is already suspended")
        _require_text("reason", reason)
        self._record(self.DeadlineSuspended, when=when, key=key, reason=reason.strip())

    def resume_deadline(
        self, *, when: Entry, deadlines: list[Deadline], key: str, reason: str
    ) -> None:
        self._require_open(when)
        if not find(deadlines, key).suspended:
            raise CaseFileError(f"Deadline {key} is not suspended")
        _require_text("reason", reason)
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

    # Commands: corrections -------------------------------------------------------------

    def retract_entry(self, *, when: Entry, version: int, reason: str) -> None:
        """Withdraws an entry recorded in error; the entry stays in the log, marked retracted."""
        self._require_after_registration(when)
        entry = self._correctable(version, reason)
        later = self._resting_on(entry)
        if later:
            raise CaseFileError(
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
            raise CaseFileError(
                f"{', '.join(wrong)} cannot be amended on a {type(entry).__name__} entry; "
                f"retract it and record it again"
                + (f" (amendable: {', '.join(amendable)})" if amendable else "")
            )
        self._record(
            self.EntryAmended, when=when, version=version,
            changes={k: str(v).strip() for k, v in changes.items()}, reason=reason.strip(),
        )

    # Checks shared by the commands ---------------------------------------------------------

    def _require_after_registration(self, when: Entry) -> None:
        if when.effective > when.recorded_at.date():
            raise CaseFileError(
                f"The effective date {long_date(when.effective)} is in the future"
            )
        registered = self._entries[0].effective
        if when.effective < registered:
            raise CaseFileError(
                f"The effective date {long_date(when.effective)} is before the case file was "
                f"opened ({long_date(registered)})"
            )

    def _require_open(self, when: Entry) -> CaseFileState:
        self._require_after_registration(when)
        state = self.state
        closed_on = state.school.closed_on
        if closed_on is not None and when.effective > closed_on:
            raise CaseFileError(f"{state.school.name} closed on {long_date(closed_on)}")
        return state

    def _require_maintained(self, when: Entry, what: str) -> CaseFileState:
        """LA intervention powers (ss59-66) apply to maintained schools only."""
        state = self._require_open(when)
        if state.school.governance != "maintained":
            raise CaseFileError(
                f"{what} are for maintained schools; {state.school.name} is an academy"
                if what.endswith("s") else
                f"{what} is for maintained schools; {state.school.name} is an academy"
            )
        return state

    def _open_concern(self, concern_id: str, when: Entry) -> Any:
        self._require_after_registration(when)
        concern = self.state.concerns.get(concern_id)
        if concern is None:
            raise CaseFileError(f"There is no concern {concern_id}")
        if concern.resolved_on is not None:
            raise CaseFileError(
                f"Concern {concern_id} was resolved on {long_date(concern.resolved_on)}"
            )
        return concern

    def _warning_notice(self, notice_id: str, when: Entry) -> Any:
        self._require_after_registration(when)
        notice = self.state.warning_notices.get(notice_id)
        if notice is None:
            raise CaseFileError(f"There is no warning notice {notice_id}")
        if when.effective < notice.issued_on:
            raise CaseFileError(f"Warning notice {notice_id} was issued later, on "
                                f"{long_date(notice.issued_on)}")
        return notice

    def _ieb_application(self, application_id: str, when: Entry, stage: str) -> Any:
        self._require_after_registration(when)
        application = self.state.ieb_applications.get(application_id)
        if application is None:
            raise CaseFileError(f"There is no IEB application {application_id}")
        if application.stage != stage:
            raise CaseFileError(
                f"IEB application {application_id} is {application.stage}, not {stage}"
            )
        return application

    def _require_ieb(self, when: Entry) -> Any:
        self._require_after_registration(when)
        if self.state.ieb is None:
            raise CaseFileError("No interim executive board is in place")
        return self.state.ieb

    def _require_msp(self, when: Entry) -> Any:
        self._require_open(when)
        if self.state.msp is None:
            raise CaseFileError(
                f"{self.state.school.name} has no MSP group; establish one first"
            )
        return self.state.msp

    def _scheduled_meeting(self, meeting_id: str, when: Entry) -> Any:
        meeting = self._require_msp(when).meetings.get(meeting_id)
        if meeting is None:
            raise CaseFileError(f"There is no MSP meeting {meeting_id}")
        if meeting.status != "scheduled":
            raise CaseFileError(f"MSP meeting {meeting_id} was {meeting.status}")
        return meeting

    def _correctable(self, version: int, reason: str) -> SchoolCaseFile.Event:
        if not 1 <= version <= len(self._entries):
            raise CaseFileError(f"There is no entry {version} in this case file")
        entry = self._entries[version - 1]
        if version == 1:
            raise CaseFileError("The registration entry cannot be corrected; change the details")
        if isinstance(entry, (self.EntryRetracted, self.EntryAmended)):
            raise CaseFileError(f"Entry {version} is itself a correction")
        if version in self.state.retracted:
            raise CaseFileError(f"Entry {version} was already retracted")
        _require_text("reason", reason)
        return entry

    def _resting_on(self, entry: SchoolCaseFile.Event) -> list[SchoolCaseFile.Event]:
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

    def _count(self, event_class: type[Event]) -> int:
        return sum(1 for e in self._entries if isinstance(e, event_class))

    def _count_meetings_elsewhere(self) -> int:
        """Meetings of earlier, closed groups: meeting ids stay unique across groups."""
        return sum(len(g.meetings) for g in self.state.msp_groups if g.closed_on is not None)

    def _count_actions(self) -> int:
        return sum(len(e.actions) for e in self._entries if isinstance(e, self.MSPMeetingHeld))


def _snapshot_fields(entry: SchoolCaseFile.Event) -> dict[str, Any]:
    fields = {k: v for k, v in vars(entry).items() if k != "originator_id"}
    version = getattr(type(entry), "class_version", 1)
    if version > 1:
        fields["class_version"] = version
    return fields


def _entry_from_snapshot(event_class: type[SchoolCaseFile.Event], stream_id: UUID,
                         stored: dict[str, Any]) -> SchoolCaseFile.Event:
    fields = dict(stored)
    version = fields.pop("class_version", 1)
    while version < getattr(event_class, "class_version", 1):
        getattr(event_class, f"upcast_v{version}_v{version + 1}")(fields)
        version += 1
    # Built as the event store builds a stored entry (without __init__), so an entry stored
    # without a field that has a default (``actor``) reads back the same from either.
    entry = object.__new__(event_class)
    object.__setattr__(entry, "__dict__", {"originator_id": stream_id, **fields})
    return entry


class Entry:
    """Who is recording an entry, when it took effect, and when it is being recorded.

    ``by`` is a Recorder, or a name alone (recorded with no identity: tests, the demo)."""

    __slots__ = ("effective", "by", "actor", "recorded_at")

    def __init__(self, effective: date, by: str | Recorder, recorded_at: datetime) -> None:
        recorder = by if isinstance(by, Recorder) else Recorder(by)
        if not recorder.name or not recorder.name.strip():
            raise CaseFileError("Say who is recording the entry")
        if recorded_at.tzinfo is None:
            raise ValueError("recorded_at must be timezone-aware")
        self.effective, self.recorded_at = effective, recorded_at
        self.by, self.actor = recorder.name.strip(), dict(recorder.identity)


DERIVED_ENTRIES = ("BecameEligible", "EligibilityCeased", "WarningNoticeSuperseded")
"""Entries a command records as a consequence of its main entry."""

ENTRIES_ABOUT_A_BODY = {
    "MSPGroupEstablished": ("MSPMeetingScheduled", "MSPMeetingMoved", "MSPMeetingCancelled",
                            "MSPMeetingHeld", "MSPActionCompleted", "MSPGroupClosed"),
    "IEBConstituted": ("IEBMembersChanged", "IEBEnded"),
}
"""What is recorded about an MSP group or an IEB rests on the entry that set it up."""


def entry_subject(event: SchoolCaseFile.Event) -> str | None:
    """The item an entry is about (a notice, a concern, a meeting...), for corrections."""
    for name in ("notice_id", "concern_id", "application_id", "meeting_id", "action_id"):
        value = getattr(event, name, None)
        if value is not None:
            return f"{name}:{value}"
    return None


def rests_on(later: SchoolCaseFile.Event, entry: SchoolCaseFile.Event) -> bool:
    """Whether a later entry is about the same item as ``entry``, or about an action its
    meeting set, or cites the concern it raised."""
    key = entry_subject(entry)
    if key is not None and entry_subject(later) == key:
        return True
    if getattr(later, "action_id", None) in {a["action_id"] for a in getattr(entry, "actions", ())}:
        return True
    return type(entry).__name__ == "ConcernRaised" and entry.concern_id in getattr(
        later, "concern_ids", ()
    )


LINK_RELATIONS = ("predecessor", "successor", "other")


def link_relation(link_type: str) -> str:
    """What a linked school is to this one, from GIAS's link type: "Predecessor",
    "Predecessor - merged", ... are predecessors; "Successor", "Successor - amalgamated",
    "Result of Amalgamation" are successors; sixth-form links, expansions and the like are
    "other" (GIAS links file, LinkType)."""
    kind = link_type.strip().lower()
    if kind.startswith("predecessor"):
        return "predecessor"
    if kind.startswith("successor") or kind == "result of amalgamation":
        return "successor"
    return "other"


def _closed_by(closed_on: date | None, day: date) -> bool:
    """A school closed by ``day`` is no longer a maintained school: an inspection published
    after it closed makes it eligible for no intervention (EIA 2006 s59(1), s62)."""
    return closed_on is not None and closed_on < day


def check_school_details(details: dict[str, Any], *, required: bool,
                         today: date) -> dict[str, Any]:
    """Validates register fields as GIAS gives them, dates within the range a school's
    may lie in on ``today`` (domain.dates); returns the fields in stored form."""
    text_fields = ("name", "phase", "establishment_type", "la_code")
    allowed = {"urn", "pupils", "opened_on", "closed_on", "governance", "religious_character",
               "predecessor_urn", "register_extract_on", *text_fields}
    unknown = sorted(set(details) - allowed)
    if unknown:
        raise CaseFileError(f"Unknown school detail: {', '.join(unknown)}")
    fields: dict[str, Any] = {}
    if required:
        for name in ("urn", "governance", *text_fields):
            if details.get(name) in (None, ""):
                raise CaseFileError(f"A school's {name.replace('_', ' ')} is required")
        fields = {"pupils": None, "opened_on": None, "closed_on": None,
                  "religious_character": None, "predecessor_urn": None,
                  "register_extract_on": None}
    for name, value in details.items():
        if name in ("urn", "predecessor_urn", "pupils") and value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise CaseFileError(f"{name.replace('_', ' ')} must be a whole number")
            if name != "pupils" and not 100000 <= value <= 999999:
                raise CaseFileError(f"A URN has six digits, not {value}")
            if name == "pupils" and value > MOST_PUPILS:
                raise CaseFileError(
                    f"{value:,} pupils is more than any school has: at most {MOST_PUPILS:,}")
        elif name in ("opened_on", "closed_on", "register_extract_on") and value is not None:
            if not isinstance(value, date):
                raise CaseFileError(f"{name.replace('_', ' ')} must be a date")
            dates.require_register_date(_REGISTER_DATE_NAMES[name], value, today)
        elif name == "governance":
            _require_choice("governance", value, GOVERNANCE)
        elif name in text_fields:
            _require_text(name.replace("_", " "), value)
            value = one_line(value)
        fields[name] = value
    opened, closed = fields.get("opened_on"), fields.get("closed_on")
    if opened and closed and closed < opened:
        raise CaseFileError("A school cannot close before it opens")
    return fields


def one_line(name: str) -> str:
    """A name as it is stored: every run of whitespace (line breaks, tabs) one space, none at
    either end. A name is written on one line wherever it goes: a page, a CSV cell, an
    email's Subject and To headers (where a line break cannot be sent)."""
    return " ".join(name.split())


_REGISTER_DATE_NAMES = {"opened_on": "opening date", "closed_on": "closing date",
                        "register_extract_on": "date of the register extract"}


def _require_text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise CaseFileError(f"Enter the {name}")


def _require_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise CaseFileError(
            f"{name.capitalize()} must be one of: {', '.join(choices)} (not {value!r})"
        )


def _names(what: str, names: list[str]) -> list[str]:
    cleaned = [str(n).strip() for n in names if str(n).strip()]
    if len(set(cleaned)) != len(cleaned):
        raise CaseFileError(f"The {what} include someone twice")
    return cleaned
