"""A school's case file page: its status, what is open and due, every entry, and what to do next."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, g, render_template, url_for

from application.case_files import SchoolNotFound
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

    newest_first = list(reversed(history))
    page = Page.asked(asked_page(), len(newest_first),
                      TIMELINE_PER_PAGE)
    page_of_entry = {entry["version"]: page.holding(position)
                     for position, entry in enumerate(newest_first)}

    def entry_href(version: int) -> str:
        """A link to an entry, on whichever page of the timeline holds it."""
        on = page_of_entry.get(version, 1)
        return url_for("schools.case_file", urn=urn, page=on if on > 1 else None,
                       _anchor=f"entry-{version}")

    case = commands.CaseFileView(case_files, urn, status=school, deadlines=deadlines,
                                 history=history)
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
        timeline=[{**entry, "correctable": _correctable(entry),
                   "amendable": _correctable(entry) and is_amendable(entry)}
                  for entry in page.of(newest_first)],
        timeline_page=page,
        timeline_pagination=page.component(
            lambda n: url_for("schools.case_file", urn=urn, page=n, _anchor="timeline"),
            "Pages of the timeline"),
        entry_href=entry_href,
        command_groups=commands.command_groups(case),
        drafted_slugs={c.slug for c in commands.COMMANDS
                       if commands.drafts_whatever_is_chosen(c, case)},
        commands=commands.BY_SLUG,
    )


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
    """Whether a correction may be recorded against the entry (the domain has the last word)."""
    return (entry["version"] > 1 and entry["event"] not in CORRECTIONS
            and not entry["retracted"])
