"""How the case file's values are stored as JSON beyond the library's own: dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def register_case_file_transcodings(transcoder: JSONTranscoder) -> None:
    """Registers what any reader of the case files' events needs (the app, projections)."""
    transcoder.register(DateAsISO())


def stored_value(value: object) -> object:
    """A value of an entry read as plain JSON (a bulk reading that skips building entries):
    a date is as DateAsISO stored it; anything else of ours is as JSON has it."""
    if type(value) is dict and value.get("_type_") == DateAsISO.name:
        return date.fromisoformat(value["_data_"])
    return value


def plain_state(mapper: Any, state: bytes) -> bytes:
    """A stored entry's state as its JSON text: decrypted and decompressed as the mapper
    (SCC_CIPHER_KEY) stored it."""
    if mapper.cipher is not None:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor is not None:
        state = mapper.compressor.decompress(state)
    return state
