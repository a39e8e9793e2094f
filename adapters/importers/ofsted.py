"""Reads Ofsted's management-information CSV of school inspections into inspection records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from adapters.importers.csv_rows import Cells, Extract, decode, rows
from application.imports import InspectionRecord
from domain.ofsted import FRAMEWORKS, NOTICE_TO_IMPROVE, SERIOUS_WEAKNESSES, SPECIAL_MEASURES

WHAT = "an Ofsted management-information file of school inspections"
DATES = "dd/mm/yyyy"

URN = "URN"
NAME = "School name"
STARTED = "Inspection start date"
PUBLISHED = "Publication date"
OVERALL = "Overall effectiveness"
CATEGORY = "Category of concern"
INSPECTED_URN = "URN at time of latest full inspection"
REQUIRED = (URN, STARTED, PUBLISHED, OVERALL, CATEGORY)

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
    return parse_inspections(Path(path).read_bytes())


def parse_inspections(data: bytes) -> Extract[InspectionRecord]:
    """Every inspection of the file (latin-1, UTF-8 or UTF-8 with a byte-order mark);
    raises NotAnExtract if the columns are not Ofsted's."""
    return Extract([
        _record(cells)
        for cells in rows(decode(data), what=WHAT, required=REQUIRED, blank_words=BLANK_WORDS)
    ])


def _record(cells: Cells) -> InspectionRecord:
    urn = cells.urn(URN)
    inspected_urn = cells.urn(INSPECTED_URN, required=False) or urn
    # A school not yet inspected has every inspection cell empty; a judgement without its
    # start date is a problem.
    judged = any(cells.text(column) for column in (PUBLISHED, OVERALL, CATEGORY))
    inspected_on = cells.date(STARTED, shown_as=DATES, required=judged)
    return InspectionRecord(
        row=cells.row,
        urn=urn,
        inspected_urn=inspected_urn,
        school_name=cells.text(NAME),
        inspected_on=inspected_on,
        published_on=cells.date(PUBLISHED, shown_as=DATES),
        overall=_overall(cells),
        category=_category(cells, inspected_on),
        problems=tuple(cells.problems),
    )


def _overall(cells: Cells) -> int | None:
    value = cells.text(OVERALL)
    if not value:
        return None
    if value in ("1", "2", "3", "4"):
        return int(value)
    if value.lower() in OVERALL_WORDS:
        return OVERALL_WORDS[value.lower()]
    cells.problem(OVERALL, f"{value!r} is not an overall effectiveness grade (1 to 4, or blank)")
    return None


def _category(cells: Cells, inspected_on: date | None) -> str | None:
    value = cells.text(CATEGORY)
    if not value:
        return None
    if value.lower() in CATEGORIES:
        return CATEGORIES[value.lower()]
    if value.lower() == SIGNIFICANT_IMPROVEMENT and inspected_on is not None:
        return SERIOUS_WEAKNESSES if inspected_on >= SERIOUS_WEAKNESSES_FROM else NOTICE_TO_IMPROVE
    cells.problem(CATEGORY, f"{value!r} is not a category of concern (special measures, "
                            "serious weaknesses, notice to improve, or blank)")
    return None
