"""The Merkle tree over the whole event log, hashed as RFC 9162 (Certificate Transparency 2.0)
section 2.1 does, so that a signed root commits to every entry and to their order.

A leaf is ``SHA-256(0x00 || data)``, a node ``SHA-256(0x01 || left || right)``, the tree of n
leaves splits at the largest power of two below n, and the empty tree's root is SHA-256 of
nothing. The tree is built streaming: only the roots of its complete subtrees are kept (at most
one per bit of the size), so a log of a million entries costs a million hashes and a few
kilobytes.
"""

from __future__ import annotations

import hashlib
from uuid import UUID


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def entry_leaf(stream: UUID | str, version: int, topic: str, state: bytes) -> bytes:
    """What a leaf commits to: the entry's stream (its school), its version, its kind and its
    stored content in plain text (before any encryption at rest, so that a log exported and
    imported again, or re-encrypted under a new key, keeps its tree)."""
    return f"{UUID(str(stream))}\n{version}\n{topic}\n".encode() + state


class TreeBuilder:
    """Leaves appended one by one; ``root()`` at any moment is the root of the tree so far."""

    def __init__(self) -> None:
        self.size = 0
        self._subtrees: list[tuple[int, bytes]] = []  # (leaves, root), largest first

    def append(self, leaf: bytes) -> None:
        """Adds a leaf's hash (``leaf_hash`` of its data)."""
        self._subtrees.append((1, leaf))
        self.size += 1
        while len(self._subtrees) > 1 and self._subtrees[-1][0] == self._subtrees[-2][0]:
            (size, right), (_, left) = self._subtrees.pop(), self._subtrees.pop()
            self._subtrees.append((2 * size, node_hash(left, right)))

    def root(self) -> bytes:
        if not self._subtrees:
            return hashlib.sha256(b"").digest()
        root = self._subtrees[-1][1]
        for _, left in reversed(self._subtrees[:-1]):
            root = node_hash(left, root)
        return root


def root_of(leaves: list[bytes]) -> bytes:
    """The root by the definition itself (for checking ``TreeBuilder``; recursive, small n)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(root_of(leaves[:split]), root_of(leaves[split:]))
