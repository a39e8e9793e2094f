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

    def dashboard(self, today: date, *, caseworker_email: str | None = None, days: int = 14,
                  activity: int = 20) -> dict[str, Any]:
        """What the dashboard shows on ``today``: counts by LA category and Ofsted grade,
        the schools causing concern, deadlines overdue and due within ``days``, decisions on
        intervention waiting, and the newest entries; only the schools of the caseworker
        with this email if one is given."""
        self.projections.catch_up()
        schools = self.store.schools()
        names = {s["urn"]: s["name"] for s in schools}
        if caseworker_email is not None:
            schools = [s for s in schools if is_caseworker(s, caseworker_email)]
        urns = {s["urn"] for s in schools}
        spells = self.store.spells()
        pending = [{**d, "name": names[d["urn"]]} for d in self.store.deadlines()
                   if d["urn"] in urns]
        fortnight = date.fromordinal(today.toordinal() + days)
        return {
            "schools": sum(1 for s in schools if _open_on(s, today)),
            "by_category": category_distribution(schools, spells, by="la", phase="all",
                                                 dates=[today], scheme=self.projections.scheme),
            "by_ofsted": category_distribution(schools, spells, by="ofsted", phase="all",
                                               dates=[today], scheme=self.projections.scheme),
            "causing_concern": [s for s in schools if s["causing_concern"]],
            "overdue": [d for d in pending if d["due"] < today],
            "upcoming": [d for d in pending if today <= d["due"] <= fortnight],
            "decide_intervention": [d for d in pending if d["kind"] == "decide_intervention"],
            "activity": [{**a, "name": names.get(a["urn"])} for a in (
                self.store.activity(activity) if caseworker_email is None
                else self.store.activity_of(urns, activity))],
        }

    def schools(self, **criteria: Any) -> list[dict[str, Any]]:
        """The schools' status rows found by ``find_schools`` with these criteria."""
        self.projections.catch_up(["school_status"])
        criteria.setdefault("on", self.projections.case_files.clock.today())
        return find_schools(self.store.schools(), scheme=self.projections.scheme, **criteria)

    def deadlines_between(self, first: date, last: date) -> list[dict[str, Any]]:
        """Pending deadlines due from ``first`` to ``last`` inclusive, soonest first, each
        with its school's name (a month of the deadlines calendar)."""
        self.projections.catch_up(["school_status", "deadlines"])
        names = {s["urn"]: s["name"] for s in self.store.schools()}
        return [{**d, "name": names.get(d["urn"])} for d in self.store.deadlines()
                if first <= d["due"] <= last]


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


YEAR_END = (8, 31)
"""LA strategies publish their category tables as at the end of each academic year, 31 August
(Peterborough 2013)."""

SCHOOL_SORTS = ("urn", "name", "category", "next_deadline")


def report_dates(today: date, *, years: int = 4) -> list[date]:
    """The dates a category report shows unless asked otherwise: the last ``years`` ends of
    the academic year (31 August) on or before today, and today."""
    month, day = YEAR_END
    latest = today.year if (today.month, today.day) >= YEAR_END else today.year - 1
    ends = [date(year, month, day) for year in range(latest - years + 1, latest + 1)]
    return ends + ([today] if ends[-1] != today else [])


def is_caseworker(school: dict[str, Any], email: str) -> bool:
    """Whether the person with this email is the school's caseworker (emails match without
    regard to case)."""
    assigned = school.get("caseworker_email")
    return assigned is not None and assigned.strip().casefold() == email.strip().casefold()


def find_schools(
    schools: Iterable[dict[str, Any]],
    *,
    scheme: CategoryScheme,
    text: str = "",
    phase_group: str | None = None,
    category: str | None = None,
    causing_concern: bool | None = None,
    governance: str | None = None,
    is_open: bool | None = None,
    on: date | None = None,
    sort: str = "urn",
    descending: bool = False,
) -> list[dict[str, Any]]:
    """Status rows matching a search and filters, in the order asked for.

    ``text`` matches a part of the name, or the start of the URN; ``category`` is a code of
    the scheme (any case) or ``"none"`` for schools not categorised; ``is_open`` asks for
    schools open (or closed) on the day ``on``. Categories sort in the scheme's
    order; schools with nothing to sort by (no category, no deadline) come last either way.
    """
    if sort not in SCHOOL_SORTS:
        raise ValueError(f"Sort by one of {', '.join(SCHOOL_SORTS)}, not {sort!r}")
    if is_open is not None and on is None:
        raise ValueError("Open or closed on which day? Give on=")
    text = text.strip().casefold()
    wanted_category = category.strip().casefold() if category else None
    found = []
    for school in schools:
        if text and not (text in school["name"].casefold()
                         or str(school["urn"]).startswith(text)):
            continue
        if phase_group is not None and school["phase_group"] != phase_group:
            continue
        if wanted_category is not None:
            own = (school["category"] or "none").casefold()
            if own != wanted_category:
                continue
        if causing_concern is not None and bool(school["causing_concern"]) != causing_concern:
            continue
        if governance is not None and school["governance"] != governance:
            continue
        if is_open is not None and _open_on(school, on) != is_open:
            continue
        found.append(school)

    order = {code.casefold(): n for n, code in enumerate(scheme.codes)}
    keys = {
        "urn": lambda s: s["urn"],
        "name": lambda s: (s["name"].casefold(), s["urn"]),
        "category": lambda s: (order.get(s["category"].casefold(), len(order)), s["category"],
                               s["urn"]),
        "next_deadline": lambda s: (s["next_deadline"], s["urn"]),
    }
    field = {"category": "category", "next_deadline": "next_deadline"}.get(sort)
    present = [s for s in found if field is None or s[field] is not None]
    missing = [s for s in found if field is not None and s[field] is None]
    return sorted(present, key=keys[sort], reverse=descending) + missing
