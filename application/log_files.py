"""The whole event log in a file, to move it between stores or keep it as a backup.

The file is JSON lines (gzip if its name ends ``.gz``), format ``scc-event-log`` version 1:

- first a header: ``{"format": "scc-event-log", "format_version": 1, "created_at": ISO time,
  "application": "SchoolCaseFiles"}``;
- then one line per stored entry, in the order the log recorded them:
  ``{"stream": UUID, "version": N, "topic": "module:Class", "link": the entry's link in its
  school's hash chain, "state": the entry's stored JSON, as text}``; the state is the plain
  text even from an encrypted store, so keep the file as safe as the key;
- last a manifest: ``{"manifest": {"entries": N, "schools": N, "chains": {stream: {"urn",
  "version", "link"}}}}``: each school's chain head, so a file cut short is refused.

Snapshots are not in the file: they are a cache of the entries, taken again as the store is
used. An import verifies every school's chain, and the manifest, before it writes anything,
then writes every entry in one transaction: a bad file leaves the store as it was.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from application.audit import ALTERED, MISSING, OUT_OF_PLACE, UNREADABLE, recorded_content
from application.case_files import SchoolCaseFiles
from application.personal_keys import altered_value, missing_key
from application.transcodings import plain_state
from domain import chain
from domain.case_file import SchoolCaseFile, case_file_id
from domain.errors import CaseFileError

FORMAT = "scc-event-log"
FORMAT_VERSION = 1
PAGE = 5000

Progress = Callable[[int, int], None]
"""Called now and then with (entries done, entries in all)."""


class LogFileRefused(CaseFileError):
    """A log file that is not whole, not scc's, or whose chains do not verify; or a store
    that is not empty."""


def export_log(case_files: SchoolCaseFiles, path: Path,
               progress: Progress | None = None) -> dict[str, Any]:
    """Writes every stored entry to ``path`` (replaced only once the file is complete);
    returns the manifest."""
    total = case_files.recorder.max_notification_id() or 0
    heads: dict[str, dict[str, Any]] = {}
    registered = get_topic(SchoolCaseFile.Registered)
    partial = path.with_name(f".{path.name}.partial")
    entries = 0
    try:
        with _open(partial, "w") as file:
            _write(file, {"format": FORMAT, "format_version": FORMAT_VERSION,
                          "created_at": case_files.clock.now().isoformat(),
                          "application": case_files.name})
            for notification in _notifications(case_files):
                state = plain_state(case_files.mapper, notification.state)
                fields = json.loads(state)
                stream = str(notification.originator_id)
                head = heads.setdefault(stream, {"urn": None})
                if notification.topic == registered:
                    head["urn"] = fields.get("urn")
                head.update(version=notification.originator_version, link=fields.get("link"))
                _write(file, {"stream": stream, "version": notification.originator_version,
                              "topic": notification.topic, "link": fields.get("link"),
                              "state": state.decode("utf-8")})
                entries += 1
                if progress is not None and entries % PAGE == 0:
                    progress(entries, total)
            manifest = {"entries": entries, "schools": len(heads), "chains": heads}
            _write(file, {"manifest": manifest})
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    if progress is not None:
        progress(entries, entries)
    return manifest


def import_log(case_files: SchoolCaseFiles, path: Path,
               progress: Progress | None = None) -> dict[str, Any]:
    """Reads a file ``export_log`` wrote into this empty store, encrypting the entries if the
    store does. Refuses, having written nothing, a store that holds entries or a file whose
    chains or manifest do not verify. Returns the manifest."""
    held = case_files.recorder.max_notification_id()
    if held:
        raise LogFileRefused(
            f"This store already holds entries (up to position {held}): a log is imported "
            "only into an empty store")
    checked = _verified(case_files, path, progress)
    stored = [StoredEvent(originator_id=e.originator_id, originator_version=e.originator_version,
                          topic=e.topic, state=_stored_state(case_files.mapper, e.state))
              for e in checked.entries]
    if stored:
        case_files.recorder.insert_events(stored)  # one transaction: all or nothing
    if progress is not None:
        progress(len(stored), len(stored))
    return checked.manifest


# Verifying a file ------------------------------------------------------------------------

@dataclass
class _Chain:
    urn: int | None = None
    version: int = 0
    link: str = chain.GENESIS


@dataclass
class _Checked:
    manifest: dict[str, Any]
    entries: list[StoredEvent] = field(default_factory=list)


def _verified(case_files: SchoolCaseFiles, path: Path, progress: Progress | None) -> _Checked:
    """Every entry of the file, each chain recomputed from the entries' content as recorded,
    and the manifest compared with what the file holds."""
    plain = Mapper(transcoder=case_files.mapper.transcoder)
    chains: dict[UUID, _Chain] = {}
    entries: list[StoredEvent] = []
    manifest = None
    with _open(path, "r") as file:
        lines = _lines(file, path)
        header = next(lines, None)
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise LogFileRefused(f"{path} is not an event log written by scc export-log")
        if header.get("format_version") != FORMAT_VERSION:
            raise LogFileRefused(
                f"{path} is in version {header.get('format_version')} of the log format; this "
                f"version of scc reads version {FORMAT_VERSION}")
        for number, line in enumerate(lines, start=2):
            if manifest is not None:
                raise LogFileRefused(f"{path}, line {number}: there is more after the manifest")
            if not isinstance(line, dict):
                raise LogFileRefused(f"{path}, line {number}: not an entry")
            if "manifest" in line:
                manifest = line["manifest"]
                continue
            entry = _entry(line, path, number)
            _check_link(chains.setdefault(entry.originator_id, _Chain()), entry, plain)
            entries.append(entry)
            if progress is not None and len(entries) % PAGE == 0:
                progress(len(entries), len(entries))  # the total is in the manifest, at the end
    if manifest is None:
        raise LogFileRefused(f"{path} is cut short: it has no manifest at its end")
    _check_manifest(manifest, chains, len(entries), path)
    return _Checked(manifest, entries)


def _entry(line: Any, path: Path, number: int) -> StoredEvent:
    try:
        return StoredEvent(originator_id=UUID(line["stream"]),
                           originator_version=int(line["version"]), topic=str(line["topic"]),
                           state=str(line["state"]).encode("utf-8"))
    except (KeyError, TypeError, ValueError):
        raise LogFileRefused(
            f"{path}, line {number}: not an entry (it needs stream, version, topic and state)"
        ) from None


def _check_link(found: _Chain, entry: StoredEvent, plain: Mapper) -> None:
    version = entry.originator_version
    try:
        event = plain.to_domain_event(entry)
        recorded = recorded_content(plain, entry)
    except Exception as error:  # noqa: BLE001 - any entry that does not decode was altered
        _refuse(found, entry, missing_key(error) or (
            ALTERED if altered_value(error) else UNREADABLE))
    if version == 1 and isinstance(event, SchoolCaseFile.Registered):
        urn = getattr(event, "urn", None)
        found.urn = urn if isinstance(urn, int) and case_file_id(urn) == entry.originator_id \
            else None
    if version != found.version + 1:
        _refuse(found, entry, MISSING if version > found.version + 1 else OUT_OF_PLACE,
                at=found.version + 1 if version > found.version + 1 else version)
    if getattr(event, "link", None) != chain.entry_link(found.link, event, lambda _: recorded):
        _refuse(found, entry, ALTERED)
    found.version, found.link = version, event.link


def _check_manifest(manifest: Any, chains: dict[UUID, _Chain], entries: int,
                    path: Path) -> None:
    try:
        expected = {UUID(k): (int(v["version"]), v["link"])
                    for k, v in manifest["chains"].items()}
        count = int(manifest["entries"])
    except (KeyError, TypeError, ValueError, AttributeError):
        raise LogFileRefused(f"{path}: its manifest is not one scc export-log wrote") from None
    for stream, found in chains.items():
        version, link = expected.pop(stream, (None, None))
        if version is None:
            raise LogFileRefused(f"{_school(found, stream)} is in the file but not in its "
                                 "manifest: the file was altered")
        if (version, link) != (found.version, found.link):
            missing = found.version < version
            raise LogFileRefused(
                f"{_school(found, stream)}, entry {found.version + 1 if missing else version}: "
                + ("it is missing from the file, which was cut short or altered" if missing
                   else "the manifest's chain head differs: the file was altered"))
    for stream in expected:
        raise LogFileRefused(f"case file {stream} is in the manifest but has no entries in the "
                             "file: they were removed")
    if count != entries:
        raise LogFileRefused(f"{path} holds {entries} entries; its manifest says {count}")


def _refuse(found: _Chain, entry: StoredEvent, problem: str, at: int | None = None) -> None:
    version = at or entry.originator_version
    raise LogFileRefused(f"{_school(found, entry.originator_id)}, entry {version}: {problem}. "
                         "Nothing was imported")


def _school(found: _Chain, stream: UUID) -> str:
    return f"URN {found.urn}" if found.urn is not None else f"case file {stream}"


# Stored states ---------------------------------------------------------------------------

def _stored_state(mapper: Any, state: bytes) -> bytes:
    if mapper.compressor is not None:
        state = mapper.compressor.compress(state)
    if mapper.cipher is not None:
        state = mapper.cipher.encrypt(state)
    return state


# The file ----------------------------------------------------------------------------------

def _notifications(case_files: SchoolCaseFiles) -> Iterator[Any]:
    start = 1
    while True:
        page = case_files.recorder.select_notifications(start, PAGE)
        yield from page
        if len(page) < PAGE:
            return
        start = page[-1].id + 1


def _open(path: Path, mode: str) -> IO[str]:
    """A log file to read, or to write readable by its owner alone (0600): it holds every
    entry in plain text, even from an encrypted store."""
    if mode == "w":  # made (or a partial file left by an earlier run, made) 0600 first
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)
        os.close(descriptor)
    if path.name.endswith(".gz") or path.name.endswith(".gz.partial"):
        return gzip.open(path, f"{mode}t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")  # noqa: SIM115 - the caller closes it


def _write(file: IO[str], data: dict[str, Any]) -> None:
    file.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def _lines(file: IO[str], path: Path) -> Iterator[Any]:
    number = 0
    while True:
        try:
            text = file.readline()
        except (UnicodeDecodeError, OSError, EOFError):
            raise LogFileRefused(f"{path} cannot be read as a log scc export-log wrote (not "
                                 "text, or a damaged gzip file)") from None
        if not text:
            return
        number += 1
        try:
            line = json.loads(text)
        except json.JSONDecodeError:
            raise LogFileRefused(f"{path}, line {number}: not JSON; the file was damaged or "
                                 "altered") from None
        yield line
