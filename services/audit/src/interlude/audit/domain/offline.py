"""Verifying a JSON Lines export with nothing but the file, the published checkpoints and the
public key.

The export comes from the database, checkpoints included, so it cannot vouch for itself: the
checkpoints published to JetStream (``interlude-audit checkpoints --tenant ...``, or
``GET /v1/audit/checkpoints``) come as a separate file, and the export is held against them as
the database is (see ``chain.witness``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, TypeVar

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from interlude.audit.domain.checkpoint import key_id
from interlude.audit.domain.columns import exported_columns
from interlude.audit.domain.model import StoredRecord, Verification
from interlude.audit.domain.verify import verify_chain
from interlude.audit.domain.witness import Signed, from_line

T = TypeVar("T")


def public_key(jwk: Mapping[str, Any]) -> Ed25519PublicKey:
    raw = base64.urlsafe_b64decode(str(jwk["x"]) + "=" * (-len(str(jwk["x"])) % 4))
    return Ed25519PublicKey.from_public_bytes(raw)


class NotAnExport(ValueError):
    """A line of an export, or of a file of published checkpoints, that is not one of its
    lines: the file was edited, cut or is another file. Names the line."""


def published_from(lines: Iterable[bytes]) -> list[Signed]:
    """The checkpoints of a file of published checkpoints (JSON Lines, ``checkpoint`` lines)."""
    return [_read(number, item, from_line) for number, item in _items(lines)
            if item.get("type") == "checkpoint"]


def verify_export(lines: Iterable[bytes], published: list[Signed],
                  trusted: list[Ed25519PublicKey] | None = None) -> tuple[Verification, str]:
    """Verify an export against the ``published`` checkpoints; with the ``trusted`` keys, else
    the keys the export itself names (which proves only that the file is consistent, not who
    signed it)."""
    tenant, keys, records, checkpoints = "", {}, [], []
    for number, item in _items(lines):
        kind = item.get("type")
        if kind == "keys":
            tenant = _read(number, item, lambda i: str(i["tenant_id"]))
            keys = _read(number, item, lambda i: {k["kid"]: public_key(k) for k in i["keys"]})
        elif kind == "record":
            records.append(_read(number, item, partial(_record, tenant)))
        elif kind == "checkpoint":
            checkpoints.append(_read(number, item, from_line))
    if trusted is not None:
        keys = {key_id(k): k for k in trusted}
    return verify_chain(records, checkpoints, keys, tenant_id=tenant or None,
                        published=published), tenant


def _record(tenant: str, item: dict[str, Any]) -> StoredRecord:
    return StoredRecord(tenant, int(item["seq"]), item["record"].encode("utf-8"),
                        bytes.fromhex(item["chain_hash"]),
                        exported_columns(item.get("columns") or {}))


def _items(lines: Iterable[bytes]) -> Iterable[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            raise NotAnExport(f"line {number} is not JSON ({error})") from None
        if not isinstance(item, dict):
            raise NotAnExport(f"line {number} is not a JSON object")
        yield number, item


def _read(number: int, item: dict[str, Any], read: Callable[[dict[str, Any]], T]) -> T:
    try:
        return read(item)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise NotAnExport(f"line {number} is not a {item.get('type')} line as exported "
                          f"({type(error).__name__}: {error})") from None
