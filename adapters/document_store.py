"""The kept files of case files (letters produced, letters as sent, evidence): in a folder
(the default, beside the SQLite file) or in PostgreSQL, in parts, so that neither storing nor
reading a file holds it all in memory.

Each file is sealed under its case file's key (``adapters.file_sealing``) and kept once per key
and content, named by the key's id and the SHA-256 of its plain content: the key's id because
the same file kept for two schools is sealed differently under each, and each copy must go
when its own key is destroyed; the SHA-256 because that is what the entry records, so the copy
an entry names is found without the key's id being on the record. Files kept before files
were sealed stay where they were, plain, under their SHA-256 alone, and are read as before."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.file_sealing import ChunkReader, framed, frames, opened, seal
from adapters.migrations import require_current
from adapters.outbox import UTCDateTime
from application.kept_files import DocumentMissing, FileKey, KeptFile

CHUNK = 1 << 20
"""Bytes read at a time from a plain file kept before files were sealed."""
SEALED = "sealed"
"""The folder of sealed files, beside the two-hex-digit folders of plain ones."""
_KEY_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


def _key_id(key_id: str) -> str:
    """A key's id as a folder's name: the key store makes them of letters and digits."""
    if not _KEY_ID.fullmatch(key_id):
        raise ValueError(f"{key_id!r} is not a key id")
    return key_id


class FolderDocumentStore:
    """Sealed files under ``root/sealed/<key id>/<sha256>``, plain ones from before under
    ``root/<first two hex digits>/<sha256>``; read-only once written."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"the folder {self.root}"

    def close(self) -> None:
        pass

    def put(self, stream: BinaryIO, key: FileKey) -> KeptFile:
        incoming = self.root / ".incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=incoming)
        try:
            with os.fdopen(handle, "wb") as out:
                sha256, size, _ = seal(stream, key, framed(out.write))
                out.flush()
                os.fsync(out.fileno())
            target = self._path(sha256, key.key_id)
            if target.exists():
                os.unlink(temporary)
                return KeptFile(sha256, size, created=False, key_id=key.key_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(temporary, 0o444)
            os.replace(temporary, target)
            return KeptFile(sha256, size, created=True, key_id=key.key_id)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def open(self, sha256: str, key: FileKey | None = None) -> BinaryIO:
        try:
            file = self._path(sha256, key.key_id if key else None).open("rb")
        except FileNotFoundError:
            raise DocumentMissing(sha256) from None
        if key is None:
            return file
        return ChunkReader(opened(frames(file.read, sha256), key, sha256),  # type: ignore[return-value]
                           file.close)

    def sealed_under(self, sha256: str, key_ids: Iterable[str]) -> list[str]:
        return [k for k in key_ids if self._path(sha256, k).exists()]

    def forget(self, sha256: str, key_id: str | None) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(sha256, key_id).unlink()

    def _path(self, sha256: str, key_id: str | None) -> Path:
        if key_id is None:
            return self.root / sha256[:2] / sha256
        return self.root / SEALED / _key_id(key_id) / sha256


_metadata = sa.MetaData()
KEPT_FILES = sa.Table(
    "kept_files", _metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("parts", sa.Integer, nullable=False),
    sa.Column("kept_at", UTCDateTime, nullable=False),
)
"""Plain files, kept before files were sealed: read, never added to."""
KEPT_FILE_PARTS = sa.Table(
    "kept_file_parts", _metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("part", sa.Integer, primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)
SEALED_FILES = sa.Table(
    "sealed_files", _metadata,
    sa.Column("key_id", sa.String(64), primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("parts", sa.Integer, nullable=False),
    sa.Column("kept_at", UTCDateTime, nullable=False),
    sa.Index("sealed_files_sha256", "sha256"),
)
SEALED_FILE_PARTS = sa.Table(
    "sealed_file_parts", _metadata,
    sa.Column("key_id", sa.String(64), primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("part", sa.Integer, primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)


class SQLDocumentStore:
    """Files in the database, a sealed megabyte a row (``sealed_file_parts``), listed in
    ``sealed_files`` once every part is in: a file is there whole or not at all."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        require_current(engine)  # the tables are made by the migrations

    def __repr__(self) -> str:
        return "the database's sealed_files table"

    def close(self) -> None:
        self.engine.dispose()

    def put(self, stream: BinaryIO, key: FileKey) -> KeptFile:
        # The hash names the rows, so the sealed parts wait in a temporary file first.
        parts: list[tuple[int, int]] = []  # where each sealed part is in the spool
        with tempfile.TemporaryFile() as spool:
            def write(sealed: bytes) -> None:
                parts.append((spool.tell(), len(sealed)))
                spool.write(sealed)

            sha256, size, _ = seal(stream, key, write)
            with self.engine.begin() as conn:
                if conn.execute(sa.select(SEALED_FILES.c.sha256).where(
                        SEALED_FILES.c.key_id == key.key_id,
                        SEALED_FILES.c.sha256 == sha256)).first() is not None:
                    return KeptFile(sha256, size, created=False, key_id=key.key_id)
                for part, (at, length) in enumerate(parts):
                    spool.seek(at)
                    conn.execute(SEALED_FILE_PARTS.insert().values(
                        key_id=key.key_id, sha256=sha256, part=part, content=spool.read(length)))
                conn.execute(SEALED_FILES.insert().values(
                    key_id=key.key_id, sha256=sha256, size=size, parts=len(parts),
                    kept_at=datetime.now(UTC)))
        return KeptFile(sha256, size, created=True, key_id=key.key_id)

    def open(self, sha256: str, key: FileKey | None = None) -> BinaryIO:
        files = SEALED_FILES if key is not None else KEPT_FILES
        query = sa.select(files.c.parts).where(files.c.sha256 == sha256)
        if key is not None:
            query = query.where(SEALED_FILES.c.key_id == key.key_id)
        with self.engine.connect() as conn:
            parts = conn.execute(query).scalar_one_or_none()
        if parts is None:
            raise DocumentMissing(sha256)
        if key is None:
            return ChunkReader(  # type: ignore[return-value]
                self._part(KEPT_FILE_PARTS, sha256, None, n) for n in range(parts))
        sealed = ((self._part(SEALED_FILE_PARTS, sha256, key.key_id, n), n == parts - 1)
                  for n in range(parts))
        return ChunkReader(opened(sealed, key, sha256))  # type: ignore[return-value]

    def sealed_under(self, sha256: str, key_ids: Iterable[str]) -> list[str]:
        wanted = list(key_ids)
        with self.engine.connect() as conn:
            held = set(conn.execute(sa.select(SEALED_FILES.c.key_id).where(
                SEALED_FILES.c.sha256 == sha256, SEALED_FILES.c.key_id.in_(wanted))).scalars())
        return [k for k in wanted if k in held]

    def forget(self, sha256: str, key_id: str | None) -> None:
        files, parts = ((KEPT_FILES, KEPT_FILE_PARTS) if key_id is None
                        else (SEALED_FILES, SEALED_FILE_PARTS))
        with self.engine.begin() as conn:
            for table in (files, parts):
                where = [table.c.sha256 == sha256]
                if key_id is not None:
                    where.append(table.c.key_id == key_id)
                conn.execute(table.delete().where(*where))

    def _part(self, table: sa.Table, sha256: str, key_id: str | None, part: int) -> bytes:
        """One part, read when it is reached: a file is never read from the database whole."""
        query = sa.select(table.c.content).where(table.c.sha256 == sha256, table.c.part == part)
        if key_id is not None:
            query = query.where(table.c.key_id == key_id)
        with self.engine.connect() as conn:
            content = conn.execute(query).scalar_one_or_none()
        if content is None:
            raise DocumentMissing(sha256)
        return bytes(content)
