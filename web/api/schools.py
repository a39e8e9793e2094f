"""The schools: the list with its filters, registering a school, and each school's status,
entries, deadlines and chain verification. Every read of a case file is in the access log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import fields
from marshmallow.validate import Length, OneOf

from application.access import may
from application.audit import verify
from application.case_files import SchoolCaseFiles
from application.school_search import SCHOOL_SORTS
from domain.areas.register import GOVERNANCE
from domain.dates import require_known_at
from domain.deadlines import Deadline
from domain.errors import CaseFileError
from web.api.auth import ApiBlueprint, api_recorder, api_user
from web.api.paging import PageQuery, paginate
from web.api.problems import Problem, as_problems
from web.api.requests import RegisterSchool
from web.api.schemas import (
    EntryPageSchema,
    SchoolDeadlinesSchema,
    SchoolStatusSchema,
    SchoolSummaryPageSchema,
    VerificationSchema,
)
from web.api.versions import (
    IF_NONE_MATCH,
    READ_ETAG,
    WRITE_ETAG,
    not_modified,
    read_etag,
    write_etag,
)
from web.services import services

blp = ApiBlueprint("Schools", __name__, description=(
    "The schools with case files: the list, registering a school, and each school's status, "
    "entries (its history), deadlines and chain verification. Reads of a school carry an "
    "ETag and answer If-None-Match with 304."))

PHASE_GROUPS = ("primary", "secondary", "special", "other")
VIEW_NAME_LENGTH = 40  # the access log's column


class SchoolsQuery(PageQuery):
    q = fields.String(load_default="", validate=Length(max=200),
                      metadata={"description": "Part of the name, or the start of the URN"})
    phase = fields.String(load_default=None, validate=OneOf(PHASE_GROUPS))
    category = fields.String(load_default=None, validate=Length(max=10), metadata={
        "description": "An LA category code, or 'none' for schools not categorised"})
    causing_concern = fields.Boolean(load_default=None)
    governance = fields.String(load_default=None, validate=OneOf(GOVERNANCE))
    status = fields.String(load_default=None, validate=OneOf(("open", "closed")),
                           metadata={"description": "Open or closed today"})
    sort = fields.String(load_default="urn", validate=OneOf(SCHOOL_SORTS))
    order = fields.String(load_default="asc", validate=OneOf(("asc", "desc")))


def in_known_range(moment: datetime) -> None:
    """The record can be read as known at this moment (domain.dates)."""
    try:
        require_known_at(moment)
    except CaseFileError as refusal:
        raise ma.ValidationError(str(refusal)) from None


class ReplayQuery(ma.Schema):
    as_at = fields.Date(load_default=None, metadata={
        "description": "What was true on this date (ISO 8601); needs the replay permission"})
    as_known_at = fields.AwareDateTime(load_default=None, validate=in_known_range, metadata={
        "description": "By what the record said at this time, with its offset "
                       "(2025-01-31T17:05:00+00:00); needs the replay permission"})


class EventsQuery(ReplayQuery, PageQuery):
    pass


@blp.route("/schools", methods=["GET"])
@blp.requires("read")
@blp.arguments(SchoolsQuery, location="query")
@blp.response(200, SchoolSummaryPageSchema)
def schools(query: dict[str, Any]) -> Any:
    """The schools

    Searched, filtered, sorted and paged as the web's schools list is, from the read models
    (brought up to date first). A Link header gives the other pages.
    """
    web = services()
    codes = {c.casefold(): c for c in web.projections.scheme.codes} | {"none": "none"}
    category = query["category"]
    if category is not None and category.casefold() not in codes:
        raise Problem(422, f"There is no LA category {category!r} to choose", kind=(
            "invalid-request"), errors=[{"location": "query", "field": "category",
                                         "message": f"One of {', '.join(codes.values())}"}])
    status = query["status"]
    page, page_size = query["page"], query["page_size"]
    found, total = web.reports.schools(
        text=query["q"], phase_group=query["phase"], category=category,
        causing_concern=query["causing_concern"], governance=query["governance"],
        is_open=None if status is None else status == "open",
        sort=query["sort"], descending=query["order"] == "desc",
        limit=page_size, offset=(page - 1) * page_size)
    body, headers = paginate(found, page, page_size, total=total)
    body["items"] = [_summary(row) for row in body["items"]]
    return body, headers


@blp.route("/schools", methods=["POST"], endpoint="register")
@blp.requires("record")
@blp.arguments(RegisterSchool)
@blp.response(201, SchoolStatusSchema, headers=WRITE_ETAG,
              description="Registered: the new case file's status")
@blp.alt_response(409, response="CONFLICT")
def register(body: dict[str, Any]) -> Any:
    """Register a school

    Opens a case file for a school on the register (GIAS's fields). 409 if the URN has one.
    """
    case_files = services().case_files
    effective = body.pop("effective")
    try:
        with as_problems():
            urn = case_files.register_school(by=api_recorder(), effective=effective, **body)
    except Problem as problem:
        if body["urn"] in case_files:  # a rule's refusal, or the URN taken meanwhile
            raise Problem(409, f"URN {body['urn']} already has a case file",
                          kind="already-registered") from None
        raise problem
    status = _status(case_files, urn)
    location = f"{current_app.config['API_PREFIX']}/schools/{urn}"
    return status, 201, {"ETag": write_etag(status["version"]), "Location": location}


@blp.route("/schools/<int:urn>", methods=["GET"])
@blp.requires("read")
@blp.arguments(ReplayQuery, location="query")
@blp.response(200, SchoolStatusSchema, headers=READ_ETAG)
@blp.alt_response(304, response="NOT_MODIFIED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(parameters=[IF_NONE_MATCH])
def school(query: dict[str, Any], urn: int) -> Any:
    """A school's status

    Its case file folded to what is true today, or as at a date, by what was known now or
    at a time: category, Ofsted, concerns, notices, eligibility, powers, IEB, MSP group.
    """
    case_files = services().case_files
    as_at, as_known_at = _replay(query)
    with as_problems():
        version = case_files.version(urn)
        etag = read_etag(version, as_at, as_known_at, case_files.clock.today())
        _log(urn, "api status", as_at, as_known_at)
        if (unchanged := not_modified(etag)) is not None:
            return unchanged
        status = _status(case_files, urn, as_at=as_at, as_known_at=as_known_at)
    return status, 200, {"ETag": etag}


@blp.route("/schools/<int:urn>/events", methods=["GET"])
@blp.requires("read")
@blp.arguments(EventsQuery, location="query")
@blp.response(200, EntryPageSchema, headers=READ_ETAG)
@blp.alt_response(304, response="NOT_MODIFIED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(parameters=[IF_NONE_MATCH])
def events(query: dict[str, Any], urn: int) -> Any:
    """A school's entries

    Every entry of its case file, oldest first, each with the corrections later made to it;
    only those recorded by ``as_known_at`` and effective by ``as_at``, if given.
    """
    case_files = services().case_files
    as_at, as_known_at = _replay(query)
    with as_problems():
        version = case_files.version(urn)
        etag = read_etag(version, as_at, as_known_at, query["page"], query["page_size"])
        _log(urn, "api events", as_at, as_known_at)
        if (unchanged := not_modified(etag)) is not None:
            return unchanged
        history = case_files.history(urn, as_at=as_at, as_known_at=as_known_at)
    body, headers = paginate(history, query["page"], query["page_size"])
    return body, 200, {**headers, "ETag": etag}


@blp.route("/schools/<int:urn>/deadlines", methods=["GET"])
@blp.requires("read")
@blp.response(200, SchoolDeadlinesSchema, headers=READ_ETAG)
@blp.alt_response(304, response="NOT_MODIFIED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(parameters=[IF_NONE_MATCH])
def deadlines(urn: int) -> Any:
    """A school's open deadlines

    Soonest first under the LA's deadline policy, with the working days left (negative once
    overdue), the reminders due and whether each is suspended.
    """
    case_files = services().case_files
    today = case_files.clock.today()
    with as_problems():
        etag = read_etag(case_files.version(urn), today)
        _log(urn, "api deadlines", None, None)
        if (unchanged := not_modified(etag)) is not None:
            return unchanged
        found = case_files.deadlines(urn)
    rows = [_deadline(d, today, case_files) for d in found]
    return {"urn": urn, "today": today, "deadlines": rows}, 200, {"ETag": etag}


@blp.route("/schools/<int:urn>/verification", methods=["GET"])
@blp.requires("replay")
@blp.response(200, VerificationSchema)
@blp.alt_response(404, response="NOT_FOUND")
def verification(urn: int) -> Any:
    """Verify a school's hash chain

    Recomputes the chain over the stored entries: ``ok`` is false, and ``problems`` names the
    first broken link, if an entry was altered, removed or moved after it was recorded.
    """
    case_files = services().case_files
    with as_problems():
        case_files.version(urn)  # 404 for a URN with no case file
        found = verify(case_files, urn=urn)
    _log(urn, "api verification", None, None)
    return found


# Internals ---------------------------------------------------------------------------------

def _replay(query: dict[str, Any]) -> tuple[date | None, datetime | None]:
    """as_at and as_known_at, if the user's role may replay; 403 if it may not."""
    as_at, as_known_at = query["as_at"], query["as_known_at"]
    if (as_at or as_known_at) and not may(api_user()["role"], "replay"):
        raise Problem(403, f"A {api_user()['role']} may not replay a case file as at a date "
                           "or as known at a time")
    return as_at, as_known_at


def _log(urn: int, view: str, as_at: date | None, as_known_at: datetime | None) -> None:
    if as_at:
        view += f" as at {as_at.isoformat()}"
    if as_known_at:
        view += " as known"
    services().users.record_access(email=api_user()["email"], urn=urn,
                                   view=view[:VIEW_NAME_LENGTH])


def _status(case_files: SchoolCaseFiles, urn: int, **replay: Any) -> dict[str, Any]:
    return {**case_files.school(urn, **replay), "version": case_files.version(urn),
            "links": _links(urn)}


def _links(urn: int) -> dict[str, str]:
    school = f"{current_app.config['API_PREFIX']}/schools/{urn}"
    return {"self": school, "events": f"{school}/events", "deadlines": f"{school}/deadlines",
            "verification": f"{school}/verification"}


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    reasons = row.get("concern_reasons") or ""
    return {**row, "concern_reasons": reasons.split("; ") if reasons else [],
            "links": _links(row["urn"])}


def _deadline(deadline: Deadline, today: date, case_files: SchoolCaseFiles) -> dict[str, Any]:
    working_days = case_files.working_days
    if deadline.due >= today:
        left = working_days.working_days_between(today, deadline.due)
    else:
        left = -working_days.working_days_between(deadline.due, today)
    return {"key": deadline.key, "kind": deadline.kind, "what": deadline.what,
            "due": deadline.due, "working_days_left": left, "overdue": deadline.due < today,
            "suspended": deadline.suspended,
            "reminders": [{"on": on, "working_days_before": days}
                          for on, days in deadline.reminders]}
