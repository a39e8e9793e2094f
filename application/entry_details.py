"""Every field of a case-file entry as labelled values in the LA's words, for the timeline,
the printable history and the exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from domain.areas.academy_orders import BASES
from domain.areas.coasting import DEFINITIONS, ENDINGS
from domain.areas.concerns import SOURCE_NOT_RECORDED
from domain.areas.core import CaseFileEvent
from domain.areas.documents import LETTERS
from domain.areas.eligibility import ELIGIBILITY_ROUTES, POWERS, power_words, proposal_words
from domain.areas.register import consultee_named
from domain.areas.sign_off import step_name
from domain.areas.warning_notices import (
    COPY_RECIPIENTS,
    WARNING_NOTICE_GROUNDS,
    WARNING_NOTICE_SECTIONS,
)
from domain.case_file import AREAS
from domain.deadlines import deadline_words
from domain.ofsted import framework_on
from domain.status import CaseFileState
from domain.wording import long_date

Value = str | list[str]
"""One line of text (maybe with line breaks, as written), or a list read as a list."""

Field = tuple[str, Value]

SHOWN_ELSEWHERE = frozenset({
    "originator_id", "originator_version", "timestamp", "originator_topic",
    "originator_id_type", "effective", "by", "actor", "link",
})
"""Fields every entry has, shown in its heading (entry number, recorded, effective, by) or
kept for the store and the hash chain (``link``, the stream's id) and never for reading."""


def _text(value: Any) -> Value | None:
    return str(value) if value not in (None, "") else None


def _day(value: date | None) -> Value | None:
    return None if value is None else long_date(value)


def _items(values: list[Any] | None) -> Value | None:
    return [str(v) for v in values] if values else None


def _yes_no(value: bool) -> Value:
    return "Yes" if value else "No"


def _named(words: dict[str, str]) -> Callable[[Any], Value | None]:
    """A stored key in words (a key this version does not know reads as itself)."""
    return lambda value: None if value in (None, "") else words.get(value, str(value))


def file_size(size: int) -> str:
    """A file's size as people say it: 840 bytes, 12 KB, 3.4 MB."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _urn(value: int | None) -> Value | None:
    return None if value is None else f"URN {value}"


# Field labels of the register's details, as a details change or an amendment names them.
REGISTER_FIELDS = {
    "name": "Name", "phase": "Phase", "establishment_type": "Type of establishment",
    "governance": "Governance", "la_code": "LA code", "pupils": "Pupils",
    "opened_on": "Opened", "closed_on": "Closed", "religious_character": "Religious character",
    "predecessor_urn": "Predecessor", "successor_urn": "Successor",
}


def _changes(changes: dict[str, Any]) -> Value | None:
    """A details change: each field as its label, and what it now reads."""
    if not changes:
        return None
    return [f"{REGISTER_FIELDS.get(name, name.replace('_', ' ').capitalize())}: "
            f"{_plain(value)}" for name, value in changes.items()]


def _plain(value: Any) -> str:
    if isinstance(value, date):
        return long_date(value)
    return "none" if value in (None, "") else str(value)


def _terms(terms: dict[str, str]) -> Value | None:
    return [f"{name}: {term}" for name, term in terms.items()] or None


def _msp_actions(actions: list[dict[str, Any]]) -> Value | None:
    return [f"{a['action_id']}: {a['description']} (owner {a['owner']}, due "
            f"{_plain(a['due'])})" for a in actions] or None


def _grounds(grounds: list[str]) -> Value:
    return [f"({g}) {WARNING_NOTICE_GROUNDS.get(g, g)}" for g in grounds] or [
        "Teachers' pay and conditions (s60A)"]


def _copies(recipients: list[str] | None) -> Value | None:
    if recipients is None:
        return "Not checked (recorded before scc checked copies)"
    return [_sentence(COPY_RECIPIENTS[r][0] if r in COPY_RECIPIENTS else r)
            for r in recipients] or "None"


def _regulations(key: str) -> Value:
    return next((r.title for r in DEFINITIONS if r.key == key), key)


def _report_card(card: dict[str, str]) -> Value | None:
    return [f"{_sentence(area)}: {grade}" for area, grade in card.items()] or None


# Each kind of entry: its fields in reading order, as (stored fields, label, words). A row
# whose words are None (an optional field left empty) is not shown.
Row = tuple[tuple[str, ...], str, Callable[[Any], Value | None]]


STEP_ARGUMENTS = {"grounds": "Grounds (s60(2))", "matters": "Matters relied on",
          "required_actions": "Action required", "minded_action":
          "Action the authority is minded to take", "compliance_period":
          "Compliance period (working days)", "compliance_date": "Comply by",
          "copies_to": "Copies to", "section": "Kind of notice", "issuer": "Given by",
          "with_secretary_of_state_agreement": "The Secretary of State agreed",
          "notice_id": "Warning notice", "proposed_powers": "Powers proposed",
          "proposed_action": "Proposed action", "application_id": "IEB application",
          "to": "Category", "reason": "Reason", "evidence": "Evidence"}


def step_arguments(arguments: dict[str, Any]) -> list[tuple[str, str]]:
    """What a draft of a step says (sign-off), each argument in words: the draft's page and
    its entries on the timeline."""
    rows = []
    for name, value in arguments.items():
        if value in (None, "", [], False):
            continue
        if name == "grounds":
            words = "; ".join(f"({g}) {WARNING_NOTICE_GROUNDS.get(g, '')}" for g in value)
        elif name == "section":
            words = WARNING_NOTICE_SECTIONS.get(value, value)
        elif isinstance(value, list):
            words = ", ".join(str(v) for v in value)
        elif value is True:
            words = "Yes"
        elif hasattr(value, "isoformat"):
            words = long_date(value)
        else:
            words = str(value)
        rows.append((STEP_ARGUMENTS.get(name, name.replace("_", " ").capitalize()), words))
    return rows


def _step_words(arguments: dict[str, Any]) -> Value | None:
    return [f"{label}: {words}" for label, words in step_arguments(arguments)] or None


def _row(name: str, label: str, words: Callable[[Any], Value | None] = _text) -> Row:
    return ((name,), label, lambda e: words(getattr(e, name, None)))


def _compliance_period(e: Any) -> Value:
    given = "given as a date" if getattr(e, "comply_by_date", False) else "given in working days"
    return f"{e.compliance_period} working days ({given})"


def _inspection_overall(e: Any) -> Value:
    return framework_on(e.inspected_on).describe(e.overall) or "No overall grade"


def _concern_source(e: Any) -> Value:
    return "Not recorded" if e.source == SOURCE_NOT_RECORDED else _sentence(e.source)


def _amended_changes(e: Any) -> Value:
    return [f"{name.replace('_', ' ').capitalize()} now reads: {wording}"
            for name, wording in e.changes.items()]


KINDS: dict[str, list[Row]] = {
    # Register
    "Registered": [
        _row("urn", "URN"), _row("name", "Name"), _row("phase", "Phase"),
        _row("establishment_type", "Type of establishment"),
        _row("governance", "Governance", lambda v: _sentence(v) if v else None),
        _row("la_code", "LA code"), _row("pupils", "Pupils"),
        _row("religious_character", "Religious character"),
        _row("opened_on", "Opened", _day), _row("closed_on", "Closed", _day),
        _row("predecessor_urn", "Predecessor", _urn),
        _row("register_extract_on", "From the register extract of", _day),
    ],
    "DetailsChanged": [_row("changes", "Changed", _changes)],
    "SuccessorLinked": [_row("successor_urn", "Now", _urn)],
    "SchoolLinked": [
        _row("link_urn", "Linked school", _urn), _row("link_name", "Its name"),
        _row("link_type", "Link (as GIAS words it)"),
        _row("relation", "Relation", lambda v: _sentence(v) if v else None),
        _row("established_on", "Link established", _day),
    ],
    "ArrangementsConsultationRecorded": [
        _row("consultee", "Consulted", lambda v: _sentence(consultee_named(v))),
        _row("response", "Response"),
    ],
    # Concerns
    "ConcernRaised": [
        _row("concern_id", "Concern"),
        _row("ground", "Ground", lambda v: _sentence(v)),
        (("source",), "Came to light through", _concern_source),
        _row("description", "Description"), _row("evidence", "Evidence"),
    ],
    "ConcernCommunicated": [
        _row("concern_id", "Concern"),
        _row("recipient", "Communicated to", lambda v: f"The {v}"),
        _row("note", "Note"),
    ],
    "ConcernResolved": [_row("concern_id", "Concern"), _row("outcome", "Outcome")],
    "LetterOfConcernSent": [
        _row("letter_id", "Letter"), _row("recipient", "Sent to", lambda v: f"The {v}"),
        _row("concern_ids", "Concerns it covers", _items), _row("summary", "Summary"),
    ],
    # Warning notices
    "WarningNoticeIssued": [
        _row("notice_id", "Notice"),
        _row("section", "Kind of notice", lambda v: _sentence(WARNING_NOTICE_SECTIONS.get(v, v))),
        _row("issuer", "Given by", lambda v: f"The {v}"),
        _row("grounds", "Grounds (s60(2))", _grounds),
        _row("matters", "Matters the notice is based on"),
        _row("required_actions", "Action required"),
        (("compliance_period", "comply_by_date"), "Compliance period", _compliance_period),
        _row("compliance_date", "Comply by", _day),
        _row("minded_action", "Action the issuer is minded to take"),
        _row("copies_to", "Copies sent to", lambda v: _items(v) or "None recorded"),
        _row("copies_missing", "Copies not recorded (s60(6))", _copies),
    ],
    "ComplianceRecorded": [
        _row("notice_id", "Notice"),
        _row("complied", "Complied with", _yes_no),
        _row("evidence", "Evidence"),
    ],
    "WarningNoticeWithdrawn": [_row("notice_id", "Notice"), _row("reason", "Reason")],
    # Tasks
    "TaskSet": [
        _row("task_id", "Task"), _row("what", "What"),
        _row("owner_name", "For"), _row("owner_email", "Their email"),
        _row("due", "Due", _day),
    ],
    "TaskReassigned": [
        _row("task_id", "Task"), _row("owner_name", "Now for"),
        _row("owner_email", "Their email"),
    ],
    "TaskDone": [_row("task_id", "Task"), _row("note", "Note")],
    # Sign-off
    "StepDrafted": [
        _row("draft_id", "Draft"),
        _row("step", "Step", lambda v: _sentence(step_name(v))),
        _row("arguments", "What it says", _step_words),
        _row("reason", "Why"),
        _row("takes_effect", "Already taken on", _day),
    ],
    "StepRedrafted": [
        _row("draft_id", "Draft"),
        _row("arguments", "What it now says", _step_words),
        _row("reason", "What changed"),
        _row("takes_effect", "Already taken on", _day),
    ],
    "DraftReturned": [_row("draft_id", "Draft"), _row("reason", "Returned because")],
    "DraftApproved": [_row("draft_id", "Draft"), _row("made", "What it made")],
    "DraftWithdrawn": [_row("draft_id", "Draft"), _row("reason", "Reason")],
    # Letters and evidence
    "LetterProduced": [
        _row("document_id", "Letter"),
        _row("kind", "Letter", lambda v: LETTERS[v].title if v in LETTERS else v),
        _row("rests_on", "Produced from", lambda v: f"Entry {v}"),
        _row("recipient", "To", lambda v: f"The {v}" if v else None),
        _row("file_name", "File"),
        _row("media_type", "Kind of file"),
        _row("size", "Size", lambda v: file_size(v)),
        _row("sha256", "SHA-256"),
        _row("template", "Template"),
        _row("template_version", "Template version (SHA-256)"),
        _row("signed_by", "Signed by", lambda v: v or "Not signed"),
    ],
    "SentVersionAttached": [
        _row("document_id", "Letter"),
        _row("file_name", "File sent"),
        _row("media_type", "Kind of file"),
        _row("size", "Size", lambda v: file_size(v)),
        _row("sha256", "SHA-256 of the version sent"),
        _row("produced_sha256", "SHA-256 of the version produced"),
        _row("note", "Note"),
    ],
    "EvidenceAttached": [
        _row("document_id", "Evidence"),
        _row("description", "Description"),
        _row("to_entry", "Attached to",
             lambda v: f"Entry {v}" if v is not None else "No entry: an entry of its own"),
        _row("file_name", "File"),
        _row("media_type", "Kind of file"),
        _row("size", "Size", lambda v: file_size(v)),
        _row("sha256", "SHA-256"),
    ],
    "PersonalDataErased": [
        _row("what", "Erased"),
        _row("rule", "Under"),
        _row("destruction", "Destruction approved as"),
        _row("keys", "Keys destroyed", lambda v: ", ".join(v)),
    ],
    "WarningNoticeSuperseded": [
        _row("notice_id", "Notice"), _row("superseded_by", "Superseded by notice"),
    ],
    "RepresentationsToOfstedMade": [
        _row("notice_id", "Notice"), _row("summary", "Representations"),
    ],
    "OfstedDecisionOnNotice": [
        _row("notice_id", "Notice"),
        _row("confirmed", "Ofsted confirmed the notice", _yes_no),
        _row("details", "Details"),
    ],
    "InterventionNoticeGiven": [
        _row("notice_id", "After warning notice"),
        _row("proposed_powers", "Proposes to",
             lambda v: "Not recorded" if v is None else [_sentence(proposal_words(p)) for p in v]),
        _row("powers_from", "Powers may be used from", _day),
        _row("proposed_action", "Proposed action, as written"),
    ],
    # Eligibility and powers
    "BecameEligible": [
        _row("route", "Eligible because", lambda v: _sentence(ELIGIBILITY_ROUTES.get(v, v))),
        _row("basis", "Basis"),
    ],
    "EligibilityCeased": [
        _row("route", "Was eligible because",
             lambda v: _sentence(ELIGIBILITY_ROUTES.get(v, v))),
        _row("reason", "Reason"),
    ],
    "PowerExercised": [
        _row("power_id", "Reference"),
        _row("power", "Power", lambda v: _sentence(POWERS[v]) if v in POWERS else power_words(v)),
        _row("details", "Details"),
    ],
    # Coasting
    "CoastingNotified": [
        _row("notified_on", "Governing body notified", _day),
        _row("regulations", "Definition of coasting", _regulations),
        _row("basis", "Basis"),
    ],
    "CoastingEnded": [
        _row("how", "How it ended", lambda v: _sentence(ENDINGS.get(v, v))),
        _row("reason", "Reason"),
    ],
    # Academy orders
    "AcademyOrderMade": [
        _row("order_id", "Order"),
        _row("basis", "Made on", lambda v: _sentence(BASES.get(v, v))),
        _row("reference", "Reference"),
    ],
    "AcademyOrderRevoked": [_row("order_id", "Order"), _row("reason", "Reason")],
    # Interim executive boards
    "IEBApplicationDrafted": [
        _row("application_id", "Application"), _row("rationale", "Rationale"),
    ],
    "IEBConsultationRecorded": [
        _row("application_id", "Application"),
        _row("consultee", "Consulted", lambda v: _sentence(consultee_named(v))),
        _row("response", "Response"),
    ],
    "IEBApplicationSubmitted": [_row("application_id", "Application")],
    "IEBConsentGiven": [_row("application_id", "Application")],
    "IEBConsentRefused": [_row("application_id", "Application"), _row("reason", "Reason")],
    "IEBConstituted": [
        _row("application_id", "Application"), _row("members", "Members", _items),
        _row("terms", "Terms of appointment", _terms),
        _row("instrument_on", "Instrument of appointment", _day),
        _row("term_ends_on", "Term ends", _day),
    ],
    "IEBMembersChanged": [
        _row("members", "Members now", _items), _row("terms", "Terms of appointment", _terms),
        _row("instrument_on", "Instrument of appointment", _day), _row("reason", "Reason"),
    ],
    "IEBEnded": [_row("reason", "Reason")],
    # MSP groups
    "MSPGroupEstablished": [
        _row("members", "Members", _items),
        _row("cadence_weeks", "Meets every", lambda v: f"{v} weeks"),
    ],
    "MSPMeetingScheduled": [
        _row("meeting_id", "Meeting"), _row("meets_on", "Meets on", _day),
    ],
    "MSPMeetingMoved": [
        _row("meeting_id", "Meeting"), _row("meets_on", "Now meets on", _day),
        _row("reason", "Reason"),
    ],
    "MSPMeetingCancelled": [_row("meeting_id", "Meeting"), _row("reason", "Reason")],
    "MSPMeetingHeld": [
        _row("meeting_id", "Meeting"), _row("attendees", "Attended", _items),
        _row("minutes", "Minutes"),
        _row("actions", "Actions agreed", lambda v: _msp_actions(v) or "None"),
    ],
    "MSPActionCompleted": [_row("action_id", "Action"), _row("note", "Note")],
    "MSPGroupClosed": [_row("reason", "Reason")],
    # LA categories
    "CategoryChanged": [
        _row("scheme", "Category scheme"),
        _row("from_category", "From", lambda v: v or "None"),
        _row("to_category", "To"), _row("reason", "Reason"), _row("evidence", "Evidence"),
    ],
    "CategoryReviewed": [_row("category", "Category kept"), _row("reason", "Reason")],
    # Ofsted
    "InspectionRecorded": [
        _row("inspection_id", "Inspection"), _row("inspected_on", "Inspected", _day),
        _row("framework", "Framework"),
        (("overall",), "Overall", _inspection_overall),
        _row("category", "Category"),
        _row("report_card", "Report card", _report_card),
        _row("safeguarding", "Safeguarding"),
        _row("received_on", "Report received by the LA", _day),
    ],
    "StatementOfActionSent": [
        _row("inspection_id", "Inspection"), _row("summary", "Summary"),
    ],
    # RISE
    "RiseIdentified": [_row("basis", "Basis")],
    "RiseAdviserAssigned": [_row("adviser", "Adviser")],
    "RisePlanAgreed": [_row("summary", "Plan")],
    "RiseReviewHeld": [
        _row("review_id", "Review"), _row("notes", "Notes"), _row("outcome", "Outcome"),
    ],
    "RiseExited": [_row("reason", "Reason")],
    # Caseworkers and visits
    "CaseworkerAssigned": [_row("name", "Caseworker"), _row("email", "Email")],
    "VisitRecorded": [
        _row("visit_id", "Visit"), _row("kind", "Kind of visit", lambda v: _sentence(v)),
        _row("notes", "Notes"),
    ],
    # Deadlines and reminders: the key is words given the state (entry_fields)
    "DeadlineExtended": [
        (("key",), "Deadline", lambda e: e.key), _row("due", "Now due", _day),
        _row("reason", "Reason"),
    ],
    "DeadlineSuspended": [(("key",), "Deadline", lambda e: e.key), _row("reason", "Reason")],
    "DeadlineResumed": [(("key",), "Deadline", lambda e: e.key), _row("reason", "Reason")],
    "ReminderSent": [
        (("key",), "Deadline", lambda e: e.key), _row("due", "Due", _day),
        _row("working_days_before", "Sent", lambda v: f"{v} working day{'' if v == 1 else 's'}"
             " before"),
    ],
    "DeadlinePassed": [(("key",), "Deadline", lambda e: e.key), _row("due", "Was due", _day)],
    # Corrections
    "EntryRetracted": [
        _row("version", "Entry retracted", lambda v: f"Entry {v}"), _row("reason", "Reason"),
    ],
    "EntryAmended": [
        _row("version", "Entry amended", lambda v: f"Entry {v}"),
        (("changes",), "Now reads", _amended_changes), _row("reason", "Reason"),
    ],
}


def entry_fields(event: Any, state: CaseFileState | None = None) -> list[Field]:
    """The entry's fields as (label, value), in reading order: dates as long dates, lists as
    lists, stored keys as words. A deadline's key reads as the deadline (with the MSP
    action's text, given the case file's ``state``). An entry of a kind this version does not
    know shows its fields by their names."""
    rows = KINDS.get(type(event).__name__)
    if rows is None:
        return [(name.replace("_", " ").capitalize(), _plain(value))
                for name, value in vars(event).items() if name not in SHOWN_ELSEWHERE]
    fields = []
    for names, label, words in rows:
        if names == ("key",):
            fields.append((label, _sentence(deadline_words(event.key, state))))
            continue
        value = words(event)
        if value not in (None, "", []):
            fields.append((label, value))
    return fields


def shown_fields(kind: str) -> set[str]:
    """The stored fields ``entry_fields`` shows for a kind of entry (for the test that every
    field of every kind is either shown or deliberately left out)."""
    return {name for names, _, _ in KINDS.get(kind, ()) for name in names}


def areas() -> list[tuple[str, str]]:
    """Every area of a case file as (key, title), in the rulebook's order: the key is the
    area's module name ("msp"), what a page's query names it by."""
    return [(area.__name__.rsplit(".", 1)[1], area.TITLE) for area in AREAS]


def entry_kinds() -> dict[str, str]:
    """Every kind of entry by its class name, with the title of the area it belongs to."""
    return {kind.__name__: area.TITLE
            for area in AREAS for kind in vars(area).values()
            if isinstance(kind, type) and issubclass(kind, CaseFileEvent)
            and kind.__module__ == area.__name__}


ROUTINE = frozenset({"ReminderSent", "DeadlinePassed", "CategoryReviewed"})
"""Entries recorded as a matter of routine ("reviewed and kept", reminders sent, due dates
passing): the timeline folds a run of them into one line unless asked to show them."""


def field_columns(entries: list[dict[str, Any]]) -> list[str]:
    """The labels of the fields of ``entries`` (``describe_entry``), each once, in the order
    the entries first give them: the columns of an export with a column per field."""
    return list(dict.fromkeys(label for entry in entries for label, _ in entry["fields"]))


def field_cells(entry: dict[str, Any], columns: list[str]) -> list[str]:
    """The entry's fields under ``columns`` (field_columns); empty where it has no such
    field. A list is one item to a line of its cell."""
    values = dict(entry["fields"])
    return [value if isinstance(value := values.get(column, ""), str) else "\n".join(value)
            for column in columns]
