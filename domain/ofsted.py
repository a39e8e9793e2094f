"""Ofsted's judgement vocabularies, each in force for its own period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import CaseFileError
from domain.wording import long_date


class InvalidJudgement(CaseFileError):
    """A grade or category that was not in Ofsted's vocabulary on the inspection date."""


SERIOUS_WEAKNESSES = "serious weaknesses"
SPECIAL_MEASURES = "special measures"
NOTICE_TO_IMPROVE = "notice to improve"

SAFEGUARDING = ("met", "not met")


@dataclass(frozen=True)
class Framework:
    """One period's vocabulary: overall grades numbered 1 (best) to 4, or a report card."""

    name: str
    starts: date
    overall_grades: dict[int, str]
    categories: tuple[str, ...]
    report_card_grades: tuple[str, ...] = ()

    def describe(self, overall: int | None) -> str | None:
        return None if overall is None else self.overall_grades[overall]


FRAMEWORKS = (
    Framework(
        "Section 5 (to August 2012)",
        date(2005, 9, 1),
        {1: "Outstanding", 2: "Good", 3: "Satisfactory", 4: "Inadequate"},
        (NOTICE_TO_IMPROVE, SPECIAL_MEASURES),
    ),
    Framework(
        "Section 5 (September 2012 to August 2024)",
        date(2012, 9, 1),
        {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"},
        (SERIOUS_WEAKNESSES, SPECIAL_MEASURES),
    ),
    Framework(
        "No overall grade (September 2024 to November 2025)",
        date(2024, 9, 1),
        {},
        (SERIOUS_WEAKNESSES, SPECIAL_MEASURES),
    ),
    Framework(
        "Report cards (from 10 November 2025)",
        date(2025, 11, 10),
        {},
        (SERIOUS_WEAKNESSES, SPECIAL_MEASURES),
        ("exceptional", "strong standard", "expected standard", "needs attention",
         "urgent improvement"),
    ),
)


def framework_on(day: date) -> Framework:
    """The framework in force on an inspection date (domain.md, "Ofsted vocabulary over time")."""
    in_force = [f for f in FRAMEWORKS if f.starts <= day]
    if not in_force:
        raise InvalidJudgement(
            f"scc records inspections from {long_date(FRAMEWORKS[0].starts)}; "
            f"{long_date(day)} is earlier"
        )
    return in_force[-1]


def check_judgement(
    inspected_on: date,
    overall: int | None,
    category: str | None,
    report_card: dict[str, str] | None = None,
    safeguarding: str | None = None,
) -> Framework:
    """Checks a judgement against the vocabulary in force when the inspection started."""
    framework = framework_on(inspected_on)
    when = f"on {long_date(inspected_on)} ({framework.name})"
    if overall is not None and overall not in framework.overall_grades:
        if framework.overall_grades:
            raise InvalidJudgement(f"Overall effectiveness must be 1 to 4 {when}, not {overall}")
        raise InvalidJudgement(f"Ofsted gave no overall effectiveness grade {when}")
    if category is not None and category not in framework.categories:
        raise InvalidJudgement(
            f"{category!r} was not an Ofsted category of concern {when}; "
            f"it could be {' or '.join(framework.categories)}"
        )
    for area, grade in (report_card or {}).items():
        if grade not in framework.report_card_grades:
            raise InvalidJudgement(f"{area}: {grade!r} is not a report card grade {when}")
    if safeguarding is not None and safeguarding not in SAFEGUARDING:
        raise InvalidJudgement(f"Safeguarding is 'met' or 'not met', not {safeguarding!r}")
    return framework


def eligibility_route(category: str | None) -> str | None:
    """The s59 route an Ofsted category opens: s61 (significant improvement) or s62.

    A notice to improve was the pre-2012 form of "requires significant improvement" (s61).
    """
    if category in (SERIOUS_WEAKNESSES, NOTICE_TO_IMPROVE):
        return "serious_weaknesses"
    if category == SPECIAL_MEASURES:
        return "special_measures"
    return None
