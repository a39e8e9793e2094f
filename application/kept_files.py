"""Files kept beside the log, named by the SHA-256 of their content: what a store of them
must do, and the check that a kept file is still what its entry recorded."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from domain.areas.documents import StoredFile
from domain.errors import CaseFileError

READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class KeptFile:
    """What a store says of a file it was given: its hash, its size, and whether it is new
    to the store (False: the same content was kept before)."""

    sha256: str
    size: int
    created: bool


class DocumentMissing(CaseFileError):
    """The store has no file with this hash."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"No file with SHA-256 {sha256} is kept")
        self.sha256 = sha256


class DocumentStore(Protocol):
    """Where kept files are (adapters.document_store)."""

    def put(self, stream: BinaryIO) -> KeptFile: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def forget(self, sha256: str) -> None: ...

    def close(self) -> None: ...


def file_problem(store: DocumentStore, file: StoredFile) -> str | None:
    """What is wrong with a kept file, in an auditor's words, or None: it must be there and
    hash to what its entry recorded."""
    try:
        content = store.open(file.sha256)
    except DocumentMissing:
        return f"its file {file.name} (SHA-256 {file.sha256[:12]}…) is missing from the store"
    digest, size = hashlib.sha256(), 0
    with content:
        while chunk := content.read(READ_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    if digest.hexdigest() != file.sha256:
        return (f"its file {file.name} was altered after it was kept: its content's SHA-256 "
                f"is now {digest.hexdigest()[:12]}…, not the {file.sha256[:12]}… recorded")
    return None


