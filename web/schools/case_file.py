"""A school's case file page: its status, what is open and due, every entry, and what to do next."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from application.case_files import SchoolNotFound
from application.entry_details import ROUTINE, areas
from web.auth import requires
from web.pagination import Page, asked_page
from web.schools import bp, commands
from web.schools.forms import is_amendable
from web.services import services

CORRECTIONS = ("EntryRetracted", "EntryAmended")
TIMELINE_PER_PAGE = 50
"""Entries on one page of the timeline: a school in intervention for years has thousands."""


@bp.get("/<int:urn>")
@requires("read")
def case_file(urn: int) -> str:
    case_files = services().case_files
    try:
        overview = case_files.overview(urn)
    except SchoolNotFound:
        abort(404)
    school, history, deadlines = overview.status, overview.history, overview.deadlines
    services().users.record_access(email=g.user["email"], urn=urn, view="case file")
    today = case_files.clock.today()

    def working_days_left(due: date) -> int:
        return case_files.working_days.working_days_between(today, due)

    shown = TimelineFilter.asked(history)
    rows = shown.rows(list(reversed(history)))
    page = Page.asked(asked_page(), len(rows), TIMELINE_PER_PAGE)
    entry_href = entry_hrefs(urn, len(history), rows, shown)
    on_page = page.of(rows)
    entries_on_page = [e for row in on_page for e in row["entries"]]
    entries_before = sum(len(row["entries"]) for row in rows[:page.first - 1])
    case = commands.CaseFileView(case_files, urn, status=school, deadlines=deadlines,
                                 history=history)
    documents = services().documents.documents(urn)
    return render_template(
        "schools/case_file.html",
        school=school,
        snapshot_mismatch=overview.snapshot_mismatch,
        today=today,
        working_days_left=working_days_left,
        notices=school["warning_notices"],
        ieb_stage=_ieb_stage(school),
        open_actions=sorted(school["msp"]["open_actions"], key=lambda a: a["due"])
        if school["msp"] else [],
        scheduled_meetings=[d for d in deadlines if d.kind == "msp_meeting"],
        deadlines=deadlines,
        timeline=[{**row, "entries": [_readable(entry) for entry in row["entries"]]}
                  for row in on_page],
        timeline_page=page,
        timeline_shown=(entries_before + 1, entries_before + len(entries_on_page),
                        sum(len(row["entries"]) for row in rows)),
        timeline_filter=shown,
        school_entries=len(history),
        timeline_pagination=page.component(
            lambda n: url_for("schools.case_file", urn=urn, page=n, **shown.query(),
                              _anchor="timeline"),
            "Pages of the timeline"),
        entry_href=entry_href,
        command_groups=commands.command_groups(case),
        drafted_slugs={c.slug for c in commands.COMMANDS
                       if commands.drafts_whatever_is_chosen(c, case)},
        commands=commands.BY_SLUG,
        documents=documents,
        entry_files=entry_files(urn, documents),
    )


def entry_files(urn: int, documents: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """The kept files to offer on each entry of the timeline: on the entry that recorded
    each, and on the entry a letter was produced from or a file attached to."""
    base = url_for("schools.download", urn=urn, document_id="-").removesuffix("-")
    files: dict[int, list[dict[str, Any]]] = {}
    for d in documents:
        versions = [(d["file"], d["recorded_in"], base + d["document_id"], "")]
        if d["sent"] is not None:
            versions.append((d["sent"], d["sent_in"], f"{base}{d['document_id']}/sent",
                             " as sent"))
        for file, recorded_in, href, which in versions:
            shown = {"id": d["document_id"], "title": d["title"] + which, "href": href, **file}
            for version in {recorded_in, d["to_entry"]} - {None}:
                files.setdefault(version, []).append(shown)
    return files


@bp.get("/<int:urn>/entries/<int:version>")
@requires("read")
def entry(urn: int, version: int) -> Response:
    """An entry's own address (search results link to it): the page of the case file's
    timeline that holds it, unfiltered, at the entry."""
    try:
        history = services().case_files.history(urn)
    except SchoolNotFound:
        abort(404)
    if not any(e["version"] == version for e in history):
        abort(404)
    shown = TimelineFilter.unfiltered(history)
    rows = shown.rows(list(reversed(history)))
    return redirect(entry_hrefs(urn, len(history), rows, shown)(version))


def entry_hrefs(urn: int, everything: int, rows: list[dict[str, Any]],
                shown: TimelineFilter) -> Callable[[int], str]:
    """Links to the entries of a school's timeline, each on whichever page of the timeline
    as filtered holds it; an entry the filter leaves out is linked on the whole timeline,
    routine entries shown."""
    pages = Page.asked(1, len(rows), TIMELINE_PER_PAGE)
    page_of_entry = {entry["version"]: pages.holding(position)
                     for position, row in enumerate(rows) for entry in row["entries"]}

    def entry_href(version: int) -> str:
        if version in page_of_entry:
            on = page_of_entry[version]
            return url_for("schools.case_file", urn=urn, page=on if on > 1 else None,
                           **shown.query(), _anchor=f"entry-{version}")
        on = (everything - version) // TIMELINE_PER_PAGE + 1
        return url_for("schools.case_file", urn=urn, page=on if on > 1 else None,
                       routine="show", _anchor=f"entry-{version}")

    return entry_href


def _readable(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as the timeline shows it: whether it may be corrected, and whether its
    fields are long enough to fold away behind a "details" link."""
    fields = entry["fields"]
    long = len(fields) > LONG_FIELDS or any(
        len(value) > LONG_VALUE if isinstance(value, str) else len(value) > LONG_LIST
        for _, value in fields)
    return {**entry, "correctable": _correctable(entry),
            "amendable": _correctable(entry) and is_amendable(entry), "long": long}


LONG_FIELDS, LONG_VALUE, LONG_LIST = 4, 160, 3
"""An entry with more fields than this, a field longer than this, or a list of more items is
shown folded ("Show the entry in full"): a timeline of short entries stays scannable."""


@dataclass(frozen=True)
class TimelineFilter:
    """What the query asks the timeline to show: entries of some areas (``area``, the area's
    key, repeated), recorded by one person (``by``), and routine entries unfolded
    (``routine=show``). Every link from the page (pagination, corrections) keeps it."""

    areas: tuple[str, ...]
    by: str
    show_routine: bool
    area_choices: tuple[tuple[str, str], ...]
    people: tuple[str, ...]

    @classmethod
    def unfiltered(cls, history: list[dict[str, Any]]) -> TimelineFilter:
        """The whole timeline, routine entries folded: as a case file first opens."""
        return cls(areas=(), by="", show_routine=False, area_choices=tuple(areas()),
                   people=())

    @classmethod
    def asked(cls, history: list[dict[str, Any]]) -> TimelineFilter:
        choices = tuple(areas())
        known = {key for key, _ in choices}
        people = tuple(sorted({e["by"] for e in history}, key=str.casefold))
        by = request.args.get("by", "")
        return cls(
            areas=tuple(a for a in request.args.getlist("area") if a in known),
            by=by if by in people else "",
            show_routine=request.args.get("routine") == "show",
            area_choices=choices, people=people)

    @property
    def active(self) -> bool:
        return bool(self.areas or self.by or self.show_routine)

    def query(self) -> dict[str, Any]:
        """The filter as query arguments, for links that keep it."""
        return {k: v for k, v in (("area", list(self.areas)), ("by", self.by),
                                  ("routine", "show" if self.show_routine else None)) if v}

    def rows(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The timeline's rows: each entry the filter keeps, a run of routine entries folded
        into one row (unless asked to show them), newest first as given."""
        titles = {title for key, title in self.area_choices if key in self.areas}
        kept = [e for e in entries
                if (not titles or e["area"] in titles) and (not self.by or e["by"] == self.by)]
        rows: list[dict[str, Any]] = []
        for entry in kept:
            routine = not self.show_routine and entry["event"] in ROUTINE
            if routine and rows and rows[-1]["routine"]:
                rows[-1]["entries"].append(entry)
            else:
                rows.append({"routine": routine, "entries": [entry]})
        return [{**row, "folded": row["routine"] and len(row["entries"]) > 1,
                 "words": _routine_words(row["entries"]) if row["routine"] else ""}
                for row in rows]


ROUTINE_WORDS = {"ReminderSent": "reminders", "DeadlinePassed": "due dates passed",
                 "CategoryReviewed": "categories reviewed and kept"}


def _routine_words(entries: list[dict[str, Any]]) -> str:
    """"12 routine entries: reminders and categories reviewed and kept"."""
    kinds = list(dict.fromkeys(ROUTINE_WORDS[e["event"]] for e in entries))
    listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
    return f"{len(entries)} routine entries: {listed}"


def _ieb_stage(school: dict[str, Any]) -> dict[str, Any] | None:
    """Where the interim executive board stands: in place, or its application's stage."""
    if school["ieb"]:
        return {**school["ieb"], "stage": "in place"}
    applications = school["ieb_applications"]
    if applications:
        latest = applications[-1]
        stage = "ended" if latest["stage"] == "constituted" else f"application {latest['stage']}"
        return {**latest, "stage": stage}
    return None


def _correctable(entry: dict[str, Any]) -> bool:
    """Whether a correction may be recorded against the entry (the domain has the last word):
    not a correction, nor what scc recorded itself (a reminder, a passing)."""
    return (entry["version"] > 1 and entry["event"] not in CORRECTIONS
            and not entry["retracted"] and not entry["by_scc"])
