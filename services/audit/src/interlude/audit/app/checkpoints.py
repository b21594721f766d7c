"""Signing checkpoints: every few minutes or every thousand records per organisation, and at
least hourly when idle. Each states size, Merkle root, chain head and time, signed with Ed25519,
is stored, and leaves the database as an ``audit.AuditCheckpointSigned`` event."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from interlude.audit.chain.checkpoint import Checkpoint, key_id, sign, signing_bytes
from interlude.audit.chain.merkle import MerkleBuilder
from interlude.audit.trail import stored_records

log = logging.getLogger(__name__)
Publish = Callable[[Checkpoint, bytes], Awaitable[None]]


class Checkpointer:
    def __init__(self, pool: asyncpg.Pool, key: Ed25519PrivateKey, *, publish: Publish | None,
                 interval_s: float = 180, every: int = 1000, idle_s: float = 3600) -> None:
        self._pool, self._key, self._publish = pool, key, publish
        self._interval = timedelta(seconds=interval_s)
        self._every, self._idle = every, timedelta(seconds=idle_s)
        self._kid = key_id(key.public_key())
        # per organisation: the Merkle tree of records lower_bound..size, grown as they come
        self._trees: dict[str, tuple[int, MerkleBuilder]] = {}

    async def due(self, now: datetime) -> list[str]:
        rows = await self._pool.fetch(
            "SELECT h.tenant_id, h.seq, c.size, c.issued_at FROM audit_heads h"
            " LEFT JOIN LATERAL (SELECT size, issued_at FROM audit_checkpoints k"
            "   WHERE k.tenant_id = h.tenant_id ORDER BY issued_at DESC LIMIT 1) c ON true")
        due = []
        for row in rows:
            size, issued = row["size"] or 0, row["issued_at"]
            fresh = row["seq"] > size
            if issued is None or (fresh and (row["seq"] - size >= self._every
                                             or now - issued >= self._interval)) \
                    or now - issued >= self._idle:
                due.append(row["tenant_id"])
        return due

    async def sign_now(self, tenant_id: str, now: datetime) -> Checkpoint:
        async with self._pool.acquire() as conn, conn.transaction():
            head = await conn.fetchrow("SELECT seq, chain_hash, lower_bound, anchor FROM"
                                       " audit_heads WHERE tenant_id = $1 FOR SHARE", tenant_id)
            lower, size = int(head["lower_bound"]), int(head["seq"])
            tree = await self._tree(conn, tenant_id, lower, size)
            checkpoint = Checkpoint(
                tenant_id=tenant_id, size=size, merkle_root=tree.root().hex(),
                chain_head=bytes(head["chain_hash"]).hex(), lower_bound=lower,
                issued_at=now.isoformat(), key_id=self._kid, anchor=bytes(head["anchor"]).hex())
            signature = sign(checkpoint, self._key)
            await conn.execute(
                "INSERT INTO audit_checkpoints (tenant_id, size, body, signature, key_id,"
                " issued_at) VALUES ($1, $2, $3, $4, $5, $6)", tenant_id, size,
                signing_bytes(checkpoint), signature, self._kid, now)
        if self._publish is not None:
            await self._publish(checkpoint, signature)
        return checkpoint

    async def _tree(self, conn: asyncpg.Connection, tenant_id: str, lower: int,
                    size: int) -> MerkleBuilder:
        known = self._trees.get(tenant_id)
        if known is None or known[0] != lower or known[1].size > size - lower + 1:
            known = (lower, MerkleBuilder())
        builder = known[1]
        async for record in stored_records(conn, tenant_id, after=lower - 1 + builder.size):
            if record.seq > size:
                break
            builder.append(record.record_bytes)
        self._trees[tenant_id] = known
        return builder

    async def run(self, poll_s: float = 5.0) -> None:
        """Sign what is due, for ever (a task the worker cancels)."""
        while True:
            try:
                now = datetime.now(UTC)
                for tenant_id in await self.due(now):
                    await self.sign_now(tenant_id, now)
            except (OSError, asyncpg.PostgresError) as err:
                log.warning("checkpoints could not be signed, retrying: %s", err)
            await asyncio.sleep(poll_s)
