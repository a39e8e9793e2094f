"""A subject access answer (``application.subject_access``) as the files the LA reviews before
disclosure: JSON with every mention, and a PDF to read, grouped by school then entry."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from typing import Any

from adapters.printable import _templates
from application.subject_access import HEADING, grouped

_RENDERING = threading.Lock()
"""WeasyPrint's fonts (Pango) are used by one render at a time, as the letters' are."""


def subject_access_json(answer: dict[str, Any]) -> bytes:
    """The answer as JSON: its header (who asked, when, the query, the counts) first, then
    every mention, kept file, account and access-log line; times in UTC, days as dates."""
    return (json.dumps(answer, indent=2, ensure_ascii=False, default=_iso) + "\n").encode()


def subject_access_html(answer: dict[str, Any]) -> str:
    """The answer as one self-contained, print-ready HTML document."""
    return _templates().get_template("subject_access.html").render(
        answer=answer, header=answer["header"], person=answer["person"],
        counts=answer["counts"], schools=grouped(answer["mentions"]), heading=HEADING)


def subject_access_pdf(answer: dict[str, Any]) -> bytes:
    """The answer as a PDF, from ``subject_access_html`` through WeasyPrint."""
    from weasyprint import HTML  # loads Pango: only when a PDF is made

    html = subject_access_html(answer)
    with _RENDERING:
        return HTML(string=html).write_pdf()


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
