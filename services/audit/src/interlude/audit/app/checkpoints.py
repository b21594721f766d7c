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
from nats.errors import Error as NatsError

from interlude.audit.domain.checkpoint import Checkpoint, key_id, sign
from interlude.audit.domain.merkle import MerkleBuilder
from interlude.audit.projections.chain import Head, locked_head, store_checkpoint
from interlude.audit.projections.queries import signing_status, stored_checkpoints, stored_records
from interlude.audit.projections.tenancy import tenant_transaction

log = logging.getLogger(__name__)
Publish = Callable[[Checkpoint, bytes], Awaitable[None]]
LastPublished = Callable[[str], Awaitable[Checkpoint | None]]
Signed = tuple[Checkpoint, bytes]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Checkpointer:
    def __init__(self, pool: asyncpg.Pool, key: Ed25519PrivateKey, *, publish: Publish | None,
                 interval_s: float = 180, every: int = 1000, idle_s: float = 3600) -> None:
        self._pool, self._key, self._publish = pool, key, publish
        self._interval = timedelta(seconds=interval_s)
        self._every, self._idle = every, timedelta(seconds=idle_s)
        self._kid = key_id(key.public_key())
        # stored but not yet published, oldest first: a checkpoint that nothing outside the
        # database witnesses fails verification, so a failed publication is retried
        self._unpublished: list[Signed] = []
        # per organisation: the Merkle tree of records lower_bound..size, grown as they come
        self._trees: dict[str, tuple[int, MerkleBuilder]] = {}

    async def due(self, now: datetime) -> list[str]:
        """The organisations whose trail should be signed now."""
        due = []
        for row in await signing_status(self._pool):
            size, issued = row["signed_size"], row["signed_at"]
            fresh = row["seq"] > size
            if issued is None or (fresh and (row["seq"] - size >= self._every
                                             or now - issued >= self._interval)) \
                    or now - issued >= self._idle:
                due.append(row["tenant_id"])
        return due

    async def sign_now(self, tenant_id: str, now: datetime | None = None) -> Checkpoint:
        """Sign the organisation's trail as it stands. The time is read once the head is
        locked (unless given), so checkpoints are issued in the order of their sizes."""
        async with tenant_transaction(self._pool, tenant_id) as conn:
            head = await locked_head(conn, tenant_id)
            if head is None:
                raise LookupError(f"organisation {tenant_id} has no audit trail to sign")
            signed = await self.sign_in(conn, tenant_id, head, now or datetime.now(UTC))
        await self.publish(signed)
        return signed[0]

    async def sign_in(self, conn: asyncpg.Connection, tenant_id: str, head: Head,
                      now: datetime, *, fresh: bool = False) -> Signed:
        """Sign records ``head.lower_bound..head.seq`` inside the caller's transaction (scoped
        to the organisation, its head locked) and store the checkpoint. ``fresh`` when that
        transaction appended records itself: they are not remembered in the Merkle tree kept
        for the next checkpoint, since the transaction may yet roll back."""
        if fresh:
            tree = MerkleBuilder()
            async for record in stored_records(conn, tenant_id, after=head.lower_bound - 1):
                if record.seq > head.seq:
                    break
                tree.append(record.record_bytes)
        else:
            tree = await self._tree(conn, tenant_id, head.lower_bound, head.seq)
        checkpoint = Checkpoint(
            tenant_id=tenant_id, size=head.seq, merkle_root=tree.root().hex(),
            chain_head=head.chain_hash.hex(), lower_bound=head.lower_bound,
            issued_at=now.isoformat(), key_id=self._kid, anchor=head.anchor.hex())
        signature = sign(checkpoint, self._key)
        await store_checkpoint(conn, checkpoint, signature, now)
        return checkpoint, signature

    async def publish(self, signed: Signed) -> None:
        """Send a stored checkpoint out as an event (after its transaction committed), after
        any whose publication failed before."""
        if self._publish is not None:
            self._unpublished.append(signed)
            await self.flush()

    async def flush(self) -> None:
        """Publish the checkpoints whose publication failed, in order; raises while it fails."""
        while self._publish is not None and self._unpublished:
            await self._publish(*self._unpublished[0])
            self._unpublished.pop(0)

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

    async def run(self, poll_s: float = 5.0, *, last_published: LastPublished | None = None,
                  ) -> None:
        """Sign what is due, for ever (a task the worker cancels); first publish what a crash
        between a checkpoint's commit and its publication left unpublished."""
        catching_up = last_published
        while True:
            try:
                if catching_up is not None:
                    await self.catch_up(catching_up)
                    catching_up = None
                await self.flush()
                for tenant_id in await self.due(datetime.now(UTC)):
                    await self.sign_now(tenant_id)
            except (OSError, TimeoutError, asyncpg.PostgresError, NatsError) as err:
                log.warning("checkpoints could not be signed or published, retrying: %s", err)
            await asyncio.sleep(poll_s)

    async def catch_up(self, last_published: LastPublished) -> int:
        """Queue for publication every stored checkpoint issued after the organisation's last
        published one, and publish them; how many."""
        found = 0
        for row in await signing_status(self._pool):
            if row["signed_at"] is None:
                continue
            tenant_id = row["tenant_id"]
            last = await last_published(tenant_id)
            async with tenant_transaction(self._pool, tenant_id, readonly=True) as conn:
                stored = await stored_checkpoints(
                    conn, tenant_id,
                    issued_after=datetime.fromisoformat(last.issued_at) if last else _EPOCH)
            self._unpublished.extend(stored)
            found += len(stored)
        await self.flush()
        return found
