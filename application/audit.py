"""The auditor's use cases: check every school's hash chain, and checkpoint the chains' heads.

Each entry carries a link over the entry before it and its own content (``domain.chain``), so an
entry edited, deleted, moved or renumbered in the store breaks its school's chain. A whole chain
rewritten consistently, or entries deleted from its end, can only be caught against a checkpoint
the auditor keeps elsewhere: the head link and length of every school's chain at some moment.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from application.case_files import SchoolCaseFiles
from application.kept_files import DocumentStore, FileErased, KeptFiles, file_problem
from application.personal_keys import altered_value, missing_key
from application.snapshot_check import recorded_content
from application.transcodings import plain_state
from domain import chain
from domain.areas.documents import StoredFile, kept_files
from domain.case_file import SchoolCaseFile, case_file_id
from domain.errors import CaseFileError
from domain.wording import local_time

Progress = Callable[[int, int], None]
"""Called after each school with (schools done, schools in all)."""

PAGE = 5000
"""Notifications read at a time while finding the streams: memory stays flat."""

ALTERED = "its content was altered after it was recorded"
MISSING = "it is missing: it was deleted or moved after it was recorded"
OUT_OF_PLACE = ("it does not follow on from the entry before it: entries were removed, "
                "moved or renumbered here")
UNREADABLE = "it can no longer be read: its stored form was altered"


class CheckpointUnreadable(CaseFileError):
    """The checkpoint given is not one that ``checkpoint`` made."""


class SchoolNotInStore(CaseFileError):
    """No entries for this URN, and no checkpoint that expects any."""


# Use cases ------------------------------------------------------------------------------

def verify(case_files: SchoolCaseFiles, urn: int | None = None,
           checkpoint: Mapping[str, Any] | None = None,
           progress: Progress | None = None,
           documents: DocumentStore | None = None, *,
           since_checkpoint: bool = False,
           streams: StreamChecks | None = None) -> dict[str, Any]:
    """Checks every school's stored entries (or one school's) and their snapshots against the
    hash chain, and against a checkpoint if one is given; given the store of kept files, each
    file an intact entry names is opened, read back and hashed. Returns plain data: what was
    checked, the problems in the auditor's words (``{urn, school, version, problem}``), the
    kept files found erased (``{urn, school, version, erased}``: not problems, their keys
    were destroyed under a rule) and ``ok``.

    ``since_checkpoint`` checks only what the checkpoint does not already vouch for: each
    school's entry at its checkpointed head is hashed again from the link of the entry before
    it and must still carry the link the checkpoint recorded, every entry after it must follow
    on, and the files they name are read back; schools the checkpoint knew must still be
    there, as long; schools new since are checked whole. An entry before a head is covered
    only through that head's link: rewriting it and the links after it is caught, but an entry
    edited in place, its own link left alone, or a snapshot altered, is found only by the
    whole check. ``streams`` checks the whole log faster than a stream at a time."""
    if since_checkpoint and checkpoint is None:
        raise ValueError("A check since a checkpoint needs the checkpoint")
    verified_at = case_files.clock.now()
    expected = _Checkpoint.read(checkpoint) if checkpoint is not None else None
    known = expected.urns_by_stream() if expected else {}
    recorded = expected.heads() if expected else {}
    heads = None
    if since_checkpoint:
        heads = recorded if urn is None else {
            stream: version for stream, version in recorded.items()
            if stream == case_file_id(urn)}
    if urn is None and streams is not None:
        checked_streams = (streams.check_all(known, recorded, progress) if heads is None
                           else streams.check_since(heads, known, progress))
    else:
        checked_streams = _check_one_by_one(case_files, urn, known, heads, progress)
    problems: list[dict[str, Any]] = []
    if expected is not None and not expected.digest_matches:
        problems.append(_problem(None, None, "the checkpoint file was altered after it was made: "
                                             "its digest does not match its contents",
                                 school="The checkpoint"))
    seen: set[str] = set()
    schools = entries = files = 0
    erased: list[dict[str, Any]] = []
    kept = None if documents is None else KeptFiles(documents, case_files.keyring.store)
    for checked in checked_streams:
        stored = checked.last_version > 0
        if stored or urn is None:
            schools += 1
        entries += checked.rows
        if kept is not None:
            files += _check_files(kept, checked)
        problems += checked.problems
        erased += checked.erased
        if expected is not None and stored:
            seen.add(checked.key)
            problems += expected.compare(checked)
    if expected is not None:
        wanted = expected.schools if urn is None else {
            k: v for k, v in expected.schools.items() if k == str(urn)}
        for key, (version, _) in wanted.items():
            if key not in seen:
                problems.append(_problem(
                    int(key) if key.isdigit() else None, None,
                    f"its case file is missing: the checkpoint of {expected.made} recorded it "
                    f"with {_entries(version)}",
                    school=f"URN {key}" if key.isdigit() else f"case file {key}"))
    if urn is not None and not entries and not problems:
        raise SchoolNotInStore(f"No school with URN {urn} has a case file")
    return {
        "verified_at": verified_at,
        "urn": urn,
        "schools_checked": schools,
        "entries_checked": entries,
        "files_checked": files if documents is not None else None,
        "erased": erased,
        "checkpoint": None if expected is None else {
            "created_at": expected.created_at, "schools": len(expected.schools)},
        "since_checkpoint": heads is not None,
        "problems": problems,
        "ok": not problems,
    }


def checkpoint(case_files: SchoolCaseFiles, progress: Progress | None = None) -> dict[str, Any]:
    """Every school's chain head (version and link) now, with a digest over them all, for the
    auditor to keep outside the store and give back to ``verify`` later."""
    created_at = case_files.clock.now()
    streams = find_streams(case_files)
    schools: dict[str, dict[str, Any]] = {}
    for done, (stream_id, urn) in enumerate(streams.items(), start=1):
        rows = case_files.recorder.select_events(stream_id, desc=True, limit=1)
        if not rows:  # deleted since it was found
            continue
        try:
            head = case_files.mapper.to_domain_event(rows[0])
        except Exception:  # noqa: BLE001 - whatever the damage, say where it is
            raise CaseFileError(
                f"{_label(urn, stream_id)}: entry {rows[0].originator_version} can no longer be "
                "read; run scc verify before taking a checkpoint"
            ) from None
        schools[_key(urn, stream_id)] = {"version": head.originator_version,
                                         "link": getattr(head, "link", "")}
        if progress is not None:
            progress(done, len(streams))
    schools = dict(sorted(schools.items()))
    return {"created_at": created_at.isoformat(), "schools": schools,
            "digest": checkpoint_digest(schools)}


def checkpoint_digest(schools: Mapping[str, Mapping[str, Any]]) -> str:
    """SHA-256 over one ``urn version link`` line per school, sorted: changes with any of them."""
    lines = sorted(f"{key} {school['version']} {school['link']}\n"
                   for key, school in schools.items())
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def find_streams(case_files: SchoolCaseFiles) -> dict[UUID, int | None]:
    """Every stream in the notification log, oldest first, with its URN where its
    registration says it: a stream whose registration was deleted is still found."""
    registered = get_topic(SchoolCaseFile.Registered)
    streams: dict[UUID, int | None] = {}
    start = 1
    while True:
        page = case_files.recorder.select_notifications(start, PAGE)
        for notification in page:
            stream_id = notification.originator_id
            if streams.get(stream_id) is None:
                streams[stream_id] = (_urn_of(case_files, notification)
                                      if notification.topic == registered else None)
        if len(page) < PAGE:
            return streams
        start = page[-1].id + 1


# One school's stream -----------------------------------------------------------------------

class StreamChecks(Protocol):
    """How ``verify`` has the whole log checked faster than a stream at a time through the
    library (adapters.log_check: one ordered scan, shared out among processes). Each stream's
    result is what ``check_stream`` makes of its stored rows, and the streams come in the
    order of their first entry in the log, as ``find_streams`` finds them."""

    def check_all(self, known: Mapping[UUID, int], heads: Mapping[UUID, int],
                  progress: Progress | None) -> list[CheckedStream]:
        """Every stream, whole, with its snapshots (``known``: URNs a checkpoint knew; of
        ``links`` only the link at each stream's version in ``heads`` need be kept)."""

    def check_since(self, heads: Mapping[UUID, int], known: Mapping[UUID, int],
                    progress: Progress | None) -> list[CheckedStream]:
        """Each stream of ``heads`` from its head version on (``since``), and each stream
        not in ``heads`` whole, without snapshots."""


@dataclass
class CheckedStream:
    """What was found in one school's stream; plain data, so that it can be sent back from
    the process that checked it."""

    stream_id: UUID
    urn: int | None
    rows: int = 0  # entries checked: from the checkpointed head on, since a checkpoint
    last_version: int = 0  # the highest version stored, gaps or not
    first_version: int = 1  # the version of links[0]
    links: list[str] = field(default_factory=list)  # the stored link of each intact version
    problems: list[dict[str, Any]] = field(default_factory=list)
    named_files: list[tuple[int, StoredFile]] = field(default_factory=list)
    """The kept files intact entries name, by version, for ``verify`` to read back."""
    erased: list[dict[str, Any]] = field(default_factory=list)
    position: int = 0  # where in the log its first entry read is: the order of the results

    @property
    def key(self) -> str:
        return _key(self.urn, self.stream_id)

    def link_at(self, version: int) -> str | None:
        index = version - self.first_version
        return self.links[index] if 0 <= index < len(self.links) else None

    def report(self, version: int | None, problem: str) -> None:
        self.problems.append(_problem(self.urn, version, problem, stream_id=self.stream_id))


def _check_one_by_one(case_files: SchoolCaseFiles, urn: int | None, known: Mapping[UUID, int],
                      heads: Mapping[UUID, int] | None,
                      progress: Progress | None) -> Iterator[CheckedStream]:
    """Each stream read through the library, a query or two a stream."""
    if urn is not None:
        streams: dict[UUID, int | None] = {case_file_id(urn): int(urn)}
    else:
        streams = find_streams(case_files)
    for done, (stream_id, hint) in enumerate(streams.items(), start=1):
        since = None if heads is None else heads.get(stream_id)
        rows = case_files.recorder.select_events(
            stream_id, gt=None if since is None or since < 2 else since - 2)
        if since is not None and not rows:  # shortened below its head: its last entry
            rows = case_files.recorder.select_events(stream_id, desc=True, limit=1)
        snapshots = [] if heads is not None else _snapshot_rows(case_files, stream_id)
        yield check_stream(case_files, stream_id, rows, snapshots, hint or known.get(stream_id),
                           since=since)
        if progress is not None:
            progress(done, len(streams))


def check_stream(case_files: SchoolCaseFiles, stream_id: UUID, rows: Sequence[Any],
                 snapshots: Sequence[Any], hint: int | None, *,
                 since: int | None = None) -> CheckedStream:
    """The stream's own chain first, then its snapshots against it; and the files its intact
    entries name. ``since``: ``rows`` start at the entry before that version (if it is above
    1), whose stored link the chain picks up from: it is not decoded, nor checked itself (the
    head's link, recomputed over it, vouches for it)."""
    first = since or 1
    stored = rows
    if stored and stored[-1].originator_version < first - 1:
        # shortened to before its head: the checkpoint's comparison says so
        return CheckedStream(stream_id, _name(case_files, stream_id, [], snapshots, hint),
                             last_version=stored[-1].originator_version, first_version=first)
    previous: str | None = chain.GENESIS
    if first > 1 and rows and rows[0].originator_version == first - 1:
        previous = _stored_link(case_files, rows[0])
        rows = rows[1:]
    events, recorded, unreadable = [], {}, None
    for row in rows:
        try:
            events.append(case_files.mapper.to_domain_event(row))
            recorded[row.originator_version] = recorded_content(case_files.mapper, row)
        except Exception as error:  # noqa: BLE001 - any row that no longer decodes was altered
            unreadable = row.originator_version
            why_unreadable = missing_key(error) or (
                ALTERED if altered_value(error) else UNREADABLE)
            break
    stream = CheckedStream(stream_id, _name(case_files, stream_id, events, snapshots, hint),
                           rows=len(rows),
                           last_version=stored[-1].originator_version if stored else 0,
                           first_version=first)
    if first > 1 and previous is chain.GENESIS:
        stream.report(first - 1, MISSING)
        return stream
    if previous is None:
        stream.report(first - 1, UNREADABLE)
        return stream

    def content(event: Any) -> dict[str, Any]:
        return recorded[event.originator_version]

    broken = chain.first_broken_version(events, content, previous=previous, first=first)
    if broken is not None:
        stream.report(broken, _diagnose(events, broken, content, first))
    elif unreadable is not None:
        stream.report(unreadable, why_unreadable)
    intact = events[:len(events) if broken is None else broken - first]
    stream.links = [e.link for e in intact]
    _check_snapshots(case_files, stream, snapshots, intact,
                     complete=len(intact) == len(rows))
    stream.named_files = [(event.originator_version, file)
                          for event in intact for file in kept_files(event)]
    return stream


def _stored_link(case_files: SchoolCaseFiles, row: Any) -> str | None:
    """The link an entry carries as stored, or None if it cannot be read."""
    try:
        link = json.loads(plain_state(case_files.mapper, row.state)).get("link")
    except Exception:  # noqa: BLE001 - any damage: unreadable
        return None
    return link if isinstance(link, str) else None


def _check_files(kept: KeptFiles, stream: CheckedStream) -> int:
    """Reads back each file the stream's intact entries name; returns how many."""
    for version, file in stream.named_files:
        try:
            problem = file_problem(kept, stream.stream_id, file)
        except FileErased as gone:
            stream.erased.append({
                "urn": stream.urn, "school": _label(stream.urn, stream.stream_id),
                "version": version,
                "erased": f"its file (SHA-256 {file.sha256[:12]}…) was erased under "
                          f"{gone.erasure.rule} on {gone.erasure.on.isoformat()}"})
            continue
        if problem is not None:
            stream.report(version, problem)
    return len(stream.named_files)


def _diagnose(events: list[Any], version: int, content: chain.Content, first: int = 1) -> str:
    """Why the chain breaks at ``version``: a gap, an entry edited in place (the entry after
    it still follows on from its stored link), or entries moved or renumbered."""
    at = {e.originator_version: e for e in events[version - first: version - first + 2]}
    entry = at.get(version)
    if entry is None:
        return MISSING
    after = at.get(version + 1)
    if after is None or getattr(after, "link", None) == chain.entry_link(entry.link, after,
                                                                         content):
        return ALTERED
    return OUT_OF_PLACE


def _snapshot_rows(case_files: SchoolCaseFiles, stream_id: UUID) -> list[Any]:
    snapshots = getattr(case_files, "snapshots", None)
    return [] if snapshots is None else list(snapshots.recorder.select_events(stream_id))


def _check_snapshots(case_files: SchoolCaseFiles, stream: CheckedStream, rows: list[Any],
                     events: list[Any], *, complete: bool) -> None:
    """The app loads a case file from its latest snapshot: each snapshot's entries must be the
    chain's entries, content and links, up to its version. Only the intact part of the chain
    is compared, so a broken entry is reported once, where it broke."""
    for row in rows:
        taken_at = row.originator_version
        where = f"the snapshot taken at entry {taken_at}"
        try:
            entries = case_files.mapper.to_domain_event(row).mutate(None)._entries
        except Exception:  # noqa: BLE001 - any damage: the app could not load from it
            stream.report(taken_at, f"{where} can no longer be read: it was altered")
            continue
        if complete and taken_at > len(events):
            first = len(events) + 1
            stream.report(first, f"{_span(first, taken_at)} missing: they were deleted, but "
                                 f"{where} still holds them")
            continue
        if len(entries) != taken_at:
            stream.report(taken_at, f"{where} holds {_entries(len(entries))}, not {taken_at}: "
                                    "it was altered")
            continue
        for entry, event in zip(entries, events, strict=False):
            if (type(entry) is not type(event) or vars(entry) != vars(event)
                    or entry.link != event.link):
                stream.report(event.originator_version,
                              f"{where} does not match the record: its copy of this entry "
                              "was altered")
                break


# The checkpoint ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Checkpoint:
    created_at: str
    schools: dict[str, tuple[int, str]]
    digest_matches: bool

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> _Checkpoint:
        """Checks the shape only; whether it was altered is a finding, not an error."""
        try:
            created_at, schools, digest = data["created_at"], data["schools"], data["digest"]
            datetime.fromisoformat(created_at)
            parsed = {str(k): (int(v["version"]), str(v["link"])) for k, v in schools.items()}
            matches = checkpoint_digest(
                {k: {"version": v, "link": link} for k, (v, link) in parsed.items()}
            ) == digest
        except (KeyError, TypeError, ValueError, AttributeError):
            raise CheckpointUnreadable(
                "That is not a checkpoint made by scc checkpoint: it needs created_at, schools "
                "(each with a version and a link) and digest"
            ) from None
        return cls(created_at, parsed, matches)

    @property
    def made(self) -> str:
        return local_time(datetime.fromisoformat(self.created_at))

    def heads(self) -> dict[UUID, int]:
        """Each school's stream and its version when the checkpoint was made."""
        return {stream: self.schools[key][0] for key, stream in self._streams.items()}

    def urns_by_stream(self) -> dict[UUID, int]:
        """Names a stream whose registration is gone, from the URNs the checkpoint knew."""
        return {stream: int(key) for key, stream in self._streams.items() if key.isdigit()}

    @cached_property
    def _streams(self) -> dict[str, UUID]:
        """Each school's stream id, by its key (a key that names no stream is left out: it
        is reported as missing)."""
        found = {}
        for key in self.schools:
            try:
                found[key] = case_file_id(int(key)) if key.isdigit() else UUID(key)
            except ValueError:
                continue
        return found

    def compare(self, stream: CheckedStream) -> Iterator[dict[str, Any]]:
        if stream.key not in self.schools:
            return
        version, link = self.schools[stream.key]
        last = stream.last_version
        if last < version:
            yield _problem(stream.urn, last + 1,
                           f"{_span(last + 1, version)} missing: the checkpoint of {self.made} "
                           f"recorded {_entries(version)}", stream_id=stream.stream_id)
        elif stream.link_at(version) not in (None, link):
            yield _problem(stream.urn, version,
                           f"the record up to this entry differs from the checkpoint of "
                           f"{self.made}: it was rewritten after the checkpoint",
                           stream_id=stream.stream_id)


# Naming --------------------------------------------------------------------------------------

def _urn_of(case_files: SchoolCaseFiles, stored: Any) -> int | None:
    try:
        urn = int(case_files.mapper.to_domain_event(stored).urn)
    except Exception:  # noqa: BLE001 - an unreadable registration names nobody
        return None
    return urn if case_file_id(urn) == stored.originator_id else None


def _name(case_files: SchoolCaseFiles, stream_id: UUID, events: list[Any], snapshots: list[Any],
          hint: int | None) -> int | None:
    """The school's URN: from its registration, a snapshot's copy of it, or the hint; only a
    URN whose stream id is this stream's counts (an altered registration names nobody)."""
    if events and isinstance(events[0], SchoolCaseFile.Registered):
        urn = getattr(events[0], "urn", None)
        if isinstance(urn, int) and case_file_id(urn) == stream_id:
            return urn
    for row in snapshots[:1]:
        try:
            name, fields = case_files.mapper.to_domain_event(row).state["_entries"][0]
            if name == "Registered" and case_file_id(int(fields["urn"])) == stream_id:
                return int(fields["urn"])
        except Exception:  # noqa: BLE001 - a damaged snapshot is reported elsewhere
            pass
    return hint if hint is not None and case_file_id(hint) == stream_id else None


def _key(urn: int | None, stream_id: UUID) -> str:
    return str(urn) if urn is not None else str(stream_id)


def _label(urn: int | None, stream_id: UUID | None) -> str:
    """How a problem names the school: by URN, or by stream id when no URN can be found."""
    return f"URN {urn}" if urn is not None else f"case file {stream_id}"


def _problem(urn: int | None, version: int | None, problem: str, *,
             stream_id: UUID | None = None, school: str | None = None) -> dict[str, Any]:
    return {"urn": urn, "school": school or _label(urn, stream_id), "version": version,
            "problem": problem}


def _entries(count: int) -> str:
    return f"{count} entr{'y' if count == 1 else 'ies'}"


def _span(first: int, last: int) -> str:
    return f"entry {first} is" if first == last else f"entries {first} to {last} are"
