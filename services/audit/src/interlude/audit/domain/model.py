"""What the verifier reads (stored records) and what it answers (a verification)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

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
    "column-changed",
    "checkpoint-missing",
    "checkpoint-unpublished",
    "head-changed",
]
"""What most likely happened, as far as the hashes and signatures tell."""

FAILURE_KINDS: frozenset[str] = frozenset(get_args(FailureKind))


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One row of an organisation's trail as stored: its number, its exact canonical bytes,
    the chain hash stored with it and the values of the columns queries filter on, in the
    order of ``columns.COLUMNS`` (None when they were not read: then they are not checked)."""

    tenant_id: str
    seq: int
    record_bytes: bytes
    chain_hash: bytes
    columns: Sequence[Any] | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """The first thing found wrong, named by the record number it concerns.

    ``changed``, ``removed``, ``inserted``, ``reordered``: a record's bytes or chain hash do not
    follow from its predecessor, or the records disagree with a signed checkpoint; the kind
    is the most likely explanation. ``gap``: a record number is missing. ``truncated``:
    records that a signed checkpoint covers are gone from the end. ``bad-signature``: a
    checkpoint's signature does not verify (or names an unknown key); ``seq`` is its size.
    ``bad-checkpoint``: a correctly signed checkpoint contradicts itself or an earlier one.
    ``column-changed``: a column that queries filter on disagrees with the record's hashed
    bytes. ``checkpoint-missing``: a checkpoint published to JetStream is not in the trail's
    store (deleted, or the trail rolled back); ``checkpoint-unpublished``: a checkpoint in
    the store was never published, so nothing outside the database witnesses it. For these
    two ``seq`` is the checkpoint's size.
    """

    seq: int
    kind: FailureKind
    message: str


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of verifying one organisation's trail.

    ``records_checked`` counts the records read at or above the lower bound,
    ``checkpoints_checked`` the distinct checkpoints read (stored or published).
    ``failures``: everything found wrong, by record number, ``first_failure`` first (at most
    one of each check: the chain, the columns, each checkpoint). ``warnings`` never make the
    trail fail: records not yet covered by a checkpoint, checkpoints that cover purged records.
    """

    ok: bool
    records_checked: int
    checkpoints_checked: int
    first_failure: Failure | None
    warnings: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
