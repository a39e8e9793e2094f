"""Errors as RFC 7807 problem details (application/problem+json), with field-level details.

The API keeps its error statuses apart, each with its own problem type:

- 400 ``bad-request``: the request cannot be read (a body that is not JSON, or nests more
  than 32 deep, or holds a lone surrogate or an integer of more than 4,300 digits; a
  malformed If-Match);
- 401 ``unauthorized``: no token, or one that is unknown, revoked, expired (``detail`` says
  so) or whose user is disabled;
- 403 ``forbidden``: the token's user's role does not allow this;
- 404 ``not-found``: no such school, or no such item (concern, notice, meeting...) in its file;
- 409 ``conflict``: the case file changed after the version the client read (If-Match), or
  someone else changed it at the same moment: re-read and retry; 409 ``already-registered``:
  the URN has a case file already; 409 ``file-missing``: a kept file to download is not in
  the store (``scc verify`` says more);
- 410 ``file-erased``: a kept file to download was erased (its case file's key was destroyed
  under a retention rule, which ``detail`` names);
- 413 ``too-large``: the body is larger than the app takes (for a file, the LA's limit for
  kept files and some room for the form's other fields);
- 422 ``invalid-request``: the body or query does not fit the operation's schema (``errors``
  lists each field at fault); 422 ``refused``: it fits, but the case file's rules refuse it as
  things stand (``detail`` says why in the LA's words; ``rule``, ``rule_title``,
  ``rule_source`` and ``rule_url`` name the rule of law or policy it rests on, when it rests
  on one). Sending the same request again will not help; a 409 is the one to retry after
  re-reading. A refusal that concerns one field of the request names it in ``errors`` too,
  as an invalid-request does (``{"location": "body", "field": "meets_on", "message": ...}``),
  so a client can show it beside that field.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

import marshmallow as ma
from flask import Flask, Response, current_app, json, request, url_for
from werkzeug.exceptions import BadRequest, HTTPException, default_exceptions

from application.case_files import ConcurrentChange, SchoolNotFound
from domain.errors import CaseFileError, field_of
from domain.rules import Rule, rule_of

MEDIA_TYPE = "application/problem+json"
TYPES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
}
LOCATIONS = {"json": "body", "multipart": "body", "query": "query", "view_args": "path",
             "headers": "header"}
DEEPEST_BODY = 32
"""How deeply a body's arrays and objects may nest: the deepest operation's body (a meeting
with its actions) is three deep, and a body nested a thousand deep exhausts the parser's
stack."""


class FieldError(ma.Schema):
    """One field at fault: where it was sent, its name (``actions.0.due``) and what is wrong."""

    location = ma.fields.String(required=True, metadata={
        "description": "body, query, path or header", "enum": list(LOCATIONS.values())})
    field = ma.fields.String(required=True, metadata={
        "description": "The field's name; nested fields and list items joined by dots"})
    message = ma.fields.String(required=True)


class ProblemSchema(ma.Schema):
    """RFC 7807 problem details."""

    type = ma.fields.String(required=True, metadata={
        "description": "What kind of problem: a link to its description in the API's page"})
    title = ma.fields.String(required=True, metadata={"description": "The kind, in words"})
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(metadata={"description": "This occurrence, in words"})
    instance = ma.fields.String(metadata={"description": "The path the request was sent to"})
    errors = ma.fields.List(ma.fields.Nested(FieldError), metadata={
        "description": "Each field at fault (invalid-request; refused, when the refusal "
                       "concerns one field)"})
    rule = ma.fields.String(metadata={
        "description": "The key of the rule of law or policy the refusal rests on (refused "
                       "only, when it rests on one): GET /api/v1/rules describes it"})
    rule_title = ma.fields.String(metadata={"description": "That rule's title"})
    rule_source = ma.fields.String(metadata={
        "description": "Where that rule comes from: an Act's section, regulations, guidance "
                       "or the LA's policy"})
    rule_url = ma.fields.String(metadata={
        "description": "That rule on the rules page, for people"})


class Problem(HTTPException):
    """An error the API answers with a problem document."""

    def __init__(self, status: int, detail: str, *, kind: str | None = None,
                 errors: list[dict[str, str]] | None = None,
                 headers: Mapping[str, str] | None = None, rule: Rule | None = None) -> None:
        super().__init__(detail)
        self.code = status
        self.kind = kind or TYPES.get(status)
        self.errors = errors
        self.extra_headers = dict(headers or {})
        self.rule = rule


@contextlib.contextmanager
def as_problems(in_path: Iterable[str] = ()) -> Iterator[None]:
    """The domain's refusals as problems: no such school 404, a change that crossed another
    409, any other rule 422, naming the field it concerns if it names one (``in_path``: the
    arguments taken from the path, not the body)."""
    try:
        yield
    except SchoolNotFound as error:
        raise Problem(404, str(error)) from None
    except ConcurrentChange as error:
        raise Problem(409, str(error)) from None
    except CaseFileError as error:
        field = field_of(error)
        errors = None
        if field:
            where = "path" if field.split(".")[0] in set(in_path) else "body"
            errors = [{"location": where, "field": field, "message": str(error)}]
        raise Problem(422, str(error), kind="refused", rule=rule_of(error),
                      errors=errors) from None


def problem_type(kind: str | None) -> str:
    """A problem type's URI: its section of the API's page, or about:blank for a bare HTTP
    status (RFC 7807 section 4.2)."""
    if kind is None:
        return "about:blank"
    return f"{current_app.config['API_PREFIX']}/docs#problem-{kind}"


def answer(error: HTTPException) -> Response:
    """The problem document for an HTTP error raised by a view, by webargs or by routing."""
    status = error.code or 500
    kind, errors, headers, rule = None, None, {}, None
    detail = error.description or ""
    if isinstance(error, Problem):
        kind, errors, headers, rule = error.kind, error.errors, error.extra_headers, error.rule
    else:
        kind = TYPES.get(status)
        data = getattr(error, "data", None) or {}  # webargs' validation messages
        if "messages" in data:
            errors = list(field_errors(data["messages"]))
            if any(e["field"] == "" and e["location"] == "body" for e in errors) and \
                    status == 400:
                detail = "The body is not valid JSON"
            else:
                kind, detail = "invalid-request", _summary(errors)
        if getattr(error, "valid_methods", None):  # 405 says which methods would do
            headers["Allow"] = ", ".join(error.valid_methods)
    document = {
        "type": problem_type(kind),
        "title": _titles().get(kind, default_exceptions[status]().name if status in
                               default_exceptions else "Error"),
        "status": status,
        "detail": detail,
        "instance": quote(request.path, safe="/"),
    }
    if errors:
        document["errors"] = errors
    if rule is not None:
        document.update(rule=rule.key, rule_title=rule.title, rule_source=rule.source,
                        rule_url=url_for("rules.index", _anchor=rule.key, _external=True))
    response = Response(json.dumps(document), status=status, mimetype=MEDIA_TYPE)
    response.headers.update(headers)
    return response


def check_body() -> None:
    """A 400 problem for a JSON body the parser or the store cannot take: nested deeper
    than DEEPEST_BODY, an integer longer than Python reads (4,300 digits), or text with a lone
    surrogate (UTF-16 half of a character, which no UTF-8 store can hold). What is read is
    kept for the operation's own parsing."""
    try:
        body = request.get_json()
    except RecursionError:
        raise Problem(400, f"The body nests arrays and objects more than {DEEPEST_BODY} "
                           "deep") from None
    except BadRequest:
        # Python reads at most 4,300 digits of an integer (CVE-2020-10735).
        too_long = re.search(rb"\d{4301}", request.get_data())
        raise Problem(400, "A number in the body has more than 4,300 digits" if too_long
                      else "The body is not valid JSON") from None
    waiting = [(body, 1)]
    while waiting:
        value, depth = waiting.pop()
        if depth > DEEPEST_BODY:
            raise Problem(400, f"The body nests arrays and objects more than {DEEPEST_BODY} "
                               "deep")
        if isinstance(value, dict):
            waiting += [(key, depth) for key in value]
            waiting += [(inner, depth + 1) for inner in value.values()]
        elif isinstance(value, list):
            waiting += [(inner, depth + 1) for inner in value]
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise Problem(400, "The body's text holds a lone surrogate (\\ud800 to "
                                   "\\udfff) that is not a character") from None


def field_errors(messages: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    """webargs' messages ({location: {field: [message] or nested}}) as a flat list."""
    for location, found in messages.items():
        where = LOCATIONS.get(location, location)
        yield from _flatten(where, "", found)


def _flatten(location: str, prefix: str, found: Any) -> Iterator[dict[str, str]]:
    if isinstance(found, Mapping):
        for name, inner in found.items():
            field = "" if name == "_schema" else str(name)
            yield from _flatten(location, f"{prefix}.{field}".strip(".") if field else prefix,
                                inner)
    elif isinstance(found, list | tuple):
        for inner in found:
            yield from _flatten(location, prefix, inner)
    else:
        yield {"location": location, "field": prefix, "message": str(found)}


def _summary(errors: list[dict[str, str]]) -> str:
    named = sorted({e["field"] for e in errors if e["field"]})
    if not named:
        return errors[0]["message"] if errors else "The request does not fit the schema"
    return f"Check {', '.join(named)}: see errors"


def _titles() -> dict[str | None, str]:
    return {
        "bad-request": "The request cannot be read",
        "unauthorized": "A valid API token is needed",
        "forbidden": "Your role does not allow this",
        "not-found": "Not found",
        "method-not-allowed": "Method not allowed",
        "conflict": "The case file changed: re-read it and retry",
        "file-missing": "The kept file is missing from the store",
        "file-erased": "The kept file was erased",
        "already-registered": "The school already has a case file",
        "too-large": "The request is too large",
        "invalid-request": "The request does not fit the schema",
        "refused": "The case file's rules refuse this",
    }


def install(app: Flask, prefix: str) -> None:
    """Answers every HTTP error under ``prefix`` with a problem document. Errors elsewhere
    (the web pages) keep the handler they had: the app-wide handlers are wrapped, so routing
    errors (an unknown path, a wrong method) under the prefix are answered too."""
    app.register_error_handler(Problem, answer)  # raised only by the API's own views

    @app.before_request
    def _readable_body() -> None:
        if request.path.startswith(prefix + "/") and request.is_json:
            check_body()

    for status in default_exceptions:
        handlers = app.error_handler_spec[None][status]
        previous = next(iter(handlers.values()), None)
        app.register_error_handler(status, _problem_or(previous, prefix))


def _problem_or(previous: Any, prefix: str) -> Any:
    def handle(error: HTTPException) -> Any:
        if request.path == prefix or request.path.startswith(prefix + "/"):
            if request.path.startswith(prefix + "/docs"):
                return previous(error) if previous else error  # a page, for people
            return answer(error)
        return previous(error) if previous is not None else error

    return handle
