"""Files kept beside the log (letters produced, letters as sent, evidence), each sealed under
its case file's key for free text: what a store of them must do, how a case file's copy is
found and opened, and the check that a kept file is still what its entry recorded.

A file's entry records the SHA-256 of its plain content (inside the hash chain), never the key.
The store keeps a file once per key and content, named by the key's id and that SHA-256: the
same file attached in two schools is sealed twice, under each school's key, so that destroying
one school's key erases its copy and leaves the other's readable. Once the key is destroyed the
sealed copy is unreadable in the store and in every backup of it, and reads as erased (the
rule and the day), which verification reports without failing. Files kept before files were
sealed are plain, named by their SHA-256 alone, and still read and verified.

Policy: UK GDPR Article 5(1)(e) and Article 17, as ``domain.personal_data`` applies them to
the entries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol
from uuid import UUID

from application.personal_keys import KeyStore
from domain.areas.documents import StoredFile
from domain.errors import CaseFileError
from domain.personal_data import CASE_FILE, Erasure

READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileKey:
    """The key a file is sealed under: its id in the key store, and its material."""

    key_id: str
    key: bytes = field(repr=False)


@dataclass(frozen=True)
class KeptFile:
    """What a store says of a file it was given: its hash, its size, whether it is new to the
    store (False: the same content was kept under the same key before), and the id of the key
    it is sealed under (None: a plain file, kept before files were sealed)."""

    sha256: str
    size: int
    created: bool
    key_id: str | None = None


class DocumentMissing(CaseFileError):
    """The store has no file with this hash (under this key)."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"No file with SHA-256 {sha256} is kept")
        self.sha256 = sha256


class SealBroken(CaseFileError):
    """A part of a sealed file does not open under its key: it was altered, moved from another
    file, or cut short after it was kept."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"The file with SHA-256 {sha256} does not open under its key: it "
                         "was altered after it was kept")
        self.sha256 = sha256


class FileErased(CaseFileError):
    """The case file's key the file was sealed under was destroyed: its content is gone."""

    def __init__(self, sha256: str, erasure: Erasure) -> None:
        super().__init__(f"This file was erased under {erasure.rule} on "
                         f"{erasure.on.isoformat()}: its key was destroyed, so nobody can "
                         "read it any more")
        self.sha256, self.erasure = sha256, erasure


class DocumentStore(Protocol):
    """Where kept files are (adapters.document_store)."""

    def put(self, stream: BinaryIO, key: FileKey) -> KeptFile:
        """Seals the file under ``key`` as it reads it, and keeps it under the key's id and
        the SHA-256 of its plain content, once."""

    def open(self, sha256: str, key: FileKey | None = None) -> BinaryIO:
        """The plain content of the file sealed under ``key``, or (None) of the plain file
        kept before files were sealed. Raises DocumentMissing; reading a part that does
        not open under its key raises SealBroken."""

    def sealed_under(self, sha256: str, key_ids: Iterable[str]) -> list[str]:
        """Which of these keys a copy of the file is sealed under."""

    def forget(self, sha256: str, key_id: str | None) -> None: ...

    def close(self) -> None: ...


class KeptFiles:
    """A case file's kept files: sealed under its key for free text as they are kept, and
    opened with it (or found erased) as they are read."""

    def __init__(self, store: DocumentStore, keys: KeyStore) -> None:
        self.store, self.keys = store, keys

    def keep(self, case_file: UUID, stream: BinaryIO) -> KeptFile:
        key_id, key = self.keys.key_for(case_file, CASE_FILE, None)
        return self.store.put(stream, FileKey(key_id, key))

    def forget(self, kept: KeptFile) -> None:
        """Takes out a file this call kept (its entry was refused)."""
        self.store.forget(kept.sha256, kept.key_id)

    def open(self, case_file: UUID, sha256: str) -> BinaryIO:
        """The file's plain content, as this case file holds it: its copy sealed under one of
        the case file's keys that is still there; else a plain copy kept before files were
        sealed; else, if its copies' keys were destroyed, FileErased; else DocumentMissing.

        A copy sealed under a destroyed key wins over a plain copy of the same content: the
        case file's erasure holds for the file, whichever older entry also names it."""
        keys = self._keys_of(case_file)
        held = self.store.sealed_under(sha256, keys) if keys else []
        for key_id in held:
            key = keys[key_id]
            if isinstance(key, bytes):
                return self.store.open(sha256, FileKey(key_id, key))
        if held:
            raise FileErased(sha256, _latest(keys[k] for k in held))
        return self.store.open(sha256)

    def _keys_of(self, case_file: UUID) -> dict[str, bytes | Erasure]:
        """The case file's keys for free text, the live one (if any) first."""
        ids = [r.key_id for r in self.keys.key_records(case_file=case_file) if r.person is None]
        found = self.keys.keys(ids)
        return dict(sorted(found.items(), key=lambda k: isinstance(k[1], Erasure)))


def _latest(erasures: Iterable[bytes | Erasure]) -> Erasure:
    return max((e for e in erasures if isinstance(e, Erasure)), key=lambda e: e.on)


def file_problem(files: KeptFiles, case_file: UUID, file: StoredFile) -> str | None:
    """What is wrong with a kept file, in an auditor's words, or None: it must be there, open
    under its key and hash to what its entry recorded. A file whose key was destroyed is not
    wrong: FileErased says when, and under which rule."""
    try:
        content = files.open(case_file, file.sha256)
    except DocumentMissing:
        return f"its file {file.name} (SHA-256 {file.sha256[:12]}…) is missing from the store"
    digest, size = hashlib.sha256(), 0
    try:
        with content:
            while chunk := content.read(READ_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except SealBroken:
        return (f"its file {file.name} was altered after it was kept: its sealed content "
                "no longer opens under its key")
    except DocumentMissing:
        return (f"its file {file.name} was altered after it was kept: parts of it are "
                "missing from the store")
    if digest.hexdigest() != file.sha256:
        return (f"its file {file.name} was altered after it was kept: its content's SHA-256 "
                f"is now {digest.hexdigest()[:12]}…, not the {file.sha256[:12]}… recorded")
    return None
