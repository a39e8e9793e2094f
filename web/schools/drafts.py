"""A draft awaiting sign-off (domain.areas.sign_off): its page, and a head's approval or return,
the drafter's withdrawal. Whether the user may decide is the domain's rule; the page offers
each button only to whoever it would not refuse."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for

from application import recorders
from application.case_files import SchoolNotFound
from application.entry_details import step_arguments
from domain.areas.sign_off import APPROVERS, person
from domain.errors import CaseFileError
from web.auth import requires
from web.schools import bp
from web.schools.commands import BY_SLUG, _refusal
from web.services import services
from web.store_failures import failed_command

SLUGS = {command.method: command.slug for command in BY_SLUG.values()}


@bp.get("/<int:urn>/drafts/<draft_id>")
@requires("read")
def draft(urn: int, draft_id: str) -> Any:
    services().users.record_access(email=g.user["email"], urn=urn, view=f"draft {draft_id}"[:40])
    return _page(urn, draft_id)


@bp.post("/<int:urn>/drafts/<draft_id>/approve")
@requires("record")
def approve(urn: int, draft_id: str) -> Any:
    return _decide(urn, draft_id, "approve", lambda case_files, by: case_files.approve_draft(
        urn, by=by, role=g.user["role"], draft_id=draft_id))


@bp.post("/<int:urn>/drafts/<draft_id>/return")
@requires("record")
def return_(urn: int, draft_id: str) -> Any:
    reason = request.form.get("reason", "").strip()
    if not reason:
        return _page(urn, draft_id, field_errors={
            "reason": "Enter why you are returning the draft, so that it can be redrafted"})
    return _decide(urn, draft_id, "return", lambda case_files, by: case_files.return_draft(
        urn, by=by, role=g.user["role"], draft_id=draft_id, reason=reason))


@bp.post("/<int:urn>/drafts/<draft_id>/withdraw")
@requires("record")
def withdraw(urn: int, draft_id: str) -> Any:
    reason = request.form.get("withdraw_reason", "").strip()
    if not reason:
        return _page(urn, draft_id, field_errors={
            "withdraw_reason": "Enter why you are withdrawing the draft"})
    return _decide(urn, draft_id, "withdraw", lambda case_files, by: case_files.withdraw_draft(
        urn, by=by, draft_id=draft_id, reason=reason))


DONE = {"approve": "Draft {draft_id} approved: {made} is on the record",
        "return": "Draft {draft_id} returned to be redrafted",
        "withdraw": "Draft {draft_id} withdrawn"}


def _decide(urn: int, draft_id: str, verb: str, decide: Any) -> Any:
    case_files = services().case_files
    _draft_or_404(urn, draft_id)
    try:
        made = decide(case_files, recorders.account(g.user))
    except CaseFileError as error:
        return _page(urn, draft_id, problem=_refusal(error))
    except Exception as error:
        failure = failed_command(error)
        if failure is None:
            raise
        return _page(urn, draft_id, problem={"text": failure.message}, status=503)
    services().read_your_writes()
    flash(DONE[verb].format(draft_id=draft_id, made=made or "the step"), "success")
    if verb == "approve":
        return redirect(url_for("schools.case_file", urn=urn), code=303)
    return redirect(url_for("schools.draft", urn=urn, draft_id=draft_id), code=303)


def _draft_or_404(urn: int, draft_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        school = services().case_files.school(urn)
    except SchoolNotFound:
        abort(404)
    found = next((d for d in school["sign_off_drafts"] if d["draft_id"] == draft_id), None)
    if found is None:
        abort(404)
    return school, found


def _page(urn: int, draft_id: str, *, problem: dict[str, Any] | None = None,
          field_errors: dict[str, str] | None = None, status: int | None = None) -> Any:
    school, found = _draft_or_404(urn, draft_id)
    field_errors = field_errors or {}
    errors = ([problem] if problem else []) + [
        {"text": text, "href": f"#{name}"} for name, text in field_errors.items()]
    me = person(g.user["name"], {"account": g.user["account_id"]})
    awaiting = found["status"] == "awaiting approval"
    page = render_template(
        "schools/draft.html", school=school, draft=found, errors=errors,
        field_errors=field_errors, reason=request.form.get("reason", ""),
        withdraw_reason=request.form.get("withdraw_reason", ""),
        arguments=step_arguments(found["arguments"]),
        may_decide=awaiting and g.user["role"] in APPROVERS and me not in found["drafters"],
        drafted_it=me in found["drafters"],
        may_withdraw=found["status"] in ("awaiting approval", "returned"),
        redraft_href=url_for(f"schools.{SLUGS[found['step']].replace('-', '_')}", urn=urn,
                             draft=draft_id) if found["status"] == "returned" else None)
    return page, status or (422 if errors else 200)
