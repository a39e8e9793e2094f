"""The rules page: every rule of law and policy scc holds a case file to."""

from flask import Blueprint

bp = Blueprint("rules", __name__)

from web.rules import routes  # noqa: E402,F401  (routes attach to bp)
