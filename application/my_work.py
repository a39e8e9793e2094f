"""A person's work on a day, ranked: overdue (most overdue first), due today, due this week,
and what waits for their decision or approval; and the head's view of the team's load."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from threading import Lock
from typing import Any

from application.projections import CaseFileProjections

WEEK = 7
"""'Due this week': the seven days after today (a week ahead from any day, not to Sunday)."""

DECISION_KINDS = frozenset({"decide_intervention"})
"""Deadlines that ask their owner to decide (whether to use a power after a warning notice)."""

APPROVAL_KIND = "sign_off"
"""A draft waiting for a second person's approval (sign-off): every head's to approve,
whoever's case it is."""

APPROVERS = frozenset({"head"})
LOADS_KEPT = 8
"""Teams' loads remembered (one a day and state of the read models is what is asked)."""


@dataclass(frozen=True)
class WorkItem:
    """One thing to see to: a deadline on a school's case file."""

    urn: int
    school: str
    key: str
    kind: str
    due: date
    what: str
    owner: str | None
    days_late: int  # calendar days after the due date; 0 if not late

    @property
    def subject(self) -> str:
        return self.key.split(":", 1)[1]


@dataclass
class MyWork:
    today: date
    overdue: list[WorkItem] = field(default_factory=list)
    due_today: list[WorkItem] = field(default_factory=list)
    this_week: list[WorkItem] = field(default_factory=list)
    decisions: list[WorkItem] = field(default_factory=list)
    approvals: list[WorkItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_today or self.this_week or self.decisions
                    or self.approvals)


def item(row: dict[str, Any], today: date) -> WorkItem:
    return WorkItem(row["urn"], row.get("name") or f"URN {row['urn']}", row["key"], row["kind"],
                    row["due"], row["what"], row.get("owner"), max((today - row["due"]).days, 0))


def rank(owned: Iterable[dict[str, Any]], today: date,
         awaiting_approval: Iterable[dict[str, Any]] = ()) -> MyWork:
    """Sorts read-model deadline rows into a day's work. Suspended deadlines wait for no one;
    drafts awaiting sign-off are the approvers' (``awaiting_approval``), not their drafter's;
    within each part the most overdue, then the soonest, come first."""
    work = MyWork(today)
    week_ends = today + timedelta(days=WEEK)
    order = lambda i: (i.due, i.school, i.key)  # noqa: E731 - the one order of every part
    for row in owned:
        if row["suspended"] or row["kind"] == APPROVAL_KIND:
            continue
        found = item(row, today)
        if found.kind in DECISION_KINDS:
            work.decisions.append(found)
        elif found.due < today:
            work.overdue.append(found)
        elif found.due == today:
            work.due_today.append(found)
        elif found.due <= week_ends:
            work.this_week.append(found)
    work.approvals = sorted((item(row, today) for row in awaiting_approval
                             if not row["suspended"]), key=order)
    for part in (work.overdue, work.due_today, work.this_week, work.decisions):
        part.sort(key=order)
    return work


class Workbench:
    """My work and the team's load, read from the deadlines read model."""

    def __init__(self, projections: CaseFileProjections) -> None:
        self.projections = projections
        self._loads: OrderedDict[tuple[Any, ...], list[dict[str, Any]]] = OrderedDict()
        self._loads_lock = Lock()

    def my_work(self, email: str, role: str, today: date) -> MyWork:
        """What ``email`` must see to (and, for a head, the drafts awaiting approval)."""
        store = self.projections.store
        # Every projection, as the dashboard does: a school whose entry cannot be applied is
        # set aside by whichever projection fails on it, and named on the dashboard.
        self.projections.catch_up()
        with store.consistent():
            owned = store.owned_deadlines(email)  # a person's: tens, a few hundred at most
            approvals = (store.deadlines_due(kind=APPROVAL_KIND) if role in APPROVERS else [])
        return rank(owned, today, approvals)

    def team_load(self, today: date, staff: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each owner's counts (overdue, due this week, open), named as the users list names
        them: every enabled caseworker and head, and anyone else who owns deadlines (a
        caseworker assigned by email who has no account), most overdue first.

        Counted over every deadline, so remembered as the dashboard is: for the same day,
        staff and positions of the read models (every request still catches up first, so it
        shows what was recorded before the request, by any process). The caller must not
        change it: it may be shared with other requests."""
        self.projections.catch_up()
        store = self.projections.store
        users = {u["email"].strip().lower(): u["name"] for u in staff}
        with store.consistent() as positions:
            key = (tuple(sorted(positions.items())), today, tuple(sorted(users.items())))
            with self._loads_lock:
                if (kept := self._loads.get(key)) is not None:
                    self._loads.move_to_end(key)
                    return kept
            counted = {row["owner"]: row for row in store.load_by_owner(
                today, today + timedelta(days=WEEK), kinds_left_out=(APPROVAL_KIND,))}
            assigned = store.caseworker_names()
        rows = []
        for email in sorted(counted.keys() | users.keys()):
            counts = counted.get(email, {})
            rows.append({"email": email, "name": users.get(email) or assigned.get(email, email),
                         "user": email in users, "overdue": counts.get("overdue") or 0,
                         "this_week": counts.get("this_week") or 0,
                         "open": counts.get("open") or 0})
        load = sorted(rows, key=lambda r: (-r["overdue"], -r["this_week"], r["name"].lower()))
        if store.positions() == positions:  # SQLite reads each query afresh
            with self._loads_lock:
                self._loads[key] = load
                while len(self._loads) > LOADS_KEPT:
                    self._loads.popitem(last=False)
        return load

    def name_of(self, email: str, staff: Iterable[dict[str, Any]]) -> str:
        """Whose work this is: the user's name, or the name the case was assigned under."""
        email = email.strip().lower()
        for user in staff:
            if user["email"].strip().lower() == email:
                return user["name"]
        return self.projections.store.caseworker_names().get(email, email)
