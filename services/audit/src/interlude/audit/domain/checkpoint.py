"""Signed checkpoints: what one organisation's trail looked like at a moment, under Ed25519.

A checkpoint states that the records ``lower_bound..size`` of ``tenant_id`` have the RFC 6962
Merkle root ``merkle_root`` (over their stored bytes) and end in the chain hash ``chain_head``,
and that the chain hash of record ``lower_bound - 1`` was ``anchor``.

Retention purges cut the trail from its oldest end only, and record themselves first: the
checkpoint issued for a purge has the new ``lower_bound`` and, as ``anchor``, the chain hash
of the last purged record. So every checkpoint can be checked against the records that remain:

- its Merkle root covers exactly ``lower_bound..size`` (not the purged records); a checkpoint
  from before a purge covers records that are gone, and only its signature, its size and, when
  its size reaches past the purge, its chain head can still be checked;
- consistency proofs (``merkle.consistency_proof``) relate checkpoints with the same
  ``lower_bound``; across a purge the chain hashes carry the continuity instead: the purge
  checkpoint's ``anchor`` is a chain hash the earlier checkpoints' records produced.

With no purge ``lower_bound`` is 1 and ``anchor`` is ``GENESIS``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from interlude.audit.domain.canonical import canonical_bytes
from interlude.audit.domain.hashing import GENESIS

__all__ = [
    "CHECKPOINT_TYPE",
    "GENESIS_HEX",
    "Checkpoint",
    "key_id",
    "sign",
    "signing_bytes",
    "verify_signature",
]

CHECKPOINT_TYPE = "interlude-audit-checkpoint-v1"
"""The ``type`` inside the signed bytes, so a checkpoint signature means nothing elsewhere."""

GENESIS_HEX = GENESIS.hex()
"""``anchor`` of a checkpoint when nothing was purged."""

_HASH_HEX = re.compile(r"[0-9a-f]{64}")
_KEY_ID = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One organisation's trail at ``issued_at``; hashes are lowercase hex."""

    tenant_id: str
    size: int
    """The number of the last record covered (records are numbered from 1)."""
    merkle_root: str
    """RFC 6962 root over the bytes of records ``lower_bound..size``."""
    chain_head: str
    """The chain hash of record ``size`` (``anchor`` when no record is covered)."""
    lower_bound: int
    """The first record covered: 1 unless older records were purged."""
    issued_at: str
    """ISO 8601 time of issue."""
    key_id: str
    """Which signing key: see ``key_id()``."""
    anchor: str = GENESIS_HEX
    """The chain hash of record ``lower_bound - 1``; ``GENESIS_HEX`` when ``lower_bound`` is 1."""

    def __post_init__(self) -> None:
        if not isinstance(self.tenant_id, str) or not self.tenant_id:
            raise ValueError("a checkpoint needs a tenant_id")
        for name in ("size", "lower_bound"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"checkpoint {name} must be an integer, not {value!r}")
        if not 1 <= self.lower_bound <= self.size + 1:
            raise ValueError(
                f"checkpoint lower_bound {self.lower_bound} is outside 1..{self.size + 1}"
            )
        for name in ("merkle_root", "chain_head", "anchor"):
            if not _HASH_HEX.fullmatch(str(getattr(self, name))):
                raise ValueError(f"checkpoint {name} must be 64 lowercase hex digits")
        if self.lower_bound == 1 and self.anchor != GENESIS_HEX:
            raise ValueError("a checkpoint from record 1 has the genesis hash as its anchor")
        if not _KEY_ID.fullmatch(str(self.key_id)):
            raise ValueError("checkpoint key_id must be 16 lowercase hex digits")
        try:
            datetime.fromisoformat(self.issued_at)
        except (TypeError, ValueError):
            raise ValueError(f"checkpoint issued_at {self.issued_at!r} is not ISO 8601") from None

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (for storage, events and exports)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Checkpoint:
        """The inverse of ``as_dict``; ignores a ``type`` key, rejects any other unknown key."""
        fields = {key: value for key, value in data.items() if key != "type"}
        try:
            return cls(**fields)
        except TypeError as error:
            raise ValueError(f"not a checkpoint: {error}") from None


def signing_bytes(checkpoint: Checkpoint) -> bytes:
    """The exact bytes that are signed: canonical JSON of the fields plus the ``type``."""
    return canonical_bytes({"type": CHECKPOINT_TYPE, **checkpoint.as_dict()})


def key_id(public_key: Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 over the raw 32-byte public key."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(checkpoint: Checkpoint, private_key: Ed25519PrivateKey) -> bytes:
    """The Ed25519 signature (64 bytes) of ``signing_bytes(checkpoint)``.

    Raises ``ValueError`` when the checkpoint names another key than ``private_key``'s.
    """
    own = key_id(private_key.public_key())
    if checkpoint.key_id != own:
        raise ValueError(f"the checkpoint names key {checkpoint.key_id}, this key is {own}")
    return private_key.sign(signing_bytes(checkpoint))


def verify_signature(
    checkpoint: Checkpoint, signature: bytes, public_key: Ed25519PublicKey
) -> bool:
    """Whether ``signature`` is ``public_key``'s signature of this checkpoint, which must also
    name that key."""
    if checkpoint.key_id != key_id(public_key):
        return False
    try:
        public_key.verify(bytes(signature), signing_bytes(checkpoint))
    except InvalidSignature:
        return False
    return True
