"""Reading an organisation's trail back from PostgreSQL: records, checkpoints, verification."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

import asyncpg
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from interlude.audit.chain.checkpoint import Checkpoint
from interlude.audit.chain.columns import COLUMNS
from interlude.audit.chain.model import StoredRecord, Verification
from interlude.audit.chain.verify import ChainVerifier
from interlude.audit.chain.witness import Signed, identity
from interlude.audit.tenancy import tenant_transaction

Published = Callable[[str], Awaitable[list[Signed]]]
"""An organisation's checkpoints as published to JetStream (``adapters.witness``)."""

_COLUMNS = ", ".join(COLUMNS)


async def stored_records(conn: asyncpg.Connection, tenant_id: str, after: int = 0,
                         batch: int = 5000, *,
                         columns: bool = False) -> AsyncIterator[StoredRecord]:
    """The organisation's records in number order, read in batches; with ``columns``, each
    with the columns queries filter on (what the verifiers check against the bytes)."""
    extra = f", {_COLUMNS}" if columns else ""
    while True:
        rows = await conn.fetch(
            f"SELECT seq, record, chain_hash{extra} FROM audit_records WHERE tenant_id = $1"
            " AND seq > $2 ORDER BY seq LIMIT $3", tenant_id, after, batch)
        for row in rows:
            yield StoredRecord(tenant_id, int(row["seq"]), bytes(row["record"]),
                               bytes(row["chain_hash"]), row[3:] if columns else None)
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
                    public_keys: Mapping[str, Ed25519PublicKey],
                    published: list[Signed]) -> Verification:
    """The verifier over what ``conn`` sees of one organisation's trail, streamed, held
    against the checkpoints ``published`` (read before ``conn``'s snapshot was taken)."""
    verifier = ChainVerifier(await stored_checkpoints(conn, tenant_id), public_keys,
                             tenant_id=tenant_id, published=published)
    async for record in stored_records(conn, tenant_id, columns=True):
        verifier.feed(record)
    return verifier.result()


async def verify_tenant(pool: asyncpg.Pool, tenant_id: str,
                        public_keys: Mapping[str, Ed25519PublicKey],
                        published: Published) -> Verification:
    """The verifier over what the database holds for one organisation, as of one moment, held
    against what JetStream holds.

    The published checkpoints are read first: each was stored before it was published, so
    every one of them must be in the snapshot taken after. A checkpoint signed in between is
    in the snapshot but was not yet published when read: the stream is read again for those.
    """
    before = await published(tenant_id)
    async with tenant_transaction(pool, tenant_id, readonly=True) as conn:
        seen = {identity(p) for p in before}
        stored = {identity(s) for s in await stored_checkpoints(conn, tenant_id)}
        if stored - seen:
            # only the ones the snapshot holds: a later one would look missing from it
            before += [p for p in await published(tenant_id)
                       if identity(p) in stored - seen]
        return await verify_on(conn, tenant_id, public_keys, before)
