"""Verifying a JSON Lines export with nothing but the file, the published checkpoints and the
public key.

The export comes from the database, checkpoints included, so it cannot vouch for itself: the
checkpoints published to JetStream (``interlude-audit checkpoints --tenant ...``, or
``GET /v1/audit/checkpoints``) come as a separate file, and the export is held against them as
the database is (see ``chain.witness``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from interlude.audit.domain.checkpoint import key_id
from interlude.audit.domain.columns import exported_columns
from interlude.audit.domain.model import StoredRecord, Verification
from interlude.audit.domain.verify import verify_chain
from interlude.audit.domain.witness import Signed, from_line


def public_key(jwk: Mapping[str, Any]) -> Ed25519PublicKey:
    raw = base64.urlsafe_b64decode(str(jwk["x"]) + "=" * (-len(str(jwk["x"])) % 4))
    return Ed25519PublicKey.from_public_bytes(raw)


def published_from(lines: Iterable[bytes]) -> list[Signed]:
    """The checkpoints of a file of published checkpoints (JSON Lines, ``checkpoint`` lines)."""
    return [from_line(item) for item in _items(lines) if item.get("type") == "checkpoint"]


def verify_export(lines: Iterable[bytes], published: list[Signed],
                  trusted: list[Ed25519PublicKey] | None = None) -> tuple[Verification, str]:
    """Verify an export against the ``published`` checkpoints; with the ``trusted`` keys, else
    the keys the export itself names (which proves only that the file is consistent, not who
    signed it)."""
    tenant, keys, records, checkpoints = "", {}, [], []
    for item in _items(lines):
        if item["type"] == "keys":
            tenant = item["tenant_id"]
            keys = {k["kid"]: public_key(k) for k in item["keys"]}
        elif item["type"] == "record":
            records.append(StoredRecord(tenant, int(item["seq"]), item["record"].encode("utf-8"),
                                        bytes.fromhex(item["chain_hash"]),
                                        exported_columns(item.get("columns") or {})))
        elif item["type"] == "checkpoint":
            checkpoints.append(from_line(item))
    if trusted is not None:
        keys = {key_id(k): k for k in trusted}
    return verify_chain(records, checkpoints, keys, tenant_id=tenant or None,
                        published=published), tenant


def _items(lines: Iterable[bytes]) -> Iterable[dict[str, Any]]:
    for line in lines:
        if line.strip():
            yield orjson.loads(line)
