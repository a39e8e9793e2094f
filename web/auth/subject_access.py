"""Subject access, for administrators: what scc holds about a person (UK GDPR Article 15),
found by name or email address, with its exports for the LA to review before disclosure.

The name asked about is posted, never put in a URL (where browsers' histories and proxies'
logs keep it). Whatever the page or an export shows of a case file goes in the access log,
as every page and download that shows one does."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request
from werkzeug.wrappers import Response

from application import recorders
from application.subject_access import (
    HEADING,
    SeveralPeople,
    SubjectAccessRefused,
    grouped,
)
from web.auth import bp, requires
from web.services import services

VIEW_NAME_LENGTH = 40  # the access log's column
QUERY_LENGTH = 320
"""The longest name or email address searched for (an email address's longest)."""


@bp.get("/admin/subject-access")
@requires("protect_data")
def subject_access() -> str:
    return render_template("admin/subject_access.html", query="", found=None, shown=None,
                           errors=[], heading=HEADING)


@bp.post("/admin/subject-access")
@requires("protect_data")
def find_subject() -> Any:
    query, person = _asked()
    try:
        found = services().subject_access.find(query)
    except SubjectAccessRefused as refusal:
        return _refused(query, refusal)
    shown = next((a for a in found if a["person"]["person"] == person), None)
    if shown is None and len(found) == 1:
        shown = found[0]
    if shown is not None:
        _record_access(shown, "subject access search")
    return render_template("admin/subject_access.html", query=query, found=found, shown=shown,
                           schools=grouped(shown["mentions"]) if shown else [], errors=[],
                           heading=HEADING)


@bp.post("/admin/subject-access/export.json")
@requires("protect_data")
def export_subject_json() -> Any:
    from adapters.printable.subject_access import subject_access_json

    return _export("JSON", "application/json", "json", subject_access_json)


@bp.post("/admin/subject-access/export.pdf")
@requires("protect_data")
def export_subject_pdf() -> Any:
    from adapters.printable.subject_access import subject_access_pdf

    return _export("PDF", "application/pdf", "pdf", subject_access_pdf)


def _export(what: str, media_type: str, extension: str, render: Any) -> Any:
    query, person = _asked()
    try:
        answer = services().subject_access.answer(
            query, person=person or None, asked_by=recorders.account(g.user))
    except SubjectAccessRefused as refusal:
        return _refused(query, refusal)
    content = render(answer)
    _record_access(answer, f"subject access export {what}")
    name = f"subject-access-{answer['person']['person']}-{services().case_files.clock.today().isoformat()}"
    response = Response(content, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; frame-ancestors 'none'")
    response.headers["Cache-Control"] = "no-store"
    return response


def _asked() -> tuple[str, str]:
    query = " ".join(request.form.get("query", "").split())[:QUERY_LENGTH]
    return query, request.form.get("person", "").strip()


def _refused(query: str, refusal: SubjectAccessRefused) -> tuple[str, int]:
    found = [{"person": p, "counts": None} for p in refusal.people] \
        if isinstance(refusal, SeveralPeople) else None
    return render_template("admin/subject_access.html", query=query, found=found, shown=None,
                           errors=[{"text": str(refusal), "href": "#query"}],
                           heading=HEADING), 422


def _record_access(answer: dict[str, Any], view: str) -> None:
    """A line for each school whose case file the page or export shows something of."""
    urns = sorted({m["urn"] for m in answer["mentions"]}
                  | {f["urn"] for f in answer["kept_files"]})
    if urns:
        services().users.record_accesses(email=g.user["email"], urns=urns,
                                         view=view[:VIEW_NAME_LENGTH])
