"""hold_msp_meeting on a 200-event case file, against a bare eventsourcing app's trivial append."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from adapters.event_store import event_store_env
from application.case_files import SchoolCaseFiles
from benchmarks.school_history import BY, build_school
from benchmarks.support import (
    PostgresUnavailable,
    Row,
    case_files_on,
    p50,
    p95,
    postgres_database,
    progress,
    timed,
)

NAME = "command_cost"
PRIOR_EVENTS = 200
FIRST_URN = 300001


class Note(Aggregate):
    """The trivial aggregate of the baseline: one event method taking one string."""

    @event("Noted")
    def note(self, text: str) -> None:
        self.text = text


class Notebook(Application[UUID]):
    """A bare application: the library's defaults, no domain rules, no cache."""


def run(quick: bool) -> list[Row]:
    warmup, iterations, schools = (10, 100, 5) if quick else (50, 500, 25)
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        rows = measure("sqlite", f"sqlite:///{Path(folder, 'scc.sqlite3')}",
                       f"sqlite:///{Path(folder, 'baseline.sqlite3')}",
                       warmup, iterations, schools, max_ratio=1.5)
    try:
        with postgres_database(NAME) as url:
            rows += measure("postgres", url, url, warmup, iterations, schools, max_ratio=None)
    except PostgresUnavailable as why:
        print(f"{NAME}: the PostgreSQL rows were skipped: {why}")
        rows += [Row(f"{NAME} postgres", None, note="PostgreSQL unavailable")]
    return rows


def measure(store: str, url: str, baseline_url: str, warmup: int, iterations: int,
            schools: int, max_ratio: float | None) -> list[Row]:
    case_files, notebook = case_files_on(url), Notebook(event_store_env(baseline_url))
    try:
        hold = prepare_command(store, case_files, schools)
        append = prepare_baseline(notebook, warmup + iterations)
        progress(f"{NAME} {store}: timing {iterations} hold_msp_meeting commands and as many "
                 "bare appends, interleaved so that both see the same machine load")
        command, baseline = [], []
        for n in range(warmup + iterations):
            command.append(timed(partial(hold, n)))
            baseline.append(timed(partial(append, n)))
    finally:
        case_files.close()
        notebook.close()
    command, baseline = command[warmup:], baseline[warmup:]
    return [
        Row(f"{NAME} {store} p50", p50(command), p50(baseline), max_ratio=max_ratio,
            note=f"{iterations} runs after {warmup} warm-up"),
        Row(f"{NAME} {store} p95", p95(command), p95(baseline)),
    ]


def prepare_command(store: str, case_files: SchoolCaseFiles,
                    schools: int) -> Callable[[int], object]:
    """Command n goes to school n mod `schools`: no school grows far past 200 events."""
    progress(f"{NAME} {store}: recording {schools} schools of {PRIOR_EVENTS} events")
    urns = [FIRST_URN + n for n in range(schools)]
    for urn in urns:
        build_school(case_files, urn, PRIOR_EVENTS)
    due = date.today() + timedelta(days=28)
    actions = [{"description": "Publish the revised action plan", "owner": "Headteacher",
                "due": due},
               {"description": "Review attendance data", "owner": "LA adviser", "due": due}]

    def hold(n: int) -> str:
        return case_files.hold_msp_meeting(
            urns[n % schools], by=BY, attendees=["LA adviser", "Chair", "Headteacher"],
            minutes="Progress against the action plan reviewed; two actions agreed.",
            actions=actions)

    return hold


def prepare_baseline(notebook: Notebook, count: int) -> Callable[[int], object]:
    """Append n goes to note n (created untimed), so each get replays one stored event: the
    library's round trip, not a replay that grows with the run."""
    notes = [Note() for _ in range(count)]
    notebook.save(*notes)

    def append(n: int) -> None:
        note = notebook.repository.get(notes[n].id)
        note.note("minutes")
        notebook.save(note)

    return append
