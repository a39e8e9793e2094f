"""A case file's state as at a date, composed of each area's part, and the fold over its
entries that builds it (corrections applied first)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from domain.areas import (
    academy_orders,
    categorisation,
    coasting,
    concerns,
    corrections,
    documents,
    eligibility,
    erasure,
    ieb,
    inspections,
    msp,
    oversight,
    register,
    reminders,
    rise,
    sign_off,
    tasks,
    warning_notices,
)
from domain.areas.categorisation import CategorySpell
from domain.areas.concerns import Concern, Letter
from domain.areas.corrections import CORRECTIONS, Correction
from domain.areas.eligibility import Eligibility, PowerUse
from domain.areas.ieb import IEB, IEBApplication
from domain.areas.inspections import Inspection
from domain.areas.msp import MSPAction, MSPGroup, MSPMeeting
from domain.areas.oversight import Visit
from domain.areas.register import Link, School
from domain.areas.reminders import DeadlineOverride
from domain.areas.warning_notices import WarningNotice

__all__ = [
    "CaseFileState", "CategorySpell", "Concern", "Correction", "DeadlineOverride", "Eligibility",
    "IEB", "IEBApplication", "Inspection", "Letter", "Link", "MSPAction", "MSPGroup",
    "MSPMeeting", "PowerUse", "School", "Visit", "WarningNotice", "fold", "replay",
]

DEADLINE_SOURCES = (warning_notices.deadlines, eligibility.deadlines, inspections.deadlines,
                    msp.deadlines, ieb.deadlines, oversight.deadlines, categorisation.deadlines,
                    rise.deadlines, sign_off.deadlines, tasks.deadlines)
"""Each area's deadlines, derived from its part of the state (``domain.deadlines``)."""


@dataclass
class CaseFileState(
    register.RegisterState,
    concerns.ConcernsState,
    warning_notices.WarningNoticesState,
    eligibility.EligibilityState,
    coasting.CoastingState,
    academy_orders.AcademyOrdersState,
    ieb.IEBState,
    msp.MSPState,
    categorisation.CategorisationState,
    inspections.InspectionsState,
    rise.RiseState,
    oversight.OversightState,
    sign_off.SignOffState,
    tasks.TasksState,
    documents.DocumentsState,
    erasure.ErasureState,
    reminders.RemindersState,
    corrections.CorrectionsState,
):
    latest_effective: date = date.min

    def apply(self, event: Any) -> None:
        self.apply_all((event,))

    def apply_all(self, events: Iterable[Any]) -> None:
        """Applies the entries in turn (a fold applies thousands: one call for them all)."""
        handlers = _HANDLERS
        latest = self.latest_effective
        for event in events:
            cls = type(event)
            try:
                handler = handlers[cls]
            except KeyError:  # the first entry of its class: found by name, then remembered
                handler = handlers[cls] = getattr(CaseFileState, f"_on_{cls.__name__}", None)
            if handler is not None:
                handler(self, event)
            if event.effective > latest:
                latest = event.effective
        self.latest_effective = latest

    def due_items(self, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
        """What falls due, area by area: (kind, subject, due date, what, source version)."""
        for source in DEADLINE_SOURCES:
            yield from source(self, policy, working_days, scheme)


_HANDLERS: dict[type, Any] = {}
"""Each entry class's handler on CaseFileState (or None): the fold looks it up by class
name once per class rather than once per entry."""


def fold(
    entries: Iterable[Any], as_at: date | None = None, as_known_at: datetime | None = None
) -> CaseFileState:
    """The state as at ``as_at`` by what was recorded up to ``as_known_at``.

    Corrections apply whatever their own effective date: a retraction says the entry was never
    true. The rest apply in effective-date order, so a backdated entry lands where it belongs.
    """
    state, facts = _facts(entries, as_at, as_known_at)
    state.apply_all(facts)
    return state


def replay(
    entries: Iterable[Any], start: date, end: date, as_known_at: datetime | None = None
) -> Iterator[tuple[Any | None, CaseFileState]]:
    """The state as at ``start`` (with None), then after each entry that took effect after
    ``start`` up to ``end``, in the order ``fold`` applies them (with that entry): which entry
    changed what between two dates. One state object, changed in place: read it before asking
    for the next."""
    state, facts = _facts(entries, end, as_known_at)
    later = next((n for n, e in enumerate(facts) if e.effective > start), len(facts))
    state.apply_all(facts[:later])
    yield None, state
    for entry in facts[later:]:
        state.apply(entry)
        yield entry, state


def _facts(
    entries: Iterable[Any], as_at: date | None, as_known_at: datetime | None
) -> tuple[CaseFileState, list[Any]]:
    """A state holding the corrections, and the entries to apply to it, corrected and in
    effective-date order."""
    known = (list(entries) if as_known_at is None
             else [e for e in entries if e.timestamp <= as_known_at])
    state = CaseFileState()
    amendments: dict[int, dict[str, Any]] = {}
    correcting = _CORRECTING
    corrected = False
    for e in known:
        cls = type(e)
        kind = correcting.get(cls)
        if kind is None:
            kind = correcting[cls] = cls.__name__ if cls.__name__ in CORRECTIONS else ""
        if not kind:
            continue
        corrected = True
        if kind == "EntryRetracted":
            state.corrections.setdefault(e.version, []).append(
                Correction("retracted", e.originator_version, e.reason))
        else:
            state.corrections.setdefault(e.version, []).append(
                Correction("amended", e.originator_version, e.reason, dict(e.changes)))
            amendments.setdefault(e.version, {}).update(e.changes)
    if corrected:
        retracted = state.retracted
        facts = []
        for e in known:
            version = e.originator_version
            if version in retracted or correcting[type(e)]:
                continue
            if version in amendments:
                e = replace(e, **amendments[version])
            if as_at is None or e.effective <= as_at:
                facts.append(e)
    elif as_at is None:
        facts = known
    else:
        facts = [e for e in known if e.effective <= as_at]
    facts.sort(key=_in_effect_order)
    return state, facts


_CORRECTING: dict[type, str] = {}
"""Each entry class's name if it corrects another entry, else "" (looked up once a class)."""


_in_effect_order = attrgetter("effective", "originator_version")
