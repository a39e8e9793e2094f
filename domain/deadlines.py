"""When things fall due on a case file: the deadline policy, and each file's pending deadlines.

Deadlines are derived from the case file's state, never stored on their own: the event log is
the truth, and a scheduler only holds jobs derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from domain import statute
from domain.calendar import WorkingDayCalendar
from domain.categories import CategoryScheme
from domain.errors import CaseFileError
from domain.status import CaseFileState

PASSED = 0
"""A firing's ``working_days_before`` when it marks the due date passing, not a reminder."""


@dataclass(frozen=True)
class DeadlinePolicy:
    """When things fall due. Each default cites its source; the LA may override any of them
    (local policy file, keys as the field names)."""

    reminder_working_days: tuple[int, ...] = (5, 1)
    """Local policy: reminders this many working days before each due date."""
    statement_of_action_working_days: int = 10
    """Education Act 2005 s15: the LA's statement of action after a special measures or
    serious weaknesses report, traditionally within 10 working days (unconfirmed)."""
    ieb_chase_weeks: int = 6
    """Local policy: chase the Secretary of State when an IEB application waits this long."""
    visit_weeks_in_category: int = 13
    """Torbay 2011: termly monitoring/SEP visits for schools causing concern."""
    visit_weeks_otherwise: int = 52
    """Torbay 2011: an annual SEP visit for every school."""
    review_months: tuple[int, ...] = (9, 1, 4)
    """Peterborough 2013: categories reviewed in September, December/January and April."""

    def __post_init__(self) -> None:
        if any(days < 1 for days in self.reminder_working_days):
            raise ValueError("Reminders come at least one working day before a due date")
        if not all(1 <= month <= 12 for month in self.review_months) or not self.review_months:
            raise ValueError("Review months are numbers from 1 to 12")
        for name in ("statement_of_action_working_days", "ieb_chase_weeks",
                     "visit_weeks_in_category", "visit_weeks_otherwise"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name.replace('_', ' ')} must be at least 1")


@dataclass(frozen=True)
class Deadline:
    """Something due on a case file, with the entry it comes from."""

    key: str
    kind: str
    due: date
    what: str
    source_version: int
    reminders: tuple[tuple[date, int], ...] = ()  # (day, working days before the due date)
    suspended: bool = False


@dataclass(frozen=True, order=True)
class Firing:
    """A reminder, or a due date passing, to be recorded once on its day."""

    on: date
    urn: int = field(compare=False)
    key: str
    due: date
    working_days_before: int  # PASSED when the due date has gone by


def pending_deadlines(
    state: CaseFileState, policy: DeadlinePolicy, working_days: WorkingDayCalendar,
    scheme: CategoryScheme,
) -> list[Deadline]:
    """Every deadline still open on the case file, soonest first, with LA overrides
    (extensions, suspensions) applied."""
    school = state.school
    if school is None or school.closed_on is not None:
        return []
    found: list[tuple[str, str, date, str, int]] = []
    for notice in state.open_warning_notices:
        found.append(("compliance", notice.notice_id, notice.compliance_date,
                      f"Warning notice {notice.notice_id}: compliance period ends",
                      notice.recorded_in))
    for notice in state.warning_notices.values():
        undecided = notice.intervention_notice_on is None and notice.status in (
            "open", "not complied with")
        if undecided and (notice.complied is False or notice.overdue):
            found.append(("decide_intervention", notice.notice_id,
                          notice.compliance_date + timedelta(days=1),
                          f"Decide on intervention after warning notice {notice.notice_id}: "
                          "give written notice (s60(1)(d)) or record the outcome",
                          notice.recorded_in))
        # s63 cannot rest on an s60A (pay and conditions) notice: it opens ss64-66 only.
        if notice.section == "s60" and notice.intervention_notice_on is not None and not any(
                p.power == "s63" and p.exercised_on >= notice.intervention_notice_on
                for p in state.powers):
            last_day = statute.s63_window_ends(notice.compliance_date)
            # An opportunity, not a duty: it goes once its last day has passed, or once an
            # interim executive board has replaced the governing body.
            closed = (f"s63_window:{notice.notice_id}", last_day, PASSED) in state.fired
            if last_day >= notice.intervention_notice_on and not closed and state.ieb is None:
                found.append(("s63_window", notice.notice_id, last_day,
                              f"Last day to require arrangements under s63 after "
                              f"{notice.notice_id}", notice.recorded_in))
    inspection = state.inspection
    if (inspection is not None and inspection.category and school.governance == "maintained"
            and inspection.inspection_id not in state.statements_of_action):
        found.append(("statement_of_action", inspection.inspection_id,
                      working_days.add_working_days(inspection.published_on,
                                                    policy.statement_of_action_working_days),
                      f"Statement of action after Ofsted's {inspection.category} judgement",
                      inspection.recorded_in))
    if msp := state.msp:
        scheduled = [m for m in msp.meetings.values() if m.status == "scheduled"]
        for meeting in scheduled:
            found.append(("msp_meeting", meeting.meeting_id, meeting.meets_on,
                          f"MSP meeting {meeting.meeting_id}", meeting.recorded_in))
        if not scheduled:
            last = msp.last_meeting
            since = last.meets_on if last else msp.established_on
            found.append(("msp_meeting_due", "next", since + timedelta(weeks=msp.cadence_weeks),
                          f"Arrange the next MSP meeting (every {msp.cadence_weeks} weeks)",
                          msp.recorded_in))
    for action in state.msp_actions.values():
        if action.completed_on is None:
            found.append(("msp_action", action.action_id, action.due,
                          f"MSP action {action.action_id}: {action.description}",
                          action.recorded_in))
    if (board := state.ieb) and board.term_ends_on:
        found.append(("ieb_term_ends", board.application_id, board.term_ends_on,
                      "The interim executive board's term ends", board.recorded_in))
    for application in state.ieb_applications.values():
        if application.stage == "submitted" and application.submitted_on:
            found.append(("ieb_chase", application.application_id,
                          application.submitted_on + timedelta(weeks=policy.ieb_chase_weeks),
                          f"Chase the Secretary of State on IEB application "
                          f"{application.application_id}", application.recorded_in))
    if state.category is not None:
        found.append(_visit(state, policy, scheme))
        found.append(_review(state, policy))

    deadlines = []
    for kind, subject, due, what, version in found:
        key = f"{kind}:{subject}"
        override = state.deadline_overrides.get(key)
        if override is not None and override.extended_to is not None:
            due = override.extended_to
        reminders = tuple(sorted(
            (working_days.working_days_before(due, days), days)
            for days in policy.reminder_working_days
        )) if kind != "decide_intervention" else ()
        deadlines.append(Deadline(key, kind, due, what, version, reminders,
                                  suspended=bool(override and override.suspended)))
    return sorted(deadlines, key=lambda d: (d.due, d.key))


def pending_firings(
    urn: int, state: CaseFileState, deadlines: list[Deadline], today: date | None = None
) -> list[Firing]:
    """The reminders and passings not yet recorded. A reminder is dropped once its passing
    is recorded, and (given ``today``) once its due date has gone by, after downtime say:
    the passing says more than a late reminder would. Without ``today`` the answer depends
    on the log alone, as a read model's must."""
    firings = []
    for deadline in deadlines:
        if deadline.suspended:
            continue
        if (deadline.key, deadline.due, PASSED) in state.fired:
            continue
        firings.append(Firing(deadline.due + timedelta(days=1), urn, deadline.key,
                              deadline.due, PASSED))
        if today is not None and today > deadline.due:
            continue
        for on, days in deadline.reminders:
            if (deadline.key, deadline.due, days) not in state.fired:
                firings.append(Firing(on, urn, deadline.key, deadline.due, days))
    return sorted(firings)


def find(deadlines: list[Deadline], key: str) -> Deadline:
    for deadline in deadlines:
        if deadline.key == key:
            return deadline
    raise CaseFileError(f"There is no open deadline {key!r} on this case file")


def _visit(state: CaseFileState, policy: DeadlinePolicy, scheme: CategoryScheme) -> tuple:
    try:
        in_concern = scheme.is_causing_concern(state.category.category)
    except CaseFileError:
        in_concern = False
    weeks = policy.visit_weeks_in_category if in_concern else policy.visit_weeks_otherwise
    last = state.visits[-1] if state.visits else None
    category = state.category
    if last is not None and last.visited_on >= category.since:
        since, version = last.visited_on, last.recorded_in
    else:  # the cadence runs from the later of the last visit and entering the category
        since, version = category.since, category.recorded_in
    return ("visit", "next", since + timedelta(weeks=weeks),
            f"{'Termly' if in_concern else 'Annual'} school improvement visit", version)


def _review(state: CaseFileState, policy: DeadlinePolicy) -> tuple:
    last = max(state.category.since, state.category_reviewed_on or date.min)
    return ("category_review", "next", next_review(last, policy.review_months),
            "Review the school's LA category", state.category.recorded_in)


def next_review(after: date, months: tuple[int, ...]) -> date:
    """The first day of the next review month after ``after``."""
    candidates = [date(after.year + year, month, 1) for year in (0, 1) for month in months]
    return min(day for day in candidates if day > after)
