"""Reading an organisation's trail back from PostgreSQL: records, checkpoints, verification."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import asyncpg
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from interlude.audit.chain.checkpoint import Checkpoint
from interlude.audit.chain.model import StoredRecord, Verification
from interlude.audit.chain.verify import ChainVerifier
from interlude.audit.tenancy import tenant_transaction


async def stored_records(conn: asyncpg.Connection, tenant_id: str, after: int = 0,
                         batch: int = 5000) -> AsyncIterator[StoredRecord]:
    """The organisation's records in number order, read in batches."""
    while True:
        rows = await conn.fetch(
            "SELECT seq, record, chain_hash FROM audit_records WHERE tenant_id = $1"
            " AND seq > $2 ORDER BY seq LIMIT $3", tenant_id, after, batch)
        for row in rows:
            yield StoredRecord(tenant_id, int(row["seq"]), bytes(row["record"]),
                               bytes(row["chain_hash"]))
        if len(rows) < batch:
            return
        after = int(rows[-1]["seq"])


async def stored_checkpoints(conn: asyncpg.Connection,
                             tenant_id: str) -> list[tuple[Checkpoint, bytes]]:
    rows = await conn.fetch("SELECT body, signature FROM audit_checkpoints WHERE tenant_id = $1"
                            " ORDER BY issued_at, size", tenant_id)
    return [(checkpoint_of(bytes(r["body"])), bytes(r["signature"])) for r in rows]


def checkpoint_of(body: bytes) -> Checkpoint:
    return Checkpoint.from_dict(orjson.loads(body))


async def verify_on(conn: asyncpg.Connection, tenant_id: str,
                    public_keys: Mapping[str, Ed25519PublicKey]) -> Verification:
    """The verifier over what ``conn`` sees of one organisation's trail, streamed."""
    verifier = ChainVerifier(await stored_checkpoints(conn, tenant_id), public_keys,
                             tenant_id=tenant_id)
    async for record in stored_records(conn, tenant_id):
        verifier.feed(record)
    return verifier.result()


async def verify_tenant(pool: asyncpg.Pool, tenant_id: str,
                        public_keys: Mapping[str, Ed25519PublicKey]) -> Verification:
    """The verifier over what the database holds for one organisation, as of one moment."""
    async with tenant_transaction(pool, tenant_id, readonly=True) as conn:
        return await verify_on(conn, tenant_id, public_keys)
