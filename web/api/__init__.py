"""The JSON API at /api/v1 for the LA's other systems: schools, their case files' entries and
deadlines, every command, reports and verification; its OpenAPI document and a page for people.

Built on flask-smorest: marshmallow schemas read every request and write every answer, and
the same schemas make the OpenAPI 3 document at /api/v1/openapi.json. Requests authenticate
with a bearer token (web.api.auth), so the API is exempt from the web forms' CSRF check.
"""

from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from web.api.problems import MEDIA_TYPE, ProblemSchema, install

PREFIX = "/api/v1"


class ProblemApi(Api):
    """flask-smorest's Api, whose documented errors are problem documents, and which leaves
    the web pages' error handlers alone (web.api.problems answers the API's errors)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        pass

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as a problem document", "schema": ProblemSchema}
        prepare_response(response, self.spec, MEDIA_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def register(app: Flask) -> None:
    """Adds the API, its document and its page to the app."""
    from web.api import commands, docs, documents, reports, rules, schools, search

    app.config.update(
        API_PREFIX=PREFIX,
        API_TITLE="Schools causing concern API",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": (
                "Case files of the local authority's schools causing concern. Authenticate "
                "with a bearer token (scc tokens create). Errors are RFC 7807 problem details; "
                f"see {PREFIX}/docs.")},
            "servers": [{"url": "/"}],
            "components": {"securitySchemes": {"token": {
                "type": "http", "scheme": "bearer",
                "description": "A user's API token, from scc tokens create"}}},
            "security": [{"token": []}],
        },
    )
    api = ProblemApi(app)
    csrf = app.extensions["csrf"]
    for blueprint in (schools.blp, commands.blp, documents.blp, reports.blp, rules.blp,
                      search.blp):
        api.register_blueprint(blueprint, url_prefix=PREFIX)
        csrf.exempt(blueprint)
    app.register_blueprint(docs.bp, url_prefix=PREFIX)
    install(app, PREFIX)
