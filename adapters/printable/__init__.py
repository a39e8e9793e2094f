"""A school's whole history as a self-contained, print-ready HTML document, for auditors."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.wording import local_time, long_date


def render_history(school: dict[str, Any], history: list[dict[str, Any]],
                   verification: dict[str, Any], generated_at: datetime, *,
                   print_script: str | None = None) -> str:
    """The case file of ``school`` (``SchoolCaseFiles.school``), every entry of ``history``
    (``SchoolCaseFiles.history``) and this school's result from ``application.audit.verify``.
    Served by the web app, it has a print button worked by ``print_script`` (a URL); a file
    written to disk has none, and needs none."""
    altered = {p["version"] for p in verification["problems"] if p["version"] is not None}
    return _templates().get_template("history.html").render(
        school=school, history=history, verification=verification,
        generated_at=generated_at, altered=altered, print_script=print_script,
    )


@cache
def _templates() -> Environment:
    """Built on first use, not at import; every value is escaped unless marked safe."""
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).parent),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["long_date"] = _long_date
    environment.filters["local_time"] = local_time
    return environment


def _long_date(day: date | None) -> str:
    return "" if day is None else long_date(day)
