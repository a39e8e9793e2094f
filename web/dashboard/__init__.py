"""The dashboard pages."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix=None)

from web.dashboard import routes  # noqa: E402,F401  (routes attach to bp)
