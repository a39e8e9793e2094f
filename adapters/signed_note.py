"""Ed25519 keys and signatures for the log's checkpoints, in the C2SP signed-note format
(https://c2sp.org/signed-note), whose key files Go's ``golang.org/x/mod/sumdb/note`` also reads.

- a signer key (private, kept in a file outside the store): ``PRIVATE+KEY+<name>+<id>+<base64
  of 0x01 || 32-byte seed>``;
- a verifier key (public, given to auditors): ``<name>+<id>+<base64 of 0x01 || public key>``;
- ``<id>`` is 8 hex digits: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key);
- a signature line: ``— <name> <base64 of the 4-byte id || 64-byte signature>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = b"\x01"
DASH = "\u2014 "


class KeyUnreadable(ValueError):
    """A key file that is not a signed-note key of the expected kind."""


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    name: str
    public: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.public)

    def text(self) -> str:
        return f"{self.name}+{self.id.hex()}+{_b64(ED25519 + self.public)}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        try:
            name, hex_id, key = text.strip().split("+", 2)
            raw = base64.b64decode(key, validate=True)
            verifier = cls(name, raw[1:])
            if (not name or raw[:1] != ED25519 or len(raw) != 33
                    or bytes.fromhex(hex_id) != verifier.id):
                raise ValueError
        except (ValueError, binascii.Error):
            raise KeyUnreadable("not a checkpoint public key: it should read "
                                "<name>+<8 hex digits>+<base64 key>, as "
                                "scc keys checkpoint wrote it") from None
        return verifier

    def verifies(self, note: str) -> bool:
        """Whether ``note`` (a signed note) carries a valid signature by this key."""
        text, _, signatures = note.rpartition("\n\n")
        for line in signatures.splitlines():
            if not line.startswith(DASH):
                continue
            name, _, signature = line[len(DASH):].partition(" ")
            try:
                raw = base64.b64decode(signature, validate=True)
            except binascii.Error:
                continue
            if name != self.name or raw[:4] != self.id or len(raw) != 68:
                continue
            try:
                Ed25519PublicKey.from_public_bytes(self.public).verify(
                    raw[4:], (text + "\n").encode())
            except InvalidSignature:
                continue
            return True
        return False


@dataclass(frozen=True)
class Signer:
    name: str
    seed: bytes

    @property
    def verifier(self) -> Verifier:
        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return Verifier(self.name, public)

    def text(self) -> str:
        return f"PRIVATE+KEY+{self.name}+{self.verifier.id.hex()}+{_b64(ED25519 + self.seed)}"

    @classmethod
    def generate(cls, name: str) -> Signer:
        if not name or any(c.isspace() or c == "+" for c in name):
            raise KeyUnreadable(f"{name!r} cannot name a key: use no spaces and no '+', "
                                "for example la-999.example.gov.uk/scc")
        return cls(name, os.urandom(32))

    @classmethod
    def parse(cls, text: str) -> Signer:
        try:
            private, key_word, name, hex_id, key = text.strip().split("+", 4)
            raw = base64.b64decode(key, validate=True)
            signer = cls(name, raw[1:])
            if ((private, key_word) != ("PRIVATE", "KEY") or raw[:1] != ED25519
                    or len(raw) != 33 or bytes.fromhex(hex_id) != signer.verifier.id):
                raise ValueError
        except (ValueError, binascii.Error):
            raise KeyUnreadable("not a checkpoint signing key: it should read "
                                "PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>, as "
                                "scc keys checkpoint wrote it") from None
        return signer

    def sign(self, text: str) -> str:
        """The signed note: ``text`` (ending in a newline), a blank line, the signature line."""
        signature = Ed25519PrivateKey.from_private_bytes(self.seed).sign(text.encode())
        return f"{text}\n{DASH}{self.name} {_b64(self.verifier.id + signature)}\n"


def read_signer(path: Path) -> Signer:
    return Signer.parse(_read(path, "checkpoint signing key"))


def read_verifier(path: Path) -> Verifier:
    return Verifier.parse(_read(path, "checkpoint public key"))


def _read(path: Path, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise KeyUnreadable(f"Cannot read the {what} {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise KeyUnreadable(f"The {what} {path} is not text") from None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
