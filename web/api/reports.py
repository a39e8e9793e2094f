"""Reports across schools: the category distribution over dates, and every school's deadlines
due in a window."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import marshmallow as ma
from marshmallow import fields
from marshmallow.validate import Length, OneOf

from application.reports import PHASES, report_dates
from web.api.auth import ApiBlueprint
from web.api.paging import PageQuery, paginate
from web.api.problems import Problem
from web.api.schemas import CategoryReportSchema, DueDeadlinePageSchema
from web.services import services

blp = ApiBlueprint("Reports", __name__, description=(
    "Counted from the read models, which are brought up to date first."))

MAX_DATES = 20
MAX_WINDOW = timedelta(days=366)
DEFAULT_WINDOW = timedelta(days=14)


class CategoriesQuery(ma.Schema):
    by = fields.String(load_default="la", validate=OneOf(("la", "ofsted")),
                       metadata={"description": "LA category or Ofsted grade"})
    phase = fields.String(load_default="all", validate=OneOf(PHASES))
    at = fields.List(fields.Date(), load_default=list, validate=Length(max=MAX_DATES),
                     metadata={"description": "The dates, repeated (at=2024-08-31&at=...); "
                                              "the last four 31 Augusts and today if none"})


class DeadlinesQuery(PageQuery):
    due_from = fields.Date(load_default=None, metadata={
        "description": "The first due date: today if neither date is given; if only due_to "
                       "is, every deadline due by then, overdue ones included"})
    due_to = fields.Date(load_default=None, metadata={
        "description": "The last due date; a fortnight after due_from (or today) if none"})


@blp.route("/reports/categories", methods=["GET"])
@blp.requires("read")
@blp.arguments(CategoriesQuery, location="query")
@blp.response(200, CategoryReportSchema)
def categories(query: dict[str, Any]) -> Any:
    """Category distribution

    The number and percentage of open schools, and of their pupils, in each LA category (or
    Ofsted grade) on each date. Ofsted's Satisfactory counts with Requires improvement.
    """
    web = services()
    dates = sorted(set(query["at"])) or report_dates(web.case_files.clock.today())
    rows = web.reports.categories(by=query["by"], phase=query["phase"], dates=dates)
    return {"by": query["by"], "phase": query["phase"], "dates": dates, "rows": rows}


@blp.route("/deadlines", methods=["GET"])
@blp.requires("read")
@blp.arguments(DeadlinesQuery, location="query")
@blp.response(200, DueDeadlinePageSchema)
def deadlines(query: dict[str, Any]) -> Any:
    """Deadlines due

    Every school's open deadlines due between two dates, soonest first; by default those due
    from today to a fortnight on. Leave ``due_from`` out, with ``due_to`` yesterday, for the
    overdue ones.
    """
    web = services()
    today = web.case_files.clock.today()
    first, last = query["due_from"], query["due_to"]
    if first is None and last is None:
        first = today
    if last is None:
        last = first + DEFAULT_WINDOW
    if first is not None and (last < first or last - first > MAX_WINDOW):
        raise Problem(422, "due_to must fall on or after due_from, at most a year later",
                      kind="invalid-request", errors=[{
                          "location": "query", "field": "due_to",
                          "message": "On or after due_from, at most 366 days after"}])
    found = web.reports.deadlines_between(first or date.min, last)
    rows = [{**row, "overdue": row["due"] < today} for row in found]
    body, headers = paginate(rows, query["page"], query["page_size"])
    return body, headers
