"""The kept files of case files (letters produced, letters as sent, evidence), each stored
once under the SHA-256 of its content: in a folder (the default, beside the SQLite file) or in
PostgreSQL, in parts, so that neither storing nor reading a file holds it all in memory."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.migrations import require_current
from adapters.outbox import UTCDateTime
from application.kept_files import DocumentMissing, KeptFile

CHUNK = 1 << 20
"""Bytes read, hashed and written at a time: a 10 MB upload never lies in memory whole."""


def _hash_into(stream: BinaryIO, write) -> tuple[str, int]:  # noqa: ANN001 - a file's write
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        write(chunk)
    return digest.hexdigest(), size


class FolderDocumentStore:
    """Files under ``root/<first two hex digits>/<sha256>``, read-only once written."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"the folder {self.root}"

    def close(self) -> None:
        pass

    def put(self, stream: BinaryIO) -> KeptFile:
        incoming = self.root / ".incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=incoming)
        try:
            with os.fdopen(handle, "wb") as out:
                sha256, size = _hash_into(stream, out.write)
                out.flush()
                os.fsync(out.fileno())
            target = self._path(sha256)
            if target.exists():
                os.unlink(temporary)
                return KeptFile(sha256, size, created=False)
            target.parent.mkdir(exist_ok=True)
            os.chmod(temporary, 0o444)
            os.replace(temporary, target)
            return KeptFile(sha256, size, created=True)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self._path(sha256).open("rb")
        except FileNotFoundError:
            raise DocumentMissing(sha256) from None

    def forget(self, sha256: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(sha256).unlink()

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256


_metadata = sa.MetaData()
KEPT_FILES = sa.Table(
    "kept_files", _metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("parts", sa.Integer, nullable=False),
    sa.Column("kept_at", UTCDateTime, nullable=False),
)
KEPT_FILE_PARTS = sa.Table(
    "kept_file_parts", _metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("part", sa.Integer, primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)


class SQLDocumentStore:
    """Files in the database, a megabyte a row (``kept_file_parts``), listed in
    ``kept_files`` once every part is in: a file is there whole or not at all."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        require_current(engine)  # the tables are made by the migrations

    def __repr__(self) -> str:
        return "the database's kept_files table"

    def close(self) -> None:
        self.engine.dispose()

    def put(self, stream: BinaryIO) -> KeptFile:
        # The hash names the rows, so the parts go to a spooled temporary file first.
        with tempfile.TemporaryFile() as spool:
            sha256, size = _hash_into(stream, spool.write)
            with self.engine.begin() as conn:
                if conn.execute(sa.select(KEPT_FILES.c.sha256).where(
                        KEPT_FILES.c.sha256 == sha256)).first() is not None:
                    return KeptFile(sha256, size, created=False)
                spool.seek(0)
                part = 0
                while chunk := spool.read(CHUNK):
                    conn.execute(KEPT_FILE_PARTS.insert().values(
                        sha256=sha256, part=part, content=chunk))
                    part += 1
                conn.execute(KEPT_FILES.insert().values(
                    sha256=sha256, size=size, parts=part, kept_at=datetime.now(UTC)))
        return KeptFile(sha256, size, created=True)

    def open(self, sha256: str) -> BinaryIO:
        with self.engine.connect() as conn:
            parts = conn.execute(sa.select(KEPT_FILES.c.parts).where(
                KEPT_FILES.c.sha256 == sha256)).scalar_one_or_none()
        if parts is None:
            raise DocumentMissing(sha256)
        return _PartsReader(self.engine, sha256, parts)

    def forget(self, sha256: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(KEPT_FILES.delete().where(KEPT_FILES.c.sha256 == sha256))
            conn.execute(KEPT_FILE_PARTS.delete().where(KEPT_FILE_PARTS.c.sha256 == sha256))


class _PartsReader:
    """A kept file read from the database a part at a time, as a read-only binary file."""

    def __init__(self, engine: Engine, sha256: str, parts: int) -> None:
        self.engine, self.sha256, self.parts = engine, sha256, parts
        self._next, self._buffer = 0, b""

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._buffer) < size) and self._next < self.parts:
            self._buffer += self._part(self._next)
            self._next += 1
        if size < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(CHUNK):
            yield chunk

    def _part(self, part: int) -> bytes:
        with self.engine.connect() as conn:
            content = conn.execute(sa.select(KEPT_FILE_PARTS.c.content).where(
                KEPT_FILE_PARTS.c.sha256 == self.sha256,
                KEPT_FILE_PARTS.c.part == part)).scalar_one_or_none()
        if content is None:
            raise DocumentMissing(self.sha256)
        return bytes(content)

    def close(self) -> None:
        self._buffer = b""

    def __enter__(self) -> _PartsReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
