"""Academy orders (Academies Act 2010 s4): the Secretary of State's orders to convert a
maintained school into an academy, the basis each was made on, their revocation (s5D), and
whether the conversion recorded on the register carried them out.

An academy order is the Secretary of State's act, not the local authority's: the LA records
it as a fact about the school. From 18 April 2016 to 28 June 2026 the Secretary of State had
to make one for a school in special measures or requiring significant improvement (s4(A1));
the Children's Wellbeing and Schools Act 2026 s58 repealed that duty from 29 June 2026 and
made such an order a power (s4(1)(b)), saving the orders already made under the duty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, require_choice, require_text
from domain.errors import CaseFileError
from domain.rules import Rule
from domain.wording import long_date

TITLE = "Academy orders"

BASES = {
    "duty": "the Secretary of State's duty for a school in special measures or requiring "
            "significant improvement (s4(A1))",
    "power": "the Secretary of State's power for a school eligible for intervention "
             "(s4(1)(b))",
    "application": "the governing body's application (s3, s4(1)(a))",
}
"""What an academy order was made on."""

DUTY_FROM = date(2016, 4, 18)
DUTY_UNTIL = date(2026, 6, 28)
REPEAL_FROM = date(2026, 6, 29)
CATEGORY_ROUTES = ("special_measures", "serious_weaknesses")
"""Eligibility by s62 (special measures) and s61 (requires significant improvement): the
routes the duty covered."""

# Rules --------------------------------------------------------------------------------------

ORDER_FOR_MAINTAINED = Rule(
    "academy-order-maintained-school", "An academy order is for an open maintained school",
    "The Secretary of State makes an academy order in respect of a maintained school; an "
    "academy, a pupil referral unit or a closed school cannot have one.",
    "Academies Act 2010 s4(A1), (1)",
)
ORDER_UNDER_DUTY = Rule(
    "academy-order-duty", "The duty to make an academy order (18 April 2016 to 28 June 2026)",
    "From 18 April 2016 to 28 June 2026 the Secretary of State had to make an academy order "
    "for a maintained school eligible for intervention because it required special measures "
    "(s62) or significant improvement (s61). An order on that basis could be made only on "
    "those days and only while the school was so eligible.",
    "Academies Act 2010 s4(A1), inserted by the Education and Adoption Act 2016 s7; repealed "
    "by the Children's Wellbeing and Schools Act 2026 s58",
    applies_from=DUTY_FROM, applies_until=DUTY_UNTIL,
)
ORDER_UNDER_POWER = Rule(
    "academy-order-power", "The power to make an academy order",
    "The Secretary of State may make an academy order for a maintained school eligible for "
    "intervention. From 18 April 2016 to 28 June 2026 the power did not cover a school "
    "eligible only because it required special measures or significant improvement (the duty "
    "covered those); from 29 June 2026 it covers every route of eligibility.",
    "Academies Act 2010 s4(1)(b), as amended by the Education and Adoption Act 2016 s7 and "
    "the Children's Wellbeing and Schools Act 2026 s58",
)
DUTY_REPEALED = Rule(
    "academy-order-duty-repealed", "The duty repealed; orders already made are saved",
    "From 29 June 2026 the Secretary of State no longer has to make an academy order for a "
    "school in special measures or requiring significant improvement: the order is a power. "
    "An order made under the former duty and not yet carried out stays in effect.",
    "Children's Wellbeing and Schools Act 2026 s58, (9)", applies_from=REPEAL_FROM,
)
ORDER_ON_APPLICATION = Rule(
    "academy-order-application", "An order on the governing body's application",
    "The governing body of a maintained school may apply for an academy order; the Secretary "
    "of State may make one on that application whether or not the school is eligible for "
    "intervention.",
    "Academies Act 2010 ss3, 4(1)(a)",
)
ONE_LIVE_ORDER = Rule(
    "academy-order-one-at-a-time", "One academy order at a time",
    "A school has at most one academy order in effect: another may be recorded only after "
    "the first was revoked.",
    "Academies Act 2010 s4(2) (an order is for converting the school)",
)
REVOCATION = Rule(
    "academy-order-revocation", "Only an order in effect can be revoked",
    "The Secretary of State may revoke an academy order that has not been carried out; an "
    "order revoked or carried out by conversion cannot be revoked.",
    "Academies Act 2010 s5D",
)
ORDER_EXPECTED = Rule(
    "academy-order-expected", "An academy order is expected under the former duty",
    "A maintained school that was eligible for intervention because it required special "
    "measures or significant improvement on any day from 18 April 2016 to 28 June 2026, and "
    "still is, should have had an academy order made under the duty; while none is recorded, "
    "the case file shows an academy order as expected. The Secretary of State acts, not the "
    "LA, so nothing falls due.",
    "Academies Act 2010 s4(A1) (18 April 2016 to 28 June 2026)",
    applies_from=DUTY_FROM,
)

RULES = (ORDER_FOR_MAINTAINED, ORDER_UNDER_DUTY, ORDER_UNDER_POWER, DUTY_REPEALED,
         ORDER_ON_APPLICATION, ONE_LIVE_ORDER, REVOCATION, ORDER_EXPECTED)


def duty_applied(route: str, since: date, on: date) -> bool:
    """Whether the duty (s4(A1)) covered a school holding eligibility ``route`` since
    ``since``, as it still held it on ``on``. The reading (ORDER_EXPECTED): s4(A1) spoke of a
    school that *is* eligible by s61 or s62, so it covered every day from 18 April 2016 to
    28 June 2026 on which the school was so eligible, including a school already in special
    measures on 18 April 2016; an eligibility that began on or after 29 June 2026 never came
    under it. ``on`` being on or after 18 April 2016 and ``since`` on or before 28 June
    2026 means the eligibility, held throughout, covered a day of the duty."""
    duty = ORDER_UNDER_DUTY
    return (route in CATEGORY_ROUTES and since <= duty.applies_until
            and on >= duty.applies_from)


# Entries ------------------------------------------------------------------------------------

class AcademyOrderMade(CaseFileEvent):
    """The Secretary of State's academy order; ``effective`` is the day it was made."""

    order_id: str
    basis: str
    reference: str
    amendable = ("reference",)


class AcademyOrderRevoked(CaseFileEvent):
    order_id: str
    reason: str
    amendable = ("reason",)


# State --------------------------------------------------------------------------------------

@dataclass
class AcademyOrder:
    order_id: str
    basis: str
    made_on: date
    reference: str
    revoked_on: date | None = None
    revocation_reason: str = ""
    recorded_in: int = 0


@dataclass
class AcademyOrdersState:
    academy_orders: list[AcademyOrder] = field(default_factory=list)

    def _on_AcademyOrderMade(self, e: Any) -> None:
        self.academy_orders.append(
            AcademyOrder(e.order_id, e.basis, e.effective, e.reference,
                         recorded_in=e.originator_version))

    def _on_AcademyOrderRevoked(self, e: Any) -> None:
        for order in self.academy_orders:
            if order.order_id == e.order_id:
                order.revoked_on, order.revocation_reason = e.effective, e.reason

    @property
    def academy_order(self) -> AcademyOrder | None:
        """The latest academy order, in effect or not."""
        return self.academy_orders[-1] if self.academy_orders else None

    def academy_order_status(self, order: AcademyOrder) -> str:
        """"made", "revoked" or "carried out by conversion to URN n": an order not revoked
        is carried out by the school's conversion (the register's successor URN)."""
        if order.revoked_on is not None:
            return "revoked"
        school = self.school  # type: ignore[attr-defined]
        successor = school.successor_urn if school is not None else None
        if successor is not None:
            return f"carried out by conversion to URN {successor}"
        return "made"

    @property
    def live_academy_order(self) -> AcademyOrder | None:
        order = self.academy_order
        return order if order is not None and self.academy_order_status(order) == "made" else None

    def academy_order_expected(self, on: date) -> bool:
        """Whether the case file should hold an academy order made under the former duty
        but holds none (ORDER_EXPECTED; the reading is ``duty_applied``'s)."""
        school = self.school  # type: ignore[attr-defined]
        if (school is None or school.governance != "maintained" or not school.is_open_on(on)
                or school.successor_urn is not None or self.academy_orders):
            return False
        return any(duty_applied(e.route, e.since, on)
                   for e in self.eligibility.values())  # type: ignore[attr-defined]


def order_words(state: Any, order: AcademyOrder, on: date) -> str:
    """An order and where it stands on ``on``, in the LA's words."""
    status = state.academy_order_status(order)
    words = f"Academy order {order.order_id} made {long_date(order.made_on)} on " \
            f"{BASES[order.basis]}: {'in effect' if status == 'made' else status}"
    if status == "revoked":
        words += f" on {long_date(order.revoked_on)}"
    elif (status == "made" and order.basis == "duty"
          and DUTY_REPEALED.in_force_on(on)):
        words += " (the duty is repealed; an order made under it stays in effect: s58(9))"
    return words


# Commands -----------------------------------------------------------------------------------

class AcademyOrderCommands(CaseFileCore):
    def record_academy_order(self, *, when: Entry, basis: str, reference: str) -> str:
        """Records the Secretary of State's academy order, made on ``when.effective``, on
        the basis it was made on (ORDER_FOR_MAINTAINED, ORDER_UNDER_DUTY, ORDER_UNDER_POWER,
        ORDER_ON_APPLICATION, ONE_LIVE_ORDER)."""
        require_choice("basis", basis, tuple(BASES))
        state = self._require_open(when)
        school = state.school
        if school.governance != "maintained":
            ORDER_FOR_MAINTAINED.refuse(
                f"An academy order is made for a maintained school; {school.name} is "
                f"{'an academy' if school.governance == 'academy' else 'a pupil referral unit'}"
            )
        require_text("order's reference or a note", reference)
        live = state.live_academy_order
        if live is not None:
            ONE_LIVE_ORDER.refuse(
                f"Academy order {live.order_id} of {long_date(live.made_on)} is still in "
                "effect: record its revocation first"
            )
        day = when.effective
        then = self.view(as_at=day)
        categories = [r for r in then.eligibility if r in CATEGORY_ROUTES]
        if basis == "duty":
            if not ORDER_UNDER_DUTY.in_force_on(day):
                ORDER_UNDER_DUTY.refuse(
                    "The Secretary of State had to make an academy order (s4(A1)) only from "
                    "18 April 2016 to 28 June 2026; record an order made on "
                    f"{long_date(day)} on the power or the governing body's application"
                )
            if not categories:
                ORDER_UNDER_DUTY.refuse(
                    f"On {long_date(day)} the school did not require special measures or "
                    "significant improvement, so the duty (s4(A1)) did not apply: record "
                    "the order on the power or the governing body's application"
                )
        elif basis == "power":
            if not then.eligibility:
                ORDER_UNDER_POWER.refuse(
                    f"On {long_date(day)} the school was not eligible for intervention, so "
                    "the Secretary of State had no power to make an academy order (s4(1)(b)) "
                    "unless the governing body applied"
                )
            if ORDER_UNDER_DUTY.in_force_on(day) and set(then.eligibility) <= set(
                    CATEGORY_ROUTES):
                ORDER_UNDER_POWER.refuse(
                    "Until 28 June 2026 an academy order for a school requiring special "
                    "measures or significant improvement was made under the duty (s4(A1)), "
                    "not the power: record it on the duty basis"
                )
        order_id = f"AO{self._count(self.AcademyOrderMade) + 1}"
        self._record(self.AcademyOrderMade, when=when, order_id=order_id, basis=basis,
                     reference=reference.strip())
        return order_id

    def revoke_academy_order(self, *, when: Entry, order_id: str, reason: str) -> None:
        """The Secretary of State's revocation of an order in effect (REVOCATION)."""
        self._require_after_registration(when)
        state = self.state
        order = next((o for o in state.academy_orders if o.order_id == order_id), None)
        if order is None:
            raise CaseFileError(f"There is no academy order {order_id} on this case file")
        status = state.academy_order_status(order)
        if status != "made":
            REVOCATION.refuse(f"Academy order {order_id} was {status}: only an order still "
                              "in effect can be revoked")
        if when.effective < order.made_on:
            REVOCATION.refuse(f"Academy order {order_id} was made on "
                              f"{long_date(order.made_on)}: enter a later date")
        require_text("reason", reason)
        self._record(self.AcademyOrderRevoked, when=when, order_id=order_id,
                     reason=reason.strip())
