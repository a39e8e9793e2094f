#!/usr/bin/env python3
"""Checks an export of scc's event log against signed checkpoints, without scc.

    python3 verify_checkpoint.py --public-key KEY.pub --checkpoint FILE_OR_FOLDER EXPORT

EXPORT is a file written by ``scc export-log`` (JSON lines, gzip if it ends ``.gz``). Each
checkpoint is a C2SP signed note (https://c2sp.org/tlog-checkpoint) over an RFC 9162 Merkle tree
whose leaves are the log's entries in order, each ``stream UUID \\n version \\n topic \\n state``.
The format is described in scc's docs/tamper-evidence.md. Needs only Python 3.11+ and the
``cryptography`` package. Exit status: 0 all verified, 1 a problem found, 2 could not check.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import gzip
import hashlib
import json
import struct
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

CLOCK_TOLERANCE = timedelta(minutes=5)
RECORD = struct.Struct(">16sII32s")


class CannotCheck(Exception):
    pass


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class Tree:
    """RFC 9162 tree, streaming: the roots of the complete subtrees, largest first."""

    def __init__(self) -> None:
        self.size, self.subtrees = 0, []

    def append(self, leaf: bytes) -> None:
        self.subtrees.append((1, leaf))
        self.size += 1
        while len(self.subtrees) > 1 and self.subtrees[-1][0] == self.subtrees[-2][0]:
            (size, right), (_, left) = self.subtrees.pop(), self.subtrees.pop()
            self.subtrees.append((2 * size, node_hash(left, right)))

    def root(self) -> bytes:
        if not self.subtrees:
            return hashlib.sha256(b"").digest()
        root = self.subtrees[-1][1]
        for _, left in reversed(self.subtrees[:-1]):
            root = node_hash(left, root)
        return root


def read_public_key(path: Path) -> tuple[str, bytes]:
    try:
        name, hex_id, key = path.read_text(encoding="utf-8").strip().split("+", 2)
        raw = base64.b64decode(key, validate=True)
        if raw[:1] != b"\x01" or len(raw) != 33 or bytes.fromhex(hex_id) != key_id(name, raw[1:]):
            raise ValueError
    except (OSError, ValueError, binascii.Error) as error:
        raise CannotCheck(f"{path} is not a checkpoint public key ({error or 'bad form'})") from None
    return name, raw[1:]


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]


def read_checkpoint(path: Path, name: str, public: bytes) -> tuple[int, bytes] | str:
    """(size, root) if the signature holds, else what is wrong with it."""
    note = path.read_text(encoding="utf-8")
    text, blank, signatures = note.rpartition("\n\n")
    lines = text.split("\n")
    try:
        if not blank or len(lines) < 3:
            raise ValueError
        size, root = int(lines[1]), base64.b64decode(lines[2], validate=True)
    except (ValueError, binascii.Error):
        raise CannotCheck(f"{path} is not a checkpoint") from None
    if lines[0] != name:
        return f"it is a checkpoint of {lines[0]}, not of {name}"
    for line in signatures.splitlines():
        signer, _, signature = line.removeprefix("\u2014 ").partition(" ")
        try:
            raw = base64.b64decode(signature, validate=True)
            if signer == name and raw[:4] == key_id(name, public) and len(raw) == 68:
                Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], (text + "\n").encode())
                return size, root
        except (binascii.Error, InvalidSignature):
            continue
    return f"its signature does not verify with the public key of {name}"


def entries(export: Path):
    opener = gzip.open if export.name.endswith(".gz") else open
    with opener(export, "rt", encoding="utf-8") as file:
        header = json.loads(next(file, "{}"))
        if header.get("format") != "scc-event-log" or header.get("format_version") != 1:
            raise CannotCheck(f"{export} is not an export of scc's log (format scc-event-log 1)")
        for line in file:
            row = json.loads(line)
            if "manifest" in row:
                return row["manifest"]
            yield row
    raise CannotCheck(f"{export} is cut short: it has no manifest line at its end")


def recorded_at(state: str) -> datetime | None:
    value = json.loads(state).get("timestamp")
    value = value.get("_data_") if isinstance(value, dict) else value
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", type=Path, help="the file scc export-log wrote")
    parser.add_argument("--checkpoint", type=Path, action="append", required=True,
                        help="a checkpoint file, or a folder of *.checkpoint files")
    parser.add_argument("--public-key", type=Path, required=True)
    parser.add_argument("--leaves", type=Path,
                        help="log-leaves.bin from the checkpoint folder, to name the first "
                             "entry that differs")
    args = parser.parse_args(argv)
    try:
        return check(args)
    except CannotCheck as error:
        print(f"Cannot check: {error}", file=sys.stderr)
        return 2


def check(args: argparse.Namespace) -> int:
    name, public = read_public_key(args.public_key)
    problems: list[str] = []
    wanted: dict[int, tuple[str, bytes]] = {}
    for given in args.checkpoint:
        files = sorted(given.glob("*.checkpoint")) if given.is_dir() else [given]
        for path in files:
            found = read_checkpoint(path, name, public)
            if isinstance(found, str):
                problems.append(f"The checkpoint {path.name}: {found}")
            else:
                wanted[found[0]] = (path.name, found[1])
    leaves = open(args.leaves, "rb") if args.leaves else None  # noqa: SIM115
    tree, roots, first_difference = Tree(), {}, None
    last, stream_last = None, {}
    rows = entries(args.export)
    manifest, first = None, min(wanted, default=None)
    while True:
        try:
            row = next(rows)
        except StopIteration as end:
            manifest = end.value
            break
        state = row["state"]
        leaf = leaf_hash(f"{row['stream']}\n{row['version']}\n{row['topic']}\n".encode()
                         + state.encode("utf-8"))
        tree.append(leaf)
        if tree.size in wanted:
            roots[tree.size] = tree.root()
        if leaves is not None and first_difference is None:
            record = leaves.read(RECORD.size)
            if len(record) == RECORD.size:
                stream, version, urn, old = RECORD.unpack(record)
                if old != leaf:
                    first_difference = (tree.size, str(uuid.UUID(bytes=stream)),
                                        version, urn)
        at = recorded_at(state)
        where = f"stream {row['stream']}, entry {row['version']}"
        if at is not None:
            # each stream's entries go forward; after the first checkpoint, the whole log's
            anchored = first is not None and tree.size > first
            before = stream_last.get(row["stream"])
            if before is not None and at < before:
                problems.append(f"{where}: recorded at {at.isoformat()}, before the entry "
                                f"before it in its stream ({before.isoformat()})")
            elif anchored and last is not None and at < last - CLOCK_TOLERANCE:
                problems.append(f"{where}: recorded at {at.isoformat()}, after the log had "
                                f"recorded an entry at {last.isoformat()}: backdated")
            if last is None or not anchored:
                last = max(last or at, at)
            else:
                last = max(min(last, at + CLOCK_TOLERANCE), at)
            stream_last[row["stream"]] = at
    if manifest.get("entries") != tree.size:
        problems.append(f"The export: its manifest counts {manifest.get('entries')} entries "
                        f"but it holds {tree.size}")
    for size in sorted(wanted):
        source, root = wanted[size]
        if size > tree.size:
            problems.append(f"The log: it holds {tree.size} entries but the checkpoint {source} "
                            f"was signed over {size}: entries were deleted")
        elif roots[size] != root:
            problems.append(f"The log: its first {size} entries are not those the checkpoint "
                            f"{source} was signed over: entries were deleted, altered, inserted "
                            "or reordered")
    if first_difference is not None and problems:
        position, stream, version, urn = first_difference
        school = f"URN {urn}" if urn else f"stream {stream}"
        problems.append(f"{school}, entry {version}: the first entry that differs from the "
                        f"leaves file, at position {position} of the log")
    for problem in problems:
        print(problem)
    anchored = max((s for s in wanted if s <= tree.size and roots.get(s) == wanted[s][1]),
                   default=0)
    print(f"Checked {tree.size} entries against {len(wanted)} signed checkpoint(s): "
          f"{len(problems)} problem(s) found.")
    print(f"The first {anchored} entries are covered by a checkpoint; {tree.size - anchored} "
          "entries after them are vouched for by no checkpoint.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
