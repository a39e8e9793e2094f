"""My work (each person's deadlines, ranked), the team's load, and the calendar feeds."""

from flask import Blueprint

bp = Blueprint("work", __name__)

from web.work import routes  # noqa: E402,F401  (routes attach to bp)
