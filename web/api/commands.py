"""Every command on a case file as a POST on a sub-resource of its school, driven by a table.

Each row names the path, the web's command (web.schools.commands: the application method,
its title and the permission it needs) and the schema of its body. One view serves them all:
it checks the token and role, reads the body, answers 404 if the school or the item the path
names is not in the case file, records the command against If-Match's version if one is
given, and answers 201 with the case file's new version (also its ETag).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import marshmallow as ma
from flask import current_app, g

from application.case_files import SchoolCaseFiles
from domain.areas.sign_off import STEPS as SIGN_OFF_STEPS
from domain.status import CaseFileState
from web.api import requests as r
from web.api.auth import ApiBlueprint, api_recorder
from web.api.problems import Problem, as_problems
from web.api.schemas import DraftSchema, RecordedSchema
from web.api.versions import IF_MATCH, WRITE_ETAG, expected_version, write_etag
from web.schools.commands import BY_SLUG, Command
from web.services import services

blp = ApiBlueprint("Commands", __name__, description=(
    "Commands that record on a school's case file, each a POST on a sub-resource of the "
    "school. They answer 201 with the case file's new version (its ETag), 404 if the school "
    "or the item named in the path is not in the case file, 409 if If-Match's version is no "
    "longer current, and 422 if the body does not fit or the case file's rules refuse it."))

Finder = Callable[[SchoolCaseFiles, int, CaseFileState], Iterable[Any]]


def _meetings(_: SchoolCaseFiles, __: int, state: CaseFileState) -> Iterable[str]:
    return {m for group in state.msp_groups for m in group.meetings}


def _deadline_keys(case_files: SchoolCaseFiles, urn: int, _: CaseFileState) -> Iterable[str]:
    return {d.key for d in case_files.deadlines(urn)}


def _versions(case_files: SchoolCaseFiles, urn: int, _: CaseFileState) -> Iterable[int]:
    return range(1, case_files.version(urn) + 1)


FINDERS: dict[str, tuple[str, Finder]] = {
    "concern_id": ("concern", lambda _, __, s: s.concerns),
    "notice_id": ("warning notice", lambda _, __, s: s.warning_notices),
    "route": ("eligibility for intervention by the route", lambda _, __, s: s.eligibility),
    "order_id": ("academy order", lambda _, __, s: {o.order_id for o in s.academy_orders}),
    "application_id": ("IEB application", lambda _, __, s: s.ieb_applications),
    "meeting_id": ("MSP meeting", _meetings),
    "action_id": ("MSP action", lambda _, __, s: s.msp_actions),
    "inspection_id": ("Ofsted inspection", lambda _, __, s: {i.inspection_id
                                                             for i in s.inspections}),
    "version": ("entry", _versions),
    "key": ("open deadline", _deadline_keys),
}
"""Where each item a path names is found in the case file: (its name, its ids)."""


@dataclass(frozen=True)
class Operation:
    """One command's sub-resource: the path under /schools/{urn}, the web's command, the body."""

    path: str
    slug: str
    body: type[ma.Schema]

    @property
    def command(self) -> Command:
        return BY_SLUG[self.slug]

    @property
    def endpoint(self) -> str:
        return self.command.endpoint


OPERATIONS = (
    Operation("/concerns", "raise-concern", r.RaiseConcern),
    Operation("/concerns/<concern_id>/communications", "communicate-concern",
              r.CommunicateConcern),
    Operation("/concerns/<concern_id>/resolution", "resolve-concern", r.ResolveConcern),
    Operation("/letters-of-concern", "send-letter-of-concern", r.SendLetterOfConcern),
    Operation("/warning-notices", "issue-warning-notice", r.IssueWarningNotice),
    Operation("/warning-notices/<notice_id>/compliance", "record-compliance",
              r.RecordCompliance),
    Operation("/warning-notices/<notice_id>/withdrawal", "withdraw-warning-notice",
              r.WithdrawWarningNotice),
    Operation("/warning-notices/<notice_id>/representations", "record-representations",
              r.RecordRepresentations),
    Operation("/warning-notices/<notice_id>/ofsted-decision", "record-ofsted-decision",
              r.RecordOfstedDecision),
    Operation("/warning-notices/<notice_id>/intervention-notice", "give-intervention-notice",
              r.GiveInterventionNotice),
    Operation("/coasting", "record-coasting", r.RecordCoasting),
    Operation("/coasting/end", "end-coasting", r.EndCoasting),
    Operation("/eligibility/<route>/end", "end-eligibility", r.EndEligibility),
    Operation("/powers", "exercise-power", r.ExercisePower),
    Operation("/arrangements-consultations", "record-arrangements-consultation",
              r.RecordArrangementsConsultation),
    Operation("/academy-orders", "record-academy-order", r.RecordAcademyOrder),
    Operation("/academy-orders/<order_id>/revocation", "revoke-academy-order",
              r.RevokeAcademyOrder),
    Operation("/rise", "identify-for-rise", r.IdentifyForRise),
    Operation("/rise/adviser", "assign-rise-adviser", r.AssignRiseAdviser),
    Operation("/rise/plan", "agree-rise-plan", r.AgreeRisePlan),
    Operation("/rise/reviews", "record-rise-review", r.RecordRiseReview),
    Operation("/rise/exit", "exit-rise", r.ExitRise),
    Operation("/ieb-applications", "draft-ieb-application", r.DraftIEBApplication),
    Operation("/ieb-applications/<application_id>/consultations", "record-ieb-consultation",
              r.RecordIEBConsultation),
    Operation("/ieb-applications/<application_id>/submission", "submit-ieb-application",
              r.SubmitIEBApplication),
    Operation("/ieb-applications/<application_id>/decision", "record-ieb-decision",
              r.RecordIEBDecision),
    Operation("/ieb-applications/<application_id>/constitution", "constitute-ieb",
              r.ConstituteIEB),
    Operation("/ieb/members", "change-ieb-members", r.ChangeIEBMembers),
    Operation("/ieb/end", "end-ieb", r.EndIEB),
    Operation("/msp-group", "establish-msp-group", r.EstablishMSPGroup),
    Operation("/msp-group/meetings", "schedule-msp-meeting", r.ScheduleMSPMeeting),
    Operation("/msp-group/meetings/<meeting_id>/move", "move-msp-meeting", r.MoveMSPMeeting),
    Operation("/msp-group/meetings/<meeting_id>/cancellation", "cancel-msp-meeting",
              r.CancelMSPMeeting),
    Operation("/msp-group/held-meetings", "hold-msp-meeting", r.HoldMSPMeeting),
    Operation("/msp-group/actions/<action_id>/completion", "complete-msp-action",
              r.CompleteMSPAction),
    Operation("/msp-group/closure", "close-msp-group", r.CloseMSPGroup),
    Operation("/category-changes", "change-category", r.ChangeCategory),
    Operation("/category-reviews", "review-category", r.ReviewCategory),
    Operation("/inspections", "record-inspection", r.RecordInspection),
    Operation("/inspections/<inspection_id>/statement-of-action", "record-statement-of-action",
              r.RecordStatementOfAction),
    Operation("/visits", "record-visit", r.RecordVisit),
    Operation("/caseworker", "assign-caseworker", r.AssignCaseworker),
    Operation("/details", "change-school-details", r.ChangeSchoolDetails),
    Operation("/academy-conversion", "convert-to-academy", r.ConvertToAcademy),
    Operation("/events/<int:version>/retraction", "retract-entry", r.RetractEntry),
    Operation("/events/<int:version>/amendment", "amend-entry", r.AmendEntry),
    Operation("/deadlines/<key>/extension", "extend-deadline", r.ExtendDeadline),
    Operation("/deadlines/<key>/suspension", "suspend-deadline", r.SuspendDeadline),
    Operation("/deadlines/<key>/resumption", "resume-deadline", r.ResumeDeadline),
)


def record(operation: Operation, body: dict[str, Any], urn: int,
           named: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Runs one command for the token's user; the answer, its status and its ETag. A step
    the LA's policy says a head approves is drafted instead: 202, with the draft's
    location (sign-off)."""
    case_files = services().case_files
    expected = expected_version()
    method = operation.command.method
    arguments = {**named, **{k: v for k, v in body.items() if k != "effective"}}
    effective = body.get("effective")
    with as_problems(in_path=named):
        _find_named_items(case_files, urn, named)
        drafting = case_files.needs_sign_off(urn, method, arguments, effective)
        with case_files.recording_against(urn, expected) as receipt:
            if drafting:
                taken = effective if effective and effective < case_files.clock.today() \
                    else None
                made = case_files.draft_step(urn, by=api_recorder(), step=method,
                                             arguments=arguments, takes_effect=taken)
            else:
                made = getattr(case_files, method)(urn, by=api_recorder(), **named, **body)
    prefix = current_app.config["API_PREFIX"]
    links = {"school": f"{prefix}/schools/{urn}", "events": f"{prefix}/schools/{urn}/events"}
    headers = {"ETag": write_etag(receipt.version)}
    if drafting:
        links["draft"] = headers["Location"] = f"{prefix}/schools/{urn}/drafts/{made}"
    return {"urn": urn, "version": receipt.version, "id": None if made is None else str(made),
            "links": links}, 202 if drafting else 201, headers


def _find_named_items(case_files: SchoolCaseFiles, urn: int, named: dict[str, Any]) -> None:
    """404 unless each item the path names is in the school's case file (and the school has
    one). With nothing named, the command itself answers 404 for a school without a case file,
    before anything else: it reads the case file first, so it is not read twice."""
    if not named:
        return
    state = case_files.state_of(urn)
    for name, value in named.items():
        what, finder = FINDERS[name]
        if value not in finder(case_files, urn, state):
            raise Problem(404, f"URN {urn} has no {what} {value}")


def _view(operation: Operation) -> Callable:
    def view(body: dict[str, Any], urn: int, **named: Any) -> Any:
        return record(operation, body, urn, named)

    view.__name__ = operation.endpoint
    view.__doc__ = f"{operation.command.title}\n\n{operation.body.__doc__ or ''}".strip()
    return view


def _register(operation: Operation) -> None:
    view = _view(operation)
    for decorate in (
        blp.alt_response(422, response="UNPROCESSABLE_ENTITY"),
        blp.alt_response(409, response="CONFLICT"),
        blp.alt_response(404, response="NOT_FOUND"),
        blp.alt_response(400, response="BAD_REQUEST"),
        blp.response(201, RecordedSchema, headers=WRITE_ETAG,
                     description="Recorded: the case file's new version"),
        *([blp.alt_response(202, schema=RecordedSchema, description=(
            "Drafted for a head's approval (the LA's sign-off policy names this step): "
            "nothing takes effect until a head approves it; Location is the draft"))]
          if operation.command.method in SIGN_OFF_STEPS else []),
        blp.arguments(operation.body),
        blp.doc(parameters=[IF_MATCH]),
        blp.requires(operation.command.permission),
    ):
        view = decorate(view)
    blp.route(f"/schools/<int:urn>{operation.path}", methods=["POST"],
              endpoint=operation.endpoint)(view)


for _operation in OPERATIONS:
    _register(_operation)


# Sign-off: drafts and a head's decision on them -------------------------------------------

@blp.route("/schools/<int:urn>/drafts/<draft_id>", methods=["GET"], endpoint="draft")
@blp.requires("read")
@blp.response(200, DraftSchema)
@blp.alt_response(404, response="NOT_FOUND")
def draft(urn: int, draft_id: str) -> Any:
    """A step drafted for a head's approval, and where it stands"""
    with as_problems():
        return _draft(services().case_files, urn, draft_id)


@blp.route("/schools/<int:urn>/drafts/<draft_id>/approval", methods=["POST"],
           endpoint="approve_draft")
@blp.requires("approve")
@blp.arguments(r.ApproveDraft)
@blp.response(201, RecordedSchema, headers=WRITE_ETAG,
              description="Approved: the step and the approval are recorded together; id is "
                          "what the step made (WN2)")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(parameters=[IF_MATCH])
def approve_draft(_: dict[str, Any], urn: int, draft_id: str) -> Any:
    """Approve a draft (a head who did not draft it)

    The step takes effect today, or on the day the draft names for a step already taken.
    Its rules are checked again: if they refuse it now, nothing is recorded (422, naming
    the rule)."""
    return _decide(urn, draft_id, lambda case_files, by, role: case_files.approve_draft(
        urn, by=by, role=role, draft_id=draft_id))


@blp.route("/schools/<int:urn>/drafts/<draft_id>/return", methods=["POST"],
           endpoint="return_draft")
@blp.requires("approve")
@blp.arguments(r.ReturnDraft)
@blp.response(201, RecordedSchema, headers=WRITE_ETAG,
              description="Returned to be redrafted")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(parameters=[IF_MATCH])
def return_draft(body: dict[str, Any], urn: int, draft_id: str) -> Any:
    """Return a draft to be redrafted, with the reason (a head who did not draft it)"""
    return _decide(urn, draft_id, lambda case_files, by, role: case_files.return_draft(
        urn, by=by, role=role, draft_id=draft_id, reason=body["reason"]))


def _decide(urn: int, draft_id: str, decide: Callable) -> Any:
    case_files = services().case_files
    with as_problems():
        _draft(case_files, urn, draft_id)
        with case_files.recording_against(urn, expected_version()) as receipt:
            made = decide(case_files, api_recorder(), g.api_user["role"])
    prefix = current_app.config["API_PREFIX"]
    return {"urn": urn, "version": receipt.version, "id": None if made is None else str(made),
            "links": {"school": f"{prefix}/schools/{urn}",
                      "events": f"{prefix}/schools/{urn}/events",
                      "draft": f"{prefix}/schools/{urn}/drafts/{draft_id}"}}, 201, {
        "ETag": write_etag(receipt.version)}


def _draft(case_files: SchoolCaseFiles, urn: int, draft_id: str) -> dict[str, Any]:
    found = next((d for d in case_files.school(urn)["sign_off_drafts"]
                  if d["draft_id"] == draft_id), None)
    if found is None:
        raise Problem(404, f"URN {urn} has no draft {draft_id}")
    # The arguments are plain data but for dates, which JSON writes as ISO 8601 here too.
    arguments = {name: value.isoformat() if isinstance(value, date) else value
                 for name, value in found["arguments"].items()}
    return {**found, "arguments": arguments}
