"""The pure core of the audit trail: what a record says about an event (``records``), canonical
bytes, the hash chain, RFC 6962 Merkle trees, signed checkpoints, the queryable columns, the
verifier (of the database's rows or of an export, ``offline``), the record a retention purge
makes of itself and OCSF events. No I/O, no clock: times and keys are arguments."""

from interlude.audit.domain.canonical import canonical_bytes
from interlude.audit.domain.checkpoint import (
    CHECKPOINT_TYPE,
    GENESIS_HEX,
    Checkpoint,
    key_id,
    sign,
    signing_bytes,
    verify_signature,
)
from interlude.audit.domain.columns import COLUMNS, column_mismatch, columns_of
from interlude.audit.domain.hashing import DOMAIN, GENESIS, chain_hash, chain_hashes, leaf_hash
from interlude.audit.domain.merkle import (
    EMPTY_ROOT,
    MerkleBuilder,
    consistency_proof,
    merkle_root,
    verify_consistency,
)
from interlude.audit.domain.model import (
    FAILURE_KINDS,
    Failure,
    FailureKind,
    StoredRecord,
    Verification,
)
from interlude.audit.domain.verify import verify_chain
from interlude.audit.domain.witness import Signed, witnessed

__all__ = [
    "CHECKPOINT_TYPE",
    "COLUMNS",
    "DOMAIN",
    "EMPTY_ROOT",
    "FAILURE_KINDS",
    "GENESIS",
    "GENESIS_HEX",
    "Checkpoint",
    "Failure",
    "FailureKind",
    "MerkleBuilder",
    "Signed",
    "StoredRecord",
    "Verification",
    "canonical_bytes",
    "chain_hash",
    "chain_hashes",
    "column_mismatch",
    "columns_of",
    "consistency_proof",
    "key_id",
    "leaf_hash",
    "merkle_root",
    "sign",
    "signing_bytes",
    "verify_chain",
    "verify_consistency",
    "verify_signature",
    "witnessed",
]
