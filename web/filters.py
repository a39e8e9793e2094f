"""Jinja filters: dates, times and numbers as the LA writes them."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from application.entry_details import file_size
from domain.wording import local_time, long_date


def register(app: Flask) -> None:
    app.jinja_env.filters["long_date"] = lambda d: long_date(d) if isinstance(d, date) else ""
    app.jinja_env.filters["local_time"] = (
        lambda t: local_time(t) if isinstance(t, datetime) else "")
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["file_size"] = file_size


def number(value: object) -> str:
    """A count with thousands separators (12,345), as GOV.UK's style guide writes numbers."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
