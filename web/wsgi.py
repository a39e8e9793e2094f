"""The web app for a WSGI server: ``gunicorn 'web.wsgi:create_app()'`` (what ``scc web`` runs).

Each server worker calls ``create_app()`` once, after the fork, so that every worker has its
own database connections; nothing is built when this module is imported. Web workers serve
pages and record commands (catching the read models up after their own writes); they never
run the scheduler or follow the log: exactly one ``scc worker`` does that.
"""

from __future__ import annotations

from flask import Flask

from adapters.bootstrap import build_web_services, settle_after_start
from adapters.config import Settings
from web import create_app as create_web_app


def create_app() -> Flask:
    """The app on the store the environment names (``SCC_DATABASE_URL`` and the rest), its
    templates compiled."""
    app = create_web_app(services=build_web_services(Settings.from_env()))
    compile_templates(app)
    settle_after_start()
    return app


def compile_templates(app: Flask) -> None:
    """Compiles every template (the pages' and GOV.UK Frontend's macros: about half a second
    in all) as the worker starts, rather than in the first requests to use each one. The
    categories chart is a template of its own (``.svg``), drawn in its page and downloaded."""
    env = app.jinja_env
    for name in env.list_templates(filter_func=lambda name: name.endswith((".html", ".svg"))):
        env.get_template(name)


def close_app(app: Flask) -> None:
    """Closes the app's database connections (a worker on its way out)."""
    services = app.extensions.get("scc")
    if services is not None:
        services.close()
