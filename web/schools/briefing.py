"""A school's one-page briefing for a meeting: where it stands, what is open, what comes next."""

from __future__ import annotations

from typing import Any

from flask import abort, g, render_template

from application.case_files import SchoolCaseFiles, SchoolNotFound
from domain.deadlines import Deadline
from web.auth import requires
from web.schools import bp
from web.services import services

NEXT_STEPS = 6
"""Deadlines the briefing names: the soonest, overdue first; the case file lists them all."""
LIVE_NOTICES = ("open", "not complied with")
"""A warning notice still to be acted on: awaiting compliance, or failed and not yet closed."""


@bp.get("/<int:urn>/briefing")
@requires("read")
def briefing(urn: int) -> str:
    case_files = services().case_files
    try:
        overview = case_files.overview(urn)
    except SchoolNotFound:
        abort(404)
    services().users.record_access(email=g.user["email"], urn=urn, view="briefing")
    school = overview.status
    today = case_files.clock.today()
    return render_template(
        "schools/briefing.html", school=school, today=today,
        notices=[n for n in school["warning_notices"] if n["status"] in LIVE_NOTICES],
        actions=sorted(school["msp"]["open_actions"], key=lambda a: a["due"])
        if school["msp"] else [],
        academy_orders=[o for o in school["academy_orders"] if o["status"] == "made"],
        ieb_applications=[a for a in school["ieb_applications"]
                          if a["stage"] in ("drafted", "submitted", "consented")],
        next_steps=[_step(case_files, d, today) for d in overview.deadlines
                    if not d.suspended][:NEXT_STEPS],
        more_steps=max(0, sum(not d.suspended for d in overview.deadlines) - NEXT_STEPS),
    )


def _step(case_files: SchoolCaseFiles, deadline: Deadline, today: Any) -> dict[str, Any]:
    """A deadline with the working days left, or the days it is overdue."""
    days = case_files.working_days
    return {"what": deadline.what, "due": deadline.due, "version": deadline.source_version,
            "overdue_days": (today - deadline.due).days if deadline.due < today else 0,
            "working_days_left": days.working_days_between(today, deadline.due)}
