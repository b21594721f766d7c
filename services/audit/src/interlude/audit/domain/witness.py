"""Holding the trail's own checkpoints against the published ones.

The database cannot be its own witness: whoever can rewrite records can delete the checkpoints
that would have caught it, or cut the trail back to an older checkpoint together with the
records after it. Every checkpoint also leaves as an ``audit.AuditCheckpointSigned`` event in
JetStream, out of the database's reach; the verifier reads those and:

- holds the records to every checkpoint, stored or published (so a rewritten trail fails the
  published Merkle roots and chain heads, and a shortened one the published size);
- fails on a published checkpoint the store does not hold (``checkpoint-missing``): deleted,
  or the trail rolled back to before it;
- fails on a stored checkpoint that was never published (``checkpoint-unpublished``): nothing
  outside the database vouches for it.

A checkpoint is the same one when its signed bytes and signature are. As JSON Lines (one
``checkpoint`` line each, as in an export) checkpoints travel to an offline verifier.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import orjson

from interlude.audit.domain.checkpoint import Checkpoint, signing_bytes
from interlude.audit.domain.model import Failure

__all__ = ["Signed", "as_lines", "from_line", "identity", "witnessed"]

Signed = tuple[Checkpoint, bytes]
"""A checkpoint and its signature."""


def identity(signed: Signed) -> tuple[bytes, bytes]:
    """What makes two copies of a checkpoint the same one."""
    return signing_bytes(signed[0]), bytes(signed[1])


def witnessed(stored: Iterable[Signed],
              published: Iterable[Signed]) -> tuple[list[Signed], list[Failure]]:
    """Every checkpoint once, stored or published, in the order of issue; and a failure for
    each that is published but not stored, or stored but not published."""
    kept = {identity(s): s for s in stored}
    out = {identity(p): p for p in published}
    failures = []
    for key, (checkpoint, _) in out.items():
        if key not in kept:
            failures.append(Failure(
                checkpoint.size, "checkpoint-missing",
                f"{_named(checkpoint)} was published but is missing from the trail's store: "
                f"it was deleted, or the trail was rolled back to before it"))
    for key, (checkpoint, _) in kept.items():
        if key not in out:
            failures.append(Failure(
                checkpoint.size, "checkpoint-unpublished",
                f"{_named(checkpoint)} is in the trail's store but was never published: "
                f"nothing outside the database witnesses it"))
    both = sorted({**out, **kept}.values(), key=_issue_order)
    return both, failures


def _named(checkpoint: Checkpoint) -> str:
    return f"the checkpoint at size {checkpoint.size} (issued {checkpoint.issued_at})"


def _issue_order(signed: Signed) -> tuple[datetime, int]:
    issued = datetime.fromisoformat(signed[0].issued_at)
    return issued if issued.tzinfo else issued.replace(tzinfo=UTC), signed[0].size


def as_lines(checkpoints: Iterable[Signed]) -> Iterator[bytes]:
    """Checkpoints as JSON Lines: their exact signed bytes and signature."""
    for checkpoint, signature in checkpoints:
        yield orjson.dumps({"type": "checkpoint",
                            "body": signing_bytes(checkpoint).decode("utf-8"),
                            "signature": signature.hex()}) + b"\n"


def from_line(item: dict[str, object]) -> Signed:
    """A ``checkpoint`` line back as a checkpoint and its signature."""
    return (Checkpoint.from_dict(orjson.loads(str(item["body"]))),
            bytes.fromhex(str(item["signature"])))
