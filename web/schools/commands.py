"""Every command on a case file as a form at /schools/<urn>/<command>: one view, driven by a table.

Each row of COMMANDS names the form, the application method it calls and how the page reads.
GET shows the form; POST checks it, calls the one command with ``by`` the signed-in user, and
redirects to the case file (POST/redirect/GET); a rule the case file enforces comes back as a
CaseFileError whose message the form shows in its error summary and, when the refusal names
the command's argument it concerns, on that field (GOV.UK error message), linked from the
summary.

A form carries a one-time token, issued into the session when the form is shown and spent by
the POST that records: sending the same form again (a double click, the back button, a retry)
records nothing. Spent tokens are also remembered by the process, so a second request made
with the same, not yet updated, session cookie is refused too.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from threading import Lock
from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from application import recorders
from application.case_files import SchoolCaseFiles, SchoolNotFound
from domain.areas.warning_notices import (
    WARNING_NOTICE_GROUNDS,
    WARNING_NOTICE_SECTIONS,
    period_and_end,
)
from domain.deadlines import deadline_words
from domain.errors import CaseFileError, field_of
from domain.rules import rule_of
from domain.wording import long_date
from web.auth import requires
from web.schools import bp
from web.schools import forms as f
from web.services import services
from web.store_failures import failed_command


class CaseFileView:
    """What a form reads from one case file, each read at most once a request."""

    def __init__(self, case_files: SchoolCaseFiles, urn: int, **already_read: Any) -> None:
        """``already_read``: any of status, deadlines and history, read by the caller."""
        self.case_files, self.urn = case_files, urn
        self.scheme, self.working_days = case_files.scheme, case_files.working_days
        self.__dict__.update(already_read)

    @cached_property
    def status(self) -> dict[str, Any]:
        return self.case_files.school(self.urn)

    @cached_property
    def deadlines(self) -> list[Any]:
        return self.case_files.deadlines(self.urn)

    @cached_property
    def history(self) -> list[dict[str, Any]]:
        return self.case_files.history(self.urn)

    @cached_property
    def staff(self) -> list[dict[str, Any]]:
        """The enabled caseworkers and heads: whom a case, task or action can be given."""
        from web.work.routes import staff

        return staff()

    def entry(self, version: Any) -> dict[str, Any] | None:
        if not isinstance(version, int):
            return None
        return next((e for e in self.history if e["version"] == version), None)


@dataclass(frozen=True)
class Command:
    """One command's page: its form, the application method it calls, and its words."""

    slug: str  # the URL's last part; the endpoint is schools.<slug with underscores>
    method: str  # SchoolCaseFiles' method
    form: type[f.CommandForm]
    title: str
    button: str
    done: Callable[[Any, Any], str]  # the success message, from the result and the form
    group: str  # where the case file lists it; "" for forms reached from an entry or deadline
    permission: str = "record"
    dated: bool = True  # takes ``effective`` from the form's date
    review: Callable[[Any, CaseFileView], list[tuple[str, str]]] | None = None

    @property
    def endpoint(self) -> str:
        return self.slug.replace("-", "_")


def _review_warning_notice(form: f.IssueWarningNotice,
                           case: CaseFileView) -> list[tuple[str, str]]:
    """What the notice will say, with its compliance date worked out for the reader to check
    (the command works it out again when it records the notice)."""
    given_on = form.effective.data
    period, ends_on = period_and_end(given_on, form.compliance_period.data,
                                     case.working_days, comply_by=form.compliance_date.data)
    missing = case.case_files.missing_copies(
        case.urn, issuer=form.issuer.data or "local authority", given_on=given_on,
        copies_to=form.copies_to.data or ["Ofsted"])
    grounds = [f"({g}) {WARNING_NOTICE_GROUNDS[g]}" for g in form.grounds.data]
    return [
        ("Kind of notice", _sentence(WARNING_NOTICE_SECTIONS.get(form.section.data, ""))),
        ("Given by", f.sentence_case(form.issuer.data or "")),
        ("Grounds", "; ".join(grounds) or "None (teachers' pay and conditions)"),
        ("Matters relied on", form.matters.data),
        ("Action required", form.required_actions.data),
        ("Action the authority is minded to take", form.minded_action.data),
        ("Given on", long_date(given_on)),
        ("Compliance period", f"{period} working days"),
        ("Compliance date", long_date(ends_on)),
        ("Copies to", ", ".join(form.copies_to.data) or "Ofsted"),
        *([("Copies not listed", "Warning: no copy to the " + ", the ".join(missing)
            + " (s60(6)); the notice will be recorded with this warning")] if missing else []),
    ]


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:]


CONCERNS = "Concerns"
NOTICES = "Warning notices and eligibility"
ACADEMY_ORDERS = "Academy orders (the Secretary of State's)"
RISE = "RISE targeted intervention"
IEB = "Interim executive board"
MSP = "Monitoring (MSP) group"
JUDGEMENTS = "Category and Ofsted"
OVERSIGHT = "Oversight"
SCHOOL = "The school"

COMMANDS: tuple[Command, ...] = (
    Command("raise-concern", "raise_concern", f.RaiseConcern, "Raise a concern",
            "Raise the concern", lambda r, _: f"Concern {r} raised", CONCERNS),
    Command("communicate-concern", "communicate_concern", f.CommunicateConcern,
            "Communicate a concern", "Record it",
            lambda _, form: f"Concern {form.concern_id.data} communicated to the "
                            f"{form.recipient.data}", CONCERNS),
    Command("resolve-concern", "resolve_concern", f.ResolveConcern, "Resolve a concern",
            "Resolve the concern", lambda _, form: f"Concern {form.concern_id.data} resolved",
            CONCERNS),
    Command("send-letter-of-concern", "send_letter_of_concern", f.SendLetterOfConcern,
            "Send a letter of concern", "Record the letter",
            lambda r, _: f"Letter of concern {r} recorded", CONCERNS),
    Command("issue-warning-notice", "issue_warning_notice", f.IssueWarningNotice,
            "Issue a warning notice", "Give the warning notice",
            lambda r, _: f"Warning notice {r} given", NOTICES, review=_review_warning_notice),
    Command("record-compliance", "record_compliance", f.RecordCompliance,
            "Record compliance with a warning notice", "Record compliance",
            lambda _, form: f"Compliance with warning notice {form.notice_id.data} recorded",
            NOTICES),
    Command("withdraw-warning-notice", "withdraw_warning_notice", f.WithdrawWarningNotice,
            "Withdraw a warning notice", "Withdraw the notice",
            lambda _, form: f"Warning notice {form.notice_id.data} withdrawn", NOTICES),
    Command("give-intervention-notice", "give_intervention_notice", f.GiveInterventionNotice,
            "Give written notice of intervention", "Record the written notice",
            lambda _, form: f"Notice of intervention after {form.notice_id.data} recorded",
            NOTICES),
    Command("record-representations", "record_representations", f.RecordRepresentations,
            "Record representations to Ofsted on a warning notice", "Record the representations",
            lambda _, form: f"Representations on warning notice {form.notice_id.data} recorded",
            NOTICES),
    Command("record-ofsted-decision", "record_ofsted_decision", f.RecordOfstedDecision,
            "Record Ofsted's decision on representations", "Record the decision",
            lambda _, form: f"Ofsted's decision on warning notice {form.notice_id.data} "
                            "recorded", NOTICES),
    Command("record-coasting", "record_coasting", f.RecordCoasting,
            "Record that the school is coasting", "Record coasting",
            lambda *_: "Coasting recorded: the school is eligible for intervention", NOTICES),
    Command("end-coasting", "end_coasting", f.EndCoasting,
            "Record that the school is no longer coasting", "Record the end of coasting",
            lambda *_: "Coasting ended: the school is no longer eligible as coasting", NOTICES),
    Command("end-eligibility", "end_eligibility", f.EndEligibility,
            "End eligibility for intervention", "End eligibility",
            lambda *_: "Eligibility for intervention ended", NOTICES),
    Command("record-arrangements-consultation", "record_arrangements_consultation",
            f.RecordArrangementsConsultation, "Record a consultation before s63 arrangements",
            "Record the response",
            lambda _, form: f"Consultation of the {form.consultee.data} recorded", NOTICES),
    Command("exercise-power", "exercise_power", f.ExercisePower, "Use an intervention power",
            "Record the power used", lambda r, _: f"Power {r} recorded", NOTICES),
    Command("record-academy-order", "record_academy_order", f.RecordAcademyOrder,
            "Record an academy order", "Record the order",
            lambda r, _: f"Academy order {r} recorded", ACADEMY_ORDERS),
    Command("revoke-academy-order", "revoke_academy_order", f.RevokeAcademyOrder,
            "Record the revocation of an academy order", "Record the revocation",
            lambda _, form: f"Academy order {form.order_id.data} recorded as revoked",
            ACADEMY_ORDERS),
    Command("identify-for-rise", "identify_for_rise", f.IdentifyForRise,
            "Record identification for RISE targeted intervention", "Record it",
            lambda *_: "Identification for RISE targeted intervention recorded", RISE),
    Command("assign-rise-adviser", "assign_rise_adviser", f.AssignRiseAdviser,
            "Record the RISE adviser", "Record the adviser",
            lambda _, form: f"RISE adviser {form.adviser.data} recorded", RISE),
    Command("agree-rise-plan", "agree_rise_plan", f.AgreeRisePlan,
            "Record the RISE improvement plan", "Record the plan",
            lambda *_: "RISE improvement plan recorded", RISE),
    Command("record-rise-review", "record_rise_review", f.RecordRiseReview,
            "Record a RISE review", "Record the review",
            lambda r, _: f"RISE review {r} recorded", RISE),
    Command("exit-rise", "exit_rise", f.ExitRise, "Record the exit from RISE",
            "Record the exit", lambda *_: "Exit from RISE targeted intervention recorded", RISE),
    Command("draft-ieb-application", "draft_ieb_application", f.DraftIEBApplication,
            "Draft an IEB application", "Draft the application",
            lambda r, _: f"IEB application {r} drafted", IEB),
    Command("record-ieb-consultation", "record_ieb_consultation", f.RecordIEBConsultation,
            "Record an IEB consultation", "Record the response",
            lambda _, form: f"Consultation of the {form.consultee.data} recorded", IEB),
    Command("submit-ieb-application", "submit_ieb_application", f.SubmitIEBApplication,
            "Send an IEB application to the Secretary of State", "Record it as sent",
            lambda _, form: f"IEB application {form.application_id.data} sent", IEB),
    Command("record-ieb-decision", "record_ieb_decision", f.RecordIEBDecision,
            "Record the Secretary of State's decision", "Record the decision",
            lambda _, form: f"Decision on IEB application {form.application_id.data} recorded",
            IEB),
    Command("constitute-ieb", "constitute_ieb", f.ConstituteIEB,
            "Constitute the interim executive board", "Constitute the board",
            lambda *_: "Interim executive board constituted", IEB),
    Command("change-ieb-members", "change_ieb_members", f.ChangeIEBMembers,
            "Change the IEB's members", "Change the members",
            lambda *_: "IEB members changed", IEB),
    Command("end-ieb", "end_ieb", f.EndIEB, "End the interim executive board", "End the board",
            lambda *_: "Interim executive board ended", IEB),
    Command("establish-msp-group", "establish_msp_group", f.EstablishMSPGroup,
            "Set up an MSP group", "Set up the group", lambda *_: "MSP group set up", MSP),
    Command("schedule-msp-meeting", "schedule_msp_meeting", f.ScheduleMSPMeeting,
            "Arrange an MSP meeting", "Arrange the meeting",
            lambda r, _: f"MSP meeting {r} arranged", MSP),
    Command("move-msp-meeting", "move_msp_meeting", f.MoveMSPMeeting, "Move an MSP meeting",
            "Move the meeting", lambda _, form: f"MSP meeting {form.meeting_id.data} moved", MSP),
    Command("cancel-msp-meeting", "cancel_msp_meeting", f.CancelMSPMeeting,
            "Cancel an MSP meeting", "Cancel the meeting",
            lambda _, form: f"MSP meeting {form.meeting_id.data} cancelled", MSP),
    Command("hold-msp-meeting", "hold_msp_meeting", f.HoldMSPMeeting,
            "Record an MSP meeting held", "Record the meeting",
            lambda r, _: f"MSP meeting {r} recorded", MSP),
    Command("complete-msp-action", "complete_msp_action", f.CompleteMSPAction,
            "Complete an MSP action", "Record it as done",
            lambda _, form: f"MSP action {form.action_id.data} completed", MSP),
    Command("close-msp-group", "close_msp_group", f.CloseMSPGroup, "Close the MSP group",
            "Close the group", lambda *_: "MSP group closed", MSP),
    Command("change-category", "change_category", f.ChangeCategory, "Change the LA category",
            "Change the category",
            lambda _, form: f"LA category changed to {form.to.data}", JUDGEMENTS),
    Command("review-category", "review_category", f.ReviewCategory,
            "Review the LA category", "Record the review",
            lambda *_: "Category review recorded", JUDGEMENTS),
    Command("record-inspection", "record_inspection", f.RecordInspection,
            "Record an Ofsted inspection", "Record the inspection",
            lambda r, _: f"Ofsted inspection {r} recorded", JUDGEMENTS, dated=False),
    Command("record-statement-of-action", "record_statement_of_action",
            f.RecordStatementOfAction, "Record a statement of action",
            "Record the statement", lambda *_: "Statement of action recorded", JUDGEMENTS),
    Command("record-visit", "record_visit", f.RecordVisit, "Record a visit",
            "Record the visit", lambda r, _: f"Visit {r} recorded", OVERSIGHT),
    Command("assign-caseworker", "assign_caseworker", f.AssignCaseworker,
            "Assign a caseworker", "Assign the case",
            lambda _, form: f"Case assigned to {form.arguments()['name']}", OVERSIGHT,
            permission="assign"),
    Command("set-task", "set_task", f.SetTask, "Set a task", "Set the task",
            lambda r, form: f"Task {r} set for {form.arguments()['owner_name']}", OVERSIGHT),
    Command("complete-task", "complete_task", f.CompleteTask, "Record a task as done",
            "Record it as done", lambda _, form: f"Task {form.task_id.data} done", OVERSIGHT),
    Command("change-school-details", "change_school_details", f.ChangeSchoolDetails,
            "Change the school's details", "Save the details",
            lambda *_: "School details saved", SCHOOL),
    Command("convert-to-academy", "convert_to_academy", f.ConvertToAcademy,
            "Record conversion to an academy", "Record the conversion",
            lambda r, _: f"Converted: the academy's case file is URN {r}", SCHOOL),
    Command("retract-entry", "retract_entry", f.RetractEntry, "Retract an entry",
            "Retract the entry", lambda _, form: f"Entry {form.version.data} retracted", "",
            dated=False),
    Command("amend-entry", "amend_entry", f.AmendEntry, "Correct the wording of an entry",
            "Correct the entry", lambda _, form: f"Entry {form.version.data} corrected", "",
            dated=False),
    Command("extend-deadline", "extend_deadline", f.ExtendDeadline, "Extend a deadline",
            "Extend the deadline", lambda _, form: f"Deadline extended: {deadline_words(form.key.data)}", "",
            dated=False),
    Command("suspend-deadline", "suspend_deadline", f.SuspendDeadline, "Suspend a deadline",
            "Suspend the deadline", lambda _, form: f"Deadline suspended: {deadline_words(form.key.data)}", "",
            dated=False),
    Command("resume-deadline", "resume_deadline", f.ResumeDeadline, "Resume a deadline",
            "Resume the deadline", lambda _, form: f"Deadline resumed: {deadline_words(form.key.data)}", "",
            dated=False),
)
BY_SLUG = {command.slug: command for command in COMMANDS}
GROUPS = (CONCERNS, NOTICES, ACADEMY_ORDERS, RISE, IEB, MSP, JUDGEMENTS, OVERSIGHT, SCHOOL)


def command_groups(case: CaseFileView) -> list[tuple[str, list[Command]]]:
    """The commands the case file lists, by group, each only if the case file has what it
    acts on (corrections and deadline changes are reached from the entry or deadline they
    act on)."""
    groups = [(group, [c for c in COMMANDS if c.group == group and c.form.offered(case)])
              for group in GROUPS]
    return [(group, commands) for group, commands in groups if commands]


# The one view ----------------------------------------------------------------------------

def command_page(urn: int, slug: str) -> Any:
    command = BY_SLUG[slug]
    return requires(command.permission)(_command_page)(urn, command)


def _command_page(urn: int, command: Command) -> Any:
    case_files = services().case_files
    case = CaseFileView(case_files, urn)
    try:
        case.status  # noqa: B018 - a missing case file is a 404 before anything else
    except SchoolNotFound:
        abort(404)
    if request.method == "GET":
        _record_access(urn, command)
        redraft = _redraft(case, command, request.args.get("draft"))
        return _show(command, case, _fresh_form(command, case, redraft), redraft=redraft)

    form = command.form()
    form.fill(case)
    token = form.form_token.data
    redraft = _redraft(case, command, request.form.get("draft"))
    if not _token_is_live(token):
        return _refuse_resubmission(urn)
    if request.form.get("change"):  # back from the review page to change what was typed
        return _show(command, case, form, redraft=redraft)
    if not form.validate():
        return _show(command, case, form, status=422, redraft=redraft)
    arguments = form.arguments()
    drafting = redraft is not None or case_files.needs_sign_off(
        urn, command.method, arguments, form.effective.data if command.dated else None)
    if (command.review is not None or drafting) and not request.form.get("confirmed"):
        try:
            if drafting:  # the step's own rules, before the user checks a draft they refuse
                case_files.check_step(urn, by=recorders.account(g.user), step=command.method,
                                      arguments=arguments,
                                      takes_effect=_taken(form, command,
                                                          case_files.clock.today()))
            rows = command.review(form, case) if command.review else _answers(form)
        except CaseFileError as error:
            return _show(command, case, form, problem=_refusal(error, form), status=422,
                         redraft=redraft)
        return render_template("schools/confirm.html", command=command, school=case.status,
                               rows=rows, fields=_echo(request.form), drafting=drafting,
                               taken=_taken(form, command, case_files.clock.today()))
    if not _spend(token):
        return _refuse_resubmission(urn)

    taken = _taken(form, command, case_files.clock.today())
    if command.dated and not drafting:
        arguments["effective"] = form.effective.data
    by = recorders.account(g.user)
    try:
        if redraft is not None:
            case_files.redraft_step(urn, by=by, draft_id=redraft["draft_id"],
                                    arguments=arguments, takes_effect=taken)
            result = redraft["draft_id"]
        elif drafting:
            result = case_files.draft_step(urn, by=by, step=command.method,
                                           arguments=arguments, takes_effect=taken)
        else:
            result = getattr(case_files, command.method)(urn, by=by, **arguments)
    except CaseFileError as error:
        form.form_token.data = _issue_token()  # nothing was recorded: the form may be sent again
        return _show(command, case, form, problem=_refusal(error, form), status=422,
                     redraft=redraft)
    except Exception as error:
        failure = failed_command(error)
        if failure is None:
            raise
        if failure.certain:  # the store refused it: the form may be sent again
            form.form_token.data = _issue_token()
        return _show(command, case, form, problem=failure.message, status=503,
                     redraft=redraft)
    services().read_your_writes()
    if drafting:
        flash(f"Draft {result} is waiting for a head's approval", "success")
        return redirect(url_for("schools.draft", urn=urn, draft_id=result), code=303)
    flash(command.done(result, form), "success")
    return redirect(url_for("schools.case_file", urn=urn), code=303)


def _taken(form: f.CommandForm, command: Command, today: Any) -> Any:
    """The day a drafted step already taken took effect: a date before today (entered after
    the event); None for a step that takes effect when it is approved."""
    day = form.effective.data if command.dated else None
    return day if day is not None and day < today else None


def drafts_whatever_is_chosen(command: Command, case: CaseFileView) -> bool:
    """Whether the form's step is drafted for a head's approval whatever the form says (the
    LA's policy names it); a category change is drafted only when the category chosen causes
    concern, which the form's answers decide."""
    return command.method != "change_category" and case.case_files.needs_sign_off(
        case.urn, command.method, {})


def _redraft(case: CaseFileView, command: Command, draft_id: str | None) -> dict | None:
    """The returned draft of this command that the form redrafts, if it names one."""
    if not draft_id:
        return None
    draft = next((d for d in case.status["sign_off_drafts"] if d["draft_id"] == draft_id),
                 None)
    if draft is None or draft["step"] != command.method or draft["status"] != "returned":
        abort(404)
    return draft


def _answers(form: f.CommandForm) -> list[tuple[str, str]]:
    """The form's answers as "Check your answers" lists them, choices by their labels."""
    rows = []
    for field in form:
        if field.name in f.META_FIELDS or field.type == "HiddenField":
            continue
        labels = {pair[0]: pair[1] for pair in getattr(field, "choices", None) or []
                  if isinstance(pair, (tuple, list)) and len(pair) >= 2}
        values = field.data if isinstance(field.data, list) else [field.data]
        words = [long_date(v) if hasattr(v, "isoformat") else str(labels.get(v, v))
                 for v in values if v not in (None, "")]
        rows.append((field.label.text, ", ".join(words) or "Not given"))
    return rows


def _record_access(urn: int, command: Command) -> None:
    """A form shows the school's status, and the entry or deadline it acts on in full (an
    amendment shows the text it amends): each is a view of the case file, in the access log
    as "form amend-entry, entry 61"."""
    view = f"form {command.slug}"
    if (version := request.args.get("version", "")).isdigit() and len(version) < 10:
        view += f", entry {int(version)}"
    services().users.record_access(email=g.user["email"], urn=urn, view=view[:40])


def _fresh_form(command: Command, case: CaseFileView,
                redraft: dict[str, Any] | None = None) -> f.CommandForm:
    """The form as first shown: what the case file says, what the link asked for (a notice,
    an entry, a deadline), today's date, and a new one-time token; or what a returned draft
    said, to redraft it."""
    form = command.form(formdata=None)
    for name in request.args:
        if name in form._fields and name not in f.META_FIELDS:
            form[name].process(MultiDict([(name, v) for v in request.args.getlist(name)]))
    form.fill(case)
    form.prefill(case)
    if redraft is not None:
        for name, value in redraft["arguments"].items():
            if name in form._fields:
                form[name].data = value
    if "effective" in form._fields and form.effective.data is None:
        form.effective.data = case.case_files.clock.today()
    form.form_token.data = _issue_token()
    return form


def _show(command: Command, case: CaseFileView, form: f.CommandForm, *,
          problem: str | dict[str, Any] | None = None, status: int = 200,
          redraft: dict[str, Any] | None = None) -> Any:
    if isinstance(problem, str):
        problem = {"text": problem}
    rule = problem.pop("rule", None) if problem else None
    errors = ([problem] if problem else []) + _error_list(form)
    if problem and "href" in problem:  # the refused field is listed once, by the refusal
        errors = [problem] + [e for e in errors[1:] if e.get("href") != problem["href"]]
    drafting = redraft is not None or drafts_whatever_is_chosen(command, case)
    # A category change is drafted only into a category causing concern: say which those are.
    drafted_into = [c.code for c in case.scheme.categories if case.case_files.needs_sign_off(
        case.urn, command.method, {"to": c.code})] if command.method == "change_category" else []
    return render_template("schools/command.html", command=command, form=form,
                           school=case.status, about=form.describe(case), errors=errors,
                           rule=rule, drafting=drafting, redraft=redraft,
                           drafted_into=drafted_into,
                           today=case.case_files.clock.today()), status


def _refusal(error: CaseFileError, form: f.CommandForm | None = None) -> dict[str, Any]:
    """The error summary's item for a refusal. Its message goes on the field the refusal
    names too, and the item links to it; a refusal of the command as a whole stands in the
    summary alone. The rule it rests on, if any, is named with a link to the rules page:
    beside the message, or above the list when the message is a link to its field (a link
    cannot hold another). Without a form (a draft's decision), the summary alone."""
    message = str(error)
    item: dict[str, Any] = {"text": message}
    field = None if form is None else form.field_for(field_of(error))
    if field is not None:
        field.errors = [*field.errors, message]
        item["href"] = f"#{_anchor(field)}"
    rule = rule_of(error)
    if rule is None:
        return item
    link = Markup('<a class="govuk-link" href="{}">{}</a>').format(
        url_for("rules.index", _anchor=rule.key), rule.title)
    named = Markup("Rule: {} ({})").format(link, rule.source)
    if field is not None:
        return {**item, "rule": named}
    return {"html": Markup("{}<br>{}").format(message, named)}


def _error_list(form: Any) -> list[dict[str, str]]:
    """The error summary's items, each linking to its field (a date to its day box)."""
    found = []
    for field in form:
        if field.type == "FieldList":
            for entry in field:
                found += _error_list(entry.form)
        elif field.errors:
            found.append({"text": field.errors[0], "href": f"#{_anchor(field)}"})
    return found


def _anchor(field: Any) -> str:
    if isinstance(field, f.DateInputField):
        return f"{field.name}-day"
    if field.type in ("RadiosField", "CheckboxesField", "SelectMultipleField", "BooleanField"):
        return field.name  # GOV.UK gives the first radio or checkbox the field's name as id
    return field.id


def _echo(posted: MultiDict) -> list[tuple[str, str]]:
    """What was typed, to send again from the review page (the page adds its own CSRF
    token and button)."""
    return [(k, v) for k, v in posted.items(multi=True)
            if k not in ("csrf_token", "confirmed", "change", "submit")]


def _refuse_resubmission(urn: int) -> Any:
    flash("That form was already sent, or has expired, so nothing more was recorded. "
          "Check the case file before trying again.", "info")
    return redirect(url_for("schools.case_file", urn=urn), code=303)


# One-time form tokens ----------------------------------------------------------------------

SESSION_TOKENS = "form_tokens"
KEPT_IN_SESSION = 20  # forms open at once in one session; older ones expire
REMEMBERED_SPENT = 10_000


class SpentTokens:
    """The tokens this process has seen spent, newest kept."""

    def __init__(self) -> None:
        self._spent: OrderedDict[str, None] = OrderedDict()
        self._lock = Lock()

    def spend(self, token: str) -> bool:
        """True the first time only."""
        with self._lock:
            if token in self._spent:
                return False
            self._spent[token] = None
            while len(self._spent) > REMEMBERED_SPENT:
                self._spent.popitem(last=False)
            return True

    def __contains__(self, token: str) -> bool:
        with self._lock:
            return token in self._spent


def _spent_tokens() -> SpentTokens:
    return current_app.extensions.setdefault("scc.spent_form_tokens", SpentTokens())


def _issue_token() -> str:
    token = secrets.token_urlsafe(18)
    session[SESSION_TOKENS] = [*session.get(SESSION_TOKENS, []), token][-KEPT_IN_SESSION:]
    return token


def _token_is_live(token: str | None) -> bool:
    return bool(token) and token in session.get(SESSION_TOKENS, []) \
        and token not in _spent_tokens()


def _spend(token: str) -> bool:
    tokens = session.get(SESSION_TOKENS, [])
    if token not in tokens:
        return False
    session[SESSION_TOKENS] = [t for t in tokens if t != token]
    return _spent_tokens().spend(token)


for _command in COMMANDS:
    bp.add_url_rule(f"/<int:urn>/{_command.slug}", endpoint=_command.endpoint,
                    view_func=command_page, defaults={"slug": _command.slug},
                    methods=["GET", "POST"])
