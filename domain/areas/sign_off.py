"""Sign-off (the LA's policy): the statutory steps one person drafts and a head approves before
they take effect, and the drafts' course: drafted, returned with a reason, redrafted, withdrawn
or approved.

A step that needs sign-off is never recorded directly. Its draft holds the command and its
arguments as plain data; the approval records the step itself, in the same save, so the
record never holds an approval without its step nor a step without its approval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, require_text
from domain.categories import CategoryScheme
from domain.deadlines import SIGN_OFF_ADOPTED, DeadlinePolicy
from domain.errors import CaseFileError
from domain.identity import Recorder
from domain.rules import Rule
from domain.wording import long_date

TITLE = "Sign-off"

STEPS = {
    "issue_warning_notice": ("warning notice", "warning notice"),
    "give_intervention_notice": ("notice of intervention", "notice of intervention"),
    "submit_ieb_application": ("IEB application", "IEB application to the Secretary of State"),
    "change_category": ("category of concern", "category change"),
}
"""Each step that may need sign-off: the case file's command, the policy's word for it
(``DeadlinePolicy.sign_off_steps``) and what a draft of it is called."""

APPROVERS = ("head",)
"""The roles that approve or return a draft: a head of service (school improvement)."""

DRAFT_STATUSES = ("awaiting approval", "returned", "approved", "withdrawn")

# Rules --------------------------------------------------------------------------------------

SIGN_OFF = Rule(
    "sign-off", "A second person approves a statutory step",
    "The steps the LA's policy names (by default: giving a warning notice, s60 or s60A; giving "
    "written notice of intervention; sending an IEB application to the Secretary of State; "
    "moving a school into a category the LA's scheme marks as causing concern) are drafted for "
    "approval and take effect only when a head approves the draft; nobody, whatever their "
    "role, records them directly. A draft is checked against the step's own rules when it is "
    "drafted and again when it is approved. The step takes effect on the day of the "
    "approval, not the day of the draft: a notice is given when it is sent, and it may be "
    "sent only once approved, so a new warning notice's compliance period runs from the "
    "approval. Only a draft that records a step already taken (entered after the event) "
    "names the earlier day it took effect. Steps that took effect before the LA adopted "
    "sign-off (by default 1 September 2026) need no approval, however late they are "
    "recorded.",
    "Local policy (sign-off)", kind="policy", applies_from=SIGN_OFF_ADOPTED,
    setting="sign_off_steps, sign_off_from, sign_off_working_days",
)
APPROVER = Rule(
    "sign-off-approver", "A head approves or returns a draft, not its drafter",
    "A draft is approved or returned by a head of service who neither drafted nor redrafted "
    "it: the second person must be a second person.",
    "Local policy (sign-off)", kind="policy", applies_from=SIGN_OFF_ADOPTED,
)
RETURN_REASON = Rule(
    "sign-off-return-reason", "A returned draft says why",
    "A head who returns a draft gives the reason, so that whoever redrafts it knows what to "
    "change. A returned draft is redrafted or withdrawn by anyone who may record: case work "
    "is shared, and the drafter may be away; whoever redrafts becomes one of its drafters and "
    "so cannot approve it.",
    "Local policy (sign-off)", kind="policy", applies_from=SIGN_OFF_ADOPTED,
)
DRAFT_STAGES = Rule(
    "sign-off-stages", "A draft's course",
    "A draft awaiting approval is approved, returned or withdrawn; a returned draft is "
    "redrafted (and awaits approval again) or withdrawn; an approved or withdrawn draft is "
    "done with.",
    "Local policy (sign-off)", kind="policy", applies_from=SIGN_OFF_ADOPTED,
)

RULES = (SIGN_OFF, APPROVER, RETURN_REASON, DRAFT_STAGES)


def needs_sign_off(policy: DeadlinePolicy, step: str, arguments: dict[str, Any],
                   effective: date, scheme: CategoryScheme | None) -> bool:
    """Whether ``step`` with these arguments, taking effect on ``effective``, needs a head's
    approval (SIGN_OFF). Counted by the day it takes effect: a step taken before the LA
    adopted sign-off had no approval to get, and is entered as it was taken."""
    if step not in STEPS or STEPS[step][0] not in policy.sign_off_steps:
        return False
    if effective < policy.sign_off_from:
        return False
    if step == "change_category":
        try:
            return scheme is not None and scheme.is_causing_concern(
                scheme.category(arguments.get("to", "")).code)
        except CaseFileError:  # an unknown category: the step refuses it itself
            return False
    return True


def step_name(step: str) -> str:
    """What a draft of ``step`` is called: "warning notice"."""
    return STEPS[step][1] if step in STEPS else step.replace("_", " ")


# Entries ------------------------------------------------------------------------------------

class StepDrafted(CaseFileEvent):
    """A step drafted for approval: the command and its arguments as plain data, and why."""

    draft_id: str
    step: str
    arguments: dict[str, Any]
    reason: str
    takes_effect: date | None
    """The day a step already taken took effect; None: the day it is approved."""
    amendable = ("reason",)


class DraftReturned(CaseFileEvent):
    draft_id: str
    reason: str


class StepRedrafted(CaseFileEvent):
    """A returned draft's new arguments."""

    draft_id: str
    arguments: dict[str, Any]
    reason: str
    takes_effect: date | None


class DraftApproved(CaseFileEvent):
    """Recorded in the same save as the step itself; ``made`` is what the step made (the
    notice's id, say), if it made something."""

    draft_id: str
    made: str | None


class DraftWithdrawn(CaseFileEvent):
    draft_id: str
    reason: str


# State --------------------------------------------------------------------------------------

@dataclass
class Draft:
    draft_id: str
    step: str
    arguments: dict[str, Any]
    reason: str
    drafted_on: date
    drafted_by: str
    takes_effect: date | None = None
    drafters: list[str] = field(default_factory=list)
    """Who drafted or redrafted it (``person``): none of them may approve it."""
    status: str = "awaiting approval"
    since: date | None = None  # when it reached its present status
    returned_by: str = ""
    returned_reason: str = ""
    decided_by: str = ""
    made: str | None = None
    recorded_in: int = 0  # the entry that put it in its present status

    @property
    def name(self) -> str:
        return step_name(self.step)


def person(name: str, actor: dict[str, Any] | None) -> str:
    """Who someone is for sign-off: their account where the entry names one, else their name
    (the command line, the demo, entries without an identity)."""
    if actor and actor.get("account"):
        return f"account {actor['account']}"
    return f"name {' '.join(name.split()).casefold()}"


@dataclass
class SignOffState:
    sign_off_drafts: dict[str, Draft] = field(default_factory=dict)

    def _on_StepDrafted(self, e: Any) -> None:
        self.sign_off_drafts[e.draft_id] = Draft(
            e.draft_id, e.step, dict(e.arguments), e.reason, e.effective, e.by,
            e.takes_effect, [person(e.by, e.actor)], since=e.effective,
            recorded_in=e.originator_version)

    def _on_DraftReturned(self, e: Any) -> None:
        if draft := self.sign_off_drafts.get(e.draft_id):
            draft.status, draft.since, draft.recorded_in = "returned", e.effective, \
                e.originator_version
            draft.returned_by, draft.returned_reason = e.by, e.reason

    def _on_StepRedrafted(self, e: Any) -> None:
        if draft := self.sign_off_drafts.get(e.draft_id):
            draft.arguments, draft.reason = dict(e.arguments), e.reason
            draft.takes_effect = e.takes_effect
            draft.status, draft.since, draft.recorded_in = "awaiting approval", e.effective, \
                e.originator_version
            if (who := person(e.by, e.actor)) not in draft.drafters:
                draft.drafters.append(who)

    def _on_DraftApproved(self, e: Any) -> None:
        if draft := self.sign_off_drafts.get(e.draft_id):
            draft.status, draft.since, draft.recorded_in = "approved", e.effective, \
                e.originator_version
            draft.decided_by, draft.made = e.by, e.made

    def _on_DraftWithdrawn(self, e: Any) -> None:
        if draft := self.sign_off_drafts.get(e.draft_id):
            draft.status, draft.since, draft.recorded_in = "withdrawn", e.effective, \
                e.originator_version
            draft.decided_by = e.by


def deadlines(state: Any, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
    """A draft awaiting approval is due for a head's decision, a returned one for its redraft
    or withdrawal, a policy number of working days after it reached that stage."""
    school = state.school.name if state.school else "the school"
    for draft in state.sign_off_drafts.values():
        due = working_days.add_working_days(draft.since, policy.sign_off_working_days)
        if draft.status == "awaiting approval":
            yield ("sign_off", draft.draft_id, due,
                   f"Approve or return the draft {draft.name} for {school}", draft.recorded_in)
        elif draft.status == "returned":
            yield ("sign_off_redraft", draft.draft_id, due,
                   f"Redraft or withdraw the returned draft {draft.name} for {school}",
                   draft.recorded_in)


# Commands -----------------------------------------------------------------------------------

TakeStep = Callable[[Entry, str, dict[str, Any]], Any]
"""Runs a draft's step (its command's name) on the case file, taking effect on the entry's
day, with its arguments; returns what the step made."""


class SignOffCommands(CaseFileCore):
    def require_no_sign_off(self, *, when: Entry, step: str, arguments: dict[str, Any],
                            policy: DeadlinePolicy, scheme: CategoryScheme | None) -> None:
        """Refuses to record directly a step the LA's policy says a head approves (SIGN_OFF)."""
        if needs_sign_off(policy, step, arguments, when.effective, scheme):
            SIGN_OFF.refuse(
                f"A {step_name(step)} needs a head's approval before it takes effect: draft "
                "it for approval rather than recording it"
            )

    def draft_step(self, *, when: Entry, step: str, arguments: dict[str, Any], reason: str,
                   policy: DeadlinePolicy, scheme: CategoryScheme | None,
                   takes_effect: date | None = None) -> str:
        """Drafts a step for approval (SIGN_OFF), to take effect on the approval's day or, for
        a step already taken, on ``takes_effect``. Whoever calls this has already checked the
        step's own rules against the case file as it stands (the case files' use case runs
        the step without keeping it)."""
        self._require_open(when)
        _require_taken(takes_effect, when)
        if not needs_sign_off(policy, step, arguments, takes_effect or when.effective, scheme):
            raise CaseFileError(f"A {step_name(step)} like this one needs no approval: "
                                "record it directly")
        draft_id = f"D{self._count(self.StepDrafted) + 1}"
        self._record(self.StepDrafted, when=when, draft_id=draft_id, step=step,
                     arguments=dict(arguments), reason=(reason or "").strip(),
                     takes_effect=takes_effect)
        return draft_id

    def return_draft(self, *, when: Entry, draft_id: str, role: str, reason: str) -> None:
        """A head sends a draft back to be redrafted, saying why (RETURN_REASON)."""
        draft = self._deciding(when, draft_id, role, "return")
        if not isinstance(reason, str) or not reason.strip():
            RETURN_REASON.refuse("Enter why you are returning the draft, so that it can be "
                                 "redrafted")
        self._record(self.DraftReturned, when=when, draft_id=draft.draft_id,
                     reason=reason.strip())

    def redraft_step(self, *, when: Entry, draft_id: str, arguments: dict[str, Any],
                     reason: str = "", takes_effect: date | None = None) -> None:
        """A returned draft's new arguments, by anyone who may record (RETURN_REASON); it
        awaits approval again. Its step's rules are checked by the caller, as for a draft."""
        draft = self._draft(when, draft_id)
        if draft.status != "returned":
            DRAFT_STAGES.refuse(f"Draft {draft_id} is {draft.status}: only a returned draft "
                                "is redrafted")
        _require_taken(takes_effect, when)
        self._record(self.StepRedrafted, when=when, draft_id=draft_id,
                     arguments=dict(arguments), reason=(reason or "").strip(),
                     takes_effect=takes_effect)

    def withdraw_draft(self, *, when: Entry, draft_id: str, reason: str) -> None:
        draft = self._draft(when, draft_id)
        if draft.status not in ("awaiting approval", "returned"):
            DRAFT_STAGES.refuse(f"Draft {draft_id} is {draft.status}: it cannot be withdrawn")
        require_text("reason for withdrawing the draft", reason)
        self._record(self.DraftWithdrawn, when=when, draft_id=draft_id, reason=reason.strip())

    def approve_draft(self, *, when: Entry, draft_id: str, role: str,
                      take_step: TakeStep) -> Any:
        """A head approves a draft: the step is recorded, effective the approval's day, and
        the approval beside it. The step's rules are checked afresh: if they refuse it now
        (the school's state changed since the draft), the approval is refused with that rule
        and nothing is recorded, since the step runs first and checks before it records."""
        draft = self._deciding(when, draft_id, role, "approve")
        step_when = when
        if draft.takes_effect is not None:  # a step already taken, entered after the event
            step_when = Entry(draft.takes_effect, Recorder(when.by, when.actor),
                              when.recorded_at)
        made = take_step(step_when, draft.step, dict(draft.arguments))
        self._record(self.DraftApproved, when=when, draft_id=draft_id,
                     made=None if made is None else str(made))
        return made

    def _deciding(self, when: Entry, draft_id: str, role: str, verb: str) -> Draft:
        draft = self._draft(when, draft_id)
        if draft.status != "awaiting approval":
            DRAFT_STAGES.refuse(f"Draft {draft_id} is {draft.status}: only a draft awaiting "
                                f"approval can be {verb}d")
        if role not in APPROVERS:
            APPROVER.refuse(f"Only a head can {verb} a draft {draft.name}")
        if person(when.by, when.actor) in draft.drafters:
            APPROVER.refuse(f"You drafted this {draft.name}: a head who did not draft it "
                            f"must {verb} it")
        return draft

    def _draft(self, when: Entry, draft_id: str) -> Draft:
        self._require_open(when)
        draft = self.state.sign_off_drafts.get(draft_id)
        if draft is None:
            raise CaseFileError(f"There is no draft {draft_id}")
        if when.effective < draft.since:
            raise CaseFileError(f"Draft {draft_id} was last changed on "
                                f"{long_date(draft.since)}; enter a date on or after it")
        return draft


def _require_taken(takes_effect: date | None, when: Entry) -> None:
    """A draft names a day only for a step already taken: not one still to come."""
    if takes_effect is not None and takes_effect > when.recorded_at.date():
        raise CaseFileError(f"{long_date(takes_effect)} is in the future: a draft names a day "
                            "only for a step already taken; leave it to take effect when "
                            "approved")
