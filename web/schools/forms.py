"""The forms that record on a case file: one per command, in GOV.UK markup, checked on the server.

A form parses and checks what was typed (a real date, a whole number, a choice offered); the
rules of the case file stay in the domain, which answers with a CaseFileError the page shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Form
from wtforms.fields import (
    BooleanField,
    Field,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional, StopValidation

from domain.areas.coasting import ENDINGS
from domain.areas.concerns import CONCERN_GROUNDS, CONCERN_RECIPIENTS, CONCERN_SOURCES
from domain.areas.eligibility import ELIGIBILITY_ROUTES, POWERS, PROPOSABLE_POWERS
from domain.areas.ieb import IEB_CONSULTEES
from domain.areas.oversight import VISIT_KINDS
from domain.areas.register import CONSULTEES, consultees_for
from domain.areas.warning_notices import (
    FIXED_PERIOD_RULES_END,
    ISSUERS,
    WARNING_NOTICE_GROUNDS,
    WARNING_NOTICE_SECTIONS,
)
from domain.case_file import SchoolCaseFile
from domain.ofsted import (
    FRAMEWORKS,
    NOTICE_TO_IMPROVE,
    REQUIRES_SIGNIFICANT_IMPROVEMENT,
    SAFEGUARDING,
    SERIOUS_WEAKNESSES,
    SPECIAL_MEASURES,
)
from domain.wording import long_date

if TYPE_CHECKING:
    from web.schools.commands import CaseFileView

MSP_ACTIONS = 5
"""How many actions one meeting's form takes (issue 5)."""

META_FIELDS = ("csrf_token", "form_token", "submit", "effective")
"""Fields every form has that are not arguments of the command."""


def sentence_case(words: str) -> str:
    """The first letter capital and the rest as written: "Secretary of State" keeps its
    capital S."""
    words = {"secretary of state": "Secretary of State"}.get(words, words)
    return words[:1].upper() + words[1:]


# Fields ----------------------------------------------------------------------------------

def _text_or_none(value: Any) -> str | None:
    # WTForms' default coerce turns a missing choice into the string "None".
    return None if value is None else str(value)


class DateInputField(Field):
    """A GOV.UK date input (day, month, year) holding a ``date``.

    ``what`` names the date in the message for a missing one: "Enter the date the concern
    was raised".
    """

    widget = GovDateInput()

    def __init__(self, label: str, *, what: str, optional: bool = False, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.what, self.optional = what, optional

    def _value(self) -> str:
        return ""

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [str(v).strip() for v in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts  # the widget shows what was typed, three boxes or none
        self.data = None
        if not any(parts):
            return
        if not all(parts):
            missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True)
                       if not part]
            raise ValueError(f"The date must include a {' and a '.join(missing)}")
        day, month, year = parts
        try:
            if len(year) != 4:
                raise ValueError
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError("The date must be a real date") from None

    def pre_validate(self, form: Any) -> None:
        if self.data is None and not self.process_errors:
            if self.optional:
                raise StopValidation()
            raise StopValidation(f"Enter {self.what}")


def options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as the options of a select, radios or checkboxes."""
    return [SelectChoice(value, label) for value, label in pairs]


class _Offers:
    """Choices set from (value, label) pairs; ``message`` when nothing, or something not
    offered, is chosen."""

    choices: list[SelectChoice]
    data: Any
    message: str
    optional: bool

    def offer(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.choices = options(pairs)

    def pre_validate(self, form: Any) -> None:
        chosen = self.data if isinstance(self.data, list) else [self.data]
        chosen = [value for value in chosen if value not in (None, "")]
        if not chosen:
            raise StopValidation(None if self.optional else self.message)
        offered = {choice.value for choice in self.choices}
        if any(value not in offered for value in chosen):
            raise StopValidation(self.message)


class RadiosField(_Offers, RadioField):
    """GOV.UK radios."""

    widget = GovRadioInput()

    def __init__(self, label: str, choices: Iterable[tuple[str, str]] = (), *, message: str,
                 optional: bool = False, **kwargs: Any) -> None:
        super().__init__(label, choices=options(choices), coerce=_text_or_none, **kwargs)
        self.message, self.optional = message, optional


class ChoiceField(_Offers, SelectField):
    """A GOV.UK select whose first option, the prompt, asks to choose."""

    widget = GovSelect()

    def __init__(self, label: str, *, message: str, prompt: str = "Choose", optional: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(label, choices=[], coerce=_text_or_none, **kwargs)
        self.message, self.prompt, self.optional = message, prompt, optional

    def offer(self, pairs: Iterable[tuple[str, str]]) -> None:
        super().offer([("", self.prompt), *pairs])


class CheckboxesField(_Offers, SelectMultipleField):
    """GOV.UK checkboxes holding the list of the values ticked."""

    widget = GovCheckboxesInput()

    def __init__(self, label: str, choices: Iterable[tuple[str, str]] = (), *, message: str = "",
                 optional: bool = False, **kwargs: Any) -> None:
        super().__init__(label, choices=options(choices), **kwargs)
        self.message, self.optional = message, optional


class LinesField(TextAreaField):
    """One name per line; its data is the list of lines that are not blank."""

    widget = GovTextArea()

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0] if valuelist else ""
        self.data = [line.strip() for line in text.splitlines() if line.strip()]

    def _value(self) -> str:
        return "\n".join(self.data or [])


class WholeNumberField(IntegerField):
    """A whole number typed in a text box; ``what`` names it in the messages."""

    widget = GovTextInput()

    def __init__(self, label: str, *, what: str, optional: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "spellcheck": "false"})
        super().__init__(label, **kwargs)
        self.what, self.optional = what, optional

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = int(text)
            except ValueError:
                raise ValueError(f"{self.what.capitalize()} must be a whole number") from None

    def pre_validate(self, form: Any) -> None:
        if self.data is None and not self.process_errors:
            raise StopValidation(None if self.optional else f"Enter {self.what}")


def text(label: str, message: str | None = None, hint: str = "") -> StringField:
    """A one-line text box, required unless ``message`` is None."""
    return StringField(label, [InputRequired(message)] if message else [Optional()],
                       widget=GovTextInput(), description=hint, default="")


def textarea(label: str, message: str | None = None, hint: str = "") -> TextAreaField:
    """A text area, required unless ``message`` is None."""
    return TextAreaField(label, [InputRequired(message)] if message else [Optional()],
                         widget=GovTextArea(), description=hint, default="")


def effective(what: str, label: str | None = None) -> DateInputField:
    """When the entry took effect (it may be backdated): "Enter the date the ... ".

    ``what`` is e.g. "the date the concern was raised"."""
    words = what.removeprefix("the ")
    return DateInputField(label or words[0].upper() + words[1:], what=what,
                          description="For example, 27 3 2026")


def reason(label: str = "Reason", message: str = "Enter the reason") -> TextAreaField:
    return textarea(label, message)


def _yes_no(label: str, message: str, yes: str, no: str) -> RadiosField:
    return RadiosField(label, [("yes", yes), ("no", no)], message=message)


# Choices from the case file ---------------------------------------------------------------

def _open_concerns(case: CaseFileView) -> list[tuple[str, str]]:
    return [(c["concern_id"], f"{c['concern_id']}: {c['description']}")
            for c in case.status["open_concerns"]]


def _notices(case: CaseFileView, *statuses: str) -> list[tuple[str, str]]:
    return [
        (n["notice_id"], f"{n['notice_id']} given {long_date(n['issued_on'])} ({n['status']})")
        for n in case.status["warning_notices"] if n["status"] in statuses
    ]


def _applications(case: CaseFileView, stage: str) -> list[tuple[str, str]]:
    return [(a["application_id"], f"{a['application_id']} ({a['stage']})")
            for a in case.status["ieb_applications"] if a["stage"] == stage]


def _scheduled_meetings(case: CaseFileView) -> list[tuple[str, str]]:
    return [(d.key.split(":", 1)[1], f"{d.what} on {long_date(d.due)}")
            for d in case.deadlines if d.kind == "msp_meeting"]


def _deadlines(case: CaseFileView, suspended: bool | None = None) -> list[tuple[str, str]]:
    return [(d.key, f"{d.what} (due {long_date(d.due)})") for d in case.deadlines
            if suspended is None or d.suspended is suspended]


def _staff(case: CaseFileView) -> list[tuple[str, str]]:
    """The users work can be handed to: "Casey Worker (caseworker)"."""
    return [(u["email"], f"{u['name']} ({u['role']})") for u in case.staff]


# The forms --------------------------------------------------------------------------------

class CommandForm(FlaskForm):
    """What every command form has: a one-time token against double submission, and a
    button (its words are the command's)."""

    form_token = HiddenField()
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        """The (value, label) pairs each field offers from this case file (its open
        concerns, notices, meetings...), by field name."""
        return {}

    @classmethod
    def applies(cls, case: CaseFileView) -> bool:
        """What else the command needs of the case file, beyond something to choose."""
        return True

    @classmethod
    def offered(cls, case: CaseFileView) -> bool:
        """Whether the case file has what the command acts on (an open concern to resolve, a
        notice not complied with...), so that the case file offers only commands that can
        be completed; read without building the form. Whether the command is then allowed
        stays the domain's decision."""
        return cls.applies(case) and all(
            pairs or getattr(cls, name).kwargs.get("optional", False)
            for name, pairs in cls.choices(case).items())

    def fill(self, case: CaseFileView) -> None:
        """Offers the choices this case file has."""
        for name, pairs in self.choices(case).items():
            self[name].offer(pairs)

    def prefill(self, case: CaseFileView) -> None:
        """Puts what the case file already says into a fresh form (current members...)."""

    def describe(self, case: CaseFileView) -> list[tuple[str, str]]:
        """What the form acts on, shown above it (the entry being corrected...)."""
        return []

    def arguments(self) -> dict[str, Any]:
        """The command's keyword arguments, by default one per field of the same name."""
        return {f.name: f.data for f in self if f.name not in META_FIELDS}

    def field_for(self, argument: str | None) -> Field | None:
        """The field that holds a command's argument, named as a refusal names it (the same
        name; "effective" for the entry's date; "actions.0.due" for a list's item), or None
        if the form has no such field."""
        found: Any = self
        for part in (argument or "").split(".") if argument else []:
            if isinstance(found, FieldList):
                found = found.entries[int(part)] if part.isdigit() and int(part) < len(
                    found.entries) else None
            elif isinstance(found, FormField):
                found = found.form._fields.get(part)
            elif isinstance(found, Form):
                found = found._fields.get(part)
            else:
                found = None
            if found is None:
                return None
        return found if argument and isinstance(found, Field) and not isinstance(
            found, FieldList | FormField) else None


class RaiseConcern(CommandForm):
    effective = effective("the date the concern was raised")
    ground = RadiosField("Ground for concern", [(g, g.capitalize()) for g in CONCERN_GROUNDS],
                         message="Choose the ground for concern")
    source = RadiosField("Where the concern came from",
                         [(s, s[:1].upper() + s[1:]) for s in CONCERN_SOURCES],
                         message="Choose where the concern came from")
    description = textarea("Describe the concern", "Enter the description of the concern")
    evidence = textarea("Evidence (optional)", hint="For example, the data or report it rests on")


class CommunicateConcern(CommandForm):
    effective = effective("the date the concern was communicated")
    concern_id = ChoiceField("Concern", message="Choose the concern")
    recipient = RadiosField("Who was told", [(r, r.capitalize()) for r in CONCERN_RECIPIENTS],
                            message="Choose who was told")
    note = textarea("Note (optional)")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"concern_id": _open_concerns(case)}


class ResolveConcern(CommandForm):
    effective = effective("the date the concern was resolved")
    concern_id = ChoiceField("Concern", message="Choose the concern")
    outcome = textarea("Outcome", "Enter the outcome")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"concern_id": _open_concerns(case)}


class SendLetterOfConcern(CommandForm):
    effective = effective("the date the letter was sent")
    concern_ids = CheckboxesField("Concerns the letter sets out",
                                  message="Choose at least one open concern")
    recipient = RadiosField("Sent to", [(r, r.capitalize()) for r in CONCERN_RECIPIENTS],
                            message="Choose who the letter was sent to",
                            default="chair of governors")
    summary = textarea("What the letter asks for", "Enter a summary of the letter")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"concern_ids": _open_concerns(case)}


class IssueWarningNotice(CommandForm):
    effective = effective("the date the notice was given")
    section = RadiosField("Kind of notice", list(WARNING_NOTICE_SECTIONS.items()),
                          message="Choose the kind of notice", default="s60")
    issuer = RadiosField("Given by", [(i, sentence_case(i)) for i in ISSUERS],
                         message="Choose who gives the notice", default="local authority")
    grounds = CheckboxesField(
        "Grounds (s60(2)); none for an s60A notice",
        [(k, f"({k}) {v}") for k, v in WARNING_NOTICE_GROUNDS.items()],
        message="Choose the grounds from those listed", optional=True)
    matters = textarea("The matters the notice is based on", "Enter the matters relied on")
    required_actions = textarea("The action required", "Enter the action required")
    compliance_period = WholeNumberField(
        "Compliance period in working days", what="the compliance period", optional=True,
        description="Set by the issuer since 18 April 2016; fixed at 15 before then")
    compliance_date = DateInputField(
        "Or the date the notice says to comply by", what="the compliance date", optional=True,
        description="Instead of a number of working days, since 18 April 2016: a working day "
        "after the notice is given. For example, 13 3 2026")
    minded_action = textarea("The action the authority is minded to take",
                             "Enter the action the authority is minded to take")
    copies_to = LinesField(
        "Copies to", default=["Ofsted"],
        description="One per line. s60(6): the headteacher, Ofsted, the diocese or foundation "
        "governors' appointer of a church or foundation school and, since 18 April 2016, the "
        "other issuer; a copy not listed is recorded as a warning")
    with_secretary_of_state_agreement = BooleanField(
        "The Secretary of State agreed to this notice (needed after a notice of theirs)",
        widget=GovCheckboxInput())

    def prefill(self, case: CaseFileView) -> None:
        today = case.case_files.clock.today()
        self.copies_to.data = case.case_files.expected_copies(
            case.urn, issuer="local authority", given_on=today)


class RecordCompliance(CommandForm):
    effective = effective("the date compliance was assessed")
    notice_id = ChoiceField("Warning notice", message="Choose the warning notice")
    complied = _yes_no("Did the governing body comply?", "Choose whether the notice was "
                       "complied with", "Yes, it complied", "No, it did not comply")
    evidence = textarea("Evidence", "Enter the evidence")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"notice_id": _notices(case, "open")}

    def arguments(self) -> dict[str, Any]:
        return {**super().arguments(), "complied": self.complied.data == "yes"}


class WithdrawWarningNotice(CommandForm):
    effective = effective("the date the notice was withdrawn")
    notice_id = ChoiceField("Warning notice", message="Choose the warning notice")
    reason = reason()

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"notice_id": _notices(case, "open")}


class GiveInterventionNotice(CommandForm):
    effective = effective("the date the written notice was given")
    notice_id = ChoiceField("Warning notice not complied with",
                            message="Choose the warning notice")
    proposed_powers = CheckboxesField(
        "Powers the notice says the authority proposes to use",
        [(k, sentence_case(v)) for k, v in PROPOSABLE_POWERS.items()],
        message="Choose the powers the notice proposes")
    proposed_action = textarea("What else the notice says about the intervention (optional)")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"notice_id": _notices(case, "not complied with")}


def _before_2016(case: CaseFileView, awaiting: bool) -> list[tuple[str, str]]:
    """Pre-18 April 2016 s60 notices: open ones without representations, or those whose
    representations await Ofsted's decision."""
    return [
        (n["notice_id"], f"{n['notice_id']} given {long_date(n['issued_on'])} ({n['status']})")
        for n in case.status["warning_notices"]
        if n["section"] == "s60" and n["issued_on"] < FIXED_PERIOD_RULES_END and (
            (n["representations_on"] is not None and n["ofsted_confirmed"] is None)
            if awaiting else (n["status"] == "open" and n["representations_on"] is None))
    ]


class RecordRepresentations(CommandForm):
    effective = effective("the date the representations were made")
    notice_id = ChoiceField("Warning notice given before 18 April 2016",
                            message="Choose the warning notice")
    summary = textarea("What the governing body said to Ofsted",
                       "Enter a summary of the representations")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"notice_id": _before_2016(case, awaiting=False)}


class RecordOfstedDecision(CommandForm):
    effective = effective("the date of Ofsted's decision")
    notice_id = ChoiceField("Warning notice", message="Choose the warning notice")
    confirmed = _yes_no("Did Ofsted confirm the notice?", "Choose whether Ofsted confirmed "
                        "the notice", "Yes, Ofsted confirmed it",
                        "No, Ofsted did not confirm it")
    details = textarea("Ofsted's reasons (optional)")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"notice_id": _before_2016(case, awaiting=True)}

    def arguments(self) -> dict[str, Any]:
        return {**super().arguments(), "confirmed": self.confirmed.data == "yes"}


class RecordCoasting(CommandForm):
    effective = effective("the date the school became eligible as coasting")
    notified_on = DateInputField(
        "Date the Secretary of State notified the governing body that the school is coasting",
        what="the date the Secretary of State notified the governing body (s60B)")
    basis = textarea("Basis (the coasting regulations' test it meets)", "Enter the basis")


class EndCoasting(CommandForm):
    effective = effective("the date the school stopped coasting")
    how = RadiosField("How coasting ended", [(k, sentence_case(v)) for k, v in ENDINGS.items()],
                      message="Choose how coasting ended")
    reason = reason()


class EndEligibility(CommandForm):
    effective = effective("the date eligibility ended")
    route = ChoiceField("Eligibility that ends", message="Choose the eligibility that ends")
    reason = reason()

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"route": [(e["route"], ELIGIBILITY_ROUTES[e["route"]])
                          for e in case.status["eligibility"]]}


class ExercisePower(CommandForm):
    effective = effective("the date the power was used")
    power = RadiosField("Power", list(POWERS.items()), message="Choose the power")
    details = textarea("Details", "Enter the details")


def _consultees(case: CaseFileView, offered: tuple[str, ...]) -> list[tuple[str, str]]:
    """Who the school's category calls for (register.consultees), from what is offered."""
    needed = consultees_for(case.status["establishment_type"],
                            case.status["religious_character"])
    return [(c, sentence_case(c)) for c in offered if c in needed]


class RecordArrangementsConsultation(CommandForm):
    effective = effective("the date of the response")
    consultee = RadiosField("Consulted", message="Choose who was consulted",
                            description="Who must be consulted depends on the school's "
                                        "category (s63(2))")
    response = textarea("Their response", "Enter the response")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"consultee": _consultees(case, CONSULTEES)}

    @classmethod
    def applies(cls, case: CaseFileView) -> bool:
        return case.status["governance"] == "maintained"


class RecordAcademyOrder(CommandForm):
    effective = effective("the date the Secretary of State made the order")
    basis = RadiosField("What the order was made on", [
        ("duty", "The Secretary of State's duty, for a school in special measures or requiring "
                 "significant improvement (18 April 2016 to 28 June 2026)"),
        ("power", "The Secretary of State's power, for a school eligible for intervention"),
        ("application", "The governing body's application"),
    ], message="Choose what the order was made on")
    reference = textarea("The order's reference, or a note", "Enter the order's reference or "
                         "a note")

    @classmethod
    def applies(cls, case: CaseFileView) -> bool:
        return case.status["governance"] == "maintained" and not any(
            o["status"] == "made" for o in case.status["academy_orders"])


class RevokeAcademyOrder(CommandForm):
    effective = effective("the date the order was revoked")
    order_id = ChoiceField("Academy order", message="Choose the academy order")
    reason = reason()

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"order_id": [(o["order_id"], f"{o['order_id']}, made {long_date(o['made_on'])}")
                             for o in case.status["academy_orders"] if o["status"] == "made"]}


class IdentifyForRise(CommandForm):
    effective = effective("the date the school was identified")
    basis = textarea("Why the RISE team identified the school", "Enter why the school was "
                     "identified")

    @classmethod
    def applies(cls, case: CaseFileView) -> bool:
        return case.status["rise"] is None


class _InRise(CommandForm):
    @classmethod
    def applies(cls, case: CaseFileView) -> bool:
        return case.status["rise"] is not None


class AssignRiseAdviser(_InRise):
    effective = effective("the date the adviser was assigned")
    adviser = text("RISE adviser's name", "Enter the RISE adviser's name")


class AgreeRisePlan(_InRise):
    effective = effective("the date the plan was agreed")
    summary = textarea("Summary of the improvement plan", "Enter a summary of the plan")


class RecordRiseReview(_InRise):
    effective = effective("the date of the review")
    notes = textarea("Notes", "Enter the notes")
    outcome = textarea("Outcome", "Enter the outcome")


class ExitRise(_InRise):
    effective = effective("the date the school left targeted intervention")
    reason = reason()


class DraftIEBApplication(CommandForm):
    effective = effective("the date the application was drafted")
    rationale = textarea("Why an interim executive board", "Enter the rationale")

    @classmethod
    def applies(cls, case: CaseFileView) -> bool:
        return bool(case.status["eligibility"]) and case.status["ieb"] is None


class RecordIEBConsultation(CommandForm):
    effective = effective("the date of the response")
    application_id = ChoiceField("Application", message="Choose the application")
    consultee = RadiosField("Consulted", message="Choose who was consulted",
                            description="Who must be consulted depends on the school's "
                                        "category (s65)")
    response = textarea("Their response", "Enter the response")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"application_id": _applications(case, "drafted"),
                "consultee": _consultees(case, IEB_CONSULTEES)}


class SubmitIEBApplication(CommandForm):
    effective = effective("the date the application was sent")
    application_id = ChoiceField("Application", message="Choose the application")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"application_id": _applications(case, "drafted")}


class RecordIEBDecision(CommandForm):
    effective = effective("the date of the Secretary of State's decision")
    application_id = ChoiceField("Application", message="Choose the application")
    consent = _yes_no("Did the Secretary of State consent?", "Choose the decision",
                      "Yes, consent given", "No, consent refused")
    reason = textarea("Reason for refusal (if refused)")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"application_id": _applications(case, "submitted")}

    def arguments(self) -> dict[str, Any]:
        return {**super().arguments(), "consent": self.consent.data == "yes",
                "reason": self.reason.data or ""}


class ConstituteIEB(CommandForm):
    effective = effective("the date the board took office")
    application_id = ChoiceField("Application consented to", message="Choose the application")
    members = LinesField("Interim executive members", [InputRequired("Enter the members")],
                         description="One per line; at least two")
    instrument_on = DateInputField("Date of the written instrument appointing them",
                                   what="the date of the written instrument",
                                   description="Sch 6 para 5(1). For example, 27 3 2026")
    terms = textarea("Terms of appointment", "Enter the terms of appointment",
                     hint="As the instrument sets them out for every member named")
    term_ends_on = DateInputField("End of the board's term (optional)", optional=True,
                                  what="the date the term ends")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"application_id": _applications(case, "consented")}


class ChangeIEBMembers(CommandForm):
    effective = effective("the date the membership changed")
    members = LinesField("Interim executive members now", [InputRequired("Enter the members")],
                         description="One per line; at least two")
    reason = reason()
    instrument_on = DateInputField("Date of the written instrument appointing new members",
                                   optional=True, what="the date of the written instrument",
                                   description="Needed when a member joins. For example, "
                                               "27 3 2026")
    terms = textarea("Terms of appointment of the new members",
                     hint="As the instrument sets them out; members who stay keep theirs")

    def arguments(self) -> dict[str, Any]:
        return {**super().arguments(), "terms": self.terms.data or None}

    def prefill(self, case: CaseFileView) -> None:
        if case.status["ieb"]:
            self.members.data = list(case.status["ieb"]["members"])

    @classmethod
    def applies(cls, case: CaseFileView) -> bool:
        return case.status["ieb"] is not None


class EndIEB(CommandForm):
    effective = effective("the date the board ended")
    reason = reason()

    @classmethod
    def applies(cls, case: CaseFileView) -> bool:
        return case.status["ieb"] is not None


class EstablishMSPGroup(CommandForm):
    effective = effective("the date the group was set up")
    members = LinesField("Members", [InputRequired("Enter the members")],
                         description="One per line")
    cadence_weeks = WholeNumberField("Meets every (weeks)", what="how often the group meets",
                                     default=6)

    @classmethod
    def applies(cls, case: CaseFileView) -> bool:
        return case.status["msp"] is None


class ScheduleMSPMeeting(CommandForm):
    effective = effective("the date the meeting was arranged")
    meets_on = DateInputField("Date of the meeting", what="the date of the meeting")

    @classmethod
    def applies(cls, case: CaseFileView) -> bool:
        return case.status["msp"] is not None


class MoveMSPMeeting(CommandForm):
    effective = effective("the date the meeting was moved")
    meeting_id = ChoiceField("Meeting", message="Choose the meeting")
    meets_on = DateInputField("New date of the meeting", what="the new date of the meeting")
    reason = reason()

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"meeting_id": _scheduled_meetings(case)}


class CancelMSPMeeting(CommandForm):
    effective = effective("the date the meeting was cancelled")
    meeting_id = ChoiceField("Meeting", message="Choose the meeting")
    reason = reason()

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"meeting_id": _scheduled_meetings(case)}


class MSPActionForm(Form):
    """One action agreed at a meeting; a row left blank is no action. Its owner is an
    officer of the LA (chosen from the users: it is then in their work) or a person at the
    school, named."""

    description = StringField("Action", widget=GovTextInput())
    owner_user = ChoiceField("Owner at the LA", message="Choose an officer of the LA",
                             prompt="Not an officer of the LA", optional=True)
    owner = StringField("Or the owner at the school", widget=GovTextInput(),
                        description="For example, Headteacher")
    due = DateInputField("Due", what="the date the action is due", optional=True)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        parts = {"description": (self.description.data or "").strip(),
                 "owner": (self.owner.data or "").strip() or self.owner_user.data,
                 "due": self.due.data}
        if any(parts.values()) and not self.due.errors:
            for name, message in (
                    ("description", "Enter the action"),
                    ("owner", "Enter who owns the action, or choose an officer of the LA"),
                    ("due", "Enter the date the action is due")):
                if not parts[name]:
                    self[name].errors.append(message)
                    valid = False
        if self.owner_user.data and (self.owner.data or "").strip():
            self.owner.errors.append(
                "Choose an officer of the LA or name the owner at the school, not both")
            valid = False
        return valid

    @property
    def is_blank(self) -> bool:
        return not ((self.description.data or "").strip() or (self.owner.data or "").strip()
                    or self.owner_user.data or self.due.data)

    def owner_arguments(self, staff: dict[str, dict[str, Any]]) -> dict[str, str]:
        if self.owner_user.data:
            user = staff[self.owner_user.data]
            return {"owner": user["name"], "owner_email": user["email"]}
        return {"owner": self.owner.data.strip()}


class HoldMSPMeeting(CommandForm):
    effective = effective("the date the meeting was held")
    meeting_id = ChoiceField("Meeting", message="Choose the meeting", optional=True,
                             prompt="Not scheduled beforehand")
    attendees = LinesField("Attendees", [InputRequired("Enter who attended")],
                           description="One per line")
    minutes = textarea("Minutes", "Enter the minutes")
    actions = FieldList(FormField(MSPActionForm), min_entries=MSP_ACTIONS,
                        max_entries=MSP_ACTIONS)

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"meeting_id": _scheduled_meetings(case)}

    @classmethod
    def applies(cls, case: CaseFileView) -> bool:
        return case.status["msp"] is not None

    def fill(self, case: CaseFileView) -> None:
        super().fill(case)
        self.staff = {u["email"]: u for u in case.staff}
        for entry in self.actions:
            entry.form.owner_user.offer(_staff(case))

    def prefill(self, case: CaseFileView) -> None:
        if case.status["msp"]:
            self.attendees.data = list(case.status["msp"]["members"])
            upcoming = case.status["msp"]["next_meeting"]
            if upcoming and not self.meeting_id.data:
                self.meeting_id.data = upcoming["meeting_id"]

    def field_for(self, argument: str | None) -> Field | None:
        # The command numbers only the actions filled in; the form's rows include blank ones.
        parts = (argument or "").split(".")
        if len(parts) == 3 and parts[0] == "actions" and parts[1].isdigit():
            filled = [entry for entry in self.actions if not entry.form.is_blank]
            if int(parts[1]) < len(filled):
                return filled[int(parts[1])].form._fields.get(parts[2])
            return None
        return super().field_for(argument)

    def arguments(self) -> dict[str, Any]:
        return {
            "meeting_id": self.meeting_id.data or None,
            "attendees": self.attendees.data,
            "minutes": self.minutes.data,
            "actions": [
                {"description": a.description.data.strip(), **a.owner_arguments(self.staff),
                 "due": a.due.data}
                for a in (entry.form for entry in self.actions) if not a.is_blank
            ],
        }


class CompleteMSPAction(CommandForm):
    effective = effective("the date the action was completed")
    action_id = ChoiceField("Action", message="Choose the action")
    note = textarea("Note (optional)")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        msp = case.status["msp"]
        return {"action_id": [
            (a["action_id"], f"{a['action_id']}: {a['description']} (due {long_date(a['due'])})")
            for a in (msp["open_actions"] if msp else [])
        ]}


class CloseMSPGroup(CommandForm):
    effective = effective("the date the group closed")
    reason = reason()

    @classmethod
    def applies(cls, case: CaseFileView) -> bool:
        return case.status["msp"] is not None


class ChangeCategory(CommandForm):
    effective = effective("the date the category changed")
    to = RadiosField("New LA category", message="Choose the new category")
    reason = reason()
    evidence = textarea("Evidence (optional)")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"to": [(c.code, f"{c.code}: {c.label}") for c in case.scheme.categories]}


class ReviewCategory(CommandForm):
    effective = effective("the date of the review")
    reason = textarea("Why the category stays", "Enter why the category stays")


class RecordInspection(CommandForm):
    inspected_on = DateInputField("Date the inspection started",
                                  what="the date the inspection started")
    published_on = DateInputField("Date the report was published",
                                  what="the date the report was published")
    received_on = DateInputField(
        "Date the local authority received the report (optional)", optional=True,
        what="the date the local authority received the report",
        description="The statement of action is counted from it; leave blank if it was on "
                    "publication")
    overall = ChoiceField("Overall effectiveness", message="Choose the overall grade",
                          optional=True, prompt="No overall grade")
    category = ChoiceField("Category of concern", message="Choose the category",
                           optional=True, prompt="None")
    report_card = textarea(
        "Graded areas (report cards from 10 November 2025; key judgements from September 2024)",
        hint="One area a line, as area: grade, for example \"achievement: expected standard\" "
             "or \"quality of education: good\". A report card's category of concern follows "
             "from its grades if you leave the category blank")
    safeguarding = ChoiceField("Safeguarding", message="Choose met or not met", optional=True,
                               prompt="Not judged")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        # The words for each grade changed over the years (Satisfactory, Requires improvement).
        words = {grade: sorted({f.overall_grades[grade] for f in FRAMEWORKS
                                if grade in f.overall_grades}) for grade in (1, 2, 3, 4)}
        return {
            "overall": [(str(grade), f"{grade}: {' or '.join(names)}")
                        for grade, names in words.items()],
            "category": [(c, c.capitalize()) for c in
                         (REQUIRES_SIGNIFICANT_IMPROVEMENT, SERIOUS_WEAKNESSES, SPECIAL_MEASURES,
                          NOTICE_TO_IMPROVE)],
            "safeguarding": [(s, s.capitalize()) for s in SAFEGUARDING],
        }

    def validate_report_card(self, field: Field) -> None:
        for line in (field.data or "").splitlines():
            if line.strip() and ":" not in line:
                raise StopValidation("Write each report card grade as area: grade")

    def arguments(self) -> dict[str, Any]:
        card = {}
        for line in (self.report_card.data or "").splitlines():
            if line.strip():
                area, grade = line.split(":", 1)
                card[area.strip()] = grade.strip()
        return {
            "inspected_on": self.inspected_on.data, "published_on": self.published_on.data,
            "received_on": self.received_on.data,
            "overall": int(self.overall.data) if self.overall.data else None,
            "category": self.category.data or None, "report_card": card or None,
            "safeguarding": self.safeguarding.data or None,
        }


class RecordVisit(CommandForm):
    effective = effective("the date of the visit")
    kind = RadiosField("Kind of visit", [(k, k.capitalize()) for k in VISIT_KINDS],
                       message="Choose the kind of visit")
    notes = textarea("Notes", "Enter the notes")


class RecordStatementOfAction(CommandForm):
    effective = effective("the date the statement was sent")
    inspection_id = ChoiceField("Ofsted judgement", message="Choose the inspection")
    summary = textarea("Summary of the statement", "Enter a summary of the statement")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"inspection_id": [
            (i["inspection_id"],
             f"{i['inspection_id']}: {i['category']} (published {long_date(i['published_on'])})")
            for i in case.status["inspections"] if i["category"]
        ]}


class AssignCaseworker(CommandForm):
    """The caseworker is one of the users (a caseworker or head), so reminders and My work
    reach someone who can sign in; the API still takes any name and address."""

    effective = effective("the date the case was assigned")
    email = ChoiceField("Caseworker", message="Choose the caseworker from the users")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"email": _staff(case)}

    def fill(self, case: CaseFileView) -> None:
        super().fill(case)
        self.staff = {u["email"]: u for u in case.staff}

    def prefill(self, case: CaseFileView) -> None:
        if (current := case.status["caseworker"]) and current["email"] in self.staff:
            self.email.data = current["email"]

    def arguments(self) -> dict[str, Any]:
        return {"name": self.staff[self.email.data]["name"], "email": self.email.data}


class SetTask(CommandForm):
    effective = effective("the date the task was set")
    what = textarea("Task", "Enter what is to be done")
    owner = ChoiceField("Owner", message="Choose who owns the task")
    due = DateInputField("Due", what="the date the task is due")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"owner": _staff(case)}

    def fill(self, case: CaseFileView) -> None:
        super().fill(case)
        self.staff = {u["email"]: u for u in case.staff}

    def arguments(self) -> dict[str, Any]:
        owner = self.staff[self.owner.data]
        return {"what": self.what.data, "owner_name": owner["name"],
                "owner_email": owner["email"], "due": self.due.data}


class CompleteTask(CommandForm):
    effective = effective("the date the task was done")
    task_id = ChoiceField("Task", message="Choose the task")
    note = textarea("Note (optional)")

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"task_id": [
            (t["task_id"], f"{t['task_id']}: {t['what']} ({t['owner_name']}, due "
                           f"{long_date(t['due'])})")
            for t in case.status["open_tasks"]]}


class ChangeSchoolDetails(CommandForm):
    effective = effective("the date the details changed")
    name = text("Name", "Enter the school's name")
    phase = text("Phase", "Enter the phase")
    establishment_type = text("Type of establishment", "Enter the type of establishment")
    la_code = text("LA code", "Enter the LA code")
    pupils = WholeNumberField("Number of pupils (optional)", what="the number of pupils",
                              optional=True)
    religious_character = text("Religious character (optional)")
    opened_on = DateInputField("Opened on (optional)", what="the date it opened", optional=True)
    closed_on = DateInputField("Closed on (optional)", what="the date it closed", optional=True)

    def prefill(self, case: CaseFileView) -> None:
        for name in ("name", "phase", "establishment_type", "la_code", "pupils",
                     "religious_character", "opened_on", "closed_on"):
            self[name].data = case.status[name]

    def arguments(self) -> dict[str, Any]:
        changes = super().arguments()
        changes["religious_character"] = (changes["religious_character"] or "").strip() or None
        return changes  # the case file records only those that differ


class ConvertToAcademy(CommandForm):
    effective = effective("the date the academy opened")
    new_urn = WholeNumberField("The academy's URN", what="the academy's URN")
    name = text("The academy's name (optional)", hint="Leave blank to keep the school's name")
    establishment_type = text("Type of establishment", "Enter the type of establishment")

    def prefill(self, case: CaseFileView) -> None:
        self.establishment_type.data = "Academy converter"

    def arguments(self) -> dict[str, Any]:
        return {**super().arguments(), "name": (self.name.data or "").strip() or None}


class _Correction(CommandForm):
    version = WholeNumberField("Entry number", what="the number of the entry")

    def describe(self, case: CaseFileView) -> list[tuple[str, str]]:
        entry = case.entry(self.version.data)
        if entry is None:
            return []
        details = [(k.replace("_", " ").capitalize(), str(v))
                   for k, v in entry["details"].items() if k in _amendable(entry)]
        return [("Entry", f"{entry['version']}: {entry['summary']}"),
                ("Effective", long_date(entry["effective"])), ("Recorded by", entry["by"] + (f" ({entry['by_identity']})"
                                                if entry["by_identity"] else "")),
                *details]


class RetractEntry(_Correction):
    reason = textarea("Why it is retracted", "Enter why the entry is retracted")


class AmendEntry(_Correction):
    field = RadiosField("What to correct", message="Choose what to correct")
    wording = textarea("Corrected wording", "Enter the corrected wording")
    reason = textarea("Why it is corrected", "Enter why the entry is corrected")

    def fill(self, case: CaseFileView) -> None:
        # What may be reworded depends on the entry the form names, not on the case file.
        entry = case.entry(self.version.data)
        self.field.offer((name, name.replace("_", " ").capitalize())
                         for name in (_amendable(entry) if entry else ()))

    def arguments(self) -> dict[str, Any]:
        return {"version": self.version.data, "changes": {self.field.data: self.wording.data},
                "reason": self.reason.data}


def _amendable(entry: dict[str, Any]) -> tuple[str, ...]:
    """The fields a correction may reword on this kind of entry (the domain's list)."""
    return getattr(getattr(SchoolCaseFile, entry["event"], None), "amendable", ())


def is_amendable(entry: dict[str, Any]) -> bool:
    return bool(_amendable(entry))


class _DeadlineForm(CommandForm):
    key = ChoiceField("Deadline", message="Choose the deadline")
    only: bool | None = None  # suspended deadlines only (True), running only (False), or all

    @classmethod
    def choices(cls, case: CaseFileView) -> dict[str, list[tuple[str, str]]]:
        return {"key": _deadlines(case, cls.only)}


class ExtendDeadline(_DeadlineForm):
    to = DateInputField("New due date", what="the new due date")
    reason = reason()


class SuspendDeadline(_DeadlineForm):
    only = False
    reason = reason()


class ResumeDeadline(_DeadlineForm):
    only = True
    reason = reason()
