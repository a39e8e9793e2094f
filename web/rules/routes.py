"""The rulebook, chapter by chapter, for every signed-in user (an administrator too): what
each rule says, where it comes from and when it applies; a refusal links to its rule here."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, redirect, render_template, request, url_for

from application import rulebook
from web.rules import bp

PARTS = ("day", "month", "year")


@bp.get("/rules")
def index() -> Any:
    if g.get("user") is None:
        return redirect(url_for("auth.sign_in", next=request.full_path))
    typed = {part: request.args.get(f"on-{part}", "").strip() for part in PARTS}
    on, problem = _day(typed)
    status = 200 if problem is None else 400
    return render_template("rules/index.html", chapters=rulebook.chapters(on=on), on=on,
                           typed=typed, problem=problem), status


def _day(typed: dict[str, str]) -> tuple[date | None, str | None]:
    """The day the rules are filtered on, if one was typed, or why it cannot be read."""
    if not any(typed.values()):
        return None, None
    missing = [part for part in PARTS if not typed[part]]
    if missing:
        return None, f"The date must include a {missing[0]}"
    if not all(typed[part].isdigit() and len(typed[part]) <= 4 for part in PARTS):
        return None, "Enter the date as numbers, for example 17 4 2016"
    if len(typed["year"]) != 4:
        return None, "The year must include 4 numbers"
    try:
        return date(int(typed["year"]), int(typed["month"]), int(typed["day"])), None
    except ValueError:
        return None, "Enter a real date, for example 17 4 2016"
