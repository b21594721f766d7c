"""Verifying a JSON Lines export with nothing but the file and the public key."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from interlude.audit.chain.checkpoint import Checkpoint, key_id
from interlude.audit.chain.model import StoredRecord, Verification
from interlude.audit.chain.verify import verify_chain


def public_key(jwk: Mapping[str, Any]) -> Ed25519PublicKey:
    raw = base64.urlsafe_b64decode(str(jwk["x"]) + "=" * (-len(str(jwk["x"])) % 4))
    return Ed25519PublicKey.from_public_bytes(raw)


def verify_export(lines: Iterable[bytes],
                  trusted: list[Ed25519PublicKey] | None = None) -> tuple[Verification, str]:
    """Verify an export; ``trusted`` keys, else the keys the export itself names (which
    proves only that the file is consistent, not who signed it)."""
    tenant, keys, records, checkpoints = "", {}, [], []
    for line in lines:
        if not line.strip():
            continue
        item = orjson.loads(line)
        if item["type"] == "keys":
            tenant = item["tenant_id"]
            keys = {k["kid"]: public_key(k) for k in item["keys"]}
        elif item["type"] == "record":
            records.append(StoredRecord(tenant, int(item["seq"]), item["record"].encode("utf-8"),
                                        bytes.fromhex(item["chain_hash"])))
        elif item["type"] == "checkpoint":
            checkpoints.append((Checkpoint.from_dict(orjson.loads(item["body"])),
                                bytes.fromhex(item["signature"])))
    if trusted is not None:
        keys = {key_id(k): k for k in trusted}
    return verify_chain(records, checkpoints, keys, tenant_id=tenant or None), tenant
