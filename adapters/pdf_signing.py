"""PAdES signatures on the letters scc makes (pyHanko), with the authority's own signing
certificate, and a plain summary of a PDF's signature for auditors."""

from __future__ import annotations

import asyncio
import io
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from adapters.timestamping import TimestampFailed

T = TypeVar("T")

with warnings.catch_warnings():
    # pyHanko still imports cryptography's DSA support, which warns on import; scc never
    # uses DSA, and the warning would fail every test that imports this module.
    warnings.filterwarnings("ignore", message="DSA is deprecated")
    from asn1crypto import x509 as asn1_x509
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

TIMESTAMP_TIMEOUT = 30


class SigningNotConfigured(ValueError):
    """The letter-signing key or certificate cannot be used; the message names the file and
    says what is wrong with it, for the administrator who set it up."""


class NotAPdf(ValueError):
    """Bytes given to sign or to check that are not a PDF pyHanko can read."""


@dataclass(frozen=True)
class LetterSigner:
    """The authority's signing identity: signs letters as PAdES baseline B-B, or B-T when a
    timestamp authority is configured."""

    _signer: signers.SimpleSigner
    _certificate: x509.Certificate
    _timestamp_url: str | None

    @classmethod
    def load(cls, key: Path, certificate: Path | None, *, passphrase: str | None = None,
             chain: Sequence[Path] = (), timestamp_url: str | None = None) -> LetterSigner:
        """Reads a PEM or DER private key and its certificate (a PEM file may carry the
        issuing chain after it), or a PKCS#12 bundle given as ``key`` with ``certificate``
        None; checks they belong together and the certificate is in date and allowed to
        sign. Raises SigningNotConfigured naming the file at fault."""
        secret = passphrase.encode() if passphrase is not None else None
        if certificate is None:
            private_key, cert, extra = _bundle(key, secret)
        else:
            private_key = _private_key(key, secret)
            cert, *extra = _certificates(certificate, "certificate")
        for path in chain:
            extra += _certificates(path, "certificate chain")
        _check_pair(private_key, key, cert, certificate or key)
        store = SimpleCertificateStore()
        store.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in extra])
        signer = _KeyReadOnce(
            private_key, signing_cert=translate_pyca_cryptography_cert_to_asn1(cert),
            cert_registry=store)
        return cls(signer, cert, timestamp_url)

    @property
    def signer_name(self) -> str:
        """The common name the certificate was issued to (the whole subject if it has none)."""
        return _common_name(self._certificate.subject)

    def sign(self, pdf: bytes, *, reason: str, location: str | None = None) -> bytes:
        """The PDF with an invisible PAdES signature added as an incremental update, so the
        letter's own bytes are kept unchanged before it."""
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        except (PdfError, ValueError) as error:
            raise NotAPdf(f"The letter to sign is not a readable PDF: {error}") from None
        # a letter countersigned later gets a field of its own beside the first
        existing = len(list(fields.enumerate_sig_fields(writer)))
        metadata = signers.PdfSignatureMetadata(
            field_name=f"Signature{existing + 1}", reason=reason, location=location,
            md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES)
        timestamper = (RequestsHTTPTimeStamper(self._timestamp_url, timeout=TIMESTAMP_TIMEOUT)
                       if self._timestamp_url else None)
        try:
            signed = _outside_any_event_loop(lambda: signers.sign_pdf(
                writer, metadata, signer=self._signer, timestamper=timestamper))
        except TimestampRequestError as error:
            raise TimestampFailed(f"The timestamp authority {self._timestamp_url} did not "
                                  f"timestamp the letter's signature: {error}") from None
        return signed.getvalue()


def _outside_any_event_loop(work: Callable[[], T]) -> T:
    """pyHanko's synchronous calls start an event loop of their own (``asyncio.run``), which
    cannot start in a thread already running one (a Playwright session's, an async server's):
    there the work is done in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def signature_summary(pdf: bytes, trust_roots: Sequence[bytes | Path] = ()) -> dict:
    """The PDF's latest signature in plain data: ``intact`` when the bytes it signed are
    unchanged and the signature is sound; ``covers_whole_file`` when nothing was added after
    it; ``trusted`` when its certificate chains to one of ``trust_roots`` (PEM or DER
    certificates, as bytes or files; no other root, and no revocation check is fetched);
    ``signed_at`` is the timestamp authority's time when ``timestamped``, else the signer's."""
    try:
        found = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except (PdfError, ValueError) as error:
        raise NotAPdf(f"This is not a readable PDF: {error}") from None
    if not found:
        return {"signed": False, "intact": False, "signer": None, "signed_at": None,
                "trusted": False, "covers_whole_file": False, "timestamped": False}
    roots = [translate_pyca_cryptography_cert_to_asn1(c)
             for root in trust_roots for c in _parse_certificates(_bytes_of(root))]
    signature = found[-1]
    try:
        status = _outside_any_event_loop(lambda: validate_pdf_signature(
            signature, ValidationContext(trust_roots=roots, allow_fetching=False)))
    except (SignatureValidationError, PdfError, ValueError):
        return {"signed": True, "intact": False, "signer": _embedded_signer(signature),
                "signed_at": None, "trusted": False, "covers_whole_file": False,
                "timestamped": False}
    stamped = status.timestamp_validity
    return {
        "signed": True,
        "intact": bool(status.intact and status.valid),
        "signer": _common_name(status.signing_cert.subject),
        "signed_at": stamped.timestamp if stamped else status.signer_reported_dt,
        "trusted": bool(status.trusted),
        "covers_whole_file": status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        "timestamped": stamped is not None,
    }


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise SigningNotConfigured(f"The letter signing {what} file {path} does not exist"
                                   ) from None
    except OSError as error:
        raise SigningNotConfigured(f"The letter signing {what} file {path} cannot be read: "
                                   f"{error.strerror}") from None


def _private_key(path: Path, secret: bytes | None):
    data = _read(path, "key")
    pem = b"-----BEGIN" in data
    if pem and b"PRIVATE KEY-----" not in data:
        held = "a certificate" if b"CERTIFICATE-----" in data else "no private key"
        raise SigningNotConfigured(f"The letter signing key file {path} holds {held}, not "
                                   "a private key")
    load = serialization.load_pem_private_key if pem else serialization.load_der_private_key
    try:
        return _usable_key(load(data, password=secret), path)
    except TypeError:
        # cryptography says TypeError when a passphrase is missing, or given but not needed
        if secret is None:
            raise SigningNotConfigured(f"The letter signing key file {path} is protected by "
                                       "a passphrase, and none was given") from None
        raise SigningNotConfigured(f"The letter signing key file {path} is not protected by "
                                   "a passphrase, but one was given: is it the right "
                                   "file?") from None
    except ValueError:
        if secret is not None and (b"ENCRYPTED" in data or not pem):
            raise SigningNotConfigured(f"The passphrase given for the letter signing key file "
                                       f"{path} does not open it") from None
        raise SigningNotConfigured(f"The letter signing key file {path} is not a private key "
                                   "in PEM or DER form") from None


def _usable_key(private_key, path: Path):
    if not isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningNotConfigured(f"The letter signing key file {path} holds a "
                                   f"{type(private_key).__name__}: letters are signed with an "
                                   "RSA or elliptic-curve key")
    return private_key


def _certificates(path: Path, what: str) -> list[x509.Certificate]:
    data = _read(path, what)
    try:
        found = _parse_certificates(data)
    except ValueError:
        found = []
    if not found:
        raise SigningNotConfigured(f"The letter signing {what} file {path} is not a "
                                   "certificate in PEM or DER form")
    return found


def _parse_certificates(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN CERTIFICATE-----" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def _bundle(path: Path, secret: bytes | None):
    data = _read(path, "key")
    try:
        private_key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
    except ValueError:
        raise SigningNotConfigured(f"The letter signing file {path} is not a PKCS#12 bundle, "
                                   "or the passphrase given does not open it") from None
    if private_key is None or cert is None:
        raise SigningNotConfigured(f"The PKCS#12 bundle {path} must hold both the signing key "
                                   "and its certificate")
    return _usable_key(private_key, path), cert, list(extra)


def _check_pair(private_key, key_path: Path, cert: x509.Certificate, cert_path: Path) -> None:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if private_key.public_key().public_bytes(*spki) != cert.public_key().public_bytes(*spki):
        raise SigningNotConfigured(
            f"The letter signing key file {key_path} does not belong to the certificate "
            f"{cert_path} (issued to {_common_name(cert.subject)}): give the key that was "
            "used to request that certificate")
    now = datetime.now(UTC)
    if now < cert.not_valid_before_utc:
        raise SigningNotConfigured(
            f"The letter signing certificate {cert_path} is valid only from "
            f"{cert.not_valid_before_utc:%d %B %Y %H:%M} UTC")
    if now > cert.not_valid_after_utc:
        raise SigningNotConfigured(
            f"The letter signing certificate {cert_path} expired on "
            f"{cert.not_valid_after_utc:%d %B %Y}: install its renewal")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise SigningNotConfigured(
            f"The letter signing certificate {cert_path} is not issued for signing documents "
            "(its key usage allows neither digital signature nor non-repudiation)")


class _KeyReadOnce(signers.SimpleSigner):
    """pyHanko's SimpleSigner with the key it signs with read once, at start: SimpleSigner
    reads its key again for every signature, twice a letter (the first sizes the signature),
    and cryptography checks an RSA key's primes each time one is read, about 75 ms of CPU for
    a 2048-bit key: half the cost of signing a letter."""

    def __init__(self, private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
                 **options) -> None:  # noqa: ANN003 - SimpleSigner's own
        super().__init__(signing_key=translate_pyca_cryptography_key_to_asn1(private_key),
                         **options)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        digest = get_pyca_cryptography_hash(digest_algorithm)
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), digest)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)  # any other, as pyHanko does it


def _common_name(subject: x509.Name | asn1_x509.Name) -> str:
    if isinstance(subject, asn1_x509.Name):
        return subject.native.get("common_name") or subject.human_friendly
    names = subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else subject.rfc4514_string()


def _embedded_signer(signature) -> str | None:
    try:
        return _common_name(signature.signer_cert.subject)
    except (ValueError, KeyError, AttributeError):
        return None


def _bytes_of(root: bytes | Path) -> bytes:
    return root if isinstance(root, bytes) else Path(root).read_bytes()
