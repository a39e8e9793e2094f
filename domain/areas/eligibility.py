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

PROPOSABLE_POWERS = {
    **{key: words for key, words in POWERS.items() if key != "early_inspection"},
    "s65": "replace the governing body with an interim executive board (s65)",
}
"""What a written notice of intervention (s60(1)(d)) may say the LA proposes: its powers and
an IEB (s65). An early inspection request rests on a concern and needs no such notice."""

FORMER_POWERS = {
    "academy_route": "Sought a sponsored academy (recorded as an LA step before scc recorded "
                     "academy orders)",
}
"""Steps earlier versions of scc offered as LA powers and no longer do. Their entries stay as
they were stored (the hash chain covers them) and read in these words: an academy order is
the Secretary of State's (Academies Act 2010 s4), recorded under Academy orders."""


def proposal_words(power: str) -> str:
    """What a notice of intervention proposed, in words; a former power (proposed before scc
    recorded academy orders) in words of its own."""
    if power in PROPOSABLE_POWERS:
        return PROPOSABLE_POWERS[power]
    if power in FORMER_POWERS:
        return "seek a sponsored academy (proposed before scc recorded academy orders)"
    return power


def power_words(power: str) -> str:
    """How an entry's power reads on the timeline and the pages, old or current."""
    if power in FORMER_POWERS:
        return FORMER_POWERS[power]
    words = POWERS.get(power, power)
    return f"Power used: {words}"

S63_WINDOW_MONTHS = 2
S64_WINDOW_MONTHS = 2

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
S64_WINDOW = Rule(
    "s64-window", "Two months for additional governors after a warning notice",
    "Where the school is eligible for intervention only by a warning notice (s60 or s60A), "
    "additional governors may be appointed only within two months of the end of the "
    "compliance period (the same day of the month two months on, or that month's last day).",
    "Education and Inspections Act 2006 s64(2)",
)
POWER_PROPOSED = Rule(
    "s60-1d-power-proposed", "The power used is one the notice of intervention proposed",
    "Where the school is eligible for intervention only by a warning notice, the local "
    "authority may use a power only if its written notice of intervention proposed it. A "
    "notice of intervention recorded before the powers were chosen from a list (free text "
    "only) reads as \"powers not recorded\" and is not checked.",
    "Education and Inspections Act 2006 s60(1)(d)",
)
REASONABLE_NOTICE = Rule(
    "s60-1d-reasonable-notice", "Reasonable notice before a power is used",
    "Where the school is eligible for intervention only by a warning notice, a power the "
    "notice of intervention proposed can be used only once the notice has run for the LA's "
    "reasonable notice period (5 working days unless its policy says otherwise).",
    "Education and Inspections Act 2006 s60(1)(d)", kind="policy",
    unconfirmed="The Act requires \"reasonable notice\" but sets no length; 5 working days "
    "is a default for the LA to confirm.",
    setting="reasonable_notice_working_days",
)

ACADEMY_ORDER_NOT_LA_POWER = Rule(
    "academy-order-not-la-power", "An academy order is not the LA's to seek as a power",
    "Seeking a sponsored academy is not one of the local authority's intervention powers: "
    "the Secretary of State makes academy orders, which the case file records under Academy "
    "orders.",
    "Academies Act 2010 s4",
)

RULES = (POWERS_NEED_ELIGIBILITY, NO_S64_UNDER_IEB, S63_NOT_ON_S60A, S63_WINDOW, S64_WINDOW,
         POWER_PROPOSED, REASONABLE_NOTICE, ACADEMY_ORDER_NOT_LA_POWER)


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later, or the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _months.monthrange(year, month)[1]))


def s63_window_ends(compliance_ends: date) -> date:
    """The last day an LA may require arrangements under s63 after a warning notice."""
    return add_months(compliance_ends, S63_WINDOW_MONTHS)


def s64_window_ends(compliance_ends: date) -> date:
    """The last day an LA may appoint additional governors under s64 after a warning notice
    (S64_WINDOW)."""
    return add_months(compliance_ends, S64_WINDOW_MONTHS)


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
    (s63 cannot rest on an s60A notice), and for s64 additional governors after one on an
    s60 or s60A notice (s64(2))."""
    windows = (("s63_window", ("s60",), s63_window_ends,
                "Last day to require arrangements under s63 after"),
               ("s64_window", ("s60", "s60A"), s64_window_ends,
                "Last day to appoint additional governors under s64 after"))
    for kind, sections, window_ends, what in windows:
        power = kind[:3]
        for notice in state.warning_notices.values():
            if notice.section not in sections or notice.intervention_notice_on is None:
                continue
            if any(p.power == power and p.exercised_on >= notice.intervention_notice_on
                   for p in state.powers):
                continue
            last_day = window_ends(notice.compliance_date)
            # An opportunity, not a duty: it goes once its last day has passed, or once an
            # interim executive board has replaced the governing body.
            closed = (f"{kind}:{notice.notice_id}", last_day, PASSED) in state.fired
            if last_day >= notice.intervention_notice_on and not closed and state.ieb is None:
                yield (kind, notice.notice_id, last_day, f"{what} {notice.notice_id}",
                       notice.recorded_in)


# Commands -----------------------------------------------------------------------------------

class EligibilityCommands(CaseFileCore):
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
        """Uses an intervention power, with its preconditions (ss59, 60(1)(d), 63, 64, 66).

        Rules: POWERS_NEED_ELIGIBILITY, NO_S64_UNDER_IEB, S63_NOT_ON_S60A, S63_WINDOW,
        S64_WINDOW, POWER_PROPOSED, REASONABLE_NOTICE, ACADEMY_ORDER_NOT_LA_POWER."""
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
        only_by_notice = set(state.eligibility) == {"warning_notice"}
        if power == "s63" and only_by_notice:
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
        if power == "s64" and only_by_notice:
            notice = max(
                (n for n in state.warning_notices.values()
                 if n.intervention_notice_on is not None),
                key=lambda n: n.compliance_date, default=None,
            )
            last_day = s64_window_ends(notice.compliance_date) if notice else date.max
            if notice is not None and when.effective > last_day:
                S64_WINDOW.refuse(
                    f"After warning notice {notice.notice_id}, additional governors could be "
                    f"appointed only until {long_date(last_day)}, two months after its "
                    "compliance period ended (s64(2))"
                )
        if only_by_notice and power != "early_inspection":
            self._require_proposed_with_notice(state, power, when)
        if power == "s63":
            self._require_arrangements_consulted(when)
        power_id = f"P{self._count(self.PowerExercised) + 1}"
        self._record(
            self.PowerExercised, when=when, power_id=power_id, power=power,
            details=details.strip(),
        )
        return power_id

    def _require_proposed_with_notice(self, state: Any, power: str, when: Entry, *,
                                      after_reasonable_notice: bool = True) -> None:
        """s60(1)(d) (POWER_PROPOSED, REASONABLE_NOTICE): on eligibility by a
        warning notice alone, the power must be one a notice of intervention proposed, used
        once that notice has run its reasonable notice. A notice recorded before the powers
        were chosen from a list is not checked."""
        given = [n for n in state.warning_notices.values()
                 if n.intervention_notice_on is not None
                 and n.intervention_notice_on <= when.effective]
        if not given:
            return
        proposing = [n for n in given
                     if n.proposed_powers is None or power in n.proposed_powers]
        if not proposing:
            proposed = sorted({p for n in given for p in n.proposed_powers or ()})
            POWER_PROPOSED.refuse(
                f"The notice of intervention after {', '.join(n.notice_id for n in given)} "
                f"did not propose to {proposal_words(power)}; it proposed: "
                f"{'; '.join(proposal_words(p) for p in proposed)}"
            )
        if not after_reasonable_notice or any(n.powers_from is None for n in proposing):
            return
        first = min(proposing, key=lambda n: n.powers_from)
        if when.effective < first.powers_from:
            REASONABLE_NOTICE.refuse(
                f"The notice of intervention after {first.notice_id} was given on "
                f"{long_date(first.intervention_notice_on)}; the power can be used from "
                f"{long_date(first.powers_from)}, after reasonable notice"
            )
