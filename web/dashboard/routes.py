"""The dashboard: which schools cause concern, what is due, what is overdue, what changed."""

from __future__ import annotations

from flask import abort, g, render_template, request

from web.auth import requires
from web.dashboard import bp
from web.services import services

VIEWS = ("all", "mine")
OVERDUE_SHOWN = 20
"""The dashboard shows the longest overdue deadlines; the deadlines report shows all."""


@bp.get("/")
@requires("read")
def index():  # noqa: ANN201
    view = request.args.get("view", "all")
    if view not in VIEWS:
        abort(400, f"Show 'all' schools or 'mine', not {view!r}")
    web = services()
    today = web.case_files.clock.today()
    board = web.reports.dashboard(  # brings the read models up to date first
        today, caseworker_email=g.user["email"] if view == "mine" else None,
        overdue=OVERDUE_SHOWN)
    # The head answers for the service's mail: the dashboard says when it is not going out.
    mail_trouble = (web.notifications.trouble(web.case_files.clock.now())
                    if web.notifications is not None and g.user["role"] == "head" else None)
    return render_template(
        "dashboard/index.html", view=view, today=today, board=board, mail_trouble=mail_trouble,
        overdue=board["overdue"], overdue_count=board["overdue_count"],
        category_labels={c.code: c.label for c in web.projections.scheme.categories},
        owners={**web.projections.store.caseworker_names(),  # assigned without an account
                **{u["email"].lower(): u["name"] for u in web.users.list()}},
    )
