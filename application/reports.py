"""Reports as LA strategies publish them, counted from the read models' rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from application.projections import CaseFileProjections
from domain.categories import CategoryScheme
from domain.errors import CaseFileError

PHASES = ("primary", "secondary", "special", "all")

OFSTED_BUCKETS = {
    "1": "Outstanding",
    "2": "Good",
    "3": "Requires improvement (or Satisfactory)",
    "4": "Inadequate",
    None: "No overall grade",
}
NOT_INSPECTED = "Not inspected"
NOT_CATEGORISED = "Not categorised"


class Reports:
    """The reports, from read models brought up to date first (read your writes)."""

    def __init__(self, projections: CaseFileProjections) -> None:
        self.projections = projections
        self.store = projections.store

    def categories(self, *, by: str, phase: str, dates: Iterable[date]) -> list[dict[str, Any]]:
        self.projections.catch_up(["school_status", "category_history"])
        return category_distribution(
            self.store.schools(), self.store.spells(), by=by, phase=phase, dates=dates,
            scheme=self.projections.scheme,
        )

    def causing_concern(self) -> list[dict[str, Any]]:
        """Open schools causing concern, with why and what is due next."""
        self.projections.catch_up(["school_status"])
        return [s for s in self.store.schools() if s["causing_concern"]]

    def deadlines(self, today: date, *, days: int = 14) -> dict[str, list[dict[str, Any]]]:
        """Deadlines overdue on ``today``, and those due within ``days`` after it."""
        self.projections.catch_up(["school_status", "deadlines"])
        names = {s["urn"]: s["name"] for s in self.store.schools()}
        pending = [{**d, "name": names.get(d["urn"])} for d in self.store.deadlines()
                   if d["due"] is not None]
        return {
            "overdue": [d for d in pending if d["due"] < today],
            "upcoming": [d for d in pending if today <= d["due"] <= date.fromordinal(
                today.toordinal() + days)],
        }


def category_distribution(
    schools: Iterable[dict[str, Any]],
    spells: Iterable[dict[str, Any]],
    *,
    by: str,
    phase: str,
    dates: Iterable[date],
    scheme: CategoryScheme,
) -> list[dict[str, Any]]:
    """Number and % of schools, and of pupils on roll, in each category on each date.

    A school counts only while open on the date (open on its close date, as GIAS records
    the last day). Ofsted's pre-2012 "Satisfactory" shares grade 3 with Requires improvement.
    Pupils are the number on roll as last recorded for each school.
    """
    if by not in ("ofsted", "la"):
        raise ValueError(f"Report by 'ofsted' or 'la', not {by!r}")
    if phase not in PHASES:
        raise ValueError(f"Phase must be one of {', '.join(PHASES)}, not {phase!r}")
    schools = [s for s in schools if phase == "all" or s["phase_group"] == phase]
    kind = "ofsted" if by == "ofsted" else "la"
    spells_by_urn: dict[int, list[dict[str, Any]]] = {}
    for spell in spells:
        if spell["kind"] == kind:
            spells_by_urn.setdefault(spell["urn"], []).append(spell)
    if by == "ofsted":
        buckets = [*OFSTED_BUCKETS.values(), NOT_INSPECTED]
    else:
        buckets = [*scheme.codes, NOT_CATEGORISED]

    rows = []
    for day in sorted(set(dates)):
        counts = {b: [0, 0] for b in buckets}
        for school in schools:
            if not _open_on(school, day):
                continue
            bucket = _bucket(spells_by_urn.get(school["urn"], []), day, by, scheme)
            counts.setdefault(bucket, [0, 0])
            counts[bucket][0] += 1
            counts[bucket][1] += school["pupils"] or 0
        total_schools = sum(n for n, _ in counts.values())
        total_pupils = sum(p for _, p in counts.values())
        for bucket, (n, pupils) in counts.items():
            rows.append({
                "date": day, "phase": phase, "category": bucket,
                "schools": n, "schools_pct": percent(n, total_schools),
                "pupils": pupils, "pupils_pct": percent(pupils, total_pupils),
            })
    return rows


def percent(part: int, whole: int) -> float:
    """A percentage to one decimal place, halves rounded up as published tables do."""
    if not whole:
        return 0.0
    exact = Decimal(part * 100) / Decimal(whole)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _open_on(school: dict[str, Any], day: date) -> bool:
    opened, closed = school["opened_on"], school["closed_on"]
    return (opened is None or opened <= day) and (closed is None or day <= closed)


def _bucket(spells: list[dict[str, Any]], day: date, by: str, scheme: CategoryScheme) -> str:
    spell = next(
        (s for s in spells
         if s["starts_on"] <= day and (s["ends_on"] is None or day < s["ends_on"])),
        None,
    )
    if by == "ofsted":
        return NOT_INSPECTED if spell is None else OFSTED_BUCKETS[spell["grade"]]
    if spell is None:
        return NOT_CATEGORISED
    try:
        return scheme.category(spell["grade"]).code
    except CaseFileError:
        return spell["grade"]  # a category of a scheme the LA used before this one
