"""Sealing the personal data of a log recorded before it was sealed, into a new store, verifiably.

An entry recorded before personal data was sealed (``domain.personal_data``) holds names and
free text in plain text, and its hash link was computed over that text: destroying a key could
erase none of it. The log is append-only, so it is not edited in place: ``seal_log`` writes a
new log into an empty store, every school's entries in the order the old log recorded them,
each entry's personal values sealed as an entry recorded now would have them and its link
recomputed over the commitments, chained from the new link before it. An entry whose values
were sealed already (recorded after the upgrade) keeps its content, sealed values and all, and
gets a new link only if an entry before it changed.

It is verifiable, by an auditor who trusts neither the store nor the migration:

- before anything is written, every school's old chain is checked, and its heads (each
  school's head link and length, the JSON checkpoint of ``audit.checkpoint``) recorded; after,
  the new log's heads likewise. With a checkpoint key, each is signed as ``scc checkpoint``
  signs the log (``application.anchor``: the Merkle root over every entry), with one more line
  naming the heads' digest; the new log's can be given to ``scc verify --checkpoint``, the old
  log's checked against the old store the same way;
- the manifest (JSON, written whole or not at all) maps every entry's stream id and version to
  its old link and its new link, and names the fields that were sealed;
- ``verify_sealing`` reads the new store only: it opens each sealed value with the key store,
  rebuilds from it the content the old log recorded, recomputes the old chain and checks it ends
  at the old heads, and checks the new chain ends at the new heads. Nothing but the sealing can
  differ, or an entry is named. A value whose key was destroyed since cannot be opened: its entry
  is checked on the new chain only, and the result says so.

Snapshots are not copied: they are a cache of the entries, taken again as the store is used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application.anchor import Checkpoint, NoteSigner, NoteVerifier, verify_against
from application.audit import (
    ALTERED,
    MISSING,
    OUT_OF_PLACE,
    UNREADABLE,
    _label,
    _problem,
    checkpoint_digest,
)
from application.case_files import SchoolCaseFiles
from application.log_files import _notifications, _stored_state
from application.personal_keys import AlteredValue, MissingKey
from application.transcodings import plain_state
from domain import chain, merkle, personal_data
from domain.case_file import SchoolCaseFile, case_file_id
from domain.errors import CaseFileError
from domain.personal_data import SEALED_TYPES, Personal, PersonalList, PersonalRecord, erased

FORMAT = "scc-sealing-migration"
FORMAT_VERSION = 1
PAGE = 1000

Progress = Callable[[int, int], None]
"""Called now and then with (entries done, entries in all)."""


class SealingRefused(CaseFileError):
    """An old log that does not verify, or whose sealed values' keys the new store's key store
    lacks; a new store that is not empty; a manifest that exists already."""


class ManifestUnreadable(CaseFileError):
    """Not a manifest ``seal_log`` wrote."""


# Sealing ----------------------------------------------------------------------------------------

@dataclass
class _Chain:
    """One school's chain as the walk reaches it: in the old log and in the new."""

    stream_id: UUID
    urn: int | None = None
    version: int = 0
    old_link: str = chain.GENESIS
    new_link: str = chain.GENESIS

    @property
    def key(self) -> str:
        return str(self.urn) if self.urn is not None else str(self.stream_id)


@dataclass
class _Resealed:
    """One entry, checked and ready to store: ``state`` to encode (its sealed values are sealed
    then), or None to carry the stored state byte for byte."""

    notification: Any
    plain: bytes
    state: dict[str, Any] | None


def seal_log(source: SchoolCaseFiles, target: SchoolCaseFiles, manifest: Path, *,
             signer: NoteSigner | None = None, source_name: str = "",
             progress: Progress | None = None) -> dict[str, Any]:
    """Writes the old log of ``source``, sealed, into the empty store of ``target`` (whose
    key store keeps the keys, made as values are sealed) and the manifest to ``manifest``.

    Every entry is read and checked before anything is written, keys included: an old log
    whose chains do not verify, or whose sealed values' keys the key store lacks, is refused
    with nothing written. The entries are then written in one transaction, and the manifest
    is in place only once they are. Returns what was done, in counts."""
    held = target.recorder.max_notification_id()
    if held:
        raise SealingRefused(
            f"The store to seal into already holds entries (up to position {held}): the sealed "
            "log is written only into an empty store")
    if manifest.exists():
        raise SealingRefused(f"{manifest} already exists: a migration's manifest is never "
                             "overwritten (it is the record of an earlier migration)")
    partial = manifest.with_name(f".{manifest.name}.partial")
    try:
        try:
            partial.write_text("", encoding="utf-8")  # before any work: can it be written?
        except OSError as error:
            raise SealingRefused(f"Cannot write the manifest to {manifest}: "
                                 f"{error.strerror}") from None
        walk = _walk(source, progress)
        made = target.clock.now().isoformat()
        before = _heads(walk.chains, made, new=False)
        stored, new_tree = _sealed_entries(target, walk.resealed)  # keys are made only now
        data = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "migrated_at": made,
            "from": source_name,
            "before": _side(before, len(stored), walk.old_tree, signer, "before"),
            "after": _side(_heads(walk.chains, made, new=True), len(stored), new_tree, signer,
                           "after"),
            "entries": walk.entries,
        }
        partial.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        target.recorder.insert_events(stored)  # one transaction: all or nothing
        os.replace(partial, manifest)
    finally:
        partial.unlink(missing_ok=True)
    if progress is not None:
        progress(len(stored), len(stored))
    entries = walk.entries
    return {
        "entries": len(stored), "schools": len(walk.chains),
        "sealed": sum(1 for e in entries if e["sealed"]),
        "carried": sum(1 for e in entries if not e["sealed"] and e["old_link"] == e["new_link"]),
        "relinked": sum(1 for e in entries if not e["sealed"] and e["old_link"] != e["new_link"]),
        "signed": signer is not None,
    }


@dataclass
class _Walk:
    """The old log read through once: its chains, each entry's manifest line and what to
    store for it, and the Merkle tree over its entries as stored."""

    chains: dict[UUID, _Chain] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)
    resealed: list[_Resealed] = field(default_factory=list)
    old_tree: merkle.TreeBuilder = field(default_factory=merkle.TreeBuilder)


def _walk(source: SchoolCaseFiles, progress: Progress | None) -> _Walk:
    total = source.recorder.max_notification_id() or 0
    if not total:
        raise SealingRefused("The old store holds no entries: there is nothing to seal")
    walk = _Walk()
    for notification in _notifications(source):
        found = walk.chains.setdefault(notification.originator_id,
                                       _Chain(notification.originator_id))
        plain = plain_state(source.mapper, notification.state)
        walk.old_tree.append(_leaf(notification, plain))
        state, entry = _reseal(source, found, notification, plain)
        walk.resealed.append(_Resealed(notification, plain, state))
        walk.entries.append(entry)
        if progress is not None and len(walk.entries) % PAGE == 0:
            progress(len(walk.entries), total)
    return walk


def _sealed_entries(target: SchoolCaseFiles, resealed: list[_Resealed]
                    ) -> tuple[list[StoredEvent], merkle.TreeBuilder]:
    """The entries as the new store keeps them, their values sealed by its transcoder (which
    makes keys as it needs them), and the Merkle tree over them."""
    tree = merkle.TreeBuilder()
    stored: list[StoredEvent] = []
    for entry in resealed:
        plain = (entry.plain if entry.state is None
                 else target.mapper.transcoder.encode(entry.state))
        tree.append(_leaf(entry.notification, plain))
        stored.append(StoredEvent(
            originator_id=entry.notification.originator_id,
            originator_version=entry.notification.originator_version,
            topic=entry.notification.topic, state=_stored_state(target.mapper, plain)))
    return stored, tree


def _reseal(source: SchoolCaseFiles, found: _Chain, notification: Any, plain: bytes
            ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """One old entry checked on its chain, its plain personal values sealed and its link
    recomputed: the state to store (None: the stored one, unchanged) and its manifest line."""
    version = notification.originator_version
    try:
        event = source.mapper.to_domain_event(notification)
        stored = source.mapper.transcoder.decode(plain)
    except Exception as error:  # noqa: BLE001 - any entry that does not decode was altered
        missing = _caused_by(error, MissingKey)
        if missing is None:
            _refuse(found, version, UNREADABLE)
        raise SealingRefused(
            f"{_label(found.urn, found.stream_id)}, entry {version}: {missing} (its values were "
            "sealed already, under a key the key store of the new store does not have: set "
            "SCC_KEY_STORE_URL to the old store's key store). Nothing was written") from None
    if version == 1 and isinstance(event, SchoolCaseFile.Registered):
        urn = getattr(event, "urn", None)
        found.urn = urn if isinstance(urn, int) and case_file_id(urn) == found.stream_id \
            else None
    if version != found.version + 1:
        missing = version > found.version + 1
        _refuse(found, found.version + 1 if missing else version,
                MISSING if missing else OUT_OF_PLACE)
    recorded = _as_recorded(stored, notification)
    if getattr(event, "link", None) != chain.entry_link(found.old_link, event,
                                                        lambda _: recorded):
        _refuse(found, version, ALTERED)
    fields, sealed = recorded, []
    if not any(_holds_seal(v) for v in recorded.values()):  # recorded before sealing
        fields = personal_data.seal_fields(type(event).__name__, dict(recorded))
        sealed = [name for name, value in fields.items() if value is not recorded[name]]
    new_link = chain.entry_link(found.new_link, event, lambda _: fields)
    entry = {"stream": str(found.stream_id), "version": version, "old_link": event.link,
             "new_link": new_link, "sealed": sealed}
    found.version, found.old_link, found.new_link = version, event.link, new_link
    if not sealed and new_link == event.link:
        return None, entry
    state = {name: fields.get(name, value) for name, value in stored.items()}
    state["link"] = new_link
    return state, entry


def _as_recorded(stored: dict[str, Any], notification: Any) -> dict[str, Any]:
    """An entry's fields as its version of scc recorded and linked them (as
    ``snapshot_check.recorded_content`` reads them): not upcast, with its stream and version."""
    fields = {name: value for name, value in stored.items() if name != "class_version"}
    fields.update(originator_id=notification.originator_id,
                  originator_version=notification.originator_version)
    return fields


def _caused_by(error: BaseException | None, kind: type[Exception]) -> BaseException | None:
    """The error of ``kind`` behind ``error``: the library wraps what a transcoding raises."""
    while error is not None and not isinstance(error, kind):
        error = error.__cause__ or error.__context__
    return error


def _holds_seal(value: Any) -> bool:
    return isinstance(value, SEALED_TYPES) or (
        isinstance(value, list) and any(isinstance(v, SEALED_TYPES) for v in value))


def _refuse(found: _Chain, version: int, problem: str) -> NoReturn:
    raise SealingRefused(
        f"{_label(found.urn, found.stream_id)}, entry {version}: {problem}. Nothing was sealed "
        "or written: the old log must verify before it is sealed (scc verify on the old store "
        "names every problem)")


def _leaf(notification: Any, plain: bytes) -> bytes:
    return merkle.leaf_hash(merkle.entry_leaf(
        notification.originator_id, notification.originator_version, notification.topic, plain))


def _heads(chains: dict[UUID, _Chain], made: str, *, new: bool) -> dict[str, Any]:
    """Every school's chain head, in the form of ``audit.checkpoint``'s JSON checkpoint (which
    ``scc verify --checkpoint`` reads)."""
    schools = dict(sorted(
        (c.key, {"version": c.version, "link": c.new_link if new else c.old_link})
        for c in chains.values()))
    return {"created_at": made, "schools": schools, "digest": checkpoint_digest(schools)}


def _side(heads: dict[str, Any], entries: int, tree: merkle.TreeBuilder,
          signer: NoteSigner | None, which: str) -> dict[str, Any]:
    """The log before or after: its heads, its size, and the signed checkpoint over both."""
    note = None
    if signer is not None:
        note = signer.sign(Checkpoint.body(signer.name, entries, tree.root())
                           + _heads_line(which, heads["digest"]))
    return {"heads": heads, "entries": entries, "checkpoint": note}


def _heads_line(which: str, digest: str) -> str:
    """The line a signed checkpoint of the migration adds to ``scc checkpoint``'s three: the
    digest of every school's head, which the new store alone lets an auditor recompute."""
    return f"{FORMAT} {which} heads {digest}\n"


# Verifying --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Mapped:
    version: int
    old_link: str
    new_link: str
    sealed: tuple[str, ...]


@dataclass(frozen=True)
class _Manifest:
    migrated_at: str
    before: dict[str, Any]
    after: dict[str, Any]
    streams: dict[UUID, list[_Mapped]]
    entries: int

    @classmethod
    def read(cls, data: Any) -> _Manifest:
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise ManifestUnreadable("That is not a manifest written by scc seal-log")
        if data.get("format_version") != FORMAT_VERSION:
            raise ManifestUnreadable(
                f"That manifest is in version {data.get('format_version')} of its format; this "
                f"version of scc reads version {FORMAT_VERSION}")
        try:
            streams: dict[UUID, list[_Mapped]] = {}
            for entry in data["entries"]:
                streams.setdefault(UUID(entry["stream"]), []).append(_Mapped(
                    int(entry["version"]), str(entry["old_link"]), str(entry["new_link"]),
                    tuple(str(f) for f in entry["sealed"])))
            sides = {}
            for which in ("before", "after"):
                side = data[which]
                schools = {str(k): {"version": int(v["version"]), "link": str(v["link"])}
                           for k, v in side["heads"]["schools"].items()}
                sides[which] = {"schools": schools, "digest": str(side["heads"]["digest"]),
                                "entries": int(side["entries"]),
                                "checkpoint": side.get("checkpoint")}
            return cls(str(data["migrated_at"]), sides["before"], sides["after"], streams,
                       len(data["entries"]))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ManifestUnreadable(
                "That manifest is not whole: it needs migrated_at, before and after (each with "
                "heads and entries) and entries (each with stream, version, old_link, new_link "
                "and sealed)") from None


@dataclass
class _Check:
    """What the verification found: problems in the auditor's words, and what it could not
    rebuild (values whose key was destroyed since)."""

    problems: list[dict[str, Any]] = field(default_factory=list)
    erased: list[dict[str, Any]] = field(default_factory=list)
    entries: int = 0
    schools: int = 0


def verify_sealing(target: SchoolCaseFiles, manifest: Mapping[str, Any], *,
                   verifier: NoteVerifier | None = None,
                   progress: Progress | None = None) -> dict[str, Any]:
    """Checks the new store against the manifest of the migration that wrote it (see the
    module's docstring). Returns plain data: what was checked, the problems in the auditor's
    words (``{urn, school, version, problem}``), the entries whose old content could not be
    rebuilt because a key was destroyed since, and ``ok``."""
    read = _Manifest.read(manifest)
    check = _Check()
    for which in ("before", "after"):
        side = getattr(read, which)
        if checkpoint_digest(side["schools"]) != side["digest"]:
            check.problems.append(_problem(None, None, (
                f"its record of every school's head {which} the migration was altered: its "
                "digest does not match"), school="The manifest"))
        if sum(h["version"] for h in side["schools"].values()) != read.entries:
            check.problems.append(_problem(None, None, (
                f"it maps {read.entries} entries, but its heads {which} the migration count "
                f"{sum(h['version'] for h in side['schools'].values())}"),
                school="The manifest"))
    seen: dict[str, set[str]] = {"before": set(), "after": set()}
    for stream_id, mapped in read.streams.items():
        _check_stream(target, stream_id, mapped, read, check, seen)
        if progress is not None:
            progress(check.entries, read.entries)
    for which in ("before", "after"):
        for key in getattr(read, which)["schools"].keys() - seen[which]:
            check.problems.append(_problem(
                int(key) if key.isdigit() else None, None,
                f"the manifest records its chain {which} the migration, but maps none of its "
                "entries", school=f"URN {key}" if key.isdigit() else f"case file {key}"))
    signed = _check_signatures(target, read, verifier, check)
    held = target.recorder.max_notification_id() or 0
    return {
        "migrated_at": read.migrated_at,
        "schools_checked": check.schools,
        "entries_checked": check.entries,
        "recorded_since": max(held - read.entries, 0),
        "signed": signed,
        "erased": check.erased,
        "problems": check.problems,
        "ok": not check.problems,
    }


def _check_stream(target: SchoolCaseFiles, stream_id: UUID, mapped: list[_Mapped],
                  read: _Manifest, check: _Check, seen: dict[str, set[str]]) -> None:
    """Each entry the manifest maps, read from the new store: its new link from its content,
    its old link from its content with the sealed values opened; each from the manifest's
    link before it, so that every entry that differs is named, and the chain is whole when
    none does."""
    rows = {r.originator_version: r for r in target.recorder.select_events(
        stream_id, lte=max(m.version for m in mapped))}
    urn = _urn(target, rows.get(1), stream_id)
    key = str(urn) if urn is not None else str(stream_id)
    seen["before"].add(key)
    seen["after"].add(key)
    check.schools += 1

    def report(version: int | None, problem: str) -> None:
        check.problems.append(_problem(urn, version, problem, stream_id=stream_id))

    old_link = new_link = chain.GENESIS
    for expected, entry in enumerate(mapped, start=1):
        if entry.version != expected:
            report(expected, "the manifest does not map this entry: it was altered")
            return
        check.entries += 1
        row = rows.get(entry.version)
        if row is None:
            report(entry.version, MISSING)
        else:
            _check_entry(target, row, entry, (old_link, new_link), report, check, urn)
        old_link, new_link = entry.old_link, entry.new_link
    for which, link in (("before", old_link), ("after", new_link)):
        head = getattr(read, which)["schools"].get(key)
        if head is None:
            report(None, f"the manifest maps its entries but records no chain head for it "
                         f"{which} the migration: it was altered")
        elif (head["version"], head["link"]) != (len(mapped), link):
            report(len(mapped), f"its chain {which} the migration does not end at the head "
                                "the manifest recorded then: the manifest was altered")


def _check_entry(target: SchoolCaseFiles, row: Any, entry: _Mapped,
                 previous: tuple[str, str], report: Callable[[int | None, str], None],
                 check: _Check, urn: int | None) -> None:
    old_previous, new_previous = previous
    try:
        event = target.mapper.to_domain_event(row)
        recorded = _as_recorded(target.mapper.transcoder.decode(
            plain_state(target.mapper, row.state)), row)
    except Exception as error:  # noqa: BLE001 - any row that no longer decodes was altered
        if _caused_by(error, AlteredValue) is not None:
            report(entry.version, "a sealed personal value was swapped for another: it is not "
                                  "the value its hash link covers")
        else:
            report(entry.version, str(_caused_by(error, MissingKey) or UNREADABLE))
        return
    if (getattr(event, "link", None) != entry.new_link
            or chain.entry_link(new_previous, event, lambda _: recorded) != entry.new_link):
        report(entry.version, f"{ALTERED} (in the new store, after it was sealed)")
        return
    name = type(event).__name__
    for field_name, _ in personal_data.personal_fields(name):
        value = recorded.get(field_name)
        if value not in (None, "", [], {}) and not _sealed(value):
            report(entry.version, f"its {field_name.replace('_', ' ')} is in plain text: the "
                                  "migration left personal data unsealed")
    old = dict(recorded)
    for field_name in entry.sealed:
        value = recorded.get(field_name)
        gone = _erasure(value)
        if gone is not None:
            check.erased.append({"urn": urn, "school": _label(urn, row.originator_id),
                                 "version": entry.version, "field": field_name,
                                 "erasure": gone})
            return  # its new link is checked; what the old log held cannot be read again
        if not _sealed(value):
            report(entry.version, f"the manifest says its {field_name.replace('_', ' ')} was "
                                  "sealed by the migration, but it is not sealed")
            return
        old[field_name] = _as_before(value)
    if chain.entry_link(old_previous, event, lambda _: old) != entry.old_link:
        report(entry.version, "its content is not the content the old log recorded, with only "
                              "its personal data sealed: the migration changed more than that")


def _sealed(value: Any) -> bool:
    if isinstance(value, list) and not isinstance(value, SEALED_TYPES):
        return all(isinstance(v, SEALED_TYPES) or v in (None, "") for v in value)
    return isinstance(value, SEALED_TYPES)


def _erasure(value: Any) -> Any:
    found = erased(value)
    if found is None and isinstance(value, list):
        found = next((erased(v) for v in value if erased(v) is not None), None)
    return found


def _as_before(value: Any) -> Any:
    """A value the migration sealed, opened, as the old log held it: the text, the record or
    the list itself."""
    if isinstance(value, Personal):
        return str(value)
    if isinstance(value, PersonalRecord):
        return dict(value)
    if isinstance(value, PersonalList):
        return list(value)
    return [_as_before(v) for v in value] if isinstance(value, list) else value


def _urn(target: SchoolCaseFiles, row: Any, stream_id: UUID) -> int | None:
    if row is None:
        return None
    try:
        urn = getattr(target.mapper.to_domain_event(row), "urn", None)
    except Exception:  # noqa: BLE001 - an unreadable registration names nobody (reported)
        return None
    return urn if isinstance(urn, int) and case_file_id(urn) == stream_id else None


def _check_signatures(target: SchoolCaseFiles, read: _Manifest,
                      verifier: NoteVerifier | None, check: _Check) -> str:
    """Whether the manifest's checkpoints were signed, and if so that the signatures hold,
    that they name these heads, and that the new log's first entries are the ones signed."""
    notes = {w: getattr(read, w)["checkpoint"] for w in ("before", "after")}
    if not any(notes.values()):
        return "not signed"
    if verifier is None:
        return "not checked"
    for which, note in notes.items():
        side = getattr(read, which)
        school = f"The signed checkpoint {which} the migration"
        if not isinstance(note, str):
            check.problems.append(_problem(None, None, "it is missing from the manifest",
                                           school=school))
            continue
        try:
            signed = Checkpoint.parse(note, f"{which} the migration")
        except CaseFileError as error:
            check.problems.append(_problem(None, None, str(error), school=school))
            continue
        if not verifier.verifies(note) or signed.origin != verifier.name:
            check.problems.append(_problem(None, None, (
                f"its signature does not verify with the public key of {verifier.name}: it was "
                "altered after it was signed, or signed with another key"), school=school))
        elif (signed.size != side["entries"]
              or _heads_line(which, side["digest"]).rstrip("\n") not in note.split("\n")):
            check.problems.append(_problem(None, None, (
                "it does not cover the heads and entries the manifest records: the manifest "
                "was altered"), school=school))
        elif which == "after":
            found = verify_against(target, [signed], verifier)
            check.problems += found["problems"]
    return "checked"

