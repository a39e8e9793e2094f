"""Reports as LA strategies publish them, counted from the read models' rows."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from threading import Lock
from typing import Any

from application.projections import CaseFileProjections
from application.school_search import SchoolSearch
from domain.categories import CategoryScheme
from domain.errors import CaseFileError
from domain.ofsted import (
    NOTICE_TO_IMPROVE,
    REQUIRES_SIGNIFICANT_IMPROVEMENT,
    SERIOUS_WEAKNESSES,
    SPECIAL_MEASURES,
)

PHASES = ("primary", "secondary", "special", "all")

OFSTED_BUCKETS = {
    "1": "Outstanding",
    "2": "Good",
    "3": "Requires improvement (or Satisfactory)",
    "4": "Inadequate",
    None: "No overall grade",
}
OFSTED_CATEGORY_BUCKETS = {
    SERIOUS_WEAKNESSES: "Serious weaknesses (or requires significant improvement)",
    REQUIRES_SIGNIFICANT_IMPROVEMENT: "Serious weaknesses (or requires significant improvement)",
    SPECIAL_MEASURES: "Special measures",
    NOTICE_TO_IMPROVE: OFSTED_BUCKETS["4"],  # given only with an inadequate grade
}
"""Where a school whose latest inspection put it in a category but gave no overall grade
(September 2024 to November 2025, and report cards) counts, rather than "No overall grade".
A school with a grade counts under its grade (special measures was always inadequate)."""
NOT_INSPECTED = "Not inspected"
NOT_CATEGORISED = "Not categorised"


BOARDS_KEPT = 64
"""Dashboards remembered, each for one day, view and state of the read models."""


class Reports:
    """The reports, from read models brought up to date first (read your writes).

    The dashboard is remembered until the read models move: every request still catches
    up first, and a dashboard is reused only for the same day, the same view and the same
    generation and position of every read model, so it always shows what was recorded
    before the request (by any process)."""

    def __init__(self, projections: CaseFileProjections) -> None:
        self.projections = projections
        self.store = projections.store
        self._boards: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self._boards_lock = Lock()

    def categories(self, *, by: str, phase: str, dates: Iterable[date]) -> list[dict[str, Any]]:
        check_distribution(by, phase)  # before catching up: a wrong request costs nothing
        self.projections.catch_up(["school_status", "category_history"])
        return self._distribution(by, phase, dates)

    def causing_concern(self) -> list[dict[str, Any]]:
        """Open schools causing concern, with why and what is due next."""
        self.projections.catch_up(["school_status"])
        return self.store.causing_concern()

    def causing_concern_page(self, *, limit: int, offset: int = 0
                             ) -> tuple[list[dict[str, Any]], int]:
        """A page of the open schools causing concern, by URN, and how many there are."""
        self.projections.catch_up(["school_status"])
        with self.store.consistent():  # the page and the count agree
            return (self.store.causing_concern(limit=limit, offset=offset, by_urn=True),
                    self.store.count_causing_concern())

    def deadlines(self, today: date, *, days: int = 14) -> dict[str, list[dict[str, Any]]]:
        """Deadlines overdue on ``today``, and those due within ``days`` after it."""
        self.projections.catch_up(["school_status", "deadlines"])
        return {
            "overdue": self.store.deadlines_due(due_to=_days_after(today, -1)),
            "upcoming": self.store.deadlines_due(due_from=today,
                                                 due_to=_days_after(today, days)),
        }

    def dashboard(self, today: date, *, caseworker_email: str | None = None, days: int = 14,
                  activity: int = 20, overdue: int = 20, concern: int = 20,
                  upcoming: int = 20) -> dict[str, Any]:
        """What the dashboard shows on ``today``: counts by LA category and Ofsted grade,
        the schools causing concern, deadlines due within ``days``, decisions on
        intervention waiting, the ``overdue`` most overdue deadlines (the longest overdue first)
        and how many are overdue, the ``concern`` schools causing concern whose next deadline
        comes soonest and how many there are, the ``upcoming`` soonest deadlines of the next
        ``days`` and how many there are, and the newest entries; only the schools of
        the caseworker with this email if one is given. The caller must not change it: it
        may be shared with other requests."""
        self.projections.catch_up()
        # One snapshot for the check and the count, so the counts agree with each other and
        # with the positions they are kept under.
        with self.store.consistent() as positions:
            key = (tuple(sorted(positions.items())), today,
                   None if caseworker_email is None else caseworker_email.casefold(),
                   days, activity, overdue, concern, upcoming)
            with self._boards_lock:
                if (board := self._boards.get(key)) is not None:
                    self._boards.move_to_end(key)
                    return board
            board = self._count_dashboard(today, caseworker_email, days=days,
                                          activity=activity, overdue=overdue,
                                          concern=concern, upcoming=upcoming)
        # SQLite reads each query afresh: keep the board only if nothing moved meanwhile.
        if self.store.positions() == positions:
            with self._boards_lock:
                self._boards[key] = board
                while len(self._boards) > BOARDS_KEPT:
                    self._boards.popitem(last=False)
        return board

    def _count_dashboard(self, today: date, caseworker_email: str | None, *, days: int,
                         activity: int, overdue: int, concern: int, upcoming: int
                         ) -> dict[str, Any]:
        caseworkers = None
        if caseworker_email is not None:
            caseworkers = [assigned for assigned in self.store.caseworker_emails()
                           if same_email(assigned, caseworker_email)]
        # Both distributions and the number causing concern from one pass over the schools.
        summary = self.store.current_summary(today, caseworkers=caseworkers)
        scheme = self.projections.scheme

        def distribution(kind: str) -> list[dict[str, Any]]:
            counts: dict[tuple[Any, bool], list[int]] = {}
            for row in summary:
                if row["is_open"]:
                    tally = counts.setdefault(
                        (row[f"{kind}_grade"], row[f"{kind}_judged"]), [0, 0])
                    tally[0] += row["schools"]
                    tally[1] += row["pupils"]
            return category_distribution(
                {today: [{"grade": grade, "judged": judged, "schools": n, "pupils": pupils}
                         for (grade, judged), (n, pupils) in counts.items()]},
                by="la" if kind == "la" else "ofsted", phase="all", scheme=scheme)

        by_category = distribution("la")
        yesterday = _days_after(today, -1)
        store = self.store
        return {
            "schools": sum(row["schools"] for row in by_category),  # every open school once
            "by_category": by_category,
            "by_ofsted": distribution("ofsted"),
            "causing_concern": store.causing_concern(caseworkers=caseworkers, limit=concern),
            "concern_count": sum(row["schools"] for row in summary if row["causing_concern"]),
            "overdue": store.deadlines_due(due_to=yesterday, caseworkers=caseworkers,
                                           limit=overdue),
            "overdue_count": store.count_deadlines_due(due_to=yesterday,
                                                       caseworkers=caseworkers),
            "upcoming": store.deadlines_due(due_from=today, due_to=_days_after(today, days),
                                            caseworkers=caseworkers, limit=upcoming),
            "upcoming_count": store.count_deadlines_due(
                due_from=today, due_to=_days_after(today, days), caseworkers=caseworkers),
            "decide_intervention": store.deadlines_due(kind="decide_intervention",
                                                       caseworkers=caseworkers),
            "academy_orders_expected": [
                row for row in store.academy_orders_expected(caseworkers=caseworkers)
                if row["closed_on"] is None or row["closed_on"] >= today],
            "in_rise": [row for row in store.in_rise(caseworkers=caseworkers)
                        if row["closed_on"] is None or row["closed_on"] >= today],
            "activity": store.recent_activity(activity, caseworkers=caseworkers),
            "set_aside": store.set_aside(),  # every school's: they are no one's to see to
        }

    def schools(self, *, limit: int | None = None, offset: int = 0, **criteria: Any
                ) -> tuple[list[dict[str, Any]], int]:
        """The status rows a ``SchoolSearch`` with these criteria finds, ``limit`` of them
        from ``offset`` (all without a limit), and how many it finds in all. Open or closed
        means on today unless ``on`` is given; categories sort in the scheme's order."""
        search = SchoolSearch(scheme_codes=tuple(self.projections.scheme.codes),
                              **{"on": self.projections.case_files.clock.today(), **criteria})
        self.projections.catch_up(["school_status"])
        with self.store.consistent():  # the page and the count agree
            return (self.store.find_schools(search, limit=limit, offset=offset),
                    self.store.count_schools(search))

    def overdue(self, today: date, *, limit: int, offset: int = 0
                ) -> tuple[list[dict[str, Any]], int]:
        """A page of the deadlines overdue on ``today`` (the longest overdue first), and
        how many are overdue in all."""
        self.projections.catch_up(["school_status", "deadlines"])
        yesterday = _days_after(today, -1)
        with self.store.consistent():  # the page and the count agree
            return (self.store.deadlines_due(due_to=yesterday, limit=limit, offset=offset),
                    self.store.count_deadlines_due(due_to=yesterday))

    def deadlines_between(self, first: date, last: date) -> list[dict[str, Any]]:
        """Pending deadlines due from ``first`` to ``last`` inclusive, soonest first, each
        with its school's name (a month of the deadlines calendar)."""
        self.projections.catch_up(["school_status", "deadlines"])
        return self.store.deadlines_due(due_from=first, due_to=last)

    def _distribution(self, by: str, phase: str, dates: Iterable[date],
                      caseworkers: list[str] | None = None) -> list[dict[str, Any]]:
        check_distribution(by, phase)
        group = None if phase == "all" else phase
        today = self.projections.case_files.clock.today()
        return category_distribution(
            # Today's counts come from the schools' current status (no join of spells): the
            # dashboard counts them afresh whenever anything is recorded.
            {day: (self.store.current_category_counts if day == today
                   else self.store.category_counts)(by, day, phase_group=group,
                                                    caseworkers=caseworkers)
             for day in sorted(set(dates))},
            by=by, phase=phase, scheme=self.projections.scheme,
        )


def check_distribution(by: str, phase: str) -> None:
    """Refuses a category report by anything but LA category or Ofsted grade, or of an
    unknown phase."""
    if by not in ("ofsted", "la"):
        raise ValueError(f"Report by 'ofsted' or 'la', not {by!r}")
    if phase not in PHASES:
        raise ValueError(f"Phase must be one of {', '.join(PHASES)}, not {phase!r}")


def category_distribution(
    counts: Mapping[date, Iterable[dict[str, Any]]],
    *,
    by: str,
    phase: str,
    scheme: CategoryScheme,
) -> list[dict[str, Any]]:
    """Number and % of schools, and of pupils on roll, in each category on each date, from
    the store's ``category_counts`` for each date.

    The store counts a school only while open on the date (open on its close date, as GIAS
    records the last day). Ofsted's pre-2012 "Satisfactory" shares grade 3 with Requires
    improvement. Pupils are the number on roll as last recorded for each school.
    """
    if by == "ofsted":
        buckets = list(dict.fromkeys([*list(OFSTED_BUCKETS.values())[:4],
                                      *OFSTED_CATEGORY_BUCKETS.values(), OFSTED_BUCKETS[None],
                                      NOT_INSPECTED]))
    else:
        buckets = [*scheme.codes, NOT_CATEGORISED]

    rows = []
    for day, counted in sorted(counts.items()):
        tally = {b: [0, 0] for b in buckets}
        for count in counted:
            bucket = _bucket(count, by, scheme)
            tally.setdefault(bucket, [0, 0])
            tally[bucket][0] += count["schools"]
            tally[bucket][1] += count["pupils"]
        total_schools = sum(n for n, _ in tally.values())
        total_pupils = sum(p for _, p in tally.values())
        for bucket, (n, pupils) in tally.items():
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


def _days_after(day: date, days: int) -> date:
    return date.fromordinal(day.toordinal() + days)


def _bucket(count: dict[str, Any], by: str, scheme: CategoryScheme) -> str:
    """The row a count of schools goes in: their grade's, or not inspected / categorised."""
    if by == "ofsted":
        if not count["judged"]:
            return NOT_INSPECTED
        # The grade, or for a school given none the category it was put in, if any.
        grade = count["grade"]
        return OFSTED_BUCKETS.get(grade) or OFSTED_CATEGORY_BUCKETS.get(grade, OFSTED_BUCKETS[None])
    if not count["judged"]:
        return NOT_CATEGORISED
    try:
        return scheme.category(count["grade"]).code
    except CaseFileError:
        return count["grade"]  # a category of a scheme the LA used before this one


YEAR_END = (8, 31)
"""LA strategies publish their category tables as at the end of each academic year, 31 August
(Peterborough 2013)."""

def report_dates(today: date, *, years: int = 4) -> list[date]:
    """The dates a category report shows unless asked otherwise: the last ``years`` ends of
    the academic year (31 August) on or before today, and today."""
    month, day = YEAR_END
    latest = today.year if (today.month, today.day) >= YEAR_END else today.year - 1
    ends = [date(year, month, day) for year in range(latest - years + 1, latest + 1)]
    return ends + ([today] if ends[-1] != today else [])


def is_caseworker(school: dict[str, Any], email: str) -> bool:
    """Whether the person with this email is the school's caseworker."""
    assigned = school.get("caseworker_email")
    return assigned is not None and same_email(assigned, email)


def same_email(one: str, other: str) -> bool:
    """Whether two email addresses are the same person's: they match without regard to case
    or surrounding spaces."""
    return one.strip().casefold() == other.strip().casefold()
