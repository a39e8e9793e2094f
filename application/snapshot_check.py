"""Loading a case file from its snapshot only when the snapshot is the record.

A snapshot is a copy of a case file's entries kept so that a long case file loads quickly. It
is not part of the hash chain, so an insider could alter it alone; a page built from it would
then show the altered text. Each snapshot is therefore checked as it is loaded: its entries'
links are recomputed from their content (``domain.chain``) and its last link must be the link
stored on the entry it was taken at. A snapshot that fails is set aside, the case file is read
from its entries instead, and the mismatch is kept for the pages to show.

The check hashes every entry the snapshot holds, without reading them from the store: measured
at 12-19 ms for a 1,000-entry case file on a busy 2-core machine (loading the snapshot itself
took 5-6 ms), where reading the case file from its 1,000 entries instead took some 40 ms more
than from the snapshot. Only a cold load pays it: a loaded case file is cached and moves forward
from the store's newer entries. With SCC_CIPHER_KEY set, the snapshot is authenticated as it is
decrypted, and its entries are not hashed again: only its length and last link are checked.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository

from application.transcodings import plain_state
from domain import chain

log = logging.getLogger(__name__)


def recorded_content(mapper: Any, row: Any) -> dict[str, Any]:
    """An entry's fields as its version of scc recorded them: decrypted and decoded, but not
    upcast, so that the chain is checked against what was linked when it was recorded."""
    fields = mapper.transcoder.decode(plain_state(mapper, row.state))
    fields.pop("class_version", None)
    fields.update(originator_id=row.originator_id, originator_version=row.originator_version)
    return fields


def snapshot_mismatch(taken_at: int, why: str) -> str:
    """What the pages say about a snapshot set aside (the audit's own words begin it)."""
    return (f"The snapshot taken at entry {taken_at} does not match the record ({why}): it was "
            "altered in the database. What is shown here was read from the record's entries "
            "instead. Tell an auditor: scc verify reports it.")


class CheckedRepository(Repository):  # type: ignore[type-arg]
    """The library's repository, but a case file is built from its latest snapshot only if
    that snapshot follows from the stored entries; ``altered_snapshots`` holds, by stream, what
    was wrong with a snapshot set aside by the latest load of that stream."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.altered_snapshots: dict[UUID, str] = {}

    def _reconstruct_aggregate(self, aggregate_id: UUID, version: int | None,
                               projector_func: Any) -> Any:
        rows = [] if self.snapshot_store is None else self.snapshot_store.recorder.select_events(
            aggregate_id, desc=True, limit=1, lte=version)
        aggregate = None
        if rows:
            taken_at = rows[0].originator_version
            # From the entry the snapshot was taken at: its stored link is checked too.
            events = list(self.event_store.get(originator_id=aggregate_id, gt=taken_at - 1,
                                               lte=version))
            try:
                snapshot = self.snapshot_store.mapper.to_domain_event(rows[0])
                from_snapshot = snapshot.mutate(None)
                why = self._why_not_the_record(aggregate_id, from_snapshot, taken_at, events)
            except Exception:  # noqa: BLE001 - any damage: the snapshot cannot be used
                why = "it can no longer be read"
            if why is None:
                self.altered_snapshots.pop(aggregate_id, None)
                aggregate = projector_func(from_snapshot, events[1:])
            else:
                self.altered_snapshots[aggregate_id] = snapshot_mismatch(taken_at, why)
                log.error("Case file %s: the snapshot taken at entry %s was set aside: %s",
                          aggregate_id, taken_at, why)
        if aggregate is None:
            aggregate = projector_func(None, self.event_store.get(
                originator_id=aggregate_id, lte=version))
        if aggregate is None:
            raise AggregateNotFoundError(f"Aggregate {aggregate_id!r} version {version!r} "
                                         "not found.")
        return aggregate

    def _why_not_the_record(self, aggregate_id: UUID, from_snapshot: Any, taken_at: int,
                            events: list[Any]) -> str | None:
        """None if the snapshot's entries are the stored entries up to ``taken_at``: each link
        recomputes from its entry's content and the last is the stored entry's link."""
        entries = from_snapshot.entries
        if len(entries) != taken_at:
            return f"it holds {len(entries)} entries"
        # An encrypted snapshot was authenticated as it was decrypted (AES-GCM): only the
        # application's key could have written what it holds, so what is left to check is
        # that it is this stream's, taken at this entry (the head below).
        rehash = self.event_store.mapper.cipher is None
        previous = chain.GENESIS
        for expected, entry in enumerate(entries, start=1):
            if entry.originator_version != expected:
                return f"its entry {expected} is out of place"
            if (rehash and entry.link != chain.entry_link(previous, entry)
                    and not self._upcast_copy_of_stored(aggregate_id, entry, previous)):
                return f"its copy of entry {expected} differs from its link"
            previous = entry.link
        head = events[0] if events else None
        if head is None or head.originator_version != taken_at:
            return f"the record has no entry {taken_at}"
        if head.link != previous:
            return f"its copy of the entries up to {taken_at} differs from the record"
        return None

    def _upcast_copy_of_stored(self, aggregate_id: UUID, entry: Any, previous: str) -> bool:
        """Whether an entry whose link does not recompute from the snapshot's copy is a newer
        shape (upcast) of the stored entry: its link was computed over the stored shape."""
        mapper = self.event_store.mapper
        rows = self.event_store.recorder.select_events(
            aggregate_id, gt=entry.originator_version - 1, lte=entry.originator_version)
        if not rows:
            return False
        stored = mapper.to_domain_event(rows[0])
        recorded = recorded_content(mapper, rows[0])
        return (type(stored) is type(entry) and vars(stored) == vars(entry)
                and stored.link == chain.entry_link(previous, stored, lambda _: recorded))

