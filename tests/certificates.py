"""Signing identities made for tests: a CA of the test's own and a certificate it issues for
signing letters, written as PEM files (``cryptography``), like an authority's real ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

SIGNER = "Jo Bloggs, Head of School Improvement"


def make_signing_identity(where: Path, *, common_name: str = SIGNER,
                          passphrase: str | None = None, valid_from: datetime | None = None,
                          valid_for: timedelta = timedelta(days=30),
                          elliptic: bool = False) -> tuple[Path, Path, bytes]:
    """Writes ``signing-key.pem`` (encrypted when ``passphrase`` is given) and
    ``signing-certificate.pem`` into ``where``; returns their paths and the issuing CA's
    certificate as PEM bytes, the trust root to validate against. Validity is counted from
    the real clock (a day ago unless ``valid_from``), as a validator's own clock is. The key
    is RSA, or elliptic-curve (P-256) if ``elliptic``."""
    now = datetime.now(UTC)
    start = valid_from or now - timedelta(days=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Test Council Signing CA")
    ca = (_certificate(ca_name, ca_name, ca_key.public_key(), now - timedelta(days=2),
                       now + timedelta(days=365))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(_usage(key_cert_sign=True, crl_sign=True), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = (ec.generate_private_key(ec.SECP256R1()) if elliptic
           else rsa.generate_private_key(public_exponent=65537, key_size=2048))
    certificate = (_certificate(_name(common_name), ca_name, key.public_key(), start,
                                start + valid_for)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                  critical=True)
                   .add_extension(_usage(digital_signature=True, content_commitment=True),
                                  critical=True)
                   .sign(ca_key, hashes.SHA256()))
    encryption = (serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
                  else serialization.NoEncryption())
    key_path = where / "signing-key.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8, encryption))
    cert_path = where / "signing-certificate.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path, ca.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Council"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, issuer, public_key, start, end) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end))


def _usage(**allowed: bool) -> x509.KeyUsage:
    flags = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
    return x509.KeyUsage(**{flag: allowed.get(flag, False) for flag in flags})
