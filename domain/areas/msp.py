"""The MSP group: the monitoring group the LA sets up for a school causing concern, its
meetings, minutes and actions (local policy: Peterborough 2013, category 4 schools)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain import dates
from domain.areas.core import (
    EMAIL,
    CaseFileCore,
    CaseFileEvent,
    Entry,
    names,
    require_text,
)
from domain.errors import CaseFileError
from domain.rules import Rule
from domain.wording import long_date

TITLE = "MSP groups"

CADENCE = Rule(
    "msp-cadence", "The MSP group meets every 1 to 26 weeks",
    "An MSP group meets on a cadence the LA sets when it is established, between weekly and "
    "every 26 weeks; once a meeting is held, the next falls due a cadence later.",
    "Local policy (Peterborough School Improvement Strategy 2013)", kind="policy",
)

MEETING_DATES = Rule(
    "msp-meeting-dates", "An MSP meeting is held on or after the date it was arranged for",
    "A meeting is arranged (or moved) for a date on or after the day it is arranged, and is "
    "recorded as held on or after that date: a meeting brought forward is moved to its new "
    "date first, so the record never shows a meeting held before it was due.",
    "Local policy (Peterborough School Improvement Strategy 2013); common sense: a meeting "
    "cannot take place before the date it is due", kind="policy",
)

RULES = (CADENCE, MEETING_DATES)


# Entries ------------------------------------------------------------------------------------

class MSPGroupEstablished(CaseFileEvent):
    members: list[str]
    cadence_weeks: int


class MSPMeetingScheduled(CaseFileEvent):
    meeting_id: str
    meets_on: date


class MSPMeetingMoved(CaseFileEvent):
    meeting_id: str
    meets_on: date
    reason: str
    amendable = ("reason",)


class MSPMeetingCancelled(CaseFileEvent):
    meeting_id: str
    reason: str
    amendable = ("reason",)


class MSPMeetingHeld(CaseFileEvent):
    meeting_id: str
    attendees: list[str]
    minutes: str
    actions: list[dict[str, Any]]
    amendable = ("minutes",)


class MSPActionCompleted(CaseFileEvent):
    action_id: str
    note: str
    amendable = ("note",)


class MSPGroupClosed(CaseFileEvent):
    reason: str
    amendable = ("reason",)


# State --------------------------------------------------------------------------------------

@dataclass
class MSPMeeting:
    meeting_id: str
    meets_on: date
    status: str = "scheduled"  # scheduled, held, cancelled
    attendees: list[str] = field(default_factory=list)
    minutes: str | None = None
    recorded_in: int = 0


@dataclass
class MSPAction:
    action_id: str
    meeting_id: str
    description: str
    owner: str
    due: date
    completed_on: date | None = None
    recorded_in: int = 0
    owner_email: str | None = None  # when the owner is one of the LA's users


@dataclass
class MSPGroup:
    members: list[str]
    cadence_weeks: int
    established_on: date
    closed_on: date | None = None
    recorded_in: int = 0
    meetings: dict[str, MSPMeeting] = field(default_factory=dict)
    actions: dict[str, MSPAction] = field(default_factory=dict)

    @property
    def next_meeting(self) -> MSPMeeting | None:
        scheduled = [m for m in self.meetings.values() if m.status == "scheduled"]
        return min(scheduled, key=lambda m: m.meets_on, default=None)

    @property
    def last_meeting(self) -> MSPMeeting | None:
        held = [m for m in self.meetings.values() if m.status == "held"]
        return max(held, key=lambda m: m.meets_on, default=None)


@dataclass
class MSPState:
    msp_groups: list[MSPGroup] = field(default_factory=list)
    msp_actions: dict[str, MSPAction] = field(default_factory=dict)  # of every group, by id

    @property
    def msp(self) -> MSPGroup | None:
        return next((g for g in self.msp_groups if g.closed_on is None), None)

    def _on_MSPGroupEstablished(self, e: Any) -> None:
        self.msp_groups.append(MSPGroup(list(e.members), e.cadence_weeks, e.effective,
                                        recorded_in=e.originator_version))
        self._falls_due_afresh("msp_meeting_due:next")

    def _on_MSPMeetingScheduled(self, e: Any) -> None:
        if group := self.msp:
            group.meetings[e.meeting_id] = MSPMeeting(
                e.meeting_id, e.meets_on, recorded_in=e.originator_version
            )

    def _on_MSPMeetingMoved(self, e: Any) -> None:
        if (group := self.msp) and (meeting := group.meetings.get(e.meeting_id)):
            meeting.meets_on = e.meets_on

    def _on_MSPMeetingCancelled(self, e: Any) -> None:
        if (group := self.msp) and (meeting := group.meetings.get(e.meeting_id)):
            meeting.status = "cancelled"

    def _on_MSPMeetingHeld(self, e: Any) -> None:
        if group := self.msp:
            meeting = group.meetings.setdefault(e.meeting_id, MSPMeeting(e.meeting_id, e.effective))
            meeting.status, meeting.meets_on = "held", e.effective
            meeting.attendees, meeting.minutes = list(e.attendees), e.minutes
            for a in e.actions:
                action = MSPAction(
                    a["action_id"], e.meeting_id, a["description"], a["owner"], a["due"],
                    recorded_in=e.originator_version,
                    # Actions recorded before owners could be users name a person only.
                    owner_email=a.get("owner_email"),
                )
                group.actions[action.action_id] = self.msp_actions[action.action_id] = action
        self._falls_due_afresh("msp_meeting_due:next")

    def _on_MSPActionCompleted(self, e: Any) -> None:
        if action := self.msp_actions.get(e.action_id):
            action.completed_on = e.effective

    def _on_MSPGroupClosed(self, e: Any) -> None:
        if group := self.msp:
            group.closed_on = e.effective


def deadlines(state: Any, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
    """Each scheduled meeting; the next meeting to arrange when none is scheduled; each open
    action."""
    if msp := state.msp:
        scheduled = [m for m in msp.meetings.values() if m.status == "scheduled"]
        for meeting in scheduled:
            yield ("msp_meeting", meeting.meeting_id, meeting.meets_on,
                   f"MSP meeting {meeting.meeting_id}", meeting.recorded_in)
        if not scheduled:
            last = msp.last_meeting
            since = last.meets_on if last else msp.established_on
            yield ("msp_meeting_due", "next", since + timedelta(weeks=msp.cadence_weeks),
                   f"Arrange the next MSP meeting (every {msp.cadence_weeks} weeks)",
                   msp.recorded_in)
    for action in state.msp_actions.values():
        if action.completed_on is None:
            yield ("msp_action", action.action_id, action.due,
                   f"MSP action {action.action_id}: {action.description}", action.recorded_in,
                   action.owner_email)


# Commands -----------------------------------------------------------------------------------

class MSPCommands(CaseFileCore):
    def establish_msp_group(
        self, *, when: Entry, members: list[str], cadence_weeks: int
    ) -> None:
        """Sets up the monitoring group; its cadence is local policy (Peterborough: category 4)."""
        self._require_open(when)
        if self.state.msp is not None:
            raise CaseFileError("The school already has an MSP group")
        members = names("MSP group members", members)
        if not members:
            raise CaseFileError("An MSP group needs at least one member")
        if not 1 <= int(cadence_weeks) <= 26:
            CADENCE.refuse("Meet every 1 to 26 weeks: enter a number of weeks from 1 to 26",
                           field="cadence_weeks")
        self._record(
            self.MSPGroupEstablished, when=when, members=members, cadence_weeks=int(cadence_weeks)
        )

    def schedule_msp_meeting(self, *, when: Entry, meets_on: date) -> str:
        group = self._require_msp(when)
        if meets_on < when.effective:
            MEETING_DATES.refuse(
                f"Enter a meeting date on or after {long_date(when.effective)}, the day it is "
                "arranged", field="meets_on")
        dates.require_planned_date("meeting date", meets_on, when.effective)
        meeting_id = f"M{len(group.meetings) + self._count_meetings_elsewhere() + 1}"
        self._record(self.MSPMeetingScheduled, when=when, meeting_id=meeting_id, meets_on=meets_on)
        return meeting_id

    def move_msp_meeting(
        self, *, when: Entry, meeting_id: str, meets_on: date, reason: str
    ) -> None:
        self._scheduled_meeting(meeting_id, when)
        if meets_on < when.effective:
            MEETING_DATES.refuse(
                f"Enter a new date on or after {long_date(when.effective)}, the day the "
                "meeting is moved", field="meets_on")
        dates.require_planned_date("meeting date", meets_on, when.effective)
        require_text("reason", reason)
        self._record(
            self.MSPMeetingMoved, when=when, meeting_id=meeting_id, meets_on=meets_on,
            reason=reason.strip(),
        )

    def cancel_msp_meeting(self, *, when: Entry, meeting_id: str, reason: str) -> None:
        self._scheduled_meeting(meeting_id, when)
        require_text("reason", reason)
        self._record(
            self.MSPMeetingCancelled, when=when, meeting_id=meeting_id, reason=reason.strip()
        )

    def hold_msp_meeting(
        self, *, when: Entry, attendees: list[str], minutes: str,
        actions: list[dict[str, Any]] | None = None, meeting_id: str | None = None,
    ) -> str:
        """Records a meeting held (scheduled or not), its minutes and its actions."""
        group = self._require_msp(when)
        if meeting_id is not None:
            meeting = self._scheduled_meeting(meeting_id, when)
            if when.effective < meeting.meets_on:
                MEETING_DATES.refuse(
                    f"MSP meeting {meeting_id} is arranged for {long_date(meeting.meets_on)}: "
                    f"enter a date on or after {long_date(meeting.meets_on)}, or move the "
                    "meeting first if it was brought forward", field="effective")
        else:
            meeting_id = f"M{len(group.meetings) + self._count_meetings_elsewhere() + 1}"
        attendees = names("attendees", attendees)
        if not attendees:
            raise CaseFileError("Record who attended the meeting", field="attendees")
        require_text("minutes", minutes)
        first_action = self._count_actions() + 1
        checked_actions = []
        for number, action in enumerate(actions or [], start=first_action):
            description = str(action.get("description") or "").strip()
            owner = str(action.get("owner") or "").strip()
            owner_email = str(action.get("owner_email") or "").strip()
            due = action.get("due")
            if not description or not owner or not isinstance(due, date):
                raise CaseFileError(
                    f"Action {number - first_action + 1} needs a description, an owner and a "
                    "due date"
                )
            if due < when.effective:
                raise CaseFileError(
                    f"Action {number - first_action + 1} is due before the meeting: enter a "
                    f"date on or after {long_date(when.effective)}",
                    field=f"actions.{number - first_action}.due")
            dates.require_planned_date(
                f"due date of action {number - first_action + 1}", due, when.effective)
            if owner_email and not EMAIL.fullmatch(owner_email):
                raise CaseFileError(
                    f"Action {number - first_action + 1}: {owner_email!r} is not an email "
                    "address")
            checked = {"action_id": f"A{number}", "description": description, "owner": owner,
                       "due": due}
            if owner_email:  # an LA user owns it: the action is in their work
                checked["owner_email"] = owner_email
            checked_actions.append(checked)
        self._record(
            self.MSPMeetingHeld, when=when, meeting_id=meeting_id, attendees=attendees,
            minutes=minutes.strip(), actions=checked_actions,
        )
        return meeting_id

    def complete_msp_action(self, *, when: Entry, action_id: str, note: str = "") -> None:
        self._require_after_registration(when)
        action = self.state.msp_actions.get(action_id)
        if action is None:
            raise CaseFileError(f"There is no MSP action {action_id}")
        if action.completed_on is not None:
            raise CaseFileError(
                f"Action {action_id} was completed on {long_date(action.completed_on)}"
            )
        self._record(self.MSPActionCompleted, when=when, action_id=action_id, note=note.strip())

    def close_msp_group(self, *, when: Entry, reason: str) -> None:
        self._require_msp(when)
        require_text("reason", reason)
        self._record(self.MSPGroupClosed, when=when, reason=reason.strip())

    def _require_msp(self, when: Entry) -> MSPGroup:
        self._require_open(when)
        if self.state.msp is None:
            raise CaseFileError(
                f"{self.state.school.name} has no MSP group; establish one first"
            )
        return self.state.msp

    def _scheduled_meeting(self, meeting_id: str, when: Entry) -> MSPMeeting:
        meeting = self._require_msp(when).meetings.get(meeting_id)
        if meeting is None:
            raise CaseFileError(f"There is no MSP meeting {meeting_id}")
        if meeting.status != "scheduled":
            raise CaseFileError(f"MSP meeting {meeting_id} was {meeting.status}")
        return meeting

    def _count_meetings_elsewhere(self) -> int:
        """Meetings of earlier, closed groups: meeting ids stay unique across groups."""
        return sum(len(g.meetings) for g in self.state.msp_groups if g.closed_on is not None)

    def _count_actions(self) -> int:
        return sum(len(e.actions) for e in self._entries if isinstance(e, self.MSPMeetingHeld))
