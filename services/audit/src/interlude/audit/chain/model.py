"""What the verifier reads (stored records) and what it answers (a verification)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

__all__ = ["FAILURE_KINDS", "Failure", "FailureKind", "StoredRecord", "Verification"]

FailureKind = Literal[
    "changed",
    "removed",
    "inserted",
    "reordered",
    "truncated",
    "bad-signature",
    "bad-checkpoint",
    "gap",
]
"""What most likely happened, as far as the hashes and signatures tell."""

FAILURE_KINDS: frozenset[str] = frozenset(get_args(FailureKind))


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One row of an organisation's trail as stored: its number, its exact canonical bytes
    and the chain hash stored with it."""

    tenant_id: str
    seq: int
    record_bytes: bytes
    chain_hash: bytes


@dataclass(frozen=True, slots=True)
class Failure:
    """The first thing found wrong, named by the record number it concerns.

    ``changed``, ``removed``, ``inserted``, ``reordered``: a record's bytes or chain hash do not
    follow from its predecessor, or the records disagree with a signed checkpoint; the kind
    is the most likely explanation. ``gap``: a record number is missing. ``truncated``:
    records that a signed checkpoint covers are gone from the end. ``bad-signature``: a
    checkpoint's signature does not verify (or names an unknown key); ``seq`` is its size.
    ``bad-checkpoint``: a correctly signed checkpoint contradicts itself or an earlier one.
    """

    seq: int
    kind: FailureKind
    message: str


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of verifying one organisation's trail.

    ``records_checked`` counts the records read at or above the lower bound,
    ``checkpoints_checked`` the checkpoints read. ``warnings`` never make the trail fail:
    records not yet covered by a checkpoint, checkpoints that cover purged records.
    """

    ok: bool
    records_checked: int
    checkpoints_checked: int
    first_failure: Failure | None
    warnings: list[str] = field(default_factory=list)
