"""Plain-data views of a case file, for the CLI, the web pages and the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Any

from application.entry_details import entry_fields, entry_kinds
from domain.areas.academy_orders import BASES, order_words
from domain.areas.coasting import DEFINITIONS, ENDINGS
from domain.areas.concerns import SOURCE_NOT_RECORDED
from domain.areas.corrections import recorded_by_scc
from domain.areas.documents import LETTERS
from domain.areas.eligibility import ELIGIBILITY_ROUTES, power_words, proposal_words
from domain.areas.register import consultee_named
from domain.areas.sign_off import step_name
from domain.areas.warning_notices import copy_names
from domain.categories import CategoryScheme
from domain.deadlines import deadline_words
from domain.errors import CaseFileError
from domain.identity import identity_words
from domain.ofsted import framework_on
from domain.status import CaseFileState, Correction, School
from domain.wording import long_date


def concern_reasons(state: CaseFileState, scheme: CategoryScheme, on: date) -> list[str]:
    """Why a school is a School Causing Concern on a date, if it is (local policy:
    ``category_scheme``; statute: an Ofsted category, eligibility for intervention or a
    warning notice). A school that has closed causes no concern."""
    assert state.school is not None
    if not state.school.is_open_on(on):
        return []
    reasons = []
    if state.category is not None:
        try:
            if scheme.is_causing_concern(state.category.category):
                reasons.append(f"LA category {state.category.category}")
        except CaseFileError:  # a category of a scheme the LA no longer uses
            pass
    if state.inspection is not None and state.inspection.category:
        reasons.append(f"Ofsted: {state.inspection.category}")
    reasons += [f"eligible for intervention: {ELIGIBILITY_ROUTES[route]}"
                for route in state.eligibility]
    reasons += [f"warning notice {n.notice_id} open" for n in state.open_warning_notices]
    if state.ieb is not None:
        reasons.append("interim executive board in place")
    return reasons


def describe_status(state: CaseFileState, scheme: CategoryScheme, today: date) -> dict[str, Any]:
    """A school's status as plain data (dates stay dates; the caller formats them)."""
    school = state.school
    assert school is not None
    inspection = state.inspection
    category = state.category
    msp = state.msp
    return {
        **asdict(school),
        "is_open": school.is_open_on(today),
        "category": category.category if category else None,
        "category_label": _category_label(scheme, category.category) if category else None,
        "category_since": category.since if category else None,
        "ofsted": None if inspection is None else {
            "inspection_id": inspection.inspection_id,
            "inspected_on": inspection.inspected_on,
            "published_on": inspection.published_on,
            "framework": inspection.framework,
            "overall": inspection.overall,
            "overall_label": framework_on(inspection.inspected_on).describe(inspection.overall),
            "category": inspection.category,
            "report_card": inspection.report_card,
            "safeguarding": inspection.safeguarding,
            "received_on": inspection.received_on,
        },
        "causing_concern": bool(reasons := concern_reasons(state, scheme, today)),
        "concern_reasons": reasons,
        "open_concerns": [asdict(c) for c in state.open_concerns],
        "warning_notices": [
            {**asdict(n), "status": n.status} for n in state.warning_notices.values()
        ],
        "sign_off_drafts": [{**asdict(d), "name": d.name}
                            for d in state.sign_off_drafts.values()],
        "eligibility": [asdict(e) for e in state.eligibility.values()],
        "coasting": asdict(state.coasting) if state.coasting else None,
        "powers": [{**asdict(p), "words": power_words(p.power)} for p in state.powers],
        "academy_orders": [
            {**asdict(o), "status": state.academy_order_status(o), "words": order_words(state, o, today)}
            for o in state.academy_orders],
        "academy_order_expected": state.academy_order_expected(today),
        "rise": None if state.rise is None else asdict(state.rise),
        "ieb_applications": [asdict(a) for a in state.ieb_applications.values()],
        "ieb": asdict(state.ieb) if state.ieb else None,
        "arrangements_consultations": [asdict(c) for c in state.arrangements_consultations],
        "msp": None if msp is None else {
            "members": msp.members,
            "cadence_weeks": msp.cadence_weeks,
            "established_on": msp.established_on,
            "next_meeting": asdict(msp.next_meeting) if msp.next_meeting else None,
            "last_meeting": asdict(msp.last_meeting) if msp.last_meeting else None,
            "open_actions": [asdict(a) for a in msp.actions.values() if a.completed_on is None],
        },
        "caseworker": None if state.caseworker is None else dict(
            zip(("name", "email"), state.caseworker, strict=True)),
        "open_tasks": [asdict(t) for t in state.open_tasks],
        "category_history": [asdict(c) for c in state.categories],
        "inspections": [asdict(i) for i in state.inspections],
        "predecessors": linked_schools(school, "predecessor"),
        "successors": linked_schools(school, "successor"),
    }


def linked_schools(school: School, relation: str) -> list[dict[str, Any]]:
    """The schools that are this one's predecessors (or successors): the school an academy
    was converted from in scc (``predecessor_urn``, ``successor_urn``) and those the GIAS links
    file names (``scc import-links``), each once, with how GIAS words the link."""
    found = {link.urn: {"urn": link.urn, "name": link.name, "link_type": link.link_type,
                        "established_on": link.established_on}
             for link in school.links if link.relation == relation}
    converted = school.predecessor_urn if relation == "predecessor" else school.successor_urn
    if converted is not None and converted not in found:
        found[converted] = {"urn": converted, "name": "", "established_on": None,
                            "link_type": "Predecessor" if relation == "predecessor"
                            else "Successor"}
    return list(found.values())


def describe_entry(event: Any, corrections: list[Correction],
                   state: CaseFileState | None = None) -> dict[str, Any]:
    """One entry of the history: what, when effective, when recorded, by whom, corrections,
    and every field in words (``fields``; given the case file's ``state``, a deadline's MSP
    action says what it is)."""
    details = {
        k: v for k, v in vars(event).items()
        if k not in ("originator_id", "originator_version", "timestamp", "originator_topic",
                     "effective", "by", "actor")
    }
    return {
        "version": event.originator_version,
        "event": type(event).__name__,
        "summary": summarise(event, state),
        "fields": entry_fields(event, state),
        "area": ENTRY_AREAS.get(type(event).__name__, ""),
        "by_scc": recorded_by_scc(event),
        "effective": event.effective,
        "recorded_at": event.timestamp,
        "by": event.by,
        "by_identity": identity_words(getattr(event, "actor", None)),
        "actor": getattr(event, "actor", None),
        "details": details,
        "corrections": [asdict(c) for c in corrections],
        "retracted": any(c.kind == "retracted" for c in corrections),
    }


READING_AIDS = ("fields", "area", "by_scc")
"""What ``describe_entry`` adds for reading an entry (its fields in words, its area, whether
scc recorded it itself): left
out of the JSON exports, which give the entry's stored ``details`` as they are."""

ENTRY_AREAS = entry_kinds()
"""The title of the area each kind of entry belongs to (the timeline's filter by area)."""


SOURCE_WORDS = {
    "performance data": "performance data", "Ofsted report": "an Ofsted report",
    "school visit": "a school visit", "complaint": "a complaint",
    "financial monitoring": "financial monitoring",
    "safeguarding referral": "a safeguarding referral", "other": "another source",
}
"""A concern's source as the history says it: "raised (standards, from a school visit)"."""


def summarise(e: Any, state: CaseFileState | None = None) -> str:
    """One line in the LA's words for a history entry. Given the case file's state, an
    entry about a deadline also says what an MSP action it names is."""
    kind = type(e).__name__
    about_deadline = _DEADLINE_SUMMARIES.get(kind)
    if about_deadline is not None:
        return about_deadline(e, deadline_words(e.key, state))
    words = _SUMMARIES.get(kind)
    return kind if words is None else words(e)


def _concern_raised(e: Any) -> str:
    source = "" if e.source == SOURCE_NOT_RECORDED else f", from {SOURCE_WORDS[e.source]}"
    return f"Concern {e.concern_id} raised ({e.ground}{source}): {e.description}"


def _warning_notice_issued(e: Any) -> str:
    grounds = ", ".join(f"({g})" for g in e.grounds) or "pay and conditions"
    words = (f"Warning notice {e.notice_id} ({e.section}) given by the {e.issuer} on "
             f"{grounds}; comply by {long_date(e.compliance_date)} "
             f"({e.compliance_period} working days)")
    if e.copies_missing:
        words += ("; WARNING: no copy recorded to the "
                  + ", the ".join(copy_names(e.copies_missing)) + " (s60(6))")
    return words


def _intervention_notice_given(e: Any) -> str:
    if e.proposed_powers is None:
        proposed = "powers proposed not recorded"
    else:
        proposed = "proposes to " + "; ".join(proposal_words(p) for p in e.proposed_powers)
    words = f"Written notice of proposed intervention after {e.notice_id}: {proposed}"
    if e.powers_from is not None:
        words += f", from {long_date(e.powers_from)}"
    return words + (f" ({e.proposed_action})" if e.proposed_action else "")


def _inspection_recorded(e: Any) -> str:
    judgement = framework_on(e.inspected_on).describe(e.overall) or "no overall grade"
    category = f", {e.category}" if e.category else ""
    received = (f"; report received {long_date(e.received_on)}"
                if getattr(e, "received_on", None) else "")
    return f"Ofsted inspection of {long_date(e.inspected_on)}: {judgement}{category}{received}"


def _coasting_notified(e: Any) -> str:
    definition = next((r.title for r in DEFINITIONS if r.key == e.regulations), e.regulations)
    return (f"The Secretary of State notified the governing body on {long_date(e.notified_on)} "
            f"that the school is coasting (s60B); {definition[:1].lower()}{definition[1:]}")


def _msp_meeting_held(e: Any) -> str:
    return (f"MSP meeting {e.meeting_id} held; "
            f"{len(e.actions) or 'no'} action{'' if len(e.actions) == 1 else 's'} agreed")


def _instrument_words(instrument_on: date | None) -> str:
    """The written instrument appointing IEB members, where the entry records one."""
    if instrument_on is None:
        return ""
    return f" (appointed by instrument of {long_date(instrument_on)})"


def _reminder_sent(e: Any, what: str) -> str:
    return (f"Reminder: {what} due {long_date(e.due)} "
            f"({e.working_days_before} working day{'s' if e.working_days_before > 1 else ''}"
            " to go)")


_DEADLINE_SUMMARIES: dict[str, Callable[[Any, str], str]] = {
    # Given the deadline's key in words (domain.deadlines.deadline_words).
    "DeadlineExtended": lambda e, what: (
        f"Deadline extended: {what}, now due {long_date(e.due)}: {e.reason}"),
    "DeadlineSuspended": lambda e, what: f"Deadline suspended: {what}: {e.reason}",
    "DeadlineResumed": lambda e, what: f"Deadline resumed: {what}: {e.reason}",
    "ReminderSent": _reminder_sent,
    "DeadlinePassed": lambda e, what: f"Deadline passed: {what}, due {long_date(e.due)}",
}


_SUMMARIES: dict[str, Callable[[Any], str]] = {
    # Looked up by the entry's class name: a rebuild summarises every entry in the log.
    "Registered": lambda e: f"Case file opened: {e.name} ({e.governance}, {e.phase})",
    "DetailsChanged": lambda e: "Details changed: " + ", ".join(
        f"{k} {v}" for k, v in e.changes.items()),
    "SuccessorLinked": lambda e: f"Converted: now URN {e.successor_urn}",
    "SchoolLinked": lambda e: f"Linked to URN {e.link_urn} {e.link_name} ({e.link_type})",
    "ConcernRaised": _concern_raised,
    "ConcernCommunicated": lambda e: f"Concern {e.concern_id} communicated to the {e.recipient}",
    "ConcernResolved": lambda e: f"Concern {e.concern_id} resolved: {e.outcome}",
    "LetterOfConcernSent": lambda e: (
        f"Letter of concern {e.letter_id} sent to the {e.recipient}"),
    "WarningNoticeIssued": _warning_notice_issued,
    "ComplianceRecorded": lambda e: (
        f"Warning notice {e.notice_id}: "
        f"{'complied with' if e.complied else 'NOT complied with'}"),
    "WarningNoticeWithdrawn": lambda e: f"Warning notice {e.notice_id} withdrawn: {e.reason}",
    "WarningNoticeSuperseded": lambda e: (
        f"Warning notice {e.notice_id} superseded by {e.superseded_by}"),
    "InterventionNoticeGiven": _intervention_notice_given,
    "RepresentationsToOfstedMade": lambda e: (
        f"Governing body made representations to Ofsted on warning notice {e.notice_id}: "
        f"{e.summary}"),
    "OfstedDecisionOnNotice": lambda e: (
        f"Ofsted {'confirmed' if e.confirmed else 'did NOT confirm'} warning notice "
        f"{e.notice_id}" + (f": {e.details}" if e.details else "")),
    "BecameEligible": lambda e: (
        f"Eligible for intervention: {ELIGIBILITY_ROUTES[e.route]}"),
    "EligibilityCeased": lambda e: (
        f"No longer eligible ({ELIGIBILITY_ROUTES[e.route]}): {e.reason}"),
    "CoastingNotified": _coasting_notified,
    "CoastingEnded": lambda e: f"No longer coasting: {ENDINGS[e.how]}",
    "PowerExercised": lambda e: power_words(e.power),
    "AcademyOrderMade": lambda e: (
        f"Academy order {e.order_id} made by the Secretary of State on {BASES[e.basis]}"),
    "AcademyOrderRevoked": lambda e: (
        f"Academy order {e.order_id} revoked by the Secretary of State (s5D): {e.reason}"),
    "RiseIdentified": lambda e: f"Identified for RISE targeted intervention: {e.basis}",
    "RiseAdviserAssigned": lambda e: f"RISE adviser: {e.adviser}",
    "RisePlanAgreed": lambda e: "RISE improvement plan agreed",
    "RiseReviewHeld": lambda e: f"RISE review {e.review_id}: {e.outcome}",
    "RiseExited": lambda e: f"Left RISE targeted intervention: {e.reason}",
    "IEBApplicationDrafted": lambda e: f"IEB application {e.application_id} drafted",
    "IEBConsultationRecorded": lambda e: (
        f"IEB {e.application_id}: {consultee_named(e.consultee)} consulted"),
    "ArrangementsConsultationRecorded": lambda e: (
        f"Before requiring arrangements (s63): {consultee_named(e.consultee)} consulted"),
    "IEBApplicationSubmitted": lambda e: (
        f"IEB application {e.application_id} sent to the Secretary of State"),
    "IEBConsentGiven": lambda e: f"Secretary of State consented to IEB {e.application_id}",
    "IEBConsentRefused": lambda e: f"Secretary of State refused IEB {e.application_id}",
    "IEBConstituted": lambda e: (
        f"Interim executive board constituted: {', '.join(e.members)}"
        + _instrument_words(e.instrument_on)),
    "IEBMembersChanged": lambda e: (
        f"IEB members now: {', '.join(e.members)}" + _instrument_words(e.instrument_on)),
    "IEBEnded": lambda e: f"Interim executive board ended: {e.reason}",
    "MSPActionCompleted": lambda e: f"MSP action {e.action_id} completed",
    "MSPMeetingScheduled": lambda e: (
        f"MSP meeting {e.meeting_id} set for {long_date(e.meets_on)}"),
    "MSPMeetingHeld": _msp_meeting_held,
    "MSPGroupEstablished": lambda e: (
        f"MSP group established, meeting every {e.cadence_weeks} weeks"),
    "MSPMeetingMoved": lambda e: f"MSP meeting {e.meeting_id} moved to {long_date(e.meets_on)}",
    "MSPMeetingCancelled": lambda e: f"MSP meeting {e.meeting_id} cancelled: {e.reason}",
    "MSPGroupClosed": lambda e: f"MSP group closed: {e.reason}",
    "CategoryChanged": lambda e: (
        f"LA category {e.from_category or 'none'} → {e.to_category}: {e.reason}"),
    "InspectionRecorded": _inspection_recorded,
    "CaseworkerAssigned": lambda e: f"Case assigned to {e.name}",
    "TaskSet": lambda e: (
        f"Task {e.task_id} for {e.owner_name}, due {long_date(e.due)}: {e.what}"),
    "TaskReassigned": lambda e: f"Task {e.task_id} handed to {e.owner_name}",
    "TaskDone": lambda e: f"Task {e.task_id} done" + (f": {e.note}" if e.note else ""),
    "LetterProduced": lambda e: (
        f"Letter {e.document_id} produced: {LETTERS[e.kind].title if e.kind in LETTERS else e.kind}"
        + (f" to the {e.recipient}" if e.recipient else "") + f" ({e.file_name})"),
    "SentVersionAttached": lambda e: (
        f"Letter {e.document_id} as sent attached ({e.file_name})"),
    "EvidenceAttached": lambda e: (
        f"Evidence {e.document_id} attached"
        + (f" to entry {e.to_entry}" if e.to_entry is not None else "")
        + f": {e.description} ({e.file_name})"),
    "PersonalDataErased": lambda e: f"Personal data erased under {e.rule}: {e.what}",
    "VisitRecorded": lambda e: f"{e.kind.capitalize()} visit {e.visit_id}",
    "StatementOfActionSent": lambda e: (
        f"Statement of action sent on Ofsted inspection {e.inspection_id}"),
    "CategoryReviewed": lambda e: f"LA category {e.category} reviewed and kept: {e.reason}",
    "EntryRetracted": lambda e: f"Entry {e.version} retracted: {e.reason}",
    "EntryAmended": lambda e: f"Entry {e.version} amended ({', '.join(e.changes)}): {e.reason}",
    "StepDrafted": lambda e: (
        f"Draft {e.draft_id}: {step_name(e.step)} drafted for approval"
        + (f" ({e.reason})" if e.reason else "")),
    "DraftReturned": lambda e: f"Draft {e.draft_id} returned to be redrafted: {e.reason}",
    "StepRedrafted": lambda e: (
        f"Draft {e.draft_id} redrafted for approval" + (f" ({e.reason})" if e.reason else "")),
    "DraftApproved": lambda e: (
        f"Draft {e.draft_id} approved" + (f": {e.made} takes effect" if e.made else "")),
    "DraftWithdrawn": lambda e: f"Draft {e.draft_id} withdrawn: {e.reason}",
}


def _category_label(scheme: CategoryScheme, code: str) -> str | None:
    try:
        return scheme.category(code).label
    except CaseFileError:
        return None


def compare_status(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, str]]:
    """What changed in a school's status between two views of it (``describe_status``, e.g. as
    at two dates): one row ``{aspect, before, after}`` in the LA's words for each thing that
    differs: LA category, Ofsted, concern, each warning notice, eligibility, IEB, MSP group."""
    was, now = status_aspects(before), status_aspects(after)
    return [{"aspect": aspect, "before": was.get(aspect, NOT_GIVEN),
             "after": now.get(aspect, NOT_GIVEN)}
            for aspect in changed_aspects(was, now)]


def status_aspects(status: dict[str, Any]) -> dict[str, str]:
    """Each aspect of a status that ``compare_status`` compares, in the LA's words, in the
    order a difference lists them (warning notices by number, after the concern)."""
    notices = sorted(status["warning_notices"], key=lambda n: _numbered(n["notice_id"]))
    return {
        "LA category": _category_words(status),
        "Ofsted": _ofsted_words(status),
        "Causing concern": _concern_words(status),
        **{f"Warning notice {n['notice_id']}": _notice_words(n) for n in notices},
        "Eligible for intervention": _eligibility_words(status),
        "Academy order": _academy_order_words(status),
        "RISE targeted intervention": _rise_words(status),
        "Interim executive board": _ieb_words(status),
        "MSP group": _msp_words(status),
        "Open MSP actions": _msp_actions_words(status),
    }


def changed_aspects(was: dict[str, str], now: dict[str, str]) -> list[str]:
    """The aspects whose words differ, in ``status_aspects``' order (a notice given only in
    ``now`` takes its place by number among those in ``was``)."""
    order = {aspect: n for n, aspect in enumerate(status_aspects(_NOTHING))}
    notices = order["Causing concern"] + 0.5

    def place(aspect: str) -> tuple[float, tuple[str, int]]:
        if aspect in order:
            return order[aspect], ("", 0)
        return notices, _numbered(aspect.removeprefix("Warning notice "))

    return sorted((a for a in was.keys() | now.keys()
                   if was.get(a, NOT_GIVEN) != now.get(a, NOT_GIVEN)), key=place)


def cite_entry(entry: Any) -> dict[str, Any]:
    """An entry as a difference cites it: its number, dates, who recorded it and what it
    says."""
    return {"version": entry.originator_version, "effective": entry.effective,
            "recorded_at": entry.timestamp, "by": entry.by,
            "by_identity": identity_words(getattr(entry, "actor", None)),
            "summary": summarise(entry)}


NOT_GIVEN = "not given"
"""A warning notice in one of two compared statuses only: not given in the other."""

_NOTHING: dict[str, Any] = {
    "category": None, "ofsted": None, "causing_concern": False, "concern_reasons": [],
    "warning_notices": [], "eligibility": [], "academy_orders": [], "rise": None, "ieb": None,
    "ieb_applications": [], "msp": None,
}
"""A status with nothing in it: ``status_aspects`` of it gives the aspects' order."""


def _category_words(status: dict[str, Any]) -> str:
    if status["category"] is None:
        return "none"
    label = f" ({status['category_label']})" if status["category_label"] else ""
    return f"{status['category']}{label} since {long_date(status['category_since'])}"


def _ofsted_words(status: dict[str, Any]) -> str:
    ofsted = status["ofsted"]
    if ofsted is None:
        return "no inspection recorded"
    judgement = ofsted["overall_label"] or "no overall grade"
    category = f", {ofsted['category']}" if ofsted["category"] else ""
    return f"inspection of {long_date(ofsted['inspected_on'])}: {judgement}{category}"


def _concern_words(status: dict[str, Any]) -> str:
    return "yes: " + "; ".join(status["concern_reasons"]) if status["causing_concern"] else "no"


def _notice_words(notice: dict[str, Any]) -> str:
    if notice["status"] == "open":
        return f"open, comply by {long_date(notice['compliance_date'])}"
    return notice["status"]


def _eligibility_words(status: dict[str, Any]) -> str:
    routes = [ELIGIBILITY_ROUTES[e["route"]] for e in status["eligibility"]]
    return "; ".join(routes) if routes else "not eligible"


def _academy_order_words(status: dict[str, Any]) -> str:
    if status.get("academy_order_expected"):
        return "expected under the former duty (s4(A1)), none recorded"
    orders = status.get("academy_orders") or []
    if not orders:
        return "none"
    latest = orders[-1]
    status = "in effect" if latest["status"] == "made" else latest["status"]
    return f"{latest['order_id']} made {long_date(latest['made_on'])}: {status}"


def _rise_words(status: dict[str, Any]) -> str:
    spell = status.get("rise")
    if spell is None:
        return "no"
    adviser = f", adviser {spell['adviser']}" if spell["adviser"] else ""
    return f"since {long_date(spell['identified_on'])}{adviser}"


def _ieb_words(status: dict[str, Any]) -> str:
    board = status["ieb"]
    if board is not None:
        return f"in place since {long_date(board['starts_on'])} ({len(board['members'])} members)"
    pending = [a for a in status["ieb_applications"]
               if a["stage"] in ("drafted", "submitted", "consented")]
    if pending:
        return f"application {pending[-1]['application_id']} {pending[-1]['stage']}"
    return "none"


def _msp_words(status: dict[str, Any]) -> str:
    msp = status["msp"]
    if msp is None:
        return "none"
    return (f"established {long_date(msp['established_on'])}, "
            f"meets every {msp['cadence_weeks']} weeks")


def _msp_actions_words(status: dict[str, Any]) -> str:
    actions = status["msp"]["open_actions"] if status["msp"] else []
    return ", ".join(a["action_id"] for a in actions) or "none"


def _numbered(identifier: str) -> tuple[str, int]:
    """WN2 before WN10."""
    prefix = identifier.rstrip("0123456789")
    number = identifier[len(prefix):]
    return prefix, int(number) if number else 0
