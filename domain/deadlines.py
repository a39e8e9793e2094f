"""When things fall due on a case file: the deadline policy, and each file's pending deadlines.

Deadlines are derived from the case file's state, never stored on their own: the event log is
the truth, and a scheduler only holds jobs derived from it. Each area of the case file says
what falls due in it (its ``deadlines``); this module applies the LA's extensions and
suspensions and works out the reminders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from domain.calendar import WorkingDayCalendar
from domain.categories import CategoryScheme
from domain.errors import CaseFileError

if TYPE_CHECKING:
    from domain.status import CaseFileState

WARNING_NOTICE_COPY_KINDS = ("headteacher", "chief inspector", "diocese or foundation",
                             "other issuer")
"""The kinds of recipient of a warning notice's copies the policy may require (s60(6)-(6B))."""

SIGN_OFF_STEP_KINDS = ("warning notice", "notice of intervention", "IEB application",
                       "category of concern")
"""The steps the LA's policy may say need a second person's approval (domain.areas.sign_off):
giving a warning notice (s60 or s60A), giving written notice of intervention (s60(1)(d)),
sending an IEB application to the Secretary of State (s65), and moving a school into a
category the LA's scheme marks as causing concern."""
SIGN_OFF_ADOPTED = date(2026, 9, 1)
"""When the LA adopted sign-off, by default: steps recorded before it needed no approval."""

PASSED = 0
"""A firing's ``working_days_before`` when it marks the due date passing, not a reminder."""


@dataclass(frozen=True)
class DeadlinePolicy:
    """When things fall due, and the LA's other settings of the rules. Each default cites its
    source; the LA may override any of them (local policy file, keys as the field names)."""

    reminder_working_days: tuple[int, ...] = (5, 1)
    """Local policy: reminders this many working days before each due date."""
    statement_of_action_working_days: int = 10
    """Education Act 2005 s15: the LA's statement of action after a special measures or
    significant improvement report, traditionally within 10 working days (unconfirmed),
    counted from receipt under SI 2005/2038 (school holidays over a week left out)."""
    ieb_chase_weeks: int = 6
    """Local policy: chase the Secretary of State when an IEB application waits this long."""
    visit_weeks_in_category: int = 13
    """Torbay 2011: termly monitoring/SEP visits for schools causing concern."""
    visit_weeks_otherwise: int = 52
    """Torbay 2011: an annual SEP visit for every school."""
    review_months: tuple[int, ...] = (9, 1, 4)
    """Peterborough 2013: categories reviewed in September, December/January and April."""
    reasonable_notice_working_days: int = 5
    """EIA 2006 s60(1)(d): "reasonable notice" in writing before the LA uses a power it
    proposed after a warning notice; the Act sets no length, so 5 working days is the LA's
    reading (unconfirmed)."""
    warning_notice_copies: tuple[str, ...] = (
        "headteacher", "chief inspector", "diocese or foundation", "other issuer")
    """EIA 2006 s60(6), (6A), (6B): who gets a copy of a warning notice, by kind
    (``domain.areas.warning_notices.COPY_KINDS``); the list is unconfirmed."""
    report_card_category_may_differ: bool = False
    """Ofsted report cards (from 10 November 2025): whether a recorded category of concern may
    differ from the one the report card's grades call for (the mapping rests on secondary
    sources: rule ``report-card-category``)."""
    rise_review_weeks: int = 6
    """A placeholder for the LA to confirm (unconfirmed): the next RISE review of a school in
    targeted intervention this many weeks after its last (domain.areas.rise REVIEW_CADENCE)."""
    sign_off_steps: tuple[str, ...] = SIGN_OFF_STEP_KINDS
    """Local policy: the steps a head approves before they take effect (rule ``sign-off``)."""
    sign_off_from: date = SIGN_OFF_ADOPTED
    """Local policy: the day sign-off was adopted; steps recorded earlier needed none."""
    sign_off_working_days: int = 2
    """Local policy: a draft awaits approval (or, returned, a redraft) this many working days."""

    def __post_init__(self) -> None:
        if any(days < 1 for days in self.reminder_working_days):
            raise ValueError("Reminders come at least one working day before a due date")
        if not all(1 <= month <= 12 for month in self.review_months) or not self.review_months:
            raise ValueError("Review months are numbers from 1 to 12")
        unknown = sorted(set(self.warning_notice_copies) - set(WARNING_NOTICE_COPY_KINDS))
        if unknown:
            raise ValueError(f"Copies of a warning notice go to kinds of recipient among "
                             f"{', '.join(WARNING_NOTICE_COPY_KINDS)}, not {', '.join(unknown)}")
        unknown = sorted(set(self.sign_off_steps) - set(SIGN_OFF_STEP_KINDS))
        if unknown:
            raise ValueError(f"Steps that need sign-off are among "
                             f"{', '.join(SIGN_OFF_STEP_KINDS)}, not {', '.join(unknown)}")
        if self.reasonable_notice_working_days < 0:
            raise ValueError("reasonable notice working days must be 0 or more")
        for name in ("statement_of_action_working_days", "ieb_chase_weeks",
                     "visit_weeks_in_category", "visit_weeks_otherwise", "rise_review_weeks",
                     "sign_off_working_days"):
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
    owner: str | None = None
    """The email address of whoever must see to it: the school's caseworker unless the area
    names someone (a task's owner, an MSP action's LA owner); None if the case has none."""


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
    found = state.due_items(policy, working_days, scheme)
    caseworker = state.caseworker[1] if state.caseworker else None

    deadlines = []
    # An area yields (kind, subject, due, what, version), and may add the owner's email.
    for kind, subject, due, what, version, *owner in found:
        key = f"{kind}:{subject}"
        override = state.deadline_overrides.get(key)
        if override is not None and override.extended_to is not None:
            due = override.extended_to
        reminders = tuple(sorted(
            (working_days.working_days_before(due, days), days)
            for days in policy.reminder_working_days
        )) if kind != "decide_intervention" else ()
        deadlines.append(Deadline(key, kind, due, what, version, reminders,
                                  suspended=bool(override and override.suspended),
                                  owner=(owner[0] if owner and owner[0] else caseworker)))
    return sorted(deadlines, key=lambda d: (d.due, d.key))


def pending_firings(
    urn: int, state: CaseFileState, deadlines: list[Deadline], today: date | None = None
) -> list[Firing]:
    """The reminders and passings not yet recorded: one a deadline at a time (the REMINDERS
    rule). A reminder is dropped once its passing, or a later reminder of the same due date,
    is recorded. Given ``today``, a reminder is dropped once its due date has gone by (after
    downtime, say: the passing says more than a late reminder would), and of the reminders
    already due by ``today`` only the latest stands ("1 working day before" rather than both
    it and "5 working days before" at the same moment, after downtime or for a deadline set
    late). Without ``today`` the answer depends on the log alone, as a read model's must."""
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
        sent = [days for key, due, days in state.fired
                if key == deadline.key and due == deadline.due and days != PASSED]
        waiting = [(on, days) for on, days in deadline.reminders
                   if not any(later <= days for later in sent)]
        already_due = [(on, days) for on, days in waiting if today is not None and on <= today]
        if already_due:
            latest = max(already_due, key=lambda r: (r[0], -r[1]))  # nearest the due date
            waiting = [(on, days) for on, days in waiting if on > today or (on, days) == latest]
        firings += [Firing(on, urn, deadline.key, deadline.due, days) for on, days in waiting]
    return sorted(firings)


def find(deadlines: list[Deadline], key: str) -> Deadline:
    for deadline in deadlines:
        if deadline.key == key:
            return deadline
    raise CaseFileError(f"There is no open deadline {key!r} on this case file")


def next_review(after: date, months: tuple[int, ...]) -> date:
    """The first day of the next review month after ``after``."""
    candidates = [date(after.year + year, month, 1) for year in (0, 1) for month in months]
    return min(day for day in candidates if day > after)


DEADLINE_KINDS = {
    "compliance": "the end of the compliance period of warning notice {}",
    "decide_intervention": "the decision on intervention after warning notice {}",
    "s63_window": "the last day to require arrangements under s63 after warning notice {}",
    "s64_window": "the last day to appoint additional governors under s64 after warning "
                  "notice {}",
    "statement_of_action": "the statement of action on Ofsted inspection {}",
    "ieb_chase": "chasing the Secretary of State on IEB application {}",
    "ieb_term_ends": "the end of the interim executive board's term (IEB application {})",
    "msp_meeting": "MSP meeting {}",
    "msp_meeting_due": "arranging the next MSP meeting",
    "msp_action": "MSP action {}",
    "category_review": "the next review of the LA category",
    "visit": "the next school improvement visit",
    "rise_review": "the next RISE review",
}
"""Each kind of deadline in words, its subject (a notice, a meeting, an action) in the
braces: what a page or a summary says instead of the key ("msp_action:A8")."""


def deadline_words(key: str, state: CaseFileState | None = None) -> str:
    """A deadline's key ("visit:next", "msp_action:A8") in the LA's words. Given the case
    file's state, an MSP action also says what it is: "MSP action A8 (Agree a phonics
    plan)". A key of a kind this version does not know reads as itself."""
    kind, _, subject = key.partition(":")
    words = DEADLINE_KINDS.get(kind)
    if words is None:
        return key
    text = words.format(subject)
    if kind == "msp_action" and state is not None:
        action = state.msp_actions.get(subject)
        if action is not None:
            text += f" ({action.description})"
    return text
