"""What every area of a case file shares: the entry's common fields, who records it, and the
checks and helpers every command starts with."""

from __future__ import annotations

import re
from dataclasses import field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import Aggregate

from domain import chain, personal_data
from domain.errors import CaseFileError
from domain.identity import Recorder
from domain.rules import Rule
from domain.wording import long_date

if TYPE_CHECKING:
    from domain.status import CaseFileState

STORED_UNDER = "domain.case_file:SchoolCaseFile."
"""Where every entry class was first defined. An entry's stored topic and the name its hash
link covers stay this, wherever its class now lives: moving code must not change the record
(the topics filter the log's reads, and the links were computed over these names)."""


MAINTAINED_SCHOOLS = Rule(
    "s59-maintained-schools", "Intervention is for maintained schools",
    "Warning notices, eligibility for intervention and the powers that rest on it are for the "
    "schools s59(1) lists: community, foundation and voluntary schools, community and "
    "foundation special schools, and maintained nursery schools. Academies and pupil "
    "referral units are not among them.",
    "Education and Inspections Act 2006 s59(1)",
    unconfirmed="Pupil referral units have their own regime (SI 2007/2978 as amended); its "
                "detail was not read, only that s59(1) does not list them.",
)
"""Checked by every command that needs a maintained school (``_require_maintained``); listed
with the register's rules, since the register's governance decides it."""


class CaseFileEvent(Aggregate.Event):
    """Every entry says when it took effect (maybe backdated) and who recorded it: ``by``
    is their name at the time, ``actor`` who they were (``domain.identity.Recorder``),
    both inside the hashed content. Entries recorded before ``actor`` was have none: they
    are read, and their links checked, exactly as they were stored."""

    effective: date
    by: str
    link: str  # this entry's link in the school's hash chain (domain.chain)
    actor: dict[str, Any] | None = field(default=None, kw_only=True)
    amendable: ClassVar[tuple[str, ...]] = ()
    """The fields a correction may reword (``EntryAmended``); the rest are what was decided."""
    entry_name: ClassVar[str] = "SchoolCaseFile.Event"
    """The name the entry's hash link covers (``domain.chain``)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.entry_name = f"SchoolCaseFile.{cls.__name__}"
        cls.TOPIC = f"{STORED_UNDER}{cls.__name__}"

    def apply(self, aggregate: Any) -> None:
        aggregate._take(self)


class Entry:
    """Who is recording an entry, when it took effect, and when it is being recorded.

    ``by`` is a Recorder, or a name alone (recorded with no identity: tests, the demo)."""

    __slots__ = ("effective", "by", "actor", "recorded_at")

    def __init__(self, effective: date, by: str | Recorder, recorded_at: datetime) -> None:
        recorder = by if isinstance(by, Recorder) else Recorder(by)
        if not recorder.name or not recorder.name.strip():
            raise CaseFileError("Say who is recording the entry")
        if recorded_at.tzinfo is None:
            raise ValueError("recorded_at must be timezone-aware")
        self.effective, self.recorded_at = effective, recorded_at
        self.by, self.actor = recorder.name.strip(), dict(recorder.identity)


class CaseFileCore:
    """What the commands of every area use: recording an entry and the shared checks. The
    case-file aggregate (``domain.case_file``) is composed of this and the areas' commands."""

    _entries: list[CaseFileEvent]
    id: Any
    version: int

    if TYPE_CHECKING:
        @property
        def state(self) -> CaseFileState: ...

        def view(self, as_at: date | None = None,
                 as_known_at: datetime | None = None) -> CaseFileState: ...

        def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...

    @property
    def urn(self) -> int:
        return self._entries[0].urn

    @property
    def entries(self) -> list[CaseFileEvent]:
        return list(self._entries)

    @property
    def head(self) -> str:
        """The newest link of the hash chain: what an auditor's checkpoint records."""
        return self._entries[-1].link

    def _record(self, event_class: type[CaseFileEvent], *, when: Entry, **fields: Any) -> None:
        fields.update(effective=when.effective, by=when.by, actor=when.actor,
                      timestamp=when.recorded_at, originator_id=self.id,
                      originator_version=self.version + 1)
        personal_data.seal_fields(event_class.__name__, fields)
        self.trigger_event(
            event_class, link=chain.link(self.head, event_class.entry_name, fields), **fields
        )

    def _count(self, event_class: type[CaseFileEvent]) -> int:
        return sum(1 for e in self._entries if isinstance(e, event_class))

    def _require_after_registration(self, when: Entry) -> None:
        if when.effective > when.recorded_at.date():
            raise CaseFileError(
                f"The effective date {long_date(when.effective)} is in the future: enter today's date or "
                "an earlier one", field="effective"
            )
        registered = self._entries[0].effective
        if when.effective < registered:
            raise CaseFileError(
                f"The effective date {long_date(when.effective)} is before the case file was "
                f"opened ({long_date(registered)})", field="effective"
            )

    def _require_open(self, when: Entry) -> CaseFileState:
        self._require_after_registration(when)
        state = self.state
        closed_on = state.school.closed_on
        if closed_on is not None and when.effective > closed_on:
            raise CaseFileError(f"{state.school.name} closed on {long_date(closed_on)}",
                                field="effective")
        return state

    def _require_maintained(self, when: Entry, what: str) -> CaseFileState:
        """LA intervention powers (ss59-66) apply to maintained schools only
        (MAINTAINED_SCHOOLS): not to academies, nor to pupil referral units."""
        state = self._require_open(when)
        governance = state.school.governance
        if governance != "maintained":
            kind = "a pupil referral unit" if governance == "pupil referral unit" else "an academy"
            verb = "are" if what.endswith("s") else "is"
            MAINTAINED_SCHOOLS.refuse(
                f"{what} {verb} for maintained schools; {state.school.name} is {kind}"
            )
        return state


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def one_line(name: str) -> str:
    """A name as it is stored: every run of whitespace (line breaks, tabs) one space, none at
    either end. A name is written on one line wherever it goes: a page, a CSV cell, an
    email's Subject and To headers (where a line break cannot be sent)."""
    return " ".join(name.split())


def require_text(name: str, value: object, *, field: str | None = None) -> None:
    """Refuses blank text; ``field`` is the command's argument (by default ``name``, when
    the name is one word: "reason", "minutes")."""
    if not isinstance(value, str) or not value.strip():
        raise CaseFileError(f"Enter the {name}", field=field or _argument(name))


def require_choice(name: str, value: object, choices: tuple[str, ...], *,
                   field: str | None = None) -> None:
    if value not in choices:
        raise CaseFileError(
            f"{name.capitalize()} must be one of: {', '.join(choices)} (not {value!r})",
            field=field or _argument(name),
        )


def _argument(name: str) -> str | None:
    return name if name.isidentifier() else None


def names(what: str, given: list[str]) -> list[str]:
    cleaned = [str(n).strip() for n in given if str(n).strip()]
    if len(set(cleaned)) != len(cleaned):
        raise CaseFileError(f"The {what} include someone twice")
    return cleaned


def closed_by(closed_on: date | None, day: date) -> bool:
    """A school closed by ``day`` is no longer a maintained school: an inspection published
    after it closed makes it eligible for no intervention (EIA 2006 s59(1), s62)."""
    return closed_on is not None and closed_on < day
