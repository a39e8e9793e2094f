"""Ofsted inspections in the vocabulary in force when each started (``domain.ofsted``), the
category of concern a report card calls for, the eligibility a category opens (s61, s62), and
the LA's statement of action on a category judgement (Education Act 2005 s15)."""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any

from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, closed_by, require_text
from domain.calendar import Convention
from domain.errors import CaseFileError
from domain.ofsted import (
    FRAMEWORKS,
    area_name,
    category_from_report_card,
    check_judgement,
    eligibility_route,
)
from domain.rules import Rule
from domain.wording import long_date

TITLE = "Ofsted inspections and statements of action"

REPORT_CARDS_FROM = FRAMEWORKS[-1].starts

CATEGORY_MAKES_ELIGIBLE = Rule(
    "s61-s62-category", "A category of concern makes a school eligible",
    "An Ofsted judgement that a maintained school requires significant improvement (serious "
    "weaknesses, a notice to improve before September 2012, or \"requires significant "
    "improvement\" by that name from 10 November 2025) or special measures makes it eligible "
    "for intervention; a later inspection without the category ends that eligibility.",
    "Education and Inspections Act 2006 ss61, 62; Education Act 2005 s44",
)
VOCABULARY = Rule(
    "ofsted-vocabulary", "Judgements in the vocabulary of their day",
    "An inspection is recorded in the grades and categories of the framework in force when it "
    "started: four grades to August 2024 (Satisfactory to August 2012); from September 2024 no "
    "overall grade but the key judgements (quality of education, behaviour and attitudes, "
    "personal development, leadership and management, early years, sixth form) graded "
    "outstanding to inadequate; from 10 November 2025 report cards grading inclusion, "
    "curriculum and teaching, achievement, attendance and behaviour, personal development and "
    "wellbeing, leadership and governance, and early years and post-16 where the school has "
    "them, with safeguarding met or not met. An area the framework did not grade is refused.",
    "Ofsted school inspection handbooks, 2005 to 2025; Ofsted report card toolkit (November "
    "2025)",
)
REPORT_CARD_CATEGORY = Rule(
    "report-card-category", "A report card's category of concern",
    "From 10 November 2025 the category follows from the report card: any area \"urgent "
    "improvement\" or safeguarding \"not met\" means the school requires significant "
    "improvement; special measures where leadership and governance is \"urgent improvement\" "
    "as well (with another area, or safeguarding not met). A category that contradicts the "
    "report card is refused unless the LA's policy allows it; none given is derived.",
    "Education Act 2005 s44; Ofsted and DfE summaries of the report card framework (2025)",
    applies_from=REPORT_CARDS_FROM, setting="report_card_category_may_differ",
    unconfirmed="secondary sources only (DfE/Ofsted summaries, trade press); the LA may let a "
    "recorded category differ from the mapping",
)
STATEMENT_OF_ACTION = Rule(
    "statement-of-action", "A statement of action after a category judgement",
    "After a report that a maintained school requires special measures or significant "
    "improvement, the LA sends a statement of action within the period policy sets (10 "
    "working days by default), counted from the day after it received the report in working "
    "days that leave out any school holiday longer than a week (the LA's term dates).",
    "Education Act 2005 s15; School Inspection Regulations 2005 (SI 2005/2038) reg 2",
    setting="statement_of_action_working_days",
    unconfirmed="the regulation fixing the period was not found; the 10-day default is the "
    "LA's to confirm",
)

REPORT_AFTER_INSPECTION = Rule(
    "report-after-inspection", "A report follows its inspection",
    "An inspection report is published, and reaches the LA, on or after the day the "
    "inspection started: dates the other way round are a slip in typing, refused so the "
    "deadlines counted from them are not wrong.",
    "Common sense: Ofsted reports on an inspection after it (Ofsted, School inspection "
    "handbook: the report follows the inspection)", kind="policy",
)

RULES = (VOCABULARY, REPORT_CARD_CATEGORY, CATEGORY_MAKES_ELIGIBLE, STATEMENT_OF_ACTION,
         REPORT_AFTER_INSPECTION)

NO_TERM_DATES = "term dates not loaded: counted in statutory working days"
"""What a statement of action's deadline says when the school-holiday rule could not apply."""


class InspectionRecorded(CaseFileEvent):
    """Version 2 added ``received_on``, the day the LA received the report; a version 1 entry
    reads as received on publication (its effective date)."""

    class_version = 2
    inspection_id: str
    inspected_on: date
    framework: str
    overall: int | None
    category: str | None
    report_card: dict[str, str]
    safeguarding: str | None
    received_on: date | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["received_on"] = None


class StatementOfActionSent(CaseFileEvent):
    inspection_id: str
    summary: str
    amendable = ("summary",)


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
    received_on: date | None = None

    @property
    def report_received_on(self) -> date:
        """When the LA received the report: as recorded, or its publication."""
        return self.received_on or self.published_on


_inspected_on = attrgetter("inspected_on")


@dataclass
class InspectionsState:
    inspections: list[Inspection] = field(default_factory=list)
    statements_of_action: dict[str, date] = field(default_factory=dict)  # by inspection id

    @property
    def inspection(self) -> Inspection | None:
        return self.inspections[-1] if self.inspections else None

    def _on_InspectionRecorded(self, e: Any) -> None:
        insort(self.inspections, Inspection(
            e.inspection_id, e.inspected_on, e.effective, e.framework, e.overall, e.category,
            dict(e.report_card), e.safeguarding, recorded_in=e.originator_version,
            received_on=e.received_on,
        ), key=_inspected_on)  # after any inspected the same day, as a stable sort puts it

    def _on_StatementOfActionSent(self, e: Any) -> None:
        self.statements_of_action[e.inspection_id] = e.effective


def deadlines(state: Any, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
    """The statement of action on the latest inspection, if it put the school in a category:
    counted from the report's receipt under SI 2005/2038, or in statutory working days (and
    saying so) when the LA's term dates are not loaded."""
    inspection = state.inspection
    if (inspection is not None and inspection.category
            and state.school.governance == "maintained"
            and inspection.inspection_id not in state.statements_of_action):
        with_terms = working_days.knows_school_holidays
        convention = Convention.SCHOOL_INSPECTION if with_terms else Convention.STATUTORY
        due = working_days.add_working_days(inspection.report_received_on,
                                            policy.statement_of_action_working_days, convention)
        what = f"Statement of action after Ofsted's {inspection.category} judgement"
        yield ("statement_of_action", inspection.inspection_id, due,
               what if with_terms else f"{what} ({NO_TERM_DATES})", inspection.recorded_in)


def _report_card(report_card: dict[str, str] | None) -> dict[str, str]:
    """Areas and grades as the case file keeps them (lower case, one spelling)."""
    card: dict[str, str] = {}
    for area, grade in (report_card or {}).items():
        name = area_name(area)
        if name in card:
            raise CaseFileError(f"The area {name!r} is graded twice")
        card[name] = " ".join(str(grade).lower().split())
    return card


class InspectionCommands(CaseFileCore):
    def record_inspection(
        self, *, when: Entry, inspected_on: date, overall: int | None,
        category: str | None = None, report_card: dict[str, str] | None = None,
        safeguarding: str | None = None, received_on: date | None = None,
        category_may_differ: bool = False,
    ) -> str:
        """Records a published Ofsted judgement in the vocabulary in force when it started.

        A report card's category of concern follows from its grades (derived when none is
        given; one that contradicts them is refused unless ``category_may_differ``, the LA's
        policy). A category makes a maintained school eligible for intervention (s61, s62);
        a later judgement without one ends that eligibility. ``received_on`` is when the LA
        received the report (publication if not given): its statement of action counts from it.
        """
        self._require_after_registration(when)
        card = _report_card(report_card)
        if safeguarding is not None:
            safeguarding = " ".join(safeguarding.lower().split()) or None
        try:
            framework = check_judgement(inspected_on, overall, category, card, safeguarding)
        except CaseFileError as error:
            VOCABULARY.refuse(str(error))
        if when.effective < inspected_on:
            REPORT_AFTER_INSPECTION.refuse(
                f"A report is published on or after the inspection starts: enter a date on or "
                f"after {long_date(inspected_on)}", field="effective")
        if received_on is not None:
            if received_on < inspected_on:
                REPORT_AFTER_INSPECTION.refuse(
                    f"The LA receives the report on or after the inspection starts: enter a "
                    f"date on or after {long_date(inspected_on)}", field="received_on")
            if received_on > when.recorded_at.date():
                raise CaseFileError(f"The date the report was received, {long_date(received_on)}, "
                                    "is in the future", field="received_on")
        if framework.has_report_card and (card or safeguarding is not None):
            follows = category_from_report_card(card, safeguarding)
            if category is None:
                category = follows
            elif (eligibility_route(category) != eligibility_route(follows)
                  and not category_may_differ):
                REPORT_CARD_CATEGORY.refuse(
                    f"The report card calls for {follows or 'no category of concern'}, not "
                    f"{category}: check the grades, or leave the category blank to record the "
                    "one the report card calls for")
        for known in self.state.inspections:
            if known.inspected_on == inspected_on:
                raise CaseFileError(
                    f"The inspection of {long_date(inspected_on)} is already recorded "
                    f"({known.inspection_id})"
                )
        state = self.state
        # Before recording: an in-order entry joins this same state object.
        is_latest = all(i.inspected_on < inspected_on for i in state.inspections)
        inspection_id = f"I{self._count(self.InspectionRecorded) + 1}"
        self._record(
            self.InspectionRecorded, when=when, inspection_id=inspection_id,
            inspected_on=inspected_on, framework=framework.name, overall=overall,
            category=category, report_card=card, safeguarding=safeguarding,
            received_on=received_on,
        )
        route = eligibility_route(category)
        if (not is_latest or state.school.governance != "maintained"
                or closed_by(state.school.closed_on, when.effective)):
            return inspection_id
        for held in ("serious_weaknesses", "special_measures"):
            if held in state.eligibility and held != route:
                self._record(
                    self.EligibilityCeased, when=when, route=held,
                    reason=f"Ofsted inspection {inspection_id} removed the category",
                )
        if route is not None and route not in state.eligibility:
            self._record(
                self.BecameEligible, when=when, route=route,
                basis=f"Ofsted inspection {inspection_id}: {category}",
            )
        return inspection_id

    def record_statement_of_action(
        self, *, when: Entry, inspection_id: str, summary: str
    ) -> None:
        """The LA's statement of action on a category judgement (Education Act 2005 s15)."""
        self._require_open(when)
        inspection = next((i for i in self.state.inspections
                           if i.inspection_id == inspection_id), None)
        if inspection is None or not inspection.category:
            raise CaseFileError(
                f"There is no Ofsted category judgement {inspection_id} needing a statement "
                "of action")
        if inspection_id in self.state.statements_of_action:
            raise CaseFileError(f"The statement of action on {inspection_id} was already sent")
        if when.effective < min(inspection.published_on, inspection.report_received_on):
            received = min(inspection.published_on, inspection.report_received_on)
            STATEMENT_OF_ACTION.refuse(
                "A statement of action follows the LA's receipt of the report: enter a date "
                f"on or after {long_date(received)}", field="effective")
        require_text("summary", summary)
        self._record(self.StatementOfActionSent, when=when, inspection_id=inspection_id,
                     summary=summary.strip())
