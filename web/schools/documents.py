"""A case file's letters and evidence: producing a letter from the record, attaching the
version sent and files of evidence, and downloading what was kept (each download goes in the
access log)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from application import recorders
from application.case_files import SchoolNotFound
from application.documents import FORMATS, DocumentNotFound, chunks
from application.entry_details import file_size
from application.kept_files import DocumentMissing, FileErased
from domain.errors import CaseFileError
from domain.wording import long_date
from web.auth import requires
from web.schools import bp
from web.schools.commands import _refusal
from web.services import services
from web.store_failures import failed_command

FORM_ROOM = 1_000_000
"""Bytes a form may carry beyond its largest file: the other fields and the multipart
framing. A file larger than the limit by less than this reaches the check that names it."""
VIEW_NAME_LENGTH = 40  # the access log's column


# Letters ----------------------------------------------------------------------------------

@bp.get("/<int:urn>/letters")
@requires("record")
def letters(urn: int) -> Any:
    return _letters_page(urn)


@bp.post("/<int:urn>/letters")
@requires("record")
def produce_letter(urn: int) -> Any:
    kind = request.form.get("kind", "")
    rests_on = request.form.get("rests_on", "")
    fmt = request.form.get("format", "pdf")
    recipient = request.form.get("recipient") or None
    if not rests_on.isdigit():
        return _letters_page(urn, problem={"text": "Choose the entry the letter is produced "
                                                   "from"}, status=422)
    try:
        letter = services().documents.produce_letter(
            urn, by=recorders.account(g.user), kind=kind, rests_on=int(rests_on),
            recipient=recipient, fmt=fmt)
    except CaseFileError as error:
        return _letters_page(urn, problem=_refusal(error), status=422)
    except Exception as error:
        if (failure := failed_command(error)) is None:
            raise
        return _letters_page(urn, problem={"text": failure.message}, status=503)
    services().read_your_writes()
    flash(f"Letter {letter} produced as {FORMATS.get(fmt, fmt)} and kept on the case file: "
          "download it below", "success")
    return redirect(url_for("schools.case_file", urn=urn, _anchor="documents"), code=303)


def _letters_page(urn: int, *, problem: dict[str, Any] | None = None,
                  status: int = 200) -> Any:
    school = _school(urn)
    choices = services().documents.letter_choices(urn)
    return render_template("schools/letters.html", school=school, choices=choices,
                           formats=FORMATS, errors=[problem] if problem else [],
                           asked=request.form), status


# Files people attach -----------------------------------------------------------------------

@bp.route("/<int:urn>/evidence", methods=["GET", "POST"])
@requires("record")
def attach_evidence(urn: int) -> Any:
    school = _school(urn)
    if request.method == "GET":
        return _evidence_page(school)
    description = request.form.get("description", "").strip()
    to_entry = request.form.get("to_entry", "")
    upload = request.files.get("file")
    errors: dict[str, str] = {}
    if upload is None or not upload.filename:
        errors["file"] = "Choose the file to attach"
    if not description:
        errors["description"] = "Enter what the file is, for whoever reads the case file"
    if to_entry and not to_entry.isdigit():
        errors["to_entry"] = "Choose an entry of this case file, or none"
    if errors:
        return _evidence_page(school, field_errors=errors)
    try:
        document = services().documents.attach_evidence(
            urn, by=recorders.account(g.user), stream=upload.stream, filename=upload.filename,
            description=description, to_entry=int(to_entry) if to_entry else None)
    except CaseFileError as error:
        return _evidence_page(school, field_errors=_on_field(error, "file"))
    except Exception as error:
        if (failure := failed_command(error)) is None:
            raise
        return _evidence_page(school, problem=failure.message, status=503)
    services().read_your_writes()
    flash(f"Evidence {document} attached: {upload.filename}", "success")
    return redirect(url_for("schools.case_file", urn=urn, _anchor="documents"), code=303)


@bp.route("/<int:urn>/letters/<document_id>/sent", methods=["GET", "POST"])
@requires("record")
def attach_sent_version(urn: int, document_id: str) -> Any:
    school = _school(urn)
    letter = _document(urn, document_id)
    if not letter["is_letter"]:
        abort(404)
    if request.method == "GET":
        return _sent_page(school, letter)
    upload = request.files.get("file")
    note = request.form.get("note", "").strip()
    if upload is None or not upload.filename:
        return _sent_page(school, letter, field_errors={
            "file": "Choose the file of the letter as it was sent"})
    try:
        services().documents.attach_sent_version(
            urn, by=recorders.account(g.user), document_id=document_id, stream=upload.stream,
            filename=upload.filename, note=note)
    except CaseFileError as error:
        return _sent_page(school, letter, field_errors=_on_field(error, "file"))
    except Exception as error:
        if (failure := failed_command(error)) is None:
            raise
        return _sent_page(school, letter, problem=failure.message, status=503)
    services().read_your_writes()
    flash(f"The version of letter {document_id} that was sent is attached", "success")
    return redirect(url_for("schools.case_file", urn=urn, _anchor="documents"), code=303)


def too_large(error: RequestEntityTooLarge) -> Any:
    """A form whose file is far over the limit: the same page, saying so on the field."""
    urn = request.view_args.get("urn") if request.view_args else None
    if request.endpoint not in UPLOADS or urn is None:
        return render_template("errors/400.html", reason="The request was too large"), 413
    school = _school(urn)
    # The form was not read, so what else was typed in it is gone: say so.
    too_big = f"The file must be no larger than {_limit()}: choose a smaller one"
    if request.endpoint == "schools.attach_evidence":
        return _evidence_page(school, status=413, from_form=False, field_errors={
            "file": f"{too_big}, and enter what it is again"})
    letter = _document(urn, request.view_args["document_id"])
    return _sent_page(school, letter, field_errors={"file": too_big}, status=413,
                      from_form=False)


UPLOADS = ("schools.attach_evidence", "schools.attach_sent_version")


@bp.url_value_preprocessor
def _allow_a_file(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Lets a form with a file be as large as the largest file kept, plus the form. Set here
    because the CSRF check, an app-wide ``before_request``, reads the form before any view
    runs: under the app's own limit (MAX_CONTENT_LENGTH, 2 MiB) a 3 MB file was refused as
    larger than the 20 MB limit the page named. URL preprocessors run before it."""
    if endpoint in UPLOADS and request.method == "POST":
        request.max_content_length = services().documents.max_bytes + FORM_ROOM


def _limit() -> str:
    return file_size(services().documents.max_bytes)


def _on_field(error: CaseFileError, default: str) -> dict[str, str]:
    field = getattr(error, "field", None) or default
    return {field if field in ("file", "description", "to_entry", "note") else default:
            str(error)}


def _evidence_page(school: dict[str, Any], *, field_errors: dict[str, str] | None = None,
                   problem: str | None = None, status: int | None = None,
                   from_form: bool = True) -> Any:
    field_errors = field_errors or {}
    history = services().case_files.history(school["urn"])
    form = request.form if from_form else {}
    chosen = form.get("to_entry", request.args.get("to_entry", ""))
    return render_template(
        "schools/attach_evidence.html", school=school, limit=_limit(),
        entries=[e for e in reversed(history) if not e["retracted"]],
        chosen=chosen, description=form.get("description", ""),
        errors=_errors(field_errors, problem), field_errors=field_errors,
    ), status or (422 if field_errors or problem else 200)


def _sent_page(school: dict[str, Any], letter: dict[str, Any], *,
               field_errors: dict[str, str] | None = None, problem: str | None = None,
               status: int | None = None, from_form: bool = True) -> Any:
    field_errors = field_errors or {}
    return render_template(
        "schools/attach_sent.html", school=school, letter=letter, limit=_limit(),
        note=request.form.get("note", "") if from_form else "",
        errors=_errors(field_errors, problem),
        field_errors=field_errors,
    ), status or (422 if field_errors or problem else 200)


def _errors(field_errors: dict[str, str], problem: str | None) -> list[dict[str, str]]:
    return ([{"text": problem}] if problem else []) + [
        {"text": text, "href": f"#{name}"} for name, text in field_errors.items()]


# Downloads -----------------------------------------------------------------------------------

@bp.get("/<int:urn>/documents/<document_id>")
@requires("read")
def download(urn: int, document_id: str) -> Response:
    return _download(urn, document_id, sent=False)


@bp.get("/<int:urn>/documents/<document_id>/sent")
@requires("read")
def download_sent(urn: int, document_id: str) -> Response:
    return _download(urn, document_id, sent=True)


def _download(urn: int, document_id: str, *, sent: bool) -> Response:
    try:
        file, content = services().documents.open_document(urn, document_id, sent=sent)
    except (SchoolNotFound, DocumentNotFound):
        abort(404)
    except DocumentMissing:
        abort(409, f"The file of {document_id} is missing from the store: scc verify says "
                   "more. Nothing was downloaded.")
    except FileErased as gone:
        abort(410, f"The file of {document_id} was erased under {gone.erasure.rule} on "
                   f"{long_date(gone.erasure.on)}: the key it was sealed under was destroyed, "
                   "so nobody can read it any more. Its entry and its SHA-256 stay on the "
                   "record.")
    services().users.record_access(
        email=g.user["email"], urn=urn,
        view=f"download {document_id}{' as sent' if sent else ''} {file.name}"[:VIEW_NAME_LENGTH])
    response = Response(chunks(content), mimetype=file.media_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(file.size)
    response.headers["Content-Disposition"] = _attachment(file.name)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; frame-ancestors 'none'"
    response.headers["X-SCC-SHA256"] = file.sha256
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    plain = name.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"


def _school(urn: int) -> dict[str, Any]:
    try:
        return services().case_files.school(urn)
    except SchoolNotFound:
        abort(404)


def _document(urn: int, document_id: str) -> dict[str, Any]:
    try:
        return services().documents.document(urn, document_id)
    except (SchoolNotFound, DocumentNotFound):
        abort(404)
