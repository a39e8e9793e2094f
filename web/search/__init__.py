"""Search across every school's case file: entries by their words, schools by name or URN."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from web.search import routes  # noqa: E402,F401  (routes attach to bp)
