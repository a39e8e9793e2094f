"""A case file's state as at a date: a fold over its entries, corrections applied first."""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from operator import attrgetter
from typing import Any


@dataclass
class Link:
    """Another school GIAS links this one to, and what it is to this one."""

    urn: int
    name: str
    link_type: str
    relation: str
    established_on: date | None


@dataclass
class School:
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
    successor_urn: int | None = None
    registered_on: date | None = None
    register_extract_on: date | None = None
    """The day of the GIAS extract the register fields were last brought into line with."""
    links: list[Link] = field(default_factory=list)

    def is_open_on(self, day: date) -> bool:
        return (self.opened_on is None or self.opened_on <= day) and (
            self.closed_on is None or day <= self.closed_on
        )


@dataclass
class Concern:
    concern_id: str
    ground: str
    description: str
    evidence: str
    raised_on: date
    raised_by: str
    source: str = "not recorded"
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
class WarningNotice:
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
    issued_on: date
    complied: bool | None = None
    compliance_recorded_on: date | None = None
    compliance_evidence: str | None = None
    withdrawn_on: date | None = None
    superseded_by: str | None = None
    intervention_notice_on: date | None = None
    recorded_in: int = 0  # the version of the entry that gave the notice
    overdue: bool = False  # the compliance period ended with no compliance recorded

    @property
    def status(self) -> str:
        if self.withdrawn_on is not None:
            return "withdrawn"
        if self.superseded_by is not None:
            return "superseded"
        if self.complied is True:
            return "complied with"
        if self.complied is False:
            return "not complied with"
        return "open"


@dataclass
class Eligibility:
    route: str
    since: date
    basis: str


@dataclass
class PowerUse:
    power_id: str
    power: str
    details: str
    exercised_on: date


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
class MSPMeeting:
    meeting_id: str
    meets_on: date
    status: str = "scheduled"  # scheduled, held, cancelled
    attendees: list[str] = field(default_factory=list)
    minutes: str | None = None
    recorded_in: int = 0


@dataclass
class MSPAction:
    action_id: str
    meeting_id: str
    description: str
    owner: str
    due: date
    completed_on: date | None = None
    recorded_in: int = 0


@dataclass
class MSPGroup:
    members: list[str]
    cadence_weeks: int
    established_on: date
    closed_on: date | None = None
    recorded_in: int = 0
    meetings: dict[str, MSPMeeting] = field(default_factory=dict)
    actions: dict[str, MSPAction] = field(default_factory=dict)

    @property
    def next_meeting(self) -> MSPMeeting | None:
        scheduled = [m for m in self.meetings.values() if m.status == "scheduled"]
        return min(scheduled, key=lambda m: m.meets_on, default=None)

    @property
    def last_meeting(self) -> MSPMeeting | None:
        held = [m for m in self.meetings.values() if m.status == "held"]
        return max(held, key=lambda m: m.meets_on, default=None)


@dataclass
class CategorySpell:
    category: str
    scheme: str
    since: date
    reason: str
    recorded_in: int = 0


@dataclass
class Inspection:
    inspection_id: str
    inspected_on: date
    published_on: date
    framework: str
    overall: int | None
    category: str | None
    report_card: dict[str, str]
    safeguarding: str | None
    recorded_in: int = 0


@dataclass
class Visit:
    visit_id: str
    kind: str
    visited_on: date
    notes: str
    recorded_in: int


@dataclass
class DeadlineOverride:
    extended_to: date | None = None
    suspended: bool = False
    reason: str = ""


@dataclass
class Correction:
    kind: str  # "retracted" or "amended"
    by_version: int
    reason: str
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class CaseFileState:
    school: School | None = None
    concerns: dict[str, Concern] = field(default_factory=dict)
    letters: list[Letter] = field(default_factory=list)
    warning_notices: dict[str, WarningNotice] = field(default_factory=dict)
    eligibility: dict[str, Eligibility] = field(default_factory=dict)
    powers: list[PowerUse] = field(default_factory=list)
    ieb_applications: dict[str, IEBApplication] = field(default_factory=dict)
    iebs: list[IEB] = field(default_factory=list)
    msp_groups: list[MSPGroup] = field(default_factory=list)
    categories: list[CategorySpell] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)
    msp_actions: dict[str, MSPAction] = field(default_factory=dict)  # of every group, by id
    caseworker: tuple[str, str] | None = None  # (name, email)
    visits: list[Visit] = field(default_factory=list)
    statements_of_action: dict[str, date] = field(default_factory=dict)  # by inspection id
    category_reviewed_on: date | None = None
    deadline_overrides: dict[str, DeadlineOverride] = field(default_factory=dict)
    fired: set[tuple[str, date, int]] = field(default_factory=set)  # (key, due, days before)
    corrections: dict[int, list[Correction]] = field(default_factory=dict)
    latest_effective: date = date.min

    # What a reader asks of a case file ------------------------------------------------

    @property
    def retracted(self) -> set[int]:
        return {v for v, cs in self.corrections.items() if any(c.kind == "retracted" for c in cs)}

    @property
    def category(self) -> CategorySpell | None:
        return self.categories[-1] if self.categories else None

    @property
    def inspection(self) -> Inspection | None:
        return self.inspections[-1] if self.inspections else None

    @property
    def open_concerns(self) -> list[Concern]:
        return [c for c in self.concerns.values() if c.resolved_on is None]

    @property
    def open_warning_notices(self) -> list[WarningNotice]:
        return [n for n in self.warning_notices.values() if n.status == "open"]

    @property
    def latest_failed_notice(self) -> WarningNotice | None:
        failed = [n for n in self.warning_notices.values() if n.complied is False]
        return max(failed, key=lambda n: n.compliance_date, default=None)

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

    @property
    def msp(self) -> MSPGroup | None:
        return next((g for g in self.msp_groups if g.closed_on is None), None)


    # How each entry changes the state ------------------------------------------------

    def apply(self, event: Any) -> None:
        self.apply_all((event,))

    def apply_all(self, events: Iterable[Any]) -> None:
        """Applies the entries in turn (a fold applies thousands: one call for them all)."""
        handlers = _HANDLERS
        latest = self.latest_effective
        for event in events:
            cls = type(event)
            try:
                handler = handlers[cls]
            except KeyError:  # the first entry of its class: found by name, then remembered
                handler = handlers[cls] = getattr(CaseFileState, f"_on_{cls.__name__}", None)
            if handler is not None:
                handler(self, event)
            if event.effective > latest:
                latest = event.effective
        self.latest_effective = latest

    def _on_Registered(self, e: Any) -> None:
        self.school = School(
            urn=e.urn, name=e.name, phase=e.phase, establishment_type=e.establishment_type,
            governance=e.governance, la_code=e.la_code, pupils=e.pupils, opened_on=e.opened_on,
            closed_on=e.closed_on, religious_character=e.religious_character,
            predecessor_urn=e.predecessor_urn, registered_on=e.effective,
            register_extract_on=e.register_extract_on,
        )

    def _on_DetailsChanged(self, e: Any) -> None:
        if self.school is not None:
            for name, value in e.changes.items():
                setattr(self.school, name, value)

    def _on_SchoolLinked(self, e: Any) -> None:
        if self.school is not None:
            self.school.links.append(
                Link(e.link_urn, e.link_name, e.link_type, e.relation, e.established_on))

    def _on_SuccessorLinked(self, e: Any) -> None:
        if self.school is not None:
            self.school.successor_urn = e.successor_urn

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

    def _on_WarningNoticeIssued(self, e: Any) -> None:
        self.warning_notices[e.notice_id] = WarningNotice(
            e.notice_id, e.issuer, e.section, e.grounds, e.matters, e.required_actions,
            e.compliance_period, e.compliance_date, e.minded_action, e.copies_to, e.effective,
            recorded_in=e.originator_version,
        )

    def _on_ComplianceRecorded(self, e: Any) -> None:
        if notice := self.warning_notices.get(e.notice_id):
            notice.complied, notice.compliance_recorded_on = e.complied, e.effective
            notice.compliance_evidence = e.evidence

    def _on_WarningNoticeWithdrawn(self, e: Any) -> None:
        if notice := self.warning_notices.get(e.notice_id):
            notice.withdrawn_on = e.effective

    def _on_WarningNoticeSuperseded(self, e: Any) -> None:
        if notice := self.warning_notices.get(e.notice_id):
            notice.superseded_by = e.superseded_by

    def _on_InterventionNoticeGiven(self, e: Any) -> None:
        if notice := self.warning_notices.get(e.notice_id):
            notice.intervention_notice_on = e.effective

    def _on_BecameEligible(self, e: Any) -> None:
        self.eligibility[e.route] = Eligibility(e.route, e.effective, e.basis)

    def _on_EligibilityCeased(self, e: Any) -> None:
        self.eligibility.pop(e.route, None)

    def _on_PowerExercised(self, e: Any) -> None:
        self.powers.append(PowerUse(e.power_id, e.power, e.details, e.effective))

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

    def _on_MSPGroupEstablished(self, e: Any) -> None:
        self.msp_groups.append(MSPGroup(list(e.members), e.cadence_weeks, e.effective,
                                        recorded_in=e.originator_version))
        self._falls_due_afresh("msp_meeting_due:next")

    def _on_MSPMeetingScheduled(self, e: Any) -> None:
        if group := self.msp:
            group.meetings[e.meeting_id] = MSPMeeting(
                e.meeting_id, e.meets_on, recorded_in=e.originator_version
            )

    def _on_MSPMeetingMoved(self, e: Any) -> None:
        if (group := self.msp) and (meeting := group.meetings.get(e.meeting_id)):
            meeting.meets_on = e.meets_on

    def _on_MSPMeetingCancelled(self, e: Any) -> None:
        if (group := self.msp) and (meeting := group.meetings.get(e.meeting_id)):
            meeting.status = "cancelled"

    def _on_MSPMeetingHeld(self, e: Any) -> None:
        if group := self.msp:
            meeting = group.meetings.setdefault(e.meeting_id, MSPMeeting(e.meeting_id, e.effective))
            meeting.status, meeting.meets_on = "held", e.effective
            meeting.attendees, meeting.minutes = list(e.attendees), e.minutes
            for a in e.actions:
                action = MSPAction(
                    a["action_id"], e.meeting_id, a["description"], a["owner"], a["due"],
                    recorded_in=e.originator_version,
                )
                group.actions[action.action_id] = self.msp_actions[action.action_id] = action
        self._falls_due_afresh("msp_meeting_due:next")

    def _on_MSPActionCompleted(self, e: Any) -> None:
        if action := self.msp_actions.get(e.action_id):
            action.completed_on = e.effective

    def _on_MSPGroupClosed(self, e: Any) -> None:
        if group := self.msp:
            group.closed_on = e.effective

    def _on_CategoryChanged(self, e: Any) -> None:
        self.categories.append(CategorySpell(e.to_category, e.scheme, e.effective, e.reason,
                                             recorded_in=e.originator_version))
        self._falls_due_afresh("visit:next", "category_review:next")

    def _on_InspectionRecorded(self, e: Any) -> None:
        insort(self.inspections, Inspection(
            e.inspection_id, e.inspected_on, e.effective, e.framework, e.overall, e.category,
            dict(e.report_card), e.safeguarding, recorded_in=e.originator_version,
        ), key=_inspected_on)  # after any inspected the same day, as a stable sort puts it

    def _on_CaseworkerAssigned(self, e: Any) -> None:
        self.caseworker = (e.name, e.email)

    def _on_VisitRecorded(self, e: Any) -> None:
        self.visits.append(Visit(e.visit_id, e.kind, e.effective, e.notes, e.originator_version))
        self._falls_due_afresh("visit:next")

    def _on_StatementOfActionSent(self, e: Any) -> None:
        self.statements_of_action[e.inspection_id] = e.effective

    def _on_CategoryReviewed(self, e: Any) -> None:
        self.category_reviewed_on = e.effective
        self._falls_due_afresh("category_review:next")

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


_inspected_on = attrgetter("inspected_on")

_HANDLERS: dict[type, Any] = {}
"""Each entry class's handler on CaseFileState (or None): the fold looks it up by class
name once per class rather than once per entry."""

CORRECTIONS = ("EntryRetracted", "EntryAmended")


def fold(
    entries: Iterable[Any], as_at: date | None = None, as_known_at: datetime | None = None
) -> CaseFileState:
    """The state as at ``as_at`` by what was recorded up to ``as_known_at``.

    Corrections apply whatever their own effective date: a retraction says the entry was never
    true. The rest apply in effective-date order, so a backdated entry lands where it belongs.
    """
    known = (list(entries) if as_known_at is None
             else [e for e in entries if e.timestamp <= as_known_at])
    state = CaseFileState()
    amendments: dict[int, dict[str, Any]] = {}
    correcting = _CORRECTING
    corrected = False
    for e in known:
        cls = type(e)
        kind = correcting.get(cls)
        if kind is None:
            kind = correcting[cls] = cls.__name__ if cls.__name__ in CORRECTIONS else ""
        if not kind:
            continue
        corrected = True
        if kind == "EntryRetracted":
            state.corrections.setdefault(e.version, []).append(
                Correction("retracted", e.originator_version, e.reason))
        else:
            state.corrections.setdefault(e.version, []).append(
                Correction("amended", e.originator_version, e.reason, dict(e.changes)))
            amendments.setdefault(e.version, {}).update(e.changes)
    if corrected:
        retracted = state.retracted
        facts = []
        for e in known:
            version = e.originator_version
            if version in retracted or correcting[type(e)]:
                continue
            if version in amendments:
                e = replace(e, **amendments[version])
            if as_at is None or e.effective <= as_at:
                facts.append(e)
    elif as_at is None:
        facts = known
    else:
        facts = [e for e in known if e.effective <= as_at]
    facts.sort(key=_in_effect_order)
    state.apply_all(facts)
    return state


_CORRECTING: dict[type, str] = {}
"""Each entry class's name if it corrects another entry, else "" (looked up once a class)."""


_in_effect_order = attrgetter("effective", "originator_version")
