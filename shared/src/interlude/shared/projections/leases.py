"""Which partitions this worker runs (ADR 0013): a PostgreSQL advisory lock per partition,
held on a session of its own, in the database the projections write to.

Every worker of a service holds one "member" lock, so each can count the live workers and take
its fair share (``ceil(partitions / workers)``): it locks free partitions up to that share and
starts their runners; it stops the runners of partitions beyond it, then unlocks them for
another. A worker that dies loses its session, and with it its locks, at once (its socket
closes; a vanished host within the keepalive below); the others take its partitions at their
next round. Ownership is not exclusivity at every instant (a worker cut off from PostgreSQL
may still run a batch): the checkpoint row's lock keeps any batch from being applied twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
from collections.abc import Awaitable, Callable

import asyncpg

from interlude.shared.projections.partitions import Partition
from interlude.shared.projections.runner import ProjectionRunner

log = logging.getLogger(__name__)

Start = Callable[[Partition], Awaitable[list[ProjectionRunner]]]

MEMBER_SLOTS = 1024
# the server drops a silent client's session (and its locks) after ~9 s
KEEPALIVE = {"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "2",
             "tcp_keepalives_count": "2"}
MEMBERS = """SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
  AND classid = $1::bigint::oid AND objsubid = 2
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""


def lock_key(scope: str) -> int:
    """A positive 32-bit key for ``scope`` (the first half of a two-key advisory lock)."""
    return int.from_bytes(hashlib.blake2b(scope.encode(), digest_size=4).digest()) & 0x7FFFFFFF


class Leases:
    """Run the partitions of ``count`` that fall to this worker: ``start(partition)`` builds
    and starts its runners. ``scope`` names the projection set (service, schema, streams):
    workers of one scope share the partitions."""

    def __init__(self, dsn: str, scope: str, count: int, start: Start,
                 poll: float = 1.0) -> None:
        self._dsn = dsn
        self._partitions = lock_key(f"{scope}/{count}")
        self._members = lock_key(f"{scope}/{count}/members")
        self._count = count
        self._start = start
        self._poll = poll
        self._conn: asyncpg.Connection | None = None
        self.owned: dict[int, list[ProjectionRunner]] = {}

    async def run(self) -> None:
        """Hold and balance partitions until cancelled; on a lost session, stop every runner
        (their locks are gone) and start over."""
        delay = self._poll
        try:
            while True:
                try:
                    await self._connect()
                    while True:
                        await self._round()
                        delay = self._poll
                        await asyncio.sleep(self._poll)
                except Exception as err:  # the session, or a partition's start: never give up
                    log.warning("partition leases lost (%s: %s); again in %.1fs",
                                type(err).__name__, err, delay)
                    await self._release_all()
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 10.0)
        finally:
            await self._release_all()

    async def _connect(self) -> None:
        self._conn = await asyncpg.connect(self._dsn, timeout=5, server_settings=KEEPALIVE)
        for slot in range(MEMBER_SLOTS):
            if await self._conn.fetchval("SELECT pg_try_advisory_lock($1, $2)",
                                         self._members, slot, timeout=5):
                return
        raise RuntimeError(f"more than {MEMBER_SLOTS} workers share these partitions")

    async def _round(self) -> None:
        assert self._conn is not None
        members = int(await self._conn.fetchval(MEMBERS, self._members, timeout=5))
        share = math.ceil(self._count / max(members, 1))
        for index in sorted(self.owned, reverse=True)[:max(0, len(self.owned) - share)]:
            await self._release(index)
        for index in range(self._count):
            if len(self.owned) >= share:
                break
            if index not in self.owned and await self._conn.fetchval(
                    "SELECT pg_try_advisory_lock($1, $2)", self._partitions, index, timeout=5):
                await self._take(index)

    async def _take(self, index: int) -> None:
        try:
            self.owned[index] = await self._start(Partition(index, self._count))
        except BaseException:
            await self._unlock(index)
            raise
        log.info("running partition %d/%d", index, self._count)

    async def _release(self, index: int) -> None:
        for runner in self.owned.pop(index, []):
            await runner.stop()  # stopped before unlocked: never two runners by our doing
        await self._unlock(index)
        log.info("handed partition %d/%d over", index, self._count)

    async def _unlock(self, index: int) -> None:
        if self._conn is not None and not self._conn.is_closed():
            with contextlib.suppress(Exception):
                await self._conn.fetchval("SELECT pg_advisory_unlock($1, $2)",
                                          self._partitions, index, timeout=5)

    async def _release_all(self) -> None:
        for index in list(self.owned):
            await self._release(index)
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()  # the session's locks go with it
            self._conn = None
