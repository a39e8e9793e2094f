"""The schools: the list, each school's case file, and the forms that record on it."""

from flask import Blueprint

bp = Blueprint("schools", __name__, url_prefix="/schools")

from web.schools import briefing, case_file, documents, drafts, routes  # noqa: E402,F401  (routes attach to bp)
