"""The auditor's pages: one school replayed as at a date and as known at a time, compared
between two dates, its hash chain verified, exported, and who has viewed it."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

from web.audit import routes  # noqa: E402,F401  (routes attach to bp)
