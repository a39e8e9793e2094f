"""How the case file's values are stored as JSON beyond the library's own: dates."""

from __future__ import annotations

from datetime import date

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
