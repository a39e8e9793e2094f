"""Eligibility for intervention (Education and Inspections Act 2006 s59) and the LA's powers
that rest on it (ss63, 64, 66), with the steps used beside them in practice."""

from __future__ import annotations

import calendar as _months
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, require_choice, require_text
from domain.deadlines import PASSED
from domain.errors import CaseFileError
from domain.rules import Rule
from domain.wording import long_date

TITLE = "Eligibility for intervention and the LA's powers"

ELIGIBILITY_ROUTES = {
    "warning_notice": "warning notice not complied with (s60)",
    "serious_weaknesses": "requires significant improvement (s61)",
    "special_measures": "requires special measures (s62)",
    "coasting": "coasting (s60B)",
}
"""s59: the ways a maintained school becomes eligible for intervention."""

POWERS = {
    "s63": "require the school to enter into arrangements (s63)",
    "s64": "appoint additional governors (s64)",
    "s66": "suspend the delegated budget (s66)",
    "early_inspection": "request an early Ofsted inspection",
}
"""The LA's own powers (ss63-66) and the steps used with them in practice."""

FORMER_POWERS = {
    "academy_route": "Sought a sponsored academy (recorded as an LA step before scc recorded "
                     "academy orders)",
}
"""Steps earlier versions of scc offered as LA powers and no longer do. Their entries stay as
they were stored (the hash chain covers them) and read in these words: an academy order is
the Secretary of State's (Academies Act 2010 s4), recorded under Academy orders."""


def power_words(power: str) -> str:
    """How an entry's power reads on the timeline and the pages, old or current."""
    if power in FORMER_POWERS:
        return FORMER_POWERS[power]
    words = POWERS.get(power, power)
    return f"Power used: {words}"

S63_WINDOW_MONTHS = 2

# Rules --------------------------------------------------------------------------------------

POWERS_NEED_ELIGIBILITY = Rule(
    "s59-eligibility", "Powers need eligibility for intervention",
    "The local authority's powers under ss63-66 may be used only while the school is eligible "
    "for intervention: a warning notice not complied with, a category of concern, or "
    "coasting. A request for an early inspection needs an open concern or eligibility.",
    "Education and Inspections Act 2006 ss59, 63(1), 64(1), 66",
)
NO_S64_UNDER_IEB = Rule(
    "s64-not-under-ieb", "No additional governors while an IEB is in place",
    "Additional governors cannot be appointed while an interim executive board replaces the "
    "governing body.",
    "Education and Inspections Act 2006 s64; Sch 6 para 14(a)",
)
S63_NOT_ON_S60A = Rule(
    "s63-not-on-s60a", "Arrangements not on a pay and conditions failure alone",
    "Arrangements under s63 cannot rest on a failure to comply with an s60A (teachers' pay and "
    "conditions) notice alone.",
    "Education and Inspections Act 2006 s63(1)",
)
S63_WINDOW = Rule(
    "s63-window", "Two months for arrangements after a warning notice",
    "After a warning notice, arrangements under s63 may be required only within two months "
    "of the end of the compliance period (the same day of the month two months on, or that "
    "month's last day).",
    "Education and Inspections Act 2006 s63(3)",
)
COASTING = Rule(
    "s60b-coasting", "A coasting school is eligible",
    "A maintained school the regulations define as coasting is eligible for intervention.",
    "Education and Inspections Act 2006 s60B, inserted by the Education and Adoption Act 2016 "
    "s1", applies_from=date(2016, 4, 18),
)

ACADEMY_ORDER_NOT_LA_POWER = Rule(
    "academy-order-not-la-power", "An academy order is not the LA's to seek as a power",
    "Seeking a sponsored academy is not one of the local authority's intervention powers: "
    "the Secretary of State makes academy orders, which the case file records under Academy "
    "orders.",
    "Academies Act 2010 s4",
)

RULES = (POWERS_NEED_ELIGIBILITY, NO_S64_UNDER_IEB, S63_NOT_ON_S60A, S63_WINDOW, COASTING,
         ACADEMY_ORDER_NOT_LA_POWER)


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later, or the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _months.monthrange(year, month)[1]))


def s63_window_ends(compliance_ends: date) -> date:
    """The last day an LA may require arrangements under s63 after a warning notice."""
    return add_months(compliance_ends, S63_WINDOW_MONTHS)


# Entries ------------------------------------------------------------------------------------

class BecameEligible(CaseFileEvent):
    route: str
    basis: str
    amendable = ("basis",)


class EligibilityCeased(CaseFileEvent):
    route: str
    reason: str
    amendable = ("reason",)


class PowerExercised(CaseFileEvent):
    power_id: str
    power: str
    details: str
    amendable = ("details",)


# State --------------------------------------------------------------------------------------

@dataclass
class Eligibility:
    route: str
    since: date
    basis: str


@dataclass
class PowerUse:
    power_id: str
    power: str
    details: str
    exercised_on: date


@dataclass
class EligibilityState:
    eligibility: dict[str, Eligibility] = field(default_factory=dict)
    powers: list[PowerUse] = field(default_factory=list)

    def _on_BecameEligible(self, e: Any) -> None:
        self.eligibility[e.route] = Eligibility(e.route, e.effective, e.basis)

    def _on_EligibilityCeased(self, e: Any) -> None:
        self.eligibility.pop(e.route, None)

    def _on_PowerExercised(self, e: Any) -> None:
        self.powers.append(PowerUse(e.power_id, e.power, e.details, e.effective))


def deadlines(state: Any, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
    """The last day for s63 arrangements after each notice of intervention on an s60 notice
    (s63 cannot rest on an s60A notice: it opens ss64-66 only)."""
    for notice in state.warning_notices.values():
        if notice.section == "s60" and notice.intervention_notice_on is not None and not any(
                p.power == "s63" and p.exercised_on >= notice.intervention_notice_on
                for p in state.powers):
            last_day = s63_window_ends(notice.compliance_date)
            # An opportunity, not a duty: it goes once its last day has passed, or once an
            # interim executive board has replaced the governing body.
            closed = (f"s63_window:{notice.notice_id}", last_day, PASSED) in state.fired
            if last_day >= notice.intervention_notice_on and not closed and state.ieb is None:
                yield ("s63_window", notice.notice_id, last_day,
                       f"Last day to require arrangements under s63 after {notice.notice_id}",
                       notice.recorded_in)


# Commands -----------------------------------------------------------------------------------

class EligibilityCommands(CaseFileCore):
    def record_coasting(self, *, when: Entry, basis: str) -> None:
        """s60B: a school the regulations define as coasting is eligible for intervention."""
        state = self._require_maintained(when, "Coasting eligibility")
        require_text("basis", basis)
        if "coasting" in state.eligibility:
            raise CaseFileError("The school is already recorded as coasting")
        self._record(self.BecameEligible, when=when, route="coasting", basis=basis.strip())

    def end_eligibility(self, *, when: Entry, route: str, reason: str) -> None:
        self._require_after_registration(when)
        require_choice("route", route, tuple(ELIGIBILITY_ROUTES))
        if route not in self.state.eligibility:
            raise CaseFileError(
                f"The school is not eligible for intervention by the route: "
                f"{ELIGIBILITY_ROUTES[route]}"
            )
        require_text("reason", reason)
        self._record(self.EligibilityCeased, when=when, route=route, reason=reason.strip())

    def exercise_power(self, *, when: Entry, power: str, details: str) -> str:
        """Uses an intervention power, with its preconditions (ss59, 63, 64, 66)."""
        if power in FORMER_POWERS:
            ACADEMY_ORDER_NOT_LA_POWER.refuse(
                "Seeking a sponsored academy is not a local authority power: record the "
                "Secretary of State's academy order under Academy orders instead"
            )
        require_choice("power", power, tuple(POWERS))
        state = self._require_maintained(when, "Intervention powers")
        require_text("details", details)
        if power == "early_inspection":
            if not (state.eligibility or state.open_concerns):
                POWERS_NEED_ELIGIBILITY.refuse(
                    "An early inspection request needs an open concern or eligibility for "
                    "intervention to rest on"
                )
        elif not state.eligibility:
            POWERS_NEED_ELIGIBILITY.refuse(
                f"The school is not eligible for intervention (s59), so the local authority "
                f"cannot {POWERS[power]}"
            )
        if power == "s64" and state.ieb is not None:
            NO_S64_UNDER_IEB.refuse(
                "Additional governors cannot be appointed while an interim executive board "
                "is in place (s64)"
            )
        if power == "s63" and set(state.eligibility) == {"warning_notice"}:
            notice = max(
                (n for n in state.warning_notices.values()
                 if n.section == "s60" and n.intervention_notice_on is not None),
                key=lambda n: n.compliance_date, default=None,
            )
            if notice is None:
                S63_NOT_ON_S60A.refuse(
                    "Arrangements under s63 cannot rest on a teachers' pay and conditions "
                    "warning notice (s60A); it opens ss64-66 only"
                )
            last_day = s63_window_ends(notice.compliance_date)
            if when.effective > last_day:
                S63_WINDOW.refuse(
                    f"After warning notice {notice.notice_id}, arrangements under s63 could be "
                    f"required only until {long_date(last_day)}, two months after its compliance "
                    "period ended"
                )
        power_id = f"P{self._count(self.PowerExercised) + 1}"
        self._record(
            self.PowerExercised, when=when, power_id=power_id, power=power,
            details=details.strip(),
        )
        return power_id
