"""The hash chain that lets an auditor show a case file was not altered after the fact."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

GENESIS = "0" * 64


def link(previous: str, event_name: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 over the previous link and the entry's canonical content (name and fields).

    A personal value (``domain.personal_data``) is covered by its commitment, not its text,
    so the link still follows once the value is erased."""
    content = canonical({"event": event_name, **committed(fields)})
    return hashlib.sha256(previous.encode("ascii") + content).hexdigest()


Content = Callable[[Any], Mapping[str, Any]]
"""An entry's fields as they were recorded: an entry read back through a newer version of its
class (upcast) has fields its link was not computed over."""


def entry_link(previous: str, event: Any, content: Content = vars) -> str:
    """The link an entry should carry, recomputed from its content as recorded.

    Leaves out the entry's own link and the code location of the aggregate class
    (``originator_topic``), which may move without the record changing.
    """
    fields = {k: v for k, v in content(event).items() if k not in ("link", "originator_topic")}
    kind = type(event)
    return link(previous, getattr(kind, "entry_name", kind.__qualname__), fields)


def first_broken_version(events: Iterable[Any], content: Content = vars, *,
                         previous: str = GENESIS, first: int = 1) -> int | None:
    """The first version whose link does not follow from the entries before it, if any.

    An edited entry breaks its own link; a deleted or reordered one breaks the sequence.
    ``events`` may start part way along a chain, at version ``first``, whose entry before
    it carries the link ``previous``.
    """
    expected_version = first
    for event in events:
        if event.originator_version != expected_version:
            return expected_version
        if getattr(event, "link", None) != entry_link(previous, event, content):
            return event.originator_version
        previous, expected_version = event.link, expected_version + 1
    return None


def committed(fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """``fields`` with each personal value (one with a ``linked`` form) replaced by it, in
    lists and records too; the same mapping when there is none."""
    replaced: dict[str, Any] | None = None
    for name, value in fields.items():
        if type(value) in _PLAIN:
            continue
        linked = _committed(value)
        if linked is not value:
            if replaced is None:
                replaced = dict(fields)
            replaced[name] = linked
    return fields if replaced is None else replaced


_PLAIN = frozenset((str, int, bool, float, type(None), date, datetime, UUID))


def _committed(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    linked = getattr(value, "linked", None)
    if linked is not None:
        return linked()
    if isinstance(value, list):
        items = [_committed(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, dict):
        found = committed(value)
        return value if found is value else dict(found)
    return value


def canonical(fields: Mapping[str, Any]) -> bytes:
    """One byte string per content: sorted keys, no spaces, dates and times in ISO 8601."""
    return _CANONICAL.encode(fields).encode("utf-8")


def _plain(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no canonical form")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              default=_plain)
"""json.dumps with these options, made once: dumps makes an encoder at every call, a third of
the cost of linking an entry, and a case file's snapshot is checked by linking all of them."""
