"""Read your own writes: wait, bounded, until a projection has reached a stream position.

The worker that applies events and the API that serves reads are different processes; the
worker announces each checkpoint with ``pg_notify`` on commit, and the API listens on one
connection. A slow poll covers notifications lost while that connection was down. A partitioned
projection (ADR 0013) stands where the lowest of its partitions stands.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import asyncpg

from interlude.shared.projections import checkpoints
from interlude.shared.projections.partitions import lowest, split_checkpoint


class PositionWaiter:
    def __init__(self, dsn: str, pool: asyncpg.Pool, poll_interval: float = 0.25) -> None:
        self._dsn = dsn
        self._pool = pool
        self._poll = poll_interval
        self._known: dict[tuple[str, str], int] = {}
        self._parts: dict[tuple[str, str], dict[str, int]] = {}  # partitions' checkpoints
        self._changed = asyncio.Condition()
        self._waiting = 0  # reads waiting now: without any, a checkpoint wakes nobody
        self._conn: asyncpg.Connection | None = None

    async def start(self) -> None:
        self._conn = await asyncpg.connect(self._dsn)
        await self._conn.add_listener(checkpoints.NOTIFY_CHANNEL, self._on_notify)

    async def stop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        projection, stream, position = payload.rsplit(":", 2)
        base, partition = split_checkpoint(projection)
        if partition is None:
            self._advance(projection, stream, int(position))
            return
        parts = self._parts.setdefault((base, stream), {})
        parts[projection] = max(parts.get(projection, 0), int(position))
        heard = [q for p in parts if (q := split_checkpoint(p)[1]) and q.count == partition.count]
        if len(heard) == partition.count:  # from every partition: the lowest is known
            self._advance(base, stream, lowest(parts))

    def _advance(self, projection: str, stream: str, position: int) -> None:
        key = (projection, stream)
        if position > self._known.get(key, 0):
            self._known[key] = position
            if self._waiting:  # a task per notification costs every write, waited for or not
                asyncio.get_running_loop().create_task(self._notify_all())

    async def _notify_all(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def position(self, projection: str, stream: str) -> int:
        """The projection's checkpoint as stored now (the lowest of its partitions')."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT projection, position FROM projection_checkpoints WHERE stream = $2"
                " AND split_part(projection, '@', 1) = $1", projection, stream)
        value = lowest({row["projection"]: int(row["position"]) for row in rows})
        self._advance(projection, stream, value)
        return value

    async def wait(self, projection: str, stream: str, position: int,
                   timeout: float = 2.0) -> bool:
        """True once ``projection`` has applied ``stream`` up to ``position``; False when the
        timeout passes first (the caller answers with what it has, flagged as stale)."""
        if self._known.get((projection, stream), 0) >= position:
            return True
        self._waiting += 1
        try:
            return await self._wait(projection, stream, position, timeout)
        finally:
            self._waiting -= 1

    async def _wait(self, projection: str, stream: str, position: int, timeout: float) -> bool:
        key = (projection, stream)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while await self.position(projection, stream) < position:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(remaining, self._poll)), self._changed:
                    await self._changed.wait_for(lambda: self._known.get(key, 0) >= position)
            if self._known.get(key, 0) >= position:
                return True
        return True
