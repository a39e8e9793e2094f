"""Letters signed with the authority's certificate (PAdES, pyHanko) on a real WeasyPrint PDF,
checked as an auditor would against the test's own CA; and the administrator's mistakes in
setting up the signing key, each refused in words that name the file."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime, timedelta

import pytest
import weasyprint
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from adapters.pdf_signing import LetterSigner, SigningNotConfigured, signature_summary
from tests.certificates import SIGNER, make_signing_identity
from tests.integration.test_timestamping import authority

__all__ = ["authority"]  # fixture

TITLE = b"Warning notice to Oakfield Primary School"


@pytest.fixture(scope="module")
def letter() -> bytes:
    html = f"""<!doctype html><html lang="en"><head><title>{TITLE.decode()}</title></head>
    <body><p>Dear Chair of Governors,</p><p>This warning notice is given under section 60
    of the Education and Inspections Act 2006.</p><p>Yours faithfully</p></body></html>"""
    return weasyprint.HTML(string=html).write_pdf()


@pytest.fixture
def identity(tmp_path):
    return make_signing_identity(tmp_path)


def test_a_signed_letter_is_intact_names_its_signer_and_chains_to_the_authoritys_ca(
        letter, identity):
    key, certificate, ca = identity
    signer = LetterSigner.load(key, certificate)
    before = datetime.now(UTC).replace(microsecond=0)

    signed = signer.sign(letter, reason="Warning notice", location="Peterborough")

    # Check the letter's own bytes are kept, the signature appended as an update
    assert signed.startswith(letter)
    assert signer.signer_name == SIGNER
    summary = signature_summary(signed, trust_roots=[ca])
    assert summary["signed"] and summary["intact"] and summary["covers_whole_file"]
    assert summary["signer"] == SIGNER
    assert summary["trusted"]
    assert not summary["timestamped"]
    assert before <= summary["signed_at"] <= datetime.now(UTC)
    # Check the reason and place are in the signature, as a PDF reader shows them
    assert b"/Reason (Warning notice)" in signed[len(letter):]
    assert b"/Location (Peterborough)" in signed[len(letter):]


def test_a_letter_signed_with_an_elliptic_curve_key_is_intact_and_trusted(letter, tmp_path):
    key, certificate, ca = make_signing_identity(tmp_path, elliptic=True)

    signed = LetterSigner.load(key, certificate).sign(letter, reason="Warning notice")

    summary = signature_summary(signed, trust_roots=[ca])
    assert summary["intact"] and summary["trusted"] and summary["signer"] == SIGNER


def test_a_signature_is_trusted_only_by_the_roots_the_auditor_gives(letter, identity, tmp_path):
    key, certificate, _ = identity
    signed = LetterSigner.load(key, certificate).sign(letter, reason="Warning notice")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    *_, other_ca = make_signing_identity(elsewhere)

    assert signature_summary(signed)["intact"]
    assert not signature_summary(signed)["trusted"]
    assert not signature_summary(signed, trust_roots=[other_ca])["trusted"]


def test_one_changed_byte_in_the_signed_letter_breaks_the_signature(letter, identity):
    key, certificate, ca = identity
    signed = LetterSigner.load(key, certificate).sign(letter, reason="Warning notice")
    assert signed.count(TITLE) == 1  # WeasyPrint writes the title as a plain string

    altered = signed.replace(TITLE, TITLE.replace(b"Warning", b"Warming"))

    summary = signature_summary(altered, trust_roots=[ca])
    assert summary["signed"] and not summary["intact"]


def test_text_added_after_signing_leaves_the_signature_short_of_the_whole_file(
        letter, identity):
    key, certificate, ca = identity
    signed = LetterSigner.load(key, certificate).sign(letter, reason="Warning notice")
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    words = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 72 Td (Withdrawn) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(words))
    out = io.BytesIO()
    writer.write(out)

    summary = signature_summary(out.getvalue(), trust_roots=[ca])
    # Check the signed revision is still as signed, but the file is more than was signed
    assert summary["intact"]
    assert not summary["covers_whole_file"]


def test_an_unsigned_letter_says_so(letter):
    assert signature_summary(letter) == {
        "signed": False, "intact": False, "signer": None, "signed_at": None,
        "trusted": False, "covers_whole_file": False, "timestamped": False}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_a_letter_signed_with_a_timestamp_authority_carries_its_time(letter, identity,
                                                                      authority):
    url, tsa_ca = authority
    key, certificate, ca = identity
    before = datetime.now(UTC).replace(microsecond=0)

    signed = LetterSigner.load(key, certificate, timestamp_url=url).sign(
        letter, reason="Warning notice")

    summary = signature_summary(signed, trust_roots=[ca, tsa_ca])
    assert summary["intact"] and summary["trusted"] and summary["timestamped"]
    assert before <= summary["signed_at"] <= datetime.now(UTC)


def test_a_pkcs12_bundle_can_hold_the_key_and_certificate(letter, identity, tmp_path):
    key, certificate, ca = identity
    bundle = tmp_path / "signing.p12"
    bundle.write_bytes(pkcs12.serialize_key_and_certificates(
        b"signing", serialization.load_pem_private_key(key.read_bytes(), None),
        _certificate(certificate), None,
        serialization.BestAvailableEncryption(b"correct horse")))

    signer = LetterSigner.load(bundle, None, passphrase="correct horse")

    assert signature_summary(signer.sign(letter, reason="Warning notice"), [ca])["trusted"]
    with pytest.raises(SigningNotConfigured, match=f"{bundle} is not a PKCS#12 bundle, or "
                                                   "the passphrase given does not open it"):
        LetterSigner.load(bundle, None, passphrase="wrong")


def _certificate(path):
    from cryptography import x509

    return x509.load_pem_x509_certificate(path.read_bytes())


def test_each_mistake_in_the_signing_setup_is_named_for_the_administrator(tmp_path):
    key, certificate, _ = make_signing_identity(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    other_key, other_certificate, _ = make_signing_identity(other, common_name="Someone Else")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked_key, locked_certificate, _ = make_signing_identity(locked, passphrase="s3cret")
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"this is not a key\n")
    missing = tmp_path / "nowhere.pem"

    def refusal(*args, **kwargs) -> str:
        with pytest.raises(SigningNotConfigured) as refused:
            LetterSigner.load(*args, **kwargs)
        return str(refused.value)

    assert refusal(missing, certificate) == (
        f"The letter signing key file {missing} does not exist")
    assert refusal(key, missing) == (
        f"The letter signing certificate file {missing} does not exist")
    assert refusal(garbage, certificate) == (
        f"The letter signing key file {garbage} is not a private key in PEM or DER form")
    assert refusal(key, garbage) == (
        f"The letter signing certificate file {garbage} is not a certificate in PEM or DER "
        "form")
    assert refusal(certificate, certificate) == (
        f"The letter signing key file {certificate} holds a certificate, not a private key")
    assert refusal(key, certificate, chain=[garbage]) == (
        f"The letter signing certificate chain file {garbage} is not a certificate in PEM or "
        "DER form")
    assert refusal(other_key, certificate) == (
        f"The letter signing key file {other_key} does not belong to the certificate "
        f"{certificate} (issued to {SIGNER}): give the key that was used to request that "
        "certificate")
    assert refusal(locked_key, locked_certificate) == (
        f"The letter signing key file {locked_key} is protected by a passphrase, and none "
        "was given")
    assert refusal(locked_key, locked_certificate, passphrase="guess") == (
        f"The passphrase given for the letter signing key file {locked_key} does not open it")
    assert refusal(key, certificate, passphrase="s3cret") == (
        f"The letter signing key file {key} is not protected by a passphrase, but one was "
        "given: is it the right file?")
    assert LetterSigner.load(locked_key, locked_certificate, passphrase="s3cret").signer_name \
        == SIGNER
    assert LetterSigner.load(other_key, other_certificate).signer_name == "Someone Else"


def test_a_certificate_out_of_date_is_refused(tmp_path):
    expired = make_signing_identity(tmp_path, valid_from=datetime.now(UTC) - timedelta(days=40))
    key, certificate, _ = expired

    with pytest.raises(SigningNotConfigured, match=f"certificate {certificate} expired on "):
        LetterSigner.load(key, certificate)
    later = tmp_path / "later"
    later.mkdir()
    key, certificate, _ = make_signing_identity(
        later, valid_from=datetime.now(UTC) + timedelta(days=3))
    with pytest.raises(SigningNotConfigured, match=f"certificate {certificate} is valid only "):
        LetterSigner.load(key, certificate)


def test_a_countersigned_letter_keeps_both_signatures(letter, identity, tmp_path):
    key, certificate, ca = identity
    head = tmp_path / "head"
    head.mkdir()
    head_key, head_certificate, head_ca = make_signing_identity(head, common_name="Sam Head")
    signed = LetterSigner.load(key, certificate).sign(letter, reason="Warning notice")

    countersigned = LetterSigner.load(head_key, head_certificate).sign(signed, reason="Approved")

    summary = signature_summary(countersigned, trust_roots=[ca, head_ca])
    assert summary["signer"] == "Sam Head"
    assert summary["intact"] and summary["trusted"] and summary["covers_whole_file"]
    # Check the second signature covers the file to its last byte
    assert not signature_summary(countersigned[:-1] + b"X", [ca, head_ca])["intact"]
