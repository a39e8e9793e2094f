"""Jinja filters: dates and times as the LA writes them."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from domain.wording import local_time, long_date


def register(app: Flask) -> None:
    app.jinja_env.filters["long_date"] = lambda d: long_date(d) if isinstance(d, date) else ""
    app.jinja_env.filters["local_time"] = (
        lambda t: local_time(t) if isinstance(t, datetime) else "")
