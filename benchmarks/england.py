"""England-scale case files for the benchmarks: 22,000 schools' histories, written in bulk.

Each school's story is told through the ``SchoolCaseFile`` aggregate's own command methods,
in memory and backdated, so every entry obeys the domain's rules (a refused command is
skipped); the events are then written with the application's event store, ``SCHOOLS_PER_PUT``
schools a transaction, with the snapshots the application would have taken on the way.
Everything is drawn from one seeded ``random.Random``: the same sizes give the same log.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.key_store import copy_sqlite_store, key_store_url
from benchmarks.support import case_files_on
from benchmarks.support import progress as say
from domain.areas.register import consultees_for
from domain.case_file import Entry, SchoolCaseFile
from domain.deadlines import pending_deadlines, pending_firings
from domain.errors import CaseFileError
from domain.ofsted import category_from_report_card

SCHOOLS, EVENTS = 22_000, 1_000_000
QUICK_SCHOOLS, QUICK_EVENTS = 2_200, 100_000
RESULTS = Path(__file__).parent / "results"
SEED = 2005
SCHOOLS_PER_PUT = 200

RECORDS_BEGIN = date(2005, 9, 1)
"""The case files begin with the first Section 5 framework, as application.imports does."""
RECORDS_END = date(2026, 11, 13)
"""Nothing takes effect later; entries may be recorded up to a week after."""
CATEGORIES_BEGIN = date(2006, 10, 2)
"""The LA's first annual categorisation."""
MSP_GROUPS_BEGIN = date(2013, 9, 2)
"""The LA's school improvement strategy: an MSP group for every school in category 4."""
WARNING_NOTICES_BEGIN = date(2007, 5, 24)
"""Education and Inspections Act 2006 Part 4 in force."""
LIVE_FROM = date(2026, 9, 7)
"""scc goes live: from here its scheduler records reminders and passed deadlines weekly."""
SCHEDULER = "scc reminders"
FLEXIBLE_COMPLIANCE_PERIOD = date(2016, 4, 18)
EXEMPT_OUTSTANDING = (date(2012, 5, 1), date(2020, 9, 1))
COVID_PAUSE = (date(2020, 3, 17), date(2021, 9, 1))
NO_GRADE, REPORT_CARDS = date(2024, 9, 1), date(2025, 11, 10)
SECOND_FRAMEWORK = date(2012, 9, 1)

Progress = Callable[[int, int], None]
"""Called after each write with (schools done, events written)."""


# The log -----------------------------------------------------------------------------------

def generate(database_url: str, *, schools: int = SCHOOLS, events: int = EVENTS,
             progress: Progress | None = None) -> dict[str, Any]:
    """Fills an empty store with ``schools`` schools' case files, ``events`` entries in all
    (within 2% at the default and quick sizes; a few hundred schools vary more, as a school
    with a long intervention history is a large share of them); returns a summary."""
    started = time.perf_counter()
    app = case_files_on(database_url)
    try:
        if app.recorder.max_notification_id():
            raise ValueError(f"{database_url} already holds events; generate() fills an empty "
                             "store")
        interval = app.snapshotting_intervals.get(SchoolCaseFile)
        rng = random.Random(SEED)
        register = _Register(random.Random(rng.getrandbits(64)), schools)
        pacing = _Pacing(schools, events)
        tally: dict[str, int] = {}
        batch: list[Any] = []
        snapshots: list[Any] = []
        written = case_files = taken = refused = 0
        for done, profile in enumerate(register.profiles(), start=1):
            story = _Story(random.Random(rng.getrandbits(64)), profile, app,
                           routine_rate=pacing.routine_rate())
            school_events = 0
            for case_file in story.tell():
                pending = case_file.collect_events()
                batch += pending
                school_events += len(pending)
                case_files += 1
                if interval and len(pending) >= interval:
                    snapshots += _snapshots(pending, interval)
            pacing.record(school_events, story.routine_entries, story.routine_openings)
            refused += story.refused
            for key, value in story.tally().items():
                tally[key] = tally.get(key, 0) + value
            if done % SCHOOLS_PER_PUT == 0 or done == schools:
                # Recorded order within the batch: its schools' entries interleave in time.
                batch.sort(key=lambda e: e.timestamp)
                app.events.put(batch)
                if snapshots and app.snapshots is not None:
                    app.snapshots.put(snapshots)
                written += len(batch)
                taken += len(snapshots)
                batch, snapshots = [], []
                if progress:
                    progress(done, written)
        stored = app.recorder.max_notification_id() or 0
    finally:
        app.close()
    return {
        "schools": schools, "case_files": case_files, "events": written,
        "stored_events": stored, "snapshots": taken, "refused_commands": refused,
        "target_events": events, "seconds": round(time.perf_counter() - started, 1),
        "records": [RECORDS_BEGIN.isoformat(), RECORDS_END.isoformat()], **tally,
    }


def ensure_england(path: Path | None = None, *, quick: bool = False,
                   schools: int | None = None, events: int | None = None,
                   progress: Progress | None = None, variant: str = "") -> dict[str, Any]:
    """The England-scale SQLite file (and its key store file beside it), generated unless a
    complete one of these sizes (and of this generator and domain) is cached; returns its
    summary with ``path`` and ``url``. ``variant`` names a log the caller has the domain
    record differently around this call (benchmarks.personal_data: without sealing): it is
    cached under a name of its own."""
    schools = schools or (QUICK_SCHOOLS if quick else SCHOOLS)
    events = events or (QUICK_EVENTS if quick else EVENTS)
    path = path or RESULTS / f"england-{schools}-{events}{f'-{variant}' if variant else ''}.sqlite3"
    sidecar = path.with_suffix(".json")  # written last: its presence means complete
    fingerprint = _fingerprint()
    if path.exists() and sidecar.exists() and keys_beside(path).exists():
        summary = json.loads(sidecar.read_text(encoding="utf-8"))
        if summary.get("fingerprint") == fingerprint:
            return {**summary, "path": str(path), "url": f"sqlite:///{path}", "cached": True}
        say(f"england: {path.name} was made by another generator or domain; regenerating")
    sidecar.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for store in (path, partial):
        for stale in (store, keys_beside(store)):
            for file in (stale, *_sqlite_companions(stale)):
                file.unlink(missing_ok=True)
    summary = generate(f"sqlite:///{partial}", schools=schools, events=events,
                       progress=progress)
    with sqlite3.connect(partial) as db:  # one self-contained file: no write-ahead log left
        db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    move_store(partial, path)
    summary["fingerprint"] = fingerprint
    summary["variant"] = variant
    summary["generated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    sidecar.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return {**summary, "path": str(path), "url": f"sqlite:///{path}", "cached": False}


def keys_beside(path: Path) -> Path:
    """The key store file the application keeps beside an SQLite store
    (adapters.key_store.key_store_url): the store's personal values cannot be read without it."""
    return Path(key_store_url(f"sqlite:///{path}", None).removeprefix("sqlite:///"))


def copy_store(source: Path | str, target: Path | str) -> None:
    """Copies an SQLite store and the key store file beside it."""
    copy_sqlite_store(source, target)


def move_store(source: Path | str, target: Path | str) -> None:
    """Moves an SQLite store and the key store file beside it, replacing any at ``target``."""
    Path(source).replace(target)
    keys_beside(Path(source)).replace(keys_beside(Path(target)))


def _fingerprint() -> str:
    """What the cached file depends on: this generator, the aggregate it drives and how its
    entries are stored (personal values sealed)."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    sources = ["benchmarks/england.py", "domain/case_file.py", "domain/status.py",
               "domain/personal_data.py", "application/transcodings.py",
               "application/personal_keys.py",
               *sorted(str(p.relative_to(root)) for p in root.glob("domain/areas/*.py"))]
    for source in sources:
        digest.update((root / source).read_bytes())
    return digest.hexdigest()[:16]


def _sqlite_companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _snapshots(events: list[Any], interval: int) -> list[Any]:
    """The snapshots the application takes when a save crosses a multiple of ``interval``."""
    taken, case_file = [], None
    for event in events:
        case_file = event.mutate(case_file)
        if event.originator_version % interval == 0:
            taken.append(SchoolCaseFile.Snapshot.take(case_file))
    return taken


class _Pacing:
    """Keeps the log on its size: each school records its routine entries (pupil numbers,
    visits, reviews that keep the category) with the probability that spreads the events
    still to write over the schools still to tell."""

    PRIOR_BASE, PRIOR_OPENINGS = 42.0, 69.0  # per school, as measured at full size

    def __init__(self, schools: int, events: int) -> None:
        self.schools, self.events = schools, events
        self.done = self.written = self.routine = self.openings = 0

    def routine_rate(self) -> float:
        target = (self.events - self.written) / max(1, self.schools - self.done)
        base = (self.written - self.routine) / self.done if self.done else self.PRIOR_BASE
        openings = self.openings / self.done if self.done else self.PRIOR_OPENINGS
        return min(1.0, max(0.0, (target - base) / max(openings, 1.0)))

    def record(self, events: int, routine: int, openings: int) -> None:
        self.done += 1
        self.written += events
        self.routine += routine
        self.openings += openings


# The register ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Profile:
    urn: int
    name: str
    phase: str
    establishment_type: str
    governance: str
    la_code: str
    pupils: int
    opened_on: date | None
    religious_character: str
    merit: float
    """The school's long-run standard: 1 outstanding ... 4 inadequate."""
    conversion: tuple[int, date, str] | None = None
    """An academy conversion: the academy's URN, the day and its establishment type."""


# (share, phase, kind, academy share, maintained types, academy types, pupils mean, merit)
_PHASES = (
    (0.75, "Primary", "primary", 0.32,
     (("Community school", 55), ("Voluntary aided school", 18),
      ("Voluntary controlled school", 15), ("Foundation school", 12))),
    (0.15, "Secondary", "secondary", 0.80,
     (("Community school", 45), ("Voluntary aided school", 20), ("Foundation school", 35))),
    (0.05, "Not applicable", "special", 0.40,
     (("Community special school", 85), ("Foundation special school", 15))),
    (0.02, "Nursery", "nursery", 0.0, (("Local authority nursery school", 1),)),
    (0.015, "Not applicable", "alternative provision", 0.45, (("Pupil referral unit", 1),)),
    (0.01, "All-through", "all-through", 0.60, (("Community school", 1),)),
    (0.005, "16 plus", "16 plus", 1.0, (("Community school", 1),)),
)
_ACADEMY_TYPES = {
    "primary": ("Academy converter", "Academy sponsor led", "Free schools"),
    "secondary": ("Academy converter", "Academy sponsor led", "Free schools"),
    "all-through": ("Academy converter", "Academy sponsor led", "Free schools"),
    "special": ("Academy special converter", "Academy special sponsor led",
                "Free schools special"),
    "alternative provision": ("Academy alternative provision converter",
                              "Academy alternative provision sponsor led",
                              "Free schools alternative provision"),
    "16 plus": ("Academy 16-19 converter", "Academy 16-19 sponsor led", "Free schools 16 to 19"),
}
_PUPILS = {"primary": (290, 120, 25), "secondary": (1050, 330, 150), "special": (130, 55, 12),
           "nursery": (95, 30, 20), "alternative provision": (55, 30, 5),
           "all-through": (1400, 400, 300), "16 plus": (600, 250, 80)}
_MERIT = {"primary": 2.15, "secondary": 2.35, "special": 2.0, "nursery": 1.6,
          "alternative provision": 2.3, "all-through": 2.3, "16 plus": 2.3}
_SUFFIX = {"primary": ("Primary School", "Primary School", "Primary School", "Infant School",
                       "Junior School", "Church of England Primary School"),
           "secondary": ("School", "High School", "Academy", "Community College"),
           "special": ("School", "Special School"), "nursery": ("Nursery School",),
           "alternative provision": ("Pupil Referral Unit", "Learning Centre"),
           "all-through": ("School", "All-through School"),
           "16 plus": ("Sixth Form College", "University Technical College")}
_PLACE_STARTS = ("Ash", "Brook", "Thorn", "Mill", "Oak", "King", "Castle", "Holm", "Bridge",
                 "Moor", "Fen", "Dale", "Hill", "Stan", "Wick", "Elm", "Ford", "Marsh", "Red",
                 "Stone", "Green", "Church", "North", "South", "West", "East", "Wood", "Lang",
                 "Cold", "Hather", "Bram", "Wel", "Staple", "Alder", "Birch", "Rush", "Wal")
_PLACE_ENDS = ("ford", "ley", "ton", "field", "bury", "ham", "wood", "wick", "more", "well",
               "by", "thorpe", "hurst", "stead", "worth", "brook", "gate", "den", "combe",
               "bridge", "holme", "cott", "minster", "dale")
# Three-digit LA numbers in the DfE's regional ranges, about as many as England's 153 LAs.
_LA_CODES = tuple(f"{n}" for n in (*range(201, 214), *range(301, 321), *range(330, 345),
                                   *range(350, 360), *range(370, 374), *range(380, 385),
                                   *range(390, 395), *range(800, 896, 2),
                                   *range(908, 938)))


class _Register:
    """The schools open today, in England's proportions, with the histories they start from."""

    def __init__(self, rng: random.Random, schools: int) -> None:
        self.rng, self.schools = rng, schools
        self.urns = iter(rng.sample(range(100_000, 1_000_000), 2 * schools))

    def profiles(self) -> Iterator[_Profile]:
        weights = [p[0] for p in _PHASES]
        for _ in range(self.schools):
            yield self._profile(self.rng.choices(_PHASES, weights)[0])

    def _profile(self, phase: tuple[Any, ...]) -> _Profile:
        rng = self.rng
        _, phase_name, kind, academy_share, maintained_types = phase
        types, type_weights = zip(*maintained_types, strict=True)
        establishment_type = rng.choices(types, type_weights)[0]
        religious = "Does not apply"
        if establishment_type.startswith("Voluntary") or (
                kind == "primary" and establishment_type == "Foundation school"
                and rng.random() < 0.2):
            religious = rng.choices(("Church of England", "Roman Catholic", "Methodist",
                                     "Jewish", "Muslim"), (70, 26, 2, 1, 1))[0]
        mean, spread, least = _PUPILS[kind]
        pupils = max(least, round(rng.gauss(mean, spread)))
        merit = min(3.9, max(0.8, rng.gauss(_MERIT[kind], 0.5)))
        place = rng.choice(_PLACE_STARTS) + rng.choice(_PLACE_ENDS)
        suffix = rng.choice(_SUFFIX[kind])
        if religious == "Roman Catholic":
            suffix = suffix.replace("Church of England ", "")
            place, suffix = f"St {rng.choice(('Mary', 'Joseph', 'Patrick', 'Anne'))}'s", \
                f"Catholic {suffix}"
        elif religious == "Church of England" and "Church" not in suffix:
            suffix = f"Church of England {suffix}"
        elif religious == "Does not apply":
            suffix = suffix.replace("Church of England ", "")
        name = f"{place} {suffix}"
        opened_on = None
        if rng.random() < 0.35:
            opened_on = date(rng.randrange(1870, 2005), 9, 1)
        governance, conversion = "maintained", None
        if rng.random() < academy_share:
            academy_types = _ACADEMY_TYPES.get(kind, _ACADEMY_TYPES["primary"])
            route = rng.choices(academy_types, (68, 22, 10))[0]
            if route == academy_types[2]:  # a free school: an academy from its first day
                governance, establishment_type = "academy", route
                opened_on = date(rng.randrange(2011, 2025), 9, 1)
                religious = "Does not apply"
                name = f"{place} {rng.choice(('Academy', 'Free School', suffix))}"
            else:
                day = _conversion_day(rng, sponsored=route == academy_types[1])
                conversion = (next(self.urns), day, route)
                if route == academy_types[1]:
                    merit = min(3.9, merit + 0.8)  # sponsored: a failing school first
        elif rng.random() < 0.04:
            opened_on = date(rng.randrange(2006, 2021), 9, 1)  # a new maintained school
        return _Profile(
            urn=next(self.urns), name=name, phase=phase_name,
            establishment_type=establishment_type, governance=governance,
            la_code=rng.choice(_LA_CODES), pupils=pupils, opened_on=opened_on,
            religious_character=religious, merit=merit, conversion=conversion)


def _conversion_day(rng: random.Random, *, sponsored: bool) -> date:
    """Converters peaked in 2011-2013; sponsored academies from 2008."""
    years = range(2008, 2026) if sponsored else range(2010, 2026)
    weights = [3 if y < 2010 else 14 if y < 2014 else 8 if y < 2018 else 5 for y in years]
    year = rng.choices(years, weights)[0]
    month = rng.choice((1, 4, 6, 9, 9, 9, 11))
    return min(date(year, month, 1), RECORDS_END - timedelta(days=30))


# The stories ---------------------------------------------------------------------------------

_OFFICERS = ("Amir Khan", "Bethan Price", "Carl Osei", "Dawn Fletcher", "Emeka Obi",
             "Fiona Grant", "Gary Mills", "Hannah Lee", "Imran Sadiq", "Jo Barker",
             "Kate Nolan", "Liam Doyle", "Maya Patel", "Neil Harper", "Olu Adebayo",
             "Paula Reid", "Qasim Ali", "Rachel Stone", "Sean Walsh", "Tara Quinn",
             "Uma Shah", "Victor Hale", "Wendy Cole", "Yusuf Khan", "Zoe Marsh")
_CODES = ("1", "2", "3a", "3b", "4")
_GROUNDS = (("standards", 50), ("leadership and governance", 22), ("safeguarding", 10),
            ("finance", 12), ("other", 6))
_CONCERNS = {
    "standards": ("Key stage 2 reading outcomes fell well below the LA average for the second "
                  "year; disadvantaged pupils' progress is a particular concern.",
                  "GCSE attainment 8 and progress 8 fell sharply; mathematics results are "
                  "the weakest in the LA.",
                  "Phonics screening check pass rate fell below 60%; early reading is not "
                  "taught consistently."),
    "leadership and governance": ("The governing body does not hold leaders to account; "
                                  "minutes show no challenge on outcomes.",
                                  "Headteacher absent long-term; interim arrangements are "
                                  "not securing improvement."),
    "safeguarding": ("Single central record incomplete at the LA's visit; DBS checks missing "
                     "for two members of staff.",
                     "Attendance of vulnerable pupils is not followed up; referrals late."),
    "finance": ("Licensed deficit exceeds 5% of budget share; the recovery plan is not "
                "credible.",
                "Internal audit found weak controls over purchasing and payroll."),
    "other": ("Persistent complaints from parents about SEND provision and communication.",
              "Falling rolls put the school's viability at risk."),
}
_MINUTES = ("Reviewed progress against the statement of action: reading and phonics, "
            "attendance, governance. The group heard from subject leaders and looked at pupils' "
            "books.", "Data for the half term discussed; attendance is improving but persistent "
            "absence remains high. Safeguarding audit actions reviewed and mostly complete.",
            "The headteacher presented the updated improvement plan; governors described their "
            "new monitoring visits. The LA adviser shared the findings of the recent review.")
_VISIT_NOTES = ("Learning walk with the headteacher; reading and phonics seen in every "
                "class. Priorities agreed for the term.", "Reviewed the school's self-evaluation "
                "and the latest attendance figures with leaders and the chair of governors.",
                "Monitoring visit: progress against the action plan checked; books and "
                "safeguarding records sampled.")
_ACTIONS = ("Update the school improvement plan with measurable milestones",
            "Complete the safeguarding audit actions", "Governors to visit reading lessons",
            "Submit half-termly attendance data to the LA", "Commission an external review of "
            "governance", "Share the curriculum map for mathematics",
            "Train staff on the new behaviour policy", "Report the budget recovery position")


class _Story:
    """One school's case file (and its academy's), told in date order from an agenda."""

    def __init__(self, rng: random.Random, profile: _Profile, app: Any, *,
                 routine_rate: float) -> None:
        self.rng, self.profile, self.routine_rate = rng, profile, routine_rate
        self.scheme, self.working_days, self.policy = app.scheme, app.working_days, app.policy
        self.files: list[SchoolCaseFile] = []
        self.case_file: SchoolCaseFile | None = None
        self.agenda: list[tuple[date, int, Callable[..., None], tuple[Any, ...]]] = []
        self.order = 0
        self.recorded = datetime(2000, 1, 1, tzinfo=UTC)
        self.quality = profile.merit + rng.gauss(0.25, 0.3)
        self.grade: int | None = None  # the latest Ofsted judgement, or what it amounted to
        self.ofsted_category: str | None = None
        self.category: str | None = None
        self.governance = profile.governance
        self.pupils = profile.pupils
        self.concerns: list[str] = []
        self.notice: str | None = None
        self.msp: int = 0  # the open MSP group's number, 0 for none
        self.msp_groups = 0
        self.ieb = False
        self.refused = self.routine_entries = self.routine_openings = 0
        officers = rng.sample(_OFFICERS, 5)
        self.officers = officers
        self.data_officer = f"{officers[0]}, Performance and Data Officer"
        self.adviser = f"{officers[1]}, School Improvement Adviser"
        self.head_of_service = f"{officers[2]}, Head of School Improvement"
        self.caseworker = officers[1]

    def tell(self) -> list[SchoolCaseFile]:
        profile, rng = self.profile, self.rng
        opens = max(RECORDS_BEGIN, profile.opened_on or RECORDS_BEGIN)
        self.case_file = SchoolCaseFile.register(when=self._when(opens, self.data_officer),
                                                 details=self._details(profile))
        self.files.append(self.case_file)
        self._assign(opens, self.officers[1])
        self._plan(date(opens.year + 1, 1, rng.randrange(10, 28)), self._census)
        self._plan(opens + timedelta(days=rng.randrange(30, 200)), self._visit)
        self._plan(opens + timedelta(days=rng.randrange(1000, 5000)), self._reassign)
        self._plan(LIVE_FROM, self._fire_reminders)
        self._plan(date(opens.year, 9, 1) + timedelta(days=365), self._year)
        first = opens + timedelta(days=rng.randrange(120, 1460 if opens == RECORDS_BEGIN
                                                     else 1000))
        self._plan(first, self._inspect)
        self._plan(max(CATEGORIES_BEGIN, date(opens.year + 1, 10, rng.randrange(1, 28))),
                   self._review)
        if profile.conversion:
            self._plan(profile.conversion[1], self._convert)
        while self.agenda:
            day, _, act, args = heapq.heappop(self.agenda)
            if day > RECORDS_END:
                break
            act(day, *args)
        return self.files

    def tally(self) -> dict[str, int]:
        return {"academies": int(self.governance == "academy"),
                "converted": int(self.profile.conversion is not None
                                 and self.profile.conversion[1] <= RECORDS_END),
                "in_category_4": int(self.category == "4"),
                "with_msp_group": int(self.msp_groups > 0),
                "with_warning_notice": int(any(
                    f.state.warning_notices for f in self.files)),
                f"phase {self.profile.phase}": 1}

    # Recording ---------------------------------------------------------------------------

    def _plan(self, day: date, act: Callable[..., None], *args: Any) -> None:
        self.order += 1
        heapq.heappush(self.agenda, (day, self.order, act, args))

    def _when(self, day: date, by: str) -> Entry:
        """Recorded on the day, in office hours, or up to a week late (a backdated entry);
        never before the last entry."""
        at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(
            days=self.rng.randrange(1, 8) if self.rng.random() < 0.15 else 0,
            minutes=self.rng.randrange(600))
        self.recorded = max(self.recorded, at)
        return Entry(day, by, self.recorded)

    def _do(self, day: date, command: str, by: str | None = None, **fields: Any) -> Any:
        """Runs one command of the case file; a refusal is skipped, as a user would be told."""
        assert self.case_file is not None
        try:
            result = getattr(self.case_file, command)(
                when=self._when(day, by or self.adviser), **fields)
        except CaseFileError:
            self.refused += 1
            return None
        return True if result is None else result

    def _details(self, p: _Profile) -> dict[str, Any]:
        return {"urn": p.urn, "name": p.name, "phase": p.phase,
                "establishment_type": p.establishment_type, "governance": p.governance,
                "la_code": p.la_code, "pupils": p.pupils, "opened_on": p.opened_on,
                "religious_character": p.religious_character}

    # The years ---------------------------------------------------------------------------

    def _routine(self) -> bool:
        """Whether to record this routine entry (see _Pacing)."""
        self.routine_openings += 1
        return self.rng.random() < self.routine_rate

    def _census(self, day: date) -> None:
        """January: GIAS's pupil numbers change; the LA's import records what changed."""
        if self._routine():
            pupils = max(5, round(self.pupils * self.rng.gauss(1.0, 0.04)))
            if pupils != self.pupils and self._do(day, "change_details", self.data_officer,
                                                  changes={"pupils": pupils}):
                self.pupils = pupils
                self.routine_entries += 1
        self._plan(date(day.year + 1, 1, self.rng.randrange(10, 28)), self._census)

    def _visit(self, day: date) -> None:
        """An annual school improvement visit; termly monitoring visits while the school is
        causing concern (Torbay 2011, the deadline policy's default)."""
        in_concern = self.category in ("3b", "4")
        if self._routine() and self._do(
                day, "record_visit", kind="monitoring" if in_concern else "school improvement",
                notes=self.rng.choice(_VISIT_NOTES)):
            self.routine_entries += 1
        weeks = 13 if in_concern else 52
        self._plan(day + timedelta(weeks=weeks, days=self.rng.randrange(-10, 15)), self._visit)

    def _assign(self, day: date, officer: str) -> None:
        """The school's adviser owns its case file."""
        first, last = officer.lower().split()
        self.caseworker = officer
        self.adviser = f"{officer}, School Improvement Adviser"
        self._do(day, "assign_caseworker", self.head_of_service, name=officer,
                 email=f"{first}.{last}@la{self.profile.la_code}.gov.uk")

    def _reassign(self, day: date) -> None:
        self._assign(day, self.rng.choice(
            [o for o in self.officers[1:] if o != self.caseworker]))
        self._plan(day + timedelta(days=self.rng.randrange(2500, 5000)), self._reassign)

    def _fire_reminders(self, day: date) -> None:
        """Live: the weekly run of scc's scheduler records what fell due since the last."""
        assert self.case_file is not None
        state = self.case_file.state
        deadlines = pending_deadlines(state, self.policy, self.working_days, self.scheme)
        for firing in pending_firings(self.profile.urn, state, deadlines, day):
            if firing.on <= day:
                self._do(day, "record_firing", SCHEDULER, deadlines=deadlines, firing=firing)
        self._plan(day + timedelta(weeks=1), self._fire_reminders)

    def _year(self, day: date) -> None:
        """September: standards drift towards the school's own level; support helps."""
        rng = self.rng
        era = 0.25 * max(0.0, (2014 - day.year) / 9)  # standards rose nationally
        self.quality += 0.2 * (self.profile.merit + era - self.quality) + rng.gauss(0, 0.22)
        if self.msp or self.ieb or self.notice:
            self.quality -= rng.uniform(0.1, 0.45)
        self.quality = min(4.4, max(0.6, self.quality))
        if rng.random() < 0.02 + 0.12 * max(0.0, self.quality - 2.6):
            self._plan(day + timedelta(days=rng.randrange(10, 200)), self._raise_concern)
        self._plan(date(day.year + 1, 9, 1), self._year)

    def _review(self, day: date) -> None:
        """October: the LA's annual categorisation on its scheme."""
        before = self.category
        self._categorise(day, "Annual categorisation review")
        if before is not None and before == self.category and self._routine() and self._do(
                day, "review_category", self.head_of_service,
                reason="Annual review: the evidence supports the current category"):
            self.routine_entries += 1
        rng = self.rng
        if self.category == "4" and not self.msp and day >= MSP_GROUPS_BEGIN:
            self._plan(day + timedelta(days=rng.randrange(7, 28)), self._establish_msp)
        if self.governance == "maintained" and not self.notice and not self.ieb \
                and day >= WARNING_NOTICES_BEGIN:
            chance = {"4": 0.07, "3b": 0.008}.get(self.category or "", 0.0)
            if self.concerns and rng.random() < chance:
                self._plan(day + timedelta(days=rng.randrange(14, 60)), self._warn)
        if self.category in ("1", "2") and self.concerns and rng.random() < 0.7:
            self._plan(day + timedelta(days=rng.randrange(1, 30)), self._resolve,
                       self.concerns[0], "Standards recovered: the school is now category "
                       f"{self.category}")
        if day.year in (2017, 2018) and self.governance == "maintained" \
                and 2.7 < self.quality < 3.3 and rng.random() < 0.1:
            self._do(day, "record_coasting", self.head_of_service, notified_on=day,
                     basis=f"Coasting schools regulations: {day.year - 1} and earlier results")
            self._plan(date(2019, 10, rng.randrange(1, 28)), self._end_eligibility,
                       "coasting", "Coasting definition no longer met")
        self._plan(date(day.year + 1, 10, rng.randrange(1, 28)), self._review)

    def _categorise(self, day: date, reason: str) -> None:
        if day < CATEGORIES_BEGIN:
            return
        level = self.quality + self.rng.gauss(0, 0.2)
        if self.grade is not None:
            level = 0.5 * level + 0.5 * self.grade
        code = ("1" if level < 1.45 else "2" if level < 2.4 else "3a" if level < 2.85
                else "3b" if level < 3.35 else "4")
        if self.ofsted_category:
            code = "4"
        elif self.category and abs(_CODES.index(code) - _CODES.index(self.category)) == 1 \
                and self.rng.random() < 0.5:
            code = self.category  # a near thing: the LA keeps the school where it was
        if code == self.category:
            return
        if not self._do(day, "change_category", self.head_of_service, scheme=self.scheme,
                        to=code, reason=reason,
                        evidence="Ofsted, published data and the adviser's visits"):
            return
        before, self.category = self.category, code
        rng = self.rng
        if code in ("3b", "4") and before not in ("3b", "4"):
            self._plan(day + timedelta(days=rng.randrange(0, 10)), self._raise_concern)
        if code == "4" and not self.msp and day >= MSP_GROUPS_BEGIN:
            self._plan(day + timedelta(days=rng.randrange(7, 28)), self._establish_msp)
        if code != "4" and self.msp:
            self._plan(day + timedelta(days=rng.randrange(0, 21)), self._close_msp, self.msp)
        if code in ("1", "2", "3a"):
            for concern in self.concerns:
                self._plan(day + timedelta(days=rng.randrange(1, 45)), self._resolve, concern,
                           f"The school moved to category {code}")
            if self.notice:
                self._plan(day + timedelta(days=rng.randrange(1, 45)), self._end_eligibility,
                           "warning_notice", "Standards now acceptable")

    # Ofsted ------------------------------------------------------------------------------

    def _inspect(self, inspected_on: date) -> None:
        rng = self.rng
        grade = min(4, max(1, round(self.quality + rng.gauss(0, 0.35))))
        category = None
        if grade == 4:
            special = self.quality > 3.7 or rng.random() < 0.4
            category = ("special measures" if special else "notice to improve"
                        if inspected_on < SECOND_FRAMEWORK else "serious weaknesses")
        overall: int | None = grade
        report_card, safeguarding = None, None
        if inspected_on >= NO_GRADE:
            overall = None
        if inspected_on >= REPORT_CARDS:
            safeguarding = "met"
            areas = ["inclusion", "curriculum and teaching", "achievement",
                     "attendance and behaviour", "personal development and well-being",
                     "leadership and governance"]
            if self.profile.phase in ("Primary", "Nursery"):
                areas.append("early years")
            report_card = {area: _report_card_grade(self.quality + rng.gauss(0, 0.45))
                           for area in areas}
            if grade == 4 and rng.random() < 0.5:
                safeguarding = "not met"
            category = category_from_report_card(report_card, safeguarding)
        published = inspected_on + timedelta(days=rng.randrange(18, 45))
        self._plan(published, self._publish, inspected_on, grade, overall, category,
                   report_card, safeguarding)

    def _publish(self, day: date, inspected_on: date, grade: int, overall: int | None,
                 category: str | None, report_card: dict[str, str] | None,
                 safeguarding: str | None) -> None:
        rng = self.rng
        inspection = self._do(day, "record_inspection", self.data_officer,
                              inspected_on=inspected_on, overall=overall, category=category,
                              report_card=report_card, safeguarding=safeguarding)
        if inspection:
            self.grade, self.ofsted_category = grade, category
            if grade == 4:
                self.quality = max(self.quality, 3.5)
            self._plan(day + timedelta(days=rng.randrange(5, 25)), self._categorise,
                       "Recategorised after the Ofsted report")
            if category and self.governance == "maintained":
                self._plan(day + timedelta(days=rng.randrange(3, 14)), self._statement,
                           inspection)
            if category == "special measures" and self.governance == "maintained" \
                    and rng.random() < 0.12 and not self.ieb:
                self._plan(day + timedelta(days=rng.randrange(20, 60)), self._draft_ieb)
        self._plan(_next_inspection(rng, inspected_on, grade), self._inspect)

    def _statement(self, day: date, inspection: str) -> None:
        self._do(day, "record_statement_of_action", self.head_of_service,
                 inspection_id=inspection,
                 summary="The LA's support: a named adviser, an MSP group, leadership "
                         "coaching and a review of governance within the term")

    # Concerns ----------------------------------------------------------------------------

    def _raise_concern(self, day: date) -> None:
        rng = self.rng
        ground = rng.choices(*zip(*_GROUNDS, strict=True))[0]
        concern = self._do(day, "raise_concern", ground=ground,
                           description=rng.choice(_CONCERNS[ground]),
                           evidence=rng.choice(("Adviser's visit note", "Published data",
                                                "Governing body minutes", "Parent complaint "
                                                "log", "Audit report")))
        if not concern:
            return
        self.concerns.append(concern)
        self._plan(day + timedelta(days=rng.randrange(2, 10)), self._communicate, concern,
                   "headteacher")
        if rng.random() < 0.45:
            self._plan(day + timedelta(days=rng.randrange(7, 21)), self._communicate, concern,
                       "chair of governors")
        if self.governance == "maintained" and rng.random() < 0.3:
            self._plan(day + timedelta(days=rng.randrange(14, 35)), self._letter)
        if rng.random() < 0.03:
            self._plan(day + timedelta(days=rng.randrange(1, 20)), self._amend, concern)
        self._plan(day + timedelta(days=rng.randrange(120, 600)), self._resolve, concern,
                   "Addressed: the school's own actions and the LA's support")

    def _communicate(self, day: date, concern: str, recipient: str) -> None:
        if concern in self.concerns:
            self._do(day, "communicate_concern", concern_id=concern, recipient=recipient,
                     note="Discussed at a meeting and confirmed by email")

    def _letter(self, day: date) -> None:
        if self.concerns:
            self._do(day, "send_letter_of_concern", self.head_of_service,
                     concern_ids=list(self.concerns[-2:]),
                     summary="The LA sets out its concerns and the support it will provide; "
                             "it asks the governing body for an action plan within 20 days.")

    def _resolve(self, day: date, concern: str, outcome: str) -> None:
        settled = self.category not in ("3b", "4") or self.rng.random() < 0.3
        if concern in self.concerns and settled and self._do(
                day, "resolve_concern", concern_id=concern, outcome=outcome):
            self.concerns.remove(concern)

    def _amend(self, day: date, concern: str) -> None:
        assert self.case_file is not None
        for entry in reversed(self.case_file.entries):
            if getattr(entry, "concern_id", None) == concern and \
                    type(entry).__name__ == "ConcernRaised":
                self._do(day, "amend_entry", version=entry.originator_version,
                         changes={"description": entry.description + " (figures corrected)"},
                         reason="The figures quoted were last year's")
                return

    # Warning notices and the IEB ---------------------------------------------------------

    def _warn(self, day: date) -> None:
        rng = self.rng
        period = None if day < FLEXIBLE_COMPLIANCE_PERIOD else rng.choice((15, 20, 20, 30, 40))
        grounds = sorted(rng.sample(("a", "b", "c"), rng.choice((1, 1, 2))))
        notice = self._do(
            day, "issue_warning_notice", self.head_of_service, working_days=self.working_days,
            grounds=grounds, compliance_period=period,
            matters="Standards of performance are unacceptably low; the LA's letter of "
                    "concern did not lead to a credible plan.",
            required_actions="Produce a costed improvement plan; secure external support "
                             "for leadership; report termly to the LA.",
            minded_action="Appoint additional governors or apply for an interim executive "
                          "board")
        if not notice:
            return
        self.notice = notice
        assert self.case_file is not None
        due = self.case_file.state.warning_notices[notice].compliance_date
        if rng.random() < 0.05:
            self._plan(due - timedelta(days=rng.randrange(1, 10)), self._withdraw, notice)
        else:
            self._plan(due + timedelta(days=rng.randrange(1, 15)), self._comply, notice)

    def _withdraw(self, day: date, notice: str) -> None:
        if self._do(day, "withdraw_warning_notice", self.head_of_service, notice_id=notice,
                    reason="Issued before the new headteacher's plan was received"):
            self.notice = None

    def _comply(self, day: date, notice: str) -> None:
        rng = self.rng
        complied = rng.random() < 0.6
        if not self._do(day, "record_compliance", self.head_of_service, notice_id=notice,
                        complied=complied,
                        evidence="Governing body's response and the adviser's review"):
            return
        if complied:
            self.notice = None
            self.quality -= 0.2
            return
        self._plan(day + timedelta(days=rng.randrange(5, 15)), self._intervene, notice)

    def _intervene(self, day: date, notice: str) -> None:
        rng = self.rng
        if not self._do(day, "give_intervention_notice", self.head_of_service,
                        notice_id=notice, proposed_powers=["s63", "s64", "s65", "s66"],
                        working_days=self.working_days, policy=self.policy,
                        proposed_action="Appoint additional governors under s64"):
            return
        later = day + timedelta(days=rng.randrange(20, 60))
        choice = rng.random()
        if choice < 0.3 and not self.ieb:
            self._plan(later, self._draft_ieb)
        else:
            # An academy order is the Secretary of State's, not an LA power (Academies Act
            # 2010 s4): the share the LA once recorded as "seek a sponsored academy" uses s66.
            power = "s64" if choice < 0.7 else "s66" if choice < 0.92 else "s63"
            self._plan(later, self._power, power)

    def _power(self, day: date, power: str) -> None:
        if power == "s63":  # s63(2): consulted first, as the school's category requires
            for consultee in consultees_for(self.profile.establishment_type,
                                            self.profile.religious_character):
                self._do(day, "record_arrangements_consultation",
                         self.head_of_service, consultee=consultee,
                         response="Agrees to the arrangements proposed")
        self._do(day, "exercise_power", self.head_of_service, power=power,
                 details="As proposed in the notice of intervention")

    def _end_eligibility(self, day: date, route: str, reason: str) -> None:
        if self._do(day, "end_eligibility", self.head_of_service, route=route, reason=reason) \
                and route == "warning_notice":
            self.notice = None

    def _draft_ieb(self, day: date) -> None:
        rng = self.rng
        application = self._do(day, "draft_ieb_application", self.head_of_service,
                               rationale="The governing body lacks the capacity to secure "
                                         "improvement")
        if not application:
            return
        consult = day + timedelta(days=rng.randrange(5, 20))
        for offset, consultee in enumerate(consultees_for(self.profile.establishment_type,
                                                          self.profile.religious_character)):
            self._plan(consult + timedelta(days=3 * offset), self._consult, application,
                       consultee)
        self._plan(consult + timedelta(days=rng.randrange(20, 40)), self._submit, application)

    def _consult(self, day: date, application: str, consultee: str) -> None:
        self._do(day, "record_ieb_consultation", self.head_of_service,
                 application_id=application, consultee=consultee,
                 response="Objected, but accepted that the board would help"
                 if consultee == "governing body" else "Supports the application")

    def _submit(self, day: date, application: str) -> None:
        if self._do(day, "submit_ieb_application", self.head_of_service,
                    application_id=application):
            self._plan(day + timedelta(days=self.rng.randrange(40, 100)), self._decide,
                       application)

    def _decide(self, day: date, application: str) -> None:
        consent = self.rng.random() < 0.85
        if self._do(day, "record_ieb_decision", self.head_of_service,
                    application_id=application, consent=consent,
                    reason="" if consent else "Academy order expected instead") and consent:
            self._plan(day + timedelta(days=self.rng.randrange(10, 30)), self._constitute,
                       application)

    def _constitute(self, day: date, application: str) -> None:
        rng = self.rng
        members = rng.sample(("Dr Ruth Penhaligon (chair)", "Michael Adeyemi", "Sunita Rao",
                              "Canon Judith Orme", "Peter Lindqvist", "Grace Okafor"),
                             rng.randrange(3, 6))
        ends = day + timedelta(days=rng.randrange(360, 760))
        if self._do(day, "constitute_ieb", self.head_of_service, application_id=application,
                    members=members, term_ends_on=ends, instrument_on=day,
                    terms="Until the board's term ends; the chair paid, others expenses only"):
            self.ieb = True
            if rng.random() < 0.3:
                self._plan(day + timedelta(days=rng.randrange(90, 300)), self._change_ieb,
                           members)
            self._plan(ends, self._end_ieb, "The term of the board ended")

    def _change_ieb(self, day: date, members: list[str]) -> None:
        if self.ieb:
            self._do(day, "change_ieb_members", self.head_of_service,
                     members=[*members[1:], "Alan Brightwell"],
                     reason="A member resigned", instrument_on=day,
                     terms={"Alan Brightwell": "For the rest of the board's term; unpaid"})

    def _end_ieb(self, day: date, reason: str) -> None:
        if self.ieb and self._do(day, "end_ieb", self.head_of_service, reason=reason):
            self.ieb = False

    # The MSP group -----------------------------------------------------------------------

    def _establish_msp(self, day: date) -> None:
        rng = self.rng
        if self.msp or self.category != "4" or day < MSP_GROUPS_BEGIN:
            return
        members = [self.adviser, f"{self.head_of_service.split(',')[0]}, Head of School "
                   "Improvement", "Chair of governors", "Headteacher"]
        if rng.random() < 0.5:
            members.append("Diocesan adviser" if self.profile.religious_character
                           != "Does not apply" else "National leader of education")
        if not self._do(day, "establish_msp_group", members=members,
                        cadence_weeks=rng.choice((4, 6, 6, 6, 8))):
            return
        self.msp_groups += 1
        self.msp = self.msp_groups
        self._schedule_meeting(day, day + timedelta(days=rng.randrange(14, 35)))

    def _schedule_meeting(self, day: date, meets_on: date) -> None:
        meeting = self._do(day, "schedule_msp_meeting", meets_on=meets_on)
        if meeting:
            self._plan(meets_on, self._meet, self.msp, meeting)

    def _meet(self, day: date, group: int, meeting: str) -> None:
        rng = self.rng
        if group != self.msp:
            return  # the group closed before the meeting
        assert self.case_file is not None
        cadence = timedelta(weeks=self.case_file.state.msp.cadence_weeks)
        chance = rng.random()
        if chance < 0.04:
            self._do(day - timedelta(days=3), "cancel_msp_meeting", meeting_id=meeting,
                     reason="Ofsted monitoring visit that week")
            self._schedule_meeting(day, day + cadence)
            return
        if chance < 0.09:
            moved = day + timedelta(days=rng.randrange(3, 14))
            if self._do(day - timedelta(days=5), "move_msp_meeting", meeting_id=meeting,
                        meets_on=moved, reason="The chair of governors is unavailable"):
                self._plan(moved, self._hold, group, meeting, cadence)
                return
        self._hold(day, group, meeting, cadence)

    def _hold(self, day: date, group: int, meeting: str, cadence: timedelta) -> None:
        rng = self.rng
        if group != self.msp:
            return
        actions = [{"description": rng.choice(_ACTIONS),
                    "owner": rng.choice(("Headteacher", "Chair of governors",
                                         "LA adviser", "Deputy headteacher")),
                    "due": day + timedelta(days=rng.randrange(21, 70))}
                   for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        if not self._do(day, "hold_msp_meeting", meeting_id=meeting,
                        attendees=["LA adviser", "Chair of governors", "Headteacher"],
                        minutes=rng.choice(_MINUTES), actions=actions):
            return
        assert self.case_file is not None
        held = self.case_file.state.msp.meetings[meeting]
        first = self.case_file.state.msp_actions
        for action_id, action in first.items():
            if action.meeting_id == held.meeting_id and rng.random() < 0.85:
                self._plan(action.due + timedelta(days=rng.randrange(-14, 10)), self._complete,
                           action_id)
        self._schedule_meeting(day, day + cadence)

    def _complete(self, day: date, action: str) -> None:
        self._do(day, "complete_msp_action", action_id=action,
                 note=self.rng.choice(("Done", "Evidence seen at the adviser's visit",
                                       "Completed late", "Plan shared with governors")))

    def _close_msp(self, day: date, group: int, reason: str = "The school left category 4"
                   ) -> None:
        if group == self.msp and self._do(day, "close_msp_group", reason=reason):
            self.msp = 0

    # Academy conversion ------------------------------------------------------------------

    def _convert(self, day: date) -> None:
        """As SchoolCaseFiles.convert_to_academy: the maintained school's file closes and
        links to the academy's, which opens under the new URN."""
        assert self.profile.conversion is not None and self.case_file is not None
        new_urn, _, academy_type = self.profile.conversion
        if self.msp:
            self._close_msp(day, self.msp, "The school converted to an academy")
        if self.ieb:
            self._end_ieb(day, "The school converted to an academy")
        for concern in list(self.concerns):
            if self._do(day, "resolve_concern", concern_id=concern,
                        outcome="Carried over to the academy's case file"):
                self.concerns.remove(concern)
        when = self._when(day, self.data_officer)
        old = self.case_file
        try:
            school = old.state.school
            old.link_successor(when=when, successor_urn=new_urn)
            old.change_details(when=when, changes={
                "closed_on": date.fromordinal(day.toordinal() - 1)})
            self.case_file = SchoolCaseFile.register(when=when, details={
                "urn": new_urn, "name": school.name.replace("Community ", ""),
                "phase": school.phase, "establishment_type": academy_type,
                "governance": "academy", "la_code": school.la_code, "pupils": self.pupils,
                "opened_on": day, "religious_character": school.religious_character,
                "predecessor_urn": school.urn})
        except CaseFileError:
            self.refused += 1
            return
        self.files.append(self.case_file)
        self._assign(day, self.caseworker)
        self.governance, self.category, self.notice, self.msp = "academy", None, None, 0
        self.ieb, self.concerns = False, []
        if "sponsor" in academy_type:
            self.quality -= 0.5
        self.agenda = [item for item in self.agenda if item[2] != self._inspect]
        heapq.heapify(self.agenda)
        self._plan(day + timedelta(days=self.rng.randrange(500, 1100)), self._inspect)


def _next_inspection(rng: random.Random, inspected_on: date, grade: int) -> date:
    """Ofsted's cycle: sooner the weaker the school; outstanding schools exempt 2012-2020;
    nothing during the pandemic pause."""
    years = {1: rng.uniform(4.5, 6), 2: rng.uniform(3.5, 5), 3: rng.uniform(2, 3),
             4: rng.uniform(1.4, 2)}[grade]
    if grade == 3 and inspected_on < SECOND_FRAMEWORK:
        years = rng.uniform(3, 4)  # "satisfactory" was not a cause for an early return
    day = inspected_on + timedelta(days=round(years * 365))
    if grade == 1 and EXEMPT_OUTSTANDING[0] <= inspected_on < EXEMPT_OUTSTANDING[1]:
        day = max(day, date(2021, 10, 1) + timedelta(days=rng.randrange(0, 1300)))
    if COVID_PAUSE[0] <= day < COVID_PAUSE[1]:
        day = COVID_PAUSE[1] + timedelta(days=rng.randrange(0, 500))
    return day


def _report_card_grade(level: float) -> str:
    return ("exceptional" if level < 1.3 else "strong standard" if level < 2.0
            else "expected standard" if level < 2.8 else "needs attention" if level < 3.5
            else "urgent improvement")


# Running it on its own -----------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.england", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_SCHOOLS:,} schools, {QUICK_EVENTS:,} events")
    parser.add_argument("--schools", type=int)
    parser.add_argument("--events", type=int)
    args = parser.parse_args(argv)
    summary = ensure_england(quick=args.quick, schools=args.schools, events=args.events,
                             progress=lambda s, e: say(f"england: {s:,} schools, {e:,} events"))
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
