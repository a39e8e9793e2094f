"""A school's case file page: its status, what is open and due, every entry, and what to do next."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, g, render_template

from application.case_files import SchoolNotFound
from web.auth import requires
from web.schools import bp, commands
from web.schools.forms import is_amendable
from web.services import services

CORRECTIONS = ("EntryRetracted", "EntryAmended")


@bp.get("/<int:urn>")
@requires("read")
def case_file(urn: int) -> str:
    case_files = services().case_files
    try:
        school = case_files.school(urn)
        history = case_files.history(urn)
        deadlines = case_files.deadlines(urn)
    except SchoolNotFound:
        abort(404)
    services().users.record_access(email=g.user["email"], urn=urn, view="case file")
    today = case_files.clock.today()

    def working_days_left(due: date) -> int:
        return case_files.working_days.working_days_between(today, due)

    return render_template(
        "schools/case_file.html",
        school=school,
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
                  for entry in reversed(history)],
        command_groups=commands.command_groups(),
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
