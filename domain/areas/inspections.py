"""Ofsted inspections in the vocabulary in force when each started (``domain.ofsted``), the
eligibility a category of concern opens (s61, s62), and the LA's statement of action on a
category judgement (Education Act 2005 s15)."""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any

from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, closed_by, require_text
from domain.errors import CaseFileError
from domain.ofsted import check_judgement, eligibility_route
from domain.rules import Rule
from domain.wording import long_date

TITLE = "Ofsted inspections and statements of action"

CATEGORY_MAKES_ELIGIBLE = Rule(
    "s61-s62-category", "A category of concern makes a school eligible",
    "An Ofsted judgement that a maintained school requires significant improvement (serious "
    "weaknesses, or a notice to improve before September 2012) or special measures makes it "
    "eligible for intervention; a later inspection without the category ends that "
    "eligibility.",
    "Education and Inspections Act 2006 ss61, 62; Education Act 2005 s44",
)
VOCABULARY = Rule(
    "ofsted-vocabulary", "Judgements in the vocabulary of their day",
    "An inspection is recorded in the grades and categories of the framework in force when it "
    "started: four grades to August 2024 (Satisfactory to August 2012), no overall grade from "
    "September 2024, report cards from 10 November 2025.",
    "Ofsted school inspection handbooks, 2005 to 2025",
)
STATEMENT_OF_ACTION = Rule(
    "statement-of-action", "A statement of action after a category judgement",
    "After a report that a maintained school requires special measures or significant "
    "improvement, the LA sends a statement of action within the period policy sets (10 "
    "working days by default).",
    "Education Act 2005 s15", setting="statement_of_action_working_days",
    unconfirmed="the regulation fixing the period was not found; the 10-day default is the "
    "LA's to confirm",
)

RULES = (VOCABULARY, CATEGORY_MAKES_ELIGIBLE, STATEMENT_OF_ACTION)


class InspectionRecorded(CaseFileEvent):
    inspection_id: str
    inspected_on: date
    framework: str
    overall: int | None
    category: str | None
    report_card: dict[str, str]
    safeguarding: str | None


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
        ), key=_inspected_on)  # after any inspected the same day, as a stable sort puts it

    def _on_StatementOfActionSent(self, e: Any) -> None:
        self.statements_of_action[e.inspection_id] = e.effective


def deadlines(state: Any, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
    """The statement of action on the latest inspection, if it put the school in a category."""
    inspection = state.inspection
    if (inspection is not None and inspection.category
            and state.school.governance == "maintained"
            and inspection.inspection_id not in state.statements_of_action):
        yield ("statement_of_action", inspection.inspection_id,
               working_days.add_working_days(inspection.published_on,
                                             policy.statement_of_action_working_days),
               f"Statement of action after Ofsted's {inspection.category} judgement",
               inspection.recorded_in)


class InspectionCommands(CaseFileCore):
    def record_inspection(
        self, *, when: Entry, inspected_on: date, overall: int | None,
        category: str | None = None, report_card: dict[str, str] | None = None,
        safeguarding: str | None = None,
    ) -> str:
        """Records a published Ofsted judgement in the vocabulary in force when it started.

        A category of concern makes a maintained school eligible for intervention (s61, s62);
        a later judgement without one ends that eligibility.
        """
        self._require_after_registration(when)
        framework = check_judgement(inspected_on, overall, category, report_card, safeguarding)
        if when.effective < inspected_on:
            raise CaseFileError("A report is published on or after the inspection starts")
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
            category=category, report_card=dict(report_card or {}), safeguarding=safeguarding,
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
        if when.effective < inspection.published_on:
            raise CaseFileError("A statement of action follows the report's publication")
        require_text("summary", summary)
        self._record(self.StatementOfActionSent, when=when, inspection_id=inspection_id,
                     summary=summary.strip())
