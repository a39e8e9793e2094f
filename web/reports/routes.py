"""The reports: categories over time (with a chart and downloads), schools causing concern,
the deadlines calendar, and the signed-in user's notifications."""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
from datetime import date, timedelta
from typing import Any

from flask import Response, abort, g, render_template, request, url_for

from application.csv_cells import safe_row
from application.reports import PHASES, report_dates
from domain.dates import EARLIEST_SCHOOL_DATE
from web.auth import requires
from web.pagination import Page, asked_page
from web.reports import bp
from web.reports.chart import stacked_bars
from web.services import services

BY = {"la": "LA category", "ofsted": "Ofsted grade"}
PHASE_NAMES = {"all": "All phases", "primary": "Primary (and nursery)",
               "secondary": "Secondary (and all-through, 16 plus)",
               "special": "Special"}
MOST_DATES = 10
LISTED = 50
"""Rows in one page of a report's lists (deadlines, schools causing concern)."""
SHOWN_A_DAY = 5
"""Deadlines named in one day of the calendar; the month's list has the rest."""
COLUMNS = ("date", "phase", "category", "schools", "schools_pct", "pupils", "pupils_pct")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


# Categories over time ------------------------------------------------------------------------

@bp.get("/")
@requires("read")
def index():  # noqa: ANN201
    web = services()
    web.projections.catch_up()
    today = web.case_files.clock.today()
    asked, errors = _category_question(today)
    rows = [] if errors else web.reports.categories(**asked)
    labels = ({c.code: c.label for c in web.projections.scheme.categories}
              if asked["by"] == "la" else {})
    query = {"by": asked["by"], "phase": asked["phase"],
             "dates": ",".join(d.isoformat() for d in asked["dates"])}
    return render_template(
        "reports/categories.html", asked=asked, errors=errors, rows=rows, labels=labels,
        tables=_by_date(rows), chart=stacked_bars(rows, labels) if rows else None,
        chart_title=_chart_title(asked),
        dates_text=request.args.get("dates", ", ".join(f"{d:%d/%m/%Y}" for d in asked["dates"])),
        by_names=BY, phase_names=PHASE_NAMES, query=query, most_dates=MOST_DATES,
        by_items=[{"value": v, "text": t, "checked": v == asked["by"]} for v, t in BY.items()],
        phase_items=[{"value": v, "text": t, "selected": v == asked["phase"]}
                     for v, t in PHASE_NAMES.items()],
    ), 400 if errors else 200


@bp.get("/categories.<fmt>")
@requires("read")
def categories_download(fmt: str):  # noqa: ANN201
    """The report's figures (CSV, JSON) or its chart (SVG), for the dates asked."""
    if fmt not in ("csv", "json", "svg"):
        abort(404)
    web = services()
    web.projections.catch_up()
    asked, errors = _category_question(web.case_files.clock.today())
    if errors:
        abort(400, " ".join(errors.values()))
    found = web.reports.categories(**asked)
    rows = [{**r, "date": r["date"].isoformat()} for r in found]
    name = f"categories-{asked['by']}-{asked['phase']}.{fmt}"
    if fmt == "svg":
        labels = ({c.code: c.label for c in web.projections.scheme.categories}
                  if asked["by"] == "la" else {})
        if not found:
            abort(404, "There are no schools to chart on those dates")
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n' + render_template(
            "reports/chart.svg", chart=stacked_bars(found, labels),
            chart_title=_chart_title(asked)))
        mimetype = "image/svg+xml"
    elif fmt == "json":
        body, mimetype = json.dumps(rows, indent=2), "application/json"
    else:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(safe_row(r[c] for c in COLUMNS) for r in rows)
        body, mimetype = out.getvalue(), "text/csv"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _chart_title(asked: dict[str, Any]) -> str:
    return (f"{BY[asked['by']]} of open schools ({PHASE_NAMES[asked['phase']].lower()}) on "
            "each date, as a share of all open schools")


def _category_question(today: date) -> tuple[dict[str, Any], dict[str, str]]:
    """The report asked for in the query string (by, phase, dates), and what is wrong with it,
    by field."""
    errors = {}
    by = request.args.get("by", "la")
    if by not in BY:
        errors["by"], by = "Choose LA category or Ofsted grade", "la"
    phase = request.args.get("phase", "all")
    if phase not in PHASES:
        errors["phase"], phase = "Choose a phase from the list", "all"
    dates = report_dates(today)
    text = request.args.get("dates")
    if text is not None:
        try:
            dates = _parse_dates(text)
        except ValueError as error:
            errors["dates"] = str(error)
            dates = report_dates(today)
    return {"by": by, "phase": phase, "dates": dates}, errors


def _parse_dates(text: str) -> list[date]:
    """Dates as 31/8/2025 or 2025-08-31, separated by commas or spaces."""
    words = [w for w in re.split(r"[,\s]+", text.strip()) if w]
    if not words:
        raise ValueError("Enter at least one date")
    if len(words) > MOST_DATES:
        raise ValueError(f"Enter at most {MOST_DATES} dates")
    dates = []
    for word in words:
        try:
            if match := _DAY_MONTH_YEAR.fullmatch(word):
                day, month, year = (int(n) for n in match.groups())
                dates.append(date(year, month, day))
            else:
                dates.append(date.fromisoformat(word))
        except ValueError:
            raise ValueError(f"{word!r} is not a real date: enter dates like 31/8/2025") from None
    return sorted(set(dates))


def _by_date(rows: list[dict[str, Any]]) -> list[tuple[date, list[dict[str, Any]]]]:
    tables: dict[date, list[dict[str, Any]]] = {}
    for row in rows:
        tables.setdefault(row["date"], []).append(row)
    return list(tables.items())


# Schools causing concern -------------------------------------------------------------------

@bp.get("/concern")
@requires("read")
def concern():  # noqa: ANN201
    web = services()
    asked = asked_page()
    schools, total = web.reports.causing_concern_page(limit=LISTED, offset=(asked - 1) * LISTED)
    page = Page.asked(asked, total, LISTED)
    if page.number != asked:  # past the last page: the last one
        schools, total = web.reports.causing_concern_page(
            limit=LISTED, offset=(page.number - 1) * LISTED)
    return render_template(
        "reports/concern.html", schools=schools, page=page, total=total,
        pagination=page.component(lambda n: url_for("reports.concern", page=n),
                                  "Pages of schools causing concern"),
        today=web.case_files.clock.today())


# Deadlines -------------------------------------------------------------------------------

FIRST_MONTH, LAST_MONTH = EARLIEST_SCHOOL_DATE, date(9998, 12, 1)
"""The months the deadlines calendar shows: from when a school's record can begin
(domain.dates) to the last whose next month the calendar can still link to."""


@bp.get("/deadlines")
@requires("read")
def deadlines():  # noqa: ANN201
    web = services()
    web.projections.catch_up()
    today = web.case_files.clock.today()
    month = request.args.get("month")
    if month is None:
        first = today.replace(day=1)
    else:
        try:
            first = date.fromisoformat(f"{month}-01")
        except ValueError:
            abort(400, f"{month!r} is not a month: ask for one like {today:%Y-%m}")
        if not FIRST_MONTH <= first <= LAST_MONTH:
            abort(400, f"There are no deadlines in {first:%B} {first.year}: ask for a month "
                       f"from {FIRST_MONTH:%B} {FIRST_MONTH.year} to {LAST_MONTH:%B %Y}")
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    in_month = web.reports.deadlines_between(first, last)
    due_on: dict[date, list[dict[str, Any]]] = {}
    for deadline in in_month:
        due_on.setdefault(deadline["due"], []).append(deadline)
    month_page = Page.asked(asked_page(), len(in_month), LISTED)
    asked_overdue = asked_page("overdue_page")
    overdue, overdue_count = web.reports.overdue(
        today, limit=LISTED, offset=(asked_overdue - 1) * LISTED)
    overdue_page = Page.asked(asked_overdue, overdue_count, LISTED)
    if overdue_page.number != asked_overdue:  # past the last page: the last one
        overdue, overdue_count = web.reports.overdue(
            today, limit=LISTED, offset=(overdue_page.number - 1) * LISTED)

    def link(**changes: Any) -> str:
        asked = {"month": month, "page": month_page.number, "overdue_page": overdue_page.number}
        return url_for("reports.deadlines", **{
            k: v for k, v in (asked | changes).items() if v not in (None, 1)})

    before, after = first - timedelta(days=1), last + timedelta(days=1)
    return render_template(
        "reports/deadlines.html", today=today, first=first, in_month=in_month,
        weeks=calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(
            first.year, first.month),
        due_on=due_on, shown_a_day=SHOWN_A_DAY,
        listed=month_page.of(in_month), month_page=month_page,
        month_list_pages=month_page.component(
            lambda n: link(page=n, _anchor="month-deadlines"), "Pages of the month's deadlines"),
        overdue=overdue, overdue_page=overdue_page,
        overdue_pages=overdue_page.component(
            lambda n: link(overdue_page=n, _anchor="overdue"), "Pages of overdue deadlines"),
        month_pages={
            "previous": {"href": url_for("reports.deadlines", month=f"{before:%Y-%m}"),
                         "text": "Previous month", "labelText": f"{before:%B %Y}"},
            "next": {"href": url_for("reports.deadlines", month=f"{after:%Y-%m}"),
                     "text": "Next month", "labelText": f"{after:%B %Y}"},
            "landmarkLabel": "Other months",
        },
    )


# Notifications ---------------------------------------------------------------------------

@bp.get("/notifications")
@requires("read")
def notifications():  # noqa: ANN201
    web = services()
    web.projections.catch_up()
    inbox = (None if web.notifications is None
             else web.notifications.inbox(g.user["email"]))
    return render_template("reports/notifications.html", inbox=inbox)
