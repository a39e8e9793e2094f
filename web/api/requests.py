"""What the API's commands take: one marshmallow schema per command, in the case file's words.

A schema checks the shape (types, required fields, the choices the statute offers); whether
the case file allows the command as things stand is the domain's to say, not the schema's.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields
from marshmallow.validate import Length, OneOf, Range

from domain.areas.academy_orders import BASES
from domain.areas.coasting import ENDINGS
from domain.areas.concerns import CONCERN_GROUNDS, CONCERN_RECIPIENTS, CONCERN_SOURCES
from domain.areas.eligibility import POWERS, PROPOSABLE_POWERS
from domain.areas.ieb import IEB_CONSULTEES
from domain.areas.oversight import VISIT_KINDS
from domain.areas.register import CONSULTEES, GOVERNANCE, MOST_PUPILS
from domain.areas.warning_notices import ISSUERS, WARNING_NOTICE_GROUNDS, WARNING_NOTICE_SECTIONS
from domain.ofsted import (
    NOTICE_TO_IMPROVE,
    REQUIRES_SIGNIFICANT_IMPROVEMENT,
    SAFEGUARDING,
    SERIOUS_WEAKNESSES,
    SPECIAL_MEASURES,
)

TEXT, NAME, NAMES, PUPILS = 20_000, 200, 100, MOST_PUPILS
"""The longest text, name and list of names taken, and the most pupils (bounds, not rules:
far past real use, and within what every store's integer columns hold; the case file refuses
more pupils in its own words too)."""


def text(description: str, *, optional: bool = False) -> fields.String:
    """Free text; blank text is the case file's to refuse, in its own words."""
    if optional:
        return fields.String(load_default="", validate=Length(max=TEXT),
                             metadata={"description": f"{description} (optional)"})
    return fields.String(required=True, validate=Length(max=TEXT),
                         metadata={"description": description})


def choice(description: str, choices: Any, **kwargs: Any) -> fields.String:
    return fields.String(validate=OneOf(tuple(choices)), metadata={"description": description},
                         **kwargs)


def names(description: str) -> fields.List:
    return fields.List(fields.String(validate=Length(max=NAME)), required=True,
                       validate=Length(max=NAMES), metadata={"description": description})


def day(description: str, **kwargs: Any) -> fields.Date:
    return fields.Date(metadata={"description": f"{description} (ISO 8601: 2026-03-27)"},
                       **kwargs)


class Dated(ma.Schema):
    """A command whose entry takes effect on a date, today unless backdated."""

    effective = day("When it took effect, if not today; never in the future",
                    load_default=None)


class RegisterSchool(Dated):
    urn = fields.Integer(required=True, validate=Range(100_000, 999_999),
                         metadata={"description": "The DfE's unique reference number"})
    name = fields.String(required=True, validate=Length(max=NAME))
    phase = fields.String(required=True, validate=Length(max=60),
                          metadata={"description": "As GIAS gives it: Primary, Secondary..."})
    establishment_type = fields.String(required=True, validate=Length(max=100))
    governance = choice("maintained or academy", GOVERNANCE, required=True)
    la_code = fields.String(required=True, validate=Length(max=10))
    pupils = fields.Integer(load_default=None, allow_none=True, validate=Range(0, PUPILS))
    opened_on = day("When it opened", load_default=None, allow_none=True)
    closed_on = day("When it closed", load_default=None, allow_none=True)
    religious_character = fields.String(load_default=None, allow_none=True,
                                        validate=Length(max=NAME))
    predecessor_urn = fields.Integer(load_default=None, allow_none=True,
                                     validate=Range(100_000, 999_999))


class ChangeSchoolDetails(Dated):
    """Only the details sent are changed (and only those that differ are recorded)."""

    name = fields.String(validate=Length(max=NAME))
    phase = fields.String(validate=Length(max=60))
    establishment_type = fields.String(validate=Length(max=100))
    la_code = fields.String(validate=Length(max=10))
    pupils = fields.Integer(allow_none=True, validate=Range(0, PUPILS))
    religious_character = fields.String(allow_none=True, validate=Length(max=NAME))
    opened_on = day("When it opened", allow_none=True)
    closed_on = day("When it closed", allow_none=True)


class ConvertToAcademy(ma.Schema):
    effective = day("When the academy opened", required=True)
    new_urn = fields.Integer(required=True, validate=Range(100_000, 999_999),
                             metadata={"description": "The academy's own URN"})
    name = fields.String(load_default=None, allow_none=True, validate=Length(max=NAME),
                         metadata={"description": "The academy's name, if not the school's"})
    establishment_type = fields.String(load_default="Academy converter",
                                       validate=Length(max=100))


# Concerns ----------------------------------------------------------------------------------

class RaiseConcern(Dated):
    ground = choice("The ground for concern", CONCERN_GROUNDS, required=True)
    description = text("The concern")
    evidence = text("What it rests on", optional=True)
    source = choice("Where the concern came to light (\"not recorded\" if left out)",
                    CONCERN_SOURCES)


class CommunicateConcern(Dated):
    recipient = choice("Who was told", CONCERN_RECIPIENTS, required=True)
    note = text("A note", optional=True)


class ResolveConcern(Dated):
    outcome = text("How it was resolved")


class SendLetterOfConcern(Dated):
    concern_ids = fields.List(fields.String(validate=Length(max=20)), required=True,
                              validate=Length(max=NAMES),
                              metadata={"description": "The open concerns it sets out"})
    summary = text("What the letter asks for")
    recipient = choice("Who it was sent to", CONCERN_RECIPIENTS,
                       load_default="chair of governors")


# Warning notices and eligibility ---------------------------------------------------------------

class IssueWarningNotice(Dated):
    section = choice("s60, or s60A on teachers' pay and conditions",
                     WARNING_NOTICE_SECTIONS, load_default="s60")
    issuer = choice("Who gives it", ISSUERS, load_default="local authority")
    grounds = fields.List(choice("s60(2)", WARNING_NOTICE_GROUNDS), load_default=list,
                          validate=Length(max=3),
                          metadata={"description": "s60(2)(a), (b), (c); none for s60A"})
    matters = text("The matters the notice is based on")
    required_actions = text("The action required")
    minded_action = text("The action the authority is minded to take")
    compliance_period = fields.Integer(load_default=None, allow_none=True,
                                       validate=Range(min=1, max=1000), metadata={
        "description": "Working days; set by the issuer since 18 April 2016, fixed at 15 "
                       "before"})
    compliance_date = day("Instead of compliance_period, since 18 April 2016: the working "
                          "day the notice says to comply by", load_default=None,
                          allow_none=True)
    copies_to = fields.List(fields.String(validate=Length(max=NAME)), load_default=None,
                            allow_none=True, validate=Length(max=NAMES),
                            metadata={"description": "Ofsted if left out; a required "
                                      "recipient (s60(6)) not named is recorded as a "
                                      "warning"})
    with_secretary_of_state_agreement = fields.Boolean(load_default=False, metadata={
        "description": "Needed for an LA notice after one of the Secretary of State's"})


class RecordCompliance(Dated):
    complied = fields.Boolean(required=True, metadata={
        "description": "Whether the governing body complied (failure only after the "
                       "compliance period ends)"})
    evidence = text("What the finding rests on")


class WithdrawWarningNotice(Dated):
    reason = text("Why it is withdrawn")


class RecordRepresentations(Dated):
    summary = text("The governing body's representations to Ofsted (notices given before "
                   "18 April 2016, within the initial 15 working days)")


class RecordOfstedDecision(Dated):
    confirmed = fields.Boolean(required=True, metadata={
        "description": "Whether Ofsted confirmed the notice after the representations"})
    details = text("Ofsted's reasons", optional=True)


class GiveInterventionNotice(Dated):
    proposed_powers = fields.List(
        choice("A power", PROPOSABLE_POWERS), required=True,
        validate=Length(min=1, max=len(PROPOSABLE_POWERS)),
        metadata={"description": "The powers the s60(1)(d) written notice proposes"})
    proposed_action = text("What else the notice says about the intervention", optional=True)


class RecordCoasting(Dated):
    basis = text("The coasting regulations' test it meets")
    notified_on = day("When the Secretary of State notified the governing body that the school "
                      "is coasting (s60B(1)); the case file refuses coasting without it",
                      load_default=None, allow_none=True)


class EndCoasting(Dated):
    how = choice("exit (the regulations' exit test) or notice (the Secretary of State's notice "
                 "that it is no longer coasting)", ENDINGS, required=True)
    reason = text("Why coasting ended")


class EndEligibility(Dated):
    reason = text("Why eligibility ends")


class ExercisePower(Dated):
    power = choice("The power used", POWERS, required=True)
    details = text("Details")


class RecordArrangementsConsultation(Dated):
    consultee = choice("Who was consulted before requiring arrangements (s63(2))", CONSULTEES,
                       required=True)
    response = text("Their response")


# Academy orders (the Secretary of State's) and RISE (the DfE's) -------------------------------

class RecordAcademyOrder(Dated):
    """The Secretary of State's academy order; ``effective`` is the day it was made."""

    basis = choice("What it was made on: duty (s4(A1), 18 April 2016 to 28 June 2026), power "
                   "(s4(1)(b), a school eligible for intervention) or application (the "
                   "governing body's, s3)", BASES, required=True)
    reference = text("The order's reference, or a note")


class RevokeAcademyOrder(Dated):
    reason = text("Why the Secretary of State revoked it (s5D)")


class IdentifyForRise(Dated):
    basis = text("Why the RISE team identified the school for targeted intervention")


class AssignRiseAdviser(Dated):
    adviser = fields.String(required=True, validate=Length(max=NAME),
                            metadata={"description": "The RISE adviser's name"})


class AgreeRisePlan(Dated):
    summary = text("A summary of the improvement plan")


class RecordRiseReview(Dated):
    notes = text("Notes of the review")
    outcome = text("Its outcome")


class ExitRise(Dated):
    reason = text("Why the school left targeted intervention")


# The interim executive board ------------------------------------------------------------------

class DraftIEBApplication(Dated):
    rationale = text("Why an interim executive board")


class RecordIEBConsultation(Dated):
    consultee = choice("Who was consulted (s65): the school's category decides who must be",
                       IEB_CONSULTEES, required=True)
    response = text("Their response")


class SubmitIEBApplication(Dated):
    """Sent to the Secretary of State; nothing more to say than when."""


class RecordIEBDecision(Dated):
    consent = fields.Boolean(required=True)
    reason = text("Why consent was refused", optional=True)


def member_terms(description: str, **kwargs: Any) -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=Length(max=NAME)),
                       values=fields.String(validate=Length(max=TEXT)),
                       validate=Length(max=NAMES), metadata={"description": description},
                       **kwargs)


class ConstituteIEB(Dated):
    members = names("The interim executive members: at least two")
    instrument_on = day("The date of the written instrument appointing them (Sch 6 para 5(1))",
                        required=True)
    terms = member_terms("Each member's terms of appointment as the instrument sets them "
                         "out, by name", required=True)
    term_ends_on = day("When the board's term ends", load_default=None, allow_none=True)


class ChangeIEBMembers(Dated):
    members = names("The interim executive members now")
    reason = text("Why")
    instrument_on = day("The date of the written instrument appointing any new member",
                        load_default=None, allow_none=True)
    terms = member_terms("Terms of appointment by name: required for each new member; a "
                         "member who stays keeps theirs unless given", load_default=None,
                         allow_none=True)


class EndIEB(Dated):
    reason = text("Why the board ends")


# The MSP group ---------------------------------------------------------------------------------

class EstablishMSPGroup(Dated):
    members = names("The group's members")
    cadence_weeks = fields.Integer(required=True, validate=Range(min=0, max=1000),
                                   metadata={"description": "Meets every so many weeks"})


class ScheduleMSPMeeting(Dated):
    meets_on = day("The meeting's date", required=True)


class MoveMSPMeeting(Dated):
    meets_on = day("The meeting's new date", required=True)
    reason = text("Why it moved")


class CancelMSPMeeting(Dated):
    reason = text("Why it was cancelled")


class MSPAction(ma.Schema):
    description = fields.String(required=True, validate=Length(max=TEXT))
    owner = fields.String(required=True, validate=Length(max=NAME))
    due = day("When it is due", required=True)


class HoldMSPMeeting(Dated):
    meeting_id = fields.String(load_default=None, allow_none=True, validate=Length(max=20),
                               metadata={"description": "The meeting scheduled, if it was"})
    attendees = names("Who attended")
    minutes = text("The minutes")
    actions = fields.List(fields.Nested(MSPAction), load_default=list,
                          validate=Length(max=NAMES), metadata={"description": "Agreed"})


class CompleteMSPAction(Dated):
    note = text("A note", optional=True)


class CloseMSPGroup(Dated):
    reason = text("Why the group closes")


# Category and Ofsted --------------------------------------------------------------------------

class ChangeCategory(Dated):
    to = fields.String(required=True, validate=Length(max=10),
                       metadata={"description": "A code of the LA's category scheme"})
    reason = text("Why")
    evidence = text("What it rests on", optional=True)


class ReviewCategory(Dated):
    reason = text("Why the category stays")


class RecordInspection(ma.Schema):
    inspected_on = day("When the inspection started", required=True)
    published_on = day("When the report was published: the entry takes effect then",
                       required=True)
    received_on = day("When the local authority received the report, if not on publication: "
                      "the statement of action counts from it", load_default=None,
                      allow_none=True)
    overall = fields.Integer(load_default=None, allow_none=True, validate=Range(1, 4),
                             metadata={"description": "Overall effectiveness 1-4, where the "
                                                      "framework of the day graded it"})
    category = choice("A category of concern; for a report card, leave it out to record the "
                      "one its grades call for", (REQUIRES_SIGNIFICANT_IMPROVEMENT,
                                                  SERIOUS_WEAKNESSES, SPECIAL_MEASURES,
                                                  NOTICE_TO_IMPROVE),
                      load_default=None, allow_none=True)
    report_card = fields.Dict(keys=fields.String(validate=Length(max=NAME)),
                              values=fields.String(validate=Length(max=NAME)),
                              load_default=None, allow_none=True,
                              metadata={"description": "Area: grade: a report card's (from 10 "
                                                       "November 2025) or the key judgements "
                                                       "(September 2024 to November 2025)"})
    safeguarding = choice("met or not met", SAFEGUARDING, load_default=None, allow_none=True)


class RecordStatementOfAction(Dated):
    summary = text("A summary of the statement")


# Oversight ---------------------------------------------------------------------------------

class RecordVisit(Dated):
    kind = choice("The kind of visit", VISIT_KINDS, required=True)
    notes = text("Notes")


class AssignCaseworker(Dated):
    name = fields.String(required=True, validate=Length(max=NAME))
    email = fields.String(required=True, validate=Length(max=320))


# Corrections and deadlines -------------------------------------------------------------------

class RetractEntry(ma.Schema):
    reason = text("Why it is retracted")


class AmendEntry(ma.Schema):
    changes = fields.Dict(keys=fields.String(validate=Length(max=60)),
                          values=fields.String(validate=Length(max=TEXT)), required=True,
                          metadata={"description": "Field: corrected wording, for the fields "
                                                   "this kind of entry lets be reworded"})
    reason = text("Why it is corrected")


class ExtendDeadline(ma.Schema):
    to = day("The new due date", required=True)
    reason = text("Why")


class SuspendDeadline(ma.Schema):
    reason = text("Why no reminders until it is resumed")


class ResumeDeadline(ma.Schema):
    reason = text("Why")


class ApproveDraft(ma.Schema):
    """A head approves a draft they did not draft: the step is recorded, effective today
    (or on the day the draft names for a step already taken)."""


class ReturnDraft(ma.Schema):
    """A head returns a draft to be redrafted, saying why."""

    reason = text("Why it is returned: whoever redrafts it reads this")
