"""A case file's letters and evidence: the list, each kept file's content (noted in the access
log), the letters that can be produced, producing one, and attaching evidence and the version
of a letter that was sent (multipart/form-data, with the file)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn
from urllib.parse import quote

import marshmallow as ma
from flask import current_app, request
from flask_smorest.fields import Upload
from marshmallow import fields
from marshmallow.validate import Length, OneOf, Range
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict, FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from application.case_files import SchoolNotFound
from application.documents import FORMATS, DocumentNotFound, chunks
from application.entry_details import file_size
from application.kept_files import DocumentMissing, FileErased
from domain.areas.documents import LETTERS
from web.api.auth import ApiBlueprint, api_recorder, api_user
from web.api.paging import PageQuery, page_of, paginate
from web.api.problems import MEDIA_TYPE, Problem, ProblemSchema, as_problems
from web.api.requests import NAME, TEXT
from web.api.versions import (
    IF_MATCH,
    IF_NONE_MATCH,
    READ_ETAG,
    WRITE_ETAG,
    expected_version,
    not_modified,
    read_etag,
    write_etag,
)
from web.services import services

FORM_ROOM = 100_000
"""Bytes a multipart body may carry beyond the largest file scc keeps: its other fields and
the framing. A file over the limit by less than this reaches the check that names it (422);
a body larger still is refused before it is read (413)."""
VIEW_NAME_LENGTH = 40  # the access log's column
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BINARY = {"type": "string", "format": "binary"}


class FormParser(FlaskParser):
    """webargs' parser, which also reads a multipart body's fields and files as one body."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: Any, schema: ma.Schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


class DocumentsBlueprint(ApiBlueprint):
    ARGUMENTS_PARSER = FormParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **ApiBlueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data"}


blp = DocumentsBlueprint("Documents", __name__, description=(
    "A case file's letters and evidence. A letter is produced from the entry that records "
    "its step; the version sent, and every file of evidence, is attached as multipart/"
    "form-data. Every file is kept whole and named in its entry by its SHA-256, which each "
    "download gives as Repr-Digest (RFC 9530) and as its ETag. Every read is noted in the "
    "access log."))


# What the API answers ------------------------------------------------------------------

class KeptFileSchema(ma.Schema):
    file_name = fields.String(metadata={"description": "The name it was kept under"})
    media_type = fields.String(metadata={"description": "What it is, judged on its content"})
    size = fields.Integer(metadata={"description": "In bytes"})
    sha256 = fields.String(metadata={"description": "The SHA-256 of its content, in hex: "
                                                    "what its entry names"})


class SentVersionSchema(KeptFileSchema):
    recorded_in = fields.Integer(metadata={"description": "The entry that attached it"})


class DocumentLinks(ma.Schema):
    content = fields.String(metadata={"description": "The file, as produced or attached"})
    sent_content = fields.String(allow_none=True, metadata={
        "description": "The letter as it was sent, if that version was attached"})
    recorded_in = fields.String(metadata={"description": "The school's entries (API)"})


class DocumentSchema(KeptFileSchema):
    """A letter produced from the record or a file of evidence, with its kept file."""

    id = fields.String(metadata={"description": "L1, L2... for letters; E1, E2... for "
                                                "evidence"})
    title = fields.String()
    kind = fields.String(metadata={"enum": ["letter", "evidence"]})
    letter_kind = fields.String(allow_none=True, metadata={
        "description": "Which letter (null for evidence)", "enum": [*LETTERS, None]})
    recipient = fields.String(allow_none=True, metadata={
        "description": "The consultee a consultation letter is to"})
    on = fields.Date(metadata={"description": "The day it was produced or attached"})
    recorded_in = fields.Integer(metadata={"description": "The entry that recorded it"})
    rests_on = fields.Integer(allow_none=True, metadata={
        "description": "The entry a letter was produced from (null for evidence)"})
    to_entry = fields.Integer(allow_none=True, metadata={
        "description": "The entry evidence is attached to (null for a letter, or for "
                       "evidence on its own)"})
    template = fields.String(allow_none=True, metadata={
        "description": "The letter's template (null for evidence)"})
    template_version = fields.String(allow_none=True, metadata={
        "description": "The SHA-256 of the template as it was when the letter was written"})
    signed_by = fields.String(allow_none=True, metadata={
        "description": "Whose key signed the PDF (PAdES), if the LA signs letters"})
    sent = fields.Nested(SentVersionSchema, allow_none=True, metadata={
        "description": "The letter as it was sent, if edited after it was produced"})
    links = fields.Nested(DocumentLinks)


class RecordedDocumentSchema(DocumentSchema):
    """The document recorded, and the case file's version after it (also the ETag)."""

    urn = fields.Integer()
    version = fields.Integer(metadata={"description": "The case file's version after the "
                                                      "command: send it as If-Match next"})


DocumentPageSchema = page_of(DocumentSchema)


class EntryCitedSchema(ma.Schema):
    version = fields.Integer(metadata={"description": "The entry's number: send it as "
                                                      "rests_on"})
    effective = fields.Date()
    recorded_at = fields.AwareDateTime()
    by = fields.String()
    summary = fields.String()


class LetterChoiceSchema(ma.Schema):
    kind = fields.String(metadata={"enum": list(LETTERS)})
    title = fields.String()
    sources = fields.List(fields.Nested(EntryCitedSchema), metadata={
        "description": "The standing entries it can be produced from now, newest first "
                       "(none: its step is not recorded)"})
    recipients = fields.List(fields.String(), metadata={
        "description": "Who a consultation letter can be to (one letter each); empty for "
                       "other letters"})


class LetterChoicesSchema(ma.Schema):
    urn = fields.Integer()
    formats = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "The formats a letter is produced in: pdf to send as it is, docx to "
                       "edit first"})
    letters = fields.List(fields.Nested(LetterChoiceSchema))


# What the API takes ----------------------------------------------------------------------

class FileUpload(Upload):
    """A file sent as a part of a multipart body, with its file name."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, FileStorage) or not value.filename:
            raise ma.ValidationError("Send the file as a part of the form with a file name")
        return value


class ProduceLetter(ma.Schema):
    """A letter written from the entry that records its step, kept and recorded."""

    kind = fields.String(required=True, validate=OneOf(tuple(LETTERS)), metadata={
        "description": "Which letter (GET the school's letters for those it can produce)"})
    rests_on = fields.Integer(required=True, validate=Range(min=1, max=2**31 - 1), metadata={
        "description": "The entry it is produced from: one of the letter's sources"})
    recipient = fields.String(load_default=None, allow_none=True,
                              validate=Length(max=NAME), metadata={
        "description": "For a consultation letter, the consultee it is to (optional)"})
    format = fields.String(load_default="pdf", validate=OneOf(tuple(FORMATS)), metadata={
        "description": "pdf (signed, if the LA signs letters) or docx to edit"})


class AttachEvidence(ma.Schema):
    """A file of evidence, on an entry of the case file or as an entry of its own."""

    file = FileUpload(required=True, metadata={
        "description": "A PDF, Word or Excel document, PNG, JPEG or GIF image or saved "
                       "email, judged on its content, no larger than the LA's limit"})
    description = fields.String(required=True, validate=Length(max=TEXT), metadata={
        "description": "What the file is, for whoever reads the case file"})
    to_entry = fields.Integer(load_default=None, allow_none=True,
                              validate=Range(min=1, max=2**31 - 1), metadata={
        "description": "The entry it is evidence for (optional; none: an entry of its own)"})


class AttachSentVersion(ma.Schema):
    """The letter as it was sent, when it was edited after it was produced: once a letter."""

    file = FileUpload(required=True, metadata={"description": "The letter as sent"})
    note = fields.String(load_default="", validate=Length(max=TEXT), metadata={
        "description": "What was changed, and why (optional)"})


# Reads -------------------------------------------------------------------------------------

@blp.route("/schools/<int:urn>/documents", methods=["GET"])
@blp.requires("read")
@blp.arguments(PageQuery, location="query")
@blp.response(200, DocumentPageSchema, headers=READ_ETAG)
@blp.alt_response(304, response="NOT_MODIFIED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(parameters=[IF_NONE_MATCH])
def documents(query: dict[str, Any], urn: int) -> Any:
    """A school's letters and evidence

    In the order they were recorded, each with its kept file's name, media type, size and
    SHA-256, the entry it rests on or is attached to, and links to download it.
    """
    case_files = services().case_files
    with as_problems():
        etag = read_etag(case_files.version(urn), query["page"], query["page_size"])
        _log(urn, "api documents")
        if (unchanged := not_modified(etag)) is not None:
            return unchanged
        found = services().documents.documents(urn)
    body, headers = paginate([_document(urn, d) for d in found], query["page"],
                             query["page_size"])
    return body, 200, {**headers, "ETag": etag}


@blp.route("/schools/<int:urn>/documents/<document_id>", methods=["GET"])
@blp.requires("read")
@blp.response(200, DocumentSchema)
@blp.alt_response(404, response="NOT_FOUND")
def document(urn: int, document_id: str) -> Any:
    """One letter or file of evidence"""
    found = _found(urn, document_id)
    _log(urn, f"api document {document_id}")
    return _document(urn, found)


CONTENT = {
    "description": "The file, streamed: its media type is the kept file's (a letter is a PDF "
                   "or Word document)",
    "headers": {
        "Content-Disposition": {"description": "attachment, with the kept file's name",
                                "schema": {"type": "string"}},
        "Content-Length": {"schema": {"type": "integer"}},
        "Repr-Digest": {"description": "The content's SHA-256 (RFC 9530): sha-256=:base64:",
                        "schema": {"type": "string"}},
        "ETag": {"description": "The content's SHA-256 in hex, quoted",
                 "schema": {"type": "string"}},
    },
    "content": {media: {"schema": BINARY} for media in ("application/pdf", WORD, "*/*")},
}


def _content_operation(view: Callable) -> Callable:
    for decorate in (
        blp.alt_response(409, schema=ProblemSchema, content_type=MEDIA_TYPE, description=(
            "The kept file is missing from the store (problem type file-missing): nothing "
            "is sent; scc verify says more")),
        blp.alt_response(410, schema=ProblemSchema, content_type=MEDIA_TYPE, description=(
            "The kept file was erased (problem type file-erased): the case file's key it was "
            "sealed under was destroyed under a retention rule, which detail names")),
        blp.alt_response(404, response="NOT_FOUND"),
        blp.alt_response(304, response="NOT_MODIFIED"),
        blp.doc(parameters=[IF_NONE_MATCH], responses={200: CONTENT}),
        blp.requires("read"),
    ):
        view = decorate(view)
    return view


@blp.route("/schools/<int:urn>/documents/<document_id>/content", methods=["GET"])
@_content_operation
def content(urn: int, document_id: str) -> Response:
    """Download a letter or file of evidence

    The letter as it was produced, or the file as attached. Noted in the access log.
    """
    return _download(urn, document_id, sent=False)


@blp.route("/schools/<int:urn>/documents/<document_id>/sent/content", methods=["GET"])
@_content_operation
def sent_content(urn: int, document_id: str) -> Response:
    """Download the version of a letter that was sent

    404 if no version as sent was attached. Noted in the access log.
    """
    return _download(urn, document_id, sent=True)


@blp.route("/schools/<int:urn>/letters", methods=["GET"])
@blp.requires("record")
@blp.response(200, LetterChoicesSchema)
@blp.alt_response(404, response="NOT_FOUND")
def letters(urn: int) -> Any:
    """The letters that can be produced now

    Each letter scc produces, with the standing entries it can be produced from (none if
    its step is not recorded, or was retracted) and, for a consultation letter, who it can
    be to.
    """
    with as_problems():
        choices = services().documents.letter_choices(urn)
    _log(urn, "api letters")
    return {"urn": urn, "formats": FORMATS, "letters": choices}


# Commands ------------------------------------------------------------------------------------

def _taking_a_file(view: Callable) -> Callable:
    """Lets this request's body be as large as the largest file scc keeps, and some room;
    a body declared larger is refused before it is read."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        largest = services().documents.max_bytes
        request.max_content_length = largest + FORM_ROOM
        sent = request.content_length
        if sent is not None and sent > largest + FORM_ROOM:
            _too_large(f"The file must be no larger than {file_size(largest)}; this body is "
                       f"{file_size(sent)}")
        try:
            return view(*args, **kwargs)
        except RequestEntityTooLarge:  # a body sent in chunks, found too large as it is read
            _too_large(f"The file must be no larger than {file_size(largest)}")

    return guarded


def _too_large(message: str) -> NoReturn:
    raise Problem(413, message, errors=[{"location": "body", "field": "file",
                                         "message": message}])


def _command(argument: type[ma.Schema], location: str, created: str) -> Callable:
    """A command's decorators: the token and role, then (for a file) the body's size, then
    the body; its answers documented."""
    def decorate(view: Callable) -> Callable:
        for wrap in (
            blp.alt_response(422, response="UNPROCESSABLE_ENTITY"),
            blp.alt_response(409, response="CONFLICT"),
            blp.alt_response(404, response="NOT_FOUND"),
            blp.alt_response(400, response="BAD_REQUEST"),
            blp.response(201, RecordedDocumentSchema, description=created, headers={
                **WRITE_ETAG, "Location": {"description": "The document's content",
                                           "schema": {"type": "string"}}}),
            blp.arguments(argument, location=location),
            *([_taking_a_file, blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")]
              if location == "multipart" else []),
            blp.doc(parameters=[IF_MATCH]),
            blp.requires("record"),
        ):
            view = wrap(view)
        return view

    return decorate


@blp.route("/schools/<int:urn>/letters", methods=["POST"], endpoint="produce_letter")
@_command(ProduceLetter, "json", "Produced and kept: the letter, and the case file's version")
def produce_letter(body: dict[str, Any], urn: int) -> Any:
    """Produce a letter from the record

    Written from the entry ``rests_on`` with the LA's template (and signed, for a PDF, if
    the LA signs letters), kept, and recorded with its SHA-256. Refused (422, rule
    letter-from-the-record) for a step not recorded, or retracted.
    """
    return _recorded(urn, lambda documents: documents.produce_letter(
        urn, by=api_recorder(), kind=body["kind"], rests_on=body["rests_on"],
        recipient=body["recipient"] or None, fmt=body["format"]))


@blp.route("/schools/<int:urn>/attachments", methods=["POST"], endpoint="attach_evidence")
@_command(AttachEvidence, "multipart", "Kept and recorded: the evidence, and the case "
                                       "file's version")
def attach_evidence(body: dict[str, Any], urn: int) -> Any:
    """Attach a file of evidence

    multipart/form-data. The file is judged on its content, not its name: a file of a kind
    the LA does not keep, or a program dressed as one, is refused (422, rule evidence-files,
    on the field ``file``) and nothing is kept. A body larger than the LA's limit is 413.
    """
    upload: FileStorage = body["file"]
    return _recorded(urn, lambda documents: documents.attach_evidence(
        urn, by=api_recorder(), stream=upload.stream, filename=upload.filename or "",
        description=body["description"], to_entry=body["to_entry"]))


@blp.route("/schools/<int:urn>/documents/<document_id>/sent", methods=["POST"],
           endpoint="attach_sent_version")
@_command(AttachSentVersion, "multipart", "Kept and recorded: the letter with its version "
                                          "as sent, and the case file's version")
def attach_sent_version(body: dict[str, Any], urn: int, document_id: str) -> Any:
    """Attach the version of a letter that was sent

    multipart/form-data: the letter as sent, when it was edited after it was produced. Once
    a letter (422, rule sent-as-kept); 404 if the school has no such letter.
    """
    with as_problems():
        if not _found(urn, document_id)["is_letter"]:
            raise Problem(404, f"URN {urn} has no letter {document_id}: it is evidence")
    upload: FileStorage = body["file"]

    def attach(documents: Any) -> str:
        documents.attach_sent_version(
            urn, by=api_recorder(), document_id=document_id, stream=upload.stream,
            filename=upload.filename or "", note=body["note"])
        return document_id

    return _recorded(urn, attach, sent=True)


# Internals ---------------------------------------------------------------------------------

def _recorded(urn: int, record: Callable[[Any], str], *, sent: bool = False) -> Any:
    """Runs a command against If-Match's version; 201 with the document, its content's
    location and the case file's new version as the ETag."""
    case_files, documents = services().case_files, services().documents
    with as_problems(), case_files.recording_against(urn, expected_version()) as receipt:
        made = record(documents)
    found = _document(urn, documents.document(urn, made))
    location = found["links"]["sent_content" if sent else "content"]
    return {**found, "urn": urn, "version": receipt.version}, 201, {
        "ETag": write_etag(receipt.version), "Location": location}


def _found(urn: int, document_id: str) -> dict[str, Any]:
    """The document, or 404 if the school or the document is not there."""
    try:
        return services().documents.document(urn, document_id)
    except (SchoolNotFound, DocumentNotFound) as error:
        raise Problem(404, str(error)) from None


def _download(urn: int, document_id: str, *, sent: bool) -> Response:
    try:
        file, stream = services().documents.open_document(urn, document_id, sent=sent)
    except (SchoolNotFound, DocumentNotFound) as error:
        raise Problem(404, str(error)) from None
    except DocumentMissing:
        raise Problem(409, f"The file of {document_id} is missing from the store: scc verify "
                           "says more. Nothing was downloaded.", kind="file-missing") from None
    except FileErased as gone:
        raise Problem(410, f"The file of {document_id} was erased under {gone.erasure.rule} "
                           f"on {gone.erasure.on.isoformat()}: the key it was sealed under was "
                           "destroyed. Its entry and its SHA-256 stay on the record.",
                      kind="file-erased") from None
    _log(urn, f"api download {document_id}{' as sent' if sent else ''} {file.name}")
    etag = f'"{file.sha256}"'
    if (unchanged := not_modified(etag)) is not None:
        stream.close()
        return unchanged
    response = Response(chunks(stream), mimetype=file.media_type, direct_passthrough=True)
    digest = base64.b64encode(bytes.fromhex(file.sha256)).decode()
    response.headers.update({
        "Content-Length": str(file.size),
        "Content-Disposition": _attachment(file.name),
        "Repr-Digest": f"sha-256=:{digest}:",
        "ETag": etag,
        "Content-Security-Policy": "sandbox; default-src 'none'",
    })
    return response


def _document(urn: int, found: dict[str, Any]) -> dict[str, Any]:
    prefix = f"{current_app.config['API_PREFIX']}/schools/{urn}"
    own = f"{prefix}/documents/{found['document_id']}"
    sent = found["sent"]
    letter = found["is_letter"]
    return {
        "id": found["document_id"], "title": found["title"],
        "kind": "letter" if letter else "evidence", "letter_kind": found["letter_kind"],
        "recipient": found["recipient"], "on": found["on"],
        "recorded_in": found["recorded_in"],
        "rests_on": found["to_entry"] if letter else None,
        "to_entry": None if letter else found["to_entry"],
        **_file(found["file"]),
        "template": found["template"], "template_version": found["template_version"],
        "signed_by": found["signed_by"],
        "sent": None if sent is None else {**_file(sent), "recorded_in": found["sent_in"]},
        "links": {"content": f"{own}/content",
                  "sent_content": None if sent is None else f"{own}/sent/content",
                  "recorded_in": f"{prefix}/events"},
    }


def _file(file: dict[str, Any]) -> dict[str, Any]:
    return {"file_name": file["name"], "media_type": file["media_type"], "size": file["size"],
            "sha256": file["sha256"]}


def _attachment(name: str) -> str:
    """Content-Disposition for a download: the name in ASCII, and in full as UTF-8."""
    plain = name.encode("ascii", "replace").decode().replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"


def _log(urn: int, view: str) -> None:
    services().users.record_access(email=api_user()["email"], urn=urn,
                                   view=view[:VIEW_NAME_LENGTH])
