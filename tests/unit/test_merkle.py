"""The log's Merkle tree: hashed as RFC 9162 defines it, built streaming."""

from __future__ import annotations

import hashlib

from domain import merkle


def test_the_streaming_tree_has_the_root_of_the_definition_at_every_size():
    builder, leaves = merkle.TreeBuilder(), []
    assert builder.root() == hashlib.sha256(b"").digest()
    for n in range(1, 70):
        leaf = merkle.leaf_hash(str(n).encode())
        builder.append(leaf)
        leaves.append(leaf)

        assert builder.root() == merkle.root_of(leaves), n


def test_leaves_and_nodes_are_domain_separated_as_rfc_9162_says():
    # RFC 9162 2.1.1: a leaf is H(0x00 || d), a node H(0x01 || left || right)
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    a, b = merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")
    assert merkle.root_of([a, b]) == hashlib.sha256(b"\x01" + a + b).digest()
    assert merkle.root_of([a, b, a]) == merkle.node_hash(merkle.node_hash(a, b), a)
