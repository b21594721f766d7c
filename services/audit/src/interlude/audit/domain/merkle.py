"""RFC 6962 Merkle tree hashes over record bytes, and consistency proofs between tree sizes.

A leaf is ``SHA-256(0x00 || record bytes)``, an interior node ``SHA-256(0x01 || left ||
right)``; a tree of ``n > 1`` leaves splits at the largest power of two below ``n``; the empty
tree hashes to ``SHA-256("")`` (RFC 6962 §2.1, RFC 9162 §2.1.1). The same definition as
Certificate Transparency, so any CT tooling can check our roots.

``MerkleBuilder`` computes the root while the records stream past, in O(log n) memory: it
keeps one hash per complete subtree (the bits of the size), which is all that the next leaves
and the root need. A consistency proof (RFC 9162 §2.1.4) shows that a tree of ``old_size``
leaves is a prefix of a tree of ``new_size`` leaves, so a later checkpoint can be proven to
extend an earlier one without either party holding the records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "MerkleBuilder",
    "consistency_proof",
    "interior_node",
    "leaf_node",
    "merkle_root",
    "verify_consistency",
]

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of a tree without leaves."""

_HASH_SIZE = 32


def leaf_node(data: bytes) -> bytes:
    """The RFC 6962 hash of one leaf: ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(b"\x00" + data).digest()


def interior_node(left: bytes, right: bytes) -> bytes:
    """The RFC 6962 hash of an interior node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class MerkleBuilder:
    """The tree hash of a growing list of leaves, one leaf at a time."""

    __slots__ = ("_size", "_stack")

    def __init__(self) -> None:
        self._size = 0
        # Roots of the complete subtrees, largest (leftmost) first: one per 1-bit of size.
        self._stack: list[bytes] = []

    @property
    def size(self) -> int:
        """How many leaves have been appended."""
        return self._size

    def append(self, data: bytes) -> None:
        """Add one leaf, given its data (the record bytes)."""
        self.append_hash(hashlib.sha256(b"\x00" + data).digest())

    def append_hash(self, leaf: bytes) -> None:
        """Add one leaf, given its leaf hash."""
        self._size += 1
        node, size, stack = leaf, self._size, self._stack
        # Each trailing zero bit of the new size is a pair of equal subtrees to merge.
        while not size & 1:
            node = hashlib.sha256(b"\x01" + stack.pop() + node).digest()
            size >>= 1
        stack.append(node)

    def root(self) -> bytes:
        """The tree hash of the leaves so far; the builder can keep growing afterwards."""
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            node = interior_node(left, node)
        return node


def merkle_root(leaves: Iterable[bytes]) -> bytes:
    """The RFC 6962 tree hash of ``leaves`` (their data, not their leaf hashes)."""
    builder = MerkleBuilder()
    for data in leaves:
        builder.append(data)
    return builder.root()


def _root_of_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    builder = MerkleBuilder()
    for leaf in leaf_hashes:
        builder.append_hash(leaf)
    return builder.root()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (for ``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def consistency_proof(
    leaves: Sequence[bytes], old_size: int, new_size: int | None = None
) -> list[bytes]:
    """The RFC 9162 consistency proof from the first ``old_size`` leaves to ``new_size``.

    ``leaves`` holds the leaf data (record bytes) of at least ``new_size`` leaves (all of them
    when ``new_size`` is None). The proof is empty when ``old_size`` is 0 or equals
    ``new_size``. Costs O(new_size) hashing.
    """
    new_size = len(leaves) if new_size is None else new_size
    if not 0 <= old_size <= new_size <= len(leaves):
        raise ValueError(
            f"a consistency proof needs 0 <= old_size ({old_size}) <= new_size ({new_size}) "
            f"<= the number of leaves ({len(leaves)})"
        )
    if old_size in (0, new_size):
        return []
    hashes = [leaf_node(data) for data in leaves[:new_size]]
    # RFC 9162 SUBPROOF(m, D[lo:hi], complete), unrolled: each step adds the root of the
    # subtree it leaves aside; those roots come last in the proof, innermost first.
    lo, hi, m, complete = 0, new_size, old_size, True
    aside: list[bytes] = []
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            aside.append(_root_of_hashes(hashes[lo + k : hi]))
            hi = lo + k
        else:
            aside.append(_root_of_hashes(hashes[lo : lo + k]))
            lo, m, complete = lo + k, m - k, False
    proof = [] if complete else [_root_of_hashes(hashes[lo:hi])]
    return proof + aside[::-1]


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree ``old_root`` of ``old_size`` leaves to be a prefix of
    the tree ``new_root`` of ``new_size`` leaves (RFC 9162 §2.1.4.2)."""
    if not 0 <= old_size <= new_size:
        return False
    if any(len(node) != _HASH_SIZE for node in (old_root, new_root, *proof)):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old tree is a node of the new
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = interior_node(node, fr), interior_node(node, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = interior_node(sr, node)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
