"""The documents of a case: letters produced from the record, the versions sent, and files of
evidence, each kept sealed under the case file's key (``application.kept_files``) and named in
its entry by the SHA-256 of its content."""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import date
from typing import IO, Any, BinaryIO, Protocol
from uuid import UUID

from application.case_files import ProducedLetter, SchoolCaseFiles, Who
from application.kept_files import DocumentStore, FileErased, KeptFile, KeptFiles
from application.letters import letter_context
from domain.areas.documents import EVIDENCE_FILES, LETTERS, Document, StoredFile
from domain.areas.register import consultees
from domain.case_file import SchoolCaseFile, case_file_id
from domain.errors import CaseFileError

READ_CHUNK = 1 << 20
log = logging.getLogger(__name__)


class FileKind(Protocol):
    key: str
    name: str
    media_type: str
    extensions: tuple[str, ...]


Identify = Callable[[BinaryIO, str], FileKind]
"""Says what a file is from its content (adapters.file_types.identify), or refuses it."""


class Rendered(Protocol):
    content: bytes
    template: str
    template_version: str
    media_type: str
    extension: str


class LetterRenderer(Protocol):
    """The LA's letter templates (adapters.letters)."""

    def letterhead(self) -> Any: ...

    def render(self, kind: str, fmt: str, context: dict[str, Any]) -> Rendered: ...


class LetterSigner(Protocol):
    """Signs a PDF as the LA (adapters.pdf_signing)."""

    @property
    def signer_name(self) -> str: ...

    def sign(self, pdf: bytes, *, reason: str, location: str | None = None) -> bytes: ...


FORMATS = {"pdf": "PDF", "docx": "Word"}
"""The formats a letter is produced in: a PDF to send as it is, or Word to edit first."""


class Documents:
    """Producing letters, attaching what was sent and evidence, reading kept files back."""

    def __init__(self, case_files: SchoolCaseFiles, store: DocumentStore, *,
                 identify: Identify, letters: LetterRenderer,
                 signer: LetterSigner | None = None, max_bytes: int = 20_000_000) -> None:
        self.case_files, self.store = case_files, store
        self.kept = KeptFiles(store, case_files.keyring.store)
        self.identify, self.letters, self.signer = identify, letters, signer
        self.max_bytes = max_bytes

    def close(self) -> None:
        self.store.close()

    # Letters --------------------------------------------------------------------------

    def letter_choices(self, urn: int) -> list[dict[str, Any]]:
        """Each letter scc produces, with the entries it can be produced from now (newest
        first), each with the letters already produced from it ("produced", by recipient:
        id and day, so that nobody produces one twice unawares) and, for a consultation
        letter, who it can be to."""
        state = self.case_files.state_of(urn)
        produced: dict[tuple[str, int, str | None], list[dict[str, Any]]] = {}
        for d in state.documents.values():
            if d.is_letter and d.to_entry is not None:
                produced.setdefault((d.letter_kind, d.to_entry, d.recipient), []).append(
                    {"document_id": d.document_id, "on": d.on})
        return [{
            "kind": kind.key, "title": kind.title,
            "sources": [{**source, "produced": {
                recipient: produced.get((kind.key, source["version"], recipient), [])
                for recipient in (consultees(state.school) if kind.to_consultees else [None])
            }} for source in self.case_files.letter_sources(urn, kind.key)],
            "recipients": list(consultees(state.school)) if kind.to_consultees else [],
        } for kind in LETTERS.values()]

    def produce_letter(self, urn: int, *, by: Who, kind: str, rests_on: int,
                       recipient: str | None = None, fmt: str = "pdf",
                       effective: date | None = None) -> str:
        """Writes the letter from the record, signs a PDF if the LA has a key, keeps it and
        records it; returns the letter's id (L1, L2...)."""
        if fmt not in FORMATS:
            raise CaseFileError(f"A letter is produced as {' or '.join(FORMATS)}, not {fmt!r}",
                                field="fmt")
        kept: list[KeptFile] = []

        def make(case_file: SchoolCaseFile, dated: date) -> ProducedLetter:
            context = letter_context(
                case_file, kind, rests_on, recipient=recipient,
                letterhead=self.letters.letterhead(), calendar=self.case_files.working_days,
                dated=dated)
            rendered = self.letters.render(kind, fmt, context)
            content, signed_by = rendered.content, None
            if fmt == "pdf" and self.signer is not None:
                content = self.signer.sign(content, reason=LETTERS[kind].title)
                signed_by = self.signer.signer_name
            name = f"{kind}-{case_file.urn}-{dated.isoformat()}.{rendered.extension}"
            file = self._keep(case_file.id, _Bytes(content), name, rendered.media_type, kept)
            return ProducedLetter(rendered.template, rendered.template_version, file, signed_by)

        return self._recording(kept, lambda: self.case_files.produce_letter(
            urn, by=by, effective=effective, kind=kind, rests_on=rests_on,
            recipient=recipient, make=make))

    # Files from people ---------------------------------------------------------------------

    def attach_sent_version(self, urn: int, *, by: Who, document_id: str, stream: BinaryIO,
                            filename: str, note: str = "", effective: date | None = None) -> None:
        kept: list[KeptFile] = []
        file = self._accept(urn, stream, filename, kept)
        self._recording(kept, lambda: self.case_files.attach_sent_version(
            urn, by=by, effective=effective, document_id=document_id, file=file, note=note))

    def attach_evidence(self, urn: int, *, by: Who, stream: BinaryIO, filename: str,
                        description: str, to_entry: int | None = None,
                        effective: date | None = None) -> str:
        if not description or not description.strip():
            raise CaseFileError("Enter a description of the evidence", field="description")
        kept: list[KeptFile] = []
        file = self._accept(urn, stream, filename, kept)
        return self._recording(kept, lambda: self.case_files.attach_evidence(
            urn, by=by, effective=effective, description=description, file=file,
            to_entry=to_entry))

    def _accept(self, urn: int, stream: BinaryIO, filename: str, kept: list[KeptFile]
                ) -> StoredFile:
        """Checks a file's size and its kind (on its content), then keeps it."""
        name = _file_name(filename)
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
        if size > self.max_bytes:
            EVIDENCE_FILES.refuse(
                f"{name} is {_megabytes(size)}; the largest file scc keeps is "
                f"{_megabytes(self.max_bytes)}", field="file")
        kind = self.identify(stream, name)
        stream.seek(0)
        return self._keep(case_file_id(urn), stream, name, kind.media_type, kept)

    def _keep(self, case_file: UUID, stream: BinaryIO, name: str, media_type: str,
              kept: list[KeptFile]) -> StoredFile:
        """Keeps the file sealed under the case file's key for free text."""
        stored = self.kept.keep(case_file, stream)
        kept.append(stored)
        return StoredFile(stored.sha256, name, media_type, stored.size)

    def _recording(self, kept: list[KeptFile], record: Callable[[], Any]) -> Any:
        """Records the entry naming the kept files; if it is refused, the files this call
        brought into the store are taken out again, so a refusal leaves nothing behind."""
        try:
            return record()
        except BaseException:
            for stored in kept:
                # Only a file new to the store: content kept before is named elsewhere.
                if stored.created:
                    try:
                        self.kept.forget(stored)
                    except Exception:  # noqa: BLE001 - the refusal matters more
                        log.warning("A file kept for an entry that was not recorded could "
                                    "not be removed: SHA-256 %s", stored.sha256, exc_info=True)
            raise

    # Reading -----------------------------------------------------------------------------

    def documents(self, urn: int) -> list[dict[str, Any]]:
        """The case file's letters and evidence, in the order recorded, as plain data."""
        state = self.case_files.state_of(urn)
        return [_document_view(d) for d in sorted(state.documents.values(),
                                                   key=lambda d: d.recorded_in)]

    def document(self, urn: int, document_id: str) -> dict[str, Any]:
        state = self.case_files.state_of(urn)
        if document_id not in state.documents:
            raise DocumentNotFound(f"There is no document {document_id} on this case file")
        return _document_view(state.documents[document_id])

    def open_document(self, urn: int, document_id: str, *, sent: bool = False
                      ) -> tuple[StoredFile, BinaryIO]:
        """A kept file and its content, to download: the letter as produced or as sent.
        Raises FileErased for a file whose case file's key was destroyed."""
        state = self.case_files.state_of(urn)
        document = state.documents.get(document_id)
        if document is None:
            raise DocumentNotFound(f"There is no document {document_id} on this case file")
        file = document.sent if sent else document.file
        if file is None:
            raise DocumentNotFound(f"No version of letter {document_id} as sent was attached")
        return file, self.kept.open(case_file_id(urn), file.sha256)

    def export(self, urn: int, out: IO[bytes], *, history_json: str,
               history_csv: str) -> dict[str, Any]:
        """The case file's history and every kept file in a zip, with a manifest of their
        SHA-256 hashes (checked as they are written); returns the manifest. A file whose key
        was destroyed is not in the zip: the manifest says when it was erased, and why."""
        state = self.case_files.state_of(urn)
        manifest: dict[str, Any] = {"urn": urn, "files": []}
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, text in (("history.json", history_json), ("history.csv", history_csv)):
                data = text.encode("utf-8")
                archive.writestr(path, data)
                manifest["files"].append({"path": path, "sha256": _sha256(data),
                                          "size": len(data)})
            for document in sorted(state.documents.values(), key=lambda d: d.recorded_in):
                versions = [("produced", document.file, document.recorded_in)]
                if document.sent is not None:
                    versions.append(("sent", document.sent, document.sent_in))
                for which, file, version in versions:
                    path = f"documents/{document.document_id}-{which}-{file.name}"
                    try:
                        opened = self.kept.open(case_file_id(urn), file.sha256)
                    except FileErased as gone:
                        manifest["files"].append({
                            "path": None, "sha256": file.sha256, "size": file.size,
                            "document": document.document_id, "version": which,
                            "entry": version, "erased": gone.erasure.note})
                        continue
                    digest = hashlib.sha256()
                    with opened as content, \
                            archive.open(path, "w", force_zip64=True) as member:
                        while chunk := content.read(READ_CHUNK):
                            digest.update(chunk)
                            member.write(chunk)
                    manifest["files"].append({
                        "path": path, "sha256": file.sha256, "size": file.size,
                        "document": document.document_id, "version": which,
                        "entry": version, "matches_record": digest.hexdigest() == file.sha256})
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        return manifest


class DocumentNotFound(CaseFileError):
    """No such document, or no such version of it, on the case file."""


def _document_view(document: Document) -> dict[str, Any]:
    view = asdict(document)
    view["is_letter"] = document.is_letter
    return view


class _Bytes:
    """Bytes read as a file, a chunk at a time."""

    def __init__(self, content: bytes) -> None:
        self.content, self.at = content, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.content) if size < 0 else self.at + size
        chunk, self.at = self.content[self.at:end], min(end, len(self.content))
        return chunk


def _file_name(filename: str) -> str:
    """The name a file was given, without the folders a browser may send before it, on one
    line, without characters that are trouble in a download's name."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '"<>|:*?')
    name = " ".join(name.split())[:200]
    if not name or name in (".", ".."):
        raise CaseFileError("Choose a file", field="file")
    return name


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chunks(stream: BinaryIO) -> Iterator[bytes]:
    """A kept file's content, a megabyte at a time, closed when done (for a download)."""
    with stream:
        while chunk := stream.read(READ_CHUNK):
            yield chunk
