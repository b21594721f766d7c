"""What the verifier starts from: the checkpoints whose signatures it trusts (and what is wrong
with the others), and where the trail begins (its lower bound and the chain hash before it)."""

from __future__ import annotations

from collections.abc import Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from interlude.audit.domain.checkpoint import Checkpoint, verify_signature
from interlude.audit.domain.hashing import GENESIS
from interlude.audit.domain.model import Failure

__all__ = ["bounds", "screen"]


def screen(given: list[tuple[Checkpoint, bytes]], keys: Mapping[str, Ed25519PublicKey],
            tenant: str | None) -> tuple[list[Checkpoint], list[Failure]]:
    """The checkpoints whose signatures verify, and what is wrong with the others."""
    trusted: list[Checkpoint] = []
    failures: list[Failure] = []
    for checkpoint, signature in given:
        at = f"the checkpoint at size {checkpoint.size} (issued {checkpoint.issued_at})"
        key = keys.get(checkpoint.key_id)
        if checkpoint.tenant_id != tenant:
            failures.append(Failure(checkpoint.size, "bad-checkpoint",
                                    f"{at} belongs to organisation {checkpoint.tenant_id!r}"))
        elif key is None:
            failures.append(Failure(checkpoint.size, "bad-signature",
                                    f"{at} names key {checkpoint.key_id}, which is not known"))
        elif not verify_signature(checkpoint, signature, key):
            failures.append(Failure(checkpoint.size, "bad-signature",
                                    f"{at}: its signature does not verify with key "
                                    f"{checkpoint.key_id}"))
        else:
            if trusted and checkpoint.size < trusted[-1].size:
                failures.append(Failure(checkpoint.size + 1, "bad-checkpoint",
                                        f"{at} covers fewer records than the one before it "
                                        f"({trusted[-1].size}): the trail was cut back"))
            if trusted and checkpoint.lower_bound < trusted[-1].lower_bound:
                failures.append(Failure(checkpoint.lower_bound, "bad-checkpoint",
                                        f"{at} starts at record {checkpoint.lower_bound}, "
                                        f"before the purge to {trusted[-1].lower_bound}"))
            trusted.append(checkpoint)
    return trusted, failures


def bounds(trusted: list[Checkpoint], lower_bound: int | None,
            anchor: bytes | None) -> tuple[int, bytes, Failure | None]:
    """The first record to expect and the chain hash before it."""
    if lower_bound is None:
        if anchor is not None:
            raise ValueError("an anchor needs the lower bound it belongs to")
        latest = max(trusted, key=lambda c: c.lower_bound, default=None)
        if latest is None:
            return 1, GENESIS, None
        return latest.lower_bound, bytes.fromhex(latest.anchor), None
    if lower_bound < 1:
        raise ValueError(f"records are numbered from 1, not {lower_bound}")
    if lower_bound == 1:
        if anchor not in (None, GENESIS):
            raise ValueError("the anchor of lower bound 1 is GENESIS")
        return 1, GENESIS, None
    for checkpoint in trusted:
        stated = bytes.fromhex(checkpoint.anchor)
        if checkpoint.lower_bound == lower_bound and anchor in (None, stated):
            return lower_bound, stated, None
    return lower_bound, anchor or GENESIS, Failure(
        1, "removed", f"records 1..{lower_bound - 1} are absent and no signed checkpoint "
                      f"states a purge to {lower_bound}" + (" with this anchor" if anchor else ""))
