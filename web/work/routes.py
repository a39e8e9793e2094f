"""My work at /my-work, and each user's calendar feed at /calendar/<secret>.ics."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    g,
    render_template,
    request,
    url_for,
)

from application.access import may
from application.calendar_feed import calendar
from application.my_work import APPROVAL_KIND, APPROVERS
from web.auth import requires
from web.pagination import Page, asked_page
from web.services import services
from web.work import bp

STAFF_ROLES = ("caseworker", "head")
"""The roles that own casework: those tasks can be set for and the team's load counts."""


def staff() -> list[dict[str, Any]]:
    """The enabled caseworkers and heads, by name: whom work can be handed to."""
    return sorted((u for u in services().users.list()
                   if u["role"] in STAFF_ROLES and not u["disabled"]),
                  key=lambda u: (u["name"].lower(), u["email"]))


TEAM_PER_PAGE = 50
"""People on one page of the team's load, most overdue first."""


@bp.get("/my-work")
@requires("record")
def my_work() -> Any:
    """The signed-in person's work; a head may read a colleague's (``?of=<email>``)."""
    web = services()
    today = web.case_files.clock.today()
    of = request.args.get("of", "").strip().lower()
    own = g.user["email"].strip().lower()
    if of and of != own:
        if not may(g.user["role"], "assign"):  # the head, who hands out the cases
            abort(403)
        name = web.workbench.name_of(of, web.users.list())
        work = web.workbench.my_work(of, "", today)  # a colleague's own work, not approvals
        return render_template("work/my_work.html", work=work, today=today, of=of, name=name,
                               team=None)
    work = web.workbench.my_work(own, g.user["role"], today)
    if g.user["role"] not in APPROVERS:
        return render_template("work/my_work.html", work=work, today=today, of=None,
                               name=g.user["name"], team=None)
    load = web.workbench.team_load(today, staff())
    page = Page.asked(asked_page("team"), len(load), TEAM_PER_PAGE)
    return render_template(
        "work/my_work.html", work=work, today=today, of=None, name=g.user["name"],
        team=page.of(load), team_page=page,
        team_pagination=page.component(
            lambda n: url_for("work.my_work", team=n, _anchor="team-load"),
            "Pages of the team's load"))


@bp.post("/account/calendar")
@requires("record")
def new_calendar_address() -> Any:
    """A new secret feed address, shown this once on the account page (in this answer only:
    never in the session cookie or a redirect's URL); the old address stops working."""
    from web.auth.routes import account_page

    token = services().calendar_feeds.issue(g.user["email"])
    return account_page(feed_url=_external(url_for("work.calendar_feed", token=token)))


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str) -> Response:
    """The feed: no sign-in (calendar programs cannot), the secret in the address is the key.
    A user disabled, or no longer a caseworker or head, gets nothing."""
    web = services()
    email = web.calendar_feeds.email_for(token)
    user = web.users.get(email) if email else None
    if user is None or user["disabled"] or user["role"] not in STAFF_ROLES:
        abort(404)
    store = web.projections.store
    web.projections.catch_up()
    with store.consistent():
        rows = [r for r in store.owned_deadlines(user["email"])
                if not r["suspended"] and r["kind"] != APPROVAL_KIND]
        if user["role"] in APPROVERS:
            rows += [r for r in store.deadlines_due(kind=APPROVAL_KIND) if not r["suspended"]]
    body = calendar(
        rows, name=f"scc: {user['name']}'s deadlines", stamp=web.case_files.clock.now(),
        case_file_url=lambda urn: _external(url_for("schools.case_file", urn=urn)),
        host=urlsplit(_external("/")).hostname or "scc")
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    return response


def _external(path: str) -> str:
    base = current_app.config.get("BASE_URL") or request.host_url
    return base.rstrip("/") + path

