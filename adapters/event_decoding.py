"""Decodes stored events into domain events as the application's mapper does, faster.

A rebuild decodes every stored event, and the library's JSON transcoder calls back into Python
for every JSON object it reads. Here orjson parses the state and only the objects that hold
values (dicts and lists) are walked to revive the registered transcodings, bottom-up as the
library's object hook does. Whatever this path does not handle, or cannot read, goes through
the mapper itself, so the result (and any error) is the mapper's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

from application.transcodings import DateAsISO

TEXT_DECODERS: dict[type, Callable[[str], Any]] = {
    DateAsISO: date.fromisoformat,
    DatetimeAsISO: datetime.fromisoformat,
}
"""What these transcodings' ``decode`` does with a string, without the method call (used only
for string data)."""


class StoredEventDecoder:
    """``decode(originator_id, version, topic, state)``: the domain event of one stored event,
    equal to ``mapper.to_domain_event`` of it."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.mapper = mapper
        transcoder = mapper.transcoder
        # Only the library's own mapper and JSON transcoder are known well enough to be
        # imitated; a subclass may decode differently, so it is left to do all the work.
        self.fast = (type(mapper).to_domain_event is Mapper.to_domain_event
                     and isinstance(transcoder, JSONTranscoder)
                     and type(transcoder).decode is JSONTranscoder.decode
                     and type(transcoder)._decode_obj is JSONTranscoder._decode_obj)
        self.decoders: dict[str, Callable[[Any], Any]] = {
            name: TEXT_DECODERS.get(type(transcoding), transcoding.decode)
            for name, transcoding in getattr(transcoder, "names", {}).items()
        }
        self.classes: dict[str, tuple[type, int, Callable[[Any], Any]]] = {}
        self.decode: Callable[[UUID, int, str, bytes], Any] = (
            self._fast_decoder() if self.fast else self._by_mapper)
        """``decode(originator_id, version, topic, state)``: the domain event."""

    def _by_mapper(self, originator_id: UUID, version: int, topic: str, state: bytes) -> Any:
        return self.mapper.to_domain_event(StoredEvent(
            originator_id=originator_id, originator_version=version, topic=topic, state=state))

    def _fast_decoder(self) -> Callable[[UUID, int, str, bytes], Any]:
        """The decoding function, its lookups made once (it runs once for every entry in
        the log): whatever it cannot read goes to the mapper, which decides and says why."""
        classes, decoders, by_mapper = self.classes, self.decoders, self._by_mapper
        revive, revive_values = self._revive, self._revive_values
        cipher, compressor = self.mapper.cipher, self.mapper.compressor
        loads, new, set_attribute = orjson.loads, object.__new__, object.__setattr__
        personal = self.decoders.get("personal", self._unknown_personal)

        def decode(originator_id: UUID, version: int, topic: str, state: bytes) -> Any:
            try:
                try:
                    cls, class_version, id_convertor = classes[topic]
                except KeyError:
                    cls = resolve_topic(topic)
                    class_version = getattr(cls, "class_version", 1)
                    # Keyed by topic alone: the scans give every stream's id as a UUID.
                    id_convertor = find_id_convertor(cls, type(originator_id))
                    classes[topic] = cls, class_version, id_convertor
                plain = state
                if cipher:
                    plain = cipher.decrypt(plain)
                if compressor:
                    plain = compressor.decompress(plain)
                event_state = loads(plain)
                if type(event_state) is dict:
                    for key, value in event_state.items():
                        kind = type(value)
                        if kind is dict:
                            # Most values are a flat {"_type_": name, "_data_": "text"}:
                            # decoded here, without the calls the general case takes.
                            name, data = value.get("_type_"), value.get("_data_")
                            if len(value) == 2 and type(name) is str and type(data) is str:
                                event_state[key] = decoders[name](data)
                            elif name == "personal" and len(value) == 2 and type(data) is list:
                                event_state[key] = personal(data)  # a sealed value: opened
                            else:
                                event_state[key] = revive(value)
                        elif kind is list:
                            revive_values(value)
                    if (len(event_state) == 2 and "_type_" in event_state
                            and "_data_" in event_state):
                        raise TypeError("a state that is one encoded value is left to the mapper")
                event_state["originator_id"] = id_convertor(originator_id)
                event_state["originator_version"] = version
                # Upcasting, as the mapper does it: older stored versions of a class brought
                # forward one step at a time by the class's own upcast_vN_vN+1 methods.
                from_version = event_state.pop("class_version", 1)
                while from_version < class_version:
                    getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(event_state)
                    from_version += 1
                event = new(cls)
                set_attribute(event, "__dict__", event_state)
                return event
            except Exception:  # the mapper decides, and says why
                return by_mapper(originator_id, version, topic, state)

        return decode

    @staticmethod
    def _unknown_personal(data: Any) -> Any:
        raise TypeError("a sealed value, and no transcoding to open it: left to the mapper")

    def _revive_values(self, container: dict[str, Any] | list[Any]) -> None:
        """Revives encoded values inside ``container`` in place, innermost first."""
        items = container.items() if type(container) is dict else enumerate(container)
        for key, value in items:
            kind = type(value)
            if kind is dict:
                container[key] = self._revive(value)
            elif kind is list:
                self._revive_values(value)

    def _revive(self, obj: dict[str, Any]) -> Any:
        """The library's object hook: ``{"_type_": name, "_data_": data}`` is a value of a
        registered transcoding (its data revived first); any other object stays a dict."""
        if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
            name, data = obj["_type_"], obj["_data_"]
            if type(name) is not str:
                raise TypeError("a transcoding's name is a string")
            kind = type(data)
            if kind is dict:
                data = self._revive(data)
            elif kind is list:
                self._revive_values(data)
            return self.decoders[name](data)
        self._revive_values(obj)
        return obj
