"""How a kept file is sealed: a megabyte part at a time, AES-GCM under its case file's key, so
that neither sealing nor opening a file holds it whole in memory, and no plain byte of it is
written anywhere on the way in.

Each part has its own random nonce and is bound (as associated data) to the key's id and its
place in the file; the last part is bound to the SHA-256 of the whole plain file too. A part
altered, dropped, reordered, moved from another file or sealed under another key does not
open, and a file cut short does not end. A sealed file is its parts one after another, each
preceded by its length (four bytes, big-endian).
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from application.kept_files import FileKey, SealBroken

PART = 1 << 20
"""Plain bytes sealed in one part."""
NONCE = 12
_LENGTH = struct.Struct(">I")


def _bound_to(key_id: str, part: int, sha256: str | None) -> bytes:
    ending = f"last {sha256}" if sha256 is not None else "more"
    return f"scc kept file {key_id} part {part} {ending}".encode("ascii")


def seal(stream: BinaryIO, key: FileKey, write: Callable[[bytes], object]
         ) -> tuple[str, int, int]:
    """Seals ``stream`` part by part, passing each sealed part to ``write``; returns the
    SHA-256 and size of the plain content and the number of parts."""
    aead = AESGCM(key.key)
    digest, size, part = hashlib.sha256(), 0, 0
    chunk = stream.read(PART)
    while True:
        following = stream.read(PART) if chunk else b""
        digest.update(chunk)
        size += len(chunk)
        sha256 = None if following else digest.hexdigest()
        nonce = os.urandom(NONCE)
        write(nonce + aead.encrypt(nonce, chunk, _bound_to(key.key_id, part, sha256)))
        part += 1
        if sha256 is not None:
            return sha256, size, part
        chunk = following


def opened(parts: Iterator[tuple[bytes, bool]], key: FileKey, sha256: str) -> Iterator[bytes]:
    """The plain content of sealed parts, given as (sealed part, whether it is the last);
    raises SealBroken at the first part that does not open, or if the parts end early."""
    aead = AESGCM(key.key)
    ended = False
    for part, (sealed, last) in enumerate(parts):
        try:
            yield aead.decrypt(sealed[:NONCE], sealed[NONCE:],
                               _bound_to(key.key_id, part, sha256 if last else None))
        except InvalidTag:
            raise SealBroken(sha256) from None
        ended = last
    if not ended:
        raise SealBroken(sha256)


def framed(write: Callable[[bytes], object]) -> Callable[[bytes], None]:
    """``write`` for a sealed part, preceded by its length."""
    def write_part(sealed: bytes) -> None:
        write(_LENGTH.pack(len(sealed)))
        write(sealed)
    return write_part


def frames(read: Callable[[int], bytes], sha256: str) -> Iterator[tuple[bytes, bool]]:
    """The sealed parts of a framed file, each with whether it is the last."""
    def one() -> bytes | None:
        header = read(_LENGTH.size)
        if not header:
            return None
        if len(header) < _LENGTH.size:
            raise SealBroken(sha256)
        (length,) = _LENGTH.unpack(header)
        sealed = read(length)
        if len(sealed) < length:
            raise SealBroken(sha256)
        return sealed

    current = one()
    while current is not None:
        following = one()
        yield current, following is None
        current = following


class ChunkReader:
    """Plain chunks read as a read-only binary file (``read``, ``close``, ``with``)."""

    def __init__(self, chunks: Iterator[bytes], on_close: Callable[[], object] = lambda: None
                 ) -> None:
        self._chunks, self._on_close = chunks, on_close
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(PART):
            yield chunk

    def close(self) -> None:
        self._buffer = b""
        self._on_close()

    def __enter__(self) -> ChunkReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
