"""Letters and evidence: the documents of a case. A letter is produced from the entry that
records its step; what was sent, and every file of evidence, is kept beside the log and named
in it by its SHA-256 hash, so the hash chain covers the files as it covers the entries."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, one_line, require_text
from domain.areas.register import consultees
from domain.errors import CaseFileError
from domain.rules import Rule

TITLE = "Letters and evidence"

LETTER_FROM_THE_RECORD = Rule(
    "letter-from-the-record", "A letter is produced from the step it gives",
    "A letter (a warning notice, a letter of concern, a notice of intervention, an IEB "
    "consultation letter or application, an MSP meeting's minutes) is produced from the "
    "standing entry that records its step, so the letter says what the record says; a letter "
    "for a step not yet recorded, or retracted, cannot be produced.",
    "Local policy (the record holds what was sent)", kind="policy",
)

SENT_AS_KEPT = Rule(
    "sent-as-kept", "What was sent is kept",
    "Every letter produced and every file attached is kept in full beside the log and named "
    "in its entry by its SHA-256 hash; a letter edited after it was produced is attached as "
    "the version sent, once per letter, with both hashes on the record.",
    "Local policy (the record holds what was sent)", kind="policy",
)

EVIDENCE_FILES = Rule(
    "evidence-files", "Evidence is a file of a kind the LA keeps",
    "A file attached as evidence is a PDF, a Word or Excel document, a PNG or JPEG image or a "
    "saved email, judged on its content rather than its name, no larger than the LA's limit, "
    "and attached to an entry of the same case file or as an entry of its own.",
    "Local policy (evidence kept on the case file)", kind="policy",
)

RULES = (LETTER_FROM_THE_RECORD, SENT_AS_KEPT, EVIDENCE_FILES)


@dataclass(frozen=True)
class LetterKind:
    """A letter scc produces, and the entry it is produced from."""

    key: str
    title: str
    named: str
    """The letter as a sentence names it: "a {named}"."""
    step: str
    """Its step as a sentence names it: "records no {step}"."""
    rests_on: str
    """The entry class (by name) that records the letter's step."""
    applies: Callable[[Any], bool] = lambda entry: True
    """Whether a given entry of that class is one this letter gives (an s60 or s60A notice)."""
    to_consultees: bool = False
    """Written once to each consultee the law names for the school, chosen when produced."""


LETTERS: dict[str, LetterKind] = {k.key: k for k in (
    LetterKind("letter-of-concern", "Letter of concern", "letter of concern",
               "letter of concern", "LetterOfConcernSent"),
    # The Secretary of State's own notices are not the LA's letters to write.
    LetterKind("warning-notice-s60", "Warning notice (s60)", "warning notice (s60)",
               "warning notice (s60)", "WarningNoticeIssued",
               lambda e: e.section == "s60" and e.issuer == "local authority"),
    LetterKind("warning-notice-s60a", "Warning notice on teachers' pay and conditions (s60A)",
               "warning notice (s60A)", "warning notice (s60A)", "WarningNoticeIssued",
               lambda e: e.section == "s60A" and e.issuer == "local authority"),
    LetterKind("notice-of-intervention", "Notice of intervention", "notice of intervention",
               "notice of intervention", "InterventionNoticeGiven"),
    LetterKind("ieb-consultation", "IEB consultation letter", "IEB consultation letter",
               "IEB application", "IEBApplicationDrafted", to_consultees=True),
    LetterKind("ieb-application", "Application to the Secretary of State for an IEB",
               "application for an IEB", "IEB application", "IEBApplicationDrafted"),
    LetterKind("msp-minutes", "MSP meeting minutes", "MSP meeting's minutes",
               "MSP meeting held", "MSPMeetingHeld"),
)}
"""Every letter scc produces, in the order the case file's Letters page offers them."""

SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredFile:
    """A file kept beside the log: its hash, the name it was given, what it is and its size."""

    sha256: str
    name: str
    media_type: str
    size: int

    def fields(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "file_name": self.name, "media_type": self.media_type,
                "size": self.size}


# Entries ------------------------------------------------------------------------------------

class LetterProduced(CaseFileEvent):
    document_id: str
    kind: str
    rests_on: int
    recipient: str | None
    template: str
    template_version: str
    sha256: str
    file_name: str
    media_type: str
    size: int
    signed_by: str | None


class SentVersionAttached(CaseFileEvent):
    """The letter as it was sent, when it was edited after it was produced: both hashes."""

    document_id: str
    produced_sha256: str
    sha256: str
    file_name: str
    media_type: str
    size: int
    note: str
    amendable = ("note",)


class EvidenceAttached(CaseFileEvent):
    document_id: str
    to_entry: int | None
    description: str
    sha256: str
    file_name: str
    media_type: str
    size: int
    amendable = ("description",)


# State --------------------------------------------------------------------------------------

@dataclass
class Document:
    """A letter produced or a file of evidence, as the case file holds it now."""

    document_id: str
    title: str
    file: StoredFile
    recorded_in: int
    on: date
    to_entry: int | None
    """The entry a letter was produced from, or a file attached to (None: on its own)."""
    letter_kind: str | None = None
    recipient: str | None = None
    template: str | None = None
    template_version: str | None = None
    signed_by: str | None = None
    sent: StoredFile | None = None
    sent_in: int | None = None

    @property
    def is_letter(self) -> bool:
        return self.letter_kind is not None


@dataclass
class DocumentsState:
    documents: dict[str, Document] = field(default_factory=dict)

    def documents_on(self, version: int) -> list[Document]:
        return [d for d in self.documents.values() if d.to_entry == version]

    def _on_LetterProduced(self, e: Any) -> None:
        kind = LETTERS.get(e.kind)
        title = kind.title if kind else e.kind
        self.documents[e.document_id] = Document(
            e.document_id, title + (f" to the {e.recipient}" if e.recipient else ""),
            _file(e), e.originator_version, e.effective, e.rests_on, letter_kind=e.kind,
            recipient=e.recipient, template=e.template, template_version=e.template_version,
            signed_by=e.signed_by)

    def _on_SentVersionAttached(self, e: Any) -> None:
        if document := self.documents.get(e.document_id):
            document.sent, document.sent_in = _file(e), e.originator_version

    def _on_EvidenceAttached(self, e: Any) -> None:
        self.documents[e.document_id] = Document(
            e.document_id, e.description, _file(e), e.originator_version, e.effective,
            e.to_entry)


def _file(e: Any) -> StoredFile:
    return StoredFile(e.sha256, e.file_name, e.media_type, e.size)


def kept_files(entry: Any) -> list[StoredFile]:
    """The files an entry names (none for most entries): what ``scc verify`` re-hashes."""
    if isinstance(entry, (LetterProduced, SentVersionAttached, EvidenceAttached)):
        return [_file(entry)]
    return []


# Commands -----------------------------------------------------------------------------------

class DocumentCommands(CaseFileCore):
    def letter_sources(self, kind: str) -> list[Any]:
        """The standing entries a letter of ``kind`` can be produced from, newest first."""
        letter = _letter_kind(kind)
        retracted = self.state.retracted
        return [e for e in reversed(self._entries)
                if type(e).__name__ == letter.rests_on and letter.applies(e)
                and e.originator_version not in retracted]

    def record_letter(self, *, when: Entry, kind: str, rests_on: int, recipient: str | None,
                      template: str, template_version: str, file: StoredFile,
                      signed_by: str | None = None) -> str:
        """A letter produced from the entry ``rests_on`` (rule ``letter-from-the-record``)."""
        self._require_open(when)
        self.letter_to_produce(kind, rests_on, recipient=recipient, dated=when.effective)
        require_text("template", template)
        require_text("template version", template_version, field="template_version")
        _require_file(file)
        document_id = f"L{self._count(self.LetterProduced) + 1}"
        self._record(self.LetterProduced, when=when, document_id=document_id, kind=kind,
                     rests_on=rests_on, recipient=recipient or None, template=template,
                     template_version=template_version, signed_by=signed_by, **file.fields())
        return document_id

    def letter_source(self, kind: str, version: int) -> Any:
        """The entry a letter of ``kind`` is to be produced from, refused in words if there
        is no such standing entry (rule ``letter-from-the-record``)."""
        letter = _letter_kind(kind)
        sources = self.letter_sources(kind)
        for entry in sources:
            if entry.originator_version == version:
                return entry
        school = self.state.school.name
        if not sources:
            LETTER_FROM_THE_RECORD.refuse(
                f"{school}'s case file records no {letter.step} to produce "
                f"{_a(letter.named)} from: record the step first")
        LETTER_FROM_THE_RECORD.refuse(
            f"Entry {version} is not a standing {letter.step}; {_a(letter.named)} "
            f"can be produced from entry "
            f"{', '.join(str(e.originator_version) for e in reversed(sources))}",
            field="rests_on")

    def letter_to_produce(self, kind: str, rests_on: int, *, recipient: str | None,
                          dated: date) -> Any:
        """The entry a letter of ``kind`` to ``recipient`` dated ``dated`` is produced from,
        refused in words if the letter cannot be produced (rule ``letter-from-the-record``):
        checked before the letter is written, and again when it is recorded."""
        source = self.letter_source(kind, rests_on)
        letter = LETTERS[kind]
        if letter.to_consultees:
            named = consultees(self.state.school)
            if recipient not in named:
                LETTER_FROM_THE_RECORD.refuse(
                    f"Choose who the letter is to: {', '.join('the ' + c for c in named)}",
                    field="recipient")
        elif recipient:
            raise CaseFileError(f"{_a(letter.named).capitalize()} is not addressed to a "
                                "consultee",
                                field="recipient")
        if dated < source.effective:
            LETTER_FROM_THE_RECORD.refuse(
                "A letter cannot be dated before the step it gives", field="effective")
        return source

    def attach_sent_version(self, *, when: Entry, document_id: str, file: StoredFile,
                            note: str = "") -> None:
        """The letter as sent, edited after it was produced (rule ``sent-as-kept``)."""
        self._require_after_registration(when)
        document = self.state.documents.get(document_id)
        if document is None or not document.is_letter:
            raise CaseFileError(f"There is no letter {document_id} on this case file",
                                field="document_id")
        if document.sent is not None:
            SENT_AS_KEPT.refuse(
                f"The version of letter {document_id} that was sent was attached in entry "
                f"{document.sent_in}; retract that entry to attach another")
        if when.effective < document.on:
            raise CaseFileError("A letter cannot be sent before it was produced",
                                field="effective")
        _require_file(file)
        self._record(self.SentVersionAttached, when=when, document_id=document_id,
                     produced_sha256=document.file.sha256, note=note.strip(), **file.fields())

    def attach_evidence(self, *, when: Entry, description: str, file: StoredFile,
                        to_entry: int | None = None) -> str:
        """A file of evidence, on an entry of this case file or as an entry of its own."""
        self._require_after_registration(when)
        require_text("description", description)
        if to_entry is not None:
            if not isinstance(to_entry, int) or not 1 <= to_entry <= len(self._entries):
                EVIDENCE_FILES.refuse(f"There is no entry {to_entry} in this case file",
                                      field="to_entry")
            if to_entry in self.state.retracted:
                EVIDENCE_FILES.refuse(f"Entry {to_entry} was retracted", field="to_entry")
        _require_file(file)
        document_id = f"E{self._count(self.EvidenceAttached) + 1}"
        self._record(self.EvidenceAttached, when=when, document_id=document_id,
                     to_entry=to_entry, description=description.strip(), **file.fields())
        return document_id


def _letter_kind(kind: str) -> LetterKind:
    if kind not in LETTERS:
        raise CaseFileError(
            f"scc produces no letter called {kind!r}; it produces: {', '.join(LETTERS)}",
            field="kind")
    return LETTERS[kind]


def _a(named: str) -> str:
    """With its article: "a warning notice", "an IEB consultation letter", "an MSP ..."."""
    first = named.split()[0]
    spoken_vowel = first[0] in "aeiouAEIOU" or (first.isupper() and first[0] in "FHLMNRSX")
    return f"{'an' if spoken_vowel else 'a'} {named}"


def _require_file(file: StoredFile) -> None:
    if not SHA256.fullmatch(file.sha256 or ""):
        raise CaseFileError(f"{file.sha256!r} is not a SHA-256 hash")
    if not isinstance(file.size, int) or file.size <= 0:
        EVIDENCE_FILES.refuse(f"{file.name} is empty", field="file")
    if not file.name or one_line(file.name) != file.name or "/" in file.name \
            or "\\" in file.name:
        raise CaseFileError(f"{file.name!r} is not a file name", field="file")
    require_text("media type", file.media_type, field="file")
