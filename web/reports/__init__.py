"""The reports pages."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from web.reports import routes  # noqa: E402,F401  (routes attach to bp)
