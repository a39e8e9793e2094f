"""A school's case file: one append-only stream per school, composed of its areas.

Each area (``domain.areas``) holds its entries, rules, commands, state and deadlines; this
module puts them together and holds what belongs to the whole file: how an entry joins the
stream, the state as at a date, and the snapshot. Rules are checked in the commands, when
something is recorded, and never in the entries: replaying an old stream must not fail
because local policy or a rule changed since.
"""

from __future__ import annotations

from datetime import date, datetime
from types import ModuleType
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, Snapshot

from domain import dates
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
from domain.areas.concerns import SOURCE_NOT_RECORDED
from domain.areas.core import CaseFileEvent, Entry
from domain.areas.register import case_file_id
from domain.areas.reminders import FiringNotDue
from domain.status import CaseFileState, fold

__all__ = ["AREAS", "SOURCE_NOT_RECORDED", "Entry", "FiringNotDue", "SchoolCaseFile",
           "case_file_id"]

AREAS = (register, concerns, warning_notices, eligibility, coasting, academy_orders, ieb,
         msp, categorisation, inspections, rise, oversight, sign_off, tasks,
         documents, erasure, reminders, corrections)
"""The areas a case file is made of, in the order the rulebook lists them."""


class SchoolCaseFile(
    register.RegisterCommands,
    concerns.ConcernCommands,
    warning_notices.WarningNoticeCommands,
    eligibility.EligibilityCommands,
    coasting.CoastingCommands,
    academy_orders.AcademyOrderCommands,
    ieb.IEBCommands,
    msp.MSPCommands,
    categorisation.CategorisationCommands,
    inspections.InspectionCommands,
    rise.RiseCommands,
    oversight.OversightCommands,
    sign_off.SignOffCommands,
    tasks.TaskCommands,
    documents.DocumentCommands,
    erasure.ErasureCommands,
    reminders.ReminderCommands,
    corrections.CorrectionCommands,
    Aggregate,
):
    """Everything the LA recorded about one school, in the order it was recorded."""

    Event = CaseFileEvent
    Registered = register.Registered  # the entry that opens a case file

    def __init__(self) -> None:
        self._entries: list[CaseFileEvent] = []

    class Snapshot(Snapshot):
        """The entries, compactly: their name and fields, less the stream id they share, with
        the version of the entry's class when it is above 1 (as the stored entries carry it).

        A snapshot taken before an entry class changed holds that entry in its old shape: it
        is upcast here by the class's own ``upcast_vN_vN+1`` methods, as a stored entry is."""

        @classmethod
        def take(cls, aggregate: Any) -> Any:
            snapshot = super().take(aggregate)
            snapshot.state.pop("_state", None)  # derived, rebuilt on first use
            snapshot.state["_entries"] = [[type(e).__name__, _snapshot_fields(e)]
                                          for e in aggregate._entries]
            return snapshot

        def mutate(self, _: None) -> Any:
            aggregate = super().mutate(None)
            aggregate._entries = [
                _entry_from_snapshot(getattr(type(aggregate), name), self.originator_id, fields)
                for name, fields in aggregate._entries
            ]
            return aggregate

    def _take(self, event: CaseFileEvent) -> None:
        state: CaseFileState | None = self.__dict__.get("_state")
        self._entries.append(event)
        is_in_order = state is not None and event.effective >= state.latest_effective
        if is_in_order and not isinstance(event, (self.EntryRetracted, self.EntryAmended)):
            state.apply(event)
        else:
            self._state = None  # a backdated entry or a correction: fold afresh when asked

    @property
    def state(self) -> CaseFileState:
        """The case file as known now, as at the latest effective date."""
        if self.__dict__.get("_state") is None:
            self._state = fold(self._entries)
        return self._state

    def view(self, as_at: date | None = None, as_known_at: datetime | None = None) -> CaseFileState:
        """What was true on ``as_at``, by what the record said at ``as_known_at``."""
        if as_at is None and as_known_at is None:
            return self.state
        if as_known_at is not None:
            dates.require_known_at(as_known_at)
        return fold(self._entries, as_at=as_at, as_known_at=as_known_at)


def _entries_of(area: ModuleType) -> list[type[CaseFileEvent]]:
    return [kind for kind in vars(area).values() if isinstance(kind, type)
            and issubclass(kind, CaseFileEvent) and kind.__module__ == area.__name__]


# Every kind of entry is reachable as SchoolCaseFile.<Name>, where its stored topic points
# (domain.areas.core.STORED_UNDER). Set here rather than in the areas' command classes: the
# library would redefine an entry class it found on a base class of the aggregate.
for _area in AREAS:
    for _kind in _entries_of(_area):
        setattr(SchoolCaseFile, _kind.__name__, _kind)


def _snapshot_fields(entry: CaseFileEvent) -> dict[str, Any]:
    fields = {k: v for k, v in vars(entry).items() if k != "originator_id"}
    version = getattr(type(entry), "class_version", 1)
    if version > 1:
        fields["class_version"] = version
    return fields


def _entry_from_snapshot(event_class: type[CaseFileEvent], stream_id: UUID,
                         stored: dict[str, Any]) -> CaseFileEvent:
    fields = dict(stored)
    version = fields.pop("class_version", 1)
    while version < getattr(event_class, "class_version", 1):
        getattr(event_class, f"upcast_v{version}_v{version + 1}")(fields)
        version += 1
    # Built as the event store builds a stored entry (without __init__), so an entry stored
    # without a field that has a default (``actor``) reads back the same from either.
    entry = object.__new__(event_class)
    object.__setattr__(entry, "__dict__", {"originator_id": stream_id, **fields})
    return entry
