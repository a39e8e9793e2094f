"""The school register: the school as GIAS describes it, the links to its predecessors and
successors, and the case file's opening; who must be consulted by the school's category, and
the consultations before s63 arrangements.

A school is identified by its URN; a conversion to an academy gives it a new URN, and the old
case file points to the new one (``SuccessorLinked``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import chain, dates, personal_data
from domain.areas.core import (
    MAINTAINED_SCHOOLS,
    CaseFileCore,
    CaseFileEvent,
    Entry,
    one_line,
    require_choice,
    require_text,
)
from domain.errors import CaseFileError
from domain.rules import Rule
from domain.wording import long_date

TITLE = "The school register"

GOVERNANCE = ("maintained", "academy", "pupil referral unit")
"""A pupil referral unit is not a school of s59(1): the LA keeps its case file, but the
intervention powers are for maintained schools only."""
MOST_PUPILS = 100_000
"""A bound on a school's roll far past any real school's, so that a slip of the keyboard is
refused before it reaches the pupil counts of every report (which must fit the stores'
integer columns)."""
NO_RELIGIOUS_CHARACTER = ("", "none", "does not apply", "not applicable")
LINK_RELATIONS = ("predecessor", "successor", "other")

GOVERNING_BODY = "governing body"
DIOCESAN_AUTHORITY = "diocesan authority"
FOUNDATION_APPOINTER = "foundation governors' appointer"
CONSULTEES = (GOVERNING_BODY, DIOCESAN_AUTHORITY, FOUNDATION_APPOINTER)

FOUNDATION_OR_VOLUNTARY = ("foundation school", "voluntary aided school",
                           "voluntary controlled school")
"""GIAS's TypeOfEstablishment names for the foundation and voluntary schools of s63(2) and
s65. A foundation *special* school is a special school, not a foundation school, so only its
governing body is consulted."""
DIOCESAN_CHARACTERS = ("church of england", "roman catholic", "catholic", "anglican")
"""A religious character (GIAS ReligiousCharacter) naming one of these, alone or jointly
("Church of England/Methodist"), gives the school an appropriate diocesan authority."""

CONSULTATION = Rule(
    "consultation-by-category", "Who is consulted depends on the school's category",
    "Before requiring arrangements (s63) or applying for an interim executive board (s65), "
    "the authority consults the governing body; for a foundation or voluntary school with a "
    "Church of England or Roman Catholic character, also the appropriate diocesan authority; "
    "for any other foundation or voluntary school, also the person who appoints the "
    "foundation governors.",
    "Education and Inspections Act 2006 ss63(2), 65",
)

S63_CONSULTATION = Rule(
    "s63-consultation", "Consult before requiring arrangements",
    "Before requiring a school to enter into arrangements under s63, the authority consults "
    "everyone its category calls for (consultation-by-category), after the warning notice or "
    "the eligibility for intervention the arrangements rest on.",
    "Education and Inspections Act 2006 s63(2)",
)
RULES = (CONSULTATION, S63_CONSULTATION, MAINTAINED_SCHOOLS)

LEGACY_CONSULTEES = {"diocese": DIOCESAN_AUTHORITY, "foundation": FOUNDATION_APPOINTER}
"""The consultees' names before consultation followed the school's category: "diocese" was
the diocesan authority and "foundation" the foundation governors' appointer."""


def consultee_named(stored: str) -> str:
    """A consultee as CONSULTEES names it, whatever name the entry was recorded with."""
    return LEGACY_CONSULTEES.get(stored, stored)


def describe_category(school: School) -> str:
    """The school's category and character in a sentence's words: "a voluntary aided school
    with a Church of England character"."""
    kind = (school.establishment_type or "school").strip()
    kind = kind[:1].lower() + kind[1:]
    character = (school.religious_character or "").strip()
    article = "an" if kind[:1] in "aeiou" else "a"
    if character.casefold() in NO_RELIGIOUS_CHARACTER:
        return f"{article} {kind}"
    return f"{article} {kind} with a {character} character"


def require_consultee(school: School, consultee: str, what: str) -> None:
    """Refuses a consultee the school's category does not call for (CONSULTATION)."""
    require_choice("consultee", consultee, CONSULTEES)
    needed = consultees(school)
    if consultee not in needed:
        CONSULTATION.refuse(
            f"{school.name} is {describe_category(school)}: before {what} consult "
            f"the {' and the '.join(needed)}, not the {consultee}"
        )


def consultees(school: School) -> tuple[str, ...]:
    """Who must be consulted before s63 arrangements or an IEB, by the school's category and
    religious character as the register gives them (CONSULTATION)."""
    return consultees_for(school.establishment_type, school.religious_character)


def consultees_for(establishment_type: str | None,
                   religious_character: str | None) -> tuple[str, ...]:
    """Who must be consulted, from the register's category and religious character."""
    kind = (establishment_type or "").strip().casefold()
    if kind not in FOUNDATION_OR_VOLUNTARY:
        return (GOVERNING_BODY,)
    character = (religious_character or "").strip().casefold()
    if any(name in character for name in DIOCESAN_CHARACTERS):
        return (GOVERNING_BODY, DIOCESAN_AUTHORITY)
    return (GOVERNING_BODY, FOUNDATION_APPOINTER)


def case_file_id(urn: int) -> UUID:
    """A school's stream id, derived from its URN so that it can be found without an index."""
    return uuid5(NAMESPACE_URL, f"https://scc.invalid/schools/{int(urn)}")


# Entries ------------------------------------------------------------------------------------

class Registered(CaseFileEvent, Aggregate.Created):
    """Version 2 added ``register_extract_on``, the day of the GIAS extract the register
    fields came from; a version 1 entry reads as not from an extract (None)."""

    class_version = 2
    urn: int
    name: str
    phase: str
    establishment_type: str
    governance: str
    la_code: str
    pupils: int | None
    opened_on: date | None
    closed_on: date | None
    religious_character: str | None
    predecessor_urn: int | None
    register_extract_on: date | None
    amendable = ("name", "phase", "establishment_type", "la_code", "religious_character")

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["register_extract_on"] = None


class DetailsChanged(CaseFileEvent):
    changes: dict[str, Any]


class SuccessorLinked(CaseFileEvent):
    successor_urn: int


class SchoolLinked(CaseFileEvent):
    """A link GIAS records between this school and another: a predecessor or successor
    (academy conversion, merger, amalgamation, split) or another kind, in GIAS's words."""

    link_urn: int
    link_name: str
    link_type: str
    relation: str
    established_on: date | None


class ArrangementsConsultationRecorded(CaseFileEvent):
    """A response to the authority's consultation before it requires arrangements (s63(2))."""

    consultee: str
    response: str
    amendable = ("response",)


# State --------------------------------------------------------------------------------------

@dataclass
class Consultation:
    """Who was consulted, when they answered, and what they said."""

    consultee: str
    consulted_on: date
    response: str
    recorded_in: int = 0


@dataclass
class Link:
    """Another school GIAS links this one to, and what it is to this one."""

    urn: int
    name: str
    link_type: str
    relation: str
    established_on: date | None


@dataclass
class School:
    urn: int
    name: str
    phase: str
    establishment_type: str
    governance: str
    la_code: str
    pupils: int | None
    opened_on: date | None
    closed_on: date | None
    religious_character: str | None
    predecessor_urn: int | None
    successor_urn: int | None = None
    registered_on: date | None = None
    register_extract_on: date | None = None
    """The day of the GIAS extract the register fields were last brought into line with."""
    links: list[Link] = field(default_factory=list)

    def is_open_on(self, day: date) -> bool:
        return (self.opened_on is None or self.opened_on <= day) and (
            self.closed_on is None or day <= self.closed_on
        )


@dataclass
class RegisterState:
    school: School | None = None
    arrangements_consultations: list[Consultation] = field(default_factory=list)

    def _on_Registered(self, e: Any) -> None:
        self.school = School(
            urn=e.urn, name=e.name, phase=e.phase, establishment_type=e.establishment_type,
            governance=e.governance, la_code=e.la_code, pupils=e.pupils, opened_on=e.opened_on,
            closed_on=e.closed_on, religious_character=e.religious_character,
            predecessor_urn=e.predecessor_urn, registered_on=e.effective,
            register_extract_on=e.register_extract_on,
        )

    def _on_DetailsChanged(self, e: Any) -> None:
        if self.school is not None:
            for name, value in e.changes.items():
                setattr(self.school, name, value)

    def _on_SchoolLinked(self, e: Any) -> None:
        if self.school is not None:
            self.school.links.append(
                Link(e.link_urn, e.link_name, e.link_type, e.relation, e.established_on))

    def _on_SuccessorLinked(self, e: Any) -> None:
        if self.school is not None:
            self.school.successor_urn = e.successor_urn

    def _on_ArrangementsConsultationRecorded(self, e: Any) -> None:
        self.arrangements_consultations.append(
            Consultation(consultee_named(e.consultee), e.effective, e.response,
                         e.originator_version))


# Commands -----------------------------------------------------------------------------------

class RegisterCommands(CaseFileCore):
    @classmethod
    def register(cls, *, when: Entry, details: dict[str, Any]) -> Any:
        """Opens a case file for a school on the register (GIAS fields)."""
        fields = check_school_details(details, required=True, today=when.recorded_at.date())
        if when.effective > when.recorded_at.date():
            raise CaseFileError(f"The effective date {long_date(when.effective)} is in the future")
        dates.require_opening_date(when.effective)
        fields.update(
            effective=when.effective, by=when.by, actor=when.actor, timestamp=when.recorded_at,
            originator_id=case_file_id(fields["urn"]), originator_version=cls.INITIAL_VERSION,
        )
        personal_data.seal_fields(cls.Registered.__name__, fields)
        fields["link"] = chain.link(chain.GENESIS, cls.Registered.entry_name, fields)
        fields["id"] = fields.pop("originator_id")
        del fields["originator_version"]
        return cls._create(cls.Registered, **fields)

    def change_details(self, *, when: Entry, changes: dict[str, Any]) -> None:
        self._require_after_registration(when)
        school = self.state.school
        checked = check_school_details(changes, required=False, today=when.recorded_at.date())
        if "urn" in checked:
            raise CaseFileError("A school's URN cannot change; a new URN is a new school")
        changed = {k: v for k, v in checked.items() if getattr(school, k) != v}
        if not changes:
            raise CaseFileError("Say which of the school's details to change")
        if not changed:
            raise CaseFileError(f"The school's {', '.join(sorted(checked)).replace('_', ' ')} "
                                "already read so: nothing to change")
        self._record(self.DetailsChanged, when=when, changes=changed)
        closed_on = changed.get("closed_on")
        if closed_on is not None and closed_on <= when.recorded_at.date():
            self._end_ieb_with_school(when, f"the school closed on {long_date(closed_on)}")

    def link_successor(self, *, when: Entry, successor_urn: int) -> None:
        """Academy conversion: the old URN's file points to the new one and closes."""
        self._require_after_registration(when)
        school = self.state.school
        if school.successor_urn is not None:
            raise CaseFileError(
                f"URN {school.urn} already converted to URN {school.successor_urn}"
            )
        self._record(self.SuccessorLinked, when=when, successor_urn=successor_urn)
        self._end_ieb_with_school(
            when, f"the school converted to an academy (now URN {successor_urn})")

    def record_arrangements_consultation(
        self, *, when: Entry, consultee: str, response: str
    ) -> None:
        """A consultee's response before the authority requires arrangements (s63(2)); who
        must be consulted depends on the school's category (CONSULTATION)."""
        state = self._require_maintained(when, "Arrangements under s63")
        require_consultee(state.school, consultee, "requiring arrangements (s63)")
        require_text("response", response)
        self._record(self.ArrangementsConsultationRecorded, when=when, consultee=consultee,
                     response=response.strip())

    def _require_arrangements_consulted(self, when: Entry) -> None:
        """Refuses s63 arrangements until everyone the school's category calls for was
        consulted since the warning notice or eligibility they rest on, and by the day they
        are required (S63_CONSULTATION)."""
        school = self.state.school
        since = arrangements_rest_since(self.state)
        consulted = {c.consultee for c in self.state.arrangements_consultations
                     if since <= c.consulted_on <= when.effective}
        missing = [c for c in consultees(school) if c not in consulted]
        if missing:
            S63_CONSULTATION.refuse(
                f"Consult the {' and the '.join(missing)} before requiring arrangements "
                f"(s63(2)): {school.name} is {describe_category(school)}, and no response "
                f"is recorded since {long_date(since)}"
            )

    def link_school(self, *, when: Entry, link_urn: int, link_name: str, link_type: str,
                    established_on: date | None) -> bool:
        """Records a GIAS link to another school, once: False if it is already recorded.
        ``relation`` is what the other school is to this one (LINK_RELATIONS)."""
        self._require_after_registration(when)
        school = self.state.school
        if not 100000 <= link_urn <= 999999:
            raise CaseFileError(f"A URN has six digits, not {link_urn}")
        if link_urn == school.urn:
            raise CaseFileError(f"URN {link_urn} cannot be linked to itself")
        require_text("link type", link_type)
        if established_on is not None:
            dates.require_register_date("link date", established_on, when.recorded_at.date())
        relation = link_relation(link_type)

        def same(known: Any) -> bool:  # one link each way: "Successor - merged" is a successor
            if relation == "other":
                return known.link_type == link_type.strip()
            return known.relation == relation

        if any(k.urn == link_urn and same(k) for k in school.links):
            return False
        self._record(self.SchoolLinked, when=when, link_urn=link_urn,
                     link_name=one_line(link_name), link_type=link_type.strip(),
                     relation=relation, established_on=established_on)
        return True


def arrangements_rest_since(state: Any) -> date:
    """When what s63 arrangements may rest on began: the s60 warning notice that led to a
    notice of intervention (the latest), or the day the school became eligible by another
    route; the earliest of these if it is eligible by more than one."""
    starts = []
    for route, eligible in state.eligibility.items():
        notices = [n.issued_on for n in state.warning_notices.values()
                   if n.section == "s60" and n.intervention_notice_on is not None]
        starts.append(max(notices) if route == "warning_notice" and notices else eligible.since)
    return min(starts, default=date.min)


# Rules of the register ------------------------------------------------------------------------

def link_relation(link_type: str) -> str:
    """What a linked school is to this one, from GIAS's link type: "Predecessor",
    "Predecessor - merged", ... are predecessors; "Successor", "Successor - amalgamated",
    "Result of Amalgamation" are successors; sixth-form links, expansions and the like are
    "other" (GIAS links file, LinkType)."""
    kind = link_type.strip().lower()
    if kind.startswith("predecessor"):
        return "predecessor"
    if kind.startswith("successor") or kind == "result of amalgamation":
        return "successor"
    return "other"


def check_school_details(details: dict[str, Any], *, required: bool,
                         today: date) -> dict[str, Any]:
    """Validates register fields as GIAS gives them, dates within the range a school's
    may lie in on ``today`` (domain.dates); returns the fields in stored form."""
    text_fields = ("name", "phase", "establishment_type", "la_code")
    allowed = {"urn", "pupils", "opened_on", "closed_on", "governance", "religious_character",
               "predecessor_urn", "register_extract_on", *text_fields}
    unknown = sorted(set(details) - allowed)
    if unknown:
        raise CaseFileError(f"Unknown school detail: {', '.join(unknown)}")
    fields: dict[str, Any] = {}
    if required:
        for name in ("urn", "governance", *text_fields):
            if details.get(name) in (None, ""):
                raise CaseFileError(f"A school's {name.replace('_', ' ')} is required")
        fields = {"pupils": None, "opened_on": None, "closed_on": None,
                  "religious_character": None, "predecessor_urn": None,
                  "register_extract_on": None}
    for name, value in details.items():
        if name in ("urn", "predecessor_urn", "pupils") and value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise CaseFileError(f"{name.replace('_', ' ')} must be a whole number")
            if name != "pupils" and not 100000 <= value <= 999999:
                raise CaseFileError(f"A URN has six digits, not {value}")
            if name == "pupils" and value > MOST_PUPILS:
                raise CaseFileError(
                    f"{value:,} pupils is more than any school has: at most {MOST_PUPILS:,}")
        elif name in ("opened_on", "closed_on", "register_extract_on") and value is not None:
            if not isinstance(value, date):
                raise CaseFileError(f"{name.replace('_', ' ')} must be a date")
            dates.require_register_date(_REGISTER_DATE_NAMES[name], value, today)
        elif name == "governance":
            require_choice("governance", value, GOVERNANCE)
        elif name in text_fields:
            require_text(name.replace("_", " "), value)
            value = one_line(value)
        fields[name] = value
    opened, closed = fields.get("opened_on"), fields.get("closed_on")
    if opened and closed and closed < opened:
        raise CaseFileError("A school cannot close before it opens")
    return fields


_REGISTER_DATE_NAMES = {"opened_on": "opening date", "closed_on": "closing date",
                        "register_extract_on": "date of the register extract"}
