"""The start-up check of SCC_CIPHER_KEY against a store's first entries, on stand-in rows."""

from types import SimpleNamespace

import pytest

from adapters.event_store import CipherKeyMismatch, check_cipher_key


class Rows:
    """A recorder holding these stored states."""

    def __init__(self, *states: bytes) -> None:
        self.states = states

    def select_notifications(self, start: int, limit: int) -> list[SimpleNamespace]:
        return [SimpleNamespace(state=s) for s in self.states[start - 1:start - 1 + limit]]


def test_an_encrypted_entry_that_happens_to_begin_with_a_brace_is_not_taken_for_plain():
    # One encrypted state in 256 begins with the byte "{"; it is still not JSON
    encrypted = Rows(b"{\x8a\x13\xfe\x00nonce and ciphertext", b"\x91\x02ciphertext")

    with pytest.raises(CipherKeyMismatch, match="encrypted: set SCC_CIPHER_KEY"):
        check_cipher_key(encrypted, cipher=None)


def test_a_plain_store_opens_without_a_key():
    check_cipher_key(Rows(b'{"urn": 990001}', b'{"urn": 990002}'), cipher=None)
