"""The web app: a GOV.UK-style service for the school improvement team and auditors."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from web.config import Config, secret_key_problem
from web.services import WebServices


def create_app(config: Config | None = None, services: WebServices | None = None) -> Flask:
    """Builds the app; ``services`` are the use cases (built from the environment if None)."""
    app = Flask(__name__)
    app.config.from_mapping((config or Config()).as_mapping())
    if not app.config["TESTING"] and (problem := secret_key_problem(app.config["SECRET_KEY"])):
        raise ValueError(problem)
    if app.config["PROXY_HOPS"]:
        # Behind a reverse proxy: the client's address (sign-in throttling) and the scheme
        # and host (CSRF's referrer check) come from the proxy's X-Forwarded-* headers.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.jinja_loader = ChoiceLoader([
        PackageLoader("web"),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    if services is None:
        from adapters.bootstrap import build_web_services
        from adapters.config import Settings

        services = build_web_services(Settings.from_env())
    app.extensions["scc"] = services

    from flask_wtf.csrf import CSRFProtect

    CSRFProtect(app)

    from web import (
        audit,
        auth,
        dashboard,
        filters,
        health,
        reports,
        request_log,
        rules,
        schools,
        search,
        security_headers,
        store_failures,
        work,
    )

    # GOV.UK Frontend's stylesheet finds its fonts and images under /assets.
    app.register_blueprint(Blueprint("govuk_assets", __name__, static_folder="static/govuk/assets",
                                     static_url_path="/assets"))

    request_log.register(app)  # first: the timing covers the other hooks
    security_headers.register(app)
    filters.register(app)
    store_failures.register(app)
    auth.register(app)
    for blueprint in (health.bp, auth.bp, dashboard.bp, schools.bp, reports.bp, audit.bp,
                      rules.bp, search.bp, work.bp):
        app.register_blueprint(blueprint)

    @app.errorhandler(403)
    def forbidden(error):  # noqa: ANN001, ANN202
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error):  # noqa: ANN001, ANN202
        return render_template("errors/404.html"), 404

    @app.errorhandler(400)
    def bad_request(error):  # noqa: ANN001, ANN202
        return render_template("errors/400.html", reason=getattr(error, "description", "")), 400

    from web.schools.documents import too_large

    app.register_error_handler(413, too_large)

    @app.errorhandler(409)
    def conflict(error):  # noqa: ANN001, ANN202
        return render_template("errors/409.html", reason=getattr(error, "description", "")), 409

    @app.errorhandler(410)
    def gone(error):  # noqa: ANN001, ANN202
        return render_template("errors/410.html", reason=getattr(error, "description", "")), 410

    from web import api

    api.register(app)  # last: its error handlers wrap the pages' for paths under /api/v1
    return app
