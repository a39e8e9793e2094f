"""The auditor's pages for one school: replay, difference, verification, exports, access log.

Every page and export records who viewed the school, and how, in the access log.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import UTC, date, datetime
from typing import Any

from flask import Response, abort, g, redirect, render_template, request, url_for

from adapters.printable import render_history
from application.audit import verify
from application.case_files import SchoolNotFound
from application.csv_cells import safe_row
from application.documents import chunks
from application.entry_details import field_cells, field_columns
from application.views import READING_AIDS
from domain.dates import require_known_at
from domain.errors import CaseFileError
from web.audit import bp
from web.audit.forms import ReplayForm
from web.auth import requires
from web.security_headers import allow_inline_styles
from web.services import services

HISTORY_COLUMNS = ("version", "effective", "recorded_at", "by", "event", "summary", "retracted",
                   "amended", "corrections", "by_identity")
"""The columns every entry has; a column for each field of the entries follows them, headed
in words ("Matters the notice is based on"): the JSON export gives the stored fields."""
VIEW_NAME_LENGTH = 40  # the access log's column


@bp.get("/")
@requires("replay")
def index() -> Any:
    """Asks which school; a URN goes straight to its page."""
    urn = (request.args.get("urn") or "").strip()
    problem = None
    if urn:
        if urn.isdigit() and int(urn) in services().case_files:
            return redirect(url_for("audit.school", urn=int(urn)))
        problem = f"No school with URN {urn} has a case file"
    return render_template("audit/index.html", urn=urn, problem=problem), 404 if problem else 200


@bp.get("/schools/<int:urn>")
@requires("replay")
def school(urn: int) -> Any:
    case_files = services().case_files
    if urn not in case_files:
        abort(404)
    form = ReplayForm(formdata=request.args or None)
    asked = bool(request.args) and form.validate()
    as_at = form.as_at.data if asked else None
    as_known_at = form.as_known_at if asked else None
    _record_access(urn, _view_name(as_at, as_known_at, compare=asked and bool(
        form.compare_from.data)))

    problem, status, history = None, None, []
    try:
        status = case_files.school(urn, as_at=as_at, as_known_at=as_known_at)
        history = case_files.history(urn, as_at=as_at, as_known_at=as_known_at)
    except SchoolNotFound as error:
        problem = str(error)
    differences, compared = None, None
    if asked and form.compare_from.data:
        compared = (form.compare_from.data, form.compare_to.data)
        try:
            differences = case_files.differences(urn, *compared, as_known_at=as_known_at)
        except SchoolNotFound as error:
            form.compare_from.errors.append(str(error))
    errors = [{"text": field.errors[0], "href": f"#{_anchor(field)}"}
              for field in form if field.errors]
    export_query = {k: v for k, v in (
        ("as_at", as_at.isoformat() if as_at else None),
        ("as_known_at", as_known_at.isoformat() if as_known_at else None)) if v}
    return render_template(
        "audit/school.html", urn=urn, form=form, errors=errors, problem=problem,
        status=status, history=history, as_at=as_at, as_known_at=as_known_at,
        compared=compared, differences=differences,
        verification=verify(case_files, urn=urn, documents=services().documents.store),
        access=services().users.access_log(urn=urn, limit=100),
        documents=services().documents.documents(urn),
        export_query=export_query,
        name=status["name"] if status else case_files.school(urn)["name"],
    ), 422 if errors else 200


@bp.get("/schools/<int:urn>/history.csv")
@requires("replay")
def history_csv(urn: int) -> Response:
    as_at, as_known_at = _export_arguments()
    history = _history(urn, as_at, as_known_at)
    _record_access(urn, "export CSV")
    return _download(_history_csv(history), "text/csv", urn, "csv")


@bp.get("/schools/<int:urn>/export.zip")
@requires("replay")
def export_zip(urn: int) -> Response:
    """The history (JSON and CSV) and every kept file, with a manifest of their hashes."""
    as_at, as_known_at = _export_arguments()
    history = _history(urn, as_at, as_known_at)
    _record_access(urn, "export zip with documents")
    spooled = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - closed by chunks()
    services().documents.export(
        urn, spooled, history_json=_history_json(urn, history, as_at, as_known_at),
        history_csv=_history_csv(history))
    size = spooled.tell()
    spooled.seek(0)
    response = Response(chunks(spooled), mimetype="application/zip", direct_passthrough=True)
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="urn-{urn}-case-file.zip"')
    return response


def _history_csv(history: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    fields = field_columns(history)
    writer.writerow(safe_row([*HISTORY_COLUMNS, *fields]))
    for e in history:
        writer.writerow(safe_row([
            e["version"], e["effective"].isoformat(), _utc(e["recorded_at"]), e["by"], e["event"],
            e["summary"], "yes" if e["retracted"] else "",
            "yes" if any(c["kind"] == "amended" for c in e["corrections"]) else "",
            _to_json(e["corrections"]), e["by_identity"], *field_cells(e, fields),
        ]))
    return out.getvalue()


@bp.get("/schools/<int:urn>/history.json")
@requires("replay")
def history_json(urn: int) -> Response:
    as_at, as_known_at = _export_arguments()
    history = _history(urn, as_at, as_known_at)
    _record_access(urn, "export JSON")
    return _download(_history_json(urn, history, as_at, as_known_at), "application/json", urn,
                     "json")


def _history_json(urn: int, history: list[dict[str, Any]], as_at: date | None,
                  as_known_at: datetime | None) -> str:
    document = {
        "urn": urn,
        "as_at": as_at, "as_known_at": as_known_at,
        "exported_at": services().case_files.clock.now(),
        "exported_by": g.user["email"],
        "history": [{**{k: v for k, v in e.items() if k not in READING_AIDS},
                     "recorded_at": _utc(e["recorded_at"])} for e in history],
    }
    return _to_json(document, indent=2)


@bp.get("/schools/<int:urn>/printable")
@requires("replay")
def printable(urn: int) -> Response:
    """The whole history as one print-ready page, with the chain's verification."""
    case_files = services().case_files
    as_at, as_known_at = _export_arguments()
    history = _history(urn, as_at, as_known_at)
    status = case_files.school(urn, as_at=as_at, as_known_at=as_known_at)
    _record_access(urn, "printable history")
    verification = verify(case_files, urn=urn, documents=services().documents.store)
    page = render_history(status, history, verification, case_files.clock.now(),
                          print_script=url_for("static", filename="print.js"))
    return Response(allow_inline_styles(page), mimetype="text/html")


# Internals ---------------------------------------------------------------------------------

def _record_access(urn: int, view: str) -> None:
    services().users.record_access(email=g.user["email"], urn=urn,
                                   view=view[:VIEW_NAME_LENGTH])


def _view_name(as_at: date | None, as_known_at: datetime | None, *, compare: bool) -> str:
    """What the auditor looked at, within the access log's 40 characters:
    "audit as at 2025-01-01 as known compared" at the longest."""
    parts = ["audit"]
    if as_at:
        parts.append(f"as at {as_at.isoformat()}")
    if as_known_at:
        parts.append("as known" if as_at else f"as known at {as_known_at.date().isoformat()}")
    if compare:
        parts.append("compared")
    return " ".join(parts)


def _export_arguments() -> tuple[date | None, datetime | None]:
    """``as_at`` (a date) and ``as_known_at`` (a time with its offset), in ISO 8601."""
    try:
        as_at = request.args.get("as_at")
        known = request.args.get("as_known_at")
        as_known_at = datetime.fromisoformat(known) if known else None
        if as_known_at is not None and as_known_at.tzinfo is None:
            raise ValueError
        if as_known_at is not None:
            require_known_at(as_known_at)
        return (date.fromisoformat(as_at) if as_at else None), as_known_at
    except CaseFileError as refusal:
        abort(400, str(refusal))
    except ValueError:
        abort(400, "as_at is a date (2025-01-31) and as_known_at a time with its offset "
                   "(2025-01-31T17:05:00+00:00)")


def _history(urn: int, as_at: date | None, as_known_at: datetime | None) -> list[dict[str, Any]]:
    """The entries to export; none while the case file's snapshot disagrees with its record
    (409, saying so): an export is evidence, and is not made from a store altered behind the
    application's back without the auditor seeing the verification (the printable shows it)."""
    case_files = services().case_files
    try:
        history = case_files.history(urn, as_at=as_at, as_known_at=as_known_at)
    except SchoolNotFound:
        abort(404)
    mismatch = case_files.snapshot_mismatch(urn)
    if mismatch is not None and request.endpoint != "audit.printable":
        abort(409, f"{mismatch} No export was made: the printable history shows the record "
                   "with what verification found.")
    return history


def _download(body: str, mimetype: str, urn: int, extension: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="urn-{urn}-history.{extension}"'})


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _to_json(data: Any, indent: int | None = None) -> str:
    return json.dumps(data, indent=indent, ensure_ascii=False, default=_iso)


def _iso(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _anchor(field: Any) -> str:
    return f"{field.name}-day" if field.type == "DateInputField" else field.id
