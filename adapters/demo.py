"""Demo data: Fenmarsh, a fictional LA, and its schools' case files since September 2010.

Everything is recorded through the application's public commands, backdated with
``effective=``, so the demo obeys the same rules as real use. Entries stop at today's date:
the application refuses entries effective in the future. Between the stories' entries the LA's
routine goes on (caseworkers, school improvement visits at the deadline policy's cadence, a
category review at each review point), so that only what a story means to be overdue is.

The demo is of the day it is loaded. Its stories were written for the week of
``STORY_WEEK``; loaded later, their recent years (from ``RECENT_YEARS``) move forward by whole
weeks, so that the caseload is the same on any day: work overdue, work due within the
fortnight, schools causing concern. Their older years stay where they are, under the law and
in Ofsted's vocabulary of their day, and the LA's routine fills the years between. Each entry
is recorded when the LA would have recorded it (``_recorded_at``), through the application's
clock, so that what the record said at a past time differs from what is known now of that day.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from application.case_files import SchoolCaseFiles
from application.ports import Clock
from domain.areas.register import DIOCESAN_AUTHORITY, GOVERNING_BODY
from domain.areas.sign_off import needs_sign_off
from domain.deadlines import next_review
from domain.errors import CaseFileError
from domain.ofsted import framework_on

LA_NAME = "Fenmarsh"
LA_CODE = "999"
DEMO_STARTS = date(2010, 9, 1)
STORY_WEEK = date(2026, 11, 23)
"""The Monday of the week the stories were written for (the test clock's day): loaded in that
week, the demo is exactly as written; loaded later, the recent years move by whole weeks."""
RECENT_YEARS = date(2023, 1, 1)
"""The stories' dates from here on move with the day the demo is loaded; earlier ones stay."""
_PLANNED_UNTIL = date(2026, 11, 30)
"""Ordinary schools' inspections are drawn up to here first, then on to the day of loading,
so that their history up to the stories' week is the same whenever the demo is loaded."""
ENGLAND = ZoneInfo("Europe/London")

FEATURED_URN = 990007
"""Warning notice not complied with, then an interim executive board: the story to show."""
SPECIAL_MEASURES_URN = 990005
NOTICE_TO_IMPROVE_URN = 990003
SERIOUS_WEAKNESSES_URN = 990009
COMPLIED_2014_URN = 990006
COMPLIED_2019_URN = 990049
CONVERTED_URN = 990050
ACADEMY_URN = 990061
CONVERSION_DATE = date(2011, 8, 1)
WAITING_URN = 990024
RISE_URN = 990031
"""A warning notice whose compliance period has ended: the LA's decision is waiting."""

ProgressCallback = Callable[[int, int, int], None]
"""Called after each school with (schools loaded, schools in all, entries recorded)."""


class StoreNotEmpty(CaseFileError):
    """The demo loads into an empty store only: it must not mix with real case files."""


@dataclass(frozen=True)
class DemoSummary:
    la_name: str
    la_code: str
    case_files: int
    entries: int
    causing_concern: int
    loaded_until: date
    featured_urn: int
    featured_name: str
    special_measures_urn: int
    academy_conversion: tuple[int, int]


# The register ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _School:
    urn: int
    name: str
    phase: str
    establishment_type: str
    pupils: int
    governance: str = "maintained"
    religious_character: str | None = None
    opened_on: date | None = None

    def details(self) -> dict[str, Any]:
        return {
            "urn": self.urn, "name": self.name, "phase": self.phase,
            "establishment_type": self.establishment_type, "governance": self.governance,
            "la_code": LA_CODE, "pupils": self.pupils, "opened_on": self.opened_on,
            "religious_character": self.religious_character,
        }


def _primary(urn: int, name: str, pupils: int, kind: str = "Community school",
             religious_character: str | None = None) -> _School:
    return _School(urn, name, "Primary", kind, pupils, religious_character=religious_character)


def _secondary(urn: int, name: str, pupils: int, kind: str = "Community school") -> _School:
    return _School(urn, name, "Secondary", kind, pupils)


def _special(urn: int, name: str, pupils: int, kind: str = "Community special school") -> _School:
    # GIAS puts maintained special schools in its "Special schools" group, phase not applicable.
    return _School(urn, name, "Not applicable", kind, pupils)


CofE, RC = "Church of England", "Roman Catholic"
VA, VC, FOUNDATION = "Voluntary aided school", "Voluntary controlled school", "Foundation school"

SCHOOLS: tuple[_School, ...] = (
    _School(990001, "Fenmarsh Nursery School", "Nursery", "Local authority nursery school", 96),
    _primary(990002, "Saltmarsh Primary School", 418),
    _primary(990003, "Dykeside Infant School", 176),
    _primary(990004, "Dykeside Junior School", 238),
    _primary(990005, "Eelbrook Community Primary School", 341),
    _primary(990006, "Marram End Primary School", 204),
    _primary(990007, "Sedgeholme St Felix Church of England Primary School", 212, VA, CofE),
    _primary(990008, "St Mary Magdalene Catholic Primary School", 296, VA, RC),
    _primary(990009, "Reedham Fen Junior School", 264),
    _primary(990010, "Reedham Fen Infant School", 180),
    _primary(990011, "Wyldmere Church of England Primary School", 98, VC, CofE),
    _primary(990012, "Lodeway Primary School", 455, FOUNDATION),
    _primary(990013, "Curlew Fen Primary School", 61),
    _primary(990014, "Snipe Hill Primary School", 207),
    _primary(990015, "Oxlode Primary School", 389),
    _primary(990016, "Gaultby Community Primary School", 142),
    _primary(990017, "Holme Drove Primary School", 630),
    _primary(990018, "Pondersby Primary School", 118),
    _primary(990019, "Ashwell Fen Primary School", 205),
    _primary(990020, "Ravensdyke Primary School", 412, FOUNDATION),
    _primary(990021, "Brackenholt Primary School", 87),
    _primary(990022, "Stowfen Church of England Primary School", 176, VC, CofE),
    _primary(990023, "Setchmere Primary School", 310),
    _primary(990024, "Whittlefen Primary School", 199),
    _primary(990025, "Fordingham Primary School", 421),
    _primary(990026, "Anholme Primary School", 73),
    _primary(990027, "Moorhythe Primary School", 236),
    _primary(990028, "Lyngfield Primary School", 402),
    _primary(990029, "Sandlode Primary School", 211),
    _primary(990030, "Mereside Primary School", 614),
    _primary(990031, "Otterbridge Primary School", 188),
    _primary(990032, "Tillingholt Primary School", 104),
    _primary(990033, "Barrowfen Primary School", 326, FOUNDATION),
    _primary(990034, "Swanmere Primary School", 415),
    _primary(990035, "Gooselode Primary School", 205),
    _primary(990036, "Ryecroft Fen Primary School", 129),
    _primary(990037, "Alderholme Primary School", 397),
    _primary(990038, "Elmfen Primary School", 224),
    _primary(990039, "Redwater Primary School", 452),
    _primary(990040, "Blackdyke Primary School", 180),
    _primary(990041, "Mallard Fen Primary School", 93),
    _primary(990042, "Wetherholme Primary School", 316),
    _primary(990043, "Bittern Drove Primary School", 208),
    _primary(990044, "Greylode Primary School", 419),
    _primary(990045, "Kestrel Fen Primary School", 151),
    _primary(990046, "Lapwing Primary School", 238),
    _primary(990047, "Nethermere Primary School", 415),
    _primary(990048, "Priorsfen Primary School", 199),
    _secondary(990049, "Thornfen Community College", 1184),
    _secondary(990050, "Cranmoor School", 1412),
    _School(990051, "Fenmarsh Academy", "Secondary", "Academy sponsor led", 986,
            governance="academy", opened_on=date(2009, 9, 1)),
    _School(990052, "Eastwold Academy", "Secondary", "Academy sponsor led", 812,
            governance="academy", opened_on=date(2010, 9, 1)),
    _School(990053, "Fenmarsh Free School", "Secondary", "Free schools", 540,
            governance="academy", opened_on=date(2014, 9, 1)),
    _secondary(990054, "Westmoor High School", 1068, FOUNDATION),
    _secondary(990055, "Langmere School", 874),
    _secondary(990056, "Kingsfen High School", 1296, FOUNDATION),
    _secondary(990057, "Bishop Alder Church of England High School", 1020, VC),
    _special(990058, "Willowlode School", 142),
    _special(990059, "Osierbank School", 88),
    _special(990060, "Heronsgate School", 176, "Foundation special school"),
)

# Who recorded what: the LA's officers over the years.
_HEADS = ((date(2010, 1, 1), "Margaret Fell, Head of School Improvement"),
          (date(2016, 4, 1), "David Okoro, Head of School Improvement"),
          (date(2022, 1, 4), "Helen Marsh, Head of School Improvement"))


@dataclass(frozen=True)
class _Adviser:
    """A school improvement adviser: the caseworker who visits and owns a school's case."""

    name: str
    email: str

    @property
    def signature(self) -> str:
        return f"{self.name}, School Improvement Adviser"


_ADVISERS = (_Adviser("Tom Ridley", "tom.ridley@fenmarsh.example"),
             _Adviser("Priya Shah", "priya.shah@fenmarsh.example"),
             _Adviser("Gareth Lloyd", "gareth.lloyd@fenmarsh.example"),
             _Adviser("Ann Whitlock", "ann.whitlock@fenmarsh.example"))
DEMO_CASEWORKER = _Adviser("Casey Worker", "caseworker@fenmarsh.example")
"""The demo's caseworker user (``cli.main.DEMO_USERS``): joined Fenmarsh in September 2023
and took over a handful of schools, the featured school among them, so that the web app's
"My schools" shows them."""
CASEWORKER_JOINS = date(2023, 9, 1)
CASEWORKER_URNS = frozenset({SPECIAL_MEASURES_URN, FEATURED_URN, SERIOUS_WEAKNESSES_URN,
                             990016, 990024})
_DATA_OFFICER = "Amir Khan, Performance and Data Officer"
_IEB_MEMBERS = ["Dr Ruth Penhaligon (chair)", "Michael Adeyemi", "Canon Judith Orme",
                "Sunita Rao"]


def _head_on(day: date) -> str:
    return [name for since, name in _HEADS if since <= day][-1]


# Loading ---------------------------------------------------------------------------------

def load_demo(case_files: SchoolCaseFiles,
              progress: ProgressCallback | None = None) -> DemoSummary:
    """Loads Fenmarsh into an empty store, up to today."""
    existing = case_files.urns()
    if existing:
        raise StoreNotEmpty(
            f"The store already holds {len(existing)} case files; the demo loads only into an "
            "empty store"
        )
    real_clock = case_files.clock
    until = real_clock.today()
    calendar = StoryCalendar.for_day(until)
    clock = _RecordingClock(real_clock)
    master = random.Random(2010)
    seeds = {school.urn: master.randrange(2**32) for school in SCHOOLS}
    stories: dict[int, Callable[[_Teller], None]] = {
        NOTICE_TO_IMPROVE_URN: _notice_to_improve,
        SPECIAL_MEASURES_URN: _special_measures,
        COMPLIED_2014_URN: _warning_notice_complied_2014,
        FEATURED_URN: _warning_notice_then_ieb,
        SERIOUS_WEAKNESSES_URN: _serious_weaknesses,
        COMPLIED_2019_URN: _warning_notice_complied_2019,
        CONVERTED_URN: _academy_conversion,
        WAITING_URN: _warning_notice_awaiting_decision,
        RISE_URN: _stuck_school_in_rise,
    }
    total = len(SCHOOLS) + 1  # the converter academy opens a case file of its own
    loaded = entries = 0
    case_files.clock = clock  # each entry recorded when the LA would have recorded it
    # The stories record entries out of the order they were written up (a visit's notes days
    # later, a backlog at Christmas): the application's warning that "this server's clock is
    # behind" the case file's last entry is about real servers, not about this clock.
    recording_log = logging.getLogger("application.case_files")
    level = recording_log.level
    recording_log.setLevel(logging.ERROR)
    try:
        for school in SCHOOLS:
            story = _Story(case_files, school, until, random.Random(seeds[school.urn]),
                           calendar, clock)
            try:
                story.register()
                if school.urn in stories:
                    stories[school.urn](_Teller(story))
                else:
                    _ordinary_school(story)
            except _StoryEnds:
                pass
            story.finish()
            for urn in story.urns:
                loaded += 1
                entries += case_files.version(urn)
            if progress is not None:
                progress(loaded, total, entries)
    finally:
        case_files.clock = real_clock
        recording_log.setLevel(level)
    _work_in_hand(case_files, until)
    schools = case_files.schools()
    featured = case_files.school(FEATURED_URN)
    return DemoSummary(
        la_name=LA_NAME, la_code=LA_CODE, case_files=len(schools), entries=entries,
        causing_concern=sum(1 for s in schools if s["causing_concern"] and s["is_open"]),
        loaded_until=until, featured_urn=FEATURED_URN, featured_name=featured["name"],
        special_measures_urn=SPECIAL_MEASURES_URN,
        academy_conversion=(CONVERTED_URN, ACADEMY_URN),
    )


# The stories' calendar and the LA's recording habits --------------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DATES_IN_TEXT = re.compile(
    rf"\b(?:(?P<day>\d{{1,2}}) )?(?P<month>{'|'.join(_MONTHS)})(?: (?P<year>20\d\d))?\b"
    r"|\b(?P<bare>20[2-9]\d)\b"
)


@dataclass(frozen=True)
class StoryCalendar:
    """Where the stories' dates fall when the demo is loaded: from ``RECENT_YEARS`` on, each
    moves forward by ``shift`` (whole weeks, so weekdays stay weekdays)."""

    shift: timedelta

    @classmethod
    def for_day(cls, today: date) -> StoryCalendar:
        return cls(timedelta(weeks=max(0, (today - STORY_WEEK).days // 7)))

    def real(self, day: date) -> date:
        """The day a story's date falls on."""
        return day if day < RECENT_YEARS else day + self.shift

    def retell(self, text: str, told_on: date) -> str:
        """A story's text for an entry it dates ``told_on``, with the dates and years it
        mentions moved as that entry moved: "by 28 March 2024", "March 2026", "2023 KS2
        results" (a year moves as the academic year of the entry moved)."""
        if not self.shift or told_on < RECENT_YEARS:
            return text
        years = _academic_year(self.real(told_on)) - _academic_year(told_on)

        def moved(match: re.Match[str]) -> str:
            if match["bare"]:
                return str(int(match["bare"]) + years)
            month = _MONTHS.index(match["month"]) + 1
            year = int(match["year"]) if match["year"] else None
            if year is None:  # "on 21 February": the one nearest the entry
                year = min((told_on.year - 1, told_on.year, told_on.year + 1),
                           key=lambda y: abs((date(y, month, 1) - told_on).days))
            if year < RECENT_YEARS.year - 1:
                return match[0]
            day = self.real(max(date(year, month, int(match["day"] or 15)), RECENT_YEARS))
            if not match["day"]:
                return f"{day:%B %Y}" if match["year"] else f"{day:%B}"
            return f"{day.day} {day:%B %Y}" if match["year"] else f"{day.day} {day:%B}"

        return _DATES_IN_TEXT.sub(moved, text)


class _RecordingClock:
    """The application's clock while the demo loads: entries are recorded at the moment the
    story sets (``record_at``), never later than the real time; today is the real today."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.at: datetime | None = None

    def record_at(self, moment: datetime | None) -> None:
        self.at = moment

    def now(self) -> datetime:
        real = self.clock.now()
        return real if self.at is None else min(self.at, real)

    def today(self) -> date:
        return self.clock.today()


_LATER = {
    # Working days after the day it happened that the LA records each kind of entry: visit
    # notes are written up, MSP minutes agreed, category decisions moderated first.
    "record_visit": (1, 5), "hold_msp_meeting": (2, 6), "complete_msp_action": (0, 3),
    "change_category": (1, 3), "review_category": (1, 4), "record_inspection": (0, 2),
}


def _recorded_at(command: str, day: date, draw: random.Random) -> datetime:
    """When an LA officer would have recorded an entry of this kind that took effect on
    ``day``: in office hours, the same working day or a few later."""
    low, high = _LATER.get(command, (0, 0))
    recorded = _weekday(day)
    for _ in range(draw.randint(low, high)):
        recorded = _weekday(recorded + timedelta(days=1))
    minute = draw.randint(8 * 60 + 30, 17 * 60 + 30)
    return datetime.combine(recorded, time(minute // 60, minute % 60),
                            ENGLAND).astimezone(UTC)


class _StoryEnds(Exception):
    """The story has reached today: what follows has not happened yet."""


@dataclass
class _Story:
    """One school's case file written in date order, stopping at ``until``.

    Between the story's own entries the LA's routine goes on: before each entry the story
    records the school improvement visits and category reviews that fell due before it
    (``_catch_up``), so the file reads in date order and no routine deadline lapses.
    """

    case_files: SchoolCaseFiles
    school: _School
    until: date
    rng: random.Random
    calendar: StoryCalendar
    clock: _RecordingClock
    urn: int = 0
    urns: list[int] = field(default_factory=list)
    category: str | None = None
    adviser: _Adviser = _ADVISERS[0]
    category_since: date = DEMO_STARTS
    last_visit: date | None = None
    reviewed_until: date = date.min  # review points up to this day need no review entry
    handed_over: bool = False  # to the demo caseworker, for the schools that move to them
    behind: tuple[date, date] | None = None  # entries of these days recorded on the last
    review_points: tuple[date, ...] = ()
    recorded: int = 0  # entries recorded so far: each draws its own moment

    def __post_init__(self) -> None:
        self.urn = self.school.urn
        self.adviser = self.rng.choice(_ADVISERS)
        self.review_points = tuple(_review_points(self.until))

    def register(self) -> None:
        opened = self.school.opened_on
        effective = max(DEMO_STARTS, opened) if opened else DEMO_STARTS
        self._check(effective)
        self.command("register_school", effective, _DATA_OFFICER, of_school=False,
                     **self.school.details())
        self.urns.append(self.urn)
        self._assign(effective, self.adviser)

    def command(self, name: str, day: date, by: str, /, *, of_school: bool = True,
                dated: bool = True, **fields: Any) -> Any:
        """Runs the application's command ``name`` for this school (``of_school``: given its
        URN first), that took effect on ``day``, recorded when the LA would have recorded it.
        Corrections are not ``dated``: they take effect when they are recorded."""
        self.recorded += 1
        draw = random.Random(f"{self.urn} {day} {name} {self.recorded}")
        moment = _recorded_at(name, day, draw)
        if self.behind and self.behind[0] <= day < self.behind[1]:
            moment = max(moment, _recorded_at(name, self.behind[1], draw))
        self.clock.record_at(moment)
        arguments = ({"urn": self.urn} if of_school else {}) | fields
        if dated:
            arguments["effective"] = day
        try:
            if of_school and dated and needs_sign_off(
                    self.case_files.policy, name, fields, day,
                    self.case_files.scheme):
                return self._with_approval(name, day, moment, fields)
            return getattr(self.case_files, name)(by=by, **arguments)
        finally:
            self.clock.record_at(None)

    def _with_approval(self, step: str, day: date, moment: datetime,
                       fields: dict[str, Any]) -> Any:
        """A step the LA's policy says a head approves (rule ``sign-off``): the school's
        adviser drafts it, and the head approves it later that day, effective ``day``."""
        drafter = self.adviser_on(day).signature
        draft = self.case_files.draft_step(self.urn, by=drafter, step=step, arguments=fields,
                                           effective=day, reason="For the head's approval")
        self.clock.record_at(moment + timedelta(minutes=90))
        return self.case_files.approve_draft(self.urn, by=_head_on(day), role="head",
                                             draft_id=draft,
                                             effective=day)

    def adviser_on(self, day: date) -> _Adviser:
        if self.urn in CASEWORKER_URNS and day >= CASEWORKER_JOINS:
            return DEMO_CASEWORKER
        return self.adviser

    def on(self, day: date, by: str | None = None) -> _Commands:
        """The application's commands for this school, effective on ``day``."""
        self._check(day)
        self._catch_up(day)
        return _Commands(self, day, by or self.adviser_on(day).signature)

    def categorise(self, day: date, to: str, reason: str, evidence: str = "") -> None:
        """Sets the LA category at a review point or on new evidence; a review that keeps
        the category is recorded as a review."""
        if to != self.category:
            self.on(day, _head_on(day)).change_category(to=to, reason=reason, evidence=evidence)
            self.category, self.category_since = to, day
            self.reviewed_until = max(self.reviewed_until, day)
        else:
            self.review(day)

    def review(self, day: date) -> None:
        """A categorisation review that keeps the school in its category."""
        assert self.category is not None
        self.on(day, _head_on(day)).review_category(reason=_review_reason(self.category, day))
        self.reviewed_until = max(self.reviewed_until, day)

    def finish(self) -> None:
        """The routine up to ``until``, after the story's last entry."""
        if self.urns:
            self._catch_up(self.until + timedelta(days=1))

    # The routine: visits at the policy's cadence, reviews at each review point ----------

    def _catch_up(self, day: date) -> None:
        """Records the routine entries that fall before ``day``, in date order."""
        while True:
            due = [(when, order, record) for order, (when, record) in enumerate((
                (self._handover_day(), self._hand_over),
                (self._next_review(), self.review),
                (self._next_visit(), self._visit),
            )) if when is not None and when < day]
            if not due:
                return
            when, _, record = min(due, key=lambda d: (d[0], d[1]))
            record(when)

    def _handover_day(self) -> date | None:
        if self.urn in CASEWORKER_URNS and not self.handed_over:
            return CASEWORKER_JOINS
        return None

    def _hand_over(self, day: date) -> None:
        self._assign(day, DEMO_CASEWORKER)
        self.handed_over = True

    def _assign(self, day: date, adviser: _Adviser) -> None:
        self.command("assign_caseworker", day, _head_on(day), name=adviser.name,
                     email=adviser.email)

    def _next_review(self) -> date | None:
        """The next review point, unless the category was set in the month before it and
        the policy wants no review by then."""
        if self.category is None:
            return None
        due = next_review(self.category_since, tuple(self.case_files.policy.review_months))
        return next((day for day in self.review_points if day > self.reviewed_until
                     and ((day - self.category_since).days >= 28 or due <= day)), None)

    def _next_visit(self) -> date | None:
        """The next visit, before the policy's cadence runs out: termly (every ten to twelve
        weeks) for a school causing concern, else once a year in the autumn term (on the
        same weekday each year: exactly the policy's cadence)."""
        if self.category is None:
            return None
        anchor = max(self.last_visit or date.min, self.category_since)
        policy = self.case_files.policy
        termly = self._causing_concern()
        weeks = policy.visit_weeks_in_category if termly else policy.visit_weeks_otherwise
        due = anchor + timedelta(weeks=weeks)
        draw = random.Random(f"{self.urn} {anchor}")  # the same plan however often asked
        if termly:
            day = due - timedelta(days=min(draw.randint(7, 17), weeks * 7 // 4))
        elif anchor == self.last_visit and _in_autumn_term(due):
            day = due
        else:
            day = _autumn_visit(anchor, due, draw)
        return max(_out_of_holidays(day), anchor + timedelta(days=1))

    def _visit(self, day: date) -> None:
        termly = self._causing_concern()
        self.on(day).record_visit(kind="monitoring" if termly else "school improvement",
                                  notes=_visit_notes(self.school, day, termly,
                                                     self._governance()))
        self.last_visit = day

    def _causing_concern(self) -> bool:
        try:
            return self.case_files.scheme.is_causing_concern(self.category)
        except CaseFileError:
            return False

    def _governance(self) -> str:
        return "academy" if self.urn == ACADEMY_URN else self.school.governance

    def inspect(self, inspected_on: date, published_on: date, quality: int,
                category: str | None = None, report_card: dict[str, str] | None = None,
                safeguarding: str = "met") -> str:
        """Records an Ofsted report in the vocabulary in force on ``inspected_on``.

        ``quality`` is the school's underlying grade (1-4); frameworks without an overall
        grade record none, and report cards get grades that fit it.
        """
        framework = framework_on(inspected_on)
        self._check(published_on)
        self._catch_up(published_on)
        fields: dict[str, Any] = {"overall": quality if framework.overall_grades else None}
        if framework.has_report_card:
            fields["report_card"] = report_card or _report_card(quality, self.school.phase)
            fields["safeguarding"] = safeguarding
        return self.command("record_inspection", published_on, _DATA_OFFICER, dated=False,
                            published_on=published_on, inspected_on=inspected_on,
                            category=category, **fields)

    def open_action(self, description: str) -> str:
        """The id of the open MSP action with this description (ids are the domain's)."""
        actions = self.case_files.school(self.urn)["msp"]["open_actions"]
        return next(a["action_id"] for a in actions if a["description"] == description)

    def version_of(self, event: str, **details: Any) -> int:
        """The version of the entry of this kind whose details match."""
        return next(
            e["version"] for e in self.case_files.history(self.urn)
            if e["event"] == event and all(e["details"].get(k) == v for k, v in details.items())
        )

    def switch_to(self, urn: int, day: date) -> None:
        """Carries on with another case file (the academy after a conversion)."""
        self.urn = urn
        self.urns.append(urn)
        self.category, self.last_visit = None, None
        self._assign(day, self.adviser_on(day))

    def _check(self, day: date) -> None:
        if day > self.until:
            raise _StoryEnds


@dataclass(frozen=True)
class _Teller:
    """A story as written: its dates and texts are the stories' week's, told on the day the
    demo is loaded (``StoryCalendar``); everything else is the story's own."""

    story: _Story

    @property
    def school(self) -> _School:
        return self.story.school

    @property
    def until(self) -> date:
        """Today, as a date of the story."""
        return self.story.until - self.story.calendar.shift

    def real(self, day: date) -> date:
        return self.story.calendar.real(day)

    def on(self, day: date, by: str | None = None) -> _ToldCommands:
        return _ToldCommands(self, day, self.story.on(self.real(day), by))

    def told(self, value: Any, on: date) -> Any:
        """A command's field as the story's day ``on`` is told: dates moved, texts retold."""
        if isinstance(value, str):
            return self.story.calendar.retell(value, on)
        if isinstance(value, date):
            return self.real(value)
        if isinstance(value, list):
            return [self.told(item, on) for item in value]
        if isinstance(value, dict):
            return {key: self.told(item, on) for key, item in value.items()}
        return value

    def categorise(self, day: date, to: str, reason: str, evidence: str = "") -> None:
        self.story.categorise(self.real(day), to, self.told(reason, day),
                              self.told(evidence, day))

    def inspect(self, inspected_on: date, published_on: date, quality: int,
                category: str | None = None, report_card: dict[str, str] | None = None,
                safeguarding: str = "met") -> str:
        return self.story.inspect(self.real(inspected_on), self.real(published_on), quality,
                                  category, report_card, safeguarding)

    def raise_concern(self, day: date, to_chair_on: date, **concern: Any) -> str:
        """Raises a concern and tells the headteacher that day, the chair of governors on
        ``to_chair_on``; returns the concern's id."""
        concern_id = self.on(day).raise_concern(**concern)
        self.on(day).communicate_concern(concern_id=concern_id, recipient="headteacher")
        self.on(to_chair_on).communicate_concern(concern_id=concern_id,
                                                 recipient="chair of governors")
        return concern_id

    def convert_to_academy(self, day: date, by: str, new_urn: int, name: str) -> None:
        self.story.on(self.real(day))
        self.story.command("convert_to_academy", self.real(day), by, new_urn=new_urn, name=name)

    def switch_to(self, urn: int, day: date) -> None:
        self.story.switch_to(urn, self.real(day))

    def ordinary_years(self, quality: int, last_inspected: date, since: date) -> None:
        """From ``since`` on, the school's years go on as an ordinary school's."""
        _ordinary_years(self.story, quality, self.real(last_inspected), self.real(since))

    def behind(self, first: date, caught_up: date) -> None:
        """The LA fell behind with this school's file: what took effect from ``first`` was
        recorded only on ``caught_up``."""
        self.story.behind = (self.real(first), self.real(caught_up))

    def open_action(self, description: str) -> str:
        return self.story.open_action(description)

    def version_of(self, event: str, **details: Any) -> int:
        return self.story.version_of(event, **details)


@dataclass(frozen=True)
class _ToldCommands:
    teller: _Teller
    day: date
    commands: _Commands

    def __getattr__(self, command: str) -> Callable[..., Any]:
        method = getattr(self.commands, command)
        return lambda **fields: method(**self.teller.told(fields, self.day))


@dataclass(frozen=True)
class _Commands:
    """``story.on(day).raise_concern(...)``: an application command with urn, by, effective."""

    story: _Story
    day: date
    by: str

    def __getattr__(self, command: str) -> Callable[..., Any]:
        dated = command not in ("retract_entry", "amend_entry")  # corrections: dated today
        return lambda **fields: self.story.command(command, self.day, self.by, dated=dated,
                                                   **fields)


# Ordinary schools: Ofsted's cadence and the LA's reviews ------------------------------------

_COVID_PAUSE = (date(2020, 3, 17), date(2021, 9, 13))
"""Routine graded inspections were suspended from March 2020 and resumed in autumn 2021."""
_EXEMPTION = (date(2012, 9, 1), date(2020, 9, 1))
"""Outstanding schools were exempt from routine inspection (Sep 2012 until the 2020 change)."""

_REASONS = {
    "1": "Sustained outstanding outcomes and leadership; light-touch support",
    "2": "Outcomes at or above national; secure leadership",
    "3a": "Outcomes close to national and improving; close to good",
    "3b": "Outcomes below national and falling; vulnerable at the next inspection",
}


def _ordinary_school(story: _Story) -> None:
    school, rng = story.school, story.rng
    if school.phase == "Not applicable" or school.phase == "Nursery":
        quality = rng.choices((1, 2, 3), (45, 45, 10))[0]
    else:
        quality = rng.choices((1, 2, 3), (15, 58, 27))[0]
    if school.opened_on and school.opened_on >= DEMO_STARTS:
        first = school.opened_on + timedelta(days=rng.randint(560, 700))
        _ordinary_years(story, quality, None, school.opened_on, first_inspection=first)
    else:
        last = DEMO_STARTS - timedelta(days=rng.randint(60, 4 * 365))
        _ordinary_years(story, quality, last, DEMO_STARTS)


def _ordinary_years(story: _Story, quality: int, last_inspected: date | None, since: date,
                    first_inspection: date | None = None) -> None:
    """Inspections on Ofsted's cadence and the LA's termly reviews, from ``since`` on.

    The whole plan is drawn before anything is recorded: up to the stories' week first, then
    on to today, so that the years up to the stories' week are drawn the same on any day.
    """
    rng = story.rng
    inspections: list[tuple[date, date, int]] = []
    grade, last = quality, last_inspected
    dips: dict[int, float] = {}
    drawn: date | None = None  # the next inspection, drawn but beyond the plan so far
    for planned_until in (_PLANNED_UNTIL, story.until):
        while True:
            if drawn is None:
                drawn = first_inspection if last is None else _next_inspection(last, grade, rng)
                if drawn < since + timedelta(days=30):  # overdue when the story starts
                    drawn = since + timedelta(days=rng.randint(30, 400))
                drawn = _term_time(drawn)
            if drawn > planned_until:
                break
            inspected_on, drawn = drawn, None
            grade = _next_grade(grade, rng)
            inspections.append((_publication(inspected_on, rng), inspected_on, grade))
            last = inspected_on
        dips |= {year: rng.random() for year in range(DEMO_STARTS.year, planned_until.year + 1)
                 if year not in dips}

    moments = [(published, 0, (inspected, grade)) for published, inspected, grade in inspections]
    moments += [(day, 1, None) for day in story.review_points if day >= since]
    known, concern, letter_sent = quality, None, False
    for day, _, inspection in sorted(moments, key=lambda m: (m[0], m[1])):
        if inspection is not None:
            story.inspect(inspection[0], day, inspection[1])
            known = inspection[1]
            continue
        to = _category_for(known, dips[_academic_year(day)])
        staying = to == story.category
        if staying:
            story.review(day)
        else:
            story.categorise(day, to, _REASONS[to], _latest_ofsted(story, day))
        if to == "3b" and concern is None:
            concern = story.on(day).raise_concern(
                ground="standards", source="performance data",
                description=_dip_description(story.school, day),
                evidence="LA performance profile; Analyse School Performance",
            )
            story.on(day).communicate_concern(
                concern_id=concern, recipient="headteacher",
                note="Discussed at the school performance profile visit",
            )
        elif to == "3b" and staying and not letter_sent:
            story.on(day, _head_on(day)).send_letter_of_concern(
                concern_ids=[concern], summary=(
                    "Outcomes have not improved since the concern was raised. The governing "
                    "body is asked to set out, within four weeks, how it will hold leaders to "
                    "account for the pace of improvement."
                ),
            )
            letter_sent = True
        elif to != "3b" and concern is not None:
            story.on(day).resolve_concern(
                concern_id=concern, outcome=f"Outcomes improved; LA category now {to}"
            )
            concern, letter_sent = None, False


def _next_inspection(last: date, grade: int, rng: random.Random) -> date:
    if grade == 1 and last < _EXEMPTION[1] and last + timedelta(days=5 * 365) > _EXEMPTION[0]:
        return date(2021, 11, 1) + timedelta(days=rng.randint(0, 960))
    if grade == 1:
        return last + timedelta(days=rng.randint(4 * 365, 5 * 365))
    if grade == 2:
        return last + timedelta(days=rng.randint(1300, 1650))
    return last + timedelta(days=rng.randint(640, 900))


def _next_grade(grade: int, rng: random.Random) -> int:
    outcomes = {1: ((1, 2), (65, 35)), 2: ((1, 2, 3), (8, 74, 18)), 3: ((2, 3), (60, 40))}
    grades, weights = outcomes[grade]
    return rng.choices(grades, weights)[0]


def _category_for(grade: int, dip: float) -> str:
    """The LA's judgement: Ofsted's grade, moved by the year's data (Peterborough 2013)."""
    if grade == 1:
        return "1" if dip > 0.1 else "2"
    if grade == 2:
        return "2" if dip > 0.12 else "3a"
    return "3b" if dip < 0.3 else "3a"


def _term_time(day: date) -> date:
    """Moves a date out of the summer and Christmas holidays and the COVID-19 pause."""
    if _COVID_PAUSE[0] <= day < _COVID_PAUSE[1]:
        # The catch-up after the pause ran over the next two school years.
        day = _COVID_PAUSE[1] + timedelta(days=(day - _COVID_PAUSE[0]).days % 660)
    if day.month == 8 or (day.month == 7 and day.day > 16):
        day = date(day.year, 9, 15)
    elif day.month == 12 and day.day > 14:
        day = date(day.year + 1, 1, 13)
    elif day.month == 1 and day.day < 8:
        day = date(day.year, 1, 13)
    while day.weekday() > 2:  # inspections start Monday to Wednesday
        day += timedelta(days=1)
    return day


def _weekday(day: date) -> date:
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


def _publication(inspected_on: date, rng: random.Random) -> date:
    """Reports appear three to five weeks after the inspection, not over Christmas."""
    day = inspected_on + timedelta(days=rng.randint(18, 32))
    if (day.month, day.day) >= (12, 20):
        day = date(day.year + 1, 1, 6)
    elif (day.month, day.day) <= (1, 3):
        day = date(day.year, 1, 6)
    return _weekday(day)


def _review_points(until: date) -> Iterator[date]:
    """School Performance Profile reviews: September, January and April (Peterborough 2013)."""
    for year in range(DEMO_STARTS.year, until.year + 1):
        for month, day in ((1, 20), (4, 27), (9, 22)):
            review = _weekday(date(year, month, day))
            if DEMO_STARTS <= review <= until:
                yield review


def _review_reason(category: str, day: date) -> str:
    term = "Autumn" if day.month >= 9 else "Spring" if day.month < 4 else "Summer"
    return f"{term} term school performance profile. {_STAYING[category]}"


_STAYING = {
    "1": "Outcomes and leadership remain outstanding",
    "2": "Outcomes at or above national; leadership secure",
    "3a": "Close to good; improvement continuing",
    "3b": "Still vulnerable: outcomes below national; termly monitoring continues",
    "4": "Still inadequate: intensive support and termly monitoring continue",
}


_AUTUMN_TERM = ((9, 8), (12, 10))
"""When annual visits happen: from the second week of September to mid-December."""


def _in_autumn_term(day: date) -> bool:
    return _AUTUMN_TERM[0] <= (day.month, day.day) <= _AUTUMN_TERM[1]


def _autumn_visit(anchor: date, due: date, draw: random.Random) -> date:
    """A day in the first autumn term at least eight weeks after ``anchor`` and before
    ``due``: the first annual visit after a change of category."""
    for year in (anchor.year, anchor.year + 1):
        first = max(date(year, *_AUTUMN_TERM[0]), anchor + timedelta(weeks=8))
        last = min(date(year, *_AUTUMN_TERM[1]), due - timedelta(days=1))
        if first <= last:
            return first + timedelta(days=draw.randint(0, (last - first).days))
    return due - timedelta(days=draw.randint(7, 28))  # a short cadence: just before it


def _out_of_holidays(day: date) -> date:
    """Moves a visit earlier, out of the summer and Christmas holidays and the weekend."""
    if (day.month, day.day) >= (7, 18) and (day.month, day.day) < (9, 4):
        day = date(day.year, 7, 17)
    elif (day.month, day.day) >= (12, 18):
        day = date(day.year, 12, 16)
    elif (day.month, day.day) < (1, 6):
        day = date(day.year - 1, 12, 16)
    while day.weekday() > 4:
        day -= timedelta(days=1)
    return day


_REMOTE = ((date(2020, 3, 23), date(2020, 7, 17)), (date(2021, 1, 5), date(2021, 3, 7)))
"""Schools closed to most pupils (COVID-19): advisers visited by video call."""

_FOCUS = {
    "Primary": ("early reading and phonics", "mathematics in key stage 2",
                "writing across key stage 2", "the early years foundation stage",
                "attendance of disadvantaged pupils", "SEND provision",
                "the foundation subjects curriculum", "behaviour and suspensions"),
    "Secondary": ("Progress 8 and the key stage 4 curriculum", "persistent absence",
                  "disadvantaged pupils' outcomes", "behaviour and suspensions",
                  "reading in key stage 3", "SEND provision", "careers guidance"),
    "Not applicable": ("progress towards EHCP outcomes", "attendance",
                       "the curriculum for pupils with complex needs",
                       "therapy and health partners", "preparation for adulthood"),
    "Nursery": ("communication and language", "two-year-old places",
                "transition to reception", "staff training and ratios"),
}
_ANNUAL = (
    "Annual visit: the headteacher's self-evaluation agreed; looked at {focus}. No "
    "concerns.",
    "Annual visit with the headteacher and chair of governors: improvement plan on track; "
    "learning walk on {focus}.",
    "Annual visit: data and self-evaluation reviewed; {focus} agreed as next year's "
    "priority.",
)
_ACADEMY = (
    "Annual monitoring meeting with the trust's director of education: self-evaluation "
    "shared; discussed {focus}.",
)
_TERMLY = (
    "Termly monitoring visit: progress against the action plan reviewed with the "
    "headteacher; {focus} still the main weakness.",
    "Termly monitoring visit: learning walk and work scrutiny on {focus}; some improvement, "
    "not yet secure.",
    "Termly monitoring visit with the headteacher and chair: {focus} improving; next "
    "steps agreed.",
)


def _visit_notes(school: _School, day: date, termly: bool, governance: str) -> str:
    draw = random.Random(f"{school.urn} {day}")
    focus = draw.choice(_FOCUS[school.phase])
    if any(start <= day <= end for start, end in _REMOTE):
        return (f"Remote visit by video call during partial closure: remote education, "
                f"vulnerable pupils' attendance and staff wellbeing; {focus} discussed.")
    notes = _TERMLY if termly else _ACADEMY if governance == "academy" else _ANNUAL
    return draw.choice(notes).format(focus=focus)


def _academic_year(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def _latest_ofsted(story: _Story, day: date) -> str:
    ofsted = story.case_files.school(story.urn, as_at=day)["ofsted"]
    if ofsted is None:
        return "Not yet inspected"
    label = ofsted["overall_label"] or "no overall grade"
    return f"Latest Ofsted ({ofsted['inspected_on']:%d %B %Y}): {label}"


def _dip_description(school: _School, day: date) -> str:
    year = day.year if day.month >= 9 else day.year - 1
    if school.phase == "Secondary":
        return (f"Provisional {year} GCSE results: Progress 8 well below average; "
                "disadvantaged pupils' attainment falling for a second year")
    if school.phase == "Not applicable":
        return "Too few pupils meeting their EHCP outcomes; attendance falling"
    if school.phase == "Nursery":
        return "Children's communication and language outcomes falling for a second year"
    return (f"Provisional {year} KS2 results: reading, writing and maths combined well "
            "below national; phonics screening check below 70%")


def _report_card(quality: int, phase: str) -> dict[str, str]:
    """Report card grades (from 10 November 2025) that fit an underlying grade."""
    areas = ["inclusion", "curriculum and teaching", "achievement", "attendance and behaviour",
             "personal development and well-being", "leadership and governance"]
    if phase in ("Primary", "Nursery"):
        areas.insert(5, "early years")
    grades = dict.fromkeys(areas, "expected standard")
    if quality == 1:
        grades.update(dict.fromkeys(areas, "strong standard"))
        grades["personal development and well-being"] = "exceptional"
        grades["leadership and governance"] = "exceptional"
    elif quality == 2:
        grades["attendance and behaviour"] = "strong standard"
    elif quality == 3:
        grades["achievement"] = grades["curriculum and teaching"] = "needs attention"
    else:
        grades.update(dict.fromkeys(areas, "needs attention"))
        grades["achievement"] = grades["leadership and governance"] = "urgent improvement"
    return grades


# The stories -------------------------------------------------------------------------------

def _notice_to_improve(s: _Teller) -> None:
    """2011: inadequate with a notice to improve (the pre-2012 vocabulary), then recovery."""
    s.categorise(date(2010, 9, 20), "3a", "Satisfactory (Ofsted 2008); early years weak",
                 "Ofsted report, June 2008")
    report = s.inspect(date(2011, 2, 8), date(2011, 3, 8), 4, category="notice to improve")
    s.categorise(date(2011, 3, 8), "4", "Ofsted: inadequate, notice to improve",
                 "Ofsted report published 8 March 2011")
    concern = s.on(date(2011, 3, 14)).raise_concern(
        ground="standards", source="Ofsted report",
        description="Phonics and early reading: Ofsted notice to improve",
        evidence="Ofsted report, March 2011",
    )
    s.on(date(2011, 3, 14)).communicate_concern(concern_id=concern, recipient="headteacher")
    s.on(date(2011, 3, 18), _head_on(date(2011, 3, 18))).record_statement_of_action(
        inspection_id=report, summary=(
            "An early reading consultant in the school for two days a week; phonics training "
            "for all staff in key stage 1; termly monitoring visits until Ofsted returns."
        ),
    )
    s.on(date(2011, 3, 21)).communicate_concern(concern_id=concern,
                                                recipient="chair of governors")
    s.inspect(date(2012, 3, 6), date(2012, 4, 3), 3)
    s.categorise(date(2012, 4, 23), "3b", "Notice to improve lifted; recently out of inadequate",
                 "Ofsted report published 3 April 2012")
    s.on(date(2012, 9, 24)).resolve_concern(
        concern_id=concern, outcome="Phonics screening check 74% in 2012; Ofsted satisfied"
    )
    s.categorise(date(2013, 1, 21), "3a", "Secure improvement in early reading")
    s.ordinary_years(3, date(2012, 3, 6), date(2013, 2, 1))


def _special_measures(s: _Teller) -> None:
    """2026: a report card with urgent improvement puts the school in special measures,
    which makes it eligible for intervention without any step by the LA (s62)."""
    s.categorise(date(2010, 9, 20), "2", _REASONS["2"], "Ofsted report, May 2009")
    s.inspect(date(2012, 2, 7), date(2012, 3, 6), 2)
    s.inspect(date(2015, 6, 9), date(2015, 7, 7), 3)
    s.categorise(date(2015, 9, 21), "3a", "Ofsted: requires improvement; leaders have capacity")
    s.inspect(date(2017, 5, 16), date(2017, 6, 13), 2)
    s.categorise(date(2017, 9, 25), "2", "Ofsted: good")
    s.inspect(date(2021, 11, 9), date(2021, 12, 7), 3)
    s.categorise(date(2022, 1, 20), "3a", "Ofsted: requires improvement")
    s.categorise(date(2023, 9, 22), "3b", _REASONS["3b"], "Provisional 2023 KS2 results")
    concern = s.on(date(2023, 10, 2)).raise_concern(
        ground="standards", source="performance data",
        description=_dip_description(s.school, date(2023, 10, 2)),
        evidence="Provisional 2023 KS2 results; LA visit notes",
    )
    s.on(date(2023, 10, 2)).communicate_concern(concern_id=concern, recipient="headteacher")
    s.on(date(2024, 1, 22), _head_on(date(2024, 1, 22))).send_letter_of_concern(
        concern_ids=[concern], summary=(
            "Leaders have not acted on the LA's advice about the reading curriculum; "
            "governors are asked to commission an external review of reading."
        ),
    )
    s.inspect(date(2024, 10, 8), date(2024, 11, 12), 3)
    report = s.inspect(date(2026, 1, 27), date(2026, 3, 3), 4, category="special measures",
                       report_card=_report_card(4, "Primary") | {"curriculum and teaching":
                                                                "urgent improvement"})
    s.categorise(date(2026, 3, 3), "4", "Ofsted: special measures (report card, March 2026)",
                 "Ofsted report card published 3 March 2026")
    leadership = s.on(date(2026, 3, 9)).raise_concern(
        ground="leadership and governance", source="school visit",
        description="Governors did not know about the weaknesses Ofsted found in the curriculum",
        evidence="Ofsted report card, March 2026",
    )
    s.on(date(2026, 3, 9)).communicate_concern(concern_id=leadership,
                                               recipient="chair of governors")
    s.on(date(2026, 3, 13), _head_on(date(2026, 3, 13))).record_statement_of_action(
        inspection_id=report, summary=(
            "Weekly adviser support for the headteacher; an external review of the curriculum "
            "and of reading, reported to governors by May; additional governors with "
            "curriculum and finance experience; termly monitoring visits; the LA will work "
            "with the Regional Director on the academy order."
        ),
    )
    s.on(date(2026, 3, 24), _head_on(date(2026, 3, 24))).record_academy_order(
        # Told on a later day, the story's March 2026 may fall after the duty's repeal
        # (Children's Wellbeing and Schools Act 2026 s58): the order is then the power's.
        basis="duty" if s.real(date(2026, 3, 24)) <= date(2026, 6, 28) else "power",
        reference="Academy order made by the Secretary of State; the LA is working with the "
                  "Regional Director to find a sponsor trust",
    )
    s.on(date(2026, 4, 20), _head_on(date(2026, 4, 20))).exercise_power(
        power="s64",
        details="Two additional governors with curriculum and finance experience appointed",
    )


def _warning_notice_complied_2014(s: _Teller) -> None:
    """2014: a warning notice under the old fixed 15-working-day period, complied with."""
    s.categorise(date(2010, 9, 20), "3a", "Satisfactory (Ofsted 2009)")
    s.inspect(date(2012, 1, 17), date(2012, 2, 14), 3)
    s.categorise(date(2013, 9, 23), "3b", "2013 KS2 results fell to 52% at the expected level")
    concern = s.on(date(2013, 9, 23)).raise_concern(
        ground="standards", source="performance data",
        description=_dip_description(s.school, date(2013, 9, 23)),
        evidence="2013 KS2 results",
    )
    s.on(date(2013, 9, 23)).communicate_concern(concern_id=concern, recipient="headteacher")
    s.inspect(date(2013, 12, 3), date(2014, 1, 7), 3)
    s.categorise(date(2014, 9, 22), "4", "2014 KS2: 41% at the expected level; leadership "
                                         "capacity weak", "Provisional 2014 KS2 results")
    head = _head_on(date(2014, 10, 6))
    s.on(date(2014, 10, 6), head).send_letter_of_concern(
        concern_ids=[concern],
        summary="Standards have fallen for a second year; the LA is considering a warning notice",
    )
    notice = s.on(date(2014, 11, 10), head).issue_warning_notice(
        grounds=["a"],
        matters="KS2 attainment has fallen for two years and is well below floor standards",
        required_actions="Adopt the LA's reading and mathematics action plan; commission "
                         "support from Lodeway Primary School (a National Support School)",
        minded_action="Appoint additional governors (s64)",
    )
    s.on(date(2014, 12, 8), head).record_compliance(
        notice_id=notice, complied=True,
        evidence="Action plan adopted by the governing body on 1 December 2014; support "
                 "agreement with Lodeway Primary School signed",
    )
    s.inspect(date(2015, 6, 9), date(2015, 7, 7), 3)
    s.categorise(date(2015, 9, 21), "3b", "Recently out of inadequate (LA judgement)")
    s.categorise(date(2016, 4, 27), "3a", "2015 KS2 results back to national")
    s.on(date(2016, 4, 27)).resolve_concern(concern_id=concern,
                                            outcome="KS2 results at national for 2015")
    s.ordinary_years(3, date(2015, 6, 9), date(2016, 5, 1))


def _serious_weaknesses(s: _Teller) -> None:
    """2021: serious weaknesses (s61) make the school eligible; the 2023 report ends it."""
    s.categorise(date(2010, 9, 20), "2", _REASONS["2"])
    s.inspect(date(2012, 5, 15), date(2012, 6, 12), 2)
    s.inspect(date(2016, 3, 8), date(2016, 4, 5), 2)
    s.categorise(date(2019, 9, 23), "3a", "2019 KS2 results below national")
    report = s.inspect(date(2021, 11, 16), date(2021, 12, 14), 4, category="serious weaknesses")
    s.categorise(date(2021, 12, 14), "4", "Ofsted: serious weaknesses")
    concern = s.on(date(2021, 12, 14)).raise_concern(
        ground="standards", source="Ofsted report",
        description="Ofsted: serious weaknesses in reading and mathematics",
        evidence="Ofsted report published 14 December 2021",
    )
    s.on(date(2021, 12, 14)).communicate_concern(concern_id=concern, recipient="headteacher")
    s.on(date(2021, 12, 15)).communicate_concern(concern_id=concern,
                                                 recipient="chair of governors")
    s.on(date(2021, 12, 22), _head_on(date(2021, 12, 22))).record_statement_of_action(
        inspection_id=report, summary=(
            "Support in reading and mathematics brokered from Lodeway Primary School; termly "
            "monitoring visits; a review of governance; progress reported to the LA each term."
        ),
    )
    s.on(date(2022, 1, 10), _head_on(date(2022, 1, 10))).send_letter_of_concern(
        concern_ids=[concern], summary="The LA's statement of action and the support it will "
                                       "broker in reading and mathematics",
    )
    s.on(date(2022, 1, 31), _head_on(date(2022, 1, 31))).record_arrangements_consultation(
        consultee=GOVERNING_BODY, response="The governors agree to collaborate with Lodeway "
                                           "Primary School and ask for termly reviews",
    )
    s.on(date(2022, 2, 7), _head_on(date(2022, 2, 7))).exercise_power(
        power="s63", details="Required to collaborate with Lodeway Primary School on reading "
                             "and mathematics for two terms",
    )
    s.inspect(date(2023, 10, 10), date(2023, 11, 14), 3)
    s.categorise(date(2024, 1, 22), "3b", "Out of serious weaknesses; recently out of "
                                          "inadequate")
    s.on(date(2024, 1, 22)).resolve_concern(
        concern_id=concern, outcome="Ofsted no longer finds serious weaknesses (November 2023)"
    )
    s.ordinary_years(3, date(2023, 10, 10), date(2024, 2, 1))


def _warning_notice_complied_2019(s: _Teller) -> None:
    """2019: a safety warning notice, ground (c), with a period the LA set; complied with."""
    s.categorise(date(2010, 9, 20), "2", _REASONS["2"])
    s.inspect(date(2011, 11, 15), date(2011, 12, 13), 2)
    s.inspect(date(2015, 5, 12), date(2015, 6, 9), 2)
    concern = s.raise_concern(
        date(2018, 11, 26), date(2018, 11, 27), ground="safeguarding",
        source="safeguarding referral",
        description="Two assaults on staff in October; fixed-term exclusions tripled since "
                    "September",
        evidence="Exclusion returns; incident reports to the LA's health and safety team",
    )
    s.categorise(date(2019, 1, 21), "3b", "Behaviour and safety have broken down")
    head = _head_on(date(2019, 2, 4))
    notice = s.on(date(2019, 2, 4), head).issue_warning_notice(
        grounds=["c"], compliance_period=20,
        matters="A breakdown of discipline threatens the safety of pupils and staff",
        required_actions="Adopt and apply a new behaviour policy; commission an external "
                         "review of behaviour; report weekly incident figures to the LA",
        minded_action="Require the school to work with Kingsfen High School (s63) and "
                      "appoint additional governors (s64)",
        copies_to=["Ofsted", "Regional Schools Commissioner"],
    )
    s.on(date(2019, 3, 18), head).record_compliance(
        notice_id=notice, complied=True,
        evidence="New behaviour policy in place from 25 February; external review found "
                 "incidents down by two thirds",
    )
    s.on(date(2019, 3, 18)).resolve_concern(concern_id=concern,
                                            outcome="Warning notice complied with")
    s.categorise(date(2019, 4, 29), "3a", "Behaviour secure since the warning notice")
    s.inspect(date(2019, 6, 11), date(2019, 7, 9), 3)
    s.ordinary_years(3, date(2019, 6, 11), date(2019, 9, 1))


def _academy_conversion(s: _Teller) -> None:
    """2011: an outstanding school converts; the academy's file starts under a new URN."""
    s.categorise(date(2010, 9, 20), "1", _REASONS["1"], "Ofsted report, November 2009")
    s.on(CONVERSION_DATE, _head_on(CONVERSION_DATE)).change_school_details(pupils=1436)
    s.convert_to_academy(CONVERSION_DATE, _head_on(CONVERSION_DATE), new_urn=ACADEMY_URN,
                         name="Cranmoor Academy")
    s.switch_to(ACADEMY_URN, CONVERSION_DATE)
    s.ordinary_years(1, date(2009, 11, 17), CONVERSION_DATE)


def _warning_notice_then_ieb(s: _Teller) -> None:
    """The featured school: concerns, category 4 and an MSP group; a warning notice not
    complied with, notice of intervention, and an interim executive board (s65) after
    consulting the governing body and the diocesan authority."""
    s.categorise(date(2010, 9, 20), "2", _REASONS["2"], "Ofsted report, March 2009")
    s.inspect(date(2011, 5, 10), date(2011, 6, 7), 2)
    s.inspect(date(2014, 3, 11), date(2014, 4, 8), 2)
    s.inspect(date(2018, 2, 27), date(2018, 3, 27), 2)
    s.categorise(date(2023, 1, 20), "3a", "2022 KS2 results well below national; new "
                                          "headteacher from September 2022")
    s.inspect(date(2023, 5, 16), date(2023, 6, 20), 3)
    s.categorise(date(2023, 9, 22), "3b", _REASONS["3b"],
                 "Ofsted: requires improvement; 2023 KS2 reading, writing and maths 38%")
    standards = s.on(date(2023, 10, 9)).raise_concern(
        ground="standards", source="performance data",
        description="KS2 reading, writing and maths combined 38% in 2023 against 60% nationally",
        evidence="Provisional 2023 KS2 results",
    )
    s.on(date(2023, 10, 9)).communicate_concern(concern_id=standards, recipient="headteacher")
    s.on(date(2023, 10, 16)).communicate_concern(concern_id=standards,
                                                 recipient="chair of governors")
    governance = s.on(date(2024, 1, 22)).raise_concern(
        ground="leadership and governance", source="school visit",
        description="The governing body has been inquorate at three of its last four meetings "
                    "and has not challenged the headteacher on pupil premium spending",
        evidence="Governing body minutes, September to December 2023",
    )
    s.on(date(2024, 1, 22)).communicate_concern(concern_id=governance,
                                                recipient="chair of governors")
    head = "Helen Marsh, Head of School Improvement"
    letter = s.on(date(2024, 2, 5), head).send_letter_of_concern(
        concern_ids=[standards, governance],
        summary="The governing body must be quorate and hold leaders to account for pupil "
                "premium spending by 28 March 2042",
    )
    s.categorise(date(2024, 9, 23), "4", "LA judgement: inadequate. Governance has broken "
                                         "down and 2024 KS2 results fell again",
                 "Provisional 2024 KS2 results; governing body minutes")

    msp = _MSPGroup(s, head)
    s.on(date(2024, 9, 30), head).establish_msp_group(members=msp.members, cadence_weeks=6)
    msp.schedule(date(2024, 9, 30), date(2024, 10, 15))
    msp.hold(date(2024, 10, 15), "Group set up; terms of reference agreed",
             [("Submit a costed pupil premium strategy to the group", "Headteacher",
               date(2024, 11, 22)),
              ("Commission an external review of governance", "Chair of Governors",
               date(2024, 12, 13))])
    msp.schedule(date(2024, 10, 15), date(2024, 11, 26))
    msp.complete(date(2024, 11, 22), "Submit a costed pupil premium strategy to the group")
    msp.hold(date(2024, 11, 26), "Pupil premium strategy accepted; governance review not "
                                 "commissioned",
             [("Phonics training for all KS1 staff", "Headteacher", date(2025, 1, 31))])
    msp.schedule(date(2024, 11, 26), date(2025, 1, 14))

    notice = s.on(date(2025, 1, 13), head).issue_warning_notice(
        grounds=["a", "b"], compliance_period=20,
        matters="Standards are unacceptably low and likely to remain so; the governing body "
                "has been inquorate and has not commissioned the review of governance the MSP "
                "group asked for",
        required_actions="Commission and act on an external review of governance; fill the "
                         "vacancies on the governing body; adopt the MSP group's reading plan",
        minded_action="Apply to the Secretary of State to replace the governing body with an "
                      "interim executive board (s65)",
        copies_to=["Ofsted", "Diocesan Board of Education", "Regional Director"],
    )
    msp.hold(date(2025, 1, 14), "Warning notice discussed with the chair of governors",
             [("Respond to the warning notice with an action plan", "Chair of Governors",
               date(2025, 2, 10))])
    msp.schedule(date(2025, 1, 14), date(2025, 3, 4))
    msp.complete(date(2025, 1, 31), "Phonics training for all KS1 staff")
    msp.complete(date(2025, 2, 21), "Respond to the warning notice with an action plan",
                 "Received late, on 21 February, and did not address governance")
    s.on(date(2025, 2, 24), head).record_compliance(
        notice_id=notice, complied=False,
        evidence="No review of governance commissioned; two of five vacancies filled; the "
                 "governing body did not meet in February",
    )
    s.on(date(2025, 3, 3), head).give_intervention_notice(
        notice_id=notice, proposed_powers=["s65"],
        proposed_action="Apply for consent to replace the governing body with an interim "
                        "executive board (s65)",
    )
    msp.hold(date(2025, 3, 4), "Notice of intervention explained to staff and governors",
             [("Draft a communication plan for parents", "School Improvement Adviser",
               date(2025, 3, 28))])
    msp.schedule(date(2025, 3, 4), date(2025, 4, 29))
    application = s.on(date(2025, 3, 17), head).draft_ieb_application(
        rationale="Warning notice WN1 not complied with; governance has broken down and "
                  "standards remain unacceptably low",
    )
    msp.complete(date(2025, 3, 26), "Draft a communication plan for parents")
    s.on(date(2025, 3, 31), head).record_ieb_consultation(
        application_id=application, consultee="governing body",
        response="The governing body opposes an IEB and asks for time to recruit governors",
    )
    s.on(date(2025, 4, 7), head).record_ieb_consultation(
        application_id=application, consultee=DIOCESAN_AUTHORITY,
        response="The Diocesan Board of Education supports an IEB and nominates a member",
    )
    msp.hold(date(2025, 4, 29), "Consultation responses reviewed", [])
    msp.schedule(date(2025, 4, 29), date(2025, 6, 10))
    s.on(date(2025, 5, 6), head).submit_ieb_application(application_id=application)
    msp.hold(date(2025, 6, 10), "Reading plan in place in every class", [])
    msp.schedule(date(2025, 6, 10), date(2025, 7, 15))
    s.on(date(2025, 6, 16), head).record_ieb_decision(application_id=application, consent=True)
    msp.hold(date(2025, 7, 15), "Handover to the IEB planned for 1 September", [])
    msp.schedule(date(2025, 7, 15), date(2025, 9, 30))
    s.on(date(2025, 9, 1), head).constitute_ieb(
        application_id=application, members=_IEB_MEMBERS, term_ends_on=date(2027, 8, 31),
        instrument_on=date(2025, 8, 22),
        terms="Until 31 August 2027, or until a governing body is constituted; the chair "
              "paid for two days a month, the other members expenses only",
    )
    s.on(date(2025, 9, 1), head).resolve_concern(
        concern_id=governance, outcome="The governing body was replaced by an interim "
                                       "executive board on 1 September 2025",
    )
    msp.complete(date(2025, 9, 30), "Commission an external review of governance",
                 "Overtaken by events: the IEB replaced the governing body")
    msp.hold(date(2025, 9, 30), "First meeting with the IEB chair",
             [("Agree the school improvement plan", "IEB chair", date(2025, 10, 31))])
    msp.schedule(date(2025, 9, 30), date(2025, 11, 11))
    msp.complete(date(2025, 10, 31), "Agree the school improvement plan")
    # The adviser was away from mid-November: the file was brought up to date in January.
    s.behind(date(2025, 11, 11), date(2026, 1, 13))
    msp.hold(date(2025, 11, 11), "School improvement plan monitored", [])
    msp.schedule(date(2025, 11, 11), date(2026, 1, 13))
    msp.hold(date(2026, 1, 13), "Autumn assessment results reviewed", [])
    msp.schedule(date(2026, 1, 13), date(2026, 3, 3))
    msp.hold(date(2026, 3, 3), "Inspection feedback discussed", [])
    msp.schedule(date(2026, 3, 3), date(2026, 4, 28))
    s.inspect(date(2026, 2, 10), date(2026, 3, 17), 3,
              report_card=_report_card(3, "Primary") | {"leadership and governance":
                                                       "expected standard"})
    s.categorise(date(2026, 4, 27), "3b", "Report card March 2026: no category of concern; "
                                          "the IEB leads well; outcomes still low")
    msp.hold(date(2026, 4, 28), "Report card reviewed", [])
    msp.schedule(date(2026, 4, 28), date(2026, 6, 9))
    msp.hold(date(2026, 6, 9), "Summer assessment plans reviewed", [])
    msp.schedule(date(2026, 6, 9), date(2026, 7, 14))
    msp.hold(date(2026, 7, 14), "End-of-year review",
             [("Present a plan to cut persistent absence", "Headteacher",
               date(2026, 9, 25))])
    msp.schedule(date(2026, 7, 14), date(2026, 9, 29))
    msp.hold(date(2026, 9, 29), "2026 results reviewed; attendance plan not yet presented",
             [("Publish an analysis of the 2026 KS2 results", "Headteacher",
               date(2026, 10, 23)),
              ("Complete safer recruitment training for the IEB", "IEB chair",
               date(2026, 10, 16))])
    msp.schedule(date(2026, 9, 29), date(2026, 11, 10))
    mistaken = s.on(date(2026, 10, 5)).raise_concern(
        ground="other", source="performance data",
        description="Persistent absence 31% in the first half of the autumn term",
        evidence="Attendance return, October 2026",
    )
    msp.complete(date(2026, 10, 14), "Complete safer recruitment training for the IEB")
    msp.hold(date(2026, 11, 10), "IEB reports on the 2026 results analysis (late)",
             [("Send the group the autumn term attendance figures", "Headteacher",
               date(2026, 12, 4)),
              ("Draft the plan to hand back to a governing body", "IEB chair",
               date(2027, 1, 29))])
    msp.schedule(date(2026, 11, 10), date(2026, 12, 15))

    # Corrections are recorded today: a concern entered against the wrong school, and a
    # letter whose deadline was mistyped.
    today = s.until
    s.on(today, head).retract_entry(
        version=s.version_of("ConcernRaised", concern_id=mistaken),
        reason="Recorded against the wrong school: the figures are Whittlefen Primary "
               "School's",
    )
    s.on(today, head).amend_entry(
        version=s.version_of("LetterOfConcernSent", letter_id=letter),
        changes={"summary": "The governing body must be quorate and hold leaders to account "
                            "for pupil premium spending by 28 March 2024"},
        reason="The deadline was mistyped: the letter sent said 28 March 2024",
    )


def _stuck_school_in_rise(s: _Teller) -> None:
    """A "stuck" school: requires improvement at two inspections running, then the DfE's RISE
    team identifies it for targeted intervention this autumn, with an adviser and a plan."""
    s.categorise(date(2010, 9, 20), "2", _REASONS["2"], "Ofsted report, June 2010")
    s.inspect(date(2013, 6, 11), date(2013, 7, 9), 3)
    s.categorise(date(2013, 9, 23), "3a", "Ofsted: requires improvement, July 2013")
    s.inspect(date(2017, 5, 9), date(2017, 6, 6), 3)
    s.inspect(date(2021, 11, 9), date(2021, 12, 7), 3)
    s.categorise(date(2022, 1, 10), "3b", "Requires improvement at three inspections running")
    adviser = "Priya Natarajan"
    s.on(date(2026, 9, 14)).identify_for_rise(
        basis="Requires improvement at its last three inspections: a stuck school the RISE "
              "team will support with targeted intervention")
    s.on(date(2026, 9, 21)).assign_rise_adviser(adviser=adviser)
    s.on(date(2026, 10, 19)).agree_rise_plan(
        summary="Reading in key stage 1, middle leaders' monitoring and governors' challenge; "
                "milestones each half term to July 2027")
    s.on(date(2026, 11, 16)).record_rise_review(
        notes="Phonics groups reorganised; middle leaders now observe lessons fortnightly",
        outcome="On track for the first milestone")


def _warning_notice_awaiting_decision(s: _Teller) -> None:
    """This term: attendance collapses, governors do not act, and a warning notice's
    compliance period ends with the LA's decision on intervention still to make."""
    s.categorise(date(2010, 9, 20), "2", _REASONS["2"], "Ofsted report, February 2010")
    s.inspect(date(2011, 10, 4), date(2011, 11, 1), 2)
    s.inspect(date(2015, 11, 10), date(2015, 12, 8), 2)
    s.inspect(date(2021, 10, 5), date(2021, 11, 2), 2)
    s.categorise(date(2025, 9, 22), "3a", "2025 KS2 results below national; attendance "
                                          "falling", "Provisional 2025 KS2 results")
    s.categorise(date(2026, 9, 22), "3b", "Persistent absence doubled in a year; leaders and "
                                          "governors have no plan", "Attendance returns, 2025-26")
    concern = s.raise_concern(
        date(2026, 10, 5), date(2026, 10, 6), ground="other", source="performance data",
        description="Persistent absence 31% in the first half of the autumn term, against 15% "
                    "nationally",
        evidence="Attendance return, October 2026",
    )
    head = _head_on(date(2026, 10, 12))
    s.on(date(2026, 10, 12), head).send_letter_of_concern(
        concern_ids=[concern],
        summary="The governing body is asked to adopt an attendance plan with the LA's "
                "attendance team by 16 October 2026",
    )
    s.on(date(2026, 10, 19), head).issue_warning_notice(
        grounds=["b"], compliance_period=15,
        matters="The governing body has not acted on persistent absence of 31%; it did not "
                "adopt the attendance plan the LA asked for by 16 October 2026",
        required_actions="Adopt and apply an attendance plan agreed with the LA's attendance "
                         "team; report weekly attendance to the LA",
        minded_action="Appoint additional governors (s64)",
        copies_to=["Ofsted", "Regional Director"],
    )


@dataclass
class _MSPGroup:
    """The featured school's monitoring group: meetings scheduled, held, actions done."""

    story: _Teller
    chair: str
    members: list[str] = field(default_factory=lambda: [
        "Helen Marsh (LA, chair)", f"{DEMO_CASEWORKER.name} (School Improvement Adviser)",
        "Revd Clare Ashby (Diocesan Schools Adviser)", "Headteacher", "Chair of Governors",
    ])
    next_meeting: str | None = None
    actions: dict[str, str] = field(default_factory=dict)  # as written: as told

    def schedule(self, on: date, meets_on: date) -> None:
        self.next_meeting = self.story.on(on, self.chair).schedule_msp_meeting(meets_on=meets_on)

    def hold(self, on: date, minutes: str, actions: list[tuple[str, str, date]]) -> None:
        attendees = self.members if on < date(2025, 9, 1) else [
            *self.members[:4], "Dr Ruth Penhaligon (IEB chair)"]
        self.actions |= {d: self.story.told(d, on) for d, _, _ in actions}
        self.story.on(on, self.chair).hold_msp_meeting(
            meeting_id=self.next_meeting, attendees=attendees, minutes=minutes,
            actions=[{"description": d, "owner": o, "due": due} for d, o, due in actions],
        )
        self.next_meeting = None

    def complete(self, on: date, description: str, note: str = "Done") -> None:
        action_id = self.story.open_action(self.actions[description])
        self.story.on(on, self.chair).complete_msp_action(action_id=action_id, note=note)


# Work in hand ----------------------------------------------------------------------------

_DEMO_HEAD = _Adviser("Helen Marsh", "head@fenmarsh.example")
"""The demo's head user (``cli.main.DEMO_USERS``)."""


def _work_in_hand(case_files: SchoolCaseFiles, today: date) -> None:
    """Tasks the team set each other this morning, so that My work has something due today
    and this week beside the overdue deadlines of the caseworker's schools."""
    head = "Helen Marsh, Head of School Improvement"
    for urn, what, owner, days in (
            (990024, "Ring the headteacher about the autumn attendance figures",
             DEMO_CASEWORKER, 0),
            (990016, "Read the governors' minutes before the next visit", DEMO_CASEWORKER, 3),
            (SPECIAL_MEASURES_URN, "Agree the date of the next monitoring visit with HMI",
             _DEMO_HEAD, 4)):
        case_files.set_task(urn, by=head, effective=today, what=what, owner_name=owner.name,
                            owner_email=owner.email, due=today + timedelta(days=days))
    # A warning notice the caseworker drafted this morning, waiting for the head's approval
    # (rule sign-off): the head's My work lists it under "Waiting for your approval".
    case_files.draft_step(
        990009, by=DEMO_CASEWORKER.signature, effective=today, step="issue_warning_notice",
        reason="Two terms of falling attendance and no recovery plan from the governors",
        arguments={
            "grounds": ["a"], "compliance_period": 15,
            "matters": "Standards of attendance are unacceptably low and falling; the "
                       "governing body has not adopted the attendance recovery plan the LA "
                       "asked for in September",
            "required_actions": "Adopt and publish an attendance recovery plan; report "
                                "attendance to the LA every half term",
            "minded_action": "Require the governing body to enter into arrangements (s63)",
            "copies_to": ["Ofsted"]})
