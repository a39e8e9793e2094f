"""Reads Ofsted's school-inspection CSVs of every published shape into inspection records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from adapters.importers.csv_rows import (
    Cells,
    Extract,
    OpenText,
    Records,
    file_text,
    table,
    text_of,
)
from application.imports import InspectionRecord
from domain.ofsted import (
    FRAMEWORKS,
    NOTICE_TO_IMPROVE,
    REQUIRES_SIGNIFICANT_IMPROVEMENT,
    SERIOUS_WEAKNESSES,
    SPECIAL_MEASURES,
    SUB_JUDGEMENT_GRADES,
    framework_on,
)

WHAT = "an Ofsted file of school inspections"
DATES = "dd/mm/yyyy"

URN = "URN"
NAME = "School name"
STARTED = "Inspection start date"
PUBLISHED = "Publication date"
OVERALL = "Overall effectiveness"
CATEGORY = "Category of concern"
REQUIRED = (URN, STARTED, PUBLISHED)
"""What every shape has: official statistics (latest inspections), all-inspections files,
monthly management information, the 2015-19 files (a title line above the header), the 2024-25
files (no overall grade) and the report-card files from November 2025."""


@dataclass(frozen=True)
class Columns:
    """Where one inspection is in a row. ``inspected_urn`` are the columns that may name the URN
    the inspection was of, newest wording first; when one says, it wins over the row's URN."""

    started: str
    published: str
    overall: str
    category: str
    inspected_urn: tuple[str, ...]


LATEST = Columns(STARTED, PUBLISHED, OVERALL, CATEGORY, (
    "URN at time of latest graded inspection", "URN at time of latest full inspection",
    "URN at time of inspection",
))
"""The row's (latest, or in an all-inspections file its only) inspection."""
LATEST_OEIF = Columns(
    "Inspection start date of latest OEIF graded inspection",
    "Publication date of latest OEIF graded inspection",
    "Latest OEIF overall effectiveness", "Latest OEIF category of concern",
    ("URN at time of latest OEIF graded inspection",),
)
"""The latest graded inspection under the 2019 framework, beside a report card (files from
November 2025)."""

DATE_COLUMNS = (STARTED, PUBLISHED, LATEST_OEIF.started, LATEST_OEIF.published)

REPORT_CARD_AREAS = {
    "Inclusion": "inclusion",
    "Curriculum and teaching": "curriculum and teaching",
    "Achievement": "achievement",
    "Attendance and behaviour": "attendance and behaviour",
    "Personal development and wellbeing": "personal development and wellbeing",
    "Early years (where applicable)": "early years",
    "Post-16 provision (where applicable)": "post-16 provision",
    "Leadership and governance": "leadership and governance",
}
"""Report-card columns (inspections from 10 November 2025) by the area the case file names."""
SAFEGUARDING = "Safeguarding standards"
REPORT_CARD_GRADES = FRAMEWORKS[-1].report_card_grades
REPORT_CARDS_FROM = FRAMEWORKS[-1].starts

SUB_JUDGEMENT_COLUMNS = {
    "Quality of education": "quality of education",
    "Behaviour and attitudes": "behaviour and attitudes",
    "Personal development": "personal development",
    "Effectiveness of leadership and management": "leadership and management",
    "Leadership and management": "leadership and management",
    "Early years provision (where applicable)": "early years provision",
    "Sixth form provision (where applicable)": "sixth form provision",
}
"""The 2019 framework's key judgements (1-4) by the area the case file names: recorded for an
inspection from September 2024 to November 2025, which had no overall grade."""
OEIF_SUB_JUDGEMENT_COLUMNS = {
    "Latest OEIF quality of education": "quality of education",
    "Latest OEIF behaviour and attitudes": "behaviour and attitudes",
    "Latest OEIF personal development": "personal development",
    "Latest OEIF effectiveness of leadership and management": "leadership and management",
    "Latest OEIF early years provision (where applicable)": "early years provision",
    "Latest OEIF sixth form provision (where applicable)": "sixth form provision",
}
"""The same, for the latest graded inspection beside a report card (files from November
2025)."""
NO_OVERALL_GRADE = FRAMEWORKS[2]

BLANK_WORDS = ("null", "not judged", "not applicable", "n/a", "na", "none", "-")
"""How the files have said "no grade" or "no category"."""

OVERALL_WORDS = {"outstanding": 1, "good": 2, "satisfactory": 3, "requires improvement": 3,
                 "inadequate": 4}
CATEGORIES = {
    "sm": SPECIAL_MEASURES, "special measures": SPECIAL_MEASURES,
    "swk": SERIOUS_WEAKNESSES, "sw": SERIOUS_WEAKNESSES,
    "serious weaknesses": SERIOUS_WEAKNESSES, "serious weakness": SERIOUS_WEAKNESSES,
    "nti": NOTICE_TO_IMPROVE, "notice to improve": NOTICE_TO_IMPROVE,
}
SIGNIFICANT_IMPROVEMENT = "requires significant improvement"
"""Ofsted's own wording for either: a notice to improve to August 2012, serious weaknesses
since (domain.md, "Ofsted vocabulary over time")."""
SERIOUS_WEAKNESSES_FROM = next(f.starts for f in FRAMEWORKS if SERIOUS_WEAKNESSES in f.categories)


def read_inspections(path: Path) -> Extract[InspectionRecord]:
    """The file's inspections, read from the file as they are gone through."""
    return Extract(_table(file_text(Path(path))))


def parse_inspections(data: bytes) -> Extract[InspectionRecord]:
    """Every inspection of the file in hand, as a list."""
    return Extract(list(_table(text_of(data))))


def _table(open_text: OpenText) -> Records[InspectionRecord]:
    """Every inspection of the file (latin-1, UTF-8 or UTF-8 with a byte-order mark); a row
    may hold two (a report card and the graded inspection before it). Raises NotAnExtract if
    the file is not Ofsted's."""
    return table(open_text, what=WHAT, required=REQUIRED, blank_words=BLANK_WORDS,
                 dates=DATE_COLUMNS, record=inspections)


def inspections(cells: Cells) -> list[InspectionRecord]:
    """The inspections of one row: its latest, and the latest graded one if a report-card
    file gives that apart."""
    latest = _record(cells, LATEST, since=0)
    if not cells.has(LATEST_OEIF.started):
        return [latest]
    # The row's second inspection has only the problems of its own cells.
    graded = _record(cells, LATEST_OEIF, since=len(cells.problems))
    if graded.inspected_on is None:
        return [latest]
    if latest.inspected_on in (None, graded.inspected_on):
        return [graded]  # the same inspection, its grades in the OEIF columns
    return [latest, graded]


def _record(cells: Cells, columns: Columns, *, since: int) -> InspectionRecord:
    urn = cells.urn(URN)
    inspected_urn = next(
        (found for name in columns.inspected_urn
         if (found := cells.urn(name, required=False)) is not None), urn)
    report_card, safeguarding = _report_card(cells) if columns is LATEST else ({}, None)
    # A school not yet inspected has every inspection cell empty; a judgement without its
    # start date is a problem.
    judged = any(cells.text(name) for name in (columns.published, columns.overall,
                                                columns.category)) or bool(report_card)
    inspected_on = cells.date(columns.started, shown_as=DATES, required=judged)
    if (not report_card and inspected_on is not None
            and framework_on(inspected_on) is NO_OVERALL_GRADE):
        report_card = _sub_judgements(
            cells, SUB_JUDGEMENT_COLUMNS if columns is LATEST else OEIF_SUB_JUDGEMENT_COLUMNS)
    return InspectionRecord(
        row=cells.row,
        urn=urn,
        inspected_urn=inspected_urn,
        school_name=cells.text(NAME),
        inspected_on=inspected_on,
        published_on=cells.date(columns.published, shown_as=DATES),
        overall=_overall(cells, columns.overall),
        category=_category(cells, columns.category, inspected_on),
        report_card=report_card,
        safeguarding=safeguarding,
        problems=tuple(cells.problems[since:]),
    )


def _overall(cells: Cells, column: str) -> int | None:
    value = cells.text(column)
    if not value:
        return None
    if value in ("1", "2", "3", "4"):
        return int(value)
    if value.lower() in OVERALL_WORDS:
        return OVERALL_WORDS[value.lower()]
    cells.problem(column, f"{value!r} is not an overall effectiveness grade (1 to 4, or blank)")
    return None


def _category(cells: Cells, column: str, inspected_on: date | None) -> str | None:
    value = cells.text(column)
    if not value:
        return None
    if value.lower() in CATEGORIES:
        return CATEGORIES[value.lower()]
    if value.lower() == SIGNIFICANT_IMPROVEMENT and inspected_on is not None:
        if inspected_on >= REPORT_CARDS_FROM:
            return REQUIRES_SIGNIFICANT_IMPROVEMENT
        return SERIOUS_WEAKNESSES if inspected_on >= SERIOUS_WEAKNESSES_FROM else NOTICE_TO_IMPROVE
    cells.problem(column, f"{value!r} is not a category of concern (special measures, "
                          "serious weaknesses, notice to improve, or blank)")
    return None


def _report_card(cells: Cells) -> tuple[dict[str, str], str | None]:
    """The report card's graded areas (those the file grades) and its safeguarding."""
    card: dict[str, str] = {}
    for column, area in REPORT_CARD_AREAS.items():
        grade = " ".join(cells.text(column).lower().split())
        if not grade:
            continue
        if grade in REPORT_CARD_GRADES:
            card[area] = grade
        else:
            cells.problem(column, f"{cells.text(column)!r} is not a report card grade ("
                                  + ", ".join(REPORT_CARD_GRADES) + ", or blank)")
    safeguarding = " ".join(cells.text(SAFEGUARDING).lower().split()) or None
    if safeguarding not in (None, "met", "not met"):
        cells.problem(SAFEGUARDING, f"{cells.text(SAFEGUARDING)!r} is not 'Met' or 'Not met'")
        safeguarding = None
    return card, safeguarding


def _sub_judgements(cells: Cells, columns: dict[str, str]) -> dict[str, str]:
    """The key judgements of an inspection with no overall grade (September 2024 to November
    2025), as the grade's words, those the file gives."""
    grades: dict[str, str] = {}
    for column, area in columns.items():
        value = " ".join(cells.text(column).lower().split())
        if not value or area in grades:
            continue
        if value in ("1", "2", "3", "4"):
            grades[area] = SUB_JUDGEMENT_GRADES[int(value) - 1]
        elif value in SUB_JUDGEMENT_GRADES:
            grades[area] = value
        else:
            cells.problem(column, f"{cells.text(column)!r} is not a grade (1 to 4, or blank)")
    return grades
