"""One log record per request: its id, method, path, status and duration (the access log)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request
from werkzeug.wrappers import Response

log = logging.getLogger("scc.requests")
_SECRET_IN_PATH = re.compile(r"^(/calendar/)[^/]+(\.ics)$")
"""A calendar feed's address is its secret: the log names the feed, not the secret."""
REQUEST_ID = "X-Request-Id"
_GIVEN_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
"""An id a proxy sent is kept (so its logs and ours join up) if it is this tame."""
QUIET_PATHS = ("/healthz", "/readyz")
"""Probes hit these every few seconds: logged only at DEBUG, unless they fail."""


def register(app: Flask) -> None:
    @app.before_request
    def start_timing() -> None:
        given = request.headers.get(REQUEST_ID, "")
        g.request_id = given if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_started")
        if started is None:  # a request refused before timing began
            return response
        response.headers[REQUEST_ID] = g.request_id
        quiet = request.path in QUIET_PATHS and response.status_code < 500
        user = g.get("user")
        path = _SECRET_IN_PATH.sub(r"\1<secret>\2", request.path)
        log.log(logging.DEBUG if quiet else logging.INFO,
                "%s %s %s", request.method, path, response.status_code, extra={
                    "request_id": g.request_id,
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user": user["email"] if user else None,
                    "remote_addr": request.remote_addr,
                })
        return response
