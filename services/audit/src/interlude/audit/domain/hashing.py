"""The hash chain: each record's hash commits to every record before it.

``hash(n) = SHA-256(DOMAIN || hash(n-1) || SHA-256(record bytes))`` with ``hash(0) = GENESIS``.
The domain string keeps these hashes from being mistaken for any other SHA-256 in the system
(a Merkle node, a leaf, a checkpoint), and names the version of the scheme.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

__all__ = ["DOMAIN", "GENESIS", "HASH_SIZE", "chain_hash", "chain_hashes", "leaf_hash"]

DOMAIN = b"interlude-audit-v1"
"""Prefix of every chain hash input."""

HASH_SIZE = 32
"""Length in bytes of every hash in the chain (SHA-256)."""

GENESIS = bytes(HASH_SIZE)
"""The hash before the first record: 32 zero bytes."""


def leaf_hash(record_bytes: bytes) -> bytes:
    """SHA-256 of a record's stored bytes."""
    return hashlib.sha256(record_bytes).digest()


def chain_hash(previous: bytes, record_bytes: bytes) -> bytes:
    """The chain hash of a record whose predecessor's chain hash is ``previous``."""
    if len(previous) != HASH_SIZE:
        raise ValueError(f"a previous chain hash has {HASH_SIZE} bytes, not {len(previous)}")
    return hashlib.sha256(DOMAIN + previous + hashlib.sha256(record_bytes).digest()).digest()


def chain_hashes(records: Iterable[bytes], previous: bytes = GENESIS) -> Iterator[bytes]:
    """The chain hash of each record in turn, starting after ``previous``."""
    for record_bytes in records:
        previous = chain_hash(previous, record_bytes)
        yield previous
