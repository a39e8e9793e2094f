"""A rebuild's decoder gives the domain events the application's mapper gives, or its errors."""

from __future__ import annotations

import zlib
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    UUIDAsHex,
)
from eventsourcing.utils import get_topic

from adapters.event_decoding import StoredEventDecoder
from application.transcodings import register_case_file_transcodings
from domain.case_file import SchoolCaseFile
from tests.unit.builders import a_maintained_school, issue_notice, when


def transcoder() -> JSONTranscoder:
    """The application's transcoder: the library's own transcodings and the case file's."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    register_case_file_transcodings(transcoder)
    return transcoder


class ReversingCipher:
    """Stands in for an AES cipher: what it writes cannot be read without it."""

    def encrypt(self, plaintext: bytes) -> bytes:
        return plaintext[::-1]

    def decrypt(self, ciphertext: bytes) -> bytes:
        return ciphertext[::-1]


def a_case_file_with_nested_values() -> SchoolCaseFile:
    """Entries whose values are dates inside lists and dicts, lists of strings, dicts of
    changes, an amendment and a successor: what a generic decoder can get wrong."""
    case_file = a_maintained_school()
    notice = issue_notice(case_file, date(2024, 1, 8))
    case_file.record_compliance(when=when(date(2024, 3, 1)), notice_id=notice,
                                complied=False, evidence="No plan")
    case_file.establish_msp_group(when=when(date(2024, 3, 4)), members=["Chair", "Adviser"],
                                  cadence_weeks=6)
    meeting = case_file.schedule_msp_meeting(when=when(date(2024, 3, 5)),
                                             meets_on=date(2024, 4, 15))
    case_file.hold_msp_meeting(
        when=when(date(2024, 4, 15)), meeting_id=meeting, attendees=["Chair"],
        minutes="Plan agreed", actions=[{"description": "Phonics plan", "owner": "Head",
                                         "due": date(2024, 5, 20)}])
    case_file.change_details(when=when(date(2024, 9, 1)),
                             changes={"pupils": 190, "closed_on": date(2025, 8, 31)})
    case_file.amend_entry(when=when(date(2024, 9, 2)), version=2, reason="Typo",
                          changes={"matters": "Key stage 2 results"})
    return case_file


def stored(mapper: Mapper[Any], events: list[Any]) -> list[StoredEvent]:
    return [mapper.to_stored_event(event) for event in events]


@pytest.mark.parametrize("protected", ["plain", "compressed", "encrypted and compressed"])
def test_every_entry_decodes_to_what_the_mapper_gives(protected):
    mapper = Mapper(
        transcoder=transcoder(),
        compressor=ZlibCompressor() if protected != "plain" else None,
        cipher=ReversingCipher() if protected.startswith("encrypted") else None,
    )
    rows = stored(mapper, a_case_file_with_nested_values().collect_events())
    decode = StoredEventDecoder(mapper).decode

    decoded = [decode(r.originator_id, r.originator_version, r.topic, r.state) for r in rows]

    expected = [mapper.to_domain_event(r) for r in rows]
    assert [type(e) for e in decoded] == [type(e) for e in expected]
    assert [vars(e) for e in decoded] == [vars(e) for e in expected]
    # Check the values inside lists and dicts came back as dates, as the mapper's do.
    held = next(e for e in decoded if isinstance(e, SchoolCaseFile.MSPMeetingHeld))
    assert held.actions[0]["due"] == date(2024, 5, 20)
    changed = next(e for e in decoded if isinstance(e, SchoolCaseFile.DetailsChanged))
    assert changed.changes["closed_on"] == date(2025, 8, 31)


class Visited(SchoolCaseFile.Event):
    """An entry class at its second version: the first kept one "when" text field."""

    class_version = 2
    visited_on: date
    note: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["note"] = state.pop("when_text", "")


def test_an_entry_stored_at_an_older_class_version_is_upcast():
    mapper = Mapper(transcoder=transcoder())
    state = (b'{"timestamp":{"_type_":"datetime_iso","_data_":"2024-01-08T09:00:00+00:00"},'
             b'"effective":{"_type_":"date_iso","_data_":"2024-01-08"},"by":"Head","link":"",'
             b'"visited_on":{"_type_":"date_iso","_data_":"2024-01-08"},'
             b'"when_text":"morning"}')
    row = StoredEvent(originator_id=UUID(int=7), originator_version=3,
                      topic=get_topic(Visited), state=state)

    event = StoredEventDecoder(mapper).decode(row.originator_id, 3, row.topic, row.state)

    assert (event.note, event.visited_on) == ("morning", date(2024, 1, 8))
    assert vars(event) == vars(mapper.to_domain_event(row))


def test_an_unreadable_entry_fails_as_the_mapper_fails():
    mapper = Mapper(transcoder=transcoder())
    decoder = StoredEventDecoder(mapper)
    topic = get_topic(SchoolCaseFile.ConcernRaised)
    unknown_value = b'{"effective":{"_type_":"money","_data_":"12.50"}}'

    for state in (b"{not json", unknown_value, zlib.compress(b"{}")):
        with pytest.raises(MapperDeserialisationError):
            decoder.decode(UUID(int=1), 2, topic, state)


def test_a_transcoder_of_its_own_decodes_through_the_mapper():
    class Shouting(JSONTranscoder):
        def decode(self, data: bytes) -> Any:
            decoded = super().decode(data)
            decoded["by"] = decoded["by"].upper()
            return decoded

    shouting = Shouting()
    register_case_file_transcodings(shouting)
    shouting.register(DatetimeAsISO())
    mapper = Mapper(transcoder=shouting)
    case_file = a_maintained_school()
    case_file.raise_concern(when=when(date(2024, 1, 8)), ground="finance",
                            description="Deficit")
    rows = stored(mapper, case_file.collect_events())

    decoded = [StoredEventDecoder(mapper).decode(r.originator_id, r.originator_version,
                                                 r.topic, r.state) for r in rows]

    assert [e.by for e in decoded] == ["HEAD OF SCHOOL IMPROVEMENT"] * 2

