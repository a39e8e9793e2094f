"""How the case file's values are stored as JSON: dates, and events inside snapshots."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.case_file import SchoolCaseFile


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EventAsDict(Transcoding):
    """A case file's entry as it sits inside a snapshot of the case file."""

    def __init__(self, event_class: type) -> None:
        self.type = event_class
        self.name = event_class.__qualname__

    def encode(self, obj: Any) -> dict[str, Any]:
        return dict(vars(obj))

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


def register_case_file_transcodings(transcoder: JSONTranscoder) -> None:
    """Registers what any reader of the case files' events needs (the app, projections)."""
    transcoder.register(DateAsISO())
    for event_class in _subclasses(SchoolCaseFile.Event):
        transcoder.register(EventAsDict(event_class))


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found
