"""Wires the application to its adapters: the one place that does."""

from __future__ import annotations

from adapters.calendars import england_and_wales_calendar, load_term_holidays
from adapters.clock import SystemClock
from adapters.config import Settings
from adapters.event_store import event_store_env
from adapters.read_models import SQLReadModels, read_model_engine
from adapters.schemes import load_scheme
from application.case_files import SchoolCaseFiles
from application.ports import Clock
from application.projections import CaseFileProjections


def build_case_files(settings: Settings, clock: Clock | None = None) -> SchoolCaseFiles:
    """The case-file application on the configured store, calendar and category scheme."""
    holidays = load_term_holidays(settings.term_dates) if settings.term_dates else ()
    return SchoolCaseFiles(
        event_store_env(settings.database_url),
        clock=clock or SystemClock(),
        working_days=england_and_wales_calendar(holidays),
        scheme=load_scheme(settings.category_scheme),
    )


def build_projections(settings: Settings, case_files: SchoolCaseFiles) -> CaseFileProjections:
    """The read models, in the event store's database unless SCC_READ_MODEL_URL says else."""
    engine = read_model_engine(settings.read_model_url or settings.database_url)
    return CaseFileProjections(case_files, SQLReadModels(engine))
