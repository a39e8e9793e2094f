"""ETags from a school's version, If-None-Match on reads and If-Match on writes.

A school's ETag starts with its case file's version: ``"42"`` after a write, and on reads
``"42.<digest>"``, the digest telling apart what else shaped that answer (the query, and the
day, since a status says what is open or overdue today). A write's If-Match takes any of the
school's ETags, or the bare version, and is refused with 409 if the case file has moved on.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import Response, request
from werkzeug.http import parse_etags

from web.api.problems import Problem

_ETAG = re.compile(r"(\d+)(?:\.[0-9a-f]+)?")

IF_MATCH = {
    "in": "header", "name": "If-Match", "required": False,
    "description": "The school's ETag (or version, as \"42\") the change was made against: "
                   "if the case file has changed since, nothing is recorded and the answer "
                   "is 409. Leave it out to record whatever the version.",
    "schema": {"type": "string"},
}
IF_NONE_MATCH = {
    "in": "header", "name": "If-None-Match", "required": False,
    "description": "An ETag from an earlier answer: 304 with no body if it still holds.",
    "schema": {"type": "string"},
}
READ_ETAG = {"ETag": {"description": "The school's version, then a digest of what else shaped "
                                     "the answer: \"42.5f0c9a1b2c3d\"",
                      "schema": {"type": "string"}}}
WRITE_ETAG = {"ETag": {"description": "The case file's version after the change: \"43\"",
                       "schema": {"type": "string"}}}


def read_etag(version: int, *shaped_by: Any) -> str:
    """The ETag of a read of a school at ``version``, shaped also by ``shaped_by``."""
    digest = hashlib.sha256(repr((request.path, *shaped_by)).encode()).hexdigest()[:12]
    return f'"{version}.{digest}"'


def write_etag(version: int) -> str:
    return f'"{version}"'


def not_modified(etag: str) -> Response | None:
    """304 if the client's If-None-Match holds this ETag (or is ``*``)."""
    if request.if_none_match.contains_weak(etag.strip('"')):  # weak comparison, RFC 9110
        response = Response(status=304)
        response.headers["ETag"] = etag
        return response
    return None


def expected_version() -> int | None:
    """The version If-Match names, or None if there is none (or ``*``: any version)."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    tags = parse_etags(header)
    if tags.star_tag:
        return None
    strong = [tag for tag in tags.as_set() if tag]  # '""' parses as an empty tag
    if len(strong) != 1 or not (found := _ETAG.fullmatch(strong[0])):
        raise Problem(400, "If-Match takes one ETag of the school, as its answers give it, "
                           "or its version in quotes, like \"42\"",
                      errors=[{"location": "header", "field": "If-Match",
                               "message": "Not one of the school's ETags"}])
    return int(found[1])
