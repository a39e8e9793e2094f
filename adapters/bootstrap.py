"""Wires the application to its adapters: the one place that does."""

from __future__ import annotations

from adapters.calendars import england_and_wales_calendar, load_term_holidays
from adapters.clock import SystemClock
from adapters.config import Settings
from adapters.event_store import event_store_env
from adapters.schemes import load_scheme
from application.case_files import SchoolCaseFiles
from application.ports import Clock


def build_case_files(settings: Settings, clock: Clock | None = None) -> SchoolCaseFiles:
    """The case-file application on the configured store, calendar and category scheme."""
    holidays = load_term_holidays(settings.term_dates) if settings.term_dates else ()
    return SchoolCaseFiles(
        event_store_env(settings.database_url),
        clock=clock or SystemClock(),
        working_days=england_and_wales_calendar(holidays),
        scheme=load_scheme(settings.category_scheme),
    )
