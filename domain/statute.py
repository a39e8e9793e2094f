"""Statutory rules of the Education and Inspections Act 2006 Part 4 that scc enforces."""

from __future__ import annotations

import calendar as _months
from datetime import date

from domain.calendar import WorkingDayCalendar
from domain.errors import CaseFileError
from domain.rules import Rule

TITLE = "Warning notices"

WARNING_NOTICE_GROUNDS = {
    "a": "standards of performance are unacceptably low and likely to remain so",
    "b": "a serious breakdown in management or governance is prejudicing, "
    "or likely to prejudice, standards",
    "c": "the safety of pupils or staff is threatened",
}
"""s60(2)(a)-(c)."""

WARNING_NOTICE_SECTIONS = {
    "s60": "performance standards and safety warning notice (s60)",
    "s60A": "teachers' pay and conditions warning notice (s60A)",
}
ISSUERS = ("local authority", "secretary of state")
"""s60 as amended by the Education and Adoption Act 2016: either may give a notice."""

FIXED_PERIOD_RULES_END = date(2016, 4, 18)
FIXED_COMPLIANCE_PERIOD = 15
FIXED_PERIOD = Rule(
    "fixed-compliance-period", "A fixed period before 18 April 2016",
    "A warning notice given before 18 April 2016 gives the governing body 15 working days, "
    "beginning with the day after the notice is given.",
    "Education and Inspections Act 2006 s60(1)(b) as enacted; SI 2016/466 reg 4",
    applies_until=date(2016, 4, 17),
)
ISSUER_SETS_PERIOD = Rule(
    "issuer-sets-period", "The issuer sets the period",
    "From 18 April 2016 the notice sets its own compliance period, of at least one working "
    "day.",
    "Education and Inspections Act 2006 s60(1)(b), as substituted by the Education and "
    "Adoption Act 2016 s2", applies_from=date(2016, 4, 18),
)
RULES = (FIXED_PERIOD, ISSUER_SETS_PERIOD)

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
    "academy_route": "seek a sponsored academy (Academies Act 2010 s4)",
}
"""The LA's own powers (ss63-66) and the steps used with them in practice."""

S63_WINDOW_MONTHS = 2
"""s63: after a warning notice, arrangements may be required only within 2 months after the
compliance period ends."""

MIN_IEB_MEMBERS = 2
"""Sch 6 para 1: an interim executive board has at least two interim executive members."""

IEB_CONSULTEES = ("governing body", "diocese", "foundation")
"""s65(2)-(3): the governing body, and for a foundation or voluntary school the appropriate
diocesan authority or the person who appoints foundation governors, must be consulted."""


def compliance_date(
    given_on: date, period: int | None, working_days: WorkingDayCalendar
) -> tuple[int, date]:
    """The compliance period and the day it ends, for a warning notice given on ``given_on``.

    s60(4)(c) and SI 2016/466: from 18 April 2016 the issuer sets the period; before then it
    was "the day on which the notice is given and ending with the fifteenth working day
    following that day". Both count statutory working days after the day of giving.
    """
    if given_on < FIXED_PERIOD_RULES_END:
        if period not in (None, FIXED_COMPLIANCE_PERIOD):
            FIXED_PERIOD.refuse(
                f"A warning notice given before 18 April 2016 has a fixed compliance period of "
                f"{FIXED_COMPLIANCE_PERIOD} working days, not {period}"
            )
        period = FIXED_COMPLIANCE_PERIOD
    elif period is None:
        raise CaseFileError("Set the compliance period: how many working days the school has")
    if period < 1:
        ISSUER_SETS_PERIOD.refuse("The compliance period must be at least one working day")
    return period, working_days.add_working_days(given_on, period)


def s63_window_ends(compliance_ends: date) -> date:
    """The last day an LA may require arrangements under s63 after a warning notice."""
    return add_months(compliance_ends, S63_WINDOW_MONTHS)


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later, or the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _months.monthrange(year, month)[1]))
