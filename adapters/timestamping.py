"""RFC 3161 countersignatures of checkpoints by a timestamp authority (``SCC_TIMESTAMP_URL``):
independent evidence of when each checkpoint existed, checked with ``openssl ts -verify``."""

from __future__ import annotations

import hashlib
import os
import urllib.request
from pathlib import Path

SHA256 = bytes.fromhex("0609608648016503040201")  # OID 2.16.840.1.101.3.4.2.1
TIMEOUT = 30


class TimestampFailed(OSError):
    """The timestamp authority could not be reached or did not grant a timestamp."""


def countersign(url: str, checkpoint: Path) -> Path:
    """Asks the authority at ``url`` to timestamp the checkpoint file's bytes; writes its
    reply (DER TimeStampResp) beside it as ``<checkpoint>.tsr`` and returns that path."""
    request = timestamp_request(hashlib.sha256(checkpoint.read_bytes()).digest())
    try:
        with urllib.request.urlopen(urllib.request.Request(  # noqa: S310 - the LA's own URL
                url, data=request, method="POST",
                headers={"Content-Type": "application/timestamp-query"}), timeout=TIMEOUT) as reply:
            body = reply.read()
    except OSError as error:
        raise TimestampFailed(f"The timestamp authority {url} did not answer: {error}") from None
    if not _granted(body):
        raise TimestampFailed(f"The timestamp authority {url} refused the request")
    out = checkpoint.with_name(checkpoint.name + ".tsr")
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(body)
    os.replace(partial, out)
    return out


def timestamp_request(digest: bytes) -> bytes:
    """A DER TimeStampReq (RFC 3161 §2.4.1): version 1, the SHA-256 imprint, a nonce, and a
    request for the authority's certificate in the reply."""
    algorithm = _der(0x30, SHA256 + b"\x05\x00")
    imprint = _der(0x30, algorithm + _der(0x04, digest))
    nonce = int.from_bytes(os.urandom(8), "big") >> 1
    return _der(0x30, b"\x02\x01\x01" + imprint + _der(0x02, _positive_integer(nonce))
                + b"\x01\x01\xff")


def _positive_integer(number: int) -> bytes:
    """A non-negative INTEGER's content in DER: as few bytes as hold it with its top bit clear.
    Eight bytes whatever the nonce had a redundant leading zero byte one time in 256, and an
    authority that reads DER strictly (OpenSSL's) refused that request as badly formed."""
    return number.to_bytes(number.bit_length() // 8 + 1, "big")


def _granted(reply: bytes) -> bool:
    """PKIStatus granted (0) or grantedWithMods (1), read from the reply's first INTEGER."""
    try:
        # TimeStampResp ::= SEQUENCE { status PKIStatusInfo ::= SEQUENCE { status INTEGER ...
        inner = reply[_header(reply, 0):]
        status_at = _header(inner, 0)
        return inner[0] == 0x30 and inner[status_at] == 0x02 and inner[status_at + 2] in (0, 1)
    except IndexError:
        return False


def _header(data: bytes, at: int) -> int:
    """The offset of a DER value's content, after its tag and length."""
    length = data[at + 1]
    return at + 2 + (length & 0x7F if length & 0x80 else 0)


def _der(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content
