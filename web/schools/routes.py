"""The schools list: search by name or URN, filter, sort and page, all in the query string."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for

from application.school_search import SCHOOL_SORTS
from web.auth import requires
from web.pagination import Page, asked_page
from web.schools import bp
from web.services import services

PER_PAGE = 50
PHASES = {"primary": "Primary (and nursery)", "secondary": "Secondary (and all-through, 16 plus)",
          "special": "Special", "other": "Other (pupil referral units and the like)"}
GOVERNANCE = {"maintained": "Maintained", "academy": "Academy or free school",
              "pupil referral unit": "Pupil referral unit"}
CONCERN = {"yes": True, "no": False}
STATUS = {"open": True, "closed": False}
ORDERS = ("asc", "desc")
FILTERS = ("q", "phase", "category", "concern", "governance", "status")


@bp.get("/")
@requires("read")
def index():  # noqa: ANN201
    web = services()
    scheme = web.projections.scheme
    asked = {name: request.args.get(name, "").strip() for name in FILTERS}
    sort = request.args.get("sort", "urn")
    order = request.args.get("order", "asc")
    categories = {code.casefold(): code for code in scheme.codes} | {"none": "none"}
    _check(asked["phase"], PHASES, "phase")
    _check(asked["concern"], CONCERN, "causing concern")
    _check(asked["governance"], GOVERNANCE, "governance")
    _check(asked["status"], STATUS, "status")
    _check(asked["category"].casefold(), categories, "LA category")
    _check(sort, SCHOOL_SORTS, "sort")
    _check(order, ORDERS, "order")

    def search(number: int) -> tuple[list[dict[str, Any]], int]:
        return web.reports.schools(
            text=asked["q"],
            phase_group=asked["phase"] or None,
            category=asked["category"] or None,
            causing_concern=CONCERN.get(asked["concern"]),
            governance=asked["governance"] or None,
            is_open=STATUS.get(asked["status"]),
            sort=sort, descending=order == "desc",
            limit=PER_PAGE, offset=(number - 1) * PER_PAGE,
        )

    number = asked_page()
    found, total = search(number)
    page = Page.asked(number, total, PER_PAGE)
    if page.number != number:  # past the last page: the last one
        found, total = search(page.number)

    query = {k: v for k, v in asked.items() if v}
    if sort != "urn" or order != "asc":
        query |= {"sort": sort, "order": order}

    def link(**changes: Any) -> str:
        return url_for("schools.index", **{k: v for k, v in (query | changes).items()
                                           if v not in (None, "")})

    def sort_link(column: str) -> str:
        flip = "desc" if sort == column and order == "asc" else "asc"
        return link(sort=column, order=flip, page=None)

    pagination = page.component(lambda n: link(page=n), "Pages of schools")
    return render_template(
        "schools/index.html", asked=asked, sort=sort, order=order, schools=found,
        pagination=pagination,
        total=total, page=page.number, pages=page.pages, first=page.first,
        link=link, sort_link=sort_link, filtered=any(asked.values()),
        today=web.case_files.clock.today(),
        select_items={
            "phase": _options(PHASES, asked["phase"], "Any phase"),
            "category": _options(
                {**{c.code: f"{c.code}: {c.label}" for c in scheme.categories},
                 "none": "Not categorised"},
                categories.get(asked["category"].casefold(), ""), "Any category"),
            "concern": _options({"yes": "Yes", "no": "No"}, asked["concern"], "Either"),
            "governance": _options(GOVERNANCE, asked["governance"], "Either"),
            "status": _options({"open": "Open", "closed": "Closed"}, asked["status"], "Either"),
        },
    )


def _options(choices: dict[str, str], chosen: str, any_text: str) -> list[dict[str, Any]]:
    """A GOV.UK select's items: "any" first, then each choice, the chosen one selected."""
    return [{"value": "", "text": any_text, "selected": not chosen},
            *({"value": value, "text": text, "selected": value == chosen}
              for value, text in choices.items())]


def _check(value: str, allowed: Any, what: str) -> None:
    if value and value not in allowed:
        abort(400, f"There is no {what} {value!r} to choose")
