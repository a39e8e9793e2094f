"""A small writer of compound files (MS-CFB, version 3) for tests: the container of legacy
Word and Excel files and Outlook emails. Its directory is written last and its chain runs
backwards through the file, as a reader that only scans the first bytes would get wrong."""

from __future__ import annotations

import struct

SECTOR = 512
END, FREE, NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
FAT_SECTOR, DIFAT_SECTOR = 0xFFFFFFFD, 0xFFFFFFFC
PER_SECTOR = SECTOR // 4
LISTED = PER_SECTOR - 1  # FAT sector numbers in a DIFAT sector, before the next one's
MINI_CUTOFF = 4096


def compound_file(tree: dict) -> bytes:
    """``tree`` maps names to bytes (a stream) or to a dict (a storage). Streams are padded
    to the mini-stream cutoff so that every one lives in ordinary sectors."""
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "children": list(tree.items())}]
    _flatten(entries, 0)
    sectors: list[bytes] = []
    fat: list[int] = []
    for entry in entries:
        if entry["type"] == 2:
            data = entry["data"].ljust(MINI_CUTOFF, b"\x00")
            entry["start"], entry["size"] = len(sectors), len(data)
            count = -(-len(data) // SECTOR)
            for i in range(count):
                sectors.append(data[i * SECTOR:(i + 1) * SECTOR].ljust(SECTOR, b"\x00"))
                fat.append(len(sectors) if i < count - 1 else END)
    directory = b"".join(_entry(e) for e in entries)
    directory = directory.ljust(-(-len(directory) // SECTOR) * SECTOR, b"\x00")
    chunks = [directory[i:i + SECTOR] for i in range(0, len(directory), SECTOR)]
    base, count = len(sectors), len(chunks)
    sectors += chunks[::-1]  # the directory's first sector is the file's last but the FAT
    placed = [base + count - 1 - i for i in range(count)]
    fat += [0] * count
    for i, where in enumerate(placed):
        fat[where] = placed[i + 1] if i + 1 < count else END
    fat_count = difat_count = 0
    while True:  # FAT and DIFAT sectors need FAT entries of their own
        total = len(sectors) + fat_count + difat_count
        need = -(-total // PER_SECTOR), max(0, -(-(-(-total // PER_SECTOR) - 109) // LISTED))
        if need == (fat_count, difat_count):
            break
        fat_count, difat_count = need
    fat_at = list(range(len(sectors), len(sectors) + fat_count))
    difat_at = list(range(fat_at[-1] + 1, fat_at[-1] + 1 + difat_count))
    fat += [FAT_SECTOR] * fat_count + [DIFAT_SECTOR] * difat_count
    fat += [FREE] * (fat_count * PER_SECTOR - len(fat))
    table = struct.pack(f"<{len(fat)}I", *fat)
    sectors += [table[i * SECTOR:(i + 1) * SECTOR] for i in range(fat_count)]
    beyond = fat_at[109:]
    for i in range(difat_count):
        listed = beyond[i * LISTED:(i + 1) * LISTED]
        following = difat_at[i + 1] if i + 1 < difat_count else END
        sectors.append(struct.pack(f"<{PER_SECTOR}I",
                                   *listed, *[FREE] * (LISTED - len(listed)), following))
    in_header = fat_at[:109]
    header = (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16)
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, fat_count, placed[0], 0, MINI_CUTOFF, END, 0,
                            difat_at[0] if difat_at else END, difat_count)
              + struct.pack("<109I", *in_header, *[FREE] * (109 - len(in_header))))
    return header + b"".join(sectors)


def _flatten(entries: list[dict], parent: int) -> None:
    children = entries[parent].pop("children")
    ids = []
    for name, content in children:
        entries.append({"name": name, "type": 1 if isinstance(content, dict) else 2,
                        "data": content if isinstance(content, bytes) else b""})
        ids.append((len(entries) - 1, name))
        if isinstance(content, dict):
            entries[-1]["children"] = list(content.items())
    # siblings form a binary tree ordered by length, then upper-cased name (MS-CFB §2.6.4)
    ids.sort(key=lambda pair: (len(pair[1]), pair[1].upper()))
    entries[parent]["child"] = _tree(entries, [i for i, _ in ids])
    for i, _ in ids:
        if entries[i]["type"] == 1:
            _flatten(entries, i)


def _tree(entries: list[dict], ordered: list[int]) -> int:
    if not ordered:
        return NONE
    middle = len(ordered) // 2
    top = ordered[middle]
    entries[top]["left"] = _tree(entries, ordered[:middle])
    entries[top]["right"] = _tree(entries, ordered[middle + 1:])
    return top


def _entry(entry: dict) -> bytes:
    name = entry["name"].encode("utf-16-le") + b"\x00\x00"
    return (name.ljust(64, b"\x00")
            + struct.pack("<HBB", len(name), entry["type"], 1)
            + struct.pack("<III", entry.get("left", NONE), entry.get("right", NONE),
                          entry.get("child", NONE))
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", entry.get("start", END), entry.get("size", 0)))
