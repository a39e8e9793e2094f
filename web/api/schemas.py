"""What the API answers: marshmallow schemas of a school's status, its entries, deadlines,
reports and verification. Each names exactly the fields the API promises."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import fields

from web.api.paging import page_of


def plain(value: Any) -> Any:
    """A value of an entry as JSON has it: dates and times in ISO 8601, tuples as lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


class PlainObject(fields.Dict):
    """An object whose values may be of any JSON type (an entry's own fields)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else plain(value)


def _text(**kwargs: Any) -> fields.String:
    return fields.String(allow_none=True, **kwargs)


def _date(**kwargs: Any) -> fields.Date:
    return fields.Date(allow_none=True, **kwargs)


# A school's status -----------------------------------------------------------------------

class OfstedSchema(ma.Schema):
    inspection_id = fields.String()
    inspected_on = fields.Date()
    published_on = fields.Date()
    framework = fields.String()
    overall = fields.Integer(allow_none=True)
    overall_label = _text(metadata={"description": "The grade in the words of its day"})
    category = _text(metadata={"description": "Serious weaknesses, special measures..."})
    report_card = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "Graded areas: a report card's, or the key judgements of 2024-25"})
    safeguarding = _text()
    received_on = _date(metadata={"description": "When the LA received the report, if "
                                                 "recorded (else it counts as published)"})


class InspectionSchema(OfstedSchema):
    recorded_in = fields.Integer(metadata={"description": "The entry that recorded it"})


class ConcernSchema(ma.Schema):
    concern_id = fields.String()
    ground = fields.String()
    description = fields.String()
    evidence = fields.String()
    source = fields.String(metadata={"description": "Where the concern came to light"})
    raised_on = fields.Date()
    raised_by = fields.String()
    communicated_to = fields.Dict(keys=fields.String(), values=fields.Date(), metadata={
        "description": "When each recipient was told"})
    resolved_on = _date()
    outcome = _text()


class WarningNoticeSchema(ma.Schema):
    notice_id = fields.String()
    status = fields.String(metadata={"description": "open, complied with, not complied with, "
                                                    "withdrawn or superseded"})
    issuer = fields.String()
    section = fields.String()
    grounds = fields.List(fields.String())
    matters = fields.String()
    required_actions = fields.String()
    compliance_period = fields.Integer(metadata={"description": "In working days"})
    compliance_date = fields.Date()
    minded_action = fields.String()
    copies_to = fields.List(fields.String())
    issued_on = fields.Date()
    complied = fields.Boolean(allow_none=True)
    compliance_recorded_on = _date()
    compliance_evidence = _text()
    withdrawn_on = _date()
    superseded_by = _text()
    intervention_notice_on = _date()
    overdue = fields.Boolean()
    recorded_in = fields.Integer()


class EligibilitySchema(ma.Schema):
    route = fields.String()
    since = fields.Date()
    basis = fields.String()


class CoastingSchema(ma.Schema):
    notified_on = fields.Date(metadata={"description": "When the Secretary of State notified "
                                                      "the governing body (s60B)"})
    regulations = fields.String(metadata={"description": "The rule key of the definition in "
                                                         "force then (coasting-2017/2022/2025)"})
    basis = fields.String()
    since = fields.Date()
    ended_on = _date()
    how = _text()


class PowerSchema(ma.Schema):
    power_id = fields.String()
    power = fields.String()
    details = fields.String()
    exercised_on = fields.Date()
    words = fields.String(metadata={"description": "How the entry reads, old entries too"})


class AcademyOrderSchema(ma.Schema):
    order_id = fields.String()
    basis = fields.String(metadata={"description": "duty (s4(A1)), power (s4(1)(b)) or "
                                                   "application (s3)"})
    made_on = fields.Date()
    reference = fields.String()
    revoked_on = _date()
    revocation_reason = fields.String()
    status = fields.String(metadata={"description": "made, revoked, or carried out by "
                                                    "conversion to URN n"})
    words = fields.String()
    recorded_in = fields.Integer()


class RiseReviewSchema(ma.Schema):
    review_id = fields.String()
    held_on = fields.Date()
    notes = fields.String()
    outcome = fields.String()
    recorded_in = fields.Integer()


class RiseSchema(ma.Schema):
    identified_on = fields.Date()
    basis = fields.String()
    adviser = _text()
    plan_agreed_on = _date()
    plan_summary = fields.String()
    reviews = fields.List(fields.Nested(RiseReviewSchema))
    exited_on = _date()
    exit_reason = fields.String()
    recorded_in = fields.Integer()


class IEBApplicationSchema(ma.Schema):
    application_id = fields.String()
    stage = fields.String(metadata={"description": "drafted, submitted, consented, refused or "
                                                   "constituted"})
    rationale = fields.String()
    drafted_on = fields.Date()
    consultations = fields.Dict(keys=fields.String(), values=fields.Date())
    submitted_on = _date()
    decided_on = _date()
    refusal_reason = _text()
    recorded_in = fields.Integer()


class IEBMemberSchema(ma.Schema):
    name = fields.String()
    terms = fields.String(metadata={"description": "The terms of appointment the written "
                                                   "instrument sets out (Sch 6 para 5(1)); "
                                                   "\"not recorded\" for older entries"})
    instrument_on = _date()


class ConsultationSchema(ma.Schema):
    consultee = fields.String()
    consulted_on = fields.Date()
    response = fields.String()
    recorded_in = fields.Integer()


class IEBSchema(ma.Schema):
    application_id = fields.String()
    members = fields.List(fields.String())
    appointments = fields.List(fields.Nested(IEBMemberSchema))
    starts_on = fields.Date()
    term_ends_on = _date()
    ended_on = _date()
    end_reason = _text()
    recorded_in = fields.Integer()


class MeetingSchema(ma.Schema):
    meeting_id = fields.String()
    meets_on = fields.Date()
    status = fields.String(metadata={"description": "scheduled, held or cancelled"})
    attendees = fields.List(fields.String())
    minutes = _text()
    recorded_in = fields.Integer()


class ActionSchema(ma.Schema):
    action_id = fields.String()
    meeting_id = fields.String()
    description = fields.String()
    owner = fields.String()
    due = fields.Date()
    completed_on = _date()
    recorded_in = fields.Integer()


class MSPGroupSchema(ma.Schema):
    members = fields.List(fields.String())
    cadence_weeks = fields.Integer()
    established_on = fields.Date()
    next_meeting = fields.Nested(MeetingSchema, allow_none=True)
    last_meeting = fields.Nested(MeetingSchema, allow_none=True)
    open_actions = fields.List(fields.Nested(ActionSchema))


class CaseworkerSchema(ma.Schema):
    name = fields.String()
    email = fields.String()


class CategorySpellSchema(ma.Schema):
    category = fields.String()
    scheme = fields.String()
    since = fields.Date()
    reason = fields.String()
    recorded_in = fields.Integer()


class SchoolLinks(ma.Schema):
    self = fields.String()
    events = fields.String()
    deadlines = fields.String()
    verification = fields.String()


class LinkedSchoolSchema(ma.Schema):
    """A predecessor or successor: the school converted from or to in scc, or one the GIAS
    links file names."""

    urn = fields.Integer()
    name = fields.String()
    link_type = fields.String(metadata={"description": "As GIAS words it, e.g. "
                                                        "'Predecessor - merged'"})
    established_on = _date()


class SchoolDetailsSchema(ma.Schema):
    urn = fields.Integer()
    name = fields.String()
    phase = fields.String()
    establishment_type = fields.String()
    governance = fields.String(metadata={"description": "maintained or academy"})
    la_code = fields.String()
    pupils = fields.Integer(allow_none=True)
    opened_on = _date()
    closed_on = _date()
    religious_character = _text()
    predecessor_urn = fields.Integer(allow_none=True)
    successor_urn = fields.Integer(allow_none=True)
    registered_on = _date()


class SchoolStatusSchema(SchoolDetailsSchema):
    """A school's case file folded to its state: as at a date, by what was known at a time."""

    version = fields.Integer(metadata={"description": "The case file's version: its entries"})
    is_open = fields.Boolean()
    category = _text(metadata={"description": "The LA category's code"})
    category_label = _text()
    category_since = _date()
    ofsted = fields.Nested(OfstedSchema, allow_none=True)
    causing_concern = fields.Boolean()
    concern_reasons = fields.List(fields.String())
    open_concerns = fields.List(fields.Nested(ConcernSchema))
    warning_notices = fields.List(fields.Nested(WarningNoticeSchema))
    eligibility = fields.List(fields.Nested(EligibilitySchema))
    coasting = fields.Nested(CoastingSchema, allow_none=True, metadata={
        "description": "The Secretary of State's coasting notification the school's "
                       "eligibility as coasting rests on, if one was recorded"})
    powers = fields.List(fields.Nested(PowerSchema))
    academy_orders = fields.List(fields.Nested(AcademyOrderSchema))
    academy_order_expected = fields.Boolean(metadata={
        "description": "The school came under the Secretary of State's former duty to make "
                       "an academy order (s4(A1)) and none is recorded"})
    rise = fields.Nested(RiseSchema, allow_none=True, metadata={
        "description": "Its RISE targeted intervention, if it is in one"})
    ieb_applications = fields.List(fields.Nested(IEBApplicationSchema))
    ieb = fields.Nested(IEBSchema, allow_none=True)
    arrangements_consultations = fields.List(fields.Nested(
        ConsultationSchema), metadata={"description": "Responses before s63 arrangements"})
    msp = fields.Nested(MSPGroupSchema, allow_none=True)
    caseworker = fields.Nested(CaseworkerSchema, allow_none=True)
    category_history = fields.List(fields.Nested(CategorySpellSchema))
    inspections = fields.List(fields.Nested(InspectionSchema))
    predecessors = fields.List(fields.Nested(LinkedSchoolSchema))
    successors = fields.List(fields.Nested(LinkedSchoolSchema))
    links = fields.Nested(SchoolLinks)


# The schools list (from the read models) ---------------------------------------------------

class SchoolSummarySchema(ma.Schema):
    urn = fields.Integer()
    name = fields.String()
    phase = _text()
    phase_group = _text(metadata={"description": "primary, secondary, special or other"})
    establishment_type = _text()
    governance = _text()
    la_code = _text()
    pupils = fields.Integer(allow_none=True)
    opened_on = _date()
    closed_on = _date()
    category = _text()
    category_since = _date()
    ofsted_overall = fields.Integer(allow_none=True)
    ofsted_label = _text()
    ofsted_category = _text()
    ofsted_published_on = _date()
    causing_concern = fields.Boolean()
    concern_reasons = fields.List(fields.String())
    open_concerns = fields.Integer()
    warning_notice = _text(metadata={"description": "The open warning notice, if any"})
    compliance_date = _date()
    eligible = _text()
    ieb_stage = _text()
    academy_order = _text(metadata={"description": "expected, made, revoked or carried out"})
    rise_adviser = _text()
    rise_since = _date(metadata={"description": "In RISE targeted intervention since"})
    msp_next_meeting = _date()
    next_deadline = _date()
    next_deadline_what = _text()
    caseworker = _text()
    caseworker_email = _text()
    links = fields.Nested(SchoolLinks)


SchoolSummaryPageSchema = page_of(SchoolSummarySchema)


# Entries ---------------------------------------------------------------------------------

class CorrectionSchema(ma.Schema):
    kind = fields.String(metadata={"description": "retracted or amended"})
    by_version = fields.Integer(metadata={"description": "The entry that made the correction"})
    reason = fields.String()
    changes = PlainObject()


class EntrySchema(ma.Schema):
    """One entry of a case file, with any later corrections of it."""

    version = fields.Integer(metadata={"description": "Its number in the case file, from 1"})
    event = fields.String(metadata={"description": "What kind of entry: ConcernRaised..."})
    summary = fields.String()
    effective = fields.Date(metadata={"description": "When it took effect (maybe backdated)"})
    recorded_at = fields.AwareDateTime(metadata={"description": "When it was recorded"})
    by = fields.String(metadata={"description": "Who recorded it: their name at the time"})
    by_identity = fields.String(metadata={
        "description": "Who recorded it, in words that tell two people of the same name apart: "
                       "the account's email and id (and the API token's id), the command line "
                       "and the login that ran it, or scc itself; empty for entries recorded "
                       "before scc recorded identities"})
    actor = PlainObject(allow_none=True, metadata={
        "description": "The same as data: {account, email[, token]}, {operator, via} or "
                       "{system}; null for entries recorded before scc recorded identities"})
    details = PlainObject(metadata={"description": "The entry's own fields"})
    corrections = fields.List(fields.Nested(CorrectionSchema))
    retracted = fields.Boolean()


EntryPageSchema = page_of(EntrySchema)


# Deadlines -------------------------------------------------------------------------------

class ReminderSchema(ma.Schema):
    on = fields.Date()
    working_days_before = fields.Integer()


class DeadlineSchema(ma.Schema):
    key = fields.String(metadata={"description": "Names the deadline in the deadline "
                                                 "operations (extension, suspension...)"})
    kind = fields.String()
    what = fields.String()
    due = fields.Date()
    working_days_left = fields.Integer(metadata={"description": "Negative once overdue"})
    overdue = fields.Boolean()
    suspended = fields.Boolean()
    reminders = fields.List(fields.Nested(ReminderSchema))


class SchoolDeadlinesSchema(ma.Schema):
    urn = fields.Integer()
    today = fields.Date()
    deadlines = fields.List(fields.Nested(DeadlineSchema))


class DueDeadlineSchema(ma.Schema):
    """A deadline of any school, from the read models."""

    urn = fields.Integer()
    name = _text(metadata={"description": "The school's name"})
    key = fields.String()
    kind = fields.String()
    what = fields.String()
    due = fields.Date()
    overdue = fields.Boolean()
    suspended = fields.Boolean()


DueDeadlinePageSchema = page_of(DueDeadlineSchema)


# Reports and verification ----------------------------------------------------------------

class CategoryRowSchema(ma.Schema):
    date = fields.Date()
    phase = fields.String()
    category = fields.String()
    schools = fields.Integer()
    schools_pct = fields.Float(metadata={"description": "One decimal place, halves up"})
    pupils = fields.Integer()
    pupils_pct = fields.Float()


class CategoryReportSchema(ma.Schema):
    by = fields.String()
    phase = fields.String()
    dates = fields.List(fields.Date())
    rows = fields.List(fields.Nested(CategoryRowSchema))


class ChainProblemSchema(ma.Schema):
    urn = fields.Integer(allow_none=True)
    school = fields.String()
    version = fields.Integer(allow_none=True)
    problem = fields.String()


class VerificationSchema(ma.Schema):
    urn = fields.Integer()
    verified_at = fields.AwareDateTime()
    entries_checked = fields.Integer()
    ok = fields.Boolean(metadata={"description": "No entry was altered, removed or moved"})
    problems = fields.List(fields.Nested(ChainProblemSchema))


# What a command answers --------------------------------------------------------------------

class RecordedLinks(ma.Schema):
    school = fields.String()
    events = fields.String()
    draft = fields.String(metadata={"description": "A drafted step's draft (answer 202)"})


class RecordedSchema(ma.Schema):
    """What a command recorded: the case file's version after it, and the id of what it made
    (a concern, notice, application, meeting, power, visit, inspection...), if it made one."""

    urn = fields.Integer()
    version = fields.Integer(metadata={"description": "The case file's version after the "
                                                      "command: send it as If-Match next"})
    id = _text(metadata={"description": "C1, WN2, IEB1, M3... or the academy's URN"})
    links = fields.Nested(RecordedLinks)


class DraftSchema(ma.Schema):
    """A step drafted for a head's approval (the LA's sign-off policy): its command and
    arguments, who drafted it, and where it stands."""

    draft_id = _text(metadata={"description": "D1, D2..."})
    step = _text(metadata={"description": "The command: issue_warning_notice, "
                                          "give_intervention_notice, submit_ieb_application "
                                          "or change_category"})
    name = _text()
    arguments = fields.Dict(metadata={"description": "The command's arguments as drafted"})
    status = _text(metadata={"description": "awaiting approval, returned, approved or "
                                            "withdrawn"})
    drafted_on = fields.Date()
    drafted_by = _text()
    takes_effect = fields.Date(allow_none=True, metadata={
        "description": "The day a step already taken took effect; null: when approved"})
    reason = _text()
    returned_by = _text()
    returned_reason = _text()
    decided_by = _text()
    made = _text(metadata={"description": "What the approved step made (WN2)"})
