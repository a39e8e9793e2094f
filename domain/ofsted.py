"""Ofsted's judgement vocabularies, each in force for its own period, and the category of
concern a report card (from 10 November 2025) calls for."""

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
REQUIRES_SIGNIFICANT_IMPROVEMENT = "requires significant improvement"
"""The report-card era's name for the category formerly called serious weaknesses (s61)."""

SAFEGUARDING = ("met", "not met")

URGENT_IMPROVEMENT = "urgent improvement"
LEADERSHIP_AND_GOVERNANCE = "leadership and governance"
REPORT_CARD_GRADES = ("exceptional", "strong standard", "expected standard", "needs attention",
                      URGENT_IMPROVEMENT)
REPORT_CARD_AREAS = (
    "inclusion", "curriculum and teaching", "achievement", "attendance and behaviour",
    "personal development and wellbeing", LEADERSHIP_AND_GOVERNANCE, "early years",
    "post-16 provision",
)
"""The report card's evaluation areas; early years and post-16 only where the school has them
(Ofsted's report-card files name the columns so)."""
SUB_JUDGEMENT_GRADES = ("outstanding", "good", "requires improvement", "inadequate")
SUB_JUDGEMENTS = (
    "quality of education", "behaviour and attitudes", "personal development",
    "leadership and management", "early years provision", "sixth form provision",
)
"""The 2019 framework's key judgements, still graded 1-4 when the overall grade went
(September 2024 to November 2025)."""

AREA_SPELLINGS = {
    "personal development and well-being": "personal development and wellbeing",
    "post-16": "post-16 provision",
    "early years": "early years",
    "early years (where applicable)": "early years",
    "post-16 provision (where applicable)": "post-16 provision",
    "early years provision (where applicable)": "early years provision",
    "sixth form provision (where applicable)": "sixth form provision",
    "sixth form": "sixth form provision",
}
"""Other ways an area is written, by the name the case file keeps."""


@dataclass(frozen=True)
class Framework:
    """One period's vocabulary: overall grades numbered 1 (best) to 4, graded areas (a report
    card, or the key judgements beside no overall grade) and the categories of concern."""

    name: str
    starts: date
    overall_grades: dict[int, str]
    categories: tuple[str, ...]
    report_card_grades: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    safeguarding: tuple[str, ...] = ()

    @property
    def has_report_card(self) -> bool:
        return bool(self.safeguarding)

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
        SUB_JUDGEMENT_GRADES,
        SUB_JUDGEMENTS,
    ),
    Framework(
        "Report cards (from 10 November 2025)",
        date(2025, 11, 10),
        {},
        (REQUIRES_SIGNIFICANT_IMPROVEMENT, SERIOUS_WEAKNESSES, SPECIAL_MEASURES),
        REPORT_CARD_GRADES,
        REPORT_CARD_AREAS,
        SAFEGUARDING,
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


def area_name(area: str) -> str:
    """An area as the case file names it: lower case, single spaces, one spelling."""
    plain = " ".join(str(area).lower().split())
    return AREA_SPELLINGS.get(plain, plain)


def check_judgement(
    inspected_on: date,
    overall: int | None,
    category: str | None,
    report_card: dict[str, str] | None = None,
    safeguarding: str | None = None,
) -> Framework:
    """Checks a judgement against the vocabulary in force when the inspection started: its
    overall grade, category, graded areas (by the framework's list) and safeguarding (met or
    not met, a report card's only)."""
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
    if report_card and not framework.areas:
        raise InvalidJudgement(
            f"Ofsted graded no areas apart from overall effectiveness {when}; leave the "
            "areas blank")
    for area, grade in (report_card or {}).items():
        if area not in framework.areas:
            raise InvalidJudgement(
                f"{area!r} is not an area Ofsted graded {when}; the areas are "
                f"{', '.join(framework.areas)}")
        if grade not in framework.report_card_grades:
            raise InvalidJudgement(
                f"{area}: {grade!r} is not a grade {when}; the grades are "
                f"{', '.join(framework.report_card_grades)}")
    if safeguarding is not None:
        if not framework.has_report_card:
            raise InvalidJudgement(
                f"Safeguarding was judged met or not met only on report cards, from "
                f"{long_date(FRAMEWORKS[-1].starts)}; leave it blank for an inspection {when}")
        if safeguarding not in framework.safeguarding:
            raise InvalidJudgement(f"Safeguarding is 'met' or 'not met', not {safeguarding!r}")
    return framework


def category_from_report_card(report_card: dict[str, str], safeguarding: str | None) -> str | None:
    """The category of concern a report card calls for (secondary sources; the rule
    ``report-card-category`` in domain.areas.inspections): special measures where leadership
    and governance is "urgent improvement" and so is another area or safeguarding is not met;
    requires significant improvement where any area is "urgent improvement" or safeguarding is
    not met; otherwise none."""
    urgent = {area for area, grade in report_card.items() if grade == URGENT_IMPROVEMENT}
    unsafe = safeguarding == "not met"
    if LEADERSHIP_AND_GOVERNANCE in urgent and (len(urgent) > 1 or unsafe):
        return SPECIAL_MEASURES
    if urgent or unsafe:
        return REQUIRES_SIGNIFICANT_IMPROVEMENT
    return None


def eligibility_route(category: str | None) -> str | None:
    """The s59 route an Ofsted category opens: s61 (significant improvement) or s62.

    A notice to improve was the pre-2012 form of "requires significant improvement" (s61), and
    "requires significant improvement" is the report-card era's name for serious weaknesses.
    """
    if category in (SERIOUS_WEAKNESSES, NOTICE_TO_IMPROVE, REQUIRES_SIGNIFICANT_IMPROVEMENT):
        return "serious_weaknesses"
    if category == SPECIAL_MEASURES:
        return "special_measures"
    return None
