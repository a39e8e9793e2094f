"""Checkpoint keys and signatures in the C2SP signed-note format."""

from __future__ import annotations

import pytest

from adapters.signed_note import KeyUnreadable, Signer, Verifier

NAME = "scc.fenmarsh.example/case-files"


def test_keys_read_back_whatever_their_base64_holds():
    # base64 may contain '+', the separator of the key's parts: only the first ones split
    for _ in range(64):
        signer = Signer.generate(NAME)
        assert Signer.parse(signer.text()) == signer
        assert Verifier.parse(signer.verifier.text()) == signer.verifier


def test_a_signature_holds_only_for_its_text_and_its_key():
    signer = Signer.generate(NAME)
    note = signer.sign(f"{NAME}\n8\n{'A' * 43}=\n")

    assert note.endswith("\n") and "\n\n\u2014 " + NAME + " " in note
    assert signer.verifier.verifies(note)
    assert not signer.verifier.verifies(note.replace("\n8\n", "\n9\n"))
    assert not Signer.generate(NAME).verifier.verifies(note)


def test_a_public_key_whose_id_does_not_match_is_refused():
    text = Signer.generate(NAME).verifier.text()
    name, key_id, key = text.split("+", 2)

    with pytest.raises(KeyUnreadable, match="not a checkpoint public key"):
        Verifier.parse(f"{name}+00000000+{key}" if key_id != "00000000" else f"x+{key_id}+{key}")
