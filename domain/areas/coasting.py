"""Coasting schools (Education and Inspections Act 2006 s60B): the Secretary of State's
notification that opens eligibility for intervention, the regulations' definition it was made
under, and its end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, require_choice, require_text
from domain.errors import CaseFileError
from domain.rules import Rule
from domain.wording import long_date

TITLE = "Coasting schools"

NURSERY_SCHOOL = "Local authority nursery school"
"""A maintained nursery school as GIAS's TypeOfEstablishment names it."""

ENDINGS = {
    "exit": "it no longer meets the regulations' definition (the exit test)",
    "notice": "the Secretary of State notified the governing body it is no longer coasting",
}
"""How a school stops being coasting."""

# Rules --------------------------------------------------------------------------------------

COASTING = Rule(
    "s60b-coasting", "A coasting school is eligible once notified",
    "A maintained school is eligible for intervention as coasting only when the regulations "
    "define it as coasting and the Secretary of State has notified its governing body; the "
    "date of that notification is recorded.",
    "Education and Inspections Act 2006 s60B(1), inserted by the Education and Adoption Act "
    "2016 s1", applies_from=date(2016, 4, 18),
)
NOT_NURSERY_SCHOOLS = Rule(
    "s60b-not-nursery", "Never a maintained nursery school",
    "Section 60B does not apply to a maintained nursery school: it cannot be coasting.",
    "Coasting Schools (England) Regulations 2022 (SI 2022/720) reg 3; the 2017 Regulations "
    "(SI 2017/9) covered only schools with key stage 2 or 4 pupils",
)
DEFINITION_2017 = Rule(
    "coasting-2017", "Coasting as the 2017 Regulations defined it",
    "From when s60B came fully into force until 31 August 2022 a school was coasting by its "
    "key stage 2 or key stage 4 results over three school years.",
    "Coasting Schools (England) Regulations 2017 (SI 2017/9) regs 4, 5",
    applies_from=date(2016, 4, 18), applies_until=date(2022, 8, 31),
    unconfirmed="the 2017 Regulations came into force with the Education and Adoption Act "
    "2016 s1 for its remaining purposes; that date was not found, so s60B's first day is used",
)
DEFINITION_2022 = Rule(
    "coasting-2022", "Coasting as the 2022 Regulations defined it",
    "From 1 September 2022 a school is coasting when its latest section 5 inspections found "
    "the quality of education \"requires improvement\" (and the one before it no better).",
    "Coasting Schools (England) Regulations 2022 (SI 2022/720) reg 4",
    applies_from=date(2022, 9, 1), applies_until=date(2025, 11, 16),
)
DEFINITION_2025 = Rule(
    "coasting-2025", "Coasting as the 2025 amendments define it",
    "From 17 November 2025 the 2022 Regulations' definition is replaced: new entry routes for "
    "inspections from 2 September 2024 and an exit test.",
    "Coasting Schools (England) (Amendment) Regulations 2025 (SI 2025/1120), amending SI "
    "2022/720", applies_from=date(2025, 11, 17),
    unconfirmed="secondary sources only (legislation tracker summaries) for the new routes "
    "and the exit test",
)
DEFINITIONS = (DEFINITION_2017, DEFINITION_2022, DEFINITION_2025)
COASTING_ENDS = Rule(
    "s60b-coasting-ends", "Coasting ends, and its eligibility with it",
    "A school stops being coasting when it meets the regulations' exit test or the Secretary "
    "of State notifies it is no longer coasting; its eligibility as coasting ends then.",
    "Education and Inspections Act 2006 s60B; SI 2022/720 as amended by SI 2025/1120",
    unconfirmed="the exit test's text rests on secondary sources",
)

RULES = (COASTING, NOT_NURSERY_SCHOOLS, DEFINITION_2017, DEFINITION_2022, DEFINITION_2025,
         COASTING_ENDS)


def definition_on(day: date) -> Rule:
    """The regulations defining coasting on ``day`` (from 18 April 2016)."""
    for definition in DEFINITIONS:
        if definition.in_force_on(day):
            return definition
    COASTING.refuse(f"No regulations defined coasting on {long_date(day)}: the Secretary of "
                    f"State could notify a school only from {long_date(COASTING.applies_from)}")


# Entries ------------------------------------------------------------------------------------

class CoastingNotified(CaseFileEvent):
    """The Secretary of State notified the governing body that the school is coasting."""

    notified_on: date
    regulations: str  # the key of the definition in force on notified_on
    basis: str
    amendable = ("basis",)


class CoastingEnded(CaseFileEvent):
    how: str  # a key of ENDINGS
    reason: str
    amendable = ("reason",)


# State --------------------------------------------------------------------------------------

@dataclass
class CoastingSpell:
    notified_on: date
    regulations: str
    basis: str
    since: date
    ended_on: date | None = None
    how: str | None = None


@dataclass
class CoastingState:
    coasting_spells: list[CoastingSpell] = field(default_factory=list)

    @property
    def coasting(self) -> CoastingSpell | None:
        """The notification the school's coasting eligibility rests on, if it is eligible as
        coasting and one was recorded (entries before notifications were recorded have none)."""
        spell = self.coasting_spells[-1] if self.coasting_spells else None
        eligible = "coasting" in getattr(self, "eligibility", {})
        return spell if spell is not None and spell.ended_on is None and eligible else None

    def _on_CoastingNotified(self, e: Any) -> None:
        self.coasting_spells.append(CoastingSpell(e.notified_on, e.regulations, e.basis,
                                                  e.effective))

    def _on_CoastingEnded(self, e: Any) -> None:
        if self.coasting_spells and self.coasting_spells[-1].ended_on is None:
            self.coasting_spells[-1].ended_on = e.effective
            self.coasting_spells[-1].how = e.how


# Commands -----------------------------------------------------------------------------------

class CoastingCommands(CaseFileCore):
    def record_coasting(self, *, when: Entry, basis: str, notified_on: date | None) -> None:
        """s60B: a school the regulations define as coasting, and whose governing body the
        Secretary of State has notified, is eligible for intervention from the effective date
        (on or after the notification)."""
        state = self._require_maintained(when, "Coasting eligibility")
        if (state.school.establishment_type or "").strip().casefold() == \
                NURSERY_SCHOOL.casefold():
            NOT_NURSERY_SCHOOLS.refuse(
                f"{state.school.name} is a maintained nursery school: section 60B does not "
                "apply to it, so it cannot be eligible as coasting")
        if notified_on is None:
            COASTING.refuse(
                "A school is eligible as coasting only once the Secretary of State has "
                "notified its governing body: enter the date of that notification")
        definition = definition_on(notified_on)
        if notified_on > when.effective:
            raise CaseFileError(
                f"Coasting eligibility starts on or after the notification "
                f"({long_date(notified_on)}): enter an effective date from then")
        require_text("basis", basis)
        if "coasting" in state.eligibility:
            raise CaseFileError("The school is already recorded as coasting")
        self._record(self.CoastingNotified, when=when, notified_on=notified_on,
                     regulations=definition.key, basis=basis.strip())
        self._record(self.BecameEligible, when=when, route="coasting", basis=basis.strip())

    def end_coasting(self, *, when: Entry, how: str, reason: str) -> None:
        """The school stops being coasting (the exit test, or the Secretary of State's notice
        that it no longer is), and with it its eligibility as coasting."""
        state = self._require_open(when)
        require_choice("how coasting ended", how, tuple(ENDINGS))
        if "coasting" not in state.eligibility:
            COASTING_ENDS.refuse("The school is not recorded as coasting, so it cannot stop")
        require_text("reason", reason)
        self._record(self.CoastingEnded, when=when, how=how, reason=reason.strip())
        self._record(self.EligibilityCeased, when=when, route="coasting",
                     reason=f"No longer coasting: {ENDINGS[how]}. {reason.strip()}")
