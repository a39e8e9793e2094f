"""Tasks the LA's own staff set each other on a case file: what to do, who owns it, by when
(local policy: work on a school causing concern is handed between named officers)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain import dates
from domain.areas.core import EMAIL, CaseFileCore, CaseFileEvent, Entry, one_line, require_text
from domain.errors import CaseFileError
from domain.rules import Rule
from domain.wording import long_date

TITLE = "Tasks"

TASK_OWNER = Rule(
    "task-owner", "A task has an owner and a due date",
    "Every task names the member of the LA's staff who owns it (a name and an email address) "
    "and the date it is due, on or after the day it is set; it appears in its owner's work "
    "until it is done.",
    "Local policy (casework handed between named officers)", kind="policy",
)

TASK_DONE_ONCE = Rule(
    "task-done-once", "A task is done once",
    "A task recorded as done stays done: it cannot be done again or handed to someone else.",
    "Local policy (casework handed between named officers)", kind="policy",
)

RULES = (TASK_OWNER, TASK_DONE_ONCE)


# Entries ------------------------------------------------------------------------------------

class TaskSet(CaseFileEvent):
    task_id: str
    what: str
    owner_name: str
    owner_email: str
    due: date
    amendable = ("what",)


class TaskReassigned(CaseFileEvent):
    task_id: str
    owner_name: str
    owner_email: str


class TaskDone(CaseFileEvent):
    task_id: str
    note: str
    amendable = ("note",)


# State --------------------------------------------------------------------------------------

@dataclass
class Task:
    task_id: str
    what: str
    owner_name: str
    owner_email: str
    due: date
    done_on: date | None = None
    recorded_in: int = 0


@dataclass
class TasksState:
    tasks: dict[str, Task] = field(default_factory=dict)

    @property
    def open_tasks(self) -> list[Task]:
        return sorted((t for t in self.tasks.values() if t.done_on is None),
                      key=lambda t: (t.due, t.task_id))

    def _on_TaskSet(self, e: Any) -> None:
        self.tasks[e.task_id] = Task(e.task_id, e.what, e.owner_name, e.owner_email, e.due,
                                     recorded_in=e.originator_version)

    def _on_TaskReassigned(self, e: Any) -> None:
        if task := self.tasks.get(e.task_id):
            task.owner_name, task.owner_email = e.owner_name, e.owner_email
            task.recorded_in = e.originator_version

    def _on_TaskDone(self, e: Any) -> None:
        if task := self.tasks.get(e.task_id):
            task.done_on = e.effective


def deadlines(state: Any, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
    """Each task not yet done, owned by whoever it was set for (not the school's caseworker)."""
    for task in state.open_tasks:
        yield ("task", task.task_id, task.due, f"Task for {task.owner_name}: {task.what}",
               task.recorded_in, task.owner_email)


# Commands -----------------------------------------------------------------------------------

class TaskCommands(CaseFileCore):
    def set_task(self, *, when: Entry, what: str, owner_name: str, owner_email: str,
                 due: date | None) -> str:
        """A task for a member of staff (rule ``task-owner``)."""
        self._require_open(when)
        require_text("task", what)
        owner_name, owner_email = _owner(owner_name, owner_email)
        if not isinstance(due, date):
            TASK_OWNER.refuse("Enter the date the task is due")
        if due < when.effective:
            TASK_OWNER.refuse(f"Enter a due date on or after {long_date(when.effective)}")
        dates.require_planned_date("due date", due, when.effective)
        task_id = f"T{self._count(self.TaskSet) + 1}"
        self._record(self.TaskSet, when=when, task_id=task_id, what=what.strip(),
                     owner_name=owner_name, owner_email=owner_email, due=due)
        return task_id

    def reassign_task(self, *, when: Entry, task_id: str, owner_name: str,
                      owner_email: str) -> None:
        task = self._open_task(when, task_id)
        owner_name, owner_email = _owner(owner_name, owner_email)
        if task.owner_email.casefold() == owner_email.casefold():
            raise CaseFileError(f"Task {task_id} is already {owner_name}'s")
        self._record(self.TaskReassigned, when=when, task_id=task_id, owner_name=owner_name,
                     owner_email=owner_email)

    def complete_task(self, *, when: Entry, task_id: str, note: str = "") -> None:
        self._open_task(when, task_id)
        self._record(self.TaskDone, when=when, task_id=task_id, note=note.strip())

    def _open_task(self, when: Entry, task_id: str) -> Task:
        self._require_after_registration(when)
        task = self.state.tasks.get(task_id)
        if task is None:
            raise CaseFileError(f"There is no task {task_id}")
        if task.done_on is not None:
            TASK_DONE_ONCE.refuse(f"Task {task_id} was done on {long_date(task.done_on)}")
        return task


def _owner(name: str, email: str) -> tuple[str, str]:
    if not isinstance(name, str) or not name.strip() or not isinstance(email, str):
        TASK_OWNER.refuse("Choose who owns the task")
    if not EMAIL.fullmatch(email.strip()):
        TASK_OWNER.refuse(f"{email!r} is not an email address")
    return one_line(name), email.strip()
